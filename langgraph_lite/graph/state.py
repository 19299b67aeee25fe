"""``StateGraph``: define an agent as a graph of functions over a shared state.

The builder collects nodes and edges; ``compile()`` checks them and turns them into a
``Pregel`` graph: one channel per state key, a ``branch:to:<node>`` channel per node (written to
send the run there), a barrier per edge that waits for several nodes, and a hidden ``__start__``
node that writes the input into the state.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from langgraph_lite.channels.base import BaseChannel
from langgraph_lite.channels.ephemeral_value import EphemeralValue
from langgraph_lite.channels.last_value import LastValueAfterFinish
from langgraph_lite.channels.named_barrier_value import (
    NamedBarrierValue,
    NamedBarrierValueAfterFinish,
)
from langgraph_lite.errors import (
    EmptyInputError,
    ErrorCode,
    InvalidUpdateError,
    ParentCommand,
    create_error_message,
)
from langgraph_lite.graph.branch import END, START, Branch, branch_channel
from langgraph_lite.graph.schema import SchemaInfo, merge_channels, schema_info
from langgraph_lite.pregel.algo import TASKS, Task
from langgraph_lite.pregel.main import Pregel
from langgraph_lite.pregel.node import HIDDEN_TAG, PregelNode
from langgraph_lite.types import Command, RetryPolicy, Send

__all__ = ["CompiledStateGraph", "StateGraph"]

logger = logging.getLogger("langgraph_lite")

_RESERVED_CHARS = ("|", ":")


class _NodeSpec:
    __slots__ = ("action", "defer", "destinations", "input_schema", "metadata", "retry_policy")

    def __init__(
        self,
        action: Any,
        *,
        defer: bool,
        metadata: dict[str, Any] | None,
        input_schema: Any,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None,
        destinations: Any,
    ) -> None:
        self.action = action
        self.defer = defer
        self.metadata = metadata
        self.input_schema = input_schema
        self.retry_policy = retry_policy
        self.destinations = destinations


def _graph_error(message: str) -> ValueError:
    return ValueError(
        create_error_message(message=message, error_code=ErrorCode.INVALID_GRAPH_DEFINITION)
    )


class StateGraph:
    """A graph whose nodes read a shared state and return updates to it.

    >>> import operator
    >>> from typing import Annotated
    >>> from typing_extensions import TypedDict
    >>> from langgraph_lite.graph import StateGraph, START, END
    >>> class State(TypedDict):
    ...     count: int
    ...     log: Annotated[list[str], operator.add]
    >>> builder = StateGraph(State)
    >>> _ = builder.add_node("inc", lambda s: {"count": s["count"] + 1, "log": ["inc"]})
    >>> _ = builder.add_edge(START, "inc")
    >>> builder.compile().invoke({"count": 1})
    {'count': 2, 'log': ['inc']}
    """

    def __init__(
        self,
        state_schema: Any = None,
        context_schema: Any = None,
        *,
        input_schema: Any = None,
        output_schema: Any = None,
    ) -> None:
        if state_schema is None:
            if input_schema is None or output_schema is None:
                raise TypeError(
                    "StateGraph needs a state schema, e.g. StateGraph(State) with "
                    "class State(TypedDict): messages: list"
                )
            state_schema = input_schema
        self.state_schema = state_schema
        self.context_schema = context_schema
        self.input_schema = input_schema if input_schema is not None else state_schema
        self.output_schema = output_schema if output_schema is not None else state_schema
        schema_info(state_schema)  # fails now on a bad schema
        self.nodes: dict[str, _NodeSpec] = {}
        self.edges: set[tuple[str, str]] = set()
        self.waiting_edges: set[tuple[tuple[str, ...], str]] = set()
        self.branches: dict[str, dict[str, Branch]] = {}
        self.compiled = False

    # -- building ----------------------------------------------------------------------------

    def add_node(
        self,
        node: str | Any,
        action: Any = None,
        *,
        defer: bool = False,
        metadata: dict[str, Any] | None = None,
        input_schema: Any = None,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        cache_policy: Any = None,
        destinations: dict[str, str] | tuple[str, ...] | None = None,
    ) -> StateGraph:
        """Add a node: ``add_node("name", fn)`` or ``add_node(fn)`` (named after the function).

        ``fn`` takes the state (and optionally ``config`` / ``writer``), sync or async, and
        returns a partial update (a dict), ``None``, a ``Command``, or a list of those.
        """
        if not isinstance(node, str):
            action, node = node, _name_of(node)
        if action is None:
            raise TypeError(
                f"add_node({node!r}) needs a function: add_node({node!r}, fn), or add_node(fn)."
            )
        if not callable(action) and not hasattr(action, "invoke"):
            raise TypeError(
                create_error_message(
                    message=(
                        f"node {node!r} must be a function (or a compiled graph), got "
                        f"{action!r} ({type(action).__name__})."
                    ),
                    error_code=ErrorCode.INVALID_NODE,
                )
            )
        if node in (START, END):
            raise _graph_error(
                f"node name {node!r} is reserved for the graph's own use; pick another."
            )
        for ch in _RESERVED_CHARS:
            if ch in node:
                raise _graph_error(
                    f"node name {node!r} contains {ch!r}, which is reserved (it separates parts "
                    "of task paths and namespaces); pick a name without '|' or ':'."
                )
        if node in self.nodes:
            raise _graph_error(
                f"node {node!r} was already added. Give the second one another name."
            )
        if input_schema is None:
            input_schema = _first_param_schema(action)
        if input_schema is not None:
            schema_info(input_schema)
        self.nodes[node] = _NodeSpec(
            action,
            defer=defer,
            metadata=metadata,
            input_schema=input_schema,
            retry_policy=retry_policy,
            destinations=destinations,
        )
        return self

    def add_edge(self, start_key: str | Sequence[str], end_key: str) -> StateGraph:
        """Run ``end_key`` after ``start_key``; with a list of starts, after all of them."""
        if isinstance(start_key, str):
            if start_key == END:
                raise _graph_error("END cannot be the start of an edge: nothing runs after END.")
            if end_key == START:
                raise _graph_error("START cannot be the end of an edge: it only starts the run.")
            self.edges.add((start_key, end_key))
            return self
        starts = tuple(start_key)
        for s in starts:
            if s == START:
                raise _graph_error("START cannot be one of several starts of an edge.")
            if s == END:
                raise _graph_error("END cannot be the start of an edge: nothing runs after END.")
        self.waiting_edges.add((starts, end_key))
        return self

    def add_conditional_edges(
        self,
        source: str,
        path: Callable[..., Any],
        path_map: Mapping[Hashable, str] | Sequence[str] | None = None,
    ) -> StateGraph:
        """After ``source``, go where ``path(state)`` says: a node name, a list, END or Sends.

        ``path_map`` maps what ``path`` returns to node names.
        """
        branch = Branch(source, path, path_map)
        existing = self.branches.setdefault(source, {})
        name = branch.name
        if name in existing:
            raise _graph_error(
                f"node {source!r} already has a conditional edge named {name!r}; give the path "
                "function another name."
            )
        existing[name] = branch
        return self

    def add_sequence(self, nodes: Sequence[Any]) -> StateGraph:
        """Add nodes (functions or ``(name, fn)`` pairs) that run one after another."""
        if not nodes:
            raise ValueError("add_sequence needs at least one node.")
        previous: str | None = None
        for item in nodes:
            name, action = item if isinstance(item, tuple) else (_name_of(item), item)
            self.add_node(name, action)
            if previous is not None:
                self.add_edge(previous, name)
            previous = name
        return self

    def set_entry_point(self, key: str) -> StateGraph:
        """Start the run at ``key`` (same as ``add_edge(START, key)``)."""
        return self.add_edge(START, key)

    def set_conditional_entry_point(
        self,
        path: Callable[..., Any],
        path_map: Mapping[Hashable, str] | Sequence[str] | None = None,
    ) -> StateGraph:
        """Start the run where ``path(input state)`` says."""
        return self.add_conditional_edges(START, path, path_map)

    def set_finish_point(self, key: str) -> StateGraph:
        """End the run after ``key`` (same as ``add_edge(key, END)``)."""
        return self.add_edge(key, END)

    # -- checking ----------------------------------------------------------------------------

    def validate(self, interrupt: Sequence[str] | None = None) -> StateGraph:
        """Check edges and names; raises ``ValueError`` naming the culprit and the fix."""
        known = set(self.nodes)
        sources = {s for s, _ in self.edges} | {
            s for starts, _ in self.waiting_edges for s in starts
        }
        sources |= set(self.branches)
        for node, spec in self.nodes.items():
            if spec.destinations:
                sources.add(node)
        for source in sorted(sources):
            if source != START and source not in known:
                raise _graph_error(
                    f"an edge starts at {source!r}, which is not a node of this graph (nodes: "
                    f"{', '.join(map(repr, self.nodes)) or 'none'}). Add the node first."
                )
        if START not in sources:
            raise _graph_error(
                "the graph has no entry point: add an edge from START, e.g. "
                "builder.add_edge(START, 'first_node')."
            )
        targets = {e for _, e in self.edges} | {e for _, e in self.waiting_edges}
        for branch_map in self.branches.values():
            for branch in branch_map.values():
                targets.update(branch.ends or ())
        for target in sorted(targets):
            if target != END and target not in known:
                raise _graph_error(
                    f"an edge ends at {target!r}, which is not a node of this graph (nodes: "
                    f"{', '.join(map(repr, self.nodes)) or 'none'}). Add the node, or fix the name."
                )
        for name in interrupt or ():
            if name not in known and name != "*":
                raise _graph_error(
                    f"cannot interrupt at {name!r}: it is not a node of this graph (nodes: "
                    f"{', '.join(map(repr, self.nodes))})."
                )
        unreachable = sorted(known - self._reachable())
        if unreachable:
            warnings.warn(
                f"node(s) {', '.join(map(repr, unreachable))} cannot be reached from START: no "
                "edge, conditional edge or Command leads there. They will never run.",
                UserWarning,
                stacklevel=3,
            )
        return self

    def _reachable(self) -> set[str]:
        dynamic = any(b.ends is None for bm in self.branches.values() for b in bm.values()) or any(
            spec.destinations is None and _returns_command(spec.action)
            for spec in self.nodes.values()
        )
        if dynamic:
            return set(self.nodes)  # a path function or Command may go anywhere
        out: dict[str, set[str]] = {}
        for s, e in self.edges:
            out.setdefault(s, set()).add(e)
        for starts, e in self.waiting_edges:
            for s in starts:
                out.setdefault(s, set()).add(e)
        for source, bm in self.branches.items():
            for b in bm.values():
                out.setdefault(source, set()).update(b.ends or ())
        for node, spec in self.nodes.items():
            if spec.destinations:
                out.setdefault(node, set()).update(spec.destinations)
        seen: set[str] = set()
        stack = [START]
        while stack:
            for nxt in out.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    # -- compiling ---------------------------------------------------------------------------

    def compile(
        self,
        checkpointer: Any = None,
        *,
        cache: Any = None,
        store: Any = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        debug: bool = False,
        name: str | None = None,
    ) -> CompiledStateGraph:
        """Check the graph and build the runnable ``CompiledStateGraph``."""
        before = _names(interrupt_before)
        after = _names(interrupt_after)
        self.validate(interrupt=[*before, *after])
        self.compiled = True
        compiled = _compile(self, debug=debug, name=name or "LangGraph")
        compiled.interrupt_before_nodes = before
        compiled.interrupt_after_nodes = after
        if checkpointer not in (None, False, True):
            _allow_state_types(checkpointer, self)
            compiled.checkpointer = checkpointer
        return compiled


class CompiledStateGraph(Pregel):
    """A compiled ``StateGraph``: a ``Pregel`` you can ``invoke``, ``stream``, ``astream``…

    ``nodes[name].invoke(state)`` runs one node alone and returns its update.
    """

    builder: StateGraph

    def _map_input(self, input: Any) -> list[tuple[str, Any]]:
        if input is None:
            raise EmptyInputError(
                "the graph was given no input (None). Pass a dict of state values, e.g. "
                "graph.invoke({'messages': [...]})."
            )
        return [(START, input)]

    def get_graph(self, config: Any = None, *, xray: int | bool = False) -> Any:
        """The graph's structure, to draw: ``get_graph().draw_mermaid()``."""
        from langgraph_lite.graph.draw import graph_of

        return graph_of(self, xray=xray)


# -- compile: builder → Pregel -----------------------------------------------------------------


def _compile(builder: StateGraph, *, debug: bool, name: str) -> CompiledStateGraph:
    state = schema_info(builder.state_schema)
    infos: list[SchemaInfo] = [
        state,
        schema_info(builder.input_schema),
        schema_info(builder.output_schema),
    ]
    where = {0: "the state schema", 1: "the input schema", 2: "the output schema"}
    for node, spec in builder.nodes.items():
        if spec.input_schema is not None:
            where[len(infos)] = f"the input schema of node {node!r}"
            infos.append(schema_info(spec.input_schema))
    channels: dict[str, BaseChannel] = dict(merge_channels(infos, where))
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
    output_keys = list(schema_info(builder.output_schema).channels)

    nodes: dict[str, PregelNode] = {}
    node_names = list(builder.nodes)
    writable = set(channels) - {START, TASKS}
    start_writer = _UpdateWriter(
        START,
        builder,
        writable,
        state,
        managed,
        static_edges(builder, START),
        joins.get(START, []),
        node_names,
        input_info=schema_info(builder.input_schema),
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
            channels=[k for k in reads_info.channels],
            triggers=[branch_channel(node), *join_triggers.get(node, [])],
            bound=[spec.action],
            mapper=_mapper(reads_info, managed),
            writers=[
                _UpdateWriter(
                    node,
                    builder,
                    writable,
                    state,
                    managed,
                    static_edges(builder, node),
                    joins.get(node, []),
                    node_names,
                )
            ],
            retry_policy=spec.retry_policy,
            metadata=spec.metadata,
            name=node,
        )
    compiled = CompiledStateGraph(
        nodes=nodes,
        channels=channels,
        input_channels=START,
        output_channels=output_keys,
        stream_channels=[k for k in channels if k not in (START, TASKS) and ":" not in k],
        stream_mode="updates",
        name=name,
        debug=debug,
    )
    compiled.builder = builder
    compiled.state_keys = state_keys  # type: ignore[attr-defined]
    compiled.input_keys = input_keys  # type: ignore[attr-defined]
    return compiled


def static_edges(builder: StateGraph, node: str) -> list[str]:
    return sorted(e for s, e in builder.edges if s == node and e != END)


def _mapper(info: SchemaInfo, managed: Mapping[str, Any]) -> Callable[[Any, Task], Any]:
    wanted = {k: m for k, m in managed.items() if k in info.managed}

    def to_node_input(value: Any, task: Task) -> Any:
        if not isinstance(value, dict):
            return value  # a Send packet's argument, given as is
        if wanted:
            value = {**value, **{k: m.get(task) for k, m in wanted.items()}}
        return info.coerce(value)

    return to_node_input


class _UpdateWriter:
    """Turns what a node returned into writes: state updates, then where to go next."""

    def __init__(
        self,
        node: str,
        builder: StateGraph,
        writable: set[str],
        state: SchemaInfo,
        managed: Mapping[str, Any],
        edges: list[str],
        joins: list[str],
        node_names: list[str],
        *,
        input_info: SchemaInfo | None = None,
    ) -> None:
        self.node = node
        self.writable = writable
        self.state = state
        self.managed = managed
        self.static = [(branch_channel(e), None) for e in edges] + [(j, node) for j in joins]
        self.branches = list(builder.branches.get(node, {}).values())
        self.node_names = node_names
        self.nodes = set(node_names)
        self.input_info = input_info  # set for START: the input is validated and split

    def __call__(
        self, output: Any, task: Task, _so_far: list[tuple[str, Any]]
    ) -> list[tuple[str, Any]]:
        writes, gotos = self._updates_and_gotos(output)
        if self.branches:
            fresh = self._fresh_state(task, writes)
            for branch in self.branches:
                writes.extend(branch.writes(fresh, task, self.nodes))
        writes.extend(self._goto(g) for g in gotos if g != END)
        return writes

    async def acall(
        self, output: Any, task: Task, _so_far: list[tuple[str, Any]]
    ) -> list[tuple[str, Any]]:
        """``__call__`` for async runs, where conditional edges may be async functions."""
        writes, gotos = self._updates_and_gotos(output)
        if self.branches:
            fresh = self._fresh_state(task, writes)
            for branch in self.branches:
                writes.extend(await branch.awrites(fresh, task, self.nodes))
        writes.extend(self._goto(g) for g in gotos if g != END)
        return writes

    def _updates_and_gotos(self, output: Any) -> tuple[list[tuple[str, Any]], list[Any]]:
        """The state updates and static edges of ``output``, and its Commands' gotos."""
        writes: list[tuple[str, Any]] = []
        gotos: list[Any] = []
        if self.input_info is not None:
            output = self._input_as_update(output)
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
                        update = dict(update)  # a Command's update may be (key, value) pairs
                    writes.extend(self._update(update))
                goto = item.goto
                gotos.extend(goto if isinstance(goto, list | tuple) else [goto] if goto else [])
            elif item is not None:
                writes.extend(self._update(item))
        writes.extend(self.static)
        return writes, gotos

    def _input_as_update(self, value: Any) -> Any:
        info = self.input_info
        assert info is not None
        if info.kind == "pydantic" and isinstance(value, dict):
            info.schema.model_validate(value)  # fails early on bad input; written as given
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
        if isinstance(value, dict):
            # Keys of the state outside the input schema are dropped, as LangGraph does;
            # keys the graph does not have at all are a mistake worth naming.
            value = {
                k: v
                for k, v in value.items()
                if k in info.channels or (k not in self.writable and k not in self.managed)
            }
            unknown = [k for k in value if k not in info.channels]
            if unknown:
                raise InvalidUpdateError(
                    create_error_message(
                        message=(
                            f"input key {unknown[0]!r} is not in the graph's input schema "
                            f"(keys: {', '.join(map(repr, info.channels))})."
                            + _did_you_mean(unknown[0], list(info.channels))
                        ),
                        error_code=ErrorCode.INVALID_INPUT,
                    )
                )
        return value

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
        out = []
        for key, value in items.items():
            if key not in self.writable:
                if key in self.managed:
                    what = f"is a managed value ({self.managed[key].__name__}), which nodes cannot write"
                else:
                    keys = [k for k in self.writable if not k.startswith(("branch:to:", "join:"))]
                    what = (
                        f"is not in the state (keys: {', '.join(map(repr, keys))})"
                        + _did_you_mean(str(key), keys)
                    )
                raise InvalidUpdateError(
                    create_error_message(
                        message=f"node {self.node!r} returned key {key!r}, which {what}",
                        error_code=ErrorCode.INVALID_GRAPH_NODE_RETURN_VALUE,
                    )
                )
            out.append((key, value))
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

    def _fresh_state(self, task: Task, writes: list[tuple[str, Any]]) -> Any:
        """The state as this task's own writes leave it: what its conditional edges see."""
        channels = task.run.channels
        mine: dict[str, list[Any]] = {}
        for chan, value in writes:
            if chan in self.state.channels:
                mine.setdefault(chan, []).append(value)
        values = {}
        for key in self.state.channels:
            ch = channels[key]
            if key in mine:
                ch = ch.copy()
                ch.update(mine[key])
            if ch.is_available():
                values[key] = ch.get()
        for key, managed in self.state.managed.items():
            values[key] = managed.get(task)
        return self.state.coerce(values)


def _has_command(items: Any) -> bool:
    return any(isinstance(i, Command) for i in items)


def _did_you_mean(name: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, choices, n=1)
    return f". Did you mean {close[0]!r}?" if close else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _name_of(action: Any) -> str:
    name = getattr(action, "name", None) if hasattr(action, "invoke") else None
    name = name or getattr(action, "__name__", None)
    if not name:
        raise ValueError(
            f"cannot infer a node name from {action!r}: pass one, add_node('name', fn)."
        )
    return str(name)


def _first_param_schema(action: Any) -> Any:
    """A node's own input schema, from the annotation of its first parameter, if a schema."""
    try:
        params = list(inspect.signature(action).parameters.values())
    except (TypeError, ValueError):
        return None
    if not params:
        return None
    try:
        import typing

        hints = typing.get_type_hints(action)
    except Exception:
        return None
    ann = hints.get(params[0].name)
    if ann is None or not isinstance(ann, type):
        return None
    try:
        schema_info(ann)
    except TypeError:
        return None
    return ann


def _returns_command(action: Any) -> bool:
    """Whether a node may return a ``Command`` (and so go anywhere): its return annotation
    names one, or its code refers to ``Command``. When unsure, say yes."""
    import typing

    try:
        ret = typing.get_type_hints(action).get("return")
    except Exception:
        return True
    if ret is not None and ((typing.get_origin(ret) or ret) is Command or "Command" in repr(ret)):
        return True
    code = getattr(getattr(action, "__func__", action), "__code__", None)
    if code is None:
        return True  # a callable object or a compiled graph: cannot tell
    stack = [code]
    while stack:
        c = stack.pop()
        if "Command" in c.co_names or "Command" in c.co_freevars:
            return True
        stack.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return False


def _allow_state_types(checkpointer: Any, builder: StateGraph) -> None:
    """Let the checkpointer's serializer rebuild the classes the state schemas name."""
    import typing

    from langgraph_lite.checkpoint.serde import types_in_annotation

    serde = getattr(checkpointer, "serde", None)
    if serde is None or not hasattr(serde, "allow"):
        return
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
    serde.allow(*found)


def _names(names: Sequence[str] | str | None) -> list[str]:
    return [names] if isinstance(names, str) else list(names or ())
