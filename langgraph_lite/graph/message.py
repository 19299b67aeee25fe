"""The ``add_messages`` reducer and ``MessagesState``, for chat histories in graph state."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from typing_extensions import TypedDict

from langgraph_lite.messages import (
    REMOVE_ALL_MESSAGES,
    AIMessage,
    AIMessageChunk,
    AnyMessage,
    BaseMessage,
    RemoveMessage,
    convert_to_messages,
)

__all__ = ["MessagesState", "add_messages"]


def add_messages(left: Any, right: Any) -> list[BaseMessage]:
    """Merge ``right`` into ``left``: append new messages, replace those with a known id.

    Messages may be given as message objects, OpenAI-style dicts, ``(role, content)`` tuples
    or strings; each gets an id if it has none. A ``RemoveMessage(id=...)`` deletes that
    message; ``RemoveMessage(id=REMOVE_ALL_MESSAGES)`` deletes every message before it.

    >>> from langgraph_lite.graph import add_messages
    >>> history = add_messages([], [{"role": "user", "content": "hi", "id": "1"}])
    >>> [m.content for m in add_messages(history, [("ai", "hello")])]
    ['hi', 'hello']
    """
    old = [_with_id(m) for m in convert_to_messages(left if left is not None else [])]
    new = [_with_id(m) for m in convert_to_messages(right if right is not None else [])]
    # Everything up to the last remove-all is dropped, the marker included.
    for i in range(len(new) - 1, -1, -1):
        if isinstance(new[i], RemoveMessage) and new[i].id == REMOVE_ALL_MESSAGES:
            return new[i + 1 :]
    merged = list(old)
    position = {m.id: i for i, m in enumerate(merged)}
    removed: set[str] = set()
    for m in new:
        if m.id in position and not isinstance(m, RemoveMessage):
            merged[position[m.id]] = m
            removed.discard(m.id)
        elif isinstance(m, RemoveMessage):
            if m.id not in position:
                raise ValueError(
                    f"RemoveMessage(id={m.id!r}) names no message in the history. Remove a "
                    "message by the id it was stored with."
                )
            removed.add(m.id)  # type: ignore[arg-type]
        else:
            position[m.id] = len(merged)
            merged.append(m)
    return [m for m in merged if m.id not in removed]


def _with_id(message: BaseMessage) -> BaseMessage:
    if isinstance(message, AIMessageChunk):  # a finished stream is stored as a whole message
        data = message.model_dump(exclude={"type", "tool_call_chunks"})
        message = AIMessage(**data)
    if message.id is None:
        message.id = str(uuid.uuid4())  # in place, as LangGraph: whoever holds it sees the id
    return message


class MessagesState(TypedDict):
    """A state with one key, ``messages``, merged with ``add_messages``."""

    messages: Annotated[list[AnyMessage], add_messages]
