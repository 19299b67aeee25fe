"""LangChain's messages and tools, accepted as they are (when ``langchain-core`` is installed).

Nothing here imports ``langchain_core`` unless the program already did: the checks look in
``sys.modules`` for LangChain's base classes, so a program that never imports LangChain never
loads it, and ``import langgraph_lite`` stays as fast as before.

What crosses the border, and how (which family a history keeps is decided in one place,
``langgraph_lite.interop.family``: ``add_messages``, ``ToolNode`` and ``create_react_agent``
keep LangChain's messages as they are):

    LangChain message  ->  ours        ``from_langchain``, only where our own code must read
                                       one (``convert_to_messages``: our OpenAI-compatible
                                       model, ``ScriptedChatModel``): ids, tool calls,
                                       ``additional_kwargs``, ``response_metadata`` and usage kept
    ours  ->  LangChain message        ``to_langchain``; also taught to LangChain's own message
                                       coercion (``accept_ours_in_langchain``), so a LangChain
                                       chat model called in a node with our messages gets
                                       LangChain messages
    dict/tuple/str  ->  LangChain's    ``to_langchain_values`` (LangChain's own coercion), for
                                       a history that holds LangChain messages
    LangChain tool  ->  a ``Tool``     ``LangChainTool`` (in ``interop.langchain_tools``):
                                       ``ToolNode`` validates the model's arguments against the
                                       tool's schema and runs the tool through its own
                                       ``invoke``/``ainvoke``
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from langgraph_lite.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)

__all__ = [
    "accept_ours_in_langchain",
    "from_langchain",
    "is_langchain_message",
    "is_langchain_runnable",
    "is_langchain_tool",
    "langchain_whole",
    "to_langchain",
    "to_langchain_messages",
    "to_langchain_values",
]


# -- recognising LangChain objects without importing LangChain ------------------------------------


def _base(module: str, name: str) -> Any:
    mod = sys.modules.get(module)
    return getattr(mod, name, None) if mod is not None else None


def is_langchain_message(obj: Any) -> bool:
    """Whether ``obj`` is a ``langchain_core`` message (False when LangChain is not loaded)."""
    base = _base("langchain_core.messages.base", "BaseMessage")
    return base is not None and isinstance(obj, base)


def is_langchain_tool(obj: Any) -> bool:
    """Whether ``obj`` is a LangChain tool (``@tool``, ``StructuredTool``, any ``BaseTool``)."""
    base = _base("langchain_core.tools.base", "BaseTool")
    return base is not None and isinstance(obj, base)


def is_langchain_runnable(obj: Any) -> bool:
    """Whether ``obj`` is a LangChain ``Runnable`` (a chat model, a binding, a chain)."""
    base = _base("langchain_core.runnables.base", "Runnable")
    return base is not None and isinstance(obj, base)


# -- messages -------------------------------------------------------------------------------------

_COMMON = ("content", "additional_kwargs", "response_metadata", "name", "id")
_ROLE_OF_CHAT = {"user": HumanMessage, "human": HumanMessage, "system": SystemMessage}


def from_langchain(message: Any) -> BaseMessage:
    """Our message for a LangChain one: same type, content, id, name, tool calls and metadata."""
    kind = message.type
    data: dict[str, Any] = {k: getattr(message, k, None) for k in _COMMON}
    data["additional_kwargs"] = dict(data["additional_kwargs"] or {})
    data["response_metadata"] = dict(data["response_metadata"] or {})
    if kind in ("ai", "AIMessageChunk"):
        data["tool_calls"] = [dict(c) for c in message.tool_calls]
        data["invalid_tool_calls"] = [dict(c) for c in message.invalid_tool_calls]
        usage = message.usage_metadata
        data["usage_metadata"] = dict(usage) if usage else None
        if kind == "AIMessageChunk":
            data["tool_call_chunks"] = [dict(c) for c in message.tool_call_chunks]
            return AIMessageChunk(**data)
        return AIMessage(**data)
    if kind == "human":
        return HumanMessage(**data)
    if kind == "system":
        return SystemMessage(**data)
    if kind == "tool":
        return ToolMessage(
            **data,
            tool_call_id=message.tool_call_id,
            status=message.status,
            artifact=message.artifact,
        )
    if kind == "remove":
        return RemoveMessage(id=message.id)
    if kind == "chat" and message.role in _ROLE_OF_CHAT:
        return _ROLE_OF_CHAT[message.role](**data)
    if kind == "chat" and message.role in ("ai", "assistant"):
        return AIMessage(**data)
    raise TypeError(
        f"cannot take LangChain's {type(message).__name__} (type {kind!r}) into the graph: "
        "langgraph_lite keeps human, ai, system, tool and remove messages. Convert it to one "
        "of those, e.g. HumanMessage(content=...)."
    )


def to_langchain(message: BaseMessage) -> Any:
    """The LangChain message for one of ours (LangChain must be installed)."""
    from langchain_core import messages as lc

    if isinstance(message, RemoveMessage):
        return lc.RemoveMessage(id=str(message.id))
    classes: dict[str, Any] = {
        "human": lc.HumanMessage,
        "ai": lc.AIMessage,
        "AIMessageChunk": lc.AIMessageChunk,
        "system": lc.SystemMessage,
        "tool": lc.ToolMessage,
    }
    cls = classes.get(message.type)
    if cls is None:
        raise TypeError(f"no LangChain message type for {type(message).__name__} {message!r}.")
    data = message.model_dump(exclude={"type"})
    if message.type == "ai":
        data.pop("tool_call_chunks", None)
    return cls(**data)


def to_langchain_messages(messages: Any) -> list[Any]:
    """LangChain messages for a list of ours (LangChain ones pass through as they are)."""
    return [m if is_langchain_message(m) else to_langchain(m) for m in messages]


def to_langchain_values(values: list[Any]) -> list[Any]:
    """Message objects for ``values``: messages (ours or LangChain's) kept as they are, dicts,
    ``(role, content)`` tuples and strings made LangChain messages by LangChain's coercion."""
    from langchain_core.messages import convert_to_messages as lc_convert

    out: list[Any] = []
    for m in values:
        if isinstance(m, BaseMessage) or is_langchain_message(m):
            out.append(m)
        else:
            out.extend(lc_convert([m]))
    return out


def langchain_whole(message: Any) -> Any:
    """The whole LangChain message a LangChain chunk stands for (anything else as it is)."""
    chunk = _base("langchain_core.messages.base", "BaseMessageChunk")
    if chunk is None or not isinstance(message, chunk):
        from langgraph_lite.messages import message_chunk_to_message

        return message_chunk_to_message(message)
    from langchain_core.messages import message_chunk_to_message as lc_whole

    return lc_whole(message)


_patch_lock = threading.Lock()


def accept_ours_in_langchain() -> None:
    """Teach LangChain's message coercion our messages, once per process.

    A LangGraph program calls its LangChain chat model inside a node with
    ``state["messages"]``; here those are our messages, which LangChain would refuse
    (``NotImplementedError: Unsupported message type``). LangChain turns every input of a chat
    model (and of prompts, ``trim_messages``, ...) into messages through one function; we wrap
    it so that our messages become LangChain's first. Nothing else changes: every input it
    accepted before gives the same result.
    """
    import langchain_core.messages.utils as lc_utils
    import langchain_core.prompts.chat as lc_chat

    with _patch_lock:
        # messages and chat models; and prompts (``SystemMessage("...") + state["messages"]``
        # builds a ChatPromptTemplate through the second one)
        _accept_ours(lc_utils, "_convert_to_message")
        _accept_ours(lc_chat, "_convert_to_message_template")


def _accept_ours(module: Any, name: str) -> None:
    original = getattr(module, name)
    if getattr(original, "_accepts_langgraph_lite", False):
        return

    def convert(message: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(message, BaseMessage):
            return to_langchain(message)
        return original(message, *args, **kwargs)

    convert._accepts_langgraph_lite = True  # type: ignore[attr-defined]
    convert.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(module, name, convert)


def let_commands_through_langchain_tools() -> None:
    """A ``Command`` (or ``ToolMessage``) a LangChain tool returns reaches ``ToolNode`` as it
    is, as in LangGraph.

    LangChain wraps what a tool returns in a ``ToolMessage`` (as text) unless it is a
    ``ToolOutputMixin``; LangGraph's ``Command`` is one. Ours cannot be, statically, without
    importing LangChain; so when a program uses LangChain, ``Command`` takes the mixin as a
    base (it has no fields or methods: it only marks the class).
    """
    from langchain_core.messages.tool import ToolOutputMixin
    from langchain_core.tools.base import _DirectlyInjectedToolArg

    from langgraph_lite.messages import ToolMessage
    from langgraph_lite.tool_injection import ToolRuntime
    from langgraph_lite.types import Command

    with _patch_lock:
        # our ToolMessage too (LangChain's is one): a tool returning it, or a list of commands
        # and messages, hands it to ToolNode as it is rather than as text
        for cls in (Command, ToolMessage):
            if not issubclass(cls, ToolOutputMixin):
                cls.__bases__ = _with_base(cls.__bases__, ToolOutputMixin)
        # and a LangChain tool's ToolRuntime parameter is hidden from the model, as LangGraph's
        if not issubclass(ToolRuntime, _DirectlyInjectedToolArg):
            ToolRuntime.__bases__ = _with_base(ToolRuntime.__bases__, _DirectlyInjectedToolArg)


def _with_base(bases: tuple[type, ...], extra: type) -> tuple[type, ...]:
    kept = tuple(b for b in bases if b is not object)
    return (*kept, extra)
