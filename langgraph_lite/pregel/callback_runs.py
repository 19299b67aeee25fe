"""LangChain callbacks for a run whose config carries them (``config["callbacks"]``).

A run with callbacks reports itself to them as LangGraph's does: the graph is one chain run
(``on_chain_start`` / ``on_chain_end`` / ``on_chain_error``, named after the graph, with the
config's ``run_id`` when given), and each attempt of each task is a child chain run named
after its node, tagged ``graph:step:<n>`` and carrying the task's ``langgraph_*`` metadata.
What a node calls (a LangChain chat model, a subgraph) sees the task's run as its parent,
because the task's config carries the child callback manager.

Nothing here costs a run without callbacks anything per step: ``traced_spec`` hands such a
run its graph's spec as it is, and the drivers are wrapped only when the run has callbacks.
``langchain_core`` is imported only when a config carries callbacks.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from langgraph_lite._async_library import current_async_library
from langgraph_lite.channels.base import MISSING
from langgraph_lite.errors import GraphBubbleUp
from langgraph_lite.pregel.drivers import drive_sync
from langgraph_lite.pregel.lifecycle_events import lifecycle
from langgraph_lite.pregel.node import PregelNode
from langgraph_lite.pregel.run_streams import AsyncRunStream
from langgraph_lite.pregel.spec import GraphSpec

__all__ = ["arun_stream", "run_sync", "traced_spec"]


def has_callbacks(config: Mapping[str, Any]) -> bool:
    """Whether ``config`` carries LangChain callbacks (a non-empty list, or a manager)."""
    callbacks = config.get("callbacks")
    if callbacks is None:
        return False
    if isinstance(callbacks, list | tuple):
        return bool(callbacks)
    return True


def _manager(config: Mapping[str, Any], is_async: bool, tag: str | None = None) -> Any:
    from langchain_core.callbacks.base import BaseCallbackManager
    from langchain_core.callbacks.manager import AsyncCallbackManager, CallbackManager

    if is_async and not _on_asyncio():
        # LangChain's async manager gathers with asyncio; on trio the sync one reports
        # (handlers run inline; an async handler runs to completion on a helper loop)
        is_async = False
    cls: Any = AsyncCallbackManager if is_async else CallbackManager
    callbacks = config.get("callbacks")
    if isinstance(callbacks, tuple):
        callbacks = list(callbacks)
    if tag is not None:  # the step's tag comes first, as LangGraph's child manager has it
        if not isinstance(callbacks, BaseCallbackManager):
            callbacks = cls(handlers=[], inheritable_handlers=list(callbacks or []))
        else:
            callbacks = callbacks.copy()
        callbacks.add_tags([tag], inherit=False)
    return cls.configure(
        callbacks,
        inheritable_tags=config.get("tags"),
        inheritable_metadata=config.get("metadata"),
    )


def _on_asyncio() -> bool:
    return current_async_library() == "asyncio"


async def _aw(result: Any) -> Any:
    """A callback manager's answer: awaited when it is LangChain's async manager's (on
    asyncio); as it is from the sync manager that trio runs use (see ``_manager``)."""
    return await result if inspect.isawaitable(result) else result


def _streamers(rm: Any) -> list[Any]:
    """The handlers of ``rm`` that watch a run's output as it streams (LangChain's event
    streams among them)."""
    from langchain_core.tracers._streaming import _StreamingCallbackHandler

    # (by inheritance: the protocol's isinstance would take any handler with tap methods)
    return [h for h in rm.handlers if _StreamingCallbackHandler in type(h).__mro__]


def _report_output(rm: Any, output: Any) -> None:
    for handler in _streamers(rm):
        for _ in handler.tap_output_iter(rm.run_id, iter((output,))):
            pass


async def _areport_output(rm: Any, output: Any) -> None:
    async def one() -> Any:
        yield output

    for handler in _streamers(rm):
        async for _ in handler.tap_output_aiter(rm.run_id, one()):
            pass


def _failed(exc: BaseException) -> bool:
    """A chain run ends with an error unless the graph only paused (an interrupt)."""
    return not isinstance(exc, GraphBubbleUp)


# -- one task's run -------------------------------------------------------------------------------


class _LangChainConfig:
    """LangChain's own "config of the running runnable" (``var_child_runnable_config``): set
    while a traced node runs, so a LangChain runnable it calls without passing ``config``
    still reports as the node's child, as under LangGraph."""

    def set(self, config: dict[str, Any]) -> Any:
        from langchain_core.runnables.config import var_child_runnable_config

        return var_child_runnable_config.set(config)  # type: ignore[arg-type]

    def reset(self, token: Any) -> None:
        from langchain_core.runnables.config import var_child_runnable_config

        var_child_runnable_config.reset(token)


_lc_config = _LangChainConfig()


class TracedNode(PregelNode):
    """A node whose every run is a child chain run of its graph's (one per attempt)."""

    __slots__ = ()

    def _tag(self, task: Any) -> str:
        return f"graph:step:{task.step}"

    def _start(self, task: Any, value: Any, is_async: bool) -> tuple[Any, dict[str, Any]]:
        config = task.config
        manager = _manager(config, is_async, self._tag(task))
        shown = _processed(self.trace_policy, "process_inputs", value)
        name = config.get("run_name") or self.name
        return manager, {"name": name, "shown": shown, "config": config, "inputs": value}

    def run(self, value: Any, task: Any) -> Any:
        """Run the body inside a child chain run of the graph's."""
        for graph_manager, event in _resume_due(task, False):
            getattr(graph_manager, event[0])(event[1])
        manager, info = self._start(task, value, False)
        rm = _chain_start(manager, info["inputs"], info["shown"], info["name"])
        task._config = child = {**info["config"], "callbacks": rm.get_child()}
        token = _lc_config.set(child)
        try:
            output = PregelNode.run(self, value, task)
        except BaseException as exc:
            if _failed(exc):
                rm.on_chain_error(exc)
            else:
                rm.on_chain_end(None)
            raise
        finally:
            task._config = info["config"]
            _lc_config.reset(token)
        _report_output(rm, output)
        recorded = _processed(self.trace_policy, "process_outputs", output)
        if recorded is output:
            rm.on_chain_end(output)
        else:
            real, tracers = _split(rm)
            tracers.on_chain_end(recorded)
            real.on_chain_end(output)
        return output

    async def arun(self, value: Any, task: Any) -> Any:
        """``run`` on the event loop, with LangChain's async callback manager."""
        for graph_manager, event in _resume_due(task, _on_asyncio()):
            await _aw(getattr(graph_manager, event[0])(event[1]))
        manager, info = self._start(task, value, True)
        rm = await _achain_start(manager, info["inputs"], info["shown"], info["name"])
        task._config = child = {**info["config"], "callbacks": rm.get_child()}
        token = _lc_config.set(child)
        try:
            output = await PregelNode.arun(self, value, task)
        except BaseException as exc:
            if _failed(exc):
                await _aw(rm.on_chain_error(exc))
            else:
                await _aw(rm.on_chain_end(None))
            raise
        finally:
            task._config = info["config"]
            _lc_config.reset(token)
        await _areport_output(rm, output)
        recorded = _processed(self.trace_policy, "process_outputs", output)
        if recorded is output:
            await _aw(rm.on_chain_end(output))
        else:
            real, tracers = _split(rm)
            await _aw(tracers.on_chain_end(recorded))  # (tracers first: a cancel leaves none open)
            await _aw(real.on_chain_end(output))
        return output


# -- a TracePolicy shapes what tracers record, nothing else -------------------------------------


def _split(manager: Any) -> tuple[Any, Any]:
    """``manager`` as two copies: one for the handlers that get the real payloads, one for
    the tracers, which get what the node's ``TracePolicy`` records. (LangChain's event and
    log streams are tracers too, but they feed the caller's own stream: real payloads.)"""
    from langchain_core.tracers._streaming import _StreamingCallbackHandler
    from langchain_core.tracers.base import BaseTracer

    real, tracers = copy.copy(manager), copy.copy(manager)
    tracers.handlers = [
        h
        for h in manager.handlers
        if isinstance(h, BaseTracer) and _StreamingCallbackHandler not in type(h).__mro__
    ]
    real.handlers = [h for h in manager.handlers if h not in tracers.handlers]
    return real, tracers


def _chain_start(manager: Any, value: Any, shown: Any, name: str) -> Any:
    if shown is value:
        return manager.on_chain_start(None, value, name=name)
    real, tracers = _split(manager)
    rm = real.on_chain_start(None, value, name=name)
    tracers.on_chain_start(None, shown, name=name, run_id=rm.run_id)
    rm.handlers = manager.handlers  # (the run's end, error and children: every handler)
    return rm


async def _achain_start(manager: Any, value: Any, shown: Any, name: str) -> Any:
    if shown is value:
        return await _aw(manager.on_chain_start(None, value, name=name))
    real, tracers = _split(manager)
    rm = await _aw(real.on_chain_start(None, value, name=name))
    await _aw(tracers.on_chain_start(None, shown, name=name, run_id=rm.run_id))
    rm.handlers = manager.handlers
    return rm


def _processed(policy: Any, which: str, value: Any) -> Any:
    """What a node's run records of ``value`` under its ``TracePolicy`` (fail-open: a
    processor that raises records the value itself)."""
    fn = getattr(policy, which, None) if policy is not None else None
    if fn is None:
        return value
    try:
        return fn(value)
    except Exception:
        return value


def _traced(node: PregelNode, cls: type[TracedNode] = TracedNode) -> TracedNode:
    new = cls.__new__(cls)
    for slot in PregelNode.__slots__:
        setattr(new, slot, getattr(node, slot))
    new._single_sync = None  # (its fast path would skip the run)
    return new


class TracedCallNode(TracedNode):
    """A ``@task`` called from a node: its run is a child of its caller's, tagged as
    LangGraph tags a call."""

    __slots__ = ()

    def _tag(self, task: Any) -> str:
        return "seq:step:1"

    def _start(self, task: Any, value: Any, is_async: bool) -> tuple[Any, dict[str, Any]]:
        # as LangGraph: the call's arguments by parameter name, defaults filled in
        func = getattr(self._steps[0].obj, "calls", None) if self._steps else None
        try:
            bound = inspect.signature(func).bind(*value[0], **value[1])  # type: ignore[arg-type]
            bound.apply_defaults()
            value = dict(bound.arguments)
        except (TypeError, ValueError, IndexError, KeyError):
            pass  # (not a call's (args, kwargs), or arguments its function refuses)
        return TracedNode._start(self, task, value, is_async)


class TracedSpec(GraphSpec):
    """A graph's spec for runs with callbacks: its nodes report their runs."""

    __slots__ = ("_calls", "graph_name")

    graph_name: str
    _calls: dict[int, tuple[PregelNode, TracedNode]]

    def trace_call(self, task: Any, caller: Any) -> None:
        """``task`` (a ``@task`` call by ``caller``) reports as a child of the caller's run."""
        entry = self._calls.get(id(task.node))
        if entry is None or entry[0] is not task.node:
            entry = self._calls[id(task.node)] = (task.node, _traced(task.node, TracedCallNode))
        task.node = entry[1]
        task._config = {**task.config, "callbacks": caller.config.get("callbacks")}


def traced_spec(spec: GraphSpec, config: Mapping[str, Any], name: str) -> GraphSpec:
    """``spec`` itself for a run without callbacks; else one whose nodes report their runs
    (``name``: the graph's, which its chain run takes)."""
    if not has_callbacks(config):
        return spec
    traced = TracedSpec.__new__(TracedSpec)
    for slot in GraphSpec.__slots__:
        setattr(traced, slot, getattr(spec, slot))
    # (hidden nodes, such as the one writing the input, are not traced, as in LangGraph)
    traced.nodes = {k: n if n.hidden else _traced(n) for k, n in spec.nodes.items()}
    traced.graph_name = name
    traced._calls = {}
    return traced


# -- the graph's run ------------------------------------------------------------------------------


def _graph_manager(config: Mapping[str, Any], is_async: bool) -> Any:
    """The graph run's callback manager: as LangGraph's, its metadata (inherited by every
    run below it) names the integration and carries the config's plain configurable values
    (``thread_id``, ...)."""
    manager = _manager(config, is_async)
    extra: dict[str, Any] = {}
    if "ls_integration" not in manager.metadata:
        extra["ls_integration"] = "langgraph"
    for key, value in (config.get("configurable") or {}).items():
        plain = isinstance(value, str | int | float | bool) and not key.startswith("__")
        if plain and key not in manager.metadata and key not in ("checkpoint_ns", "api_key"):
            extra[key] = value
    if extra:
        manager.add_metadata(extra)
    return manager


def _graph_output(loop: Any) -> Any:
    """What the graph's chain run ends with: the run's output (a run stopped for a question:
    the state as the step's finished tasks left it, as ``invoke`` returns it)."""
    asked = loop.interrupts
    if asked.interrupted and asked.output is not None:
        return asked.output
    try:
        out = loop.output(loop.out.stream_keys)
    except Exception:
        return None
    return None if out is MISSING else out


def _graph_start_args(loop: Any, input: Any) -> tuple[Any, dict[str, Any]]:
    config = loop.config
    name = config.get("run_name") or getattr(loop.spec, "graph_name", "LangGraph")
    kwargs: dict[str, Any] = {"name": name}
    if config.get("run_id") is not None:
        kwargs["run_id"] = config["run_id"]
    return input, kwargs


def _enter(loop: Any, rm: Any) -> None:
    """The run's tasks (and subgraphs) report as children of the graph's run ``rm``."""
    config: Any = loop.config
    config["callbacks"] = rm.get_child()
    config.pop("run_id", None)  # (a run id and name are the graph run's, not its tasks')
    config.pop("run_name", None)
    loop._lc_graph_run = rm  # (its first task tells of a resume: _resume_due)
    loop._lc_resume_told = False


def _resume_due(task: Any, is_async: bool) -> list[Any]:
    """The resume event of ``task``'s run, when it is the first of the run to start."""
    run = task.run
    if getattr(run, "_lc_resume_told", True):
        return []
    return lifecycle(run, run._lc_graph_run, False, is_async)


def run_sync(loop: Any, queue: Any, input: Any) -> Iterator[Any]:
    """``drive_sync``, inside the graph's chain run when the run has callbacks."""
    if not has_callbacks(loop.config):
        return drive_sync(loop, queue, input)
    return _traced_sync(loop, queue, input)


def _traced_sync(loop: Any, queue: Any, input: Any) -> Iterator[Any]:
    manager = _graph_manager(loop.config, False)
    shown, kwargs = _graph_start_args(loop, input)
    rm = manager.on_chain_start(None, shown, **kwargs)
    _enter(loop, rm)
    try:
        yield from drive_sync(loop, queue, input)
    except BaseException as exc:
        for manager, event in lifecycle(loop, rm, ended=False):
            getattr(manager, event[0])(event[1])
        if _failed(exc):
            rm.on_chain_error(exc)
        else:
            rm.on_chain_end(_graph_output(loop))
        raise
    for manager, event in lifecycle(loop, rm, ended=True):
        getattr(manager, event[0])(event[1])
    rm.on_chain_end(_graph_output(loop))


def arun_stream(loop: Any, queue: Any, input: Any) -> AsyncRunStream:
    """The async run, inside the graph's chain run when the run has callbacks."""
    if not has_callbacks(loop.config):
        return AsyncRunStream(loop, queue, input)
    return TracedAsyncRunStream(loop, queue, input)


class TracedAsyncRunStream(AsyncRunStream):
    """An ``AsyncRunStream`` whose run is a chain run of LangChain's async callbacks."""

    _rm: Any = None
    _ended = False

    async def __anext__(self) -> Any:
        if self._rm is None:
            loop = self.loop
            manager = _graph_manager(loop.config, True)
            shown, kwargs = _graph_start_args(loop, self._trace_input)
            self._rm = await _aw(manager.on_chain_start(None, shown, **kwargs))
            _enter(loop, self._rm)
        try:
            return await super().__anext__()
        except StopAsyncIteration:
            await self._end(None)
            raise
        except BaseException as exc:
            await self._end(exc)
            raise

    async def _end(self, exc: BaseException | None) -> None:
        if self._ended:
            return
        self._ended = True
        for manager, event in lifecycle(self.loop, self._rm, exc is None, _on_asyncio()):
            await _aw(getattr(manager, event[0])(event[1]))
        if exc is not None and _failed(exc):
            await _aw(self._rm.on_chain_error(exc))
        else:
            await _aw(self._rm.on_chain_end(_graph_output(self.loop)))

    async def aclose(self) -> None:
        """Stop the run; a run stopped before its end reports ``on_chain_error``."""
        try:
            await super().aclose()
        finally:
            if self._rm is not None and not self._ended:
                await self._end(GeneratorExit())

    def __init__(self, loop: Any, queue: Any, input: Any) -> None:
        """As ``AsyncRunStream``; the input is kept for the run's ``on_chain_start``."""
        super().__init__(loop, queue, input)
        self._trace_input = input
