"""LangGraph's private path of ``ToolCallStream``; ours is ``prebuilt.tool_call_stream``."""

from langgraph_lite.prebuilt.tool_call_stream import ToolCallStream

__all__ = ["ToolCallStream"]
