"""Where sync node code runs under ``ainvoke`` / ``astream``: worker threads the event loop waits for.

Two ways in. ``RunThread`` is the thread one run holds for its steps that run a single sync
task (the common case: a chain of ``def`` nodes): the same thread for each of them, handed the
next call directly, with no pool queue in between; it goes back to a free list when the run
ends, for the next run to take. On asyncio that thread also takes the next such steps itself
(``run_thread_loop.py``); ``on_cancel`` tells it to stop at the next. ``run_sync_in_worker_thread``
is for everything else (a step's several sync tasks, a sync step of a node that also has async
ones or retries): a shared pool.

A sync node cannot be interrupted; it can only be waited for. Two promises follow, for both:

- ``aclose()`` or cancelling the run (an anyio cancel scope) waits for the thread, so no node of
  a stopped run is still running when the stop returns (the await is shielded);
- a bare ``Task.cancel()`` (``asyncio.run`` cancelling what is left when its main coroutine
  returns, ``asyncio.wait_for``) cannot be refused by an awaiting task. The node's thread then
  goes on, and a waiter in the event loop's default executor keeps the loop from closing before
  it ends: ``asyncio.run`` (and ``anyio.run``) join that executor on the way out, so they return
  only once the node has returned.

On trio, ``trio.to_thread`` already waits (its shield cannot be bypassed), so anyio's
``to_thread`` is used as it is.

Threads do not pile up: at most ``_MAX_WORKERS`` run threads live at once (past that, runs use
the pool), and one left idle for ``_IDLE_S`` seconds ends, whether a run still holds it (a
stream dropped without being closed) or it waits in the free list.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import anyio.to_thread

from langgraph_lite.pregel.shared_pool import SharedPool

__all__ = ["RunThread", "run_sync_in_worker_thread"]

# As many threads as anyio's default limiter allows, so parallel sync nodes keep their parallelism.
_MAX_WORKERS = 40
_IDLE_S = 2.0  # a run thread with nothing to do for this long ends
_WAIT_S = 0.0005  # the event loop waits in place this long for a run thread's call
_WAIT_RUN_S = 0.002  # ... and no longer than this in a row without yielding to the loop
_pool = SharedPool(_MAX_WORKERS, "langgraph_lite-node")


async def run_sync_in_worker_thread(
    func: Callable[..., Any], *args: Any, on_cancel: Callable[[], object] | None = None
) -> Any:
    """``func(*args)`` in a worker thread, in a copy of the caller's context; see the module doc.

    ``on_cancel``: called as soon as the await is cancelled, before waiting for the thread (to
    tell ``func`` to stop early)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # trio
        return await anyio.to_thread.run_sync(func, *args)
    running = _pool.get().submit(contextvars.copy_context().run, func, *args)
    answer = asyncio.wrap_future(running, loop=loop)
    try:
        return await asyncio.shield(answer)
    except asyncio.CancelledError:
        if on_cancel is not None:
            on_cancel()
        if not running.done() and _by_cancel_scope():
            with anyio.CancelScope(shield=True):
                try:
                    await answer
                except BaseException:
                    pass  # the run is stopping: its outcome is nobody's
        else:
            answer.add_done_callback(_consume)  # nobody's now: don't warn about it
            if not running.done():
                loop.run_in_executor(None, concurrent.futures.wait, [running])
        raise


def _by_cancel_scope() -> bool:
    """Whether the await just cancelled was cancelled by an anyio cancel scope (which waits
    for the thread), not by a bare ``Task.cancel()`` (which cannot be refused).

    The await itself is not shielded: a shield on it would also keep a scope's cancel from
    being seen at all while one sync step follows another with no other checkpoint between."""
    return anyio.current_effective_deadline() == float("-inf")


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


# -- one thread per run -------------------------------------------------------------------------


class _Job:
    """One call handed to a run thread, and how its outcome gets back to the event loop."""

    __slots__ = (
        "answer",
        "args",
        "context",
        "done",
        "func",
        "handoff",
        "left",
        "loop",
        "ok",
        "settled",
        "value",
        "waited",
    )

    def __init__(
        self, func: Callable[..., Any], args: tuple[Any, ...], loop: asyncio.AbstractEventLoop
    ) -> None:
        self.func = func
        self.args = args
        self.context = contextvars.copy_context()
        self.loop = loop
        self.answer: asyncio.Future[Any] = loop.create_future()
        self.settled = False  # the outcome reached the event loop (set there)
        self.done = threading.Lock()  # held until the call has returned
        self.done.acquire()
        # The event loop waiting in place for the outcome (see RunThread._wait_in_place): the
        # thread then leaves it in ``value``/``ok`` (``left``) instead of posting it.
        # ``handoff`` makes "left" and "waited" one decision for both sides.
        self.handoff = threading.Lock()
        self.waited = False
        self.left = False
        self.ok = False
        self.value: Any = None


def _settle(job: _Job, ok: bool, value: Any) -> None:
    """On the event loop: hand the outcome to whoever waits for it (if anyone still does)."""
    job.settled = True
    answer = job.answer
    if answer.done():  # cancelled with its await: the outcome is nobody's now
        return
    if ok:
        answer.set_result(value)
    else:
        answer.set_exception(value)


class _Worker:
    """A thread that runs the jobs it is handed, one at a time, until idle for ``_IDLE_S``."""

    __slots__ = ("_job", "_lock", "_wake", "busy", "retired")

    def __init__(self) -> None:
        self._job: _Job | None = None
        self._lock = threading.Lock()  # guards _job and retired against the idle exit
        self._wake = threading.Lock()  # released when there is a job to take
        self._wake.acquire()
        self.busy = False  # a job was handed and has not returned yet
        self.retired = False
        threading.Thread(target=self._serve, name="langgraph_lite-node-run", daemon=True).start()

    def hand(self, job: _Job) -> bool:
        """Give the thread ``job``; False if it has ended (take another)."""
        with self._lock:
            if self.retired:
                return False
            self._job = job
            self.busy = True
        self._wake.release()
        return True

    def _serve(self) -> None:
        global _live
        wake, lock = self._wake, self._lock
        while True:
            if not wake.acquire(timeout=_IDLE_S):
                with lock:
                    if self._job is None:  # still nothing to do: end
                        self.retired = True
                        break
                continue  # a job came as the wait ran out: its release follows
            job, self._job = self._job, None
            assert job is not None
            try:
                value, ok = job.context.run(job.func, *job.args), True
            except BaseException as exc:
                value, ok = exc, False
            self.busy = False
            del job.context
            with job.handoff:
                posted = not job.waited
                if not posted:
                    job.value, job.ok, job.left = value, ok, True
            if posted:
                try:
                    job.loop.call_soon_threadsafe(_settle, job, ok, value)
                except RuntimeError:  # the event loop is closed: nobody waits
                    pass
            job.done.release()
            del job, value
        with _free_lock:
            if self in _free:
                _free.remove(self)
            _live -= 1


_free: list[_Worker] = []  # idle run threads, for the next run to take
_free_lock = threading.Lock()
_live = 0  # run threads alive (held by a run, or free)


def _forget_after_fork() -> None:
    """In a forked child the worker threads are gone (only the forking thread lives on)."""
    global _free_lock, _live
    _free.clear()
    _free_lock = threading.Lock()
    _live = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _take_worker() -> _Worker | None:
    """An idle run thread, or a new one; None once ``_MAX_WORKERS`` are alive."""
    global _live
    with _free_lock:
        if _free:
            return _free.pop()
        if _live >= _MAX_WORKERS:
            return None
        _live += 1
    try:
        return _Worker()
    except BaseException:
        with _free_lock:
            _live -= 1
        raise


class RunThread:
    """The worker thread one run uses for its single sync calls, taken when first needed.

    ``release()`` when the run ends gives the thread back (to the next run); a run that never
    releases it only keeps it until it has been idle for ``_IDLE_S``.

    A short call is waited for in place: the event loop blocks up to ``_WAIT_S`` on the call's
    return instead of sleeping in its selector until the thread wakes it (one self-pipe write
    and one selector wake-up less per step: about half of a step's cost for a chain of ``def``
    nodes). Only while nothing else is ready to run on the loop, and only for ``_WAIT_RUN_S``
    in a row: a run whose calls all come back in place never yields to the loop, so past that
    its next call is awaited the plain way (timers and I/O get their turn).
    """

    __slots__ = ("_since", "_worker", "on_cancel")

    def __init__(self, on_cancel: Callable[[], object] | None = None) -> None:
        self._worker: _Worker | None = None
        # Called as soon as a call's await is cancelled, before waiting for it: to tell the
        # call to stop early (one that runs several steps of the run).
        self.on_cancel = on_cancel
        self._since = 0.0  # when the calls answered in place in a row began (0: none)

    async def run(self, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` in the run's thread, in a copy of the caller's context."""
        loop = asyncio._get_running_loop()
        if loop is None:  # trio
            return await anyio.to_thread.run_sync(func, *args)
        job = _Job(func, args, loop)
        worker = self._worker
        if worker is None or not worker.hand(job):
            while True:
                worker = self._worker = _take_worker()
                if worker is None:  # as many run threads as allowed: the pool
                    return await run_sync_in_worker_thread(func, *args, on_cancel=self.on_cancel)
                if worker.hand(job):
                    break
        if self._waits_in_place(loop) and self._wait_in_place(job):
            job.settled = True
            if job.ok:
                return job.value
            raise job.value
        self._since = 0.0
        try:
            return await job.answer  # (not shielded: see _by_cancel_scope)
        except asyncio.CancelledError:
            if not job.settled:
                await self._stopped(job, loop)
            elif job.answer.done():
                _consume(job.answer)  # answered as the cancel came: don't warn about it
            raise

    def _waits_in_place(self, loop: asyncio.AbstractEventLoop) -> bool:
        ready = getattr(loop, "_ready", None)  # (asyncio's own loop; others: never)
        if ready is None or ready:
            return False
        now = time.perf_counter()
        if not self._since:
            self._since = now
            return True
        return now - self._since < _WAIT_RUN_S

    @staticmethod
    def _wait_in_place(job: _Job) -> bool:
        """Block up to ``_WAIT_S`` for ``job`` to return; whether its outcome is in hand (else
        the thread posts it to the loop, as for any call)."""
        with job.handoff:
            job.waited = True
        got = job.done.acquire(timeout=_WAIT_S)
        with job.handoff:
            job.waited = False
            left = job.left
        if got and not left:  # it returned before the wait began, and posted its outcome
            job.done.release()  # (held by nobody again: a bare cancel's waiter takes it)
        return left

    async def _stopped(self, job: _Job, loop: asyncio.AbstractEventLoop) -> None:
        """The await of ``job`` was cancelled while the call runs (its answer future with it).

        A cancel scope (``aclose()``, a timeout, a task group failing) is waited out: the call
        gets a new answer future, awaited shielded. A bare ``Task.cancel()`` is not refused:
        the thread goes on, and the default executor waits for it (see the module doc)."""
        if self.on_cancel is not None:
            self.on_cancel()
        if _by_cancel_scope():
            job.answer = loop.create_future()
            with anyio.CancelScope(shield=True):
                try:
                    await job.answer
                except BaseException:
                    pass  # the run is stopping: its outcome is nobody's
        else:
            self._worker = None  # it is not free: another run must not wait behind it
            loop.run_in_executor(None, job.done.acquire)

    def release(self) -> None:
        """The run is over: its thread goes back to the free list (unless it still runs)."""
        worker, self._worker = self._worker, None
        if worker is not None and not worker.busy and not worker.retired:
            with _free_lock:
                _free.append(worker)
