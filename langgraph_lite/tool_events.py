"""Tool calls in ``stream_mode="tools"``: each call's start, streamed output, end or failure.

A run streamed with ``"tools"`` reports every tool call made inside one of its nodes, as
LangGraph does, with the same payloads::

    {"event": "tool-started", "tool_call_id": "tc1", "tool_name": "echo", "input": {...}}
    {"event": "tool-output-delta", "tool_call_id": "tc1", "delta": ...}   # ToolRuntime.emit_output_delta
    {"event": "tool-finished", "tool_call_id": "tc1", "output": ToolMessage(...)}
    {"event": "tool-error", "tool_call_id": "tc1", "message": "nope"}

Who reports: ``ToolNode`` for the calls it runs, ``Tool.invoke`` / ``ainvoke`` for our tools
called anywhere else in a node, and LangChain's callbacks for LangChain tools. A call is
reported to the graph run of the node it runs in (under that graph's namespace), and only when
that run streams ``"tools"``; elsewhere ``ToolCallReport.start`` returns None and costs one
context-variable read. A tool stopped by ``interrupt()`` reports no error: it runs again on
resume and reports its start and end then.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

from langgraph_lite.config import current_task
from langgraph_lite.errors import GraphDrained, GraphInterrupt

__all__ = ["ToolCallReport", "emit_output_delta"]

_NOSTREAM = "nostream"

# The running tool call's delta writer: set while a reported call runs, so that
# ``ToolRuntime.emit_output_delta`` needs no handle on the run. Each thread pool job and each
# async task gets its own copy of the context, so parallel calls do not see each other's.
_call_writer: ContextVar[Any] = ContextVar("langgraph_lite_tool_call_writer", default=None)


class ToolCallReport:
    """The stream events of one tool call (see the module docstring)."""

    __slots__ = ("_done", "_emit", "_token", "call_id")

    def __init__(self, emit: Any, call_id: str) -> None:
        self._emit = emit
        self.call_id = call_id
        self._done = False
        self._token: Token[Any] = _call_writer.set(self.delta)

    @classmethod
    def start(cls, name: str, call_id: str | None, input: Any) -> ToolCallReport | None:
        """Report that tool ``name`` starts on ``input``; None when no stream takes it.

        ``call_id`` is the id of the model's tool call (a fresh id when the tool is called
        with bare arguments, as LangChain names such a call after its run)."""
        task = current_task.get()
        if task is None:
            return None
        out: Any = getattr(task.run, "out", None)  # the run's Output (a node run alone has none)
        if (
            out is None
            or not getattr(out, "tools", False)
            or _NOSTREAM in (task.config.get("tags") or ())
        ):
            return None
        if not call_id:
            import uuid

            call_id = str(uuid.uuid4())
        payload: dict[str, Any] = {"event": "tool-started", "tool_call_id": call_id}
        payload["tool_name"] = name
        if input is not None:
            payload["input"] = input
        report = cls(lambda p: out.tool_event(task, p), call_id)
        report._emit(payload)
        return report

    def delta(self, delta: Any) -> None:
        """A piece of the call's output, streamed before it ends."""
        self._emit({"event": "tool-output-delta", "tool_call_id": self.call_id, "delta": delta})

    def finished(self, output: Any) -> None:
        """The call returned ``output`` (what its caller gets: a ``ToolMessage`` for a tool call)."""
        if self._end():
            self._emit({"event": "tool-finished", "tool_call_id": self.call_id, "output": output})

    def failed(self, error: BaseException) -> None:
        """The call raised ``error`` (an interrupt or a drain is a pause, not a failure: nothing
        is said; the call runs again when the run resumes)."""
        if self._end() and not isinstance(error, (GraphInterrupt, GraphDrained)):
            self._emit({"event": "tool-error", "tool_call_id": self.call_id, "message": str(error)})

    def _end(self) -> bool:
        if self._done:
            return False
        self._done = True
        try:
            _call_writer.reset(self._token)
        except ValueError:  # ended in another context than it started: that copy dies with it
            pass
        return True


def emit_output_delta(delta: Any) -> None:
    """Stream ``delta`` as a piece of the running tool call's output (``tool-output-delta``).

    Does nothing outside a tool call, or when the run does not stream ``"tools"``, so a tool
    may call it unconditionally."""
    writer = _call_writer.get()
    if writer is not None:
        writer(delta)
