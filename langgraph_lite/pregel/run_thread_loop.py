"""An async run's steps of one sync task each, run on by the run's own thread.

A chain of ``def`` nodes under ``ainvoke`` needs the event loop for none of its steps: the
run's thread (``worker_threads.RunThread``) runs a step's task, answers the loop with it and
takes the next step itself, for as long as each is again one sync task and nothing in between
wants the event loop. It hands back the first effect that does: a chunk to deliver (so a step
starts only once the consumer asked for more, as always), a load, a save (unless the saver's
async saves are its sync ones, awaited: ``checkpointing.saves_alike``, then the thread saves),
a step of several tasks, an async node, or the run's end.

Stopping: ``stop()`` (from any thread) makes the thread take no further step; ``close()`` also
closes the loop, waiting for the thread to be out of it (a bare ``Task.cancel()`` leaves it
running on).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Generator
from typing import Any

from langgraph_lite.pregel import effects as fx
from langgraph_lite.pregel.algo import Task
from langgraph_lite.pregel.attempt import attempt_is_sync, run_attempt
from langgraph_lite.pregel.checkpointing import save, saves_alike
from langgraph_lite.pregel.node import PregelNode

__all__ = ["FINISHED", "ThreadSteps", "in_run_thread"]

FINISHED = object()
"""What ``ThreadSteps`` returns when the run ended (or was stopped meanwhile)."""

_PLAIN_ARUN = PregelNode.arun


def in_run_thread(task: Task) -> bool:
    """Whether a step's one task runs whole in the run's thread (see ``attempt_is_sync``); not
    a node with a run of its own (callbacks: their async manager runs on the event loop), nor
    one with no code (the input's writers: a hop for nothing)."""
    node = task.node
    return (
        not node.is_async
        and bool(node._steps)
        and type(node).arun is _PLAIN_ARUN
        and attempt_is_sync(task)
    )


class ThreadSteps:
    """Advances one run's loop in the run's thread, step after step of one sync task."""

    __slots__ = ("_durability", "_items", "_lock", "_run", "_saver", "stopping")

    def __init__(
        self, run: Generator[Any, Any, Any], items: Any, saver: Any = None, durability: str = ""
    ) -> None:
        self._run = run
        self._items = items  # the stream queue's items: chunks to deliver
        self._lock = threading.Lock()  # held while the thread is inside the loop
        self.stopping = False
        # The saver this thread saves with itself (None: saves go to the event loop).
        self._saver = saver if saver is not None and saves_alike(saver) else None
        self._durability = durability

    def __call__(self, task: Task) -> Any:
        """In the run's thread: run ``task`` and the steps after it (see the module doc);
        return the effect that wants the event loop, or ``FINISHED``. Each node runs in its
        own copy of the caller's context, as in a step of its own."""
        run, items, lock, saver = self._run, self._items, self._lock, self._saver
        RUN, DELIVER, SAVE = fx.Run, fx.DELIVER, fx.Save
        while True:
            try:
                contextvars.copy_context().run(run_attempt, task)
            except Exception as exc:
                task.error = exc
            answer: Any = task
            while True:
                with lock:
                    if self.stopping:
                        return FINISHED
                    try:
                        effect = run.send(answer)
                        while effect is DELIVER and not items:
                            effect = run.send(None)
                    except StopIteration:
                        return FINISHED
                if saver is None or type(effect) is not SAVE:
                    break
                # (outside the lock: a stop waits for the loop, not for a commit)
                save(saver, effect.actions, self._durability)
                answer = None
            if type(effect) is not RUN or self.stopping:
                return effect
            tasks, live = effect
            if live or len(tasks) != 1 or not in_run_thread(tasks[0]):
                return effect
            task = tasks[0]

    def stop(self) -> None:
        """Take no further step (from any thread)."""
        self.stopping = True

    def close(self) -> None:
        """Stop, and close the loop once the thread is out of it."""
        self.stopping = True
        with self._lock:
            self._run.close()
