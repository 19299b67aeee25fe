"""What a step's failures leave behind, and what a step run again takes back.

A task that raised is saved and reported when the step's results are all in: an error
(``__error__``), or the questions of an ``interrupt()`` with the answers it had. A failure its
node's error handler took over (``error_handler=``, see ``graph/handlers.py``) is saved with its
source (``__error_source_node__``) and the handler then runs as a task of the same step.

A task the run stopped mid-way because its consumer left (an async step's tasks, cancelled) is
saved failed with ``CancelledError()``, as LangGraph saves it, so a resumed run runs it again.

When a step runs again (resumed after an interrupt or a crash), what it saved is taken back:
a task whose writes were saved is done; a failure that was handed over is not run again, its
handler is (or, if the handler's writes were saved too, they are reused).

Functions of the loop's collaborators (``Output``, ``Persistence``, ``Interrupts``), passed in;
the loop decides when they are called and what the step does next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.errors import GraphDrained, GraphInterrupt, InvalidUpdateError
from langgraph_lite.pregel.algo import handler_task
from langgraph_lite.pregel.checkpointing import ERROR, ERROR_SOURCE, handled_failures, saved_writes

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task

__all__ = ["finished_before", "handed_over", "record_stopped", "report_failures"]


def finished_before(
    tasks: list[Task],
    pending_writes: Sequence[tuple[str, str, Any]],
    calls: Any,
    out: Any,
    plan_events: bool,
) -> tuple[list[Task], list[Task]]:
    """The step's ``tasks``, planned again, against what was saved for them.

    Returns the tasks left to run and the error handlers of the failures handed over (each a
    task of the step, whether it runs again or its writes were saved). A task done before gets
    its saved writes (and its update is streamed again, marked cached); ``calls`` (the run's
    ``Calls``) gets them too, so a call made again by a task of the step is not run again."""
    saved = calls.saved = saved_writes(pending_writes)
    done = {t.id for t in tasks if t.id in saved}
    for task in tasks:
        if task.id in done:
            task.writes = saved[task.id]
            if out.per_task:
                out.finished(task, cached=True)
    added: list[Task] = []
    handlers: list[Task] = []
    for task_id, error in handled_failures(pending_writes).items():
        failed = next((t for t in tasks if t.id == task_id), None)
        if failed is None or failed.node.error_handler is None:
            continue
        done.add(task_id)
        handler = handler_task(failed, error)
        added.append(handler)
        if handler.id in saved:
            handler.writes = saved[handler.id]
            if out.per_task:
                out.finished(handler, cached=True)
        else:
            handlers.append(handler)
    if handlers and plan_events:
        out.planned(handlers)  # (as LangGraph: a handler run again is announced)
    return [t for t in tasks if t.id not in done] + handlers, added


def handed_over(task: Task, out: Any, persistence: Any) -> None:
    """Save and report ``task``'s failure, which its error handler took over."""
    assert task.handler is not None
    exc = task.handler.node_error.error
    out.failed(task, exc)
    persistence.put_writes(task, [(ERROR, repr(exc)), (ERROR_SOURCE, task.name)])


def asked_now(task: Task, out: Any, persistence: Any, interrupts: Any) -> bool:
    """Whether ``task`` stopped at ``interrupt()`` (and no error handler ran): then, as in
    LangGraph, it is saved and its questions go out as it stops, before slower siblings end."""
    exc = task.error
    if task.handler is not None or not isinstance(exc, GraphInterrupt):
        return False
    found = tuple(exc.interrupts)
    persistence.put_writes(task, interrupts.asked(task, found))
    out.interrupted(task, found)
    return True


def report_failures(
    failures: Sequence[Task], out: Any, persistence: Any, interrupts: Any
) -> BaseException | None:
    """Save and report the step's tasks that raised, in the order they ended (not those
    ``asked_now`` told); returns the first error to raise, or None if none raised one."""
    error: BaseException | None = None
    for task in failures:
        exc = task.error
        assert exc is not None
        if task.handler is not None:  # the node failed, then its error handler did
            handed_over(task, out, persistence)
            task = task.handler
        if isinstance(exc, GraphDrained):  # a subgraph drained: nothing saved, as LangGraph
            error = exc if error is None else error
        elif isinstance(exc, GraphInterrupt):
            found = tuple(exc.interrupts)
            persistence.put_writes(task, interrupts.asked(task, found))
            out.interrupted(task, found)
        else:
            out.failed(task, exc)
            persistence.put_writes(task, [(ERROR, repr(exc))])
            if error is None:
                error = exc
    return error


def stopped_for_questions(
    tasks: Sequence[Task], out: Any, interrupts: Any, read: Callable[..., Any]
) -> BaseException | None:
    """The step's ``tasks`` stopped for questions (none raised an error): the run ends there,
    its state as the finished ones leave it (``read``: the loop's ``output``) reported. Returns
    an error to raise instead: those writes cannot go together (``InvalidUpdateError``), as
    LangGraph raises it once what the step streamed went out."""
    if out.values or out.track_output:
        finished = [t for t in tasks if t.error is None]  # (their writes are saved too)
        try:
            state = read(out.stream_keys, with_writes_of=finished)
        except InvalidUpdateError as exc:
            return exc
        if isinstance(state, dict):  # (no questions: a subgraph's interrupt_before)
            interrupts.output = out.interrupted_at(state, finished)
    interrupts.interrupted = True
    return None


def record_stopped(tasks: Sequence[Task], persistence: Any) -> None:
    """Queue the error write of each of ``tasks`` that was cancelled while it ran because the
    run stopped (its consumer left, or cancelled it): ``get_state`` then shows the task failed
    with ``CancelledError()``. Nothing with ``durability="exit"``: as LangGraph, such a run
    saves where it stood (``PregelLoop.end``), recording no cancellation."""
    if not persistence.active or persistence.durability == "exit":
        return
    for task in tasks:
        if isinstance(task.error, asyncio.CancelledError) and not task.saved:
            persistence.put_writes(task, [(ERROR, repr(task.error))])
            task.saved = True
