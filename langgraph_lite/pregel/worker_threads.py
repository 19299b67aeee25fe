"""Where sync node code runs under ``ainvoke`` / ``astream``: worker threads the event loop waits for.

A sync node cannot be interrupted; it can only be waited for. Two promises follow:

- ``aclose()`` or cancelling the run (an anyio cancel scope) waits for the thread, so no node of
  a stopped run is still running when the stop returns (the await is shielded);
- a bare ``Task.cancel()`` (``asyncio.run`` cancelling what is left when its main coroutine
  returns, ``asyncio.wait_for``) cannot be refused by an awaiting task. The node's thread then
  goes on, and a waiter in the event loop's default executor keeps the loop from closing before
  it ends: ``asyncio.run`` (and ``anyio.run``) join that executor on the way out, so they return
  only once the node has returned.

On trio, ``trio.to_thread`` already waits (its shield cannot be bypassed), so anyio's
``to_thread`` is used as it is.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import Callable
from typing import Any

import anyio.to_thread

__all__ = ["run_sync_in_worker_thread"]

# As many threads as anyio's default limiter allows, so parallel sync nodes keep their parallelism.
_MAX_WORKERS = 40
_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> concurrent.futures.ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = concurrent.futures.ThreadPoolExecutor(
                    _MAX_WORKERS, thread_name_prefix="langgraph_lite-node"
                )
    return _pool


async def run_sync_in_worker_thread(func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)`` in a worker thread, in a copy of the caller's context; see the module doc."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # trio
        return await anyio.to_thread.run_sync(func, *args)
    running = _shared_pool().submit(contextvars.copy_context().run, func, *args)
    answer = asyncio.wrap_future(running, loop=loop)
    try:
        with anyio.CancelScope(shield=True):
            return await asyncio.shield(answer)
    except asyncio.CancelledError:
        if not running.done():
            answer.add_done_callback(_consume)  # the outcome is nobody's now: don't warn about it
            loop.run_in_executor(None, concurrent.futures.wait, [running])
        raise


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
