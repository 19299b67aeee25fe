"""Routing around ``ToolNode``: whether the model asked for tools, and what answered it.

``tools_condition`` is the conditional edge of a ReAct loop; ``tool_messages_after_last_ai``
finds the model's last message and the tool answers after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pydantic

from langgraph_lite.messages import AIMessage, AnyMessage, BaseMessage, ToolMessage

__all__ = ["tool_messages_after_last_ai", "tools_condition"]


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
        if isinstance(m, ToolMessage):
            trailing.append(m)
            continue
        return (m if isinstance(m, AIMessage) else None), trailing[::-1]
    return None, trailing[::-1]
