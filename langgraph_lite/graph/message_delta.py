"""``_messages_delta_reducer``: the messages reducer for a ``DeltaChannel``.

It takes the current list and every write of a step at once, indexes the list by id once, and
applies the writes in order: a message with a known id replaces that message, a
``RemoveMessage`` with a known id deletes it (an unknown id is ignored), any other message is
appended. Batching writes differently gives the same list, as ``DeltaChannel`` requires.

Unlike ``add_messages`` it does not handle ``REMOVE_ALL_MESSAGES`` (use
``Overwrite([])`` to clear the list) and does not give ids itself: before the channel calls
it, ``prepare_writes`` (``channels.delta_ids.stamp_messages``) gives every written message an
id, so each message can be targeted later by id.
"""

from __future__ import annotations

from typing import Any

from langgraph_lite.channels.delta_ids import stamp_messages
from langgraph_lite.interop import family

__all__ = ["_messages_delta_reducer"]


def _as_messages(items: list[Any], *, langchain: bool) -> list[Any]:
    # Message objects, ours or LangChain's, are kept as they are (no copy, the same class);
    # dicts, strings and (role, content) tuples take the family of the messages around them.
    return family.coerce(items, langchain=langchain)


def _is_removal(m: Any) -> bool:
    return family.is_message(m) and m.type == "remove"


def _flat(writes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for w in writes:
        if isinstance(w, list):
            out.extend(w)
        else:
            out.append(w)
    return out


def _messages_delta_reducer(state: list[Any], writes: list[Any]) -> list[Any]:
    """Fold a step's message writes into ``state`` (see the module docstring).

    >>> from langgraph_lite.messages import AIMessage, HumanMessage, RemoveMessage
    >>> s = _messages_delta_reducer([], [[HumanMessage("hi", id="1")], AIMessage("yo", id="2")])
    >>> [m.content for m in _messages_delta_reducer(s, [RemoveMessage(id="1")])]
    ['yo']
    """
    if not isinstance(state, (list, tuple)):
        raise TypeError(
            f"_messages_delta_reducer keeps a list of messages, got state {state!r}: declare "
            "the key as Annotated[list, DeltaChannel(_messages_delta_reducer)]."
        )
    current, new = list(state), _flat(writes)
    langchain = family.langchain_in(current, new)
    current = _as_messages(current, langchain=langchain)
    new = _as_messages(new, langchain=langchain)
    result: list[Any] = list(current)
    index = {m.id: i for i, m in enumerate(current) if m.id is not None}
    for m in new:
        if m.id is None:
            result.append(m)
        elif _is_removal(m):
            at = index.pop(m.id, None)
            if at is not None:
                result[at] = None
        elif m.id in index:
            result[index[m.id]] = m
        else:
            index[m.id] = len(result)
            result.append(m)
    return [m for m in result if m is not None]


_messages_delta_reducer.prepare_writes = stamp_messages  # type: ignore[attr-defined]
