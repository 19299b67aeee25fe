"""A step's tasks on threads, for the sync driver: the calling thread works too.

The sync driver runs a step with several tasks (when no node code streams while it runs) as a
``ThreadStep``: the tasks wait in one deque, and the driver's thread and a few helper threads
each take the next one, run it, and take another, until none is left. With a checkpointer, the
thread that ran a task saves its writes before it takes another (``drivers._run_saving``), so a
task the caller's thread is busy with holds up no sibling's save. Every task is taken by
exactly one thread (``deque.popleft`` is atomic), so the tasks still run concurrently — a node
that blocks (I/O, a sleep) lets the others go on — but a step of short tasks mostly runs in the
caller's thread, without handing each task to a thread and waiting to hear back. A run that
streams each task's events (updates, tasks, debug) is the exception for a step with no more tasks
than helpers: the caller, which hands the events over, waits for its helpers and takes a task only
when none came for ``GRACE``, so a blocking node never holds back its siblings' updates.

The helpers come from one pool shared by every run of the process, kept between runs (starting
threads costs more than a short node). Sharing cannot deadlock: a thread waiting for its step
(a subgraph's run inside a task, say) takes that step's tasks itself whenever no helper is free,
so a step never waits for a task no thread has taken. A step asks for at most as many helpers
as a run's own pool used to have (``helpers``), so one run gets the parallelism it had.

Each task runs in its own copy of the caller's context, as it would on a pool of its own.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import os
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from langgraph_lite.pregel.algo import Task
from langgraph_lite.pregel.shared_pool import SharedPool
from langgraph_lite.pregel.stream import StreamQueue, WouldBlock

__all__ = ["GRACE", "WAITED", "ThreadStep", "helpers"]

GRACE = 0.2  # seconds a caller that streams waits for its step's helpers before it helps
WAITED = object()  # ``ThreadStep.get``: the grace passed with nothing to hand over

_MAX_HELPERS = 32  # threads in the shared pool (helpers of every run at once)
_pool = SharedPool(_MAX_HELPERS, "langgraph_lite-step")


_HELPERS = min(32, (os.cpu_count() or 1) + 4) - 1  # (asked once: a system call)


def helpers() -> int:
    """How many threads one step may use besides the caller's (a run's pool used to be this
    size plus one: ``ThreadPoolExecutor``'s default)."""
    return _HELPERS


class ThreadStep:
    """One step's tasks, each run once, by the caller (``take``) or by a helper thread, and
    reported through ``report(task)`` (the driver's: it runs the task and puts it in the stream
    queue, errors included), in the order they finish."""

    __slots__ = ("_context", "_futures", "_pending", "_report", "_waits")

    def __init__(
        self, tasks: Sequence[Task], report: Callable[[Task], None], streams: bool = False
    ) -> None:
        self._pending: deque[Task] = deque(tasks)
        self._report = report
        self._context = contextvars.copy_context()  # (each task runs in a copy of it)
        pool = _pool.get()
        # A run that streams each task's events keeps its caller free to hand them over as they
        # come (a blocking node it ran would hold back its siblings' updates) when a helper per
        # task can be had: the caller takes tasks only once no result came for a grace (``get``).
        # Else (and for a step of more tasks than helpers, a fan-out, where the caller's share
        # is worth more) the caller takes one task at least: len(tasks) - 1 helpers suffice.
        self._waits = streams and len(tasks) <= helpers()
        wanted = len(tasks) if self._waits else len(tasks) - 1
        self._futures = [pool.submit(self._help) for _ in range(min(wanted, helpers()))]

    def _help(self) -> None:
        """Body of a helper thread: take tasks until none is left."""
        pending = self._pending
        while pending:
            try:
                task = pending.popleft()
            except IndexError:  # (the caller or another helper took the last one)
                return
            self._context.copy().run(self._report, task)

    def take(self) -> bool:
        """Run the next task no thread has taken, here, and report it as a helper would (so
        results still come in the order the tasks finished); False: every task was taken, or
        the caller waits for its helpers yet."""
        pending = self._pending
        if not pending or self._waits:
            return False
        try:
            task = pending.popleft()
        except IndexError:  # (a helper took the last one meanwhile)
            return False
        self._context.copy().run(self._report, task)
        return True

    def get(self, queue: StreamQueue) -> Any:
        """The next item of ``queue``, for a caller that waits for its helpers: ``WAITED`` when
        none came within ``GRACE`` while tasks are left untaken (no helper free: the caller
        takes them from then on, so a step never waits for a task no thread has taken)."""
        if not self._waits or not self._pending:
            return queue.get()
        try:
            return queue.get(GRACE)
        except WouldBlock:
            self._waits = False
            return WAITED

    def stop(self) -> None:
        """The run stops: no task not yet taken will start; returns once the helpers running
        one have finished (threads cannot be killed, and no node outlives its run)."""
        self._pending.clear()
        # (a helper not started yet is cancelled, and not waited for: it stays queued until
        # a pool thread drops it, and that thread may be the one waiting here)
        concurrent.futures.wait([f for f in self._futures if not f.cancel()])

    def __repr__(self) -> str:
        return f"<ThreadStep {len(self._pending)} untaken, {len(self._futures)} helpers>"
