"""Prebuilt agents: ``create_react_agent``, ``ToolNode`` and ``tools_condition`` (and
``ToolCallTransformer``, the v3 run's ``run.tool_calls``).

Tools themselves (``@tool``, ``make_tool``, the injection markers) live in
``langgraph_lite.tools``; the markers are re-exported here, where LangGraph has them.
"""

from langgraph_lite.prebuilt.chat_agent import AgentState, create_react_agent
from langgraph_lite.prebuilt.tool_call_request import ToolCallRequest
from langgraph_lite.prebuilt.tool_call_stream import ToolCallTransformer
from langgraph_lite.prebuilt.tool_node import ToolInvocationError, ToolNode, tools_condition
from langgraph_lite.prebuilt.validation_node import ValidationNode
from langgraph_lite.tools import InjectedState, InjectedStore, InjectedToolCallId, ToolRuntime

__all__ = [
    "AgentState",
    "InjectedState",
    "InjectedStore",
    "InjectedToolCallId",
    "ToolCallRequest",
    "ToolCallTransformer",
    "ToolInvocationError",
    "ToolNode",
    "ToolRuntime",
    "ValidationNode",
    "create_react_agent",
    "tools_condition",
]
