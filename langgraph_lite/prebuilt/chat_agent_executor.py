"""Where LangGraph users import the prebuilt agent from: ``langgraph.prebuilt.chat_agent_executor``.

>>> from langgraph_lite.prebuilt.chat_agent_executor import AgentState, create_react_agent
"""

from langgraph_lite.prebuilt.chat_agent import (
    NEED_MORE_STEPS,
    AgentState,
    AgentStateWithStructuredResponse,
    create_react_agent,
)

__all__ = [
    "NEED_MORE_STEPS",
    "AgentState",
    "AgentStateWithStructuredResponse",
    "create_react_agent",
]
