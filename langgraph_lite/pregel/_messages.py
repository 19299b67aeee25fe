"""Where LangGraph keeps its messages callback handlers (``langgraph.pregel._messages``).

Ours for v3 runs lives in ``langgraph_lite.interop.langchain_events``; this module gives it
LangGraph's name. Importing it imports ``langchain_core``.
"""

from __future__ import annotations

from langgraph_lite.interop.langchain_events import StreamMessagesHandlerV2

__all__ = ["StreamMessagesHandlerV2"]
