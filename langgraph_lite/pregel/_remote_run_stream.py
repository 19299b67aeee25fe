"""``RemoteGraph.stream_events(version="v3")``: a run on the server seen as a local v3 run.

The SDK's v3 thread stream (``client.threads.stream(...)``, a ``SyncThreadStream`` or an
``AsyncThreadStream``) already decodes the server's protocol events; the two adapters here give
it the surface of a local ``GraphRunStream`` / ``AsyncGraphRunStream``: entering starts the
run, ``values`` / ``messages`` / ``subgraphs`` / ``tool_calls`` are the SDK's projections,
``extensions`` maps channel names to projections, ``abort()`` cancels the run, iterating gives
the raw protocol events. What differs from a local run: ``interrupted`` / ``interrupts`` read
the SDK's current view without waiting for the run to end.

The module name and the adapters' names are LangGraph's (programs and tests import them).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from langgraph_lite.pregel.remote_wire import merge_configs, sanitize_config
from langgraph_lite.types import Command

__all__ = [
    "RemoteStreamEvents",
    "_AsyncRemoteGraphRunStream",
    "_ChannelProjection",
    "_ProjectionRegistry",
    "_RemoteGraphRunStream",
    "_translate_command_input",
]

logger = logging.getLogger("langgraph_lite")

_V3_SUPPORTED_KWARGS = frozenset({"metadata", "headers"})


def _translate_command_input(input: Any) -> Any:
    """What a v3 run starts with: a ``Command(resume=...)`` is its bare answer (the server
    sees the thread is interrupted and resumes it); ``goto`` / ``update`` have no v3 route."""
    if not isinstance(input, Command):
        return input
    if input.goto or input.update:
        raise NotImplementedError(
            "RemoteGraph.stream_events(version='v3') takes Command(resume=...) only: a v3 run "
            "cannot carry a Command's goto or update. Use stream() for those."
        )
    return input.resume


def _data_decoder(channel: str) -> Any:
    from langgraph_sdk.stream.decoders import DataDecoder  # (the SDK is optional)

    return DataDecoder(channel)


class _ChannelProjection:
    """The items of one wire channel the SDK has no typed projection for (``updates``,
    ``checkpoints``, ``tasks``, ``custom``): each event's ``params.data``, as the local
    projection of that channel yields them. ``for`` on a sync stream, ``async for`` on an
    async one; the stream must be entered first."""

    def __init__(self, sdk: Any, channel: str) -> None:
        self._sdk = sdk
        self._channel = channel

    def __iter__(self) -> Iterator[Any]:
        decoder = _data_decoder(self._channel)
        for event in self._sdk.subscribe([self._channel]):
            yield from decoder.feed(event)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._items()

    async def _items(self) -> AsyncIterator[Any]:
        decoder = _data_decoder(self._channel)
        async for event in self._sdk.subscribe([self._channel]):
            for item in decoder.feed(event):
                yield item


class _ProjectionRegistry(Mapping[str, Any]):
    """Channel name -> projection, as a local run's ``extensions``: the SDK's typed
    projections, decoded ones for the plain channels, and any other name as a custom
    extension channel. ``lifecycle`` (the SDK's control plane) and ``debug`` (no v3 channel)
    are not listed."""

    _TYPED = ("values", "messages", "tool_calls", "subgraphs")
    _DECODED = ("updates", "checkpoints", "tasks", "custom")
    _NATIVE = _TYPED + _DECODED

    def __init__(self, sdk: Any) -> None:
        self._sdk = sdk

    def __getitem__(self, name: str) -> Any:
        if name in self._TYPED:
            return getattr(self._sdk, name)
        if name in self._DECODED:
            return _ChannelProjection(self._sdk, name)
        return self._sdk.extensions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._NATIVE)

    def __len__(self) -> int:
        return len(self._NATIVE)


class _Adapter:
    """What both adapters hold: the client, the SDK's thread stream, how the run starts."""

    def __init__(self, client: Any, sdk_thread: Any, input: Any, config: Any, metadata: Any):
        self._client = client
        self._sdk = sdk_thread
        self._start_kwargs: dict[str, Any] = {
            "input": _translate_command_input(input),
            "config": config,
            "metadata": metadata,
        }
        self._run_id: str | None = None  # set once the run started
        self._closed = False

    def _refuse_reentry(self) -> None:
        if self._closed:
            raise RuntimeError(f"{type(self).__name__} already closed: open a new stream_events().")

    @property
    def values(self) -> Any:
        """The state after each step, as the server streams it (local ``run.values``)."""
        return self._sdk.values

    @property
    def messages(self) -> Any:
        """The chat messages streamed (local ``run.messages``)."""
        return self._sdk.messages

    @property
    def subgraphs(self) -> Any:
        """A handle per subgraph run (local ``run.subgraphs``)."""
        return self._sdk.subgraphs

    @property
    def tool_calls(self) -> Any:
        """Tool executions (started / output / finished): the ``tools`` channel."""
        return self._sdk.tool_calls

    @property
    def extensions(self) -> Mapping[str, Any]:
        """Channel name -> projection (local ``run.extensions``)."""
        return _ProjectionRegistry(self._sdk)


class _RemoteGraphRunStream(_Adapter):
    """A v3 run on the server, used as a local ``GraphRunStream``: ``with`` starts it."""

    def __init__(
        self, *, sync_client: Any, sdk_thread: Any, input: Any, config: Any, metadata: Any
    ) -> None:
        super().__init__(sync_client, sdk_thread, input, config, metadata)
        self._events: Iterator[Any] | None = None

    def __enter__(self) -> _RemoteGraphRunStream:
        self._refuse_reentry()
        self._sdk.__enter__()
        try:
            started = self._sdk.run.start(**self._start_kwargs)
        except BaseException:
            self._sdk.__exit__(*sys.exc_info())  # the session is closed before the error goes
            raise
        self._run_id = started["run_id"]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._closed:
            self._closed = True
            self._sdk.__exit__(exc_type, exc, tb)

    @property
    def output(self) -> Any:
        """The run's final state (the SDK waits for it)."""
        return self._sdk.output

    @property
    def interrupted(self) -> bool:
        """Whether the run stands at an interrupt now (does not wait for the run to end)."""
        return self._sdk.interrupted

    @property
    def interrupts(self) -> list[Any]:
        """The interrupts waiting now (does not wait for the run to end)."""
        return list(self._sdk.interrupts)

    def abort(self) -> None:
        """Cancel the run on the server and close the stream; a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._run_id is not None:
            try:
                self._client.runs.cancel(self._sdk.thread_id, self._run_id, wait=False)
            except Exception:  # the stream is closed all the same
                logger.debug("abort: cancelling the remote run failed", exc_info=True)
        try:
            self._sdk.close()
        except Exception:
            logger.debug("abort: closing the SDK stream failed", exc_info=True)

    def __iter__(self) -> Iterator[Any]:
        if self._events is None:  # one subscription, however often iterated
            self._events = iter(self._sdk.events)
        return self._events

    def interleave(self, *names: str) -> Iterator[tuple[str, Any]]:
        """``(name, item)`` pairs of several projections, in the order they arrive."""
        yield from self._sdk.interleave_projections(list(names))


class _AsyncRemoteGraphRunStream(_Adapter):
    """A v3 run on the server, used as a local ``AsyncGraphRunStream``: ``async with``
    starts it. (No ``interleave``: async code combines projections with a task group.)"""

    def __init__(
        self, *, client: Any, sdk_thread: Any, input: Any, config: Any, metadata: Any
    ) -> None:
        super().__init__(client, sdk_thread, input, config, metadata)
        self._events: AsyncIterator[Any] | None = None

    async def __aenter__(self) -> _AsyncRemoteGraphRunStream:
        self._refuse_reentry()
        await self._sdk.__aenter__()
        try:
            started = await self._sdk.run.start(**self._start_kwargs)
        except BaseException:
            await self._sdk.__aexit__(*sys.exc_info())
            raise
        self._run_id = started["run_id"]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._closed:
            self._closed = True
            await self._sdk.__aexit__(exc_type, exc, tb)

    async def output(self) -> Any:
        """The run's final state, once the run ends (a method, as on a local async run)."""
        return await self._sdk.output

    async def interrupted(self) -> bool:
        """Whether the run stands at an interrupt now (does not wait for the run to end)."""
        return self._sdk.interrupted

    async def interrupts(self) -> list[Any]:
        """The interrupts waiting now (does not wait for the run to end)."""
        return list(self._sdk.interrupts)

    async def abort(self) -> None:
        """Cancel the run on the server and close the stream; a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._run_id is not None:
            try:
                await self._client.runs.cancel(self._sdk.thread_id, self._run_id, wait=False)
            except Exception:
                logger.debug("abort: cancelling the remote run failed", exc_info=True)
        try:
            await self._sdk.close()
        except Exception:
            logger.debug("abort: closing the SDK stream failed", exc_info=True)

    def __aiter__(self) -> AsyncIterator[Any]:
        if self._events is None:
            self._events = self._sdk.events.__aiter__()
        return self._events


class RemoteStreamEvents:
    """``RemoteGraph``'s ``stream_events`` / ``astream_events`` (v3 only)."""

    assistant_id: str
    config: Any
    client: Any
    sync_client: Any

    def _sync(self, method: str) -> Any:
        raise NotImplementedError  # (RemoteGraph's)

    def _async(self, method: str) -> Any:
        raise NotImplementedError  # (RemoteGraph's)

    def _headers(self, headers: Mapping[str, str] | None) -> Any:
        raise NotImplementedError  # (RemoteGraph's)

    def _reject_v3_unsupported(
        self,
        *,
        control: Any,
        transformers: Any,
        interrupt_before: Any,
        interrupt_after: Any,
        extra_kwargs: dict[str, Any],
    ) -> None:
        """Refuse what a v3 run on the server cannot do, naming it."""
        for name, value in (
            ("control", control),
            ("transformers", transformers),
            ("interrupt_before", interrupt_before),
            ("interrupt_after", interrupt_after),
        ):
            if value:
                raise NotImplementedError(
                    f"RemoteGraph.stream_events(version='v3') does not support `{name}=`: a "
                    "run on the server is shaped by the server."
                )
        unknown = set(extra_kwargs) - _V3_SUPPORTED_KWARGS
        if unknown:
            raise NotImplementedError(
                f"RemoteGraph.stream_events(version='v3') does not support the keyword "
                f"arguments {sorted(unknown)!r}; it takes {sorted(_V3_SUPPORTED_KWARGS)!r}."
            )

    def _v3(
        self, client: Any, input: Any, config: Any, headers: Any, kwargs: dict[str, Any]
    ) -> Any:
        _translate_command_input(input)  # refused before the SDK opens anything
        sanitized = sanitize_config(merge_configs(self.config, config))
        thread_id = sanitized.get("configurable", {}).pop("thread_id", None)
        sdk_thread = client.threads.stream(
            thread_id=thread_id, assistant_id=self.assistant_id, headers=self._headers(headers)
        )
        return sdk_thread, sanitized, kwargs.get("metadata")

    def stream_events(
        self,
        input: Any,
        config: Any = None,
        *,
        version: str = "v2",
        interrupt_before: Sequence[str] | None = None,
        interrupt_after: Sequence[str] | None = None,
        control: Any = None,
        transformers: Sequence[Any] | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """``version="v3"``: the run as a local ``GraphRunStream`` (``with`` starts it; see
        ``pregel/_remote_run_stream.py``). Other versions are LangChain's event streams, which
        this library does not have: ``NotImplementedError``."""
        if version != "v3":
            raise NotImplementedError(
                f"RemoteGraph.stream_events(version={version!r}) is not implemented: it is "
                "LangChain's Runnable event stream. Use stream(), or version='v3'."
            )
        self._reject_v3_unsupported(
            control=control, transformers=transformers, interrupt_before=interrupt_before,
            interrupt_after=interrupt_after, extra_kwargs=kwargs,
        )  # fmt: skip
        sync_client = self._sync("stream_events")
        sdk_thread, sanitized, metadata = self._v3(sync_client, input, config, headers, kwargs)
        return _RemoteGraphRunStream(
            sync_client=sync_client, sdk_thread=sdk_thread, input=input, config=sanitized,
            metadata=metadata,
        )  # fmt: skip

    async def astream_events(
        self,
        input: Any,
        config: Any = None,
        *,
        version: str = "v2",
        interrupt_before: Sequence[str] | None = None,
        interrupt_after: Sequence[str] | None = None,
        control: Any = None,
        transformers: Sequence[Any] | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """``version="v3"``: awaits to the run as a local ``AsyncGraphRunStream``
        (``async with await remote.astream_events(..., version="v3") as run``). Other
        versions: ``NotImplementedError`` (use ``astream``)."""
        if version != "v3":
            raise NotImplementedError(
                f"RemoteGraph.astream_events(version={version!r}) is not implemented; use "
                "astream() for v1/v2 streaming, or version='v3'."
            )
        self._reject_v3_unsupported(
            control=control, transformers=transformers, interrupt_before=interrupt_before,
            interrupt_after=interrupt_after, extra_kwargs=kwargs,
        )  # fmt: skip
        client = self._async("astream_events")
        sdk_thread, sanitized, metadata = self._v3(client, input, config, headers, kwargs)
        return _AsyncRemoteGraphRunStream(
            client=client, sdk_thread=sdk_thread, input=input, config=sanitized,
            metadata=metadata,
        )  # fmt: skip
