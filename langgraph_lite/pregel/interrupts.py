"""Human in the loop for one run: ``interrupt()`` answers, resuming, interrupt_before/after.

``Interrupts`` holds what the run asked and the answers it was given. Node code calls
``ask`` from any thread (the answers are locked); the loop calls the rest between steps.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.channels.base import MISSING
from langgraph_lite.errors import EmptyInputError, GraphInterrupt, UnknownInterruptError
from langgraph_lite.pregel.checkpointing import INTERRUPT, NULL_TASK_ID, RESUME, saved_writes
from langgraph_lite.response_schema import ResponseSchema
from langgraph_lite.types import Command, Interrupt

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task

__all__ = ["STRICT_RESUME", "Interrupts", "pending_interrupt_ids"]

# The configurable key that turns strict resume on for a run (LangGraph's name for it, which
# its server and RemoteGraph send): a resume that answers no waiting interrupt is refused
# with UnknownInterruptError instead of being dropped or answering the wrong question.
STRICT_RESUME = "__pregel_strict_resume"

# A resume map is a dict keyed by interrupt ids (32 lowercase hex digits); any other dict is
# one answer, as in LangGraph.
_INTERRUPT_ID = re.compile(r"[0-9a-f]{32}")

_AMBIGUOUS = (
    "When there are multiple pending interrupts, you must specify the interrupt id "
    "when resuming. {n} interrupts are waiting for an answer; say which one each value "
    "answers: Command(resume={{interrupt.id: value, ...}}) with the ids from "
    "get_state(config).interrupts."
)


def pending_interrupt_ids(pending_writes: Sequence[Any]) -> set[str]:
    """The ids of the saved interrupts still waiting for an answer: the latest questions of
    the tasks that have not finished (a finished task's question was answered)."""
    finished = saved_writes(pending_writes)
    latest: dict[str, Any] = {}
    for task_id, chan, value in pending_writes:
        if chan == INTERRUPT and task_id != NULL_TASK_ID:
            latest[task_id] = value if isinstance(value, (list, tuple)) else [value]
    return {i.id for task_id, found in latest.items() if task_id not in finished for i in found}


def _is_resume_map(resume: Any) -> bool:
    return isinstance(resume, dict) and all(
        isinstance(k, str) and _INTERRUPT_ID.fullmatch(k) for k in resume
    )


class Interrupts:
    """The questions a run asked, the answers it has, and where it must stop."""

    def __init__(
        self,
        before: Sequence[str] | None,
        after: Sequence[str] | None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        # Strict resume (STRICT_RESUME in the run's configurable); a subgraph inherits its
        # parent's configurable but never checks: its parent already did.
        self.strict = bool(((config or {}).get("configurable") or {}).get(STRICT_RESUME))
        self.before: Sequence[str] = before or ()  # interrupt_before: node names, or "*"
        self.after: Sequence[str] = after or ()
        self.found: list[Interrupt] = []  # the questions that stopped this run
        self.interrupted = False  # the run stopped for a human (a question, before/after)
        self.output: Any = None  # invoke's output when a question stopped the run
        # _answers[task id]: the answers to that task's interrupt() calls, in call order.
        # Invariant: only grows while the run lasts; a re-run task replays them in order.
        self._answers: dict[str, list[Any]] = {}
        self._resume_map: dict[str, Any] = {}  # Command(resume={interrupt id: answer})
        self._null_resume: Any = MISSING  # Command(resume=value): the next unanswered call
        self._parent: Interrupts | None = None  # an enclosing run's, whose answer it may use
        self._lock = threading.RLock()  # a schema's validator may call back into ask

    # -- answers -----------------------------------------------------------------------------

    def resume_with(
        self, command: Command, saved: bool, pending_writes: Sequence[Any], strict: bool = False
    ) -> None:
        """The run was given ``command`` as input: take its answers to the saved questions.

        ``saved``: whether the thread has a checkpoint to resume; ``strict``: check the
        answers against the waiting interrupts first (``UnknownInterruptError``).
        """
        if command.resume is None:  # (goto/update only: the loop applies them)
            self.replay_answers(pending_writes)
            return
        if not saved:
            raise EmptyInputError(
                "Command(resume=...) answers an interrupt, but this thread has no saved state: "
                "run the graph with an input first (and a checkpointer, so it can resume)."
            )
        resume = command.resume
        pending = pending_interrupt_ids(pending_writes)
        if _is_resume_map(resume):
            if strict:
                _check_map(resume, pending)
            self._resume_map = dict(resume)
        elif len(pending) > 1:
            message = _AMBIGUOUS.format(n=len(pending))
            if strict:
                raise UnknownInterruptError(
                    message, reason="ambiguous", pending_ids=sorted(pending)
                )
            raise RuntimeError(message)
        else:
            self._null_resume = resume
        self.replay_answers(pending_writes)

    def inherit(self, parent: Any, pending_writes: Sequence[Any] = ()) -> None:
        """A subgraph run by a task of ``parent`` (the parent run's ``Interrupts``; anything
        else: a run with no answers) answers with the parent's answers: by interrupt id, and
        the parent's ``Command(resume=value)`` if no question took it yet, as in LangGraph, even
        when the subgraph starts afresh (its parent task is new after ``update_state``).
        ``pending_writes``: those of the subgraph's saved run it continues, whose answers its
        re-run tasks are given again.
        """
        if isinstance(parent, Interrupts):
            self._resume_map = parent._resume_map
            self._parent = parent
        self.replay_answers(pending_writes)

    def _take_null_resume(self) -> Any:
        """The ``Command(resume=value)`` answer no question has taken yet, taken (or MISSING),
        this run's first, else an enclosing run's."""
        if self._null_resume is not MISSING:
            answer, self._null_resume = self._null_resume, MISSING
            return answer
        if self._parent is None:
            return MISSING
        with self._parent._lock:
            return self._parent._take_null_resume()

    def replay_answers(self, pending_writes: Sequence[Any]) -> None:
        """Answers saved with the run's tasks are given again, in order, when they re-run."""
        for task_id, chan, value in pending_writes:
            if chan == RESUME:
                self._answers[task_id] = list(value)

    def ask(self, task: Task, value: Any, schema: ResponseSchema | None = None) -> Any:
        """``interrupt(value)`` called by ``task``: its answer, or ``GraphInterrupt`` if none.

        With a ``schema`` the answer is checked (and converted) first; one that fails raises
        ``ValidationError`` and is not kept, so the same question can be answered again.
        """
        index = task.interrupt_index
        task.interrupt_index = index + 1
        with self._lock:
            answers = self._answers.setdefault(task.id, [])
            if index < len(answers):
                return answers[index] if schema is None else schema.check(answers[index])
            # Named by the answer slot it fills, not the call count: a node that catches a
            # rejected answer and asks again asks the same question, under the same id.
            slot = len(answers)
            key = f"{task.name}:{task.id}" + (f"|{slot}" if slot else "")
            interrupt_id = hashlib.sha256(key.encode()).hexdigest()[:32]
            # An answer is used up even when rejected: a node that catches the rejection and
            # asks again waits for a new one.
            first_id = self._first_id(task) if slot else interrupt_id
            if interrupt_id in self._resume_map:
                answer = self._resume_map.pop(interrupt_id)
            elif first_id in self._resume_map:  # (saved by a version that gave every
                answer = self._resume_map.pop(first_id)  # question of a task the first id)
            elif (answer := self._take_null_resume()) is MISSING:
                shown = None if schema is None else schema.shown()
                raise GraphInterrupt(
                    (Interrupt(value=value, id=interrupt_id, response_schema=shown),)
                )
            checked = answer if schema is None else schema.check(answer)
            answers.append(answer)
            return checked

    @staticmethod
    def _first_id(task: Task) -> str:
        return hashlib.sha256(f"{task.name}:{task.id}".encode()).hexdigest()[:32]

    # -- stopping ----------------------------------------------------------------------------

    def asked(self, task: Task, found: tuple[Interrupt, ...]) -> list[tuple[str, Any]]:
        """``task`` stopped at ``found``: the writes that keep its questions and answers."""
        self.found.extend(found)
        writes: list[tuple[str, Any]] = [(INTERRUPT, list(found))]
        if self._answers.get(task.id):
            writes.insert(0, (RESUME, list(self._answers[task.id])))
        return writes

    def should_stop(
        self,
        tasks: Sequence[Task],
        names: Sequence[str],
        versions: Mapping[str, Any],
        versions_seen: Mapping[str, Mapping[str, Any]],
    ) -> bool:
        """Whether interrupt_before/after ``names`` stops the run at ``tasks``."""
        if not names or not tasks:
            return False
        seen = versions_seen.get(INTERRUPT, {})
        if not any(seen.get(k) is None or v > seen[k] for k, v in versions.items()):
            return False  # nothing changed since the run last stopped here
        everything = "*" in names
        return any((everything and not t.node.hidden) or t.name in names for t in tasks)


def _check_map(resume: Mapping[str, Any], pending: set[str]) -> None:
    """Strict resume: every id of ``resume`` must name a waiting interrupt."""
    if not resume:
        raise UnknownInterruptError(
            "The resume map names no interrupt: Command(resume={}) answers nothing. Answer "
            "the waiting interrupts by id: Command(resume={interrupt.id: value, ...}) with "
            "the ids from get_state(config).interrupts.",
            reason="empty_map",
            pending_ids=sorted(pending),
        )
    if unknown := sorted(resume.keys() - pending):
        waiting = ", ".join(sorted(pending)) or "none"
        raise UnknownInterruptError(
            f"Unknown or already-consumed interrupt: {unknown[0]}. A strict resume answers "
            f"only interrupts that are waiting (here: {waiting}); take their ids from "
            "get_state(config).interrupts.",
            reason="not_pending",
            interrupt_ids=unknown,
            pending_ids=sorted(pending),
        )
