"""Routing around ``ToolNode``: whether the model asked for tools, and what answered it.

``tools_condition`` is the conditional edge of a ReAct loop; ``tool_messages_after_last_ai``
finds the model's last message and the tool answers after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pydantic

from langgraph_lite.interop import family
from langgraph_lite.messages import AnyMessage, BaseMessage, convert_to_messages

__all__ = ["last_ai_message", "messages_of", "tool_messages_after_last_ai", "tools_condition"]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def tools_condition(
    state: list[AnyMessage] | dict[str, Any] | pydantic.BaseModel,
    messages_key: str = "messages",
) -> Literal["tools", "__end__"]:
    """Route to ``"tools"`` when the last message asks for tool calls, else to ``END``.

    ``state`` is the graph state (a dict, or an object with a ``messages`` attribute) or a list
    of messages. Use it as the conditional edge after the node that calls the model:
    ``builder.add_conditional_edges("agent", tools_condition)``.
    """
    if isinstance(state, list):
        messages = state
    elif isinstance(state, dict):
        messages = state.get(messages_key) or []
    else:
        messages = getattr(state, messages_key, None) or []
    if not messages:
        raise ValueError(
            f"tools_condition found no messages in the state ({_short(state)}). It routes on "
            f"the last message under {messages_key!r}; use it after a node that adds one."
        )
    last = messages[-1]
    calls = last.get("tool_calls") if isinstance(last, dict) else getattr(last, "tool_calls", None)
    return "tools" if calls else "__end__"


def tool_messages_after_last_ai(messages: Sequence[BaseMessage]) -> tuple[Any, list[Any]]:
    """The last ``AIMessage`` and the ``ToolMessage``s that follow it (helper for routing)."""
    trailing: list[Any] = []
    for m in reversed(messages):
        if family.is_tool_message(m):
            trailing.append(m)
            continue
        return (m if family.is_message(m) and m.type == "ai" else None), trailing[::-1]
    return None, trailing[::-1]


def last_ai_message(messages: Sequence[Any]) -> Any:
    """The last AI message (ours or LangChain's, as it is; a dict made one of ours), or None."""
    for m in reversed(messages):
        if not family.is_message(m):
            m = convert_to_messages([m])[0]
        if m.type in ("ai", "AIMessageChunk"):
            return m
    return None


def messages_of(state: Any, key: str) -> Any:
    """``state[key]`` of a dict state, the attribute of any other (None when missing)."""
    return state.get(key) if isinstance(state, dict) else getattr(state, key, None)
