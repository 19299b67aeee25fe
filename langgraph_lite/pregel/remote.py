"""``RemoteGraph``: a graph that runs on a LangGraph Agent Server, called like a local one.

It speaks to the server through the LangGraph SDK's clients (``langgraph-sdk``, the ``remote``
extra: ``pip install 'langgraph-lite[remote]'``), or through any client of the same shape that
it is given. Used as a node of a local graph, it gets the node's config: the thread id
travels, the node's namespace prefixes the remote graph's stream, the remote graph's
interrupts become the node's, and its chunks reach the parent's consumer when that consumer
streams subgraphs. What the server is sent and how its stream is read: ``remote_wire.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from typing_extensions import Self

from langgraph_lite.errors import ParentCommand
from langgraph_lite.pregel._remote_run_stream import (  # (LangGraph serves the first from here)
    _V3_SUPPORTED_KWARGS,  # noqa: F401
    RemoteStreamEvents,
)
from langgraph_lite.pregel.drawable import Graph
from langgraph_lite.pregel.protocol import PregelProtocol
from langgraph_lite.pregel.remote_wire import (
    SKIP,
    RemoteException,
    RemoteRun,
    as_node_output,
    checkpoint_of,
    config_of,
    drawable,
    merge_configs,
    run_result,
    sanitize_config,
    sdk_clients,
    snapshot_of,
    thread_of,
)
from langgraph_lite.pregel.remote_wire import tracing_headers as _merge_tracing_headers
from langgraph_lite.types import StateSnapshot

__all__ = ["RemoteException", "RemoteGraph"]


class RemoteGraph(PregelProtocol, RemoteStreamEvents):
    """A graph deployed on a LangGraph Agent Server (LangSmith Deployment, ``langgraph dev``),
    with a local graph's methods: ``invoke`` / ``stream`` / ``get_state`` / ``update_state`` /
    ``get_graph`` and their ``a…`` twins, ``with_config``; and usable as a node.

    ``assistant_id`` is the assistant's id or its graph's name. Give ``url`` (and optionally
    ``api_key``, ``headers``) to have the SDK's clients made, or ``client`` (async) and / or
    ``sync_client``; a method whose client is missing says which to give. ``config`` is merged
    under each call's; ``name`` (default: ``assistant_id``) names the node it makes in
    ``add_node(remote)``; ``distributed_tracing`` sends LangSmith's tracing headers.

    >>> from langgraph_lite.pregel.remote import RemoteGraph
    >>> RemoteGraph("agent", name="researcher").name
    'researcher'
    """

    assistant_id: str
    name: str

    def __init__(
        self,
        assistant_id: str,
        /,
        *,
        url: str | None = None,
        api_key: str | None = None,
        headers: dict[str, str] | None = None,
        client: Any = None,
        sync_client: Any = None,
        config: Mapping[str, Any] | None = None,
        name: str | None = None,
        distributed_tracing: bool = False,
    ) -> None:
        if not isinstance(assistant_id, str) or not assistant_id:
            raise (TypeError if not isinstance(assistant_id, str) else ValueError)(
                "RemoteGraph() takes the assistant's id or graph name first, as a non-empty "
                f"string, e.g. RemoteGraph('agent', url='http://localhost:2024'); got "
                f"{assistant_id!r}."
            )
        if url is not None and not isinstance(url, str):
            raise TypeError(f"RemoteGraph(url=...) must be a string, got {url!r}.")
        if headers is not None and not isinstance(headers, Mapping):
            raise TypeError(f"RemoteGraph(headers=...) must be a dict, got {headers!r}.")
        if config is not None and not isinstance(config, Mapping):
            raise TypeError(
                "RemoteGraph(config=...) must be a dict such as {'configurable': {...}}, got "
                f"{config!r}."
            )
        self.assistant_id = assistant_id
        self.name = assistant_id if name is None else name
        self.config = config
        self.distributed_tracing = distributed_tracing
        if url is not None and (client is None or sync_client is None):
            made_async, made_sync = sdk_clients(url, api_key, headers)
            client = made_async if client is None else client
            sync_client = made_sync if sync_client is None else sync_client
        self.client = client
        self.sync_client = sync_client

    def __repr__(self) -> str:
        return f"RemoteGraph({self.assistant_id!r}, name={self.name!r})"

    def _sync(self, method: str) -> Any:
        if self.sync_client is None:
            raise ValueError(
                f"RemoteGraph({self.assistant_id!r}).{method}() needs a sync client, and this "
                "one has none: pass url='http://...' or sync_client=get_sync_client(...) to "
                "RemoteGraph(...)."
            )
        return self.sync_client

    def _async(self, method: str) -> Any:
        if self.client is None:
            raise ValueError(
                f"RemoteGraph({self.assistant_id!r}).{method}() needs an async client, and "
                "this one has none: pass url='http://...' or client=get_client(...) to "
                "RemoteGraph(...)."
            )
        return self.client

    # (LangGraph's name for it, which programs and tests reach for)
    _sanitize_config = staticmethod(sanitize_config)

    def _headers(self, headers: Mapping[str, str] | None) -> Any:
        # (looked up when called: tests replace it)
        return _merge_tracing_headers(headers) if self.distributed_tracing else headers

    # -- configuration -----------------------------------------------------------------------

    def copy(self, update: dict[str, Any]) -> Self:
        """A copy with the attributes in ``update`` replaced (clients are shared)."""
        new = type(self).__new__(type(self))
        new.__dict__.update({**self.__dict__, **update})
        return new

    def with_config(self, config: Mapping[str, Any] | None = None, **kwargs: Any) -> Self:
        """A copy whose config is this one's with ``config`` (and ``kwargs``) merged over it."""
        return self.copy({"config": merge_configs(self.config, config, kwargs)})

    # -- the picture ---------------------------------------------------------------------------

    def get_graph(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        xray: int | bool = False,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> Graph:
        """The assistant's graph, to draw (``GET /assistants/{id}/graph``); ``xray`` includes
        subgraphs (an int: down to that depth). ``config`` is not used."""
        found = self._sync("get_graph").assistants.get_graph(
            assistant_id=self.assistant_id, xray=xray, headers=headers, params=params
        )
        return drawable(found)

    async def aget_graph(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        xray: int | bool = False,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> Graph:
        """``get_graph`` with the async client."""
        found = await self._async("aget_graph").assistants.get_graph(
            assistant_id=self.assistant_id, xray=xray, headers=headers, params=params
        )
        return drawable(found)

    # -- state -----------------------------------------------------------------------------

    def get_state(
        self,
        config: Mapping[str, Any],
        *,
        subgraphs: bool = False,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> StateSnapshot:
        """The thread's state (at ``checkpoint_id`` if the config names one)."""
        merged = merge_configs(self.config, config)
        state = self._sync("get_state").threads.get_state(
            thread_id=thread_of(merged, "get_state"), checkpoint=checkpoint_of(merged),
            subgraphs=subgraphs, headers=headers, params=params,
        )  # fmt: skip
        return snapshot_of(state)

    async def aget_state(
        self,
        config: Mapping[str, Any],
        *,
        subgraphs: bool = False,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> StateSnapshot:
        """``get_state`` with the async client."""
        merged = merge_configs(self.config, config)
        state = await self._async("aget_state").threads.get_state(
            thread_id=thread_of(merged, "aget_state"), checkpoint=checkpoint_of(merged),
            subgraphs=subgraphs, headers=headers, params=params,
        )  # fmt: skip
        return snapshot_of(state)

    def _history_request(self, config: Mapping[str, Any], method: str, **kw: Any) -> dict[str, Any]:
        merged = merge_configs(self.config, config)
        return {
            "thread_id": thread_of(merged, method),
            "limit": kw["limit"] or 10,  # the server's page, as LangGraph asks for it
            "before": checkpoint_of(kw["before"]),
            "metadata": kw["filter"],
            "checkpoint": checkpoint_of(merged),
            "headers": kw["headers"],
            "params": kw["params"],
        }

    def get_state_history(
        self,
        config: Mapping[str, Any],
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> Iterator[StateSnapshot]:
        """The thread's states, newest first (10 unless ``limit``); ``filter`` matches
        metadata, ``before`` names a checkpoint to start before."""
        request = self._history_request(
            config, "get_state_history", filter=filter, before=before, limit=limit,
            headers=headers, params=params,
        )  # fmt: skip
        for state in self._sync("get_state_history").threads.get_history(**request):
            yield snapshot_of(state)

    async def aget_state_history(
        self,
        config: Mapping[str, Any],
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> AsyncIterator[StateSnapshot]:
        """``get_state_history`` with the async client."""
        request = self._history_request(
            config, "aget_state_history", filter=filter, before=before, limit=limit,
            headers=headers, params=params,
        )  # fmt: skip
        for state in await self._async("aget_state_history").threads.get_history(**request):
            yield snapshot_of(state)

    def update_state(
        self,
        config: Mapping[str, Any],
        values: dict[str, Any] | Any | None,
        as_node: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> dict[str, Any]:
        """Update the thread's state as if ``as_node`` had returned ``values``; returns the
        config of the new checkpoint."""
        merged = merge_configs(self.config, config)
        response = self._sync("update_state").threads.update_state(
            thread_id=thread_of(merged, "update_state"), values=values, as_node=as_node,
            checkpoint=checkpoint_of(merged), headers=headers, params=params,
        )  # fmt: skip
        return config_of(response["checkpoint"])

    async def aupdate_state(
        self,
        config: Mapping[str, Any],
        values: dict[str, Any] | Any | None,
        as_node: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> dict[str, Any]:
        """``update_state`` with the async client."""
        merged = merge_configs(self.config, config)
        response = await self._async("aupdate_state").threads.update_state(
            thread_id=thread_of(merged, "aupdate_state"), values=values, as_node=as_node,
            checkpoint=checkpoint_of(merged), headers=headers, params=params,
        )  # fmt: skip
        return config_of(response["checkpoint"])

    def bulk_update_state(self, config: Mapping[str, Any], updates: Any) -> Any:
        """Not offered by the server API: raises ``NotImplementedError``, as in LangGraph."""
        raise NotImplementedError(
            "RemoteGraph.bulk_update_state() is not supported: call update_state() per update."
        )

    async def abulk_update_state(self, config: Mapping[str, Any], updates: Any) -> Any:
        """Not offered by the server API: raises ``NotImplementedError``, as in LangGraph."""
        raise NotImplementedError(
            "RemoteGraph.abulk_update_state() is not supported: call aupdate_state() per update."
        )

    # -- running -----------------------------------------------------------------------------

    def _run(
        self,
        input: Any,
        config: Mapping[str, Any] | None,
        context: Any,
        stream_mode: str | Sequence[str] | None,
        interrupt_before: Any,
        interrupt_after: Any,
        subgraphs: bool,
        headers: Mapping[str, str] | None,
        params: Any,
        version: str,
        kwargs: dict[str, Any],
    ) -> RemoteRun:
        return RemoteRun(
            self.assistant_id, input, config, merge_configs(self.config, config),
            stream_mode=stream_mode, subgraphs=subgraphs, version=version,
            headers=self._headers(headers),
            request={
                "context": context, "interrupt_before": interrupt_before,
                "interrupt_after": interrupt_after, "params": params, **kwargs,
            },
        )  # fmt: skip

    def stream(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        subgraphs: bool = False,
        headers: dict[str, str] | None = None,
        params: Any = None,
        version: str = "v1",
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Run the remote graph on a thread (``POST /threads/{id}/runs/stream``; without a
        thread_id, a thread-less run) and yield its chunks shaped as a local graph's:
        bare for one mode (default ``"updates"``), ``(mode, chunk)``-like parts for a list,
        ``(ns, ...)`` with ``subgraphs``, typed dicts with ``version="v2"``.

        A ``Command`` input is sent as a command. ``kwargs`` go to the SDK's ``runs.stream``.
        An error event raises ``RemoteException``; run as a node, an interrupt raises
        ``GraphInterrupt`` and a ``Command(graph=PARENT)`` ``ParentCommand``."""
        run = self._run(
            input, config, context, stream_mode, interrupt_before, interrupt_after,
            subgraphs, headers, params, version, kwargs,
        )  # fmt: skip
        parts = self._sync("stream").runs.stream(**run.request)
        try:
            for part in parts:
                item = run.take(part)
                if item is not SKIP:
                    yield item
        finally:  # stopped early (an error, an interrupt, the caller left): hang up now
            if inspect.isgenerator(parts):
                parts.close()

    async def astream(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        subgraphs: bool = False,
        headers: dict[str, str] | None = None,
        params: Any = None,
        version: str = "v1",
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """``stream`` with the async client (any anyio backend the client runs on; the SDK's
        own async client is asyncio-only)."""
        run = self._run(
            input, config, context, stream_mode, interrupt_before, interrupt_after,
            subgraphs, headers, params, version, kwargs,
        )  # fmt: skip
        parts = self._async("astream").runs.stream(**run.request)
        try:
            async for part in parts:
                item = run.take(part)
                if run.waiting is not None:  # the parent's consumer is behind: wait for room
                    await run.waiting
                if item is not SKIP:
                    yield item
        finally:  # stopped early: hang up now, not when the stream is collected
            if inspect.isasyncgen(parts):
                await parts.aclose()

    def invoke(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        headers: dict[str, str] | None = None,
        params: Any = None,
        version: str = "v1",
        **kwargs: Any,
    ) -> Any:
        """Run the remote graph to the end and return its last state (``None``, with a
        warning logged, if the server sent none); ``version="v2"``: a ``GraphOutput``."""
        self._sync("invoke")
        last: Any = SKIP
        try:
            for chunk in self.stream(
                input, config, context=context, stream_mode="values",
                interrupt_before=interrupt_before, interrupt_after=interrupt_after,
                headers=headers, params=params, version=version, **kwargs,
            ):  # fmt: skip
                last = chunk
        except ParentCommand as sent:
            return as_node_output(sent, config)
        return run_result(last, version)

    async def ainvoke(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        headers: dict[str, str] | None = None,
        params: Any = None,
        version: str = "v1",
        **kwargs: Any,
    ) -> Any:
        """``invoke`` with the async client."""
        self._async("ainvoke")
        last: Any = SKIP
        try:
            async for chunk in self.astream(
                input, config, context=context, stream_mode="values",
                interrupt_before=interrupt_before, interrupt_after=interrupt_after,
                headers=headers, params=params, version=version, **kwargs,
            ):  # fmt: skip
                last = chunk
        except ParentCommand as sent:
            return as_node_output(sent, config)
        return run_result(last, version)
