"""Which ``RunControl`` a run answers to, and what a drain leaves.

Every run has one (``Runtime.control`` is never None inside a node, as in LangGraph): the one
given as ``invoke(..., control=...)``, else its parent run's (a subgraph drains with the graph
that runs it), else a fresh one that only the run's own nodes can reach. The loop checks it
once per superstep, after the step's ``interrupt_before`` check (a resumed run passes those
breakpoints, so a drain in front of one stops there instead), and stops before the step's
tasks run: the previous step's checkpoint is the one a later ``invoke(None, config)``
resumes from. The check is one attribute read, so a run nobody drains pays nothing else.
"""

from __future__ import annotations

from typing import Any

from langgraph_lite.runtime import RunControl

__all__ = ["run_control"]


def run_control(given: Any, parent: Any) -> RunControl:
    """The control of a run started with ``control=given`` inside ``parent`` (a task or None)."""
    if given is not None:
        if not isinstance(given, RunControl):
            raise TypeError(
                f"control must be a RunControl, got {type(given).__name__} ({given!r}). "
                "Create one per run: control = RunControl(); graph.invoke(inputs, "
                "control=control); call control.request_drain() to stop it."
            )
        return given
    inherited = getattr(getattr(parent, "run", None), "control", None)
    return inherited if isinstance(inherited, RunControl) else RunControl()
