"""``run.subgraphs``: a run stream per subgraph the run calls, to read as if it ran alone.

Each direct child subgraph found in the ``tasks`` events (see ``lifecycle``) gets a handle, a
``SubgraphRunStream`` (``AsyncSubgraphRunStream`` in an async run) over a child mux: the same
transformer factories, scoped to the subgraph's namespace. Every event at or below that
namespace is pushed into the child mux too, so ``handle.values``, ``handle.messages``,
``handle.lifecycle`` fill as the root's do, and ``handle.subgraphs`` holds the grandchildren
(each level discovers only its direct children; deeper ones live on their parent's handle).
Reading a handle drives the root run.

A handle's ``status`` moves from ``started`` to one terminal status, once: when its parent
task's result arrives, or, for a handle still open then, when the run ends. Its child mux is
closed then (failed, for ``failed``, with a ``RuntimeError`` carrying the error's text; with
the run's own error when the whole run failed).
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph_lite.stream._types import ProtocolEvent
from langgraph_lite.stream.run_stream import AsyncSubgraphRunStream, SubgraphRunStream
from langgraph_lite.stream.stream_channel import StreamChannel
from langgraph_lite.stream.transformers.lifecycle import (
    Namespace,
    SubgraphStatus,
    _TasksLifecycleBase,
    status_of_error,
)

__all__ = ["SubgraphTransformer"]

_logger = logging.getLogger(__name__)

Handle = SubgraphRunStream | AsyncSubgraphRunStream


def _mark_terminal(handle: Any, status: SubgraphStatus, error: str | None) -> bool:
    """Give ``handle`` its terminal status; False when it already had one (it keeps that)."""
    if handle._seen_terminal:
        return False
    handle.status = status
    if error is not None and handle.error is None:
        handle.error = error
    handle._seen_terminal = True
    return True


def _live_mux(handle: Any) -> Any:
    mux = handle._mux
    return None if mux is None or mux._events._closed else mux


class SubgraphTransformer(_TasksLifecycleBase):
    """Builds ``run.subgraphs``: one navigable handle per direct child subgraph."""

    _native = True
    supports_sync = True  # it overrides the async hooks only to drive child muxes on that lane

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        """Find the subgraphs directly below ``scope``."""
        super().__init__(scope)
        self._log: StreamChannel[Handle] = StreamChannel()
        self._handles: dict[Namespace, Handle] = {}
        self._mux: Any = None

    def init(self) -> dict[str, Any]:
        """The ``subgraphs`` projection."""
        return {"subgraphs": self._log}

    def _on_register(self, mux: Any) -> None:
        self._mux = mux  # child muxes are made from it

    # -- the lifecycle hooks -------------------------------------------------------------------

    def _should_track(self, ns: Namespace) -> bool:
        depth = len(self.scope)
        return len(ns) == depth + 1 and ns[:depth] == self.scope

    def _on_started(
        self, ns: Namespace, graph_name: str | None, trigger_call_id: str | None
    ) -> None:
        if self._mux is None:
            return  # not registered on a mux: nothing to build handles from
        try:
            child = self._mux._make_child(ns)
        except RuntimeError:
            return  # a mux of transformer instances, not factories: no handles
        cls = AsyncSubgraphRunStream if child.is_async else SubgraphRunStream
        handle = cls(child, path=ns, graph_name=graph_name, trigger_call_id=trigger_call_id)
        self._handles[ns] = handle
        self._log.push(handle)

    def _on_terminal(self, ns: Namespace, status: SubgraphStatus, error: str | None) -> None:
        handle = self._handles.get(ns)
        if handle is not None and _mark_terminal(handle, status, error):
            self._end_handle(handle, status, error)

    def _end_handle(self, handle: Any, status: SubgraphStatus, error: str | None) -> None:
        mux = _live_mux(handle)
        if mux is None:
            return
        if status == "failed":
            mux.fail(RuntimeError(error or "Subgraph failed"))
        else:
            mux.close()

    async def _aend_handle(self, handle: Any, status: SubgraphStatus, error: str | None) -> None:
        mux = _live_mux(handle)
        if mux is None:
            return
        if status == "failed":
            await mux.afail(RuntimeError(error or "Subgraph failed"))
        else:
            await mux.aclose()

    # -- events --------------------------------------------------------------------------------

    def _handle_for(self, event: ProtocolEvent) -> Any:
        """The open handle whose subgraph ``event`` belongs to (at its level or below)."""
        ns = event["params"]["namespace"]
        depth = len(self.scope)
        if len(ns) <= depth:
            return None
        handle = self._handles.get(tuple(ns[: depth + 1]))
        if handle is None or _live_mux(handle) is None:
            return None
        return handle

    def process(self, event: ProtocolEvent) -> bool:
        """Track ``tasks`` events first (a handle exists before its first event is forwarded),
        then push the event into the handle of the subgraph it belongs to, if any."""
        keep = super().process(event)
        handle = self._handle_for(event)
        if handle is not None:
            handle._observe_event(event)
            handle._mux.push(event)
        return keep

    async def aprocess(self, event: ProtocolEvent) -> bool:
        """``process`` on the async lane: child muxes take the event with ``apush``."""
        keep = True
        if event["method"] == "tasks":
            keep = False
            ns = tuple(event["params"]["namespace"])
            data = event["params"]["data"]
            if "result" in data:
                for child, status, error in self._pop_terminal_transitions(ns, data):
                    handle = self._handles.get(child)
                    if handle is not None and _mark_terminal(handle, status, error):
                        await self._aend_handle(handle, status, error)
            else:
                self._record_start(ns, data)
        handle = self._handle_for(event)
        if handle is not None:
            handle._observe_event(event)
            await handle._mux.apush(event)
        return keep

    # -- the run's end -------------------------------------------------------------------------

    def _still_open(self) -> list[Any]:
        """Mark every handle without a terminal status completed; those are to be closed."""
        self._open.clear()
        return [h for h in self._handles.values() if _mark_terminal(h, "completed", None)]

    def finalize(self) -> None:
        """The run finished: close every handle still open, as completed."""
        first: BaseException | None = None
        for handle in self._still_open():
            try:
                self._end_handle(handle, "completed", None)
            except BaseException as exc:  # the others still get closed
                first = first or exc
        if first is not None:
            raise first

    async def afinalize(self) -> None:
        """``finalize`` on the async lane."""
        first: BaseException | None = None
        for handle in self._still_open():
            try:
                await self._aend_handle(handle, "completed", None)
            except BaseException as exc:
                first = first or exc
        if first is not None:
            raise first

    def _failing(self, err: BaseException) -> list[tuple[Any, Any]]:
        status, error = status_of_error(err)
        self._open.clear()
        out = []
        for handle in self._handles.values():
            _mark_terminal(handle, status, error)
            mux = _live_mux(handle)
            if mux is not None:
                out.append((handle, mux))
        return out

    def fail(self, err: BaseException) -> None:
        """The run failed with ``err``: every handle still open fails with it."""
        for handle, mux in self._failing(err):
            try:
                mux.fail(err)
            except Exception:
                _logger.warning(
                    "could not fail the subgraph handle at %s", handle.path, exc_info=True
                )

    async def afail(self, err: BaseException) -> None:
        """``fail`` on the async lane."""
        for handle, mux in self._failing(err):
            try:
                await mux.afail(err)
            except Exception:
                _logger.warning(
                    "could not fail the subgraph handle at %s", handle.path, exc_info=True
                )
