"""Compiling a ``StateGraph`` down to ``Pregel``: its channels, its nodes, and the writer that
turns what a node returned into state updates and routing.

One channel per state key (merged over the state, input, output and node input schemas), a
``branch:to:<node>`` channel per node (written to send the run there), a barrier per edge that
waits for several nodes, and a hidden ``__start__`` node that writes the input into the state.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pydantic

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.channels.binop import BinaryOperatorAggregate
from langgraph_lite.channels.delta import DeltaChannel
from langgraph_lite.channels.ephemeral_value import EphemeralValue
from langgraph_lite.channels.last_value import LastValueAfterFinish
from langgraph_lite.channels.named_barrier_value import (
    NamedBarrierValue,
    NamedBarrierValueAfterFinish,
)
from langgraph_lite.errors import (
    ErrorCode,
    InvalidUpdateError,
    ParentCommand,
    create_error_message,
)
from langgraph_lite.graph.branch import END, START, branch_channel
from langgraph_lite.graph.schema import ROOT, SchemaInfo, merge_channels, schema_info
from langgraph_lite.pregel.algo import PULL, TASKS, Task
from langgraph_lite.pregel.node import HIDDEN_TAG, PregelNode
from langgraph_lite.types import Command, Send

if TYPE_CHECKING:
    from langgraph_lite.graph.state import CompiledStateGraph, StateGraph

__all__ = ["compile_graph"]

logger = logging.getLogger("langgraph_lite")


def compile_graph(
    builder: StateGraph[Any, Any, Any, Any], *, debug: bool, name: str
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The ``CompiledStateGraph`` that runs ``builder``'s nodes and edges."""
    from langgraph_lite.graph.state import CompiledStateGraph

    state = schema_info(builder.state_schema)
    infos: list[SchemaInfo] = [schema_info(schema) for schema, _ in builder._schemas]
    where = {i: w for i, (_, w) in enumerate(builder._schemas)}
    channels: dict[str, BaseChannel] = dict(merge_channels(infos, where))
    writable = set(channels)  # the keys a node's update may set; the rest are dropped
    managed: dict[str, Any] = {}
    for info in infos:
        managed.update(info.managed)
    channels[START] = EphemeralValue(Any)
    for node, spec in builder.nodes.items():
        channels[branch_channel(node)] = (
            LastValueAfterFinish(Any) if spec.defer else EphemeralValue(Any, guard=False)
        )
    joins: dict[str, list[str]] = {}  # source node -> join channels it writes its name to
    join_triggers: dict[str, list[str]] = {}
    for starts, end in sorted(builder.waiting_edges):
        if end == END:
            continue  # waiting for several nodes to end the run changes nothing
        chan = f"join:{'+'.join(starts)}:{end}"
        barrier = NamedBarrierValueAfterFinish if builder.nodes[end].defer else NamedBarrierValue
        channels[chan] = barrier(str, set(starts))
        join_triggers.setdefault(end, []).append(chan)
        for s in starts:
            joins.setdefault(s, []).append(chan)
    state_keys = list(state.channels)
    input_keys = list(schema_info(builder.input_schema).channels)
    output_info = schema_info(builder.output_schema)
    # A root schema's graph reads and returns the one value, not a dict of it.
    output_keys: str | list[str] = ROOT if output_info.is_root else list(output_info.channels)
    stream_keys: str | list[str] = [k for k in channels if k not in (START, TASKS) and ":" not in k]
    if state.is_root:
        stream_keys = ROOT

    nodes: dict[str, PregelNode] = {}
    node_names = list(builder.nodes)
    node_set = frozenset(node_names)  # (one, shared by every writer: compiling stays linear)
    edges_from = static_edges(builder)
    start_writer = _UpdateWriter(
        START,
        builder,
        writable,
        state,
        managed,
        edges_from.get(START, []),
        joins.get(START, []),
        node_names,
        node_set,
        input_info=schema_info(builder.input_schema),
        channels=channels,
    )
    nodes[START] = PregelNode(
        channels=START,
        triggers=[START],
        writers=[start_writer],
        tags=[HIDDEN_TAG],
        name=START,
    )
    for node, spec in builder.nodes.items():
        reads_info = schema_info(spec.input_schema) if spec.input_schema is not None else state
        nodes[node] = PregelNode(
            channels=ROOT if reads_info.is_root else list(reads_info.channels),
            triggers=[branch_channel(node), *join_triggers.get(node, [])],
            bound=[spec.action],
            mapper=None if reads_info.is_root else _mapper(reads_info, managed),
            writers=[
                _UpdateWriter(
                    node,
                    builder,
                    writable,
                    state,
                    managed,
                    edges_from.get(node, []),
                    joins.get(node, []),
                    node_names,
                    node_set,
                )
            ],
            retry_policy=(
                spec.retry_policy
                if spec.retry_policy is not None
                else getattr(builder, "_default_retry", None)
            ),
            cache_policy=(
                spec.cache_policy
                if spec.cache_policy is not None or spec.is_error_handler
                else getattr(builder, "_default_cache", None)
            ),
            metadata=spec.metadata,
            name=node,
            timeout=(
                spec.timeout
                if spec.timeout is not None
                else getattr(builder, "_default_timeout", None)
            ),
        )
    for node, spec in builder.nodes.items():
        nodes[node].trace_policy = spec.trace_policy
        if spec.error_handler is not None:
            nodes[node].error_handler = nodes[spec.error_handler]
    compiled = CompiledStateGraph(
        nodes=nodes,
        channels=channels,
        input_channels=START,
        output_channels=output_keys,
        stream_channels=stream_keys,
        stream_mode="updates",
        name=name,
        debug=debug,
    )
    compiled.builder = builder
    # What the run coerces a context dict to (see runtime.coerce_context).
    compiled.context_schema = builder.context_schema
    compiled.state_keys = state_keys  # type: ignore[attr-defined]
    compiled.input_keys = input_keys  # type: ignore[attr-defined]
    # As LangGraph: version="v2" parts (and invoke's GraphOutput) carry the state as its
    # schema's class when that is a pydantic model or a dataclass.
    compiled.v2_output_type = _state_class(builder.output_schema, output_info.is_root)
    compiled.v2_state_type = _state_class(builder.state_schema, state.is_root)
    return compiled


def _state_class(schema: Any, is_root: bool) -> Any:
    if is_root or not isinstance(schema, type):
        return None
    if dataclasses.is_dataclass(schema) or issubclass(schema, pydantic.BaseModel):
        return schema
    return None


def static_edges(builder: StateGraph[Any, Any, Any, Any]) -> dict[str, list[str]]:
    """Each source node's plain edges (not to END), sorted: one pass over the edges."""
    out: dict[str, list[str]] = {}
    for s, e in builder.edges:
        if e != END:
            out.setdefault(s, []).append(e)
    for ends in out.values():
        ends.sort()
    return out


def _mapper(info: SchemaInfo, managed: Mapping[str, Any]) -> Callable[[Any, Task], Any]:
    wanted = {k: m for k, m in managed.items() if k in info.managed}

    def to_node_input(value: Any, task: Task) -> Any:
        if not isinstance(value, dict) or task.path[0] != PULL:
            return value  # a Send packet's argument is given as is, as LangGraph gives it
        if wanted:
            value = {**value, **{k: m.get(task) for k, m in wanted.items()}}
        return info.coerce(value)

    return to_node_input


class _UpdateWriter:
    """Turns what a node returned into writes: state updates, then where to go next."""

    def __init__(
        self,
        node: str,
        builder: StateGraph[Any, Any, Any, Any],
        writable: set[str],
        state: SchemaInfo,
        managed: Mapping[str, Any],
        edges: list[str],
        joins: list[str],
        node_names: list[str],
        node_set: frozenset[str],
        *,
        input_info: SchemaInfo | None = None,
        channels: Mapping[str, BaseChannel] | None = None,
    ) -> None:
        self.node = node
        self.writable = writable
        self.state = state
        self.managed = managed
        self.static = [(branch_channel(e), None) for e in edges] + [(j, node) for j in joins]
        # Each conditional edge reads the state through its path function's own schema, else
        # the source node's input schema, else the state schema (as LangGraph does).
        spec = builder.nodes.get(node)
        node_schema = spec.input_schema if spec is not None else None
        self.branches = [
            (
                b,
                schema_info(b.input_schema or node_schema)
                if (b.input_schema or node_schema)
                else state,
                b.input_schema is None,
            )
            for b in builder.branches.get(node, {}).values()
        ]
        # (only a path function may be async: else a sync node's attempt runs whole in a thread)
        self.awaits = bool(self.branches)
        self.node_names = node_names
        self.nodes = node_set
        self.input_info = input_info  # set for START: the input is validated and split
        self.channels = channels  # set for START: the reducers that check the input
        self.root = state.is_root  # the state is one value: a node returns the value itself

    def __call__(
        self, output: Any, task: Task, _so_far: list[tuple[str, Any]]
    ) -> list[tuple[str, Any]]:
        writes, gotos = self._updates_and_gotos(output, task)
        if self.branches:
            fresh: dict[int, Any] = {}
            for branch, info, passthrough in self.branches:
                state = self._branch_state(task, writes, info, passthrough, output, fresh)
                writes.extend(branch.writes(state, task, self.nodes))
        writes.extend(self._goto(g) for g in gotos if g != END)
        return writes

    async def acall(
        self, output: Any, task: Task, _so_far: list[tuple[str, Any]]
    ) -> list[tuple[str, Any]]:
        """``__call__`` for async runs, where conditional edges may be async functions."""
        writes, gotos = self._updates_and_gotos(output, task)
        if self.branches:
            fresh: dict[int, Any] = {}
            for branch, info, passthrough in self.branches:
                state = self._branch_state(task, writes, info, passthrough, output, fresh)
                writes.extend(await branch.awrites(state, task, self.nodes))
        writes.extend(self._goto(g) for g in gotos if g != END)
        return writes

    def _updates_and_gotos(
        self, output: Any, task: Task
    ) -> tuple[list[tuple[str, Any]], list[Any]]:
        """The state updates and static edges of ``output``, and its Commands' gotos."""
        writes: list[tuple[str, Any]] = []
        gotos: list[Any] = []
        if (
            self.input_info is not None
            and not self.input_info.is_root
            and not isinstance(output, Command)  # (the goto of a Command given as input)
        ):
            output = self._input_as_update(output, task)
        items = output if isinstance(output, list | tuple) and _has_command(output) else [output]
        for item in items:
            if isinstance(item, Command):
                if item.graph == Command.PARENT:
                    raise ParentCommand(item)
                if item.graph is not None:
                    raise InvalidUpdateError(
                        f"node {self.node!r} returned Command(graph={item.graph!r}); graph may "
                        "only be None (this graph) or Command.PARENT."
                    )
                if item.update is not None:
                    update = item.update
                    if isinstance(update, list | tuple) and all(
                        isinstance(p, tuple) and len(p) == 2 for p in update
                    ):
                        # (key, value) pairs, each a write of its own (a key may come twice)
                        if not self.root:
                            writes.extend(p for p in update if p[0] in self.writable)
                            update = None
                        else:
                            update = dict(update)
                    if update is None:
                        pass
                    elif self.root and not isinstance(update, dict):
                        writes.append((ROOT, update))
                    else:
                        writes.extend(self._update(update))
                goto = item.goto
                gotos.extend(goto if isinstance(goto, list | tuple) else [goto] if goto else [])
            elif item is not None:
                if self.root:
                    writes.append((ROOT, item))
                else:
                    writes.extend(self._update(item))
        writes.extend(self.static)
        return writes, gotos

    def _input_as_update(self, value: Any, task: Task) -> Any:
        info = self.input_info
        assert info is not None
        if info.kind == "pydantic" and isinstance(value, dict):
            self._validate_input(info, value, task)
        if not isinstance(value, dict) and info.as_dict(value) is None:
            raise InvalidUpdateError(
                create_error_message(
                    message=(
                        f"the graph's input must be a dict of state values (keys: "
                        f"{', '.join(map(repr, info.channels))}), got {_short(value)} "
                        f"({type(value).__name__})."
                    ),
                    error_code=ErrorCode.INVALID_INPUT,
                )
            )
        if isinstance(value, dict) and any(k not in info.channels for k in value):
            # As in LangGraph, keys outside the input schema are dropped: state keys the input
            # schema leaves out, and keys the graph does not have at all.
            dropped = [k for k in value if k not in info.channels]
            logger.debug(
                "input keys %r are not in the graph's input schema; ignoring them", dropped
            )
            value = {k: v for k, v in value.items() if k in info.channels}
        return value

    def _validate_input(self, info: SchemaInfo, value: dict[str, Any], task: Task) -> None:
        """Fail before any node runs on input the pydantic input schema refuses.

        The input is checked as the first node will read the state: each value as its channel
        will hold it (a reducer such as ``add_messages`` first turns ``("user", "hi")`` into a
        message), and keys the input leaves out as the state already has them (from the
        thread, or a reducer's empty start value). The input is still written as given.
        """
        channels = self.channels or {}
        current = task.run.channels
        held = {}
        for key in info.channels:
            if key in value:
                v = value[key]
                ch = channels.get(key)
                if isinstance(ch, (BinaryOperatorAggregate, DeltaChannel)):
                    try:
                        start = current.get(key) or ch.from_checkpoint(MISSING)
                        start = start.copy()
                        start.update([v])
                        v = start.get()
                    except Exception:
                        return  # the reducer refuses it: it raises again, with context, later
                held[key] = v
            elif (ch := current.get(key)) is not None and ch.is_available():
                held[key] = ch.get()
        info.schema.model_validate(held)

    def _update(self, update: Any) -> list[tuple[str, Any]]:
        if isinstance(update, dict):
            items = update
        else:
            as_dict = self.state.as_dict(update)
            if as_dict is None:
                raise InvalidUpdateError(
                    create_error_message(
                        message=(
                            f"node {self.node!r} returned {_short(update)} "
                            f"({type(update).__name__}); a node returns a dict of state updates "
                            "(e.g. {'key': value}), None, a Command, or a list of those."
                        ),
                        error_code=ErrorCode.INVALID_GRAPH_NODE_RETURN_VALUE,
                    )
                )
            items = as_dict
        writable = self.writable
        out = [(k, v) for k, v in items.items() if k in writable]
        if len(out) != len(items):
            # As in LangGraph, keys the state lacks are dropped: a subgraph used as a node hands
            # back its whole state, of which the parent keeps the keys it shares.
            dropped = [k for k in items if k not in writable]
            managed = [k for k in dropped if k in self.managed]
            if managed:  # LangGraph warns here too: managed values are the engine's to set
                logger.warning(
                    "node %r wrote managed value(s) %r, which nodes cannot set; ignoring them",
                    self.node,
                    managed,
                )
            logger.debug(
                "node %r returned keys %r, which are not in the state; ignoring them",
                self.node,
                dropped,
            )
        return out

    def _goto(self, goto: Any) -> tuple[str, Any]:
        if isinstance(goto, Send):
            return (TASKS, goto)
        if goto not in self.nodes:
            raise InvalidUpdateError(
                create_error_message(
                    message=(
                        f"node {self.node!r} returned Command(goto={goto!r}), which is not a node "
                        f"of this graph (nodes: {', '.join(map(repr, self.node_names))})."
                    ),
                    error_code=ErrorCode.INVALID_GRAPH_NODE_RETURN_VALUE,
                )
            )
        return (branch_channel(goto), None)

    def _branch_state(
        self,
        task: Task,
        writes: list[tuple[str, Any]],
        info: SchemaInfo,
        passthrough: bool,
        output: Any,
        fresh: dict[int, Any],
    ) -> Any:
        """What a conditional edge reads: the state as this task's writes leave it, through
        ``info``; an edge without a schema of its own also sees the keys the node returned
        that the state lacks (LangGraph passes them through)."""
        key = id(info)
        if key not in fresh:
            fresh[key] = self._fresh_state(task, writes, info)
        state = fresh[key]
        if passthrough and isinstance(state, dict) and isinstance(output, dict):
            state = {**output, **state}
        return state

    def _fresh_state(self, task: Task, writes: list[tuple[str, Any]], info: SchemaInfo) -> Any:
        """The state as this task's own writes leave it, read through ``info``."""
        channels = task.run.channels
        mine: dict[str, list[Any]] = {}
        for chan, value in writes:
            if chan in info.channels:
                mine.setdefault(chan, []).append(value)
        values = {}
        for key in info.channels:
            ch = channels[key]
            if key in mine:
                ch = ch.copy()
                ch.update(mine[key])
            if ch.is_available():
                values[key] = ch.get()
        for key, managed in info.managed.items():
            values[key] = managed.get(task)
        return info.coerce(values)


def _has_command(items: Any) -> bool:
    return any(isinstance(i, Command) for i in items)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def state_types(builder: StateGraph[Any, Any, Any, Any]) -> frozenset[type]:
    """The classes the builder's state, input, output and node input schemas name: what a
    saver (or cache) of its runs must be able to rebuild."""
    import typing

    from langgraph_lite.checkpoint.serde import types_in_annotation

    schemas = {builder.state_schema, builder.input_schema, builder.output_schema}
    schemas |= {s.input_schema for s in builder.nodes.values() if s.input_schema is not None}
    found: set[type] = set()
    for schema in schemas:
        found |= types_in_annotation(schema)
        try:
            hints = typing.get_type_hints(schema, include_extras=True)
        except Exception:
            hints = getattr(schema, "__annotations__", {})
        for annotation in hints.values():
            found |= types_in_annotation(annotation)
    return frozenset(found)
