"""The run-scoped things a node may ask for by declaring a ``runtime`` parameter.

>>> from dataclasses import dataclass
>>> from langgraph_lite.runtime import Runtime
>>> @dataclass
... class Context:
...     user_id: str
>>> def node(state, runtime: Runtime[Context]):
...     return {"owner": runtime.context.user_id}

The context is given per call: ``graph.invoke(inputs, context=Context(user_id="u1"))``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from langgraph_lite.config import attempt_clock, current_task
from langgraph_lite.types import StreamWriter, _drop_writes

__all__ = [
    "DEFAULT_RUNTIME",
    "ExecutionInfo",
    "RunControl",
    "Runtime",
    "ServerInfo",
    "coerce_context",
    "get_runtime",
]

ContextT = TypeVar("ContextT")


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """Where the running node is: its checkpoint, namespace, task, thread, run and attempt."""

    checkpoint_id: str
    checkpoint_ns: str
    task_id: str
    thread_id: str | None = None  # None without a checkpointer
    run_id: str | None = None  # None unless the config names one
    node_attempt: int = 1  # 1 on the first attempt, 2 on the first retry…
    node_first_attempt_time: float | None = None  # Unix time of the first attempt

    def patch(self, **overrides: Any) -> ExecutionInfo:
        """A copy with the given fields replaced."""
        return replace(self, **overrides)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What a server running the graph says about the run: assistant, graph and user."""

    assistant_id: str
    graph_id: str
    user: Any = None


class RunControl:
    """Lets code outside a run ask it to stop taking new steps (``request_drain``).

    One per run: a drained control stays drained. Asking is a single attribute write, so any
    thread may do it.
    """

    __slots__ = ("_drain_reason",)

    def __init__(self) -> None:
        self._drain_reason: str | None = None

    def request_drain(self, reason: str = "shutdown") -> None:
        """Ask the run to finish its current step and stop."""
        self._drain_reason = reason

    @property
    def drain_requested(self) -> bool:
        """Whether ``request_drain`` was called."""
        return self._drain_reason is not None

    @property
    def drain_reason(self) -> str | None:
        """The reason given to ``request_drain``, if it was called."""
        return self._drain_reason


def _no_heartbeat() -> None:
    """Record progress of the running node for its ``TimeoutPolicy``: refresh its idle clock.

    If one of its limits has already passed, raise ``NodeTimeoutError`` instead (that is how
    a sync node, which cannot be cancelled, learns it should stop). Outside a timed attempt
    this does nothing.
    """
    clock = attempt_clock.get()
    if clock is not None:
        clock.beat()


@dataclass(frozen=True)
class Runtime(Generic[ContextT]):
    """The run's ``context`` (as passed to ``invoke(..., context=...)``), store and writer."""

    context: ContextT = None  # type: ignore[assignment]
    store: Any = None
    stream_writer: StreamWriter = field(default=_drop_writes)
    heartbeat: Any = field(default=_no_heartbeat)
    previous: Any = None
    execution_info: ExecutionInfo | None = None
    server_info: ServerInfo | None = None
    control: RunControl | None = None

    def merge(self, other: Runtime[ContextT]) -> Runtime[ContextT]:
        """This runtime with what ``other`` sets laid over it (unset fields keep ours)."""
        return Runtime(
            context=other.context or self.context,
            store=other.store or self.store,
            stream_writer=(
                other.stream_writer
                if other.stream_writer is not _drop_writes
                else self.stream_writer
            ),
            heartbeat=other.heartbeat if other.heartbeat is not _no_heartbeat else self.heartbeat,
            previous=self.previous if other.previous is None else other.previous,
            execution_info=other.execution_info or self.execution_info,
            server_info=other.server_info or self.server_info,
            control=other.control or self.control,
        )

    def override(self, **overrides: Any) -> Runtime[ContextT]:
        """A copy with the given fields replaced."""
        return replace(self, **overrides)

    def patch_execution_info(self, **overrides: Any) -> Runtime[ContextT]:
        """A copy whose ``execution_info`` has the given fields replaced."""
        if self.execution_info is None:
            raise RuntimeError(
                "Cannot patch execution_info before it has been set: this runtime has none "
                "(it is filled in while a node runs)."
            )
        return replace(self, execution_info=self.execution_info.patch(**overrides))

    @property
    def drain_requested(self) -> bool:
        """Whether the run's ``control`` was asked to drain."""
        return self.control.drain_requested if self.control is not None else False

    @property
    def drain_reason(self) -> str | None:
        """Why the run's ``control`` was asked to drain, if it was."""
        return self.control.drain_reason if self.control is not None else None


DEFAULT_RUNTIME: Runtime[Any] = Runtime()
"""The runtime of no run: no context, store, writer, execution info or control."""


def coerce_context(context_schema: Any, context: Any) -> Any:
    """``context`` as the graph's ``context_schema`` wants it: a dict given for a dataclass or
    pydantic schema is turned into an instance (which may raise ``TypeError`` or pydantic's
    ``ValidationError``, as it would in LangGraph); anything else is kept as given."""
    if context is None or context_schema is None or not isinstance(context, dict):
        return context
    is_class = dataclasses.is_dataclass(context_schema) or (
        isinstance(context_schema, type) and issubclass(context_schema, BaseModel)
    )
    make: Any = context_schema
    return make(**context) if is_class else context


def get_runtime(context_schema: Any = None) -> Runtime[Any]:
    """The ``Runtime`` of the node running now; raises ``RuntimeError`` outside a node."""
    task = current_task.get()
    if task is None:
        raise RuntimeError(
            "get_runtime() was called outside a running node. Call it from a node function "
            "(or code a node calls) while the graph runs."
        )
    runtime: Runtime[Any] = task.runtime
    return runtime
