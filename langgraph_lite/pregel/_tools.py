"""Where LangGraph keeps the running tool call's delta writer (``langgraph.pregel._tools``).

Ours lives in ``langgraph_lite.tool_events``; this module only gives it LangGraph's name, for
code written against LangGraph that checks it (``_tool_call_writer.get() is None`` outside a
tool call).
"""

from __future__ import annotations

from langgraph_lite.tool_events import _call_writer as _tool_call_writer

__all__ = ["_tool_call_writer"]
