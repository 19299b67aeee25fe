"""The builder's record of a node: what ``add_node`` was given, until the graph compiles."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from langgraph_lite.types import CachePolicy, RetryPolicy, TimeoutPolicy

__all__ = ["NodeFunction", "NodeSpec"]


class NodeSpec:
    """What the builder knows of one node until it compiles (``StateGraph.nodes[name]``)."""

    __slots__ = (
        "action",
        "cache_policy",
        "defer",
        "destinations",
        "error_handler",
        "input_schema",
        "is_error_handler",
        "metadata",
        "retry_policy",
        "timeout",
        "trace_policy",
    )

    def __init__(
        self,
        action: Any,
        *,
        defer: bool,
        metadata: dict[str, Any] | None,
        input_schema: Any,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None,
        destinations: Any,
        cache_policy: CachePolicy | None = None,
        is_error_handler: bool = False,
        timeout: TimeoutPolicy | None = None,
    ) -> None:
        self.action = action
        self.is_error_handler = is_error_handler  # the error handler of another node
        self.error_handler: str | None = None  # the node that handles this one's failures
        self.cache_policy = cache_policy
        self.defer = defer
        self.metadata = metadata
        self.input_schema = input_schema
        self.retry_policy = retry_policy
        self.timeout = timeout  # checked by add_node (timeout_policy.coerce_timeout)
        self.destinations = destinations
        self.trace_policy: Any = None  # a TracePolicy: what the node's callback runs record

    @property
    def runnable(self) -> Any:
        """The node's action under LangGraph's name for it: a graph or other runnable as it was
        given, a function as a ``NodeFunction`` (``.func`` / ``.afunc``)."""
        if hasattr(self.action, "invoke"):
            return self.action
        return NodeFunction(self.action)


class NodeFunction:
    """A node's function as ``builder.nodes[name].runnable`` shows it: ``func`` is the sync
    callable given to ``add_node`` (None for an async one), ``afunc`` the async one.

    >>> def step(state):
    ...     return state
    >>> NodeFunction(step).func is step
    True
    """

    __slots__ = ("afunc", "func", "name")

    def __init__(self, action: Any) -> None:
        # an object with an ``async def __call__`` is an async node too
        is_async = inspect.iscoroutinefunction(action) or inspect.iscoroutinefunction(
            inspect.getattr_static(type(action), "__call__", None)
        )
        self.func = None if is_async else action
        self.afunc = action if is_async else None
        self.name = getattr(action, "__name__", type(action).__name__)

    def __repr__(self) -> str:
        return f"NodeFunction({self.name})"
