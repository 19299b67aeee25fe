"""Graph lifecycle callbacks: a LangChain callback handler told when a run pauses or resumes.

Pass a ``GraphCallbackHandler`` in ``config["callbacks"]`` (with any other LangChain
handlers, or inside a ``CallbackManager``): ``on_interrupt`` runs when a run stops for
interrupts (an ``interrupt()`` in a node, ``interrupt_before`` / ``interrupt_after``),
``on_resume`` when a run (or a subgraph's) continues from a saved checkpoint. Other handlers
are not told. A handler that raises is logged and ignored, unless it sets ``raise_error``.

Importing this module imports ``langchain_core``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager
from langchain_core.callbacks.manager import ahandle_event, handle_event

from langgraph_lite.types import Interrupt

__all__ = (
    "GraphCallbackHandler",
    "GraphInterruptEvent",
    "GraphLifecycleEvent",
    "GraphLifecycleStatus",
    "GraphResumeEvent",
    "get_async_graph_callback_manager_for_config",
    "get_sync_graph_callback_manager_for_config",
)

GraphLifecycleStatus: TypeAlias = Literal[
    "input", "pending", "done", "interrupt_before", "interrupt_after", "out_of_steps"
]
"""Where the run stood when the event was taken."""


@dataclass(frozen=True)
class GraphInterruptEvent:
    """A run stopped for interrupts."""

    run_id: UUID | None
    """The graph run's id (its ``on_chain_start`` run)."""
    status: GraphLifecycleStatus
    """``"pending"`` for an ``interrupt()`` in a node; ``"interrupt_before"`` / ``"after"``."""
    checkpoint_id: str
    """The checkpoint the run stopped at."""
    checkpoint_ns: tuple[str, ...]
    """The graph's namespace: ``()`` for the root graph, one part per enclosing subgraph."""
    interrupts: tuple[Interrupt, ...]
    """The questions the run stopped for (empty for ``interrupt_before`` / ``after``)."""


@dataclass(frozen=True)
class GraphResumeEvent:
    """A run (or a subgraph's) continued from a saved checkpoint."""

    run_id: UUID | None
    """The graph run's id (its ``on_chain_start`` run)."""
    status: GraphLifecycleStatus
    """Where the run stood when it resumed (``"pending"``)."""
    checkpoint_id: str
    """The checkpoint it resumed from."""
    checkpoint_ns: tuple[str, ...]
    """The graph's namespace: ``()`` for the root graph, one part per enclosing subgraph."""


GraphLifecycleEvent: TypeAlias = GraphInterruptEvent | GraphResumeEvent
"""Either lifecycle event."""


class GraphCallbackHandler(BaseCallbackHandler):
    """Subclass to hear of a run's interrupts and resumes; pass it in ``config["callbacks"]``.

    Either method may be ``async def`` (it is awaited in async runs, run to completion in sync
    ones).
    """

    def on_interrupt(self, event: GraphInterruptEvent) -> Any:
        """The run stopped for interrupts."""

    def on_resume(self, event: GraphResumeEvent) -> Any:
        """The run continued from a saved checkpoint."""


def _graph_handlers(handlers: Sequence[Any]) -> list[Any]:
    return [h for h in handlers if isinstance(h, GraphCallbackHandler)]


def _handlers_of(callbacks: Any) -> tuple[list[Any], list[Any]]:
    if callbacks is None:
        return [], []
    if isinstance(callbacks, BaseCallbackManager):
        return list(callbacks.handlers), list(callbacks.inheritable_handlers)
    if isinstance(callbacks, BaseCallbackHandler):
        return [callbacks], [callbacks]
    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Sequence):
        raise TypeError(
            f"config['callbacks'] must be a callback handler, a list of them or a callback "
            f"manager, got {type(callbacks).__name__}."
        )
    return list(callbacks), list(callbacks)


class _Managers(BaseCallbackManager):
    run_id: UUID | None = None

    def __init__(
        self,
        handlers: list[Any] | None = None,
        inheritable_handlers: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """As LangChain's manager; with no handlers yet (``add_handler`` adds them)."""
        super().__init__(handlers or [], inheritable_handlers, **kwargs)


class _GraphCallbackManager(_Managers):
    """The graph handlers of a run's callbacks, told of its lifecycle (sync runs)."""

    def on_interrupt(self, event: GraphInterruptEvent) -> None:
        """Tell every graph handler that the run stopped for interrupts."""
        handle_event(_graph_handlers(self.handlers), "on_interrupt", None, event)

    def on_resume(self, event: GraphResumeEvent) -> None:
        """Tell every graph handler that the run resumed."""
        handle_event(_graph_handlers(self.handlers), "on_resume", None, event)


class _AsyncGraphCallbackManager(_Managers):
    """``_GraphCallbackManager`` for async runs (async handlers are awaited)."""

    @property
    def is_async(self) -> bool:
        """Yes."""
        return True

    async def on_interrupt(self, event: GraphInterruptEvent) -> None:
        """Tell every graph handler that the run stopped for interrupts."""
        await ahandle_event(_graph_handlers(self.handlers), "on_interrupt", None, event)

    async def on_resume(self, event: GraphResumeEvent) -> None:
        """Tell every graph handler that the run resumed."""
        await ahandle_event(_graph_handlers(self.handlers), "on_resume", None, event)


def _for_config(cls: Any, config: Any, run_id: UUID | None) -> Any:
    handlers, inheritable = _handlers_of((config or {}).get("callbacks"))
    manager = cls(_graph_handlers(handlers), _graph_handlers(inheritable))
    manager.run_id = run_id
    return manager


def get_sync_graph_callback_manager_for_config(
    config: Any, run_id: UUID | None = None
) -> _GraphCallbackManager:
    """The graph handlers among ``config["callbacks"]``, as a manager for sync runs."""
    return _for_config(_GraphCallbackManager, config, run_id)


def get_async_graph_callback_manager_for_config(
    config: Any, run_id: UUID | None = None
) -> _AsyncGraphCallbackManager:
    """The graph handlers among ``config["callbacks"]``, as a manager for async runs."""
    return _for_config(_AsyncGraphCallbackManager, config, run_id)
