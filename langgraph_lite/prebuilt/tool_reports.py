"""``ToolNode``'s side of ``stream_mode="tools"``: the start, end or failure of each call it runs
(see ``langgraph_lite.tool_events``)."""

from __future__ import annotations

from typing import Any

from langgraph_lite.prebuilt.tool_errors import ToolInvocationError
from langgraph_lite.tool_events import ToolCallReport

__all__ = ["report_failed", "report_finished", "report_start"]


def report_start(tool: Any, call: dict[str, Any]) -> ToolCallReport | None:
    """Report the call's start on ``stream_mode="tools"`` (None: no stream takes it, or the tool
    is LangChain's, whose callbacks report its calls once it runs)."""
    if getattr(tool, "reports_own_calls", False):
        return None
    return ToolCallReport.start(tool.name, str(call.get("id") or ""), call.get("args", {}))


def report_failed(
    report: ToolCallReport | None, tool: Any, call: dict[str, Any], exc: BaseException
) -> None:
    """Report that the call raised ``exc`` (invalid arguments: as the tool's validation words
    them, and for a LangChain tool too, whose own run would have reported them)."""
    if isinstance(exc, ToolInvocationError):
        if report is None and getattr(tool, "reports_own_calls", False):
            report = ToolCallReport.start(
                tool.name, str(call.get("id") or ""), call.get("args", {})
            )
        exc = exc.source  # as the tool's own validation says it
    if report is not None:
        report.failed(exc)


def report_finished(report: ToolCallReport | None, answer: Any) -> Any:
    """Report that the call was answered with ``answer``; returns ``answer``."""
    if report is not None:
        report.finished(answer)
    return answer
