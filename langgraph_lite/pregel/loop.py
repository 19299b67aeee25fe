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

import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.channels.base import MISSING
from langgraph_lite.config import current_task
from langgraph_lite.errors import (
    EmptyInputError,
    ErrorCode,
    GraphRecursionError,
    InternalError,
    create_error_message,
)
from langgraph_lite.pregel.algo import Task, apply_writes, prepare_next_tasks
from langgraph_lite.pregel.checkpointing import (
    ERROR,
    INTERRUPT,
    RESUME,
    Put,
    PutWrites,
    Snapshots,
    restore_channels,
    thread_config,
)
from langgraph_lite.pregel.loop_interrupts import LoopInterrupts
from langgraph_lite.pregel.loop_persistence import LoopPersistence
from langgraph_lite.pregel.loop_streaming import LoopStreaming, _messages_in
from langgraph_lite.pregel.phases import DONE, EXECUTE, PLAN, START, Phase
from langgraph_lite.pregel.stream import (
    task_result_payload,
    task_start_payload,
)
from langgraph_lite.types import Command

if TYPE_CHECKING:
    from langgraph_lite.pregel.spec import GraphSpec
    from langgraph_lite.pregel.stream import StreamQueue

__all__ = ["Phase", "PregelLoop"]


class PregelLoop(LoopStreaming, LoopInterrupts, LoopPersistence):
    """The state of one run and the rules that move it from step to step."""

    def __init__(
        self,
        spec: GraphSpec,
        config: Mapping[str, Any],
        queue: StreamQueue,
        *,
        modes: Sequence[str],
        tagged: bool,
        stream_keys: str | Sequence[str],
        context: Any = None,
        checkpointer: Any = None,
        durability: str = "async",
        interrupt_before: Sequence[str] | None = None,
        interrupt_after: Sequence[str] | None = None,
        subgraphs: bool = False,
    ) -> None:
        self.spec = spec
        self.config = config
        self.context = context
        self.queue = queue
        self.run_id = str(config.get("run_id") or uuid.uuid4())
        self.recursion_limit: int = config["recursion_limit"]
        self.stop = self.recursion_limit  # last step number allowed; set again by start()
        self.phase = START
        self.step = -1
        # The run's own channel instances, fresh from the graph's specs.
        self.channels = restore_channels(spec.channels, None)
        # versions[channel]: bumped each step the channel changes (ints, or the saver's
        # version strings when checkpointing); all versions of a run compare with each other.
        self.versions: dict[str, Any] = {}
        # versions_seen[node][channel]: the version this node last read.
        # Invariant: never ahead of versions[channel]. A node is due iff one of its triggers
        # has moved past what it saw.
        self.versions_seen: dict[str, dict[str, Any]] = {}
        self._version: Any = 0
        self._updated: set[str] = set()  # available channels updated by the last step
        self._changed: set[str] = set()  # every channel changed by the last step
        self._written: Any = ()  # the channels the last step wrote
        self._exit_mark: Any = None  # durability="exit": the checkpoint the run stands at
        self._exit_writes: list[PutWrites] = []
        self._snapshots = Snapshots()
        self._ran: list[str] = []  # the nodes of the last step, for the next snapshot
        self._exit_parent: dict[str, Any] = {}
        self._tasks: list[Task] = []
        # Persistence: what to save goes to the outbox; the driver saves it.
        self.checkpointer = checkpointer
        self.durability = durability
        self.outbox: list[Put | PutWrites] = []
        self.checkpoint_config: dict[str, Any] = thread_config(config, None)
        self.saved: Any = None
        self._replay = False
        # Interrupts: what the run asked, and the answers it was given.
        self.interrupt_before: Sequence[str] = interrupt_before or ()
        self.interrupt_after: Sequence[str] = interrupt_after or ()
        self.interrupts: list[Any] = []
        self.interrupted = False
        self._interrupted_output: Any = None
        self._answers: dict[str, list[Any]] = {}
        self._resume_map: dict[str, Any] = {}
        self._null_resume: Any = MISSING
        self._answer_lock = threading.Lock()
        # The task of an enclosing graph that runs this one as a node, if any; its namespace
        # prefixes this run's (e.g. "sub:<task id>|call:<task id>").
        self.parent_task: Task | None = current_task.get()
        self.checkpoint_ns = self.parent_task.checkpoint_ns if self.parent_task is not None else ""
        self._pending_writes: list[tuple[str, str, Any]] = []
        # Streaming: which modes to emit, and whether chunks carry their mode.
        self._values = "values" in modes
        # invoke(): whether the output was written (it is read once, at the end)
        self.track_output = False
        self.output_ready = False
        self._updates = "updates" in modes
        self._tagged = tagged
        self.stream_keys = stream_keys
        self._stream_key_set = (
            frozenset((stream_keys,)) if isinstance(stream_keys, str) else frozenset(stream_keys)
        )
        self.modes = tuple(modes)
        self._task_events = "tasks" in modes or "debug" in modes
        self._checkpoint_events = "checkpoints" in modes or "debug" in modes
        # subgraphs=True: chunks carry the namespace of the graph that made them
        self.subgraphs = subgraphs
        self.version = "v1"  # "v2": every chunk a typed part {"type", "ns", "data"}
        self.ns: tuple[str, ...] = ()
        self._sink: Any = None  # set when this run is a subgraph streaming into its parent
        # Node code that emits mid-step: while it runs, the consumer must be able to read.
        self.streams_from_nodes = "custom" in modes or "messages" in modes or subgraphs
        self._messages = "messages" in modes
        self._seen_messages: set[str] = set()  # ids already streamed (or given as input)
        self._refresh_after_task()
        self.writer: Any = self._custom_writer()

    # -- events from the driver ---------------------------------------------------------------

    def restore(self, saved: Any) -> None:
        """Continue from a saved ``CheckpointTuple`` (None: the thread is new)."""
        self._expect(START, "restore")
        self.saved = saved
        if saved is None:
            return
        checkpoint = saved.checkpoint
        self.channels = restore_channels(self.spec.channels, saved)
        self.versions = dict(checkpoint["channel_versions"])
        self.versions_seen = {k: dict(v) for k, v in checkpoint["versions_seen"].items()}
        self._version = max(self.versions.values(), default=self._version)
        self.step = int(saved.metadata.get("step", -1)) + 1
        self._changed = set(checkpoint.get("updated_channels") or ())
        # After a restore any node may be due: consider every channel that has a version.
        self._updated = {k for k in self.versions if k in self.channels}
        self.checkpoint_config = thread_config(self.config, checkpoint["id"])
        self.run_id = checkpoint["id"]
        # Naming a checkpoint replays from it: its steps run again, nothing saved is reused.
        self._replay = bool(
            (self.config.get("configurable") or {}).get("checkpoint_id")
        ) and saved.metadata.get("source") not in ("update", "fork")
        self._pending_writes = [] if self._replay else list(saved.pending_writes or ())

    def start(self, input: Any) -> None:
        """Apply the run's input as the first step, or resume a saved run when it is None."""
        self._expect(START, "start")
        if (
            self.parent_task is not None
            and self.saved is not None
            and input is not None
            and not isinstance(input, Command)
            and (self._pending_writes or self.peek())
        ):
            # A subgraph whose parent task runs again (resumed after an interrupt or a crash):
            # continue the saved run, answering its interrupts with the parent's answers.
            parent_run = self.parent_task.run
            self._resume_map = getattr(parent_run, "_resume_map", {})
            self._null_resume, parent_run._null_resume = (
                getattr(parent_run, "_null_resume", MISSING),
                MISSING,
            )
            for task_id, chan, value in self._pending_writes:
                if chan == RESUME:
                    self._answers[task_id] = list(value)
            input = None
        if isinstance(input, Command):
            self._resume_with(input)
            input = None
        if input is None and self.saved is not None:
            # Resuming past an interrupt_before/after: do not stop at the same place again.
            self.versions_seen[INTERRUPT] = dict(self.versions)
        if input is None and self.saved is not None:
            if self._values or self.track_output:  # a resumed run reports where it resumes from
                chunk = self.output(self.stream_keys)
                if chunk is not MISSING and chunk != {}:
                    self._emit_values(chunk)
            if self._replay:
                self._save("fork", set(), final=True)
                self.step += 1
            self.stop = self.step + self.recursion_limit
            self.phase = PLAN
            return
        if input is None and self.checkpointer is not None:
            thread = (self.config.get("configurable") or {}).get("thread_id")
            raise EmptyInputError(
                f"thread {thread!r} has nothing to resume: no checkpoint is saved for it"
                + (" with that checkpoint_id" if self._replay_requested() else "")
                + ". Start it with an input, e.g. graph.invoke({...}, config)."
            )
        writes = self.spec.map_input(input)
        self._version = self._next_version()
        by_channel: dict[str, list[Any]] = {}
        for chan, value in writes:
            by_channel.setdefault(chan, []).append(value)
        changed: set[str] = set()
        for chan, vals in by_channel.items():
            ch = self.channels[chan]
            if ch.update(vals):
                self.versions[chan] = self._version
                changed.add(chan)
        # A new input starts afresh: what the last run left pending is not resumed.
        self._pending_writes = []
        self._changed = changed
        self._written = set(by_channel)
        self._updated = {c for c in changed if self.channels[c].is_available()}
        if self.checkpointer is not None:
            self._save("input", changed)
        self.step += 1
        self.stop = self.step + self.recursion_limit
        self.phase = PLAN

    def tick(self) -> list[Task] | None:
        """The next step's tasks to run, or None when the run is over.

        Tasks whose writes were saved before the run was interrupted are not returned: their
        saved writes are used instead.
        """
        if self.phase is not PLAN:
            if self.phase is DONE and self.interrupted:
                return None
            self._expect(PLAN, "tick")
        if self.step > self.stop:
            self.phase = DONE
            raise self._recursion_error()
        spec = self.spec
        tasks = prepare_next_tasks(
            spec.nodes,
            spec.trigger_index,
            self.channels,
            self.versions,
            self.versions_seen,
            self._updated,
            self.step,
            self,
        )
        if not tasks:
            self.phase = DONE
            if self.checkpointer is not None and self.durability == "exit":
                self._save("loop", self._changed, final=True)
            return None
        if self.interrupt_before and self._should_interrupt(tasks, self.interrupt_before):
            self._stop_for_interrupt(())
            return None
        self._tasks = tasks
        self.phase = EXECUTE
        if self._task_events:
            for task in tasks:
                if not task.node.hidden:
                    self._task_event("task", task, task_start_payload(task))
        if self._messages:
            for task in tasks:
                self._seen_messages.update(m.id for m in _messages_in(task.input) if m.id)
        if self._pending_writes:
            return self._reuse_pending_writes(tasks)
        return tasks

    def _reuse_pending_writes(self, tasks: list[Task]) -> list[Task]:
        saved: dict[str, list[tuple[str, Any]]] = {}
        for task_id, chan, value in self._pending_writes:
            if chan not in (ERROR, INTERRUPT, RESUME):
                saved.setdefault(task_id, []).append((chan, value))
        done = {t.id for t in tasks if t.id in saved}
        for task in tasks:
            if task.id in done:
                task.writes = saved[task.id]
                self.task_done(task, persist=False, cached=True)
        self._pending_writes = []
        return [t for t in tasks if t.id not in done]

    def task_done(self, task: Task, *, persist: bool = True, cached: bool = False) -> None:
        """A task finished without error; drivers call this in completion order."""
        if not self._after_task:
            return  # nothing to save or stream per task: the common fast path
        if persist and self.checkpointer is not None:
            self._put_writes(task, list(task.writes))
        if self._updates and not task.node.hidden:
            chunk = {task.name: self._update_of(task)}
            if cached:  # its writes come from the checkpoint, as LangGraph marks them
                chunk["__metadata__"] = {"cached": True}
            self._emit("updates", chunk)
        if self._task_events and not task.node.hidden:
            self._task_event("task_result", task, task_result_payload(task, self._result_of(task)))
        if self._messages and not task.node.hidden:
            self._whole_messages(task)

    def step_done(self) -> None:
        """Every task of the step finished: apply their writes and move to the next step."""
        if self.phase is not EXECUTE:
            self._expect(EXECUTE, "step_done")
        self._version = self._version + 1 if self.checkpointer is None else self._next_version()
        spec = self.spec
        self._updated, self._changed, self._written = apply_writes(
            self.channels,
            self.versions,
            self.versions_seen,
            self._tasks,
            self._version,
            self._changed,
            spec.finish_channels,
            spec.trigger_index,
            spec.consume_channels,
        )
        written = self._written
        if (self._values or self.track_output) and not self._stream_key_set.isdisjoint(written):
            if self.track_output:
                self.output_ready = True  # invoke builds the output once, at the end
            if self._values:
                chunk = self.output(self.stream_keys)
                if chunk is not MISSING:
                    self._emit("values", chunk)
        tasks, self._tasks = self._tasks, []
        if self.checkpointer is not None:
            self._ran = [t.name for t in tasks]
            self._save("loop", self._changed)
        self.step += 1
        self.phase = PLAN
        if self.interrupt_after and self._should_interrupt(tasks, self.interrupt_after):
            self._stop_for_interrupt(())

    def task_failed(self, task: Task, error: BaseException) -> None:
        """A task raised: remember it with the step's checkpoint, for ``get_state().tasks``."""
        if self._task_events and not task.node.hidden:
            self._task_event("task_result", task, task_result_payload(task, {}, error))
        if self.checkpointer is not None:
            self._put_writes(task, [(ERROR, repr(error))])

    def abort(self) -> None:
        """The step will not finish (a task failed, the consumer left): drop its writes."""
        self._tasks = []
        if self.phase is not DONE and self.checkpointer is not None and self.durability == "exit":
            self._save("loop", self._changed, final=True)
        self.phase = DONE

    def apply_update(self, task: Task) -> dict[str, Any]:
        """Apply ``task``'s writes as a step of their own (``update_state``); save it."""
        self._expect(START, "apply_update")
        self._tasks = [task]
        if self.saved is None:
            self.step = 0  # an update to a new thread stands for its input
        self._version = self._next_version()
        self._updated, self._changed, self._written = apply_writes(
            self.channels,
            self.versions,
            self.versions_seen,
            self._tasks,
            self._version,
            self._changed,
            self.spec.finish_channels,
            self.spec.trigger_index,
            self.spec.consume_channels,
        )
        self._tasks = []
        self._save("update", self._changed, final=True)
        self.phase = DONE
        return self.checkpoint_config

    def peek(self, step: int | None = None) -> list[Task]:
        """The tasks the next step would run, without starting it (for ``get_state``)."""
        return prepare_next_tasks(
            self.spec.nodes,
            self.spec.trigger_index,
            self.channels,
            self.versions,
            self.versions_seen,
            self._updated,
            self.step if step is None else step,
            self,
        )

    # -- reading -----------------------------------------------------------------------------

    def output(self, keys: str | Sequence[str], with_writes_of: Sequence[Task] = ()) -> Any:
        """The current value of ``keys``: one channel's value, or a dict of those available.

        ``with_writes_of``: as if those tasks' writes were applied (the channels are copied).
        """
        channels = self.channels
        if with_writes_of:
            channels = {k: ch.copy() for k, ch in channels.items()}
            by_channel: dict[str, list[Any]] = {}
            for task in sorted(with_writes_of, key=lambda t: t.path):
                for chan, value in task.writes:
                    by_channel.setdefault(chan, []).append(value)
            for chan, values in by_channel.items():
                if chan in channels:
                    channels[chan].update(values)
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
        pending = sorted({t.name for t in self.peek()})
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
