"""LangGraph's private path of ``ToolCallTransformer``; ours is ``prebuilt.tool_call_stream``."""

from langgraph_lite.prebuilt.tool_call_stream import ToolCallTransformer

__all__ = ["ToolCallTransformer"]
