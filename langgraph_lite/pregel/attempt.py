"""One task's run: its context, its retries, the note on its error; and a node run alone.

``run_attempt`` / ``arun_attempt`` run a task's node until it succeeds, its retry policy gives
up, or it bubbles control flow up (an interrupt, a command for the parent). They mirror each
other line for line, ``await`` aside; what does not wait (the retry decision, the note, a
parent command turned into output) is written once, below. Nothing here knows about steps:
the drivers call these and tell the loop what came of it.

What a task reads of the run it belongs to is the ``RunContext`` protocol: ``PregelLoop``
implements it for graph runs, ``AloneRun`` for a node run by itself
(``graph.nodes["x"].invoke(state)``).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

import anyio

from langgraph_lite.config import current_task
from langgraph_lite.errors import GraphBubbleUp, GraphInterrupt, ParentCommand
from langgraph_lite.pregel import node_cache
from langgraph_lite.pregel.algo import Task, handler_task
from langgraph_lite.pregel.cancelled import raise_cancelled
from langgraph_lite.pregel.timeouts import arun_timed, run_timed
from langgraph_lite.types import Interrupt, _drop_writes

if TYPE_CHECKING:
    from langgraph_lite.channels.base import BaseChannel

__all__ = [
    "AloneRun",
    "RunContext",
    "arun_attempt",
    "arun_node_alone",
    "attempt_is_sync",
    "run_attempt",
    "run_node_alone",
]


class RunContext(Protocol):
    """What a task may read of its run (``task.run``), from node code and managed values.

    Optional: ``checkpoint_ns`` (the run's place in an enclosing graph, "" if absent),
    ``message_chunk`` (chat-model tokens, for ``messages`` mode), ``store`` (what nodes get as
    ``store``) and ``cache`` (where nodes with a ``cache_policy`` keep their writes).
    """

    @property
    def config(self) -> Mapping[str, Any]:
        """The run's config; a task's own adds its metadata."""

    @property
    def context(self) -> Any:
        """What ``runtime.context`` holds."""

    @property
    def run_id(self) -> str:
        """Seeds task ids: the checkpoint (or run) the task's step started from."""

    @property
    def stop(self) -> int:
        """The last step number allowed (``RemainingSteps`` counts down to it)."""

    @property
    def channels(self) -> Mapping[str, BaseChannel]:
        """The channels as the step began (read-only)."""

    def writer(self, value: Any) -> Any:
        """The stream writer of ``custom`` mode."""

    def interrupt(self, task: Task, value: Any, schema: Any = None) -> Any:
        """``interrupt(value)`` called by ``task``: its answer, or raise ``GraphInterrupt``.

        ``schema`` (a ``ResponseSchema``, if the node gave one) checks the answer.
        """


# -- what the twins share -----------------------------------------------------------------------


def note_error(exc: BaseException, task: Task) -> None:
    """Say which node, step and task an error came from (control flow gets no note)."""
    if isinstance(exc, GraphBubbleUp):
        return
    note = f"raised by node {task.name!r} in step {task.step} (task {task.id})"
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]


def _retry_wait(task: Task, exc: Exception, attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1``; re-raises ``exc`` if there is none."""
    node = task.node
    wait = node.retry_wait(exc, attempt) if node.retry_policy else None
    if wait is None:
        raise exc
    return wait


def _for_this_graph(bubbled: ParentCommand) -> Any:
    """A subgraph run by this node sent a command to its parent, which is this graph."""
    return replace(bubbled.command, graph=None)


def attempt_is_sync(task: Task) -> bool:
    """Whether ``run_attempt`` (the sync twin) may run ``task``'s attempt in an async run,
    whole in a worker thread: its node's code is all sync (``node.is_async`` is checked by
    the caller), and nothing of the attempt awaits — no async writer, cache lookup or error
    handler, no retry waits or time limits (which the event loop keeps)."""
    node = task.node
    if (
        node._async_writers
        or node.timeout is not None
        or node.retry_policy
        or node.cache_policy is not None
        or node.error_handler is not None
    ):
        return False
    # (a subgraph, a runnable: their async side runs on the event loop)
    return all(step.afunc is None for step in node._steps)


# -- the twins ----------------------------------------------------------------------------------


def run_attempt(task: Task, alone: bool = False) -> Any:
    """Run ``task`` (retrying as its node says) and set its writes; ``alone``: return output."""
    token = current_task.set(task)
    node = task.node
    attempt = 1
    cache = key = None
    try:
        if node.cache_policy is not None and not alone:
            cache = getattr(task.run, "cache", None)
            if cache is not None:
                key = node_cache.lookup(task, cache)
                if task.cached:
                    return None
        while True:
            try:
                try:
                    single = node._single_sync  # (node.run's first case, without its call)
                    if single is not None:
                        output = single(task.input)
                    else:
                        output = (
                            node.run(task.input, task) if node.timeout is None else run_timed(task)
                        )
                except ParentCommand as bubbled:
                    output = _for_this_graph(bubbled)
                if alone:
                    return output
                task.writes = node.writes_for(output, task)
                if task.pushed:
                    task.writes = [*task.pushed, *task.writes]
                if key is not None:
                    node_cache.save(task, cache, key)  # type: ignore[arg-type]
                return None
            except GraphBubbleUp:
                raise
            except asyncio.CancelledError as exc:  # raised by the node itself (cancelled.py)
                raise_cancelled(task, exc, on_loop=False)
            except Exception as exc:
                wait = _retry_wait(task, exc, attempt)
                attempt += 1
                task.attempt = attempt  # (runtime.execution_info.node_attempt)
                task.pushed.clear()  # a failed attempt's writes are dropped
                task.interrupt_index = 0  # and it asks again from its first interrupt()
                time.sleep(wait)
    except Exception as exc:
        if node.error_handler is None or alone or isinstance(exc, GraphBubbleUp):
            note_error(exc, task)
            raise
        failure = exc
    finally:
        current_task.reset(token)
    # The node failed for good and has an error handler: it runs now, as a task of its own.
    run_attempt(handler_task(task, failure))
    return None


async def arun_attempt(task: Task, alone: bool = False) -> Any:
    """``run_attempt`` on the event loop (sync node code runs in a worker thread)."""
    token = current_task.set(task)
    node = task.node
    attempt = 1
    cache = key = None
    try:
        if node.cache_policy is not None and not alone:
            cache = getattr(task.run, "cache", None)
            if cache is not None:
                key = await node_cache.alookup(task, cache)
                if task.cached:
                    return None
        while True:
            try:
                try:
                    output = await (
                        node.arun(task.input, task) if node.timeout is None else arun_timed(task)
                    )
                except ParentCommand as bubbled:
                    output = _for_this_graph(bubbled)
                if alone:
                    return output
                task.writes = await node.awrites_for(output, task)
                if task.pushed:
                    task.writes = [*task.pushed, *task.writes]
                if key is not None:
                    await node_cache.asave(task, cache, key)  # type: ignore[arg-type]
                return None
            except GraphBubbleUp:
                raise
            except asyncio.CancelledError as exc:  # the node's own, or the run's (cancelled.py)
                raise_cancelled(task, exc, on_loop=True)
            except Exception as exc:
                wait = _retry_wait(task, exc, attempt)
                attempt += 1
                task.attempt = attempt  # (runtime.execution_info.node_attempt)
                task.pushed.clear()  # a failed attempt's writes are dropped
                task.interrupt_index = 0  # and it asks again from its first interrupt()
                await anyio.sleep(wait)
    except Exception as exc:
        if node.error_handler is None or alone or isinstance(exc, GraphBubbleUp):
            note_error(exc, task)
            raise
        failure = exc
    finally:
        current_task.reset(token)
    await arun_attempt(handler_task(task, failure))
    return None


# -- a node run alone ---------------------------------------------------------------------------


class AloneRun:
    """The ``RunContext`` of a node run by itself: no graph, no channels, no one to answer."""

    def __init__(self, config: Any, writer: Any) -> None:
        self.config = dict(config or {})
        self.config.setdefault("recursion_limit", 25)
        self.recursion_limit = self.config["recursion_limit"]
        self.stop = self.recursion_limit  # managed values (RemainingSteps) read it
        self.context = None
        self.run_id = "alone"
        self.writer = writer or _drop_writes
        self.channels: dict[str, Any] = {}
        self.checkpoint_ns = ""
        self.store = None  # no graph: no store, no cache
        self.cache = None

    def interrupt(self, task: Task, value: Any, schema: Any = None) -> Any:
        """A node run alone that asks a question stops with it (there is no one to answer)."""
        shown = None if schema is None else schema.shown()
        interrupt_id = f"{task.name}:{task.interrupt_index}"
        raise GraphInterrupt((Interrupt(value=value, id=interrupt_id, response_schema=shown),))


def _alone_task(node: Any, input: Any, config: Any, writer: Any) -> Task:
    return Task(node.name or "node", node, input, node.triggers, 0, AloneRun(config, writer))


def run_node_alone(node: Any, input: Any, config: Any = None, writer: Any = None) -> Any:
    """Run ``node``'s reads, body and retries on ``input``; return what the body returned."""
    return run_attempt(_alone_task(node, input, config, writer), alone=True)


async def arun_node_alone(node: Any, input: Any, config: Any = None, writer: Any = None) -> Any:
    """``run_node_alone`` for async nodes (and sync ones, in a worker thread)."""
    return await arun_attempt(_alone_task(node, input, config, writer), alone=True)
