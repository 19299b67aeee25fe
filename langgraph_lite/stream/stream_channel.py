"""``StreamChannel``: one projection of a v3 run, read by one consumer, filled by the run.

There is no background task. A cursor that finds the channel empty asks the run for one more
event (the *pump*, wired in by the run stream) and looks again, so the graph advances only as
fast as somebody reads. A channel holds items only once it has a subscriber (iterating it before
the run produces the items is how one reads them); a *named* channel also forwards every item
into the run's main event log, subscriber or not.

A channel is bound once, by the mux, to the sync or the async lane; the other iteration
protocol then raises ``TypeError``. One subscriber per channel: ``tee(n)`` / ``atee(n)`` fan out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

import anyio

if TYPE_CHECKING:
    from langgraph_lite.stream._mux import StreamMux

__all__ = ["StreamChannel"]

T = TypeVar("T")


class StreamChannel(Generic[T]):
    """A single-consumer queue of one projection's items, pumped by its reader.

    ``StreamChannel("name")`` forwards each pushed item into the main event log (method
    ``custom:name``, or ``name`` when its transformer is native); ``StreamChannel()`` is local
    to its transformer's projection. The mux closes or fails it when the run ends.
    """

    def __init__(self, name: str | None = None, *, maxlen: int | None = None) -> None:
        """Make a channel; ``name`` turns on forwarding; ``maxlen`` is accepted, not enforced."""
        if maxlen is not None and maxlen <= 0:
            raise ValueError(f"StreamChannel maxlen must be a positive int or None, got {maxlen!r}")
        self.name = name
        # (stamp, item): the stamp is the mux's push counter, which orders items across
        # channels for interleave(); cursors strip it.
        self._items: deque[tuple[int, T]] = deque()
        self._maxlen = maxlen
        self._closed = False
        self._error: BaseException | None = None
        self._is_async: bool | None = None  # None until the mux binds the lane
        self._subscribed = False
        self._request_more: Callable[[], bool] | None = None
        self._arequest_more: Callable[[], Awaitable[bool]] | None = None
        self._wire_fn: Callable[[T], None] | None = None
        self._mux: StreamMux | None = None

    # -- wiring, done by the mux and the run stream ------------------------------------------

    def _bind_mux(self, mux: StreamMux) -> None:
        self._mux = mux

    def _bind(self, *, is_async: bool) -> None:
        if self._is_async is not None:
            raise RuntimeError(
                "this StreamChannel is already bound to a run; a channel belongs to one "
                "transformer of one run: make a new one in init()"
            )
        self._is_async = is_async

    def _wire(self, fn: Callable[[T], None]) -> None:
        self._wire_fn = fn

    # -- producer side -----------------------------------------------------------------------

    def push(self, item: T) -> None:
        """Add ``item`` for the subscriber (if any) and forward it if the channel is named."""
        if self._subscribed:
            if self._closed:
                raise RuntimeError(
                    f"Cannot push to a closed StreamChannel ({self.name!r}): its run has ended"
                )
            stamp = self._mux._next_push_seq() if self._mux is not None else 0
            self._items.append((stamp, item))
        if self._wire_fn is not None:
            self._wire_fn(item)

    def close(self) -> None:
        """No more items: the subscriber ends after the ones queued."""
        self._closed = True

    def fail(self, err: BaseException) -> None:
        """The run failed: the subscriber gets ``err`` after the items queued."""
        self._error = err
        self._closed = True

    # -- consumer side -----------------------------------------------------------------------

    def _subscribe(self, want_async: bool) -> None:
        if self._is_async is None:
            raise TypeError(
                "StreamChannel has not been bound to a run yet: return it from a "
                "StreamTransformer's init() and read it from the run stream"
            )
        if self._is_async != want_async:
            if self._is_async:
                raise TypeError("This StreamChannel is bound to async mode: use 'async for'")
            raise TypeError("This StreamChannel is bound to sync mode: use 'for', not 'async for'")
        if self._subscribed:
            how = ".atee(n)" if want_async else ".tee(n)"
            raise RuntimeError(
                f"StreamChannel {self.name!r} already has a subscriber; a channel has one "
                f"reader: use {how} to read it n times"
            )
        self._subscribed = True

    def __iter__(self) -> Iterator[T]:
        """Subscribe (once) and read the items, pumping the run when the queue is empty."""
        self._subscribe(False)
        return self._read()

    def _read(self) -> Iterator[T]:
        items = self._items
        while True:
            if items:
                yield items.popleft()[1]
            elif self._closed:
                if self._error is not None:
                    raise self._error
                return
            elif (self._request_more is None or not self._request_more()) and not (
                items or self._closed
            ):
                # The pump has nothing more, and that last call neither queued items nor closed us.
                return

    def __aiter__(self) -> AsyncIterator[T]:
        """Subscribe (once) and read the items, pumping the run when the queue is empty."""
        self._subscribe(True)
        return self._aread()

    def _aread(self) -> AsyncIterator[T]:
        return _AsyncCursor(self)

    def tee(self, n: int = 2) -> tuple[Iterator[T], ...]:
        """Subscribe and return ``n`` iterators that each see every item."""
        if n < 1:
            raise ValueError(f"tee() needs n >= 1, got {n}")
        source = iter(self)
        queues: list[deque[T]] = [deque() for _ in range(n)]
        ended = False

        def branch(queue: deque[T]) -> Iterator[T]:
            nonlocal ended
            while True:
                if queue:
                    yield queue.popleft()
                elif ended:
                    return
                else:
                    try:
                        item = next(source)
                    except StopIteration:
                        ended = True
                        return
                    for q in queues:
                        q.append(item)

        return tuple(branch(q) for q in queues)

    def atee(self, n: int = 2) -> tuple[AsyncIterator[T], ...]:
        """Subscribe and return ``n`` async iterators that each see every item."""
        if n < 1:
            raise ValueError(f"atee() needs n >= 1, got {n}")
        source = aiter(self)
        queues: list[deque[T]] = [deque() for _ in range(n)]
        ended = False
        error: BaseException | None = None
        lock = anyio.Lock()  # one branch pulls from the source at a time

        async def branch(queue: deque[T]) -> AsyncIterator[T]:
            nonlocal ended, error
            while True:
                if queue:
                    yield queue.popleft()
                    continue
                if ended:
                    if error is not None:
                        raise error
                    return
                async with lock:
                    if queue or ended:
                        continue
                    try:
                        item = await source.__anext__()
                    except StopAsyncIteration:
                        ended = True
                        continue
                    except Exception as exc:
                        error, ended = exc, True
                        continue
                    for q in queues:
                        q.append(item)

        return tuple(branch(q) for q in queues)


class _AsyncCursor(AsyncIterator[T]):
    """The async reader of a channel. A class, not an async generator: a reader that stops
    early (``break``) leaves nothing suspended that trio or asyncio would warn about."""

    __slots__ = ("_channel",)

    def __init__(self, channel: StreamChannel[T]) -> None:
        self._channel = channel

    async def __anext__(self) -> T:
        channel = self._channel
        items = channel._items
        while True:
            if items:
                return items.popleft()[1]
            if channel._closed:
                if channel._error is not None:
                    raise channel._error
                raise StopAsyncIteration
            pump = channel._arequest_more
            if (pump is None or not await pump()) and not (items or channel._closed):
                raise StopAsyncIteration
