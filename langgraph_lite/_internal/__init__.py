"""Private names LangGraph programs and tests reach for (``langgraph._internal``); not our API."""
