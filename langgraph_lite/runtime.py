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

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from langgraph_lite.config import current_task
from langgraph_lite.types import StreamWriter, _drop_writes

__all__ = ["Runtime", "get_runtime"]

ContextT = TypeVar("ContextT")


@dataclass(frozen=True)
class Runtime(Generic[ContextT]):
    """The run's ``context`` (as passed to ``invoke(..., context=...)``), store and writer."""

    context: ContextT = None  # type: ignore[assignment]
    store: Any = None
    stream_writer: StreamWriter = field(default=_drop_writes)
    previous: Any = None


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
