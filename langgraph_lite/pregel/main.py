"""``Pregel``: a graph of nodes and channels, and the calls that run it.

It checks a graph once, when built (unknown channels, bad nodes), indexes the nodes each
channel triggers, and turns ``invoke``/``stream``/``a…`` calls into a ``PregelLoop`` run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from typing_extensions import Self

from langgraph_lite._internal._constants import CONFIG_KEY_RUNTIME
from langgraph_lite.channels.base import BaseChannel
from langgraph_lite.channels.topic import Topic
from langgraph_lite.config import current_task
from langgraph_lite.errors import (
    EmptyInputError,
    ErrorCode,
    create_error_message,
)
from langgraph_lite.pregel.algo import TASKS
from langgraph_lite.pregel.arguments import (
    _DURABILITY,
    RunOptions,
    _build_node,
    _merge_config,
    _parse_stream_mode,
    _short,
    _unknown_channel,
    check_graph,
    deprecated_durability,
    deprecated_pregel_kwargs,
    nested_config,
    require_thread,
    strip_task_ids,
)
from langgraph_lite.pregel.callback_runs import arun_stream, run_sync, traced_spec
from langgraph_lite.pregel.control import run_control
from langgraph_lite.pregel.introspection import Introspection
from langgraph_lite.pregel.loop import PregelLoop
from langgraph_lite.pregel.node import NodeBuilder, PregelNode
from langgraph_lite.pregel.node_cache import CacheMethods, check_cache
from langgraph_lite.pregel.persistence import allow_types, saver_of_run
from langgraph_lite.pregel.run_streams import (
    AsyncRunStream,
    RunStream,
    invoke_kwargs,
    invoke_result,
)
from langgraph_lite.pregel.runnable import RunnableMethods, bind_config
from langgraph_lite.pregel.snapshots import ThreadState
from langgraph_lite.pregel.spec import GraphSpec
from langgraph_lite.pregel.step_clock import StepClock
from langgraph_lite.pregel.stream import DEFAULT_STREAM_BUFFER, StreamQueue
from langgraph_lite.pregel.stream_events import (  # (LangGraph's tests import the second here)
    StreamEvents,
    _normalize_stream_transformer_factories,  # noqa: F401
)
from langgraph_lite.runtime import RunControl, coerce_context
from langgraph_lite.types import CachePolicy, Command, RetryPolicy, Send

__all__ = ["AsyncRunStream", "Pregel", "RunStream"]

logger = logging.getLogger("langgraph_lite")


class Pregel(ThreadState, CacheMethods, Introspection, StreamEvents, RunnableMethods):
    """A graph of nodes that read and write channels, run in supersteps.

    >>> from langgraph_lite.channels import LastValue
    >>> from langgraph_lite.pregel import NodeBuilder, Pregel
    >>> app = Pregel(
    ...     nodes={"double": NodeBuilder().subscribe_only("a").do(lambda x: x * 2).write_to("b")},
    ...     channels={"a": LastValue(int), "b": LastValue(int)},
    ...     input_channels="a",
    ...     output_channels="b",
    ... )
    >>> app.invoke(21)
    42

    ``stream_channels`` (default: every channel) is what ``stream`` reports in ``values`` and
    ``updates`` modes; ``output_channels`` is what ``invoke`` returns. ``stream_buffer_size``
    bounds how many events a run holds for a slow consumer before producers wait. ``store``
    is what nodes get as ``store``; ``cache`` keeps the writes of nodes with a cache policy.
    ``stream_transformers``: factories ``f(scope)`` every ``stream_events(version="v3")`` run adds.
    ``retry_policy`` applies to the nodes that have no retry policy of their own, and
    ``cache_policy`` to those with no cache policy of their own. ``step_timeout`` (an
    attribute, ``graph.step_timeout = 30``): seconds one step may take (``step_clock.py``).
    """

    step_timeout: float | None = None

    # The pydantic / dataclass state class v2 parts are built as (a StateGraph sets them).
    v2_output_type: Any = None
    v2_state_type: Any = None

    def __init__(
        self,
        *,
        nodes: Mapping[str, PregelNode | NodeBuilder],
        channels: Mapping[str, BaseChannel],
        input_channels: str | Sequence[str],
        output_channels: str | Sequence[str],
        stream_channels: str | Sequence[str] | None = None,
        stream_mode: str | Sequence[str] = "values",
        stream_buffer_size: int = DEFAULT_STREAM_BUFFER,
        checkpointer: Any = None,
        store: Any = None,
        cache: Any = None,
        interrupt_before_nodes: Sequence[str] = (),
        interrupt_after_nodes: Sequence[str] = (),
        name: str = "LangGraph",
        debug: bool = False,
        context_schema: Any = None,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] = (),
        cache_policy: CachePolicy | None = None,
        stream_transformers: Sequence[Callable[[tuple[str, ...]], Any]] | None = None,
        **deprecated: Any,
    ) -> None:
        context_schema = deprecated_pregel_kwargs(context_schema, deprecated)
        self.name = name
        self.stream_transformers = tuple(stream_transformers or ())  # factories, for v3 runs
        # checkpointer=True/False (for a subgraph: keep its own history in the parent's saver /
        # never save) is kept apart from the saver itself.
        self.subgraph_checkpointer: bool | None = (
            checkpointer if isinstance(checkpointer, bool) else None
        )
        self.checkpointer = None if isinstance(checkpointer, bool) else checkpointer
        self.state_types: frozenset[type] = frozenset()  # (a StateGraph's: its state's classes)
        self.context_schema = context_schema
        self.store = store  # nodes get it as `store` / runtime.store; subgraphs, the parent's
        self.cache = check_cache(cache)  # the writes of nodes with a cache_policy
        self.interrupt_before_nodes = list(interrupt_before_nodes)
        self.interrupt_after_nodes = list(interrupt_after_nodes)
        self.debug = debug
        self.channels: dict[str, BaseChannel] = dict(channels)
        if TASKS not in self.channels:
            self.channels[TASKS] = Topic(Send)
        self.nodes: dict[str, PregelNode] = {}
        # retry_policy: for the nodes that have none of their own
        self.retry_policy = (
            (retry_policy,) if isinstance(retry_policy, RetryPolicy) else tuple(retry_policy)
        )
        if cache_policy is not None and not isinstance(cache_policy, CachePolicy):
            raise TypeError(
                f"Pregel(cache_policy=...) must be a CachePolicy, got {cache_policy!r:.60}. Use "
                "CachePolicy(ttl=60) from langgraph_lite.types."
            )
        self.cache_policy = cache_policy  # likewise, for the nodes that have no cache policy
        for key, node in nodes.items():
            built = _build_node(key, node)
            if self.retry_policy and not built.retry_policy:
                built = built.copy({"retry_policy": self.retry_policy})
            if cache_policy is not None and built.cache_policy is None:
                built = built.copy({"cache_policy": cache_policy})
            self.nodes[key] = built
        self.input_channels = (
            input_channels if isinstance(input_channels, str) else list(input_channels)
        )
        self.output_channels = (
            output_channels if isinstance(output_channels, str) else list(output_channels)
        )
        self.stream_channels = (
            None
            if stream_channels is None
            else stream_channels
            if isinstance(stream_channels, str)
            else list(stream_channels)
        )
        _parse_stream_mode(stream_mode)
        self.stream_mode = stream_mode
        StreamQueue(stream_buffer_size)  # validates
        self.stream_buffer_size = stream_buffer_size
        check_graph(self)
        self.spec = GraphSpec(self.nodes, self.channels, self._map_input)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, nodes={list(self.nodes)!r})"

    @property
    def stream_channels_asis(self) -> str | list[str]:
        """What ``stream`` reports: ``stream_channels``, or every channel when not set."""
        if self.stream_channels is not None:
            return self.stream_channels
        return [k for k in self.channels if k != TASKS]

    def copy(self, **update: Any) -> Self:
        """A shallow copy with some attributes replaced."""
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(update)
        new.spec = GraphSpec(new.nodes, new.channels, new._map_input)
        return new

    def _interrupt_names(
        self, given: Sequence[str] | str | None, default: Sequence[str]
    ) -> list[str]:
        names = default if given is None else [given] if isinstance(given, str) else list(given)
        for name in names:
            if name != "*" and name not in self.nodes:
                raise ValueError(
                    f"cannot interrupt at {name!r}: it is not a node of this graph (nodes: "
                    f"{', '.join(map(repr, self.nodes))})."
                )
        return list(names)

    # -- input -------------------------------------------------------------------------------

    def _map_input(self, input: Any) -> list[tuple[str, Any]]:
        """The writes the run's input makes, checked before any node runs."""
        if isinstance(input, Command):
            return []  # (a Command given as input writes its own goto and update)
        chans = self.input_channels
        if isinstance(chans, str):
            if input is None:
                raise EmptyInputError(
                    f"no input for channel {chans!r}: the run was given None. Pass the value to "
                    f"write to {chans!r}, e.g. app.invoke('hello')."
                )
            return [(chans, input)]
        if input is None:
            raise EmptyInputError(
                f"no input for channels {chans!r}: the run was given None. Pass a dict, e.g. "
                f"app.invoke({{{chans[0]!r}: ...}})."
                if chans
                else "this graph takes no input."
            )
        if not isinstance(input, Mapping):
            raise TypeError(
                create_error_message(
                    message=(
                        f"input must be a dict with keys among {chans!r} (this graph's "
                        f"input_channels), got {type(input).__name__} {_short(input)}."
                    ),
                    error_code=ErrorCode.INVALID_INPUT,
                )
            )
        for k in input:
            if k not in chans:  # ignored, as in LangGraph, which warns the same way
                logger.warning("input key %r is not an input channel of %r; ignoring it", k, chans)
        writes = [(k, input[k]) for k in chans if k in input]
        if not writes:
            raise EmptyInputError(
                f"no input for channels {chans!r}: the input dict has none of them. Give at least one "
                "of them a value."
            )
        return writes

    # -- running -----------------------------------------------------------------------------

    def _prepare(
        self, config: Mapping[str, Any] | None, opts: RunOptions
    ) -> tuple[PregelLoop, StreamQueue]:
        stream_mode, output_keys = opts.stream_mode, opts.output_keys
        context, version = opts.context, opts.version
        durability = opts.durability  # None: not given (a subgraph then takes its parent's)
        modes, tagged = _parse_stream_mode(self.stream_mode if stream_mode is None else stream_mode)
        parent, config = current_task.get(), bind_config(self.config, config)
        run_config = _merge_config(config) if parent is None else nested_config(parent, config)
        parent_persistence = getattr(getattr(parent, "run", None), "persistence", None)
        if durability is None:
            # Not given: a subgraph runs with its parent run's durability (even with a saver
            # of its own), as in LangGraph; a root run with "async".
            durability = getattr(parent_persistence, "durability", None) or "async"
        if durability not in _DURABILITY:
            raise ValueError(
                f"durability must be one of {', '.join(map(repr, _DURABILITY))}, got {durability!r}."
            )
        configurable = run_config.get("configurable") or {}
        checkpointer = saver_of_run(self, configurable, parent_persistence, parent is not None)
        if checkpointer is not self.checkpointer:  # a parent's or lent saver: it must read ours
            allow_types(checkpointer, self.state_types)
        if (self.subgraph_checkpointer is True or self.checkpointer is True) and parent is not None:
            configurable = run_config["configurable"]
            configurable["checkpoint_ns"] = strip_task_ids(configurable.get("checkpoint_ns", ""))
        slot = configurable.get(CONFIG_KEY_RUNTIME)  # a runtime a server seeded the config with
        if context is None and parent is None and slot is not None:
            context = getattr(slot, "context", None)
        if context is None and parent is not None:
            context = getattr(parent.run, "context", None)  # a subgraph shares its parent's
        context = coerce_context(self.context_schema, context)
        if checkpointer is not None:
            require_thread(checkpointer, run_config)
        keys = self.stream_channels_asis if output_keys is None else output_keys
        for chan in [keys] if isinstance(keys, str) else keys:
            if chan not in self.channels:
                raise _unknown_channel(f"output_keys names {chan!r}", chan, self.channels)
        size = opts.stream_buffer_size
        queue = StreamQueue(self.stream_buffer_size if size is None else size)
        if version not in ("v1", "v2"):
            raise ValueError(f"version must be 'v1' or 'v2', got {version!r}.")
        loop = PregelLoop(
            traced_spec(self.spec, run_config, self.name),
            run_config,
            queue,
            modes=modes,
            tagged=tagged,
            stream_keys=keys,
            context=context,
            checkpointer=checkpointer,
            durability=durability,
            interrupt_before=self._interrupt_names(
                opts.interrupt_before, self.interrupt_before_nodes
            ),
            interrupt_after=self._interrupt_names(opts.interrupt_after, self.interrupt_after_nodes),
            subgraphs=opts.subgraphs,
            version=version,
            control=run_control(opts.control, parent),
        )
        every = self.stream_channels_asis
        loop.out.result_keys = frozenset([every] if isinstance(every, str) else every)
        if version == "v2":  # parts carry the state as the schema's class (see graph.compile)
            loop.out.as_output, loop.out.as_state = self.v2_output_type, self.v2_state_type
        # A subgraph uses its parent run's store and cache, as in LangGraph.
        loop.store = getattr(parent.run, "store", None) if parent is not None else None
        loop.store = loop.store or self.store or getattr(slot, "store", None)
        loop.cache = getattr(parent.run, "cache", None) if parent is not None else None
        loop.cache = loop.cache or self.cache
        if self.step_timeout is not None:
            loop.step_clock = StepClock(self.step_timeout)
        return loop, queue

    def _invoking(
        self,
        config: Mapping[str, Any] | None,
        context: Any,
        durability: str | None,
        interrupt_before: Sequence[str] | str | None,
        interrupt_after: Sequence[str] | str | None,
        output_keys: str | Sequence[str] | None,
        print_mode: str | Sequence[str],
        debug: bool | None,
        control: Any = None,
    ) -> tuple[PregelLoop, StreamQueue]:
        """The run behind ``invoke`` / ``ainvoke``: no stream modes, the output tracked."""
        keys = self.output_channels if output_keys is None else output_keys
        opts = RunOptions(
            [], keys, None, context, durability, interrupt_before, interrupt_after, control=control
        )
        loop, queue = self._prepare(config, opts)
        loop.out.track_output = True
        loop.out.as_output = self.v2_output_type  # (invoke_result uses it for version="v2")
        self._also_print(loop, print_mode, debug)
        return loop, queue

    def _streaming(self, config: Any, kw: dict[str, Any]) -> tuple[PregelLoop, StreamQueue]:
        """The run behind ``stream`` / ``astream`` (``kw``: their keyword arguments)."""
        kw["durability"] = deprecated_durability(kw["durability"], kw.pop("deprecated"))
        loop, queue = self._prepare(config, RunOptions.of(kw))
        self._also_print(loop, kw["print_mode"], kw["debug"])
        return loop, queue

    def _also_print(self, loop: PregelLoop, print_mode: Any, debug: bool | None) -> None:
        if debug or (debug is None and self.debug):  # as LangGraph: debug prints these two
            print_mode = ["updates", "values"]
        if print_mode:
            loop.out.also_print(_parse_stream_mode(print_mode)[0])

    def stream(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] | None = None,
        print_mode: str | Sequence[str] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        durability: str | None = None,
        subgraphs: bool = False,
        debug: bool | None = None,
        version: str = "v1",
        stream_buffer_size: int | None = None,
        control: RunControl | None = None,
        **deprecated: Any,
    ) -> RunStream:
        """Run the graph, yielding chunks as steps finish (and as nodes emit, for ``custom``).

        ``stream_mode`` is one mode (chunks as they are) or a list (``(mode, chunk)`` tuples).
        ``print_mode`` names modes whose chunks are printed as well (``debug=True``: updates
        and values); they are streamed only if ``stream_mode`` asks for them too.
        Stopping early (``break``, ``close()``) stops the run: no further step starts, and nodes
        still running get ``ConsumerGone`` from their stream writer.
        ``control``: a ``RunControl`` whose ``request_drain()`` (from any thread) stops the run
        at the next superstep boundary with ``GraphDrained``; it can be resumed later.
        """
        loop, queue = self._streaming(config, locals())
        return RunStream(run_sync(loop, queue, input), queue)

    def astream(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] | None = None,
        print_mode: str | Sequence[str] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        durability: str | None = None,
        subgraphs: bool = False,
        debug: bool | None = None,
        version: str = "v1",
        stream_buffer_size: int | None = None,
        control: RunControl | None = None,
        **deprecated: Any,
    ) -> AsyncRunStream:
        """Like ``stream``, on asyncio or trio; sync nodes run in worker threads.

        Stopping early (``break``, ``aclose()``, cancelling the consuming task) cancels the
        nodes still running and waits for them, so nothing is left behind.
        """
        loop, queue = self._streaming(config, locals())
        return arun_stream(loop, queue, input)

    def invoke(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] = "values",
        print_mode: str | Sequence[str] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        durability: str | None = None,
        version: str = "v1",
        control: RunControl | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run the graph to the end and return the output channels' final value.

        One output channel gives its value; a list gives a dict of those holding a value;
        ``None`` when the output was never written; interrupts under ``"__interrupt__"``.
        ``version="v2"`` returns a ``GraphOutput`` (``.value``, ``.interrupts``).
        Another ``stream_mode`` returns the list of chunks
        ``stream`` would have yielded. ``kwargs``: ``stream``'s other keywords.
        """
        if stream_mode != "values":
            return list(
                self.stream(
                    input, config, context=context, stream_mode=stream_mode,
                    print_mode=print_mode, output_keys=output_keys,
                    interrupt_before=interrupt_before, interrupt_after=interrupt_after,
                    durability=durability, version=version, control=control, **kwargs,
                )
            )  # fmt: skip
        durability = deprecated_durability(durability, kwargs, strict=False, stacklevel=3)
        loop, queue = self._invoking(
            config, context, durability, interrupt_before, interrupt_after, output_keys,
            print_mode, invoke_kwargs(kwargs), control,
        )  # fmt: skip
        for _ in run_sync(loop, queue, input):
            pass
        return invoke_result(loop, version)

    async def ainvoke(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] = "values",
        print_mode: str | Sequence[str] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        durability: str | None = None,
        version: str = "v1",
        control: RunControl | None = None,
        **kwargs: Any,
    ) -> Any:
        """``invoke`` on asyncio or trio."""
        if stream_mode != "values":
            return [
                chunk
                async for chunk in self.astream(
                    input, config, context=context, stream_mode=stream_mode,
                    print_mode=print_mode, output_keys=output_keys,
                    interrupt_before=interrupt_before, interrupt_after=interrupt_after,
                    durability=durability, version=version, control=control, **kwargs,
                )
            ]  # fmt: skip
        durability = deprecated_durability(durability, kwargs, strict=False, stacklevel=3)
        loop, queue = self._invoking(
            config, context, durability, interrupt_before, interrupt_after, output_keys,
            print_mode, invoke_kwargs(kwargs), control,
        )  # fmt: skip
        async for _ in arun_stream(loop, queue, input):
            pass
        return invoke_result(loop, version)
