"""Where LangGraph users import the prebuilt agent from: ``langgraph.prebuilt.chat_agent_executor``.

>>> from langgraph_lite.prebuilt.chat_agent_executor import AgentState, create_react_agent
"""

import pydantic

from langgraph_lite.prebuilt.chat_agent import (
    NEED_MORE_STEPS,
    AgentState,
    AgentStatePydantic,
    AgentStateWithStructuredResponse,
    AgentStateWithStructuredResponsePydantic,
    create_react_agent,
)
from langgraph_lite.prebuilt.tool_node import ToolNode

StructuredResponse = dict | pydantic.BaseModel
"""What ``response_format`` leaves in ``state["structured_response"]``: a dict or a model."""

__all__ = [
    "NEED_MORE_STEPS",
    "AgentState",
    "AgentStatePydantic",
    "AgentStateWithStructuredResponse",
    "AgentStateWithStructuredResponsePydantic",
    "StructuredResponse",
    "ToolNode",
    "create_react_agent",
]
