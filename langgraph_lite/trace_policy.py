"""``TracePolicy``: what a node's own run records for LangChain callbacks (tracers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["TracePolicy", "omit_payload"]


@dataclass(frozen=True)
class TracePolicy:
    """How a node's run is recorded by the callbacks of a run (``add_node(trace_policy=...)``).

    Each processor gets the node's real input (or output) and returns what the node's run
    reports to ``on_chain_start`` (or ``on_chain_end``) instead. Only that run is affected:
    the value the node gets and returns, the graph's own run, what the node calls, and the
    streams (``stream``, ``astream_events``' node events aside) keep the real values. A
    processor that raises is ignored (the real value is recorded). It is no way to keep
    secrets out of every run; use your tracer's own redaction for that.
    """

    process_inputs: Callable[[Any], Any] | None = None
    """Turns the node's input into what its run records (None: the input itself)."""

    process_outputs: Callable[[Any], Any] | None = None
    """Turns the node's output into what its run records (None: the output itself)."""


def omit_payload(_value: Any) -> dict[str, Any]:
    """A ``TracePolicy`` processor that records ``{}``: the run and its timing stay, the
    payload goes."""
    return {}
