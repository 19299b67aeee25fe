"""The run's stream queue: every event a run produces passes through here, bounded.

One queue per run. Two kinds of producers put into it:

* the loop (``push``), in the consumer's own thread, between steps. The consumer pulls: the
  driver hands these chunks out before it asks the loop for another step, so they never pile up
  beyond one step's worth and need no bound;
* node code (``put``, through the stream writer), while a step runs — in worker threads, or on
  the event loop. These are bounded: a producer in a worker thread waits while the queue holds
  ``max_size`` items. A producer on the consumer's own thread cannot wait (it would wait for
  itself), so its item goes in over the bound, is counted in ``statistics().overflowed``, and the
  call returns an awaitable that waits for room: ``await writer(x)`` gives async producers real
  backpressure.

``put_nowait`` and ``get_nowait`` hold the logic and raise ``WouldBlock``; ``put`` (from a
worker thread), ``get`` (sync) and ``aget`` (async) only add the waiting. ``close()`` says the
consumer is gone: waiting producers wake up with ``ConsumerGone`` and later puts raise it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

from langgraph_lite.types import READY

__all__ = [
    "DEFAULT_STREAM_BUFFER",
    "ConsumerGone",
    "QueueStatistics",
    "StreamQueue",
    "WouldBlock",
]

DEFAULT_STREAM_BUFFER = 1024
"""How many events a run may hold for its consumer before producers wait."""


class WouldBlock(Exception):
    """``put_nowait``: the queue is full; ``get_nowait``: it is empty."""


class ConsumerGone(BaseException):
    """The stream's consumer stopped reading; the producer should stop.

    A ``BaseException`` so that a node's broad ``except Exception`` does not swallow it.
    """


class QueueStatistics(NamedTuple):
    """A snapshot of the queue, to observe backpressure."""

    size: int
    """Items buffered now."""
    max_size: int
    """The bound producers wait at."""
    peak: int
    """The most items ever buffered at once by node code, those put over the bound included."""
    overflowed: int
    """Items put over the bound by producers that could not wait (see module docstring)."""


class StreamQueue:
    """A bounded, thread-safe queue between a run's producers and its one consumer."""

    __slots__ = (
        "_closed",
        "_cond",
        "_consumer_thread",
        "_peak",
        "_space_waiters",
        "_waker",
        "items",
        "max_size",
        "overflowed",
    )

    def __init__(self, max_size: int = DEFAULT_STREAM_BUFFER) -> None:
        if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size < 1:
            raise ValueError(
                f"stream_buffer_size must be a positive int, got {max_size!r}. It bounds how "
                "many events a run holds for a slow consumer; the default is "
                f"{DEFAULT_STREAM_BUFFER}."
            )
        self.items: deque[Any] = deque()
        self.max_size = max_size
        self.overflowed = 0
        self._peak = 0
        self._closed = False
        self._cond = threading.Condition(threading.RLock())
        self._consumer_thread = threading.get_ident()
        # Set by an async consumer that waits for an item; called (once) by the next put.
        self._waker: Callable[[], None] | None = None
        # Async producers waiting for room (anyio Events), woken by the consumer.
        self._space_waiters: list[Any] = []

    # -- producers ---------------------------------------------------------------------------

    def push(self, item: Any) -> None:
        """Put an item from the consumer's side (the loop, the driver): never waits."""
        self.items.append(item)
        waker = self._waker
        if waker is not None:
            self._waker = None
            waker()

    def push_from_thread(self, item: Any) -> None:
        """Put a control item from any thread, never waiting (a worker reporting it finished)."""
        with self._cond:
            self.items.append(item)
            self._cond.notify_all()
            waker = self._waker
            self._waker = None
        if waker is not None:
            waker()

    def put_nowait(self, item: Any) -> None:
        """Put an item if there is room, from any thread.

        Raises ``WouldBlock`` when the queue is full, ``ConsumerGone`` once it is closed.
        """
        with self._cond:
            if self._closed:
                raise ConsumerGone
            if len(self.items) >= self.max_size:
                raise WouldBlock
            self.items.append(item)
            if len(self.items) > self._peak:
                self._peak = len(self.items)
            self._cond.notify_all()  # a sync consumer may be waiting for this item
            waker, self._waker = self._waker, None
        if waker is not None:
            waker()

    def put(self, item: Any) -> Any:
        """Put an item from node code; waits for room when it may (see the module docstring)."""
        if threading.get_ident() != self._consumer_thread:
            with self._cond:  # (a reentrant lock: put_nowait takes it again)
                while True:
                    try:
                        self.put_nowait(item)
                        return READY
                    except WouldBlock:
                        self._cond.wait()
        # On the consumer's own thread nothing can wait: over the bound, the item is counted.
        if self._closed:
            raise ConsumerGone
        items = self.items
        items.append(item)
        size = len(items)
        if size > self.max_size:
            self.overflowed += 1
        if size > self._peak:
            self._peak = size
        waker = self._waker
        if waker is not None:
            self._waker = None
            waker()
        return READY if size < self.max_size else _RoomAwaitable(self)

    # -- the consumer ------------------------------------------------------------------------

    def get_nowait(self) -> Any:
        """Take the oldest item; raises ``WouldBlock`` when there is none."""
        with self._cond:
            if not self.items:
                raise WouldBlock
            item = self.items.popleft()
            self._cond.notify_all()  # a producer thread may be waiting for room
        if self._space_waiters and len(self.items) < self.max_size:
            waiters, self._space_waiters = self._space_waiters, []
            for w in waiters:
                w.set()
        return item

    def get(self, timeout: float | None = None) -> Any:
        """Take the oldest item, waiting for one (sync consumer); with ``timeout``, waiting at
        most that long (``WouldBlock``: still none)."""
        with self._cond:
            while True:
                try:
                    return self.get_nowait()
                except WouldBlock:
                    if timeout is not None:
                        self._cond.wait(timeout)
                        return self.get_nowait()
                    self._cond.wait()

    async def aget(self) -> Any:
        """Take the oldest item, waiting for one without blocking the event loop."""
        import anyio

        while True:
            with self._cond:
                try:
                    return self.get_nowait()
                except WouldBlock:
                    event = anyio.Event()
                    self._waker = _threadsafe_setter(event)
            await event.wait()

    def close(self) -> None:
        """The consumer is gone: wake every waiting producer with ``ConsumerGone``."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        waiters, self._space_waiters = self._space_waiters, []
        for w in waiters:
            w.set()

    @property
    def closed(self) -> bool:
        return self._closed

    def statistics(self) -> QueueStatistics:
        """Sizes now and at peak, to check that producers waited for the consumer."""
        return QueueStatistics(len(self.items), self.max_size, self._peak, self.overflowed)


class _RoomAwaitable:
    """Returned by ``put`` on the consumer's thread when the queue is full: await to wait."""

    __slots__ = ("_queue",)

    def __init__(self, queue: StreamQueue) -> None:
        self._queue = queue

    def __await__(self) -> Generator[Any, None, None]:
        return self._wait().__await__()

    async def _wait(self) -> None:
        import anyio

        q = self._queue
        while len(q.items) >= q.max_size and not q.closed:
            event = anyio.Event()
            q._space_waiters.append(event)
            await event.wait()
        if q.closed:
            raise ConsumerGone


def _threadsafe_setter(event: Any) -> Callable[[], None]:
    """A function that sets ``event`` from any thread, waking the event loop it belongs to."""
    loop_thread = threading.get_ident()
    try:
        import asyncio

        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    call_soon: Callable[[Callable[[], object]], object]
    if loop is not None:
        call_soon = loop.call_soon_threadsafe
    else:
        import trio

        call_soon = trio.lowlevel.current_trio_token().run_sync_soon

    def wake() -> None:
        if threading.get_ident() == loop_thread:
            event.set()
        else:
            call_soon(event.set)

    return wake
