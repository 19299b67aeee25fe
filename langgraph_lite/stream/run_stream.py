"""The objects a v3 run returns: ``GraphRunStream`` (``stream_events``) and
``AsyncGraphRunStream`` (``astream_events``), and their subgraph handles.

Caller-driven: there is no background thread or task. Whatever the caller reads (the main log
by iterating the run, a projection such as ``run.values``, ``run.output``) pulls one graph part
at a time through the *pump*, which converts it, notes the run's own ``values`` (for ``output``
and ``interrupts``) and pushes it through the mux. Several async readers share one pump: one
pulls, the others wait for its step and then look at their own buffers.

    caller reads run.values ──empty──> pump ──next(graph part)──> mux ──> transformers
              ^                                                            │
              └───────────── item lands in run.values' queue <─────────────┘

A subgraph handle (``SubgraphRunStream``) has no graph iterator of its own: its mux is a child
of the root's and its pump is the root's, so reading a handle drives the whole run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import MappingProxyType, TracebackType
from typing import Any, NoReturn

import anyio

from langgraph_lite.stream._convert import convert_to_protocol_event
from langgraph_lite.stream._mux import StreamMux
from langgraph_lite.stream._types import ProtocolEvent
from langgraph_lite.stream.stream_channel import StreamChannel

__all__ = [
    "AsyncGraphRunStream",
    "AsyncSubgraphRunStream",
    "GraphRunStream",
    "SubgraphRunStream",
]


def _no_projection(run: object, name: str) -> NoReturn:
    # Native projections are instance attributes, so __getattr__ only sees missing names. Read
    # the mux from __dict__: during __init__ it may not be there, and self._mux would recurse.
    mux = run.__dict__.get("_mux")
    known = ", ".join(sorted(mux.native_keys)) if mux is not None else ""
    raise AttributeError(
        f"{type(run).__name__!r} object has no attribute {name!r} (registered projections: "
        f"{known or 'none'}); a projection exists when its transformer is registered, e.g. "
        "compile(transformers=[UpdatesTransformer])"
    )


class _RunState:
    """What both lanes track: the last own-level ``values`` and the interrupts seen."""

    _mux: StreamMux

    def _setup(self, mux: StreamMux) -> None:
        self._mux = mux
        self.extensions: Mapping[str, Any] = MappingProxyType(mux.extensions)
        self._exhausted = False
        self._latest: dict[str, Any] | None = None
        self._interrupted = False
        self._interrupts: list[Any] = []
        self._scope_list = list(mux.scope)
        for key in mux.native_keys:
            setattr(self, key, mux.extensions[key])

    def _observe_event(self, event: ProtocolEvent) -> None:
        if event["method"] != "values":
            return
        params = event["params"]
        if params["namespace"] != self._scope_list:
            return
        self._latest = params["data"]
        interrupts = params.get("interrupts", ())
        if interrupts:
            self._interrupted = True
            self._interrupts.extend(interrupts)

    def _raise_if_failed(self) -> None:
        err = self._mux._events._error
        if err is not None:
            raise err


class GraphRunStream(_RunState):
    """A sync v3 run. Iterate it for every ``ProtocolEvent``, or read its projections.

    Native projections are attributes (``run.values``, ``run.messages``, ``run.lifecycle``,
    ``run.subgraphs``, and ``run.updates`` / ``run.custom`` / ... when registered); every
    projection is in ``run.extensions``. Each can be read once (``.tee(n)`` to fan out), and a
    projection holds items only from the moment someone reads it, so subscribe before pulling.
    ``with graph.stream_events(..., version="v3") as run:`` stops the run on exit.
    """

    values: StreamChannel[dict[str, Any]]
    messages: StreamChannel[Any]
    lifecycle: StreamChannel[Any]
    subgraphs: StreamChannel[SubgraphRunStream]
    updates: StreamChannel[dict[str, Any]]
    custom: StreamChannel[Any]
    checkpoints: StreamChannel[dict[str, Any]]
    debug: StreamChannel[dict[str, Any]]
    tasks: StreamChannel[dict[str, Any]]

    def __getattr__(self, name: str) -> StreamChannel[Any]:
        """Projections of transformers defined elsewhere; a missing one raises AttributeError."""
        _no_projection(self, name)

    def __init__(
        self, graph_iter: Iterator[Any] | None, mux: StreamMux, *, wire_pump: bool = True
    ) -> None:
        """Wrap the graph's v2 part iterator (None for a subgraph handle) and its mux."""
        self._graph_iter = graph_iter
        self._setup(mux)
        if wire_pump:
            mux.bind_pump(self._pump_next)

    def _pump_next(self) -> bool:
        """Pull one part through the mux; False once the graph has ended (or failed)."""
        if self._exhausted or self._graph_iter is None:
            return False
        try:
            part = next(self._graph_iter)
        except StopIteration:
            self._exhausted = True
            try:
                self._mux.close()
            except Exception:  # a finalize() failed: the mux failed the channels with it
                pass
            return False
        except Exception as exc:
            self._exhausted = True
            self._mux.fail(exc)
            return False
        event = convert_to_protocol_event(part)
        self._observe_event(event)
        try:
            self._mux.push(event)
        except Exception as exc:
            # A transformer broke: end the run with its error rather than leaving it half-fed.
            self._stop_graph()
            self._exhausted = True
            self._mux.fail(exc)
            return False
        return True

    def _stop_graph(self) -> None:
        graph_iter, self._graph_iter = self._graph_iter, None
        close = getattr(graph_iter, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # stopping: what it raises changes nothing now
                pass

    def abort(self) -> None:
        """Stop the run now: running nodes are cancelled, projections end. Idempotent."""
        if self._exhausted:
            return
        self._exhausted = True
        self._stop_graph()
        try:
            self._mux.close()
        except Exception:
            pass

    def __enter__(self) -> GraphRunStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.abort()

    def _drain(self) -> None:
        while self._pump_next():
            pass
        self._raise_if_failed()

    @property
    def output(self) -> dict[str, Any] | None:
        """Run to the end; the last state of the run's own graph (raises what the run raised)."""
        self._drain()
        return self._latest

    @property
    def interrupted(self) -> bool:
        """Run to the end; whether the run stopped at an interrupt."""
        self._drain()
        return self._interrupted

    @property
    def interrupts(self) -> list[Any]:
        """Run to the end; the interrupts the run stopped at."""
        self._drain()
        return self._interrupts

    def __iter__(self) -> Iterator[ProtocolEvent]:
        """Every event of the run's main log (subscribe once)."""
        return iter(self._mux._events)

    def interleave(self, *names: str) -> Iterator[tuple[str, Any]]:
        """Read several projections at once, as ``(name, item)`` in the order items arrived."""
        channels: dict[str, StreamChannel[Any]] = {}
        try:
            for name in names:
                channel = self.extensions[name]
                if not isinstance(channel, StreamChannel):
                    raise TypeError(
                        f"interleave() reads StreamChannel projections; {name!r} is a "
                        f"{type(channel).__name__}"
                    )
                channel._subscribe(False)
                channels[name] = channel
            yield from self._interleave(channels)
        finally:
            for channel in channels.values():
                channel._subscribed = False

    def _interleave(self, channels: dict[str, StreamChannel[Any]]) -> Iterator[tuple[str, Any]]:
        live = dict(channels)
        while live:
            first: tuple[int, str] | None = None
            for name, channel in list(live.items()):
                if channel._items:
                    stamp = channel._items[0][0]
                    if first is None or stamp < first[0]:
                        first = (stamp, name)
                elif channel._closed:
                    if channel._error is not None:
                        raise channel._error
                    del live[name]
            if first is not None:
                yield first[1], live[first[1]]._items.popleft()[1]
                continue
            pump = self._mux._pump_fn
            if (
                live
                and (pump is None or not pump())
                and not any(c._items or c._closed for c in live.values())
            ):
                return


class AsyncGraphRunStream(_RunState):
    """An async v3 run (``run = await graph.astream_events(..., version="v3")``).

    As ``GraphRunStream`` with ``async for``; ``output()``, ``interrupted()`` and
    ``interrupts()`` are coroutines. ``async with run:`` stops the run on exit. Works on asyncio
    and trio.
    """

    values: StreamChannel[dict[str, Any]]
    messages: StreamChannel[Any]
    lifecycle: StreamChannel[Any]
    subgraphs: StreamChannel[AsyncSubgraphRunStream]
    updates: StreamChannel[dict[str, Any]]
    custom: StreamChannel[Any]
    checkpoints: StreamChannel[dict[str, Any]]
    debug: StreamChannel[dict[str, Any]]
    tasks: StreamChannel[dict[str, Any]]

    def __getattr__(self, name: str) -> StreamChannel[Any]:
        """Projections of transformers defined elsewhere; a missing one raises AttributeError."""
        _no_projection(self, name)

    def __init__(
        self,
        graph_aiter: AsyncIterator[Any] | None,
        mux: StreamMux,
        *,
        wire_pump: bool = True,
    ) -> None:
        """Wrap the graph's v2 part async iterator (None for a subgraph handle) and its mux."""
        self._graph_aiter = graph_aiter
        self._setup(mux)
        self._pump_cond = anyio.Condition()
        self._pumping = False
        # The cancel scope of the pull in flight, so that abort() can stop it mid-step.
        self._pull_scope: anyio.CancelScope | None = None
        self._aborting = False
        if wire_pump:
            mux.bind_apump(self._apump_next)

    async def _apump_next(self) -> bool:
        """Pull one part through the mux, or wait for the reader that is pulling one.

        Only one task advances the graph at a time; the others wait for its step, then return
        True so that their cursors look at their queues again.
        """
        async with self._pump_cond:
            if self._exhausted or self._graph_aiter is None:
                return False
            if self._pumping:
                await self._pump_cond.wait()
                return not self._exhausted
            self._pumping = True
        try:
            return await self._pull()
        finally:
            with anyio.CancelScope(shield=True):
                async with self._pump_cond:
                    self._pumping = False
                    self._pump_cond.notify_all()

    async def _pull(self) -> bool:
        assert self._graph_aiter is not None
        try:
            with anyio.CancelScope() as scope:
                self._pull_scope = scope
                part = await self._graph_aiter.__anext__()
        except StopAsyncIteration:
            self._exhausted = True
            if not self._aborting:  # (abort() closes the mux itself)
                try:
                    await self._mux.aclose()
                except Exception as exc:
                    if not self._mux._events._closed:  # scheduled work failed: the run fails
                        await self._mux.afail(exc)
            return False
        except Exception as exc:
            self._exhausted = True
            if self._aborting:
                return False
            await self._mux.afail(exc)
            return False
        finally:
            self._pull_scope = None
        if scope.cancelled_caught:  # abort() stopped this pull
            self._exhausted = True
            return False
        event = convert_to_protocol_event(part)
        self._observe_event(event)
        try:
            await self._mux.apush(event)
        except Exception as exc:
            self._exhausted = True
            await self._stop_graph()
            await self._mux.afail(exc)
            return False
        return True

    async def _stop_graph(self) -> None:
        graph_aiter, self._graph_aiter = self._graph_aiter, None
        aclose = getattr(graph_aiter, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:  # stopping: what it raises changes nothing now
                pass

    async def abort(self) -> None:
        """Stop the run now: a pull in flight is cancelled, running nodes too. Idempotent."""
        async with self._pump_cond:
            if self._exhausted:
                return
            self._exhausted = True
            self._aborting = True
            scope = self._pull_scope
            self._pump_cond.notify_all()
        if scope is not None:
            scope.cancel()
            # Wait for the pumping task to leave the pull, so the iterator is not running.
            with anyio.CancelScope(shield=True):
                async with self._pump_cond:
                    while self._pumping:
                        await self._pump_cond.wait()
        await self._stop_graph()
        try:
            await self._mux.aclose()
        except Exception:
            pass

    async def __aenter__(self) -> AsyncGraphRunStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.abort()

    async def _drain(self) -> None:
        while await self._apump_next():
            pass
        self._raise_if_failed()

    async def output(self) -> dict[str, Any] | None:
        """Run to the end; the last state of the run's own graph (raises what the run raised)."""
        await self._drain()
        return self._latest

    async def interrupted(self) -> bool:
        """Run to the end; whether the run stopped at an interrupt."""
        await self._drain()
        return self._interrupted

    async def interrupts(self) -> list[Any]:
        """Run to the end; the interrupts the run stopped at."""
        await self._drain()
        return self._interrupts

    def __aiter__(self) -> AsyncIterator[ProtocolEvent]:
        """Every event of the run's main log (subscribe once)."""
        return aiter(self._mux._events)


class _SubgraphFields:
    """What a subgraph handle knows of its subgraph; ``SubgraphTransformer`` updates status."""

    path: tuple[str, ...]
    graph_name: str | None
    trigger_call_id: str | None
    status: Any
    error: str | None
    _seen_terminal: bool

    def _set_fields(
        self, path: tuple[str, ...], graph_name: str | None, trigger_call_id: str | None
    ) -> None:
        self.path = path
        self.graph_name = graph_name
        self.trigger_call_id = trigger_call_id
        self.status = "started"
        self.error = None
        self._seen_terminal = False


class SubgraphRunStream(GraphRunStream, _SubgraphFields):
    """A subgraph of a sync v3 run, as its own run stream; reading it drives the root run."""

    def __init__(
        self,
        mux: StreamMux,
        *,
        path: tuple[str, ...],
        graph_name: str | None = None,
        trigger_call_id: str | None = None,
    ) -> None:
        """Wrap a child mux (``root_mux._make_child(path)``), whose pump is the root's."""
        self._parent_pump_fn: Callable[[], bool] | None = mux._pump_fn
        super().__init__(None, mux, wire_pump=False)
        self._set_fields(path, graph_name, trigger_call_id)

    def _pump_next(self) -> bool:
        if (
            self._exhausted
            or self._seen_terminal
            or self._mux._events._closed
            or self._parent_pump_fn is None
        ):
            return False
        return self._parent_pump_fn()


class AsyncSubgraphRunStream(AsyncGraphRunStream, _SubgraphFields):
    """A subgraph of an async v3 run, as its own run stream; reading it drives the root run."""

    def __init__(
        self,
        mux: StreamMux,
        *,
        path: tuple[str, ...],
        graph_name: str | None = None,
        trigger_call_id: str | None = None,
    ) -> None:
        """Wrap a child mux (``root_mux._make_child(path)``), whose pump is the root's."""
        self._parent_apump_fn: Callable[[], Awaitable[bool]] | None = mux._apump_fn
        super().__init__(None, mux, wire_pump=False)
        self._set_fields(path, graph_name, trigger_call_id)

    async def _apump_next(self) -> bool:
        if (
            self._exhausted
            or self._seen_terminal
            or self._mux._events._closed
            or self._parent_apump_fn is None
        ):
            return False
        return await self._parent_apump_fn()
