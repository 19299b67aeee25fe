"""The effects ``PregelLoop.run`` yields: what a run needs of the outside world.

A driver answers each by ``send()``-ing the loop the answer named below. Effects are small
immutable requests; the singletons (``NEED_RESULT``, ``DELIVER``) carry nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from langgraph_lite.errors import InternalError

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task
    from langgraph_lite.pregel.checkpointing import Put, PutWrites

__all__ = [
    "CALL_FINISHED",
    "DELIVER",
    "NEED_RESULT",
    "Deliver",
    "Effect",
    "Load",
    "NeedResult",
    "Run",
    "Save",
    "Writes",
    "bad_answer",
]


class Load:
    """Read the checkpoint ``config`` names; answer with the ``CheckpointTuple`` or None.

    ``before``: a checkpoint id; then the latest checkpoint of ``config``'s namespace saved
    before that one is read instead (a subgraph finding where it stood when its parent's
    replayed checkpoint was taken). ``checkpointing.load`` answers both kinds."""

    __slots__ = ("before", "config")
    __match_args__ = ("config",)

    def __init__(self, config: Mapping[str, Any], before: str | None = None) -> None:
        self.config = config
        self.before = before

    def __repr__(self) -> str:
        return f"Load({self.config!r}" + (f", before={self.before!r})" if self.before else ")")


class Save:
    """Carry out these ``Put`` / ``PutWrites`` actions, in order; answer None."""

    __slots__ = ("actions",)
    __match_args__ = ("actions",)

    def __init__(self, actions: list[Put | PutWrites]) -> None:
        self.actions = actions

    def __repr__(self) -> str:
        return f"Save({self.actions!r})"


class Writes:
    """Work out what each of ``tasks`` writes for its input (``node.writes_for``, awaited by an
    async driver, whose conditional edges may be async functions); answer None.

    Asked by ``update_state``, which runs no node but must route as the node would."""

    __slots__ = ("tasks",)
    __match_args__ = ("tasks",)

    def __init__(self, tasks: list[Task]) -> None:
        self.tasks = tasks

    def __repr__(self) -> str:
        return f"Writes({self.tasks!r})"


class Run(tuple):  # a tuple: made in C, as it is once per step on the hot path
    """Start a step's tasks. ``live``: node code streams, so the consumer must be able to read
    while they run. Answer with a finished task if one was run right away, else None.

    Made as ``Run((tasks, live))``."""

    __slots__ = ()
    __match_args__ = ("tasks", "live")

    tasks: list[Task] = property(itemgetter(0))  # type: ignore[assignment]
    live: bool = property(itemgetter(1))  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Run({self.tasks!r}, live={self.live})"


class NeedResult:
    """Wait for the next task of the step to end; answer with it, or None if the rest were
    cancelled — or with ``CALL_FINISHED`` when a call a task made has ended meanwhile (the
    queue says so), so that its result is saved at once."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NEED_RESULT"


class Deliver:
    """Hand every chunk in the run's queue to the consumer; answer None once it took them."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DELIVER"


class _CallFinished:
    __slots__ = ()

    def __repr__(self) -> str:
        return "CALL_FINISHED"


CALL_FINISHED: Any = _CallFinished()
"""Put in the queue when a task's call has ended (see ``pregel/calls.py``); a driver waiting
for a result answers NEED_RESULT with it instead of handing it to the consumer."""

NEED_RESULT = NeedResult()
DELIVER = Deliver()
Effect = Load | Save | Writes | Run | NeedResult | Deliver


def bad_answer(answer: Any) -> InternalError:
    """The error for a driver that answered the loop with something it never asks for."""
    return InternalError(
        f"PregelLoop asked for a task's result and got {answer!r} "
        f"({type(answer).__name__}); a driver answers Run and NEED_RESULT with a Task of "
        "the step (or None). This is a bug in a driver: please report it."
    )
