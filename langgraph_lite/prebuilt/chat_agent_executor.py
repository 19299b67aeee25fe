"""Where LangGraph users import the prebuilt agent from: ``langgraph.prebuilt.chat_agent_executor``.

>>> from langgraph_lite.prebuilt.chat_agent_executor import AgentState, create_react_agent
"""

from langgraph_lite.prebuilt.chat_agent import (
    NEED_MORE_STEPS,
    AgentState,
    AgentStatePydantic,
    AgentStateWithStructuredResponse,
    AgentStateWithStructuredResponsePydantic,
    create_react_agent,
)
from langgraph_lite.prebuilt.tool_node import ToolNode

__all__ = [
    "NEED_MORE_STEPS",
    "AgentState",
    "AgentStatePydantic",
    "AgentStateWithStructuredResponse",
    "AgentStateWithStructuredResponsePydantic",
    "ToolNode",
    "create_react_agent",
]
