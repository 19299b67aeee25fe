"""Graph lifecycle events for a run with callbacks: ``on_resume`` / ``on_interrupt``.

``langgraph_lite.pregel.callback_runs`` asks ``lifecycle`` which events are due (as a run's
first task starts, and as it ends) and sends each through the graph handlers' manager
(``langgraph_lite.callbacks``). Imported only by runs with callbacks.
"""

from __future__ import annotations

from typing import Any

__all__ = ["lifecycle"]


def lifecycle(loop: Any, rm: Any, ended: bool, is_async: bool = False) -> list[Any]:
    """The graph lifecycle events (``langgraph_lite.callbacks``) due now, with the manager to
    send each through: a resume when the run continued a saved one (once: as its first task
    starts, or at its end if none ran); an interrupt when it ``ended`` by stopping for a human
    (a subgraph's stop reaches its parent instead)."""
    from langgraph_lite.callbacks import (
        GraphInterruptEvent,
        GraphResumeEvent,
        get_async_graph_callback_manager_for_config,
        get_sync_graph_callback_manager_for_config,
    )

    get = get_async_graph_callback_manager_for_config if is_async else None
    manager = (get or get_sync_graph_callback_manager_for_config)(
        {"callbacks": rm.handlers}, rm.run_id
    )
    if not manager.handlers:
        return []
    ns = tuple(loop.checkpoint_ns.split("|")) if loop.checkpoint_ns else ()
    persistence = loop.persistence
    out: list[Any] = []
    saved = getattr(persistence, "saved", None)
    told, loop._lc_resume_told = getattr(loop, "_lc_resume_told", False), True
    if loop.resuming and saved is not None and not told:
        resumed = GraphResumeEvent(rm.run_id, "pending", saved.checkpoint["id"], ns)
        out.append((manager, ("on_resume", resumed)))
    interrupts = loop.interrupts
    if ended and interrupts.interrupted and loop.parent_task is None:
        status: Any = "pending" if interrupts.found else _static_status(loop)
        found = tuple(interrupts.found)
        event = GraphInterruptEvent(rm.run_id, status, str(persistence.run_id), ns, found)
        out.append((manager, ("on_interrupt", event)))
    return out


def _static_status(loop: Any) -> str:
    before = loop.interrupts.before
    if before and (not loop.interrupts.after or "*" in before):
        return "interrupt_before"
    if before:
        try:
            if any(t.name in before for t in loop.peek()):
                return "interrupt_before"
        except Exception:
            pass
    return "interrupt_after"
