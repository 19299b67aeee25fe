"""Chat messages, as pydantic models, with no dependency on langchain.

They carry the fields LangGraph programs read (``content``, ``id``, ``name``, ``tool_calls``…)
and accept OpenAI-style dicts through ``convert_to_messages``:

>>> from langgraph_lite.messages import convert_to_messages
>>> [m.type for m in convert_to_messages([{"role": "user", "content": "hi"}, ("ai", "hello")])]
['human', 'ai']
"""

from __future__ import annotations

import json
import sys
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "REMOVE_ALL_MESSAGES",
    "AIMessage",
    "AIMessageChunk",
    "AnyMessage",
    "BaseMessage",
    "HumanMessage",
    "RemoveMessage",
    "SystemMessage",
    "ToolCall",
    "ToolMessage",
    "convert_to_messages",
    "report_chunk",
]

REMOVE_ALL_MESSAGES = "__remove_all__"
"""The id of a ``RemoveMessage`` that clears every message before it."""

ToolCall = dict[str, Any]
"""A tool call: ``{"name": str, "args": dict, "id": str | None, "type": "tool_call"}``."""


class BaseMessage(BaseModel):
    """A chat message: ``content`` (text or content blocks), an optional ``id`` and ``name``."""

    model_config = ConfigDict(extra="allow")

    content: str | list[Any] = ""
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    response_metadata: dict[str, Any] = Field(default_factory=dict)
    type: str = "base"
    name: str | None = None
    id: str | None = None

    def __init__(self, content: str | list[Any] | None = None, **kwargs: Any) -> None:
        if content is not None:
            kwargs["content"] = content
        super().__init__(**kwargs)

    @property
    def text(self) -> str:
        """The text of the message, with non-text content blocks left out."""
        if isinstance(self.content, str):
            return self.content
        return "".join(
            b if isinstance(b, str) else str(b.get("text", ""))
            for b in self.content
            if isinstance(b, str) or (isinstance(b, dict) and b.get("type") == "text")
        )

    def pretty_repr(self) -> str:
        title = f" {self.type.title()} Message "
        head = f"{title:=^80}"
        name = f"\nName: {self.name}" if self.name else ""
        return f"{head}{name}\n\n{self.text}"

    def pretty_print(self) -> None:
        print(self.pretty_repr())


class HumanMessage(BaseMessage):
    """A message from the user."""

    type: Literal["human"] = "human"


class SystemMessage(BaseMessage):
    """Instructions for the model."""

    type: Literal["system"] = "system"


class AIMessage(BaseMessage):
    """A message from the model, possibly asking for tool calls."""

    type: Literal["ai"] = "ai"
    tool_calls: list[ToolCall] = Field(default_factory=list)
    invalid_tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    usage_metadata: dict[str, Any] | None = None

    def __init__(self, content: str | list[Any] | None = None, **kwargs: Any) -> None:
        calls = kwargs.get("tool_calls")
        if calls:
            kwargs["tool_calls"] = [_tool_call(c) for c in calls]
        super().__init__(content, **kwargs)


class AIMessageChunk(AIMessage):
    """A piece of a model's message while it streams; chunks add up with ``+``."""

    type: Literal["AIMessageChunk"] = "AIMessageChunk"  # type: ignore[assignment]
    tool_call_chunks: list[dict[str, Any]] = Field(default_factory=list)

    def __add__(self, other: Any) -> AIMessageChunk:
        if not isinstance(other, AIMessageChunk):
            return NotImplemented
        if isinstance(self.content, str) and isinstance(other.content, str):
            content: str | list[Any] = self.content + other.content
        else:
            left = [self.content] if isinstance(self.content, str) else list(self.content)
            right = [other.content] if isinstance(other.content, str) else list(other.content)
            content = left + right
        return AIMessageChunk(
            content=content,
            id=self.id or other.id,
            name=self.name or other.name,
            additional_kwargs={**self.additional_kwargs, **other.additional_kwargs},
            response_metadata={**self.response_metadata, **other.response_metadata},
            tool_calls=[*self.tool_calls, *other.tool_calls],
            tool_call_chunks=[*self.tool_call_chunks, *other.tool_call_chunks],
            usage_metadata=_add_usage(self.usage_metadata, other.usage_metadata),
        )


class ToolMessage(BaseMessage):
    """The result of one tool call, answering the call with id ``tool_call_id``."""

    type: Literal["tool"] = "tool"
    tool_call_id: str
    status: Literal["success", "error"] = "success"
    artifact: Any = None


class RemoveMessage(BaseMessage):
    """Put in a messages update to delete the message with this ``id`` (or all of them)."""

    type: Literal["remove"] = "remove"

    def __init__(self, id: str, **kwargs: Any) -> None:
        super().__init__(content="", id=id, **kwargs)


AnyMessage = HumanMessage | AIMessage | AIMessageChunk | SystemMessage | ToolMessage | RemoveMessage

_ROLES: dict[str, type[BaseMessage]] = {
    "human": HumanMessage,
    "user": HumanMessage,
    "ai": AIMessage,
    "assistant": AIMessage,
    "system": SystemMessage,
    "developer": SystemMessage,
    "tool": ToolMessage,
    "remove": RemoveMessage,
}


class MessageCoercionError(TypeError, NotImplementedError):
    """A value cannot be turned into a chat message.

    Also a ``NotImplementedError``, which LangGraph raises here, so existing handlers match.
    """


def _tool_call(call: Any) -> ToolCall:
    if not isinstance(call, dict):
        raise TypeError(f"a tool call must be a dict with 'name' and 'args', got {call!r}")
    if (
        "function" in call
    ):  # OpenAI shape: {"id", "type": "function", "function": {name, arguments}}
        fn = call["function"]
        args = fn.get("arguments") or {}
        if isinstance(args, str):
            args = json.loads(args or "{}")
        return {"name": fn["name"], "args": args, "id": call.get("id"), "type": "tool_call"}
    return {
        "name": call["name"],
        "args": call.get("args", {}),
        "id": call.get("id"),
        "type": "tool_call",
    }


def _add_usage(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any] | None:
    if a is None or b is None:
        return a or b
    return {k: a.get(k, 0) + b.get(k, 0) for k in {**a, **b}}


def _from_dict(data: dict[str, Any]) -> BaseMessage:
    data = dict(data)
    role = data.pop("role", None) or data.pop("type", None)
    cls = _ROLES.get(str(role))
    if cls is None:
        raise ValueError(
            f"cannot make a message from {data!r}: role {role!r} is not one of "
            f"{', '.join(sorted(_ROLES))}. Use e.g. {{'role': 'user', 'content': 'hi'}}."
        )
    if cls is AIMessageChunk or cls is AIMessage:
        data.setdefault("content", data.get("content") or "")
    return cls(**data)


def convert_to_messages(messages: Any) -> list[BaseMessage]:
    """Coerce messages given as objects, dicts, ``(role, content)`` tuples or strings."""
    if _langchain_pending and "langchain_core" in sys.modules:
        _use_langchain()  # LangChain is in the program: accept its messages, stream its models
    if isinstance(messages, (BaseMessage, dict, str, tuple)) or _foreign(messages):
        messages = [messages]
    out: list[BaseMessage] = []
    for m in messages:
        if isinstance(m, BaseMessage):
            out.append(m)
        elif isinstance(m, dict):
            out.append(_from_dict(m))
        elif isinstance(m, str):
            out.append(HumanMessage(content=m))
        elif isinstance(m, (tuple, list)) and len(m) == 2 and isinstance(m[0], str):
            out.append(_from_dict({"role": m[0], "content": m[1]}))
        elif _foreign(m):
            from langgraph_lite.interop.langchain import from_langchain

            out.append(from_langchain(m))
        else:
            raise MessageCoercionError(
                f"cannot make a message from {m!r} ({type(m).__name__}). Give a message "
                "object, a dict like {'role': 'user', 'content': 'hi'}, a ('user', 'hi') "
                "tuple or a string."
            )
    return out


# LangChain's messages are taken as they are (converted to ours) when langchain-core is loaded;
# the check never imports it. See langgraph_lite.interop.langchain.
_langchain_pending = True


def _foreign(value: Any) -> bool:
    base = getattr(sys.modules.get("langchain_core.messages.base"), "BaseMessage", None)
    return base is not None and isinstance(value, base)


def _use_langchain() -> None:
    global _langchain_pending
    _langchain_pending = False
    from langgraph_lite.interop.langchain import install

    install()


# -- how chat models report tokens to a running graph ---------------------------------------------
#
# The protocol is one function. A chat model that generates a message piece by piece calls
# ``report_chunk(chunk)`` for each ``AIMessageChunk`` (all chunks of one message share its id,
# and the finished message it returns carries the same id). Inside a graph streamed with
# ``stream_mode="messages"`` each chunk reaches the consumer as ``(chunk, metadata)``; anywhere
# else the call does nothing. Nodes need no extra code: calling the model is enough.


def report_chunk(chunk: AIMessageChunk, metadata: dict[str, Any] | None = None) -> Any:
    """Hand one streamed chunk to the graph run this code is part of (if it streams messages).

    ``metadata`` (e.g. ``{"ls_provider": "mine"}``) is added to what the consumer sees. Returns
    an awaitable: an async model that awaits it waits while the stream's buffer is full.

    >>> from langgraph_lite.messages import AIMessageChunk, report_chunk
    >>> _ = report_chunk(AIMessageChunk(content="hi", id="run-1"))  # outside a run: nothing
    """
    from langgraph_lite.config import current_task
    from langgraph_lite.types import READY

    task = current_task.get()
    if task is None:
        return READY
    run = task.run
    report = getattr(run, "message_chunk", None)
    return report(task, chunk, metadata) if report is not None else READY
