"""A step's tasks on asyncio, for the async driver: each a plain asyncio task (``TaskHost``).

The async driver starts the tasks of a step with several (or whose node code streams) outside
the consumer's task, so that it can hand the consumer each finished task's update while the
others still run: the tasks report to the run's stream queue, and the driver answers the loop's
``NeedResult`` effects from it between ``__anext__`` calls. On asyncio the tasks are plain
asyncio tasks (``TaskHost``): no task group and no host task, a fifth of their cost on a
two-task step. On trio they run in a task group in a system task (``detached.Detached``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import anyio

from langgraph_lite.pregel.algo import Task
from langgraph_lite.pregel.attempt import arun_attempt

__all__ = ["TaskHost", "limiter_of", "run_limited"]


def limiter_of(tasks: list[Task]) -> anyio.CapacityLimiter | None:
    """The run config's ``max_concurrency``: how many of a step's tasks may run at once."""
    limit = (getattr(tasks[0].run, "config", None) or {}).get("max_concurrency")
    return anyio.CapacityLimiter(limit) if limit and limit < len(tasks) else None


async def run_limited(task: Task, limiter: anyio.CapacityLimiter | None) -> None:
    """Run ``task``, within ``limiter`` when there is one."""
    if limiter is None:
        await arun_attempt(task)
    else:
        async with limiter:
            await arun_attempt(task)


class TaskHost:
    """A step's tasks as asyncio tasks, with ``Detached``'s ``cancel`` and ``wait``.

    ``cancel`` is also what a task calls to stop its siblings (it failed, or the consumer is
    gone): it cancels every task but the caller."""

    __slots__ = ("_children",)

    def __init__(self) -> None:
        self._children: list[asyncio.Task[None]] = []

    def start(self, coros: list[Coroutine[Any, Any, None]]) -> TaskHost:
        loop = asyncio.get_running_loop()
        self._children = [loop.create_task(coro) for coro in coros]
        return self

    def cancel(self) -> None:
        current = asyncio.current_task()
        if current in self._children:  # a task stops its siblings: as anyio's cancel scopes,
            # at the loop's next turn, so a sibling already woken up ends as it would have,
            # and one not started yet starts first (a coroutine cancelled before it starts
            # runs no ``finally``: it would never report, and the step would wait for it)
            asyncio.get_running_loop().call_soon(self._cancel_all_but, current)
        else:
            self._cancel_all_but(None)

    def _cancel_all_but(self, current: asyncio.Task[Any] | None) -> None:
        for child in self._children:
            if child is not current:
                child.cancel()

    async def wait(self) -> None:
        running = [child for child in self._children if not child.done()]
        if running:
            await asyncio.wait(running)
