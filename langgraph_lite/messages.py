"""Chat messages, as pydantic models, with no dependency on langchain.

They behave as LangChain's do for a LangGraph program: the same fields in the same order (so
``repr``, ``model_dump()`` and ``==`` agree), the same ``pretty_print()``, chunks that add up
with ``+``, and ``convert_to_messages`` for OpenAI-style dicts, ``(role, content)`` tuples and
strings:

>>> from langgraph_lite.messages import convert_to_messages
>>> [m.type for m in convert_to_messages([{"role": "user", "content": "hi"}, ("ai", "hello")])]
['human', 'ai']
>>> convert_to_messages(["hi"])[0]
HumanMessage(content='hi', additional_kwargs={}, response_metadata={})
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WrapValidator, model_validator

from langgraph_lite.chunk_reports import report_chunk
from langgraph_lite.errors import MessageCoercionError
from langgraph_lite.message_parts import (
    _SERIALISED_NAMES,
    InvalidToolCall,
    TextAccessor,
    ToolCall,
    ToolCallChunk,
    _call_chunk,
    _call_lines,
    _calls_from_openai,
    _chunk_from_openai,
    _differs_from_default,
    _invalid_call,
    _make_call,
    _streamed_id,
    _title,
    _tool_call,
    add_usage,
    merge_content,
    merge_dicts,
    merge_lists,
    parse_partial_json,
)

__all__ = [
    "REMOVE_ALL_MESSAGES",
    "AIMessage",
    "AIMessageChunk",
    "AnyMessage",
    "BaseMessage",
    "BaseMessageChunk",
    "HumanMessage",
    "InvalidToolCall",
    "MessageLikeRepresentation",
    "RemoveMessage",
    "SystemMessage",
    "ToolCall",
    "ToolCallChunk",
    "ToolMessage",
    "convert_to_messages",
    "message_chunk_to_message",
    "report_chunk",
]

REMOVE_ALL_MESSAGES = "__remove_all__"
"""The id of a ``RemoveMessage`` that clears every message before it."""


class BaseMessage(BaseModel):
    """A chat message: ``content`` (text or content blocks), an optional ``id`` and ``name``."""

    model_config = ConfigDict(extra="allow")

    content: str | list[str | dict[Any, Any]]
    additional_kwargs: dict[Any, Any] = Field(default_factory=dict)
    response_metadata: dict[Any, Any] = Field(default_factory=dict)
    type: str
    name: str | None = None
    id: str | None = Field(default=None, coerce_numbers_to_str=True)

    def __init__(
        self,
        content: str | list[str | dict[Any, Any]] | None = None,
        content_blocks: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        if content_blocks is not None:
            content = content_blocks  # type: ignore[assignment]
        super().__init__(content=content, **kwargs)

    def __repr_args__(self) -> Any:
        # Like LangChain's: fields still at their plain default are left out of repr.
        fields = type(self).model_fields
        return [
            (k, v)
            for k, v in super().__repr_args__()
            if k not in fields or _differs_from_default(v, fields[k])
        ]

    @property
    def text(self) -> TextAccessor:
        """The text of the message, with non-text content blocks left out."""
        if isinstance(self.content, str):
            return TextAccessor(self.content)
        return TextAccessor(
            "".join(
                b if isinstance(b, str) else b["text"]
                for b in self.content
                if isinstance(b, str)
                or (b.get("type") == "text" and isinstance(b.get("text"), str))
            )
        )

    def pretty_repr(self, html: bool = False) -> str:
        """A title line naming the kind of message, then its name (if any) and content."""
        title = _title(self.type.title() + " Message", bold=html)
        if self.name is not None:
            title += f"\nName: {self.name}"
        return f"{title}\n\n{self.content}"

    def pretty_print(self) -> None:
        """Print ``pretty_repr()`` (with a bold title in an interactive session)."""
        print(self.pretty_repr(html=hasattr(sys, "ps2")))


class BaseMessageChunk(BaseMessage):
    """A piece of a message while it streams."""


class HumanMessage(BaseMessage):
    """A message from the user."""

    type: Literal["human"] = "human"


class SystemMessage(BaseMessage):
    """Instructions for the model."""

    type: Literal["system"] = "system"


class AIMessage(BaseMessage):
    """A message from the model, possibly asking for tool calls."""

    tool_calls: list[ToolCall] = Field(default_factory=list)
    invalid_tool_calls: list[InvalidToolCall] = Field(default_factory=list)
    usage_metadata: dict[str, Any] | None = None
    type: Literal["ai"] = "ai"

    @model_validator(mode="before")
    @classmethod
    def _normalise_tool_calls(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        values = dict(values)
        raw = (values.get("additional_kwargs") or {}).get("tool_calls")
        given = any(values.get(k) for k in ("tool_calls", "invalid_tool_calls", "tool_call_chunks"))
        if raw and not given:  # only the provider's raw calls: read them (best effort)
            try:
                if issubclass(cls, AIMessageChunk):
                    values["tool_call_chunks"] = [_chunk_from_openai(c) for c in raw]
                else:
                    values["tool_calls"], values["invalid_tool_calls"] = _calls_from_openai(raw)
            except Exception:
                pass
        if values.get("tool_calls"):
            values["tool_calls"] = [_tool_call(c) for c in values["tool_calls"]]
        if values.get("invalid_tool_calls"):
            values["invalid_tool_calls"] = [
                _invalid_call(c.get("name"), c.get("args"), c.get("id"), c.get("error"))
                for c in values["invalid_tool_calls"]
            ]
        if values.get("tool_call_chunks"):
            values["tool_call_chunks"] = [
                _call_chunk(c.get("name"), c.get("args"), c.get("id"), c.get("index"))
                for c in values["tool_call_chunks"]
            ]
        return values

    def pretty_repr(self, html: bool = False) -> str:
        """As for any message, then the tool calls: name, id and each argument."""
        lines: list[str] = []
        for heading, calls in (
            ("Tool Calls:", self.tool_calls),
            ("Invalid Tool Calls:", self.invalid_tool_calls),
        ):
            if calls:
                lines.append(heading)
                for call in calls:
                    lines.extend(_call_lines(call))
        base = super().pretty_repr(html=html)
        return (base.strip() + "\n" + "\n".join(lines)).strip()


class AIMessageChunk(AIMessage, BaseMessageChunk):
    """A piece of a model's message while it streams; chunks add up with ``+``.

    ``tool_call_chunks`` carry the tool calls as they arrive (arguments as partial JSON);
    ``tool_calls`` and ``invalid_tool_calls`` are read from them.
    """

    type: Literal["AIMessageChunk"] = "AIMessageChunk"  # type: ignore[assignment]
    tool_call_chunks: list[ToolCallChunk] = Field(default_factory=list)
    chunk_position: Literal["last"] | None = None

    @model_validator(mode="after")
    def _read_tool_call_chunks(self) -> AIMessageChunk:
        if not self.tool_call_chunks:
            # A chunk made with whole tool calls streams them as one piece each.
            self.tool_call_chunks = [
                _call_chunk(c["name"], json.dumps(c["args"]), c["id"], None)
                for c in self.tool_calls
            ] + [_call_chunk(c["name"], c["args"], c["id"], None) for c in self.invalid_tool_calls]
            return self
        calls: list[Any] = []
        invalid: list[Any] = []
        for piece in self.tool_call_chunks:
            try:
                args = parse_partial_json(piece["args"]) if piece["args"] else {}
            except Exception:
                args = None
            if isinstance(args, dict):
                calls.append(_make_call(piece["name"] or "", args, piece["id"]))
            else:
                invalid.append(_invalid_call(piece["name"], piece["args"], piece["id"], None))
        self.tool_calls = calls
        self.invalid_tool_calls = invalid
        return self

    def __add__(self, other: Any) -> AIMessageChunk:
        if isinstance(other, AIMessageChunk):
            return _add_chunks(self, [other])
        if isinstance(other, (list, tuple)) and all(isinstance(o, AIMessageChunk) for o in other):
            return _add_chunks(self, list(other))
        raise TypeError(
            f'unsupported operand type(s) for +: "{type(self).__name__}" and '
            f'"{type(other).__name__}"'
        )


def _add_chunks(left: AIMessageChunk, others: list[AIMessageChunk]) -> AIMessageChunk:
    """The chunks of one streamed message added up, LangChain's way."""
    pieces = merge_lists(left.tool_call_chunks, *(o.tool_call_chunks for o in others)) or []
    usage = left.usage_metadata
    if usage or any(o.usage_metadata is not None for o in others):
        for o in others:
            usage = add_usage(usage, o.usage_metadata)
    else:
        usage = None
    return left.__class__(
        content=merge_content(left.content, *(o.content for o in others)),
        additional_kwargs=merge_dicts(
            left.additional_kwargs, *(o.additional_kwargs for o in others)
        ),
        tool_call_chunks=[
            _call_chunk(p.get("name"), p.get("args"), p.get("id"), p.get("index")) for p in pieces
        ],
        response_metadata=merge_dicts(
            left.response_metadata, *(o.response_metadata for o in others)
        ),
        usage_metadata=usage,
        id=_streamed_id([left.id, *(o.id for o in others)]),
        chunk_position="last" if any(c.chunk_position == "last" for c in [left, *others]) else None,
    )


class ToolMessage(BaseMessage):
    """The result of one tool call, answering the call with id ``tool_call_id``."""

    additional_kwargs: dict[Any, Any] = Field(default_factory=dict, repr=False)
    response_metadata: dict[Any, Any] = Field(default_factory=dict, repr=False)
    tool_call_id: str
    type: Literal["tool"] = "tool"
    artifact: Any = None
    status: Literal["success", "error"] = "success"

    @model_validator(mode="before")
    @classmethod
    def _coerce_content(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        values = dict(values)
        content = values.get("content")
        if isinstance(content, tuple):
            content = list(content)
        if isinstance(content, list):
            values["content"] = [b if isinstance(b, (str, dict)) else str(b) for b in content]
        elif content is not None and not isinstance(content, str):
            values["content"] = str(content)
        call_id = values.get("tool_call_id")
        if isinstance(call_id, (uuid.UUID, int, float)):
            values["tool_call_id"] = str(call_id)
        return values


class RemoveMessage(BaseMessage):
    """Put in a messages update to delete the message with this ``id`` (or all of them)."""

    type: Literal["remove"] = "remove"

    def __init__(self, id: str, **kwargs: Any) -> None:
        if kwargs.pop("content", None):
            raise ValueError("RemoveMessage does not support 'content' field.")
        super().__init__("", id=id, **kwargs)


def _keep_langchain(value: Any, handler: Any) -> Any:
    # a LangChain message in a pydantic state is kept as it is (see interop.family)
    return value if _foreign(value) else handler(value)


AnyMessage = Annotated[
    HumanMessage | AIMessage | AIMessageChunk | SystemMessage | ToolMessage | RemoveMessage,
    WrapValidator(_keep_langchain),
]
"""Any of our messages; in a pydantic state, a LangChain message is accepted as it is too."""

MessageLikeRepresentation = BaseMessage | list[str] | tuple[str, Any] | str | dict[str, Any]
"""What ``convert_to_messages`` takes for one message."""


def message_chunk_to_message(chunk: BaseMessage) -> BaseMessage:
    """The whole message a finished chunk stands for (other messages are returned as is)."""
    if not isinstance(chunk, AIMessageChunk):
        return chunk
    data = {
        k: v
        for k, v in chunk.__dict__.items()
        if k not in ("type", "tool_call_chunks", "chunk_position")
    }
    return AIMessage(**data, **(chunk.__pydantic_extra__ or {}))


# -- coercion -------------------------------------------------------------------------------------

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

_EXAMPLE = "{'role': 'user', 'content': 'hi'}"


def _message_of_role(
    role: Any,
    content: Any,
    name: str | None = None,
    tool_call_id: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    id: str | None = None,
    **extra: Any,
) -> BaseMessage:
    """A message from a dict's fields; keys that are no field go to ``additional_kwargs``."""
    kwargs: dict[str, Any] = {}
    if name is not None:
        kwargs["name"] = name
    if tool_call_id is not None:
        kwargs["tool_call_id"] = tool_call_id
    if extra:
        if metadata := extra.pop("response_metadata", None):
            kwargs["response_metadata"] = metadata
        extra.update(extra.pop("additional_kwargs", {}))
        kwargs["additional_kwargs"] = extra
    if id is not None:
        kwargs["id"] = id
    if tool_calls is not None:
        kwargs["tool_calls"] = [_tool_call(c) if "function" in c else c for c in tool_calls]
    cls = _ROLES.get(role) if isinstance(role, str) else None
    if cls is None:
        raise ValueError(
            f"Unexpected message type: '{role}'. Use one of 'human', 'user', 'ai', 'assistant', "
            "'tool', 'system', or 'developer' (or 'remove'), e.g. " + _EXAMPLE + "."
        )
    extras = kwargs.get("additional_kwargs", {})
    if cls is HumanMessage or cls is AIMessage:
        if example := extras.pop("example", False):
            kwargs["example"] = example
    elif role == "developer":
        kwargs["additional_kwargs"] = {**extras, "__openai_role__": "developer"}
    elif cls is ToolMessage:
        kwargs["artifact"] = extras.pop("artifact", None)
        if (status := extras.pop("status", None)) is not None:
            kwargs["status"] = status
    elif cls is RemoveMessage:
        return RemoveMessage(**kwargs)
    return cls(content=content, **kwargs)


def _from_dict(data: dict[str, Any]) -> BaseMessage:
    if (
        data.get("lc") == 1
        and data.get("type") == "constructor"
        and isinstance(data.get("id"), list)
        and data["id"]
        and isinstance(data.get("kwargs"), dict)
        and data["id"][-1] in _SERIALISED_NAMES
    ):
        return _from_dict({"type": _SERIALISED_NAMES[data["id"][-1]], **data["kwargs"]})
    fields = dict(data)
    role = fields.pop("role") if "role" in fields else fields.pop("type", None)
    if role is None or "content" not in fields:
        raise ValueError(
            f"Message dict must contain 'role' and 'content' keys, got {data}. Write it as "
            + _EXAMPLE
            + "."
        )
    content = fields.pop("content") or ""
    return _message_of_role(role, content, **fields)


def _to_message(m: Any) -> BaseMessage:
    if isinstance(m, BaseMessage):
        return m
    if isinstance(m, str):
        return HumanMessage(content=m)
    if isinstance(m, dict):
        return _from_dict(m)
    if _foreign(m):
        from langgraph_lite.interop.langchain import from_langchain

        return from_langchain(m)
    if isinstance(m, Sequence):
        if len(m) != 2:
            raise MessageCoercionError(
                f"Message as a sequence must be (role string, template), got {m!r}. Write "
                "it as ('user', 'hi')."
            )
        return _message_of_role(m[0], m[1])
    raise MessageCoercionError(
        f"Unsupported message type: {type(m)}. Give a message object, a dict like "
        + _EXAMPLE
        + ", a ('user', 'hi') tuple or a string."
    )


def convert_to_messages(messages: Any) -> list[BaseMessage]:
    """Coerce messages given as objects, dicts, ``(role, content)`` tuples or strings.

    A dict takes ``role`` (or ``type``) and ``content``; its other keys that are not fields
    of the message (``name``, ``id``, ``tool_calls``, ``tool_call_id``) go to
    ``additional_kwargs``, as in LangChain. One message given alone is taken as a list of one.
    LangChain's messages are converted to ours when langchain-core is loaded.
    """
    use_langchain_if_loaded()
    if isinstance(messages, (BaseMessage, dict, str, tuple)) or _foreign(messages):
        messages = [messages]
    return [_to_message(m) for m in messages]


# LangChain's messages are taken as they are (converted to ours) when langchain-core is loaded;
# the check never imports it. See langgraph_lite.interop.langchain.
_langchain_pending = True


def _foreign(value: Any) -> bool:
    base = getattr(sys.modules.get("langchain_core.messages.base"), "BaseMessage", None)
    return base is not None and isinstance(value, base)


def use_langchain_if_loaded() -> None:
    """If the program loaded langchain-core: accept its messages, stream its models' tokens and
    its tools' calls (once; nothing happens when LangChain is not loaded)."""
    if _langchain_pending and "langchain_core" in sys.modules:
        _use_langchain()


def _use_langchain() -> None:
    global _langchain_pending
    _langchain_pending = False
    from langgraph_lite.models.langchain import install

    install()
