"""THE run: one generator holds the whole order of a run and yields what it needs done.

Rules of this file: every decision about what happens next in a run is made here, and nothing
here waits, sleeps, opens a file or knows whether it runs under threads, asyncio or trio.
``PregelLoop.run(input)`` is a plain generator (trio's ``unrolled_run`` is the model): when it
needs the outside world it yields an effect (``effects.py``: Load, Save, Run, NEED_RESULT,
DELIVER) and a driver (``drivers.py``) sends it the answer.

Theory of operation. One run, step by step (``run`` below is this drawing, in code)::

             Load ──▶ restore: channels, versions, pending writes, answers
               │
             start: input ─▶ writes ─▶ channels  (or resume: Command(resume=...), a
               │     subgraph answered by its parent task, a replay/fork of a checkpoint)
               ▼       Save, DELIVER
      ┌──▶ plan ── nothing due ──────────────────────────────▶ end  (exit: Save the last)
      │      │  ── interrupt_before hits ─────────────────────▶ end  (interrupted)
      │      │  ── its RunControl drained (control.py) ───────▶ GraphDrained (resumable)
      │      │  ── step > recursion_limit ────────────────────▶ GraphRecursionError
      │      ▼       Save, DELIVER (the tasks' start events, before they run)
      │    Run(tasks) ──▶ the driver runs them: one inline; several on threads (sync) or as
      │      │            tasks outside the consumer's (async), also while node code streams
      │      ▼
      │    NEED_RESULT ─▶ done: its writes ─▶ Save  (before the next result is awaited)
      │      │   ▲  │     (durability="exit": kept back until the run ends)
      │      │   └──┘ raised: kept aside until every result is in (an error goes out at once,
      │      │            and the tasks that end after it no more; their writes are saved)
      │      ├── a task raised ────── Save its error, DELIVER ─▶ raise  (drain before raise)
      │      ├── a task interrupted ─ Save its question, DELIVER ─▶ end  (interrupted)
      │      ▼
      │    DELIVER  (the step's updates go out before its writes are applied)
      │    apply: writes ─▶ channels, versions bumped ─▶ checkpoint ─▶ Save, DELIVER
      │      │  ── interrupt_after hits ──────────────────────▶ end  (interrupted)
      └──────┘

The pull rule: the loop yields DELIVER whenever the queue holds chunks, before it plans the next
step, so a driver hands the consumer everything a step reported before the next step begins, and a
consumer that stops after a chunk has started nothing new. A subgraph (a graph run inside a node) is
a run of its own: its loop streams into the parent's ``Output``, saves under its own checkpoint
namespace in the parent's thread, and asks its questions through its parent task when it has no
checkpointer of its own.

The loop owns three collaborators, each with its own state and invariants, which import neither each
other nor this module: ``Output`` (what is streamed, in which shape), ``Persistence`` /
``NullPersistence`` (what is saved, and when) and ``Interrupts`` (questions and answers); it reads
the graph only through its ``GraphSpec``. Rules it applies live beside it: ``run_input`` (what the
input means), ``failures`` (what a failed task leaves, what a step run again reuses), ``updates``
(``update_state``'s superstep, saved through ``save_update``).
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Generator, Mapping, Sequence
from typing import Any

from langgraph_lite._internal._constants import CONFIG_KEY_NODE_FINISHED
from langgraph_lite.channels.base import MISSING
from langgraph_lite.config import current_task
from langgraph_lite.errors import GraphDrained
from langgraph_lite.pregel import run_input
from langgraph_lite.pregel.algo import (
    INPUT,
    Task,
    apply_input,
    apply_writes,
    drop_due,
    prepare_next_tasks,
    read_state,
    recursion_error,
)
from langgraph_lite.pregel.calls import CALL_FINISHED, Calls
from langgraph_lite.pregel.checkpointing import INTERRUPT, restore_channels, restore_state
from langgraph_lite.pregel.effects import DELIVER, NEED_RESULT, Effect, Run, Save, bad_answer
from langgraph_lite.pregel.failures import (
    asked_now,
    finished_before,
    handed_over,
    report_failures,
    stopped_for_questions,
)
from langgraph_lite.pregel.interrupts import Interrupts
from langgraph_lite.pregel.output import Output
from langgraph_lite.pregel.persistence import NullPersistence, Persistence
from langgraph_lite.pregel.phases import DONE, EXECUTE, PLAN, START, Phase, wrong_phase
from langgraph_lite.pregel.replay import TimeTravel, nothing_to_resume, root_config
from langgraph_lite.pregel.spec import GraphSpec
from langgraph_lite.pregel.stream import StreamQueue

__all__ = ["DONE", "EXECUTE", "PLAN", "START", "Phase", "PregelLoop"]


class PregelLoop:
    """The state of one run and the rules that move it from step to step."""

    # Set by Pregel for the run (nodes read them; the loop itself never does).
    store: Any = None
    cache: Any = None
    step_clock: Any = None  # (its graph's step_timeout: see step_clock.py; drivers read it)
    stopped_by: BaseException | None = None  # why _plan ended it: GraphDrained, recursion

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
        version: str = "v1",
        read_only: bool = False,
        control: Any = None,
    ) -> None:
        parent = self.parent_task = current_task.get()
        given = config  # (chunks' metadata copies it; read_only: get_state/update_state's)
        config = root_config(config) if parent is None and not read_only else config
        self.spec = spec
        self.config = config
        self.context = context
        self.control = control  # its RunControl (control.py); self.stopped_by: why it stopped
        self.recursion_limit: int = config["recursion_limit"]
        self.stop = self.recursion_limit  # last step number allowed; set again by _start
        self.phase = START  # for introspection and internal checks only
        self.step = -1
        self.channels = restore_channels(spec.channels, None)  # its own, fresh from the specs
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
        self._tasks: list[Task] = []  # the step being run
        self.saved: Any = None  # the CheckpointTuple the run was restored from
        self._pending_writes: list[tuple[str, str, Any]] = []  # saved writes of that step
        self._unsaved: set[str] = set()  # changed by a Command input, not yet saved
        self.resuming = False  # its first step continues a saved run (input None or a Command)
        self.time_travel = TimeTravel.within(parent)  # does it replay a checkpoint, and how
        # parent_task: the enclosing graph's task running this one; its namespace prefixes ours.
        ns = (config.get("configurable") or {}).get("checkpoint_ns", "")
        self.checkpoint_ns = ns if parent is not None or read_only else ""  # (a reader's: its own)
        # Seeds task ids: the checkpoint (or, without one, the run) the step started from.
        run_id = self.run_id = str(config.get("run_id") or uuid.uuid4())
        self.checkpointer = checkpointer
        self.persistence: Persistence | NullPersistence = (
            NullPersistence(config, durability, run_id)
            if checkpointer is None
            else Persistence(checkpointer, config, durability, run_id, spec.untracked)
        )
        self.interrupts = Interrupts(interrupt_before, interrupt_after, config)
        out = self.out = Output(queue, modes, tagged, stream_keys, given, subgraphs, version)
        ref = weakref.ref(self)  # (no cycle: a finished run is freed without the gc)
        out.read_state = lambda: ref().output(stream_keys)  # type: ignore[union-attr]
        if parent is not None:  # a subgraph: into the parent's stream, if it streams subgraphs
            out.nest(getattr(parent.run, "out", None), parent, self.checkpoint_ns)
        self.writer: Any = out.writer  # (run() takes it again: print_mode may have changed it)
        self._items = queue.items
        # Tasks node code starts while it runs (@task calls): planned, streamed and saved there.
        self.calls = Calls(out, self.persistence.active, durability)
        self._persisting = self.persistence.active  # (read on the hot path)
        self.node_finished = (config.get("configurable") or {}).get(CONFIG_KEY_NODE_FINISHED)

    # -- the run -----------------------------------------------------------------------------

    def run(self, input: Any) -> Generator[Effect, Any, None]:
        """The whole order of a run, as effects for a driver (see the module docstring)."""
        persistence = self.persistence
        outbox = persistence.outbox  # (locals: what follows runs once per step)
        items = self._items
        out = self.out
        self.writer = out.writer
        after_task = self._persisting or out.per_task or self.node_finished is not None
        self._plan_events: bool = out.task_events or out.messages
        self._values: bool = out.values or out.track_output
        live = self.calls.starts_live(self.spec.calls_tasks)  # (steps run while the consumer reads)
        if persistence.active:
            self.restore((yield from self.time_travel.load(self.config, self.parent_task)))
        self._start(input)
        if outbox:
            yield Save(persistence.take())
        if items:
            yield DELIVER
        while True:
            tasks = self._plan()
            if outbox:
                yield Save(persistence.take())
            if items:  # a task's start (tasks/debug) goes out before it runs
                yield DELIVER
            if tasks is None:
                if self.stopped_by is not None:  # (what the run reported went out first)
                    raise self.stopped_by
                return
            if tasks:  # empty when every task's writes were saved before: nothing to run
                failures: list[Task] | None = None
                result = yield Run((tasks, live))
                for _ in tasks:
                    if result is None:
                        result = yield NEED_RESULT
                        while result is CALL_FINISHED:  # a call ended: save its result now
                            waiting = self.calls.save_into(persistence)
                            if outbox:
                                yield Save(persistence.take())
                            self.calls.release(waiting)
                            result = yield NEED_RESULT
                        if result is None:
                            break  # the rest were cancelled (a sibling failed)
                    try:
                        error = result.error
                    except AttributeError:
                        raise bad_answer(result) from None
                    if error is None:
                        if result.handler is not None:  # it failed; its error handler ran
                            handed_over(result, out, persistence)  # (saved before the handler's)
                            self._tasks = [*self._tasks, result.handler]  # (tasks is iterated)
                            self._task_done(result.handler)
                        elif after_task:  # if not, nothing to save or stream
                            self._task_done(result)
                        if outbox:  # saved before the next result is awaited
                            yield Save(persistence.take())
                    else:  # kept aside until every result is in (an error goes out now)
                        out.raised(result, failures is None)
                        asked = asked_now(result, out, persistence, self.interrupts)
                        failures = [*(failures or ()), *(() if asked else (result,))]
                    result = None
                if failures is not None:
                    raised = self._failed(failures)
                    if outbox:
                        yield Save(persistence.take())
                    if items:  # drain before raise: what the step reported goes out first
                        yield DELIVER
                    if raised is not None:
                        raise raised
                    return  # interrupted
            if items:  # the step's updates go out before its writes are applied
                yield DELIVER
            stop = self._apply()  # (True: interrupt_after)
            if outbox:
                yield Save(persistence.take())
            if items:
                yield DELIVER
            if stop:
                return

    def save_update(self, tasks: list[Task] | None, source: str, same_step: bool) -> None:
        """``update_state``'s superstep (updates.py): the writes set on ``tasks`` (run by no
        one) applied as a step's (``source="input"``: as the input's), saved as the last
        checkpoint. ``same_step``: it stands for the step it copies (expires what that did)."""
        if tasks:
            self._version = self.persistence.next_version(self._version)
            if source == "input":
                writes = [w for t in tasks for w in t.writes]
                self.versions_seen.setdefault(INPUT, {})  # (as LangGraph records the input)
                self._updated, self._changed, self._written = apply_input(
                    self.channels, self.versions, writes, self._version
                )
            else:
                spec = self.spec
                self._updated, self._changed, self._written = apply_writes(
                    self.channels, self.versions, self.versions_seen, tasks, self._version,
                    self._changed, spec.finish_channels, spec.trigger_index,
                    spec.consume_channels, spec.expiring_channels)  # fmt: skip
        if same_step:
            self._written = self._changed
        self._save(source, final=True)
        self.phase = DONE

    # -- transitions (run() and updates.py call these; restore, a reader's loop too) ---------

    def restore(self, saved: Any) -> None:
        """Continue from a saved ``CheckpointTuple`` (None: the thread is new)."""
        if self.phase is not START:
            raise wrong_phase(self.phase, START, "restore")
        self.saved = saved
        if saved is None:
            return
        self.persistence.restore(saved)
        self.run_id = self.persistence.run_id
        self.channels, self.versions, self.versions_seen, self._changed = restore_state(
            self.spec.channels, saved
        )
        self._version = max(self.versions.values(), default=self._version)
        self.step = int(saved.metadata.get("step", -1)) + 1
        self._updated = {k for k in self.versions if k in self.channels}  # any node may be due
        self._pending_writes = list(saved.pending_writes or ())

    def _start(self, input: Any) -> None:
        """Apply the run's input as the first step, or resume a saved run when it is None."""
        if self.phase is not START:
            raise wrong_phase(self.phase, START, "start")
        parent, travel = self.parent_task, self.time_travel
        # as LangGraph: recursion_limit + 1 steps past its checkpoint (a new input's among them)
        self.stop = self.step + self.recursion_limit + 1
        self._pending_writes = travel.begin(input, self._pending_writes, parent is None, self.saved)
        # (a subgraph run again by its parent task, a Command: see run_input.py)
        input, null = run_input.take_input(
            input, self.saved, self._pending_writes, parent, travel, self.interrupts,
            self.persistence, self.spec, self.peek,
        )  # fmt: skip
        null_changed = self.take_input_writes(null)
        out = self.out
        if input is None and self.saved is not None:
            self.resuming = True
            # Resuming past an interrupt_before/after: do not stop at the same place again.
            self.versions_seen[INTERRUPT] = dict(self.versions)
            if out.values or out.track_output:  # a resumed run reports where it resumes from
                out.resumed_at(self.output(out.stream_keys))
            self._pending_writes, fork = travel.resume(self.saved, self._pending_writes)
            if fork:  # a replay starts a new branch with a copy of its checkpoint
                self._save("fork", final=True)
                self.step += 1
            elif out.checkpoint_events:  # as LangGraph, it streams the checkpoint it resumes
                due, state = self.peek(), self.output(out.stream_keys)
                out.checkpoint(self.step - 1, self.saved, state, due, resumed=True)
        else:
            if input is None and self.persistence.active:
                raise nothing_to_resume(self.config)
            writes = self.spec.map_input(input)
            self._version = version = self.persistence.next_version(self._version)
            dropped = drop_due(
                self.peek() if self.saved is not None else [], self.channels, self.versions,
                self.versions_seen, {chan for chan, _ in writes}, version,
            )  # fmt: skip
            updated, changed, self._written = apply_input(
                self.channels, self.versions, writes, self._version
            )
            self._updated = updated | (self._updated & null_changed)
            self._changed = changed | null_changed | dropped
            self._pending_writes = []  # a new input starts afresh: nothing pending is resumed
            self._save("input")
            self.step += 1
        self.phase = PLAN

    def take_input_writes(self, writes: Sequence[tuple[str, Any]] | None = None) -> set[str]:
        """Apply writes of no task (Command inputs'; None: those saved); the channels changed."""
        if writes is None:  # (they count whenever their checkpoint is loaded, until saved over)
            writes = run_input.null_writes(self.saved)
        if not writes:
            return set()
        self._version = self.persistence.next_version(self._version)
        self.versions_seen.setdefault(INPUT, {})
        self._unsaved = run_input.apply_null_writes(  # (the next checkpoint saves them)
            self.channels, self.versions, writes, self._version, self._updated, self._changed
        )
        return self._unsaved

    def _plan(self) -> list[Task] | None:
        """The next step's tasks (not those whose writes were saved), or None: the run is over."""
        if self.phase is not PLAN:
            raise wrong_phase(self.phase, PLAN, "plan")
        if self.step > self.stop:  # (durability="exit" saves where it stopped, as LangGraph)
            due = [t.name for t in self.peek()]
            self.stopped_by = recursion_error(self.recursion_limit, self.step, due)
            self.end()
            return None
        tasks = self.peek()
        before = self.interrupts.before
        if before and self.interrupts.should_stop(tasks, before, self.versions, self.versions_seen):
            self.end(stopped=True)
            return None
        reason = None if self.control is None else self.control._drain_reason  # (control.py)
        if not tasks or reason is not None:  # drained: stop before the step runs
            self.stopped_by = GraphDrained(reason or "shutdown") if tasks else None
            # as LangGraph: a finished subgraph keeps nothing, unless checkpointer=True
            if self.parent_task is None or ":" not in self.checkpoint_ns:
                self.end()
            self.phase = DONE
            return None
        self._tasks = tasks
        self.phase = EXECUTE
        if self._plan_events:
            self.out.planned(tasks)
        if self._pending_writes:  # tasks that finished before (even writing nothing) are done
            tasks, handlers = finished_before(
                tasks, self._pending_writes, self.calls, self.out, self._plan_events
            )
            self._tasks = [*self._tasks, *handlers]
            self._pending_writes = []
        return tasks

    def _task_done(self, task: Task) -> None:
        """A task finished without error (told in completion order)."""
        if self._persisting:  # (not the null object's no-op: this runs for every task)
            if self.calls.done:  # its calls' results are saved before its own writes
                self.calls.release(self.calls.save_into(self.persistence))
            self.persistence.task_finished(task)
        if self.out.per_task:
            self.out.finished(task, cached=task.cached)
        if self.node_finished is not None and not task.node.hidden:
            self.node_finished(task.name)

    def _failed(self, failures: list[Task]) -> BaseException | None:
        """Some of the step's tasks raised: the error to raise, or None if all interrupted (then
        the run stops for a human, the writes of the step's finished tasks kept)."""
        if self.calls.done:
            self.calls.release(self.calls.save_into(self.persistence))
        error = report_failures(failures, self.out, self.persistence, self.interrupts)
        tasks, self._tasks = self._tasks, []  # (an error: the step will not finish)
        self.end()
        if error is not None:
            return error
        return stopped_for_questions(tasks, self.out, self.interrupts, self.output)

    def end(self, stopped: bool = False) -> None:
        """The run ends here (``stopped``: by interrupt_before/after; called by a driver: stopped
        from outside); durability="exit" saves where it stands, as LangGraph."""
        if self.phase is DONE or self.phase is START:  # (over, or not started: nothing to save)
            return
        if self.persistence.durability == "exit":
            self._save("loop", final=True)
        self.phase = DONE
        if stopped:
            self.interrupts.interrupted = True
            if self.parent_task is None:  # a subgraph's stop is reported by the parent's
                self.out.stopped(())

    def _apply(self) -> bool:
        """Every task of the step finished: apply their writes and move to the next step;
        returns whether the run stops here (interrupt_after)."""
        if self.phase is not EXECUTE:
            raise wrong_phase(self.phase, EXECUTE, "apply")
        # (the per-step hot path: without a checkpointer, versions are ints and nothing is saved)
        v = self._version
        self._version = self.persistence.next_version(v) if self._persisting else v + 1
        spec = self.spec
        self._updated, self._changed, written = apply_writes(
            self.channels, self.versions, self.versions_seen, self._tasks, self._version,
            self._changed, spec.finish_channels, spec.trigger_index, spec.consume_channels,
            spec.expiring_channels)  # fmt: skip
        self._written = written
        out = self.out
        if self._values and not out.stream_key_set.isdisjoint(written):
            if out.track_output:
                out.output_ready = True  # invoke builds the output once, at the end
            if out.values:
                chunk = self.output(out.stream_keys)
                if chunk is not MISSING:
                    out.emit("values", chunk)
        tasks, self._tasks = self._tasks, []
        if self.calls.active:
            self.calls.step_done()
        if self._persisting:
            self._save("loop", tasks)
        # (a subgraph started by a later step runs afresh, not as part of the resume)
        self.step, self.phase, self.resuming = self.step + 1, PLAN, False
        after = self.interrupts.after
        if after and self.interrupts.should_stop(tasks, after, self.versions, self.versions_seen):
            self.end(stopped=True)
            return True
        return False

    def _save(self, source: str, ran: Sequence[Task] = (), final: bool = False) -> None:
        changed = self._changed
        if self._unsaved:  # (what a Command input changed is saved with the next checkpoint)
            changed, self._unsaved = changed | self._unsaved, set()
        state = (self.channels, self.versions, self.versions_seen, self._written, changed)
        saved = self.persistence.save(source, self.step, *state, ran, final)
        self.run_id = self.persistence.run_id
        if saved is not None and self.out.checkpoint_events:
            values, next_tasks = self.output(self.out.stream_keys), self.peek(step=self.step + 1)
            self.out.checkpoint(self.step, saved, values, next_tasks)

    # -- what node code calls (the RunContext protocol of attempt.py) ------------------------

    def interrupt(self, task: Task, value: Any, schema: Any = None) -> Any:
        """``interrupt(value)`` called by ``task``: its answer, or ``GraphInterrupt`` if none
        (``schema``: the ``ResponseSchema`` the answer must fit). A subgraph with no checkpointer
        asks through its parent task, which saves the questions and answers them on its rerun."""
        parent = self.parent_task
        if parent is not None and not self.persistence.active:
            return parent.run.interrupt(parent, value, schema)
        return self.interrupts.ask(task, value, schema)

    def message_chunk(self, task: Task, chunk: Any, extra: dict[str, Any] | None) -> Any:
        """A chat model running in ``task`` produced ``chunk`` (see ``messages.report_chunk``)."""
        return self.out.message_chunk(task, chunk, extra)

    # -- reading -----------------------------------------------------------------------------

    def peek(self, step: int | None = None) -> list[Task]:
        """The tasks the next step would run, without starting it (for ``get_state``)."""
        return prepare_next_tasks(
            self.spec.nodes, self.spec.trigger_index, self.channels, self.versions,
            self.versions_seen, self._updated, self.step if step is None else step, self,
        )  # fmt: skip

    def output(self, keys: str | Sequence[str], with_writes_of: Sequence[Task] = ()) -> Any:
        """``keys``' value now: one channel's, or a dict (``with_writes_of``: as if applied)."""
        return read_state(self.channels, keys, with_writes_of)
