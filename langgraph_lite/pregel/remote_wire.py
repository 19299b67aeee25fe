"""What ``RemoteGraph`` sends to an Agent Server and how it reads the answers, without I/O.

Everything here is shared by the sync and the async methods of ``RemoteGraph``: the config
that may travel (primitives only, none of the engine's own coordinates), the stream modes to
ask for, and ``RemoteRun``, which takes the server's stream parts one at a time and says what
the caller sees — forwarding each to the parent graph's stream when the remote graph runs as a
node, and raising ``GraphInterrupt``, ``ParentCommand`` or ``RemoteException`` as LangGraph
does. The two drivers in ``remote.py`` only iterate.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from langgraph_lite.config import current_task
from langgraph_lite.errors import GraphInterrupt, ParentCommand
from langgraph_lite.pregel.arguments import DEFAULT_RECURSION_LIMIT
from langgraph_lite.pregel.drawable import Edge, Graph, Node
from langgraph_lite.pregel.protocol import CONFIG_KEY_STREAM, StreamProtocol
from langgraph_lite.types import Command, GraphOutput, Interrupt, PregelTask, StateSnapshot

__all__ = [
    "SKIP",
    "RemoteException",
    "RemoteRun",
    "as_node_output",
    "checkpoint_of",
    "config_of",
    "drawable",
    "merge_configs",
    "parent_stream",
    "run_as_node",
    "run_result",
    "sanitize_config",
    "sdk_clients",
    "snapshot_of",
    "thread_of",
    "tracing_headers",
]

logger = logging.getLogger("langgraph_lite")

NS_SEP = "|"
INTERRUPT = "__interrupt__"

# The engine's own coordinates of a run: they name checkpoints of the caller, not of the
# remote graph, so they never travel (thread_id travels, as the thread to run on).
_NOT_SENT = frozenset(
    (
        "checkpoint_map",
        "checkpoint_id",
        "checkpoint_ns",
        "__pregel_task_id",
        "__pregel_strict_resume",
    )
)


class RemoteException(Exception):
    """The remote graph's run failed on the server: ``args[0]`` is the server's error event
    (e.g. ``{"error": "ValueError", "message": "..."}``)."""


class _Skip:
    __slots__ = ()

    def __repr__(self) -> str:
        return "SKIP"


SKIP: Any = _Skip()
"""``RemoteRun.take``'s answer for a part the caller does not see."""


# -- config ---------------------------------------------------------------------------------


def merge_configs(*configs: Mapping[str, Any] | None) -> dict[str, Any]:
    """LangGraph's config merge: later configs win, ``metadata`` and ``configurable`` merge
    key by key, ``tags`` add up, empty values are ignored; ``configurable`` is always there."""
    base: dict[str, Any] = {}
    for config in configs:
        if not config:
            continue
        if not isinstance(config, Mapping):
            raise TypeError(
                f"a config must be a dict such as {{'configurable': {{'thread_id': '1'}}}}, got "
                f"{type(config).__name__} {config!r:.60}."
            )
        for key, value in config.items():
            # (the engine's own default limit — the very object it fills in — is not sent:
            # the server applies its own, as LangGraph leaves it to)
            if not value or (key == "recursion_limit" and value is DEFAULT_RECURSION_LIMIT):
                continue
            if key in ("metadata", "configurable") and base.get(key):
                base[key] = {**base[key], **value}
            elif key == "tags" and base.get(key):
                base[key] = [*base[key], *value]
            else:
                base[key] = value
    base.setdefault("configurable", {})
    return base


def _primitive(value: Any) -> Any:
    """``value`` with only what JSON carries (str, numbers, bools, UUIDs, and dicts / lists of
    them); anything else becomes None and is left out."""
    if isinstance(value, (str, int, float, bool, UUID)):
        return value
    if isinstance(value, dict):
        kept = {k: _primitive(v) for k, v in value.items() if isinstance(k, str)}
        return {k: v for k, v in kept.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [p for p in map(_primitive, value) if p is not None]
    return None


def sanitize_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``config`` the server gets: ``recursion_limit``, string ``tags``, and the
    primitive ``metadata`` and ``configurable`` entries (less the caller's coordinates)."""
    out: dict[str, Any] = {}
    if "recursion_limit" in config:
        out["recursion_limit"] = config["recursion_limit"]
    if "tags" in config:
        out["tags"] = [t for t in config["tags"] if isinstance(t, str)]
    if "metadata" in config:
        out["metadata"] = _primitive(
            {k: v for k, v in config["metadata"].items() if isinstance(k, str)}
        )
    if "configurable" in config:
        kept = {
            k: _primitive(v)
            for k, v in config["configurable"].items()
            if isinstance(k, str) and k not in _NOT_SENT
        }
        out["configurable"] = {k: v for k, v in kept.items() if v is not None}
    return out


def checkpoint_of(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The SDK's checkpoint for ``config``: its thread and checkpoint coordinates, if any."""
    configurable = (config or {}).get("configurable") or {}
    keys = ("thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map")
    found = {k: configurable[k] for k in keys if k in configurable}
    return found or None


def config_of(checkpoint: Mapping[str, Any]) -> dict[str, Any]:
    """The config naming a checkpoint the server returned."""
    return {
        "configurable": {
            "thread_id": checkpoint["thread_id"],
            "checkpoint_ns": checkpoint["checkpoint_ns"],
            "checkpoint_id": checkpoint["checkpoint_id"],
            "checkpoint_map": checkpoint.get("checkpoint_map", {}),
        }
    }


def thread_of(config: Mapping[str, Any], method: str) -> Any:
    """The thread ``method`` reads or writes, with the fix when the config names none."""
    thread_id = (config.get("configurable") or {}).get("thread_id")
    if thread_id is None:
        raise ValueError(
            f"RemoteGraph.{method}() needs the thread to read: pass "
            "config={'configurable': {'thread_id': '<thread id>'}} (or give it in "
            "RemoteGraph(config=...))."
        )
    return thread_id


def snapshot_of(state: Mapping[str, Any]) -> StateSnapshot:
    """A ``StateSnapshot`` from the server's thread state (subgraph states nested)."""
    tasks = []
    for task in state["tasks"]:
        inner = task.get("state")
        ref = task.get("checkpoint")
        tasks.append(
            PregelTask(
                id=task["id"],
                name=task["name"],
                path=(),
                error=Exception(task["error"]) if task.get("error") else None,
                interrupts=tuple(Interrupt(**i) for i in task.get("interrupts") or ()),
                state=snapshot_of(inner) if inner else {"configurable": ref} if ref else None,
                result=task.get("result"),
            )
        )
    parent = state.get("parent_checkpoint")
    return StateSnapshot(
        values=state["values"],
        next=tuple(state["next"] or ()),
        config=config_of(state["checkpoint"]),
        metadata=dict(state["metadata"] or {}),
        created_at=state["created_at"],
        parent_config=config_of(parent) if parent else None,
        tasks=tuple(tasks),
        interrupts=tuple(i for t in tasks for i in t.interrupts),
    )


def tracing_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` plus LangSmith's distributed-tracing headers of the current run tree, if
    there is one (LangSmith is optional: without it there is nothing to add)."""
    try:
        import langsmith
    except ImportError:
        return dict(headers) if headers is not None else None
    tree = langsmith.get_current_run_tree()
    if tree is None:
        return dict(headers) if headers is not None else None
    merged = dict(headers or {})
    trace = tree.to_headers()
    if "baggage" in merged and "baggage" in trace:
        trace["baggage"] = f"{merged['baggage']},{trace['baggage']}"
    merged.update(trace)
    return merged


# -- a run ----------------------------------------------------------------------------------


def _node_task(config: Mapping[str, Any] | None) -> Any:
    """The task of the node this call runs as, when given that node's config."""
    task = current_task.get()
    ns = ((config or {}).get("configurable") or {}).get("checkpoint_ns")
    return task if task is not None and ns and ns == task.checkpoint_ns else None


def run_as_node(config: Mapping[str, Any] | None) -> bool:
    """Whether a call with ``config`` is the run of a node of a local graph."""
    return _node_task(config) is not None


def parent_stream(config: Mapping[str, Any] | None) -> Any:
    """The stream of the graph this remote graph runs in as a node, if that graph's consumer
    takes subgraph chunks (``subgraphs=True``) — as LangGraph finds it, only when given the
    node's config. One given under ``"__pregel_stream"`` (LangGraph's key) comes first."""
    configurable = (config or {}).get("configurable") or {}
    given = configurable.get(CONFIG_KEY_STREAM)
    if given is not None:
        return given
    task = _node_task(config)
    out = getattr(task.run, "out", None) if task is not None else None
    if out is None or not getattr(out, "subgraphs", False):
        return None
    return StreamProtocol(lambda part: out.accept(*part), set(out.modes))


class RemoteRun:
    """One streamed run of a remote graph: the request to make, and the reading of each part.

    ``request`` holds the keyword arguments of the SDK's ``runs.stream``. ``take(part)``
    returns what the caller is given for it, or ``SKIP``; it may raise. After ``take``,
    ``waiting`` is what forwarding to an async parent asks to be awaited (backpressure), or
    None.
    """

    def __init__(
        self,
        assistant_id: str,
        input: Any,
        config: Mapping[str, Any] | None,
        merged: Mapping[str, Any],
        *,
        stream_mode: str | Sequence[str] | None,
        subgraphs: bool,
        version: str,
        headers: Mapping[str, str] | None,
        request: dict[str, Any],
    ) -> None:
        if version not in ("v1", "v2"):
            raise ValueError(f"version must be 'v1' or 'v2', got {version!r}.")
        self.version = version
        self.subgraphs = subgraphs
        self.stream = parent_stream(config)
        self.single = not stream_mode or isinstance(stream_mode, str)
        asked = [stream_mode] if isinstance(stream_mode, str) else list(stream_mode or ())
        asked = asked or ["updates"]
        # The list is LangGraph's, repeats included: the caller's modes, then the parent's;
        # "messages" is "messages-tuple" on the wire; "updates" is always asked for, since it
        # carries the interrupts; "events" is not a mode of a graph.
        sent = [*asked, *(self.stream.modes if self.stream is not None else ())]
        if "messages" in sent:
            sent.remove("messages")
            sent.append("messages-tuple")
        if "updates" not in sent:
            sent.append("updates")
        if "events" in sent:
            sent.remove("events")
        self.asked = {"messages" if m == "messages-tuple" else m for m in asked}
        ns = ((config or {}).get("configurable") or {}).get("checkpoint_ns")
        # The caller's namespace: the server does not know it, its parts are named under it.
        self.caller_ns: tuple[str, ...] = tuple(ns.split(NS_SEP)) if ns else ()
        sanitized = sanitize_config(merged)
        thread_id = sanitized.get("configurable", {}).pop("thread_id", None)
        command = None
        if isinstance(input, Command):
            command, input = dataclasses.asdict(input), None
        self.waiting: Any = None
        self.request = {
            "thread_id": thread_id,
            "assistant_id": assistant_id,
            "input": input,
            "command": command,
            "config": sanitized,
            "stream_mode": sent,
            "stream_subgraphs": subgraphs or self.stream is not None,
            "if_not_exists": "create",
            "headers": headers,
            **request,
        }

    def take(self, part: Any) -> Any:
        """What the caller sees of ``part`` (an SDK ``StreamPart``: ``event``, ``data``)."""
        event: str = part.event
        data = part.data
        mode, _, rest = event.partition(NS_SEP)
        ns = tuple(rest.split(NS_SEP)) if rest else ()
        if mode == "command" and isinstance(data, dict) and data.get("graph") == Command.PARENT:
            raise ParentCommand(Command(**data))
        ns = self.caller_ns + ns
        self.waiting = None
        stream = self.stream
        if stream is not None and mode in stream.modes:
            sent = stream((ns, mode, data))
            if inspect.isawaitable(sent):
                self.waiting = sent
        if mode == "updates":
            if isinstance(data, dict) and INTERRUPT in data and self.caller_ns:
                # run as a node: the remote graph's interrupt is the node's
                raise GraphInterrupt([Interrupt(**i) for i in data[INTERRUPT]])
        elif mode == "error":
            raise RemoteException(data)
        if mode not in self.asked:
            return SKIP
        # Subgraph parts asked for only for the parent's stream are not the caller's. Messages
        # are kept: the server sends each message once, under whichever namespace.
        if not self.subgraphs and rest and mode != "messages":
            return SKIP
        if mode == "messages":
            data = tuple(data)
            part = part._replace(data=data) if hasattr(part, "_replace") else (event, data)
        if self.version == "v2":
            found: tuple[Any, ...] = ()
            if mode == "values" and isinstance(data, dict) and INTERRUPT in data:
                data = dict(data)
                found = tuple(
                    Interrupt(**i) if isinstance(i, dict) else i for i in data.pop(INTERRUPT)
                )
            return {"type": mode, "ns": ns, "data": data, "interrupts": found}
        if self.subgraphs:
            return (ns, data) if self.single else (ns, mode, data)
        return data if self.single else part


# -- RemoteGraph's helpers -------------------------------------------------------------------


_EXTRA_HINT = (
    "pip install 'langgraph-lite[remote]' (it brings langgraph-sdk>=0.4,<0.5), or pass "
    "client=/sync_client= of your own"
)


def sdk_clients(url: str, api_key: str | None, headers: Mapping[str, str] | None) -> Any:
    """The SDK's async and sync clients for ``url``; without the SDK, an ImportError naming
    the extra that brings it."""
    try:
        from langgraph_sdk import get_client, get_sync_client
    except ImportError as exc:
        raise ImportError(
            f"RemoteGraph(url={url!r}) makes its clients with the LangGraph SDK, which is not "
            f"installed: {_EXTRA_HINT}."
        ) from exc
    # api_key=None is passed as is, as LangGraph does: the SDK then reads no key from the
    # environment.
    return (
        get_client(url=url, api_key=api_key, headers=headers),
        get_sync_client(url=url, api_key=api_key, headers=headers),
    )


def as_node_output(sent: ParentCommand, config: Mapping[str, Any] | None) -> Any:
    """What ``invoke`` returns for the remote graph's parent command (or it re-raises it)."""
    # Run as a node, the remote graph's Command(graph=PARENT) is the node's own: LangGraph
    # sends it past the graph holding the node, to that graph's parent. Returned, the node's
    # writer does just that; called directly, the caller gets the ParentCommand.
    if not run_as_node(config):
        raise sent
    return sent.command


def run_result(last: Any, version: str) -> Any:
    """``invoke``'s result from the last ``values`` chunk (``SKIP``: there was none)."""
    if last is SKIP:
        logger.warning("No events received from remote graph")
        return None
    if version == "v2":
        return GraphOutput(value=last["data"], interrupts=tuple(last.get("interrupts", ())))
    return last


def drawable(found: Mapping[str, Any]) -> Graph:
    """A ``Graph`` from the server's JSON picture (``Graph.to_json``'s shape)."""
    nodes: dict[str, Node] = {}
    for node in found["nodes"]:
        node_id = str(node["id"])
        data = node.get("data", {})
        name = node.get("name")
        if name is None:
            name = data.get("name", node_id) if isinstance(data, dict) else node_id
        nodes[node_id] = Node(node_id, name, data, node.get("metadata"))
    return Graph(nodes=nodes, edges=[Edge(**edge) for edge in found["edges"]])
