"""Attempts of nodes that have a ``TimeoutPolicy``: the clocks, the watchdog, the heartbeat.

Only nodes with ``timeout`` come here (``attempt.py`` checks ``node.timeout`` and otherwise
runs the node as it always does), so an untimed node pays nothing.

- An async node runs in a cancel scope that a watchdog task cancels when a limit passes: the
  node is cancelled at its next ``await`` (asyncio or trio), and the attempt fails with
  ``NodeTimeoutError``.
- A sync node runs in a thread of its own, which the run waits for until a limit passes.
  Python cannot stop a thread, so a sync node is told instead: its next ``runtime.heartbeat()``
  raises ``NodeTimeoutError``. One that never calls it is abandoned: the run stops waiting,
  the attempt fails (and is retried, if its policy says so), and whatever the thread does
  afterwards — its return value, stream writes, pushed messages — is dropped. A run that is
  cancelled waits for a timed sync node as for any sync node, up to the node's limits.

Each attempt has its own ``AttemptClock``, found through a context variable, so the late
writes of an abandoned attempt cannot land in the next attempt's.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio

from langgraph_lite._async_library import current_async_library
from langgraph_lite.config import attempt_clock as _clock
from langgraph_lite.errors import NodeTimeoutError

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task
    from langgraph_lite.timeout_policy import TimeoutPolicy

__all__ = ["AttemptClock", "arun_timed", "run_timed"]

class AttemptClock:
    """The clocks of one attempt: when it started, its last progress, whether a limit passed."""

    __slots__ = ("auto", "error", "idle", "last", "name", "run", "start")

    def __init__(self, name: str, policy: TimeoutPolicy) -> None:
        self.name = name
        self.run: float | None = policy.run_timeout  # type: ignore[assignment]
        self.idle: float | None = policy.idle_timeout  # type: ignore[assignment]
        self.auto = policy.refresh_on == "auto"
        self.start = self.last = time.monotonic()
        self.error: NodeTimeoutError | None = None  # set once a limit has passed

    def due(self) -> float:
        """When the next limit passes (monotonic seconds), as things stand."""
        due = float("inf")
        if self.run is not None:
            due = self.start + self.run
        if self.idle is not None:
            due = min(due, self.last + self.idle)
        return due

    def check(self) -> NodeTimeoutError | None:
        """The attempt's error if a limit has passed (firing it now if it just did)."""
        if self.error is None:
            now = time.monotonic()
            if self.run is not None and now >= self.start + self.run:
                self._fire("run", now)
            elif self.idle is not None and now >= self.last + self.idle:
                self._fire("idle", now)
        return self.error

    def _fire(self, kind: str, now: float) -> None:
        self.error = NodeTimeoutError(
            self.name,
            now - self.start,
            kind=kind,
            idle_timeout=self.idle,
            run_timeout=self.run,
        )

    def beat(self) -> None:
        """A heartbeat: raise if a limit has passed, else count it as progress."""
        error = self.check()
        if error is not None:
            raise error
        self.last = time.monotonic()

    def progress(self) -> bool:
        """Other progress (a custom write, a pushed message): whether the attempt may write."""
        if self.check() is not None:
            return False
        if self.auto:
            self.last = time.monotonic()
        return True


class _AttemptWrites(list):
    """``task.pushed`` during a timed attempt: takes writes from that attempt only, in time."""

    __slots__ = ("clock",)

    def __init__(self, clock: AttemptClock) -> None:
        super().__init__()
        self.clock = clock

    def append(self, item: Any) -> None:
        if _clock.get() is self.clock and self.clock.progress():
            super().append(item)


class _GuardedWriter:
    """A timed task's stream writer: drops what an attempt writes after its limit passed."""

    __slots__ = ("inner",)

    def __init__(self, inner: Callable[[Any], Any]) -> None:
        self.inner = inner

    def __call__(self, value: Any) -> Any:
        clock = _clock.get()
        if clock is not None and not clock.progress():
            return None
        return self.inner(value)


def _begin(task: Task) -> AttemptClock:
    policy = task.node.timeout
    assert policy is not None
    clock = AttemptClock(task.name, policy)
    task.pushed = _AttemptWrites(clock)
    if type(task.writer) is not _GuardedWriter:
        task.writer = _GuardedWriter(task.writer)
    return clock


def _call_with_clock(clock: AttemptClock, call: Callable[[], Any]) -> Any:
    token = _clock.set(clock)
    try:
        return call()
    finally:
        _clock.reset(token)


# -- sync runs ----------------------------------------------------------------------------------


def run_timed(task: Task) -> Any:
    """One attempt of a timed sync node under ``invoke`` / ``stream``: its output, or raise."""
    clock = _begin(task)
    outcome: list[Any] = []
    finished = threading.Event()
    context = contextvars.copy_context()

    def target() -> None:
        try:
            outcome.append((True, context.run(_call_with_clock, clock, _body(task))))
        except BaseException as exc:
            outcome.append((False, exc))
        finished.set()

    _start_thread(task, target)
    while not finished.wait(max(0.0, clock.due() - time.monotonic())):
        error = clock.check()
        if error is not None:
            raise error  # the thread is abandoned: what it does from now on is dropped
    return _result(clock, outcome)


def _body(task: Task) -> Callable[[], Any]:
    node, value = task.node, task.input
    return lambda: node.run(value, task)


def _start_thread(task: Task, target: Callable[[], None]) -> None:
    # A daemon thread: a node that never returns must not keep the interpreter from exiting.
    thread = threading.Thread(
        target=target, name=f"langgraph_lite-timed-{task.name}", daemon=True
    )
    thread.start()


def _result(clock: AttemptClock, outcome: list[Any]) -> Any:
    if clock.error is not None:  # the node saw its limit pass (at a heartbeat) and raised
        raise clock.error
    ok, value = outcome[0]
    if ok:
        return value
    raise value


# -- async runs ---------------------------------------------------------------------------------


async def arun_timed(task: Task) -> Any:
    """One attempt of a timed node under ``ainvoke`` / ``astream``: its output, or raise.

    An async node is cancelled when a limit passes; a sync one runs in its own thread and is
    abandoned then (see the module doc).
    """
    clock = _begin(task)
    failure: Exception | None = None
    output: Any = None
    async with anyio.create_task_group() as watch:
        with anyio.CancelScope() as body:
            watch.start_soon(_watchdog, clock, body)
            token = _clock.set(clock)
            try:
                if task.node.is_async:
                    output = await task.node.arun(task.input, task)
                else:
                    output = await _in_own_thread(task, clock)
            except Exception as exc:  # handed on below, once the watchdog is stopped
                failure = exc
            finally:
                _clock.reset(token)
        watch.cancel_scope.cancel()
    if clock.error is not None and failure is not clock.error:
        raise clock.error from failure  # (the node's own error, if it raised one when cancelled)
    if failure is not None:
        raise failure
    return output


async def _watchdog(clock: AttemptClock, body: anyio.CancelScope) -> None:
    while clock.check() is None:
        await anyio.sleep(max(0.0, clock.due() - time.monotonic()))
    body.cancel()


async def _in_own_thread(task: Task, clock: AttemptClock) -> Any:
    """Run a sync node in a thread of its own; stop waiting (abandon it) when cancelled."""
    finished = anyio.Event()
    outcome: list[Any] = []
    context = contextvars.copy_context()
    wake = _waker(finished)

    def target() -> None:
        try:
            outcome.append((True, context.run(_call_with_clock, clock, _body(task))))
        except BaseException as exc:
            outcome.append((False, exc))
        wake()

    _start_thread(task, target)
    try:
        await finished.wait()
    except anyio.get_cancelled_exc_class():
        # The run itself is stopping (not this attempt's limit): as for untimed sync nodes
        # (worker_threads.py), wait for the node — but no longer than its limits allow.
        with anyio.CancelScope(shield=True):
            while not finished.is_set() and clock.check() is None:
                with anyio.move_on_after(max(0.0, clock.due() - time.monotonic())):
                    await finished.wait()
        raise
    return _result(clock, outcome)


def _waker(event: anyio.Event) -> Callable[[], None]:
    """A function any thread may call to set ``event`` on this event loop, without waiting."""
    if current_async_library() == "trio":
        import trio

        trio_token = trio.lowlevel.current_trio_token()

        def wake_trio() -> None:
            try:
                trio_token.run_sync_soon(event.set)
            except trio.RunFinishedError:  # the run is over: nobody waits
                pass

        return wake_trio
    import asyncio

    loop = asyncio.get_running_loop()

    def wake_asyncio() -> None:
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:  # the loop is closed: nobody waits
            pass

    return wake_asyncio
