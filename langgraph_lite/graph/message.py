"""The ``add_messages`` reducer and ``MessagesState``, for chat histories in graph state."""

from __future__ import annotations

import functools
import operator
import uuid
import warnings
from typing import Annotated, Any

from typing_extensions import TypedDict

from langgraph_lite.graph.message_delta import _messages_delta_reducer
from langgraph_lite.graph.state import StateGraph
from langgraph_lite.interop import family
from langgraph_lite.message_format import to_openai_format
from langgraph_lite.messages import (
    REMOVE_ALL_MESSAGES,
    AnyMessage,
    BaseMessage,
)
from langgraph_lite.warnings import LangGraphDeprecatedSinceV10

__all__ = [
    "REMOVE_ALL_MESSAGES",
    "MessageGraph",
    "MessagesState",
    "_messages_delta_reducer",
    "add_messages",
    "push_message",
]


Messages = list[Any] | Any
"""What ``add_messages`` takes on each side: a message-like value or a list of them."""


_id_of = operator.attrgetter("id")


def _merge(
    left: Messages, right: Messages, *, format: str | None = None, langchain: bool = False
) -> list[Any]:
    old, new = _coerce(
        left if isinstance(left, list) else [left],
        right if isinstance(right, list) else [right],
        langchain,
    )
    # Ids are given in place, as LangGraph does: the node's own message objects get them too,
    # so an "updates" chunk shows the id the message is stored with.
    # One C loop over a long history (no frame per message) tells whether any old message
    # lacks an id or has one a new message names; if none does, the old ones need no index.
    probe = {m.id for m in new}
    probe.add(None)
    indexed = any(map(probe.__contains__, map(_id_of, old)))
    if indexed:
        for m in old:
            if m.id is None:
                m.id = str(uuid.uuid4())
    cut = None
    for i, m in enumerate(new):
        if m.id is None:
            m.id = str(uuid.uuid4())
        if m.id == REMOVE_ALL_MESSAGES and m.type == "remove":
            cut = i
    if cut is not None:  # everything up to the last remove-all is dropped, the marker too
        return new[cut + 1 :]
    merged = list(old)
    # the last of equal ids wins; fresh ids (given above) name no old message
    position = {m.id: i for i, m in enumerate(merged)} if indexed else {}
    removed: set[str] = set()
    for m in new:
        at = position.get(m.id)
        if at is not None:
            if m.type == "remove":
                removed.add(m.id)
            else:
                removed.discard(m.id)
                merged[at] = m
        elif m.type == "remove":
            raise ValueError(
                f"Attempting to delete a message with an ID that doesn't exist ('{m.id}'). "
                "Remove a message by the id it was stored with (the messages in the state "
                "carry it)."
            )
        else:
            position[m.id] = len(merged)
            merged.append(m)
    if removed:
        merged = [m for m in merged if m.id not in removed]
    if format == "langchain-openai":
        return family.coerce(to_openai_format(merged), langchain=family.langchain_in(merged))
    if format:
        raise ValueError(f"Unrecognized {format=}. Expected one of 'langchain-openai', None.")
    return merged


def add_messages(left: Messages | None = None, right: Messages | None = None, **kwargs: Any) -> Any:
    """Merge ``right`` into ``left``: append new messages, replace those with a known id.

    Messages may be given as message objects, OpenAI-style dicts, ``(role, content)`` tuples
    or strings; each gets an id if it has none, and finished ``AIMessageChunk``s are stored as
    ``AIMessage``s. Message objects stay what they are (LangChain's stay LangChain's); dicts,
    tuples and strings become LangChain messages when LangChain messages are on either side,
    ours otherwise (see ``langgraph_lite.interop.family``). A ``RemoveMessage(id=...)`` deletes that message;
    ``RemoveMessage(id=REMOVE_ALL_MESSAGES)`` deletes every message before it.

    Called with neither side, it returns the reducer with those options:
    ``Annotated[list, add_messages(format="langchain-openai")]`` keeps the messages in
    OpenAI's format (see ``langgraph_lite.message_format``).

    >>> from langgraph_lite.graph import add_messages
    >>> history = add_messages([], [{"role": "user", "content": "hi", "id": "1"}])
    >>> [m.content for m in add_messages(history, [("ai", "hello")])]
    ['hi', 'hello']
    """
    if left is not None and right is not None:
        return _merge(left, right, **kwargs)
    if left is not None or right is not None:
        raise ValueError(
            "Must specify non-null arguments for both 'left' and 'right'. Only received: "
            f"'{'left' if left else 'right'}'. Call add_messages(left, right), or "
            "add_messages(format=...) for the reducer."
        )
    return functools.partial(_merge, **kwargs)


def _coerce(old: list[Any], new: list[Any], prefer: bool) -> tuple[list[Any], list[Any]]:
    # A long history is all plain messages of ours: check its few types rather than each one.
    kinds = set(map(type, old))
    kinds.update(map(type, new))
    if family.plain_ours(kinds):
        return old, new
    # what the caller gave stays what it is; dicts, tuples and strings take the family of the
    # messages around them (see langgraph_lite.interop.family)
    langchain = prefer or family.langchain_in(old, new)
    return family.coerce(old, langchain=langchain), family.coerce(new, langchain=langchain)


def langchain_first(reducer: Any) -> Any:
    """``add_messages`` (or one of its ``add_messages(format=...)`` reducers) for a history a
    LangChain model writes (``create_react_agent`` with one): dicts, tuples and strings become
    LangChain messages even with no message around them. Any other reducer: None."""
    if reducer is add_messages:
        options: dict[str, Any] = {}
    elif isinstance(reducer, functools.partial) and reducer.func is _merge:
        options = dict(reducer.keywords)
    else:
        return None

    def add_langchain_messages(left: Messages, right: Messages) -> list[Any]:
        return _merge(left, right, **options, langchain=True)

    # the same reducer as the one declared, to schemas that compare them
    add_langchain_messages.__wrapped__ = reducer  # type: ignore[attr-defined]
    return add_langchain_messages


class MessagesState(TypedDict):
    """A state with one key, ``messages``, merged with ``add_messages``."""

    messages: Annotated[list[AnyMessage], add_messages]


class MessageGraph(StateGraph):
    """Deprecated (LangGraph 1.0): a graph whose whole state is one list of messages.

    Nodes get the list and return messages to add (merged with ``add_messages``); ``invoke``
    takes and returns the list. Use ``StateGraph(MessagesState)`` (a ``messages`` key) instead.
    """

    def __init__(self) -> None:
        warnings.warn(
            "MessageGraph is deprecated in LangGraph v1.0.0, to be removed in v2.0.0. Please use "
            "StateGraph with a `messages` key instead.",
            LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        super().__init__(Annotated[list[AnyMessage], add_messages])


def push_message(message: Any, *, state_key: str | None = "messages") -> BaseMessage:
    """Send a whole message to ``stream_mode="messages"`` now, from inside a running node, and
    (unless ``state_key`` is None) write it to the state key ``state_key`` as if the node had
    returned it, before what it does return. The message needs an id.

    >>> def node(state):
    ...     push_message(AIMessage("working on it", id="progress-1"))
    ...     return {"messages": [AIMessage("done", id="final")]}
    """
    from langgraph_lite.config import attempt_clock, current_task

    task = current_task.get()
    if task is None or not hasattr(task, "pushed"):
        raise RuntimeError(
            "push_message() was called outside a running node. Call it from a node function "
            "(or code a node calls) while the graph runs."
        )
    message = family.coerce([message], langchain=family.langchain_in(message))[0]
    if message.id is None:
        raise ValueError(
            "Message ID is required: give the message an id (AIMessage(..., id=...)) so that the "
            "stream and the state refer to the same message."
        )
    clock = attempt_clock.get()  # a timed attempt's: after its limit, nothing more is sent
    if clock is not None and not clock.progress():
        return message
    report = getattr(task.run, "message_chunk", None)
    if report is not None:
        report(task, message, None)  # marks the id as streamed: it is not sent again at the end
    if state_key:
        task.pushed.append((state_key, message))
    return message
