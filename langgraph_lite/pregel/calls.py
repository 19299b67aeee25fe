"""Tasks that node code starts while it runs: the functional API's ``@task`` calls.

A call is a push task, like a ``Send``'s, but planned by the running task that made it rather
than by the loop between steps: it belongs to its caller's step, its id is fixed by its caller's
id and the call's place among its caller's calls, and its result is saved as a pending write of
that step under that id. A resumed step runs its tasks again; each call made again gets the same
id, and a call whose writes were saved returns them instead of running (``Calls.saved``).

Who runs a call is its caller's business (``langgraph_lite.func`` runs it on a thread or in a
task group it holds open while the caller runs). What the run keeps of it is here:

* ``Calls.plan`` makes the call's task (any thread) and reports its start;
* ``Calls.finished`` takes what came of it (any thread): its result, error or unanswered
  question, to stream now and to save;
* ``Calls.take`` hands the loop the writes to save; the loop saves them before the writes of
  the task that finishes next, so a call's result is saved no later than its caller's.

Nothing here waits or saves: streaming goes through ``Output.accept`` (any thread), saving
through the loop's persistence.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.errors import GraphInterrupt
from langgraph_lite.pregel.algo import PUSH, Task
from langgraph_lite.pregel.checkpointing import ERROR, RESUME
from langgraph_lite.pregel.effects import CALL_FINISHED
from langgraph_lite.pregel.output import debug_event, task_result_payload, task_start_payload

if TYPE_CHECKING:
    from langgraph_lite.pregel.node import PregelNode
    from langgraph_lite.pregel.output import Output

__all__ = ["CALL_FINISHED", "RETURN", "Calls", "Saved"]

RETURN = "__return__"
"""The write a call saves its result under (LangGraph's name); it is no channel of the graph."""


class Calls:
    """The calls the running step's tasks made, and what the step saved of them before.

    Thread-safe: node code on any thread plans and finishes calls; the loop takes their writes.
    """

    __slots__ = (
        "_count",
        "_lock",
        "_out",
        "_saving",
        "_waits",
        "active",
        "done",
        "notify",
        "saved",
    )

    def __init__(self, out: Output, saving: bool, durability: str = "async") -> None:
        self._out = out
        self._saving = saving  # whether the run saves anything (if not, nothing is kept)
        # durability="sync": a call's caller hears of its result only once it is saved (as a
        # step waits for its checkpoint); "async": the result is saved meanwhile.
        self._waits = durability == "sync"
        self._lock = threading.Lock()
        # _count[caller task id]: how many calls that task made so far (numbers its calls).
        self._count: dict[str, int] = {}
        self.active = False  # whether a call was made since the step began (set by plan)
        # Whether the driver listens for CALL_FINISHED while the step runs (a live step of a
        # graph whose nodes call tasks), so a finished call is saved at once; if not, its
        # writes are saved with the next task result the loop takes.
        self.notify = False
        # Finished calls whose writes are not yet saved, in the order they finished, with what
        # their runners wait for (None: nothing waits).
        self.done: list[tuple[Task, list[tuple[str, Any]], Saved | None]] = []
        # saved[task id]: the writes the step saved before it was resumed (this step only).
        self.saved: Mapping[str, list[tuple[str, Any]]] = {}

    def starts_live(self, calls_tasks: bool) -> bool:
        """The run starts: whether its steps run live (the consumer reads while they run),
        because node code streams, or because an @entrypoint's step (``calls_tasks``: its
        nodes call tasks) streams its calls' results, and saves them, while it runs. Sets
        ``notify``."""
        out = self._out
        live = out.streams_from_nodes or (calls_tasks and (out.per_task or self._saving))
        self.notify = live and calls_tasks
        return live

    def plan(self, run: Any, caller: Task, node: PregelNode, input: Any) -> tuple[Task, bool]:
        """The task of ``caller``'s next call of ``node``, and whether its result was saved.

        A saved call's task has its saved writes; one that must run has none yet."""
        self.active = True
        with self._lock:
            index = self._count.get(caller.id, 0)
            self._count[caller.id] = index + 1
        task = Task(node.name or "task", node, input, (PUSH,), caller.step, run)
        task.seed = caller.seed
        # As LangGraph names a call: by its caller's path and its place among the caller's
        # calls; it lives in its caller's namespace.
        task.path = (PUSH, caller.path, index, True)
        task.outer_ns = caller.checkpoint_ns
        trace = getattr(run.spec, "trace_call", None)  # a run with callbacks (callback_runs.py)
        if trace is not None:
            trace(task, caller)
        writes = self.saved.get(task.id)
        out = self._out
        if out.task_events:  # a saved call is reported as started (not as finished), as LangGraph
            self._task_event("task", task, task_start_payload(task))
        if writes is not None:
            task.writes = list(writes)
            return task, True
        return task, False

    def finished(self, task: Task, in_async: bool = False) -> Saved | None:
        """``task`` (a call) ended: with writes, ``task.error``, or an unanswered question.

        Returns what to wait for before the caller may hear of the result — its writes being
        saved — or None when nothing is to be waited for. ``in_async``: the caller waits on the
        event loop (``await saved.wait_async()``), not on a thread (``saved.wait(...)``)."""
        error = task.error
        out = self._out
        if error is None:
            writes = task.writes
            if out.updates:
                chunk = {task.name: result_of(writes)}
                if task.cached:
                    chunk["__metadata__"] = {"cached": True}
                out.accept(out.ns, "updates", chunk)
            if out.task_events:
                payload = task_result_payload(task, {c: v for c, v in writes if c == RETURN})
                self._task_event("task_result", task, payload)
        elif isinstance(error, GraphInterrupt):
            # The question is saved with the caller's interrupt, which it bubbles up to; kept
            # here are the answers this call was already given, for when it runs again.
            writes = [w for w in run_answers(task) if w[0] == RESUME]
        else:
            writes = [(ERROR, repr(error))]
            if out.task_events:
                self._task_event("task_result", task, task_result_payload(task, {}, error))
        if not (self._saving and writes):
            return None
        saved = Saved(in_async) if self.notify and self._waits else None
        with self._lock:
            self.done.append((task, list(writes), saved))
        if self.notify:
            out.queue.push_from_thread(CALL_FINISHED)
        return saved

    def take(self) -> list[tuple[Task, list[tuple[str, Any]], Saved | None]]:
        """The finished calls' writes to save now, in the order the calls finished."""
        with self._lock:
            done, self.done = self.done, []
        return done

    def save_into(self, persistence: Any) -> list[Saved]:
        """Hand the finished calls' writes to the run's persistence, in the order they ended;
        returns what their callers wait for, to ``release`` once the writes are saved."""
        waiting = []
        for task, writes, saved in self.take():
            persistence.put_writes(task, writes)
            if saved is not None:
                waiting.append(saved)
        return waiting

    @staticmethod
    def release(waiting: list[Saved]) -> None:
        """The writes are saved: the calls' callers may hear of their results."""
        for saved in waiting:
            saved.set()

    def step_done(self) -> None:
        """The step ended: what it saved before is not the next step's."""
        self.saved = {}
        self.active = False
        with self._lock:
            self._count.clear()

    def _task_event(self, kind: str, task: Task, payload: dict[str, Any]) -> None:
        out = self._out
        if "tasks" in out.modes:
            out.accept(out.ns, "tasks", payload)
        if "debug" in out.modes:
            out.accept(out.ns, "debug", debug_event(task.step, kind, payload))


class Saved:
    """Set once a call's writes are saved; its runner waits for it before settling the future,
    so a caller never acts on a result a crash could still lose."""

    __slots__ = ("_aevent", "_event")

    def __init__(self, in_async: bool) -> None:
        self._event = threading.Event()
        self._aevent: Any = None
        if in_async:
            import anyio

            self._aevent = anyio.Event()  # set by the loop, on the event loop's thread

    def set(self) -> None:
        self._event.set()
        if self._aevent is not None:
            self._aevent.set()

    def wait(self, gone: Callable[[], bool]) -> None:
        """Wait on a thread; give up when ``gone()`` says the run stopped (nothing will save)."""
        while not self._event.wait(0.05):
            if gone():
                return

    async def wait_async(self) -> None:
        """Wait on the event loop (a stopped run cancels the waiter)."""
        await self._aevent.wait()


def result_of(writes: Sequence[tuple[str, Any]]) -> Any:
    """A call's result, from its writes (None if it wrote none)."""
    for chan, value in writes:
        if chan == RETURN:
            return value
    return None


def run_answers(task: Task) -> list[tuple[str, Any]]:
    """The answers ``task`` was given to its ``interrupt()`` calls, as writes."""
    interrupts = getattr(task.run, "interrupts", None)
    if interrupts is None:
        return []
    return interrupts.asked(task, ())
