"""Subgraph lifecycle, inferred from the ``tasks`` stream mode.

A subgraph has no event of its own that says "I started" or "I ended". What the run does
stream is every task's start and its result, each under the namespace of the graph it runs
in. A subgraph called by task ``T`` of a parent at namespace ``P`` streams its own tasks
under ``P + ("node:T",)``. So:

- the first task start seen under a namespace ``N`` below the scope means subgraph ``N``
  has *started*; its last segment ``node:T`` names the graph (``node``) and the parent
  task that called it (``T``, the *trigger call id*);
- the result of task ``T`` at ``N[:-1]`` ends it: *interrupted* when the result carries
  interrupts, *failed* when it carries an error, *completed* otherwise;
- a namespace still open when the run ends is closed by the run's own ending:
  *completed* when it finished, *interrupted* / *drained* / *failed* when it raised.

``_TasksLifecycleBase`` holds that bookkeeping, once, for the two projections built on it:
``LifecycleTransformer`` (plain payloads, at every depth, also sent to the main event log as
``lifecycle`` events) and ``SubgraphTransformer`` (navigable handles, direct children only).
A subclass decides which namespaces it tracks (``_should_track``) and what starting and
ending mean for it (``_on_started``, ``_on_terminal``).

A nested agent (a run whose task metadata names an ``lc_agent_name``) is reported under that
name, and when a tool call spawned it, with the call as its ``cause``: the tool-dispatch task
whose input carries ``tool_call`` (or a list of tool calls) is remembered by task id, and the
agent's namespace segment ``node:<task id>`` finds it again.
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

from langgraph_lite.errors import GraphDrained, GraphInterrupt
from langgraph_lite.stream._types import ProtocolEvent, StreamTransformer
from langgraph_lite.stream.stream_channel import StreamChannel

__all__ = [
    "LifecycleCause",
    "LifecyclePayload",
    "LifecycleTransformer",
    "SubgraphStatus",
]

SubgraphStatus = Literal["started", "completed", "failed", "interrupted", "drained"]
"""Where a subgraph is in its life: ``started``, then one terminal status."""

Namespace = tuple[str, ...]
Transition = tuple[Namespace, SubgraphStatus, "str | None"]


class LifecycleCause(TypedDict):
    """Why a nested agent started: the model's tool call that ran it."""

    type: Literal["toolCall"]
    tool_call_id: str


class LifecyclePayload(TypedDict, total=False):
    """One item of ``run.lifecycle`` (and the data of a ``lifecycle`` event in the main log).

    ``event`` is the status; ``namespace`` the subgraph's namespace. A ``started`` payload
    also carries ``graph_name`` (the node, or the agent's ``lc_agent_name``),
    ``trigger_call_id`` (the parent task that called it) and, for an agent run by a tool call,
    ``cause``. A ``failed`` payload carries ``error`` (the error's text).
    """

    event: SubgraphStatus
    namespace: list[str]
    graph_name: NotRequired[str]
    trigger_call_id: NotRequired[str]
    cause: NotRequired[LifecycleCause]
    error: NotRequired[str]


def split_segment(segment: str) -> tuple[str, str | None]:
    """``"node:task_id"`` -> ``("node", "task_id")``; a segment with no ``:`` has no task id."""
    name, colon, task_id = segment.partition(":")
    return name, (task_id if colon else None)


def status_of_error(err: BaseException) -> tuple[SubgraphStatus, str | None]:
    """The terminal status a run ending with ``err`` gives the subgraphs still open."""
    if isinstance(err, GraphDrained):
        return "drained", None
    if isinstance(err, GraphInterrupt):
        return "interrupted", None
    return "failed", str(err)


def status_of_result(payload: dict[str, Any]) -> tuple[SubgraphStatus, str | None]:
    """The terminal status a parent task's result payload gives the subgraph it called.

    Interrupts win over an error: an interrupt travels as the ``interrupts`` list, and a
    result may carry both.
    """
    if payload.get("interrupts"):
        return "interrupted", None
    error = payload.get("error")
    if error:
        return "failed", str(error)
    return "completed", None


def tool_call_id_of(task_input: Any) -> str | None:
    """The id of the tool call a task runs: its input is a ``{"tool_call": {...}}`` dict (one
    call per task, as ``ToolNode`` dispatches them) or a list of calls (the first one's)."""
    if isinstance(task_input, dict):
        call = task_input.get("tool_call")
        if isinstance(call, dict) and isinstance(call.get("id"), str):
            return call["id"]
        return None
    if isinstance(task_input, list):
        for call in task_input:
            if isinstance(call, dict) and isinstance(call.get("id"), str):
                return call["id"]
    return None


class _TasksLifecycleBase(StreamTransformer):
    """Discovers subgraphs from ``tasks`` events and reports each one's start and end once.

    Subclasses implement ``_should_track(ns)``, ``_on_started(ns, graph_name,
    trigger_call_id)`` and ``_on_terminal(ns, status, error)``; the cause of the start being
    reported, if any, is in ``self._pending_cause`` during ``_on_started`` (kept off the
    signature so overrides written before it existed still work). ``tasks`` events are taken
    out of the main log: their meaning lives on in the projection.
    """

    required_stream_modes = ("tasks",)

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        """Track subgraphs below ``scope``."""
        super().__init__(scope)
        # Namespaces already reported as started (each is reported once).
        self._seen: set[Namespace] = set()
        # Open subgraph namespace -> id of the parent task whose result ends it.
        # Invariant: every key is in _seen; a key leaves when its terminal status is reported.
        self._open: dict[Namespace, str] = {}
        # Namespace -> the lc_agent_name of its first task (None when it had none), for
        # subclasses that tell named agents from plain subgraphs.
        self._lc_by_ns: dict[Namespace, str | None] = {}
        # Task id -> the tool call id it runs: how a nested agent finds the call behind it.
        self._pending_tool_calls: dict[str, str] = {}
        self._pending_cause: LifecycleCause | None = None

    # -- what a subclass decides ----------------------------------------------------------------

    def _should_track(self, ns: Namespace) -> bool:
        """Whether subgraph ``ns`` belongs to this transformer's projection."""
        raise NotImplementedError(f"{type(self).__name__} must implement _should_track(ns)")

    def _on_started(
        self, ns: Namespace, graph_name: str | None, trigger_call_id: str | None
    ) -> None:
        """Subgraph ``ns`` was seen for the first time."""
        raise NotImplementedError(f"{type(self).__name__} must implement _on_started(...)")

    def _on_terminal(self, ns: Namespace, status: SubgraphStatus, error: str | None) -> None:
        """Subgraph ``ns`` ended with ``status`` (``error``: the failure's text, if any)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _on_terminal(...)")

    # -- the bookkeeping --------------------------------------------------------------------------

    def process(self, event: ProtocolEvent) -> bool:
        """Fold a ``tasks`` event into the projection (and out of the main log)."""
        if event["method"] != "tasks":
            return True
        ns = tuple(event["params"]["namespace"])
        data = event["params"]["data"]
        if "result" in data:
            for child, status, error in self._pop_terminal_transitions(ns, data):
                self._on_terminal(child, status, error)
        else:
            self._record_start(ns, data)
        return False

    def _record_start(self, ns: Namespace, data: dict[str, Any]) -> None:
        self._record_identity(ns, data)
        self._record_pending_tool_calls(data)
        self._handle_task_start(ns, data)

    def _record_identity(self, ns: Namespace, data: dict[str, Any]) -> None:
        if ns not in self._lc_by_ns:
            self._lc_by_ns[ns] = (data.get("metadata") or {}).get("lc_agent_name")

    def _record_pending_tool_calls(self, data: dict[str, Any]) -> None:
        task_id = data.get("id")
        if isinstance(task_id, str):
            call_id = tool_call_id_of(data.get("input"))
            if call_id is not None:
                self._pending_tool_calls[task_id] = call_id

    def _handle_task_start(self, ns: Namespace, data: dict[str, Any]) -> None:
        if ns in self._seen or not self._should_track(ns):
            return
        self._seen.add(ns)
        node, trigger = split_segment(ns[-1])
        # A task naming an lc_agent_name marks a nested agent: it is reported by that name.
        # (A plain subgraph called inside such an agent's tool inherits the name too; a caller
        # that minds can clear lc_agent_name in the config it passes that subgraph.)
        agent = (data.get("metadata") or {}).get("lc_agent_name")
        cause: LifecycleCause | None = None
        if agent is not None and trigger is not None:
            call_id = self._pending_tool_calls.get(trigger)
            if call_id:
                cause = {"type": "toolCall", "tool_call_id": str(call_id)}
        self._pending_cause = cause
        try:
            self._on_started(ns, agent if agent is not None else (node or None), trigger)
        finally:
            self._pending_cause = None
        if trigger is not None:
            self._open[ns] = trigger

    def _pop_terminal_transitions(self, ns: Namespace, data: dict[str, Any]) -> list[Transition]:
        """The open subgraphs that the result of task ``data["id"]`` at ``ns`` ends (removed)."""
        task_id = data.get("id")
        if not task_id:
            return []
        ended = [c for c, t in self._open.items() if t == task_id and c[:-1] == ns]
        if not ended:
            return []
        status, error = status_of_result(data)
        for child in ended:
            del self._open[child]
        return [(child, status, error) for child in ended]

    def finalize(self) -> None:
        """The run finished: whatever is still open completed with it."""
        open_now, self._open = list(self._open), {}
        for ns in open_now:
            self._on_terminal(ns, "completed", None)

    def fail(self, err: BaseException) -> None:
        """The run raised ``err``: whatever is still open ends the way the run did."""
        status, error = status_of_error(err)
        open_now, self._open = list(self._open), {}
        for ns in open_now:
            self._on_terminal(ns, status, error)


class LifecycleTransformer(_TasksLifecycleBase):
    """``run.lifecycle``: a ``LifecyclePayload`` when a subgraph starts and when it ends.

    Tracks subgraphs at every depth below the run's scope, in one flat stream. The channel is
    named ``lifecycle``, so each payload also enters the main event log as a ``lifecycle``
    event, for consumers that read the raw stream (or receive it over the wire).
    """

    _native = True

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        """Report subgraphs below ``scope``."""
        super().__init__(scope)
        self._channel: StreamChannel[LifecyclePayload] = StreamChannel("lifecycle")

    def init(self) -> dict[str, Any]:
        """The ``lifecycle`` projection."""
        return {"lifecycle": self._channel}

    def _should_track(self, ns: Namespace) -> bool:
        depth = len(self.scope)
        return len(ns) > depth and ns[:depth] == self.scope

    def _on_started(
        self, ns: Namespace, graph_name: str | None, trigger_call_id: str | None
    ) -> None:
        if trigger_call_id is None:
            # No parent task id, so no result will end it; the run's end closes it instead
            # (and a start without an end would be worse than neither).
            return
        payload: LifecyclePayload = {"event": "started", "namespace": list(ns)}
        if graph_name:
            payload["graph_name"] = graph_name
        payload["trigger_call_id"] = trigger_call_id
        if self._pending_cause is not None:
            payload["cause"] = self._pending_cause
        self._channel.push(payload)

    def _on_terminal(self, ns: Namespace, status: SubgraphStatus, error: str | None) -> None:
        payload: LifecyclePayload = {"event": status, "namespace": list(ns)}
        if error is not None:
            payload["error"] = error
        self._channel.push(payload)
