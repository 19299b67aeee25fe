"""Human in the loop for a ``PregelLoop``: ``interrupt()``, resuming, interrupt_before/after."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.channels.base import MISSING
from langgraph_lite.errors import EmptyInputError, GraphInterrupt
from langgraph_lite.pregel.checkpointing import INTERRUPT, RESUME
from langgraph_lite.pregel.phases import DONE
from langgraph_lite.pregel.stream import task_result_payload
from langgraph_lite.types import Command, Interrupt

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task

__all__ = ["LoopInterrupts"]


class LoopInterrupts:
    """The interrupt half of ``PregelLoop`` (a mixin: state lives on the loop)."""

    # Set by PregelLoop.__init__.
    config: Any
    checkpointer: Any
    durability: str
    saved: Any
    parent_task: Any
    interrupts: list[Any]
    interrupted: bool
    phase: Any
    versions: dict[str, Any]
    versions_seen: dict[str, dict[str, Any]]
    stream_keys: Any
    track_output: bool
    _updates: bool
    _values: bool
    _task_events: bool
    _tasks: list[Any]
    _changed: set[str]
    _interrupted_output: Any
    _answers: dict[str, list[Any]]
    _resume_map: dict[str, Any]
    _null_resume: Any
    _answer_lock: Any
    _pending_writes: list[Any]

    if TYPE_CHECKING:  # provided by PregelLoop and LoopStreaming

        def _emit(self, mode: str, chunk: Any) -> None: ...
        def _emit_values(self, chunk: Any) -> None: ...
        def _task_event(self, kind: str, task: Task, payload: dict[str, Any]) -> None: ...
        def _put_writes(self, task: Task, writes: list[tuple[str, Any]]) -> None: ...
        def _save(self, source: str, changed: set[str], *, final: bool = False) -> None: ...
        def output(self, keys: Any, with_writes_of: Sequence[Task] = ()) -> Any: ...

    def _resume_with(self, command: Command) -> None:
        if command.update is not None or command.goto or command.graph is not None:
            raise NotImplementedError(
                "a Command given as a run's input may only carry resume= in this version of "
                "langgraph_lite; apply updates with update_state()."
            )
        if self.saved is None:
            raise EmptyInputError(
                "Command(resume=...) answers an interrupt, but this thread has no saved state: "
                "run the graph with an input first (and a checkpointer, so it can resume)."
            )
        pending = [i for _, chan, value in self._pending_writes if chan == INTERRUPT for i in value]
        resume = command.resume
        ids = {i.id for i in pending}
        if isinstance(resume, dict) and resume and set(resume) <= ids:
            self._resume_map = dict(resume)
        elif len(pending) > 1:
            raise RuntimeError(
                f"{len(pending)} interrupts are waiting for an answer; say which one each value "
                "answers: Command(resume={interrupt.id: value, ...}) with the ids from "
                "get_state(config).interrupts."
            )
        else:
            self._null_resume = resume
        for task_id, chan, value in self._pending_writes:
            if chan == RESUME:
                self._answers[task_id] = list(value)

    def _replay_requested(self) -> bool:
        return bool((self.config.get("configurable") or {}).get("checkpoint_id"))

    def interrupt(self, task: Task, value: Any) -> Any:
        """``interrupt(value)`` called by ``task``: its answer, or ``GraphInterrupt`` if none.

        A graph run as a node of another (a subgraph) with no checkpointer of its own asks
        through the parent's task: the parent saves the question and the answers, and a
        resumed parent runs the subgraph again, which gets its answers in the same order.
        """
        parent = self.parent_task
        if self.checkpointer is None and parent is not None:
            return parent.run.interrupt(parent, value)
        index = task.interrupt_index
        task.interrupt_index = index + 1
        key = f"{task.name}:{task.id}" + (f"|{index}" if index else "")
        interrupt_id = hashlib.sha256(key.encode()).hexdigest()[:32]
        answer = self._answer(task, index, interrupt_id)
        if answer is not MISSING:
            return answer
        raise GraphInterrupt((Interrupt(value=value, id=interrupt_id),))

    def _answer(self, task: Task, index: int, interrupt_id: str) -> Any:
        """The answer to ``task``'s ``index``-th ``interrupt()``, or ``MISSING`` if none yet."""
        with self._answer_lock:
            answers = self._answers.setdefault(task.id, [])
            if index < len(answers):
                return answers[index]
            if interrupt_id in self._resume_map:
                value = self._resume_map.pop(interrupt_id)
            elif self._null_resume is not MISSING:
                value, self._null_resume = self._null_resume, MISSING
            else:
                return MISSING
            answers.append(value)
            return value

    def task_interrupted(self, task: Task, exc: GraphInterrupt) -> None:
        """A task called ``interrupt()`` with no answer yet: keep its question and answers."""
        found = tuple(exc.interrupts)
        self.interrupts.extend(found)
        if self._task_events and not task.node.hidden:
            self._task_event("task_result", task, task_result_payload(task, {}, None, found))
        if self._updates:
            self._emit("updates", {INTERRUPT: found})
        if self.checkpointer is not None:
            writes: list[tuple[str, Any]] = [(INTERRUPT, list(found))]
            if self._answers.get(task.id):
                writes.insert(0, (RESUME, list(self._answers[task.id])))
            self._put_writes(task, writes)

    def step_interrupted(self) -> None:
        """The step's tasks finished or were interrupted: the run stops, its writes kept."""
        if self.checkpointer is not None and self.durability == "exit":
            self._save("loop", self._changed, final=True)
        finished = [t for t in self._tasks if t.error is None]
        self._tasks = []
        found = tuple(self.interrupts)
        if self._values or self.track_output:
            # the state as the step's finished tasks leave it (their writes are saved too)
            state = self.output(self.stream_keys, with_writes_of=finished)
            if isinstance(state, dict):
                self._emit_values({**state, INTERRUPT: found})
                self._interrupted_output = state
        self.interrupted = True
        self.phase = DONE

    def _stop_for_interrupt(self, found: tuple[Any, ...]) -> None:
        self.interrupted = True
        self.phase = DONE
        if self._updates:
            self._emit("updates", {INTERRUPT: found})

    def _should_interrupt(self, tasks: Sequence[Task], names: Sequence[str]) -> bool:
        if not names or not tasks:
            return False
        seen = self.versions_seen.get(INTERRUPT, {})
        if not any(seen.get(k) is None or v > seen[k] for k, v in self.versions.items()):
            return False  # nothing changed since the run last stopped here
        everything = "*" in names
        return any((everything and not t.node.hidden) or t.name in names for t in tasks)
