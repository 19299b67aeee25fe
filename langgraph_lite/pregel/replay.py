"""Time travel: running a thread again from one of its checkpoints, subgraphs included.

A run is *addressed* when it names the checkpoint it starts from: a ``checkpoint_id`` in its
config, its namespace's entry in the config's ``checkpoint_map`` (a subgraph's snapshot config,
from ``get_state(subgraphs=True)``, names the parent's checkpoint and its own), or, for a
subgraph, a replaying parent run. An addressed run *time travels* unless it answers interrupts
(``Command(resume=...)``): then the tasks of that checkpoint run again, their saved answers
are forgotten (so ``interrupt()`` asks again), and a run that continues from there first saves
a ``"fork"`` checkpoint, the start of a new branch. The thread's other checkpoints stay.

A subgraph keeps its own checkpoints, under its namespace in the parent's thread. When the
parent time travels, a subgraph must start from where it stood when the parent's checkpoint
was taken, not from its latest checkpoint: the parent hands its subgraphs a ``ReplayState``
naming that checkpoint, and each subgraph's first run in the replay loads the last checkpoint
of its namespace saved before it (checkpoint ids are ordered by time), then takes its input
afresh. This module holds those rules; the loop asks them.

A subgraph run whose namespace names its parent's task reads nothing when nothing can be saved
there yet (``unsaved``): the task was planned from a checkpoint its run made (a task id is
derived from the checkpoint its step started from, and uuid6 ids are new), not one it resumed,
and no graph ran under that namespace before in the run (a second call, a retry). A resumed
step's tasks, a replay's, and an addressed run load as always.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, NamedTuple

from langgraph_lite.errors import EmptyInputError
from langgraph_lite.pregel.checkpointing import (
    ERROR,
    INTERRUPT,
    RESUME,
    thread_config,
    with_checkpoint_map,
)
from langgraph_lite.pregel.effects import Load
from langgraph_lite.types import Command

__all__ = [
    "Loaded",
    "ReplayState",
    "TimeTravel",
    "load",
    "nothing_to_resume",
    "root_config",
    "with_checkpoint_map",
]


class Loaded(NamedTuple):
    """The checkpoint a run starts from, and how it was found."""

    saved: Any  # a CheckpointTuple, or None
    addressed: bool  # the run named it (see the module docstring)
    by_map: bool  # a subgraph named by its entry in the config's checkpoint_map
    fresh: bool  # a subgraph inside a replay: it takes its input again, resuming nothing
    superseded: bool  # the thread has a later checkpoint than the one named


class TimeTravel:
    """One run's relation to the checkpoint it starts from: whether it replays it, what of
    the saved writes it keeps, and the ``ReplayState`` its subgraphs share (a collaborator
    of the loop, like ``Persistence``: the loop asks, this answers, nothing is saved here)."""

    def __init__(self, shared: ReplayState | None) -> None:
        # The replay this run is part of: its parent's (a subgraph's), or its own once it
        # starts (the outermost run's, when it time travels). Subgraphs started by its tasks
        # read it when they load.
        self.shared = shared
        self.loaded = Loaded(None, False, False, False, False)  # load() tells
        self.travels = False  # the run replays its checkpoint (decided by begin)
        self.started: set[str] = set()  # namespaces of graphs its tasks ran (see unsaved)

    @classmethod
    def within(cls, parent_task: Any) -> TimeTravel:
        """The ``TimeTravel`` of a run started by ``parent_task`` (None: the outermost run):
        a subgraph's run is part of its parent's replay, if there is one."""
        outer = getattr(parent_task.run, "time_travel", None) if parent_task is not None else None
        return cls(outer.shared if isinstance(outer, TimeTravel) else None)

    def load(self, config: Mapping[str, Any], parent_task: Any) -> Generator[Load, Any, Any]:
        """Find the checkpoint the run starts from (a ``CheckpointTuple`` or None);
        ``parent_task``: the task it runs in, for a subgraph's run (else None)."""
        self.loaded = yield from load(config, parent_task, self.shared)
        return self.loaded.saved

    @property
    def takes_input_again(self) -> bool:
        """A subgraph run in a replay: it applies its input, resuming nothing saved."""
        return self.loaded.fresh

    def begin(self, input: Any, pending_writes: list[Any], root: bool, saved: Any) -> list[Any]:
        """The run starts with ``input``: decide whether it time travels; the saved writes it
        keeps (a replay forgets the answers, so its interrupts ask again)."""
        self.travels = time_travels(self.loaded, input)
        if not self.travels:
            return pending_writes
        if root and saved is not None:
            self.shared = replay_from(saved)
        return [w for w in pending_writes if w[1] != RESUME]

    def resume(self, saved: Any, pending_writes: list[Any]) -> tuple[list[Any], bool]:
        """The run continues ``saved``: the saved writes it keeps, and whether it starts a
        new branch with a ``"fork"`` copy of the checkpoint first."""
        superseded = self.loaded.superseded
        if not (self.travels or superseded):
            return pending_writes, False
        # finished tasks run again rather than hand back their saved writes
        kept = [w for w in pending_writes if w[1] in (ERROR, INTERRUPT, RESUME)]
        source = saved.metadata.get("source")
        fork = self.travels and (source not in ("update", "fork") or superseded)
        if fork:  # the old questions were asked under task ids the copy does not have
            kept = [w for w in kept if w[1] != INTERRUPT]
        return kept, fork


class ReplayState:
    """Shared by a time-travelling run and every subgraph run inside it: the checkpoint the
    replay starts from, and the subgraphs that already loaded their state from before it."""

    __slots__ = ("_visited", "checkpoint_id")

    def __init__(self, checkpoint_id: str) -> None:
        self.checkpoint_id = checkpoint_id
        self._visited: set[str] = set()

    def first_visit(self, checkpoint_ns: str) -> bool:
        """Whether the subgraph at ``checkpoint_ns`` runs for the first time in this replay.

        Its last task id is left out (``"sub:<task id>"`` -> ``"sub"``), so the same subgraph
        run again by a later step (a loop) is recognised: that run continues from what the
        first one saved, not from before the replay."""
        stable = checkpoint_ns.rsplit(":", 1)[0]
        if stable in self._visited:
            return False
        self._visited.add(stable)
        return True


def root_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The config of a run of the outermost graph: its own namespace, always.

    A subgraph's snapshot config passed to the outer graph names the subgraph's namespace;
    the run starts from the parent checkpoint its ``checkpoint_map`` names ("" entry), or
    from the latest one when it has none."""
    conf = config.get("configurable") or {}
    if not conf.get("checkpoint_ns"):
        return config
    checkpoint_id = (conf.get("checkpoint_map") or {}).get("")
    return {**config, "configurable": {**conf, "checkpoint_ns": "", "checkpoint_id": checkpoint_id}}


def load(
    config: Mapping[str, Any], parent_task: Any, replay: ReplayState | None
) -> Generator[Load, Any, Loaded]:
    """Find the checkpoint a run with ``config`` starts from (``parent_task``: the task a
    subgraph's run runs in, else None; ``replay``: the replay it runs in, if any)."""
    nested = parent_task is not None
    conf = config.get("configurable") or {}
    ns = conf.get("checkpoint_ns") or ""
    checkpoint_map = conf.get("checkpoint_map") or {}
    by_map = nested and ns in checkpoint_map
    checkpoint_id = checkpoint_map[ns] if ns in checkpoint_map else conf.get("checkpoint_id")
    if checkpoint_id:
        target = thread_config(config, checkpoint_id)
        saved = yield Load(target)
        superseded = False
        if saved is not None:
            latest = yield Load(thread_config(config, None))
            superseded = latest is not None and latest.checkpoint["id"] != saved.checkpoint["id"]
        return Loaded(saved, True, by_map, False, superseded)
    if nested and replay is not None:
        before = replay.checkpoint_id if replay.first_visit(ns) else None
        saved = yield Load(thread_config(config, None), before)
        return Loaded(saved, True, False, True, False)
    if nested and unsaved(ns, parent_task):
        return Loaded(None, False, False, False, False)
    return Loaded((yield Load(config)), False, False, False, False)


def unsaved(ns: str, parent_task: Any) -> bool:
    """Whether nothing can be saved under ``ns``, the namespace of a graph about to run in
    ``parent_task`` (see the module docstring); the namespace then counts as run."""
    run = parent_task.run
    travel = getattr(run, "time_travel", None)
    if not isinstance(travel, TimeTravel) or getattr(run, "resuming", True):
        return False
    # (the task's first graph: a later one's namespace ends "|<n>", and is loaded)
    if ns.rsplit("|", 1)[-1] != f"{parent_task.name}:{parent_task.id}" or ns in travel.started:
        return False
    travel.started.add(ns)
    return True


def time_travels(loaded: Loaded, input: Any) -> bool:
    """Whether the run replays its checkpoint: addressed, and not answering its interrupts
    (a subgraph named by the checkpoint map replays even then: it is where the answer goes
    only after its named state is run again)."""
    if not loaded.addressed:
        return False
    if loaded.by_map or loaded.fresh:
        return True
    return not (isinstance(input, Command) and input.resume is not None)


def replay_from(saved: Any) -> ReplayState:
    """The ``ReplayState`` a time-travelling run gives its subgraphs. A fork made by
    ``update_state`` was saved after the subgraphs' checkpoints of the run it copies, so
    they start from before its parent instead."""
    checkpoint_id = saved.checkpoint["id"]
    if saved.metadata.get("source") in ("update", "fork") and saved.parent_config:
        checkpoint_id = saved.parent_config["configurable"].get("checkpoint_id", checkpoint_id)
    return ReplayState(checkpoint_id)


def nothing_to_resume(config: Mapping[str, Any]) -> EmptyInputError:
    """The error for a run with no input on a thread (or checkpoint) that has nothing saved."""
    conf = config.get("configurable") or {}
    return EmptyInputError(
        f"thread {conf.get('thread_id')!r} has nothing to resume: no checkpoint is saved for it"
        + (" with that checkpoint_id" if conf.get("checkpoint_id") else "")
        + ". Start it with an input, e.g. graph.invoke({...}, config)."
    )
