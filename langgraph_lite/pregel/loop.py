"""The run as a state machine: told what happened, it says what comes next. It never waits.

A driver (``runner.py``) owns the waiting — threads, task groups, the consumer — and feeds this
loop facts. The same loop serves the sync and the async driver, so a run's logic exists once::

                     ┌──────────────── PregelLoop ────────────────┐
      input ───────▶ │ START ─▶ PLAN ─tick()→ tasks ─▶ EXECUTE     │
                     │           ▲                      │          │
                     │           └──── step_done() ◀────┘          │
                     │  PLAN ─tick()→ None ─▶ DONE                 │
                     └────────────────────────────────────────────┘
        sync driver: runs tasks inline or on a thread pool, yields chunks from the queue
       async driver: runs tasks in a task group (or a detached host while streaming from nodes)

Stream chunks the loop produces (``values``, ``updates``) are pushed to the run's queue; the
driver hands them to the consumer before it calls ``tick()`` again, so a run never starts a
step its consumer has not asked for.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.channels.base import MISSING
from langgraph_lite.errors import (
    ErrorCode,
    GraphRecursionError,
    InternalError,
    create_error_message,
)
from langgraph_lite.pregel.algo import Task, apply_writes, prepare_next_tasks
from langgraph_lite.types import _drop_writes

if TYPE_CHECKING:
    from langgraph_lite.pregel.main import Pregel
    from langgraph_lite.pregel.stream import StreamQueue

__all__ = ["Phase", "PregelLoop"]


class Phase:
    """Where a run is. Sentinels with readable reprs, compared by identity."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Phase.{self.name}"


START = Phase("START")
PLAN = Phase("PLAN")
EXECUTE = Phase("EXECUTE")
DONE = Phase("DONE")


class PregelLoop:
    """The state of one run and the rules that move it from step to step."""

    def __init__(
        self,
        graph: Pregel,
        config: Mapping[str, Any],
        queue: StreamQueue,
        *,
        modes: Sequence[str],
        tagged: bool,
        stream_keys: str | Sequence[str],
        context: Any = None,
    ) -> None:
        self.graph = graph
        self.config = config
        self.context = context
        self.queue = queue
        self.run_id = str(config.get("run_id") or uuid.uuid4())
        self.recursion_limit: int = config["recursion_limit"]
        self.phase = START
        self.step = -1
        # The run's own channel instances, fresh from the graph's specs.
        self.channels = {k: spec.from_checkpoint(MISSING) for k, spec in graph.channels.items()}
        for k, ch in self.channels.items():
            ch.key = k
        # versions[channel]: bumped each step the channel changes; one counter for the run.
        self.versions: dict[str, int] = {}
        # versions_seen[node][channel]: the version this node last read.
        # Invariant: never ahead of versions[channel]. A node is due iff one of its triggers
        # has moved past what it saw.
        self.versions_seen: dict[str, dict[str, int]] = {}
        self._version = 0
        self._updated: set[str] = set()  # available channels updated by the last step
        self._changed: set[str] = set()  # every channel changed by the last step
        self._tasks: list[Task] = []
        # Streaming: which modes to emit, and whether chunks carry their mode.
        self._values = "values" in modes
        self._updates = "updates" in modes
        self._tagged = tagged
        self.stream_keys = stream_keys
        self._stream_key_set = (
            frozenset((stream_keys,)) if isinstance(stream_keys, str) else frozenset(stream_keys)
        )
        # Node code that emits mid-step: while it runs, the consumer must be able to read.
        self.streams_from_nodes = "custom" in modes
        if "custom" in modes:
            put = queue.put
            self.writer: Any = (lambda v: put(("custom", v))) if tagged else put
        else:
            self.writer = _drop_writes

    # -- events from the driver ---------------------------------------------------------------

    def start(self, input: Any) -> None:
        """Apply the run's input as step -1."""
        self._expect(START, "start")
        writes = self.graph._map_input(input)
        self._version += 1
        by_channel: dict[str, list[Any]] = {}
        for chan, value in writes:
            by_channel.setdefault(chan, []).append(value)
        for chan, vals in by_channel.items():
            ch = self.channels[chan]
            if ch.update(vals):
                self.versions[chan] = self._version
                self._changed.add(chan)
                if ch.is_available():
                    self._updated.add(chan)
        self.step = 0
        self.phase = PLAN

    def tick(self) -> list[Task] | None:
        """The next step's tasks, or None when the run is over."""
        if self.phase is not PLAN:
            self._expect(PLAN, "tick")
        if self.step > self.recursion_limit:
            self.phase = DONE
            raise self._recursion_error()
        tasks = prepare_next_tasks(
            self.graph.nodes,
            self.graph._trigger_index,
            self.channels,
            self.versions,
            self.versions_seen,
            self._updated,
            self.step,
            self,
        )
        if not tasks:
            self.phase = DONE
            return None
        self._tasks = tasks
        self.phase = EXECUTE
        return tasks

    def task_done(self, task: Task) -> None:
        """A task finished without error; drivers call this in completion order."""
        if self._updates and not task.node.hidden:
            chunk = {task.name: self._update_of(task)}
            self.queue.push(("updates", chunk) if self._tagged else chunk)

    def step_done(self) -> None:
        """Every task of the step finished: apply their writes and move to the next step."""
        if self.phase is not EXECUTE:
            self._expect(EXECUTE, "step_done")
        self._version += 1
        graph = self.graph
        self._updated, self._changed, written = apply_writes(
            self.channels,
            self.versions,
            self.versions_seen,
            self._tasks,
            self._version,
            self._changed,
            graph._finish_channels,
            graph._trigger_index,
            graph._consume_channels,
        )
        if self._values and not self._stream_key_set.isdisjoint(written):
            chunk = self.output(self.stream_keys)
            if chunk is not MISSING:
                self.queue.push(("values", chunk) if self._tagged else chunk)
        self._tasks = []
        self.step += 1
        self.phase = PLAN

    def abort(self) -> None:
        """The step will not finish (a task failed, the consumer left): drop its writes."""
        self._tasks = []
        self.phase = DONE

    # -- reading -----------------------------------------------------------------------------

    def output(self, keys: str | Sequence[str]) -> Any:
        """The current value of ``keys``: one channel's value, or a dict of those available."""
        channels = self.channels
        if isinstance(keys, str):
            ch = channels[keys]
            return ch.get() if ch.is_available() else MISSING
        return {k: channels[k].get() for k in keys if channels[k].is_available()}

    def _update_of(self, task: Task) -> Any:
        keys = self.stream_keys
        if isinstance(keys, str):
            for chan, value in task.writes:
                if chan == keys:
                    return value
            return None
        picked = [(c, v) for c, v in task.writes if c in self._stream_key_set]
        if not picked:
            return None
        if len({c for c, _ in picked}) == len(picked):
            return dict(picked)
        return [{c: v} for c, v in picked]

    # -- errors ------------------------------------------------------------------------------

    def _expect(self, phase: Phase, event: str) -> None:
        if self.phase is not phase:
            raise InternalError(
                f"PregelLoop got {event}() in {self.phase!r}, which only {phase!r} accepts; the "
                "phase did not change. This is a bug in a driver: please report it."
            )

    def _recursion_error(self) -> GraphRecursionError:
        pending = sorted(
            {
                t.name
                for t in prepare_next_tasks(
                    self.graph.nodes,
                    self.graph._trigger_index,
                    self.channels,
                    self.versions,
                    self.versions_seen,
                    self._updated,
                    self.step,
                    self,
                )
            }
        )
        still = f" with {', '.join(map(repr, pending))} still scheduled" if pending else ""
        limit = self.recursion_limit
        return GraphRecursionError(
            create_error_message(
                message=(
                    f"reached recursion_limit={limit} after {self.step} supersteps{still}. If "
                    f"the loop is meant, pass config={{'recursion_limit': {max(limit * 4, 100)}}}; "
                    "if not, check the edges that lead back into those nodes."
                ),
                error_code=ErrorCode.GRAPH_RECURSION_LIMIT,
            )
        )
