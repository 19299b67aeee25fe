"""``StreamMux``: where a v3 run's events meet its transformers.

The mux registers transformers (those marked ``before_builtins`` first, otherwise in the
order given), merges their projections into ``extensions``, binds every ``StreamChannel`` it
finds there to the run's lane, and wires named channels to forward into the main log. Then
each event goes through every transformer, and into the main log unless one of them said no.

Numbering: only the root mux writes ``seq``, and it writes it as an event *enters the main
log*, after the transformers ran, so that what a transformer forwarded while looking at an
event comes before the event itself. Child muxes (one per subgraph handle, made by
``_make_child``) share event objects with the root and never touch them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from langgraph_lite.stream._types import (
    _QUIET,
    ProtocolEvent,
    ScheduledCoroutine,
    StreamTransformer,
    transformer_requires_async,
)
from langgraph_lite.stream.stream_channel import StreamChannel

__all__ = ["StreamMux", "TransformerFactory"]

TransformerFactory = Callable[[tuple[str, ...]], StreamTransformer]
"""``factory(scope) -> StreamTransformer``; a transformer class whose ``__init__`` takes the
scope is one. Called once per mux, so every subgraph handle gets fresh transformers."""


class StreamMux:
    """Routes a run's events through its transformers into the main event log.

    ``factories`` are called with ``scope`` and carried to child muxes; ``transformers``
    (already built) are registered here only. ``is_async`` picks the lane: ``push`` / ``close``
    / ``fail`` or ``apush`` / ``aclose`` / ``afail``.
    """

    def __init__(
        self,
        transformers: list[StreamTransformer] | None = None,
        *,
        is_async: bool = False,
        factories: list[TransformerFactory] | None = None,
        scope: tuple[str, ...] = (),
        _assign_seq: bool = True,
    ) -> None:
        """Register the transformers; raises if one cannot run on this lane or keys collide."""
        self.is_async = is_async
        self.scope: tuple[str, ...] = scope
        self._assign_seq = _assign_seq
        self._events: StreamChannel[ProtocolEvent] = StreamChannel()
        self._events._bind(is_async=is_async)
        self._events._bind_mux(self)
        self._transformers: list[StreamTransformer] = []
        self._channels: list[StreamChannel[Any]] = []
        self._seq = 0
        self._push_seq = 0
        self.extensions: dict[str, Any] = {}
        self.native_keys: set[str] = set()
        self._projection_owners: dict[str, str] = {}
        self._transformer_by_key: dict[str, StreamTransformer] = {}
        self._factories = list(factories) if factories is not None else None
        self._pump_fn: Callable[[], bool] | None = None
        self._apump_fn: Callable[[], Awaitable[bool]] | None = None
        # Factories first (they propagate to child muxes), then the instances (root only);
        # within each group the before_builtins lane goes first, order kept within a lane.
        if factories is not None:
            self._register_all([factory(scope) for factory in factories])
        self._register_all(list(transformers or ()))

    def _register_all(self, transformers: list[StreamTransformer]) -> None:
        early = [t for t in transformers if getattr(t, "before_builtins", False)]
        for transformer in early + [t for t in transformers if t not in early]:
            self._register(transformer)

    def transformer_by_key(self, key: str) -> StreamTransformer | None:
        """The transformer whose projection holds ``key``, or None."""
        return self._transformer_by_key.get(key)

    def _next_push_seq(self) -> int:
        self._push_seq += 1
        return self._push_seq

    # -- pumps and child muxes ---------------------------------------------------------------

    def bind_pump(self, fn: Callable[[], bool]) -> None:
        """Give every channel of this mux (and transformers with ``_bind_pump``) the sync pump."""
        self._pump_fn = fn
        self._events._request_more = fn
        for channel in self._channels:
            channel._request_more = fn
        for transformer in self._transformers:
            bind = getattr(transformer, "_bind_pump", None)
            if bind is not None:
                bind(fn)

    def bind_apump(self, fn: Callable[[], Awaitable[bool]]) -> None:
        """The async twin of ``bind_pump``."""
        self._apump_fn = fn
        self._events._arequest_more = fn
        for channel in self._channels:
            channel._arequest_more = fn
        for transformer in self._transformers:
            bind = getattr(transformer, "_bind_apump", None)
            if bind is not None:
                bind(fn)

    def _make_child(self, scope: tuple[str, ...]) -> StreamMux:
        """A mux with fresh transformers from the same factories, scoped to ``scope``.

        It shares this mux's pumps (reading a subgraph handle drives the root run) and does not
        number events.
        """
        if self._factories is None:
            raise RuntimeError(
                "StreamMux._make_child needs a mux built with factories=: transformer "
                "instances cannot be copied into a subgraph's scope"
            )
        child = StreamMux(
            factories=self._factories, is_async=self.is_async, scope=scope, _assign_seq=False
        )
        if self._pump_fn is not None:
            child.bind_pump(self._pump_fn)
        if self._apump_fn is not None:
            child.bind_apump(self._apump_fn)
        return child

    def _register(self, transformer: StreamTransformer) -> None:
        name = type(transformer).__name__
        if not self.is_async and transformer_requires_async(transformer):
            raise RuntimeError(
                f"{name} requires an async run (it overrides aprocess/afinalize/afail or sets "
                "requires_async = True): use astream_events(..., version='v3'), not "
                "stream_events; if it also works synchronously, set supports_sync = True"
            )
        projection = transformer.init()
        if not isinstance(projection, dict):
            raise TypeError(
                f"{name}.init() must return a dict of projections, got "
                f"{type(projection).__name__}: {projection!r}"
            )
        clashes = sorted(set(projection) & set(self.extensions))
        if clashes:
            owners = ", ".join(f"{k!r} (owned by {self._projection_owners[k]})" for k in clashes)
            raise ValueError(
                f"{name}.init() returned projection keys that conflict with already-registered "
                f"keys: {owners}; rename the key in one of them"
            )
        native = bool(getattr(transformer, "_native", False))
        self._transformers.append(transformer)
        self._bind_and_wire(projection, native=native)
        self.extensions.update(projection)
        for key in projection:
            self._projection_owners[key] = name
            self._transformer_by_key[key] = transformer
        if native:
            self.native_keys.update(projection)
        transformer._on_register(self)

    def _bind_and_wire(self, projection: dict[str, Any], *, native: bool) -> None:
        for value in projection.values():
            if not isinstance(value, StreamChannel):
                continue
            value._bind(is_async=self.is_async)
            value._bind_mux(self)
            self._channels.append(value)
            if value.name is not None:
                method = value.name if native else f"custom:{value.name}"
                value._wire(self._forwarder(method))

    def _forwarder(self, method: str) -> Callable[[Any], None]:
        def forward(item: Any) -> None:
            self._forward(method, item)

        return forward

    def _forward(self, method: str, item: Any) -> None:
        # A channel's item goes straight to the main log, past the transformers: one that
        # pushes while processing must not see its own push again.
        event: ProtocolEvent = {
            "type": "event",
            "method": method,
            "params": {"namespace": [], "timestamp": int(time.time() * 1000), "data": item},
        }
        self._append(event)

    def _append(self, event: ProtocolEvent) -> None:
        if self._assign_seq:
            self._seq += 1
            event["seq"] = self._seq
        self._events.push(event)

    # -- sync lane ---------------------------------------------------------------------------

    def push(self, event: ProtocolEvent) -> None:
        """Offer ``event`` to every transformer, then log it unless one returned False."""
        keep = True
        for transformer in self._transformers:
            if not transformer.process(event):
                keep = False
        if keep:
            self._append(event)

    def close(self) -> None:
        """The run ended: finalize every transformer, close every channel. If a ``finalize``
        raised, the channels fail with the first such error instead, which is then re-raised."""
        first: BaseException | None = None
        for transformer in self._transformers:
            try:
                transformer.finalize()
            except BaseException as exc:
                first = first or exc
        self._end_channels(first)

    def _end_channels(self, first: BaseException | None) -> None:
        # Readers must not see a clean end of a run whose teardown broke.
        if first is None:
            self._close_channels()
            return
        self._fail_channels(first)
        raise first

    def fail(self, err: BaseException) -> None:
        """The run failed with ``err``: tell every transformer, fail every open channel."""
        for transformer in self._transformers:
            try:
                transformer.fail(err)
            except BaseException:  # one failing hook must not stop the others
                pass
        self._fail_channels(err)

    def _close_channels(self) -> None:
        for channel in self._channels:
            if not channel._closed:
                channel.close()
        self._events.close()

    def _fail_channels(self, err: BaseException) -> None:
        for channel in self._channels:
            if not channel._closed:
                channel.fail(err)
        if not self._events._closed:
            self._events.fail(err)

    # -- async lane --------------------------------------------------------------------------

    async def apush(self, event: ProtocolEvent) -> None:
        """Await every transformer's ``aprocess`` in turn, then log ``event`` unless vetoed."""
        keep = True
        for transformer in self._transformers:
            if not await transformer.aprocess(event):
                keep = False
        if keep:
            self._append(event)

    async def aclose(self) -> None:
        """Wait for scheduled work, then ``afinalize`` every transformer and close channels.

        Raises the first error of scheduled work (``on_error="raise"``) before finalizing, so
        the caller can take the fail path instead; else the first ``afinalize`` error.
        """
        await self._join_scheduled()
        first: BaseException | None = None
        for transformer in self._transformers:
            try:
                await transformer.afinalize()
            except BaseException as exc:
                first = first or exc
        self._end_channels(first)

    async def afail(self, err: BaseException) -> None:
        """Cancel scheduled work, then ``afail`` every transformer and fail open channels."""
        pending = self._scheduled()
        for work in pending:
            if isinstance(work, ScheduledCoroutine):
                work._drop()
            else:
                work.cancel()
        tasks = [w for w in pending if not isinstance(w, ScheduledCoroutine)]
        if tasks:
            await _wait_all(tasks)
            for task in tasks:  # retrieved, so that asyncio does not report them as lost
                if not task.cancelled():
                    task.exception()
        for transformer in self._transformers:
            try:
                await transformer.afail(err)
            except BaseException:
                pass
        self._fail_channels(err)

    def _scheduled(self) -> list[Any]:
        # Everything scheduled and not joined yet, finished or not: a task that already failed
        # still has to fail the close (on_error="raise").
        found = []
        for transformer in self._transformers:
            work = transformer.__dict__.get("_scheduled")
            if work:
                found.extend(work)
                work.clear()
        return found

    async def _join_scheduled(self) -> None:
        # Work scheduled while other work runs is joined too: loop until none is left.
        while pending := self._scheduled():
            waiting = [w for w in pending if isinstance(w, ScheduledCoroutine)]
            if waiting:
                async with anyio.create_task_group() as group:
                    for work in waiting:
                        group.start_soon(work._run)
            tasks = [w for w in pending if not isinstance(w, ScheduledCoroutine)]
            if tasks:
                await _wait_all(tasks)
            first: BaseException | None = None
            for work in pending:
                if isinstance(work, ScheduledCoroutine):
                    first = first or work._error
                elif not work.cancelled() and work not in _QUIET:  # "log": already logged
                    first = first or work.exception()
            if first is not None:
                raise first


async def _wait_all(tasks: list[Any]) -> None:
    # (asyncio only: a ScheduledCoroutine stands in for a task on trio.) asyncio.wait neither
    # raises what a task raised nor mistakes a cancelled task for our own cancellation.
    import asyncio

    await asyncio.wait(tasks)
