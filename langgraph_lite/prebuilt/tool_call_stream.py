"""``run.tool_calls``: one handle per tool call of a v3 run, from the ``tools`` stream mode.

Opt in with ``compile(transformers=[ToolCallTransformer])`` (or ``transformers=`` on
``stream_events``): the run then asks the graph for ``stream_mode="tools"`` (see
``langgraph_lite.tool_events``) and ``run.tool_calls`` yields a ``ToolCallStream`` at each
``tool-started``::

    for call in run.tool_calls:
        for piece in call:          # what the tool streamed (ToolRuntime.emit_output_delta)
            ...
        call.output, call.error     # its result (a ToolMessage's content), or the error text

Only the run's own level is kept; a subgraph's tool calls are on its handle
(``handle.tool_calls``). The raw ``tools`` events stay in the main log for wire consumers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from langgraph_lite.stream._types import ProtocolEvent, StreamTransformer
from langgraph_lite.stream.stream_channel import StreamChannel

__all__ = ["ToolCallStream", "ToolCallTransformer"]


def _tool_output(output: Any) -> Any:
    """What a consumer wants of a tool's result: a tool message's content (ours, LangChain's,
    or LangChain's serialized form), anything else as it is."""
    if getattr(output, "type", None) == "tool" and hasattr(output, "content"):
        return output.content
    if (
        isinstance(output, dict)
        and output.get("type") == "constructor"
        and isinstance(output.get("id"), list)
        and output["id"][-1:] == ["ToolMessage"]
        and isinstance(output.get("kwargs"), dict)
    ):
        return output["kwargs"].get("content")
    return output


class ToolCallStream:
    """One tool call: its id, name and input at once; its streamed output as it comes; then
    ``output`` (it finished) or ``error`` (it raised), and ``completed``."""

    def __init__(
        self, tool_call_id: str, tool_name: str, input: dict[str, Any] | None = None
    ) -> None:
        """A call that just started (made by ``ToolCallTransformer``)."""
        self.tool_call_id = tool_call_id
        self.tool_name = tool_name
        self.input = input
        self._output_deltas: StreamChannel[Any] = StreamChannel()
        self.output: Any = None
        self.error: str | None = None
        self.completed = False

    @property
    def output_deltas(self) -> StreamChannel[Any]:
        """The pieces of output the tool streamed, in order; ends when the call does."""
        return self._output_deltas

    def _bind(self, *, is_async: bool) -> None:
        self._output_deltas._bind(is_async=is_async)

    def _push_delta(self, delta: Any) -> None:
        self._output_deltas.push(delta)

    def _finish(self, output: Any) -> None:
        self.output = output
        self.completed = True
        self._output_deltas.close()

    def _fail(self, message: str) -> None:
        self.error = message
        self.completed = True
        self._output_deltas.close()

    def __iter__(self) -> Iterator[Any]:
        """``iter(self.output_deltas)`` (a sync run's call)."""
        return iter(self._output_deltas)

    def __aiter__(self) -> AsyncIterator[Any]:
        """``aiter(self.output_deltas)`` (an async run's call)."""
        return self._output_deltas.__aiter__()

    def __repr__(self) -> str:
        status = (
            "running" if not self.completed else "failed" if self.error is not None else "completed"
        )
        return f"ToolCallStream(tool_call_id={self.tool_call_id!r}, tool_name={self.tool_name!r}, status={status})"


class ToolCallTransformer(StreamTransformer):
    """Builds ``run.tool_calls`` from the ``tools`` events of the run's own level."""

    _native = True
    required_stream_modes = ("tools",)

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        """Follow the tool calls of ``scope``'s level."""
        super().__init__(scope)
        self._log: StreamChannel[ToolCallStream] = StreamChannel()  # handles: not for the wire
        self._active: dict[str, ToolCallStream] = {}  # tool_call_id -> its call, until it ends
        self._is_async = False
        self._pump_fn: Callable[[], bool] | None = None
        self._apump_fn: Callable[[], Awaitable[bool]] | None = None

    def init(self) -> dict[str, Any]:
        """The ``tool_calls`` projection."""
        return {"tool_calls": self._log}

    def _bind_pump(self, fn: Callable[[], bool]) -> None:
        self._pump_fn = fn
        self._is_async = False

    def _bind_apump(self, fn: Callable[[], Awaitable[bool]]) -> None:
        self._apump_fn = fn
        self._is_async = True

    def _new_call(self, call_id: str, name: str, input: Any) -> ToolCallStream:
        call = ToolCallStream(call_id, name, input)
        call._bind(is_async=self._is_async)
        call._output_deltas._request_more = self._pump_fn
        call._output_deltas._arequest_more = self._apump_fn
        return call

    def process(self, event: ProtocolEvent) -> bool:
        """Start, feed or end the call a ``tools`` event of this level names; keep the event."""
        if event["method"] != "tools" or tuple(event["params"]["namespace"]) != self.scope:
            return True
        data = event["params"]["data"]
        call_id = data.get("tool_call_id") if isinstance(data, dict) else None
        if call_id is None:
            return True
        kind = data.get("event")
        if kind == "tool-started":
            started = self._new_call(call_id, data.get("tool_name", ""), data.get("input"))
            self._active[call_id] = started
            self._log.push(started)
            return True
        call: ToolCallStream | None
        if kind == "tool-output-delta":
            call = self._active.get(call_id)
            if call is not None:
                call._push_delta(data.get("delta"))
        elif kind in ("tool-finished", "tool-error"):
            call = self._active.pop(call_id, None)
            if call is not None and kind == "tool-finished":
                call._finish(_tool_output(data.get("output")))
            elif call is not None:
                call._fail(data.get("message", ""))
        return True

    def finalize(self) -> None:
        """The run ended: a call still open (interrupted, say) ends with no output."""
        for call in self._active.values():
            if not call.completed:
                call._finish(None)
        self._active.clear()

    def fail(self, err: BaseException) -> None:
        """The run failed: a call still open fails with the run's error text."""
        for call in self._active.values():
            if not call.completed:
                call._fail(str(err))
        self._active.clear()
