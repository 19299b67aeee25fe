"""A node whose own code raises ``asyncio.CancelledError``: a failure of that node.

``CancelledError`` is how a cancelled run stops its tasks, and a cancelled task is torn down
silently. When nobody cancelled anything (a sync node has no event loop to cancel it; on
asyncio the task has no pending cancel request; on trio a cancel is never asyncio's), the error
came from the node's body, so it is raised as ``NodeCancelledError`` naming the node, and the
run fails like it would for any other error (not retried, as in LangGraph).
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio

from langgraph_lite.errors import NodeCancelledError

__all__ = ["raise_cancelled"]


def raise_cancelled(task: Any, exc: BaseException, on_loop: bool) -> None:
    """Raise what ``exc``, an ``asyncio.CancelledError`` out of ``task``'s node, stands for.

    ``on_loop``: the node ran under an event loop (its cancel may be the run's own)."""
    if on_loop and anyio.get_cancelled_exc_class() is asyncio.CancelledError:
        current = asyncio.current_task()
        # Python 3.10 has no Task.cancelling(): a cancel request cannot be told apart from
        # the node's own CancelledError there, so it is taken as the run's (it stays a cancel)
        cancelling = getattr(current, "cancelling", None)
        if cancelling is None or cancelling():
            raise exc  # a cancel request: the run is stopping this task
    raise NodeCancelledError(task.name) from exc
