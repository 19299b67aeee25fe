"""``Pregel.step_timeout``: how long one step's tasks may run, altogether, as in LangGraph.

When the limit passes while some of a step's tasks still run, the run raises
``asyncio.TimeoutError`` (the builtin ``TimeoutError``): async tasks still running are
cancelled (they write nothing); a sync node cannot be stopped, so the error is raised once the
running ones have returned, and with a checkpointer their writes are saved, as LangGraph saves
them. Tasks that finished in time keep their saved writes, so the step can be resumed. A timed
step's tasks all run on worker threads (sync) or tasks (async), never inline. Without a limit
the drivers never look here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import anyio

from langgraph_lite.pregel.stream import StreamQueue, WouldBlock

__all__ = ["StepClock"]


class StepClock:
    """The time a step started and what it may take (``limit``, in seconds)."""

    __slots__ = ("deadline", "limit", "tasks")

    def __init__(self, limit: Any) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0:
            raise ValueError(
                f"step_timeout must be a number of seconds greater than 0, or None, got "
                f"{limit!r}. Set it on the compiled graph: graph.step_timeout = 30."
            )
        self.limit = float(limit)
        self.deadline = 0.0
        self.tasks: Sequence[Any] = ()

    def start(self, tasks: Sequence[Any]) -> bool:
        """A step of ``tasks`` starts now (True: the drivers' way to say it is timed)."""
        self.deadline = time.monotonic() + self.limit
        self.tasks = tasks
        return True

    def get(self, queue: StreamQueue) -> Any:
        """The next item of ``queue`` (sync), or the step's error once its time is up."""
        while True:
            try:
                return queue.get(self.left())
            except WouldBlock:
                if not self.left():
                    raise self.expired() from None

    async def aget(self, queue: StreamQueue) -> Any:
        """The next item of ``queue`` (async), or the step's error once its time is up."""
        with anyio.move_on_after(self.left()):
            return await queue.aget()
        raise self.expired()

    def left(self) -> float:
        """Seconds until the step's time is up (0 once it is)."""
        return max(0.0, self.deadline - time.monotonic())

    def expired(self) -> asyncio.TimeoutError:
        """The error a step that ran out of time raises."""
        names = ", ".join(sorted({repr(t.name) for t in self.tasks}))
        return asyncio.TimeoutError(
            f"step_timeout: the step running {names} took longer than {self.limit:g}s. Raise "
            f"graph.step_timeout, or give the slow node a timeout= of its own."
        )
