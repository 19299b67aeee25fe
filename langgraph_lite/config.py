"""Access, from inside a running node, to the run's config, store and stream writer.

Both read the task that is running in the current context (a thread or an async task), so they
work from helper functions called by the node, not only from the node itself.

>>> from langgraph_lite.config import get_config
>>> def node(state):
...     thread = get_config()["configurable"].get("thread_id")
...     return {"seen_thread": thread}
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph_lite.types import StreamWriter

__all__ = ["get_config", "get_store", "get_stream_writer"]

# The task running in this context. Set by the runner around each node call; None outside one.
current_task: ContextVar[Any] = ContextVar("langgraph_lite_current_task", default=None)
# The clocks of the timed attempt running in this context (pregel/timeouts.py); None if untimed.
attempt_clock: ContextVar[Any] = ContextVar("langgraph_lite_attempt_clock", default=None)


def get_config() -> dict[str, Any]:
    """Return the config of the node that is running now.

    Holds ``configurable``, ``tags``, ``metadata`` (with ``langgraph_step``,
    ``langgraph_node``, ``langgraph_triggers``, ``langgraph_path``) and ``recursion_limit``.
    Raises ``RuntimeError`` when called outside a running node.
    """
    task = current_task.get()
    if task is None:
        raise RuntimeError(
            "get_config() was called outside a running node. Call it from a node function "
            "(or code a node calls) while the graph runs."
        )
    config: dict[str, Any] = task.config
    return config


def get_stream_writer() -> StreamWriter:
    """Return the function that sends a value to ``stream_mode="custom"`` consumers.

    When nobody streams ``custom`` the writer drops what it is given, so nodes can call it
    unconditionally. Raises ``RuntimeError`` when called outside a running node.

    >>> from langgraph_lite.config import get_stream_writer
    >>> def node(state):
    ...     get_stream_writer()({"progress": 0.5})
    ...     return {}
    """
    task = current_task.get()
    if task is None:
        raise RuntimeError(
            "get_stream_writer() was called outside a running node. Call it from a node "
            "function (or code a node calls) while the graph runs."
        )
    writer: StreamWriter = task.writer
    return writer


def get_store() -> Any:
    """Return the store of the graph that is running now (``compile(store=...)``).

    A subgraph gets its parent's. ``None`` when the graph has no store. Raises
    ``RuntimeError`` when called outside a running node.

    >>> from langgraph_lite.config import get_store
    >>> def node(state):
    ...     item = get_store().get(("users", "u1"), "prefs")
    ...     return {"theme": item.value["theme"] if item else None}
    """
    task = current_task.get()
    if task is None:
        raise RuntimeError(
            "Called get_config outside of a runnable context: get_store() works only inside "
            "a running node (or code a node calls) while the graph runs."
        )
    return getattr(task.run, "store", None)
