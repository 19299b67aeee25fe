"""``_messages_delta_reducer``: the messages reducer for a ``DeltaChannel``.

It takes the current list and every write of a step at once, indexes the list by id once, and
applies the writes in order: a message with a known id replaces that message, a
``RemoveMessage`` with a known id deletes it (an unknown id is ignored), any other message is
appended. Batching writes differently gives the same list, as ``DeltaChannel`` requires.

Unlike ``add_messages`` it does not handle ``REMOVE_ALL_MESSAGES`` (use
``Overwrite([])`` to clear the list) and does not give ids itself: before the channel calls
it, ``prepare_writes`` gives every written message an id (a node's own message objects get it
in place), so each message can be targeted later by id.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph_lite.messages import (
    BaseMessage,
    BaseMessageChunk,
    RemoveMessage,
    convert_to_messages,
    message_chunk_to_message,
)

__all__ = ["_messages_delta_reducer"]


def _as_messages(items: list[Any]) -> list[BaseMessage]:
    if all(isinstance(m, BaseMessage) and not isinstance(m, BaseMessageChunk) for m in items):
        return items
    return [message_chunk_to_message(m) for m in convert_to_messages(items)]


def _flat(writes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for w in writes:
        if isinstance(w, list):
            out.extend(w)
        else:
            out.append(w)
    return out


def _messages_delta_reducer(state: list[Any], writes: list[Any]) -> list[BaseMessage]:
    """Fold a step's message writes into ``state`` (see the module docstring).

    >>> from langgraph_lite.messages import AIMessage, HumanMessage, RemoveMessage
    >>> s = _messages_delta_reducer([], [[HumanMessage("hi", id="1")], AIMessage("yo", id="2")])
    >>> [m.content for m in _messages_delta_reducer(s, [RemoveMessage(id="1")])]
    ['yo']
    """
    if not isinstance(state, list):
        raise TypeError(
            f"_messages_delta_reducer keeps a list of messages, got state {state!r}: declare "
            "the key as Annotated[list, DeltaChannel(_messages_delta_reducer)]."
        )
    current = _as_messages(state)
    new = _as_messages(_flat(writes))
    result: list[BaseMessage | None] = list(current)
    index = {m.id: i for i, m in enumerate(current) if m.id is not None}
    for m in new:
        if m.id is None:
            result.append(m)
        elif isinstance(m, RemoveMessage):
            at = index.pop(m.id, None)
            if at is not None:
                result[at] = None
        elif m.id in index:
            result[index[m.id]] = m
        else:
            index[m.id] = len(result)
            result.append(m)
    return [m for m in result if m is not None]


def _prepare_writes(writes: list[Any]) -> list[Any]:
    """Each written message as a message object with an id (given in place when it is one)."""
    out: list[Any] = []
    for w in writes:
        items = _as_messages(w if isinstance(w, list) else [w])
        for m in items:
            if m.id is None:
                m.id = str(uuid.uuid4())
        out.append(items if isinstance(w, list) else items[0])
    return out


_messages_delta_reducer.prepare_writes = _prepare_writes  # type: ignore[attr-defined]
