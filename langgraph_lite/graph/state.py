"""``StateGraph``: define an agent as a graph of functions over a shared state.

The builder collects nodes and edges; ``compile()`` checks them and turns them into a
``Pregel`` graph: one channel per state key, a ``branch:to:<node>`` channel per node (written to
send the run there), a barrier per edge that waits for several nodes, and a hidden ``__start__``
node that writes the input into the state.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Generic

from typing_extensions import Self, TypeVar

from langgraph_lite.errors import (
    EmptyInputError,
    ErrorCode,
    create_error_message,
)
from langgraph_lite.graph.branch import END, START, Branch
from langgraph_lite.graph.compile import compile_graph, state_types
from langgraph_lite.graph.handlers import (
    add_default_handler,
    add_handler_node,
    check_handler,
    check_new_handler,
    handler_name,
)
from langgraph_lite.graph.jsonschema import json_schema_of, model_of
from langgraph_lite.graph.node_spec import NodeSpec
from langgraph_lite.graph.schema import (
    first_param_schema,
    merge_channels,
    schema_info,
    warn_config_annotation,
)
from langgraph_lite.graph.validate import (
    _check_cache_policy,
    _check_checkpointer,
    check_graph,
)
from langgraph_lite.pregel.main import Pregel
from langgraph_lite.pregel.node_cache import check_cache
from langgraph_lite.pregel.persistence import allow_types
from langgraph_lite.timeout_policy import coerce_timeout
from langgraph_lite.types import CachePolicy, RetryPolicy
from langgraph_lite.warnings import LangGraphDeprecatedSinceV05, LangGraphDeprecatedSinceV10

__all__ = ["CompiledStateGraph", "StateGraph"]

logger = logging.getLogger("langgraph_lite")

_RESERVED_CHARS = ("|", ":")


def _graph_error(message: str) -> ValueError:
    return ValueError(
        create_error_message(message=message, error_code=ErrorCode.INVALID_GRAPH_DEFINITION)
    )


StateT = TypeVar("StateT", default=Any)
ContextT = TypeVar("ContextT", default=Any)
InputT = TypeVar("InputT", default=StateT)
OutputT = TypeVar("OutputT", default=StateT)


class StateGraph(Generic[StateT, ContextT, InputT, OutputT]):
    """A graph whose nodes read a shared state and return updates to it.

    Subscript it for type checkers as with LangGraph: ``StateGraph[State]``.

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
        **deprecated: Any,
    ) -> None:
        for old, new in (
            ("config_schema", "context_schema"),
            ("input", "input_schema"),
            ("output", "output_schema"),
        ):
            if old not in deprecated:
                continue
            warnings.warn(
                f"`{old}` is deprecated and will be removed. Please use `{new}` instead.",
                (
                    LangGraphDeprecatedSinceV10
                    if old == "config_schema"
                    else LangGraphDeprecatedSinceV05
                ),
                stacklevel=2,
            )
            value = deprecated.pop(old)
            if old == "config_schema" and context_schema is None:
                context_schema = value
            elif old == "input" and input_schema is None:
                input_schema = value
            elif old == "output" and output_schema is None:
                output_schema = value
        if deprecated:  # LangGraph takes and ignores any other keyword; so do we
            logger.debug("StateGraph() ignores keyword arguments %r", sorted(deprecated))
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
        # Every schema that declares state keys, in the order their channels are merged (the
        # first declaration of a key wins); a conflict fails here, when it is declared.
        self._schemas: list[tuple[Any, str]] = []
        self._add_schema(state_schema, "the state schema")
        self._add_schema(self.input_schema, "the input schema")
        self._add_schema(self.output_schema, "the output schema")
        self.nodes: dict[str, NodeSpec] = {}
        self.edges: set[tuple[str, str]] = set()
        self.waiting_edges: set[tuple[tuple[str, ...], str]] = set()
        self.branches: dict[str, dict[str, Branch]] = {}
        self.compiled = False
        self._default_retry: RetryPolicy | Sequence[RetryPolicy] | None = None
        self._default_timeout: Any = None  # a TimeoutPolicy, from set_node_defaults
        self._default_cache: Any = None
        self._default_handler: Any = None

    @property
    def channels(self) -> dict[str, Any]:
        """The channel of every state key the graph's schemas declare, by key."""
        infos = [schema_info(s) for s, _ in self._schemas]
        return merge_channels(infos, {i: w for i, (_, w) in enumerate(self._schemas)})

    @property
    def managed(self) -> dict[str, Any]:
        """The managed values (``RemainingSteps``, ``IsLastStep``) the schemas declare, by key."""
        out: dict[str, Any] = {}
        for schema, _ in self._schemas:
            out.update(schema_info(schema).managed)
        return out

    @property
    def schemas(self) -> dict[Any, dict[str, Any]]:
        """Each schema the graph uses, with its keys' channels and managed values."""
        out: dict[Any, dict[str, Any]] = {}
        for schema, _ in self._schemas:
            info = schema_info(schema)
            out.setdefault(schema, {**info.channels, **info.managed})
        return out

    def _add_schema(self, schema: Any, where: str) -> None:
        infos = [schema_info(s) for s, _ in self._schemas]
        infos.append(schema_info(schema))  # fails now on a bad schema
        merge_channels(infos, {i: w for i, (_, w) in enumerate([*self._schemas, (schema, where)])})
        self._schemas.append((schema, where))

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
        cache_policy: CachePolicy | None = None,
        error_handler: Any = None,
        destinations: dict[str, str] | tuple[str, ...] | None = None,
        timeout: Any = None,
        trace_policy: Any = None,
        **deprecated: Any,
    ) -> Self:
        """Add a node: ``add_node("name", fn)`` or ``add_node(fn)`` (named after the function).

        ``fn`` takes the state (and optionally ``config`` / ``writer``), sync or async, and
        returns a partial update (a dict), ``None``, a ``Command``, or a list of those.
        ``error_handler``: a function that runs, in the same step, when ``fn`` raises (after
        its retries); it gets the same state, and ``error: NodeError`` if it asks for it, and
        returns an update or a ``Command`` (see ``graph/handlers.py``). It is added as the node
        ``__error_handler__<name>``. ``trace_policy``: a ``TracePolicy``, what the node's runs
        report to LangChain callbacks (see docs/streaming.md). ``timeout``: a ``TimeoutPolicy``, or
        seconds (a number or ``timedelta``) for each attempt (see docs/timeouts.md).
        """
        for old, new in (("retry", "retry_policy"), ("input", "input_schema")):
            if old in deprecated:
                warnings.warn(
                    f"`{old}` is deprecated and will be removed. Please use `{new}` instead.",
                    LangGraphDeprecatedSinceV05,
                    stacklevel=2,
                )
                value = deprecated.pop(old)
                if old == "retry" and retry_policy is None:
                    retry_policy = value
                elif old == "input" and input_schema is None:
                    input_schema = value
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
                f"Node `{node}` is reserved: the graph uses the name itself; pick another."
            )
        for ch in _RESERVED_CHARS:
            if ch in node:
                raise _graph_error(
                    f"'{ch}' is a reserved character and is not allowed in the node names: "
                    f"{node!r} (it separates parts of task paths and namespaces); pick a name "
                    "without '|' or ':'."
                )
        if node in self.nodes:
            raise _graph_error(f"Node `{node}` already present. Give the second one another name.")
        _check_cache_policy(cache_policy, f"add_node({node!r})")
        timeout = coerce_timeout(timeout, f"add_node({node!r})")
        if error_handler is not None:
            check_new_handler(self, node, error_handler)
        warn_config_annotation(action, stacklevel=2)
        if input_schema is None:
            input_schema = first_param_schema(action)
        if input_schema is not None:
            self._add_schema(input_schema, f"the input schema of node {node!r}")
        if error_handler is not None:  # (before the node, as LangGraph orders them)
            add_handler_node(self, node, error_handler, input_schema)
        spec = self.nodes[node] = NodeSpec(
            action,
            defer=defer,
            metadata=metadata,
            input_schema=input_schema,
            retry_policy=retry_policy,
            destinations=destinations,
            cache_policy=cache_policy,
            timeout=timeout,
        )
        spec.trace_policy = trace_policy
        if error_handler is not None:
            spec.error_handler = handler_name(node)
        return self

    def set_node_defaults(
        self,
        *,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        cache_policy: CachePolicy | None = None,
        error_handler: Any = None,
        timeout: Any = None,
    ) -> Self:
        """Defaults for the nodes that do not set their own, applied when the graph compiles.

        ``retry_policy`` applies to every node added with none, error handlers included;
        ``cache_policy`` likewise, error handlers excepted (it caches only in a graph compiled
        with ``cache=``). ``error_handler`` handles the failures of every node that has no
        handler of its own (not those of handlers): it is added, when the graph compiles, as
        the node ``__default_error_handler__``. ``timeout`` applies to every node with none,
        error handlers included.
        """
        if timeout is not None:
            self._default_timeout = coerce_timeout(timeout, "set_node_defaults()")
        if error_handler is not None:
            check_handler(error_handler, "set_node_defaults()")
            self._default_handler = error_handler
        if retry_policy is not None:
            self._default_retry = retry_policy
        if cache_policy is not None:
            _check_cache_policy(cache_policy, "set_node_defaults()")
            self._default_cache = cache_policy
        return self

    def add_edge(self, start_key: str | Sequence[str], end_key: str) -> Self:
        """Run ``end_key`` after ``start_key``; with a list of starts, after all of them."""
        if isinstance(start_key, str):
            if start_key == END:
                raise _graph_error("END cannot be a start node: nothing runs after END.")
            if end_key == START:
                raise _graph_error("START cannot be an end node: it only starts the run.")
            self.edges.add((start_key, end_key))
            return self
        starts = tuple(start_key)
        for s in starts:
            if s == END:
                raise _graph_error("END cannot be a start node: nothing runs after END.")
            if s not in self.nodes:
                raise _graph_error(
                    f"Need to add_node `{s}` first: an edge waiting for several nodes starts "
                    "only at nodes already added (START cannot be one of them)."
                )
        if end_key == START:
            raise _graph_error("START cannot be an end node: it only starts the run.")
        if end_key != END and end_key not in self.nodes:
            raise _graph_error(f"Need to add_node `{end_key}` first, then add the edge to it.")
        self.waiting_edges.add((starts, end_key))
        return self

    def add_conditional_edges(
        self,
        source: str,
        path: Callable[..., Any],
        path_map: Mapping[Hashable, str] | Sequence[str] | None = None,
    ) -> Self:
        """After ``source``, go where ``path(state)`` says: a node name, a list, END or Sends.

        ``path_map`` maps what ``path`` returns to node names.
        """
        branch = Branch(source, path, path_map)
        existing = self.branches.setdefault(source, {})
        name = branch.name
        if name in existing:
            raise _graph_error(
                f"Branch with name `{name}` already exists for node `{source}`: give the "
                "path function another name."
            )
        if branch.input_schema is not None:
            self._add_schema(
                branch.input_schema, f"the schema of path function {name!r} from {source!r}"
            )
        existing[name] = branch
        return self

    def add_sequence(self, nodes: Sequence[Any]) -> Self:
        """Add nodes (functions or ``(name, fn)`` pairs) that run one after another."""
        if not nodes:
            raise ValueError("Sequence requires at least one node: add_sequence([a, b, ...]).")
        previous: str | None = None
        for item in nodes:
            name, action = item if isinstance(item, tuple) else (_name_of(item), item)
            if name in self.nodes:
                raise ValueError(
                    f"Node names must be unique: node with the name '{name}' already exists. "
                    "Give two callables of the same name (two lambdas, say) as (name, fn) pairs."
                )
            self.add_node(name, action)
            if previous is not None:
                self.add_edge(previous, name)
            previous = name
        return self

    def set_entry_point(self, key: str) -> Self:
        """Start the run at ``key`` (same as ``add_edge(START, key)``)."""
        return self.add_edge(START, key)

    def set_conditional_entry_point(
        self,
        path: Callable[..., Any],
        path_map: Mapping[Hashable, str] | Sequence[str] | None = None,
    ) -> Self:
        """Start the run where ``path(input state)`` says."""
        return self.add_conditional_edges(START, path, path_map)

    def set_finish_point(self, key: str) -> Self:
        """End the run after ``key`` (same as ``add_edge(key, END)``)."""
        return self.add_edge(key, END)

    # -- checking ----------------------------------------------------------------------------

    def validate(self, interrupt: Sequence[str] | None = None) -> Self:
        """Check edges and names; raises ``ValueError`` naming the culprit and the fix."""
        check_graph(self, interrupt)
        return self

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
        transformers: Sequence[Callable[[tuple[str, ...]], Any]] | None = None,
    ) -> CompiledStateGraph:
        """Check the graph and build the runnable ``CompiledStateGraph``.

        ``store`` is what nodes get as their ``store`` parameter (and ``runtime.store``,
        ``get_store()``, tools' ``InjectedStore``); ``cache`` keeps the writes of nodes with a
        ``cache_policy``. ``transformers``: stream transformer classes (or factories ``f(scope)``)
        that every ``stream_events(version="v3")`` run of this graph registers.
        """
        _check_checkpointer(checkpointer)
        check_cache(cache)
        before = _names(interrupt_before)
        after = _names(interrupt_after)
        add_default_handler(self)
        self.validate(interrupt=[*before, *after])
        self.compiled = True
        compiled = compile_graph(self, debug=debug, name=name or "LangGraph")
        compiled.interrupt_before_nodes = before
        compiled.interrupt_after_nodes = after
        compiled.state_types = state_types(self)
        if checkpointer not in (None, False, True):
            allow_types(checkpointer, compiled.state_types)
            compiled.checkpointer = checkpointer
        elif checkpointer is not None:
            compiled.subgraph_checkpointer = checkpointer  # True / False: see Pregel
        compiled.store = store
        compiled.stream_transformers = tuple(transformers or ())
        if cache is not None:
            allow_types(cache, compiled.state_types)  # its serde rebuilds the state's classes
            compiled.cache = cache
        return compiled


class CompiledStateGraph(Pregel, Generic[StateT, ContextT, InputT, OutputT]):
    """A compiled ``StateGraph``: a ``Pregel`` you can ``invoke``, ``stream``, ``astream``…

    ``nodes[name].invoke(state)`` runs one node alone and returns its update.
    """

    builder: StateGraph

    def _map_input(self, input: Any) -> list[tuple[str, Any]]:
        if input is None:
            raise EmptyInputError(
                "the graph was given no input (None). Pass the state's values, e.g. "
                "graph.invoke({'messages': [...]}), or the value itself for a root state such "
                "as StateGraph(int)."
            )
        return [(START, input)]

    def get_input_schema(self, config: Any = None) -> Any:
        """A pydantic model of the graph's input (the input schema itself if a model)."""
        return model_of(self.builder.input_schema, "LangGraphInput")

    def get_output_schema(self, config: Any = None) -> Any:
        """A pydantic model of what ``invoke`` returns (the output schema itself if a model)."""
        return model_of(self.builder.output_schema, "LangGraphOutput")

    def get_input_jsonschema(self, config: Any = None) -> dict[str, Any]:
        """The JSON schema of the graph's input."""
        return json_schema_of(self.builder.input_schema, "LangGraphInput")

    def get_output_jsonschema(self, config: Any = None) -> dict[str, Any]:
        """The JSON schema of what ``invoke`` returns."""
        return json_schema_of(self.builder.output_schema, "LangGraphOutput")

    def get_context_jsonschema(self) -> dict[str, Any] | None:
        """The JSON schema of the run's ``context``, or None when the graph declares none."""
        schema = self.builder.context_schema
        return None if schema is None else json_schema_of(schema, "LangGraphContext")

    def get_graph(self, config: Any = None, *, xray: int | bool = False) -> Any:
        """The graph's structure, to draw: ``get_graph().draw_mermaid()``."""
        from langgraph_lite.graph.draw import graph_of

        return graph_of(self, xray=xray)


def _name_of(action: Any) -> str:
    name = getattr(action, "name", None) if hasattr(action, "invoke") else None
    # A callable object is named after its class, a functools.partial "partial", as LangGraph
    # names them.
    name = name or getattr(action, "__name__", None) or type(action).__name__
    if not name:
        raise ValueError(
            f"cannot infer a node name from {action!r}: pass one, add_node('name', fn)."
        )
    return str(name)


def _names(names: Sequence[str] | str | None) -> list[str]:
    return [names] if isinstance(names, str) else list(names or ())
