"""What a run saves, and when: checkpoints, a finished task's writes, ``durability``.

``Persistence`` never saves anything itself: it puts ``Put`` / ``PutWrites`` actions in its
outbox, and the loop hands them to a driver (a ``Save`` effect), which carries them out with
the saver's sync or async methods. ``durability="exit"`` keeps them back until the run stops.
``NullPersistence`` stands in when there is no checkpointer: same methods, nothing kept, so the
loop never asks whether there is one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from langgraph_lite._internal._constants import CONFIG_KEY_CHECKPOINTER
from langgraph_lite.checkpoint.base import uuid6
from langgraph_lite.constants import TASKS
from langgraph_lite.pregel.checkpointing import (
    NO_WRITES,
    Put,
    PutWrites,
    Snapshots,
    reads_pending,
    thread_config,
    with_checkpoint_map,
)
from langgraph_lite.pregel.leases import KEYS as LEASE_KEYS
from langgraph_lite.pregel.leases import with_token
from langgraph_lite.types import Send

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task

__all__ = ["NullPersistence", "Persistence", "Saved", "allow_types", "saver_of_run"]

LENT_SAVER = CONFIG_KEY_CHECKPOINTER  # the configurable key of a saver lent to a run


def allow_types(saver: Any, types: frozenset[type]) -> None:
    """Let ``saver``'s (or a cache's) serializer rebuild ``types``, if it keeps a list."""
    allow = getattr(getattr(saver, "serde", None), "allow", None)
    if allow is not None and types:
        allow(*types)


def saver_of_run(
    graph: Any, configurable: Mapping[str, Any], parent: Any = None, nested: bool = False
) -> Any:
    """The saver a run of ``graph`` (or a read of its state) uses, picked as LangGraph picks
    it: none with ``checkpointer=False``; else a saver lent in ``configurable``; else, inside
    a node of a persisted run (``parent``: its ``Persistence``), that run's saver, whatever
    saver of its own the graph has (a subgraph keeps its checkpoints in its parent's thread);
    else the graph's own. ``checkpointer=True`` outside any run (not ``nested``) with no saver
    lent is an error.
    """
    own, mode = graph.checkpointer, graph.subgraph_checkpointer
    if isinstance(own, bool):  # (set on the graph after it was built)
        own, mode = None, own
    if mode is False:
        return None
    lent = configurable.get(LENT_SAVER)
    if lent is not None:
        return lent
    if parent is not None and parent.active:
        return parent.saver
    if mode is True and not nested:
        raise RuntimeError(
            "checkpointer=True cannot be used for root graphs. It makes a subgraph keep its "
            "state in its parent's checkpointer; to run this graph on its own, compile it "
            "with a saver, e.g. compile(checkpointer=InMemorySaver())."
        )
    return own


class Saved(NamedTuple):
    """A checkpoint put in the outbox: what the ``checkpoints`` stream mode reports of it."""

    config: dict[str, Any]
    parent_config: dict[str, Any] | None
    metadata: dict[str, Any]


class Persistence:
    """The persistence of one run with a checkpointer."""

    active = True

    def __init__(
        self,
        saver: Any,
        config: Mapping[str, Any],
        durability: str,
        run_id: str,
        untracked: frozenset[str] = frozenset(),
    ):
        self.saver = saver
        # UntrackedValue channels: a write to one is not saved, nor its key in a Send's arg.
        self.untracked = untracked
        self.config = config
        self.durability = durability
        # Invariant: the outbox holds actions in the order they must be carried out; the loop
        # hands it over (take()) before it waits for anything.
        self.outbox: list[Put | PutWrites] = []
        # The checkpoint the run stands at: the parent of the next one saved.
        self.checkpoint_config: dict[str, Any] = thread_config(config, None)
        # Seeds task ids: the id of the checkpoint the current step started from.
        self.run_id = run_id
        self.saved: Any = None  # the CheckpointTuple the run was restored from, if any
        # (pending maps only for a saver that reads them through their methods, sync or async)
        self._snapshots = Snapshots(pending=reads_pending(saver, True))
        # durability="exit": the checkpoint the run stands at but has not saved, the last one
        # really saved, and the writes of the step since.
        self._exit_mark: tuple[str, str, int] | None = None
        self._exit_parent: dict[str, Any] = {}
        self._exit_writes: list[PutWrites] = []
        # The token of the thread's lease the run holds (pregel/leases.py): every write names
        # it. A caller's comes with the config; one the run takes is set when it is taken.
        self.lease_token: int | None = (config.get("configurable") or {}).get("lease_token")
        # What every checkpoint's metadata takes from the run's config, read once (as LangGraph
        # copies the config when a run starts): its scalar configurable values and its
        # metadata; and where the run's checkpoints are saved.
        self._fixed_metadata, self._parents = _fixed_metadata(config)
        self._thread = dict(self.checkpoint_config["configurable"])

    def restore(self, saved: Any) -> None:
        """The run continues from ``saved`` (a ``CheckpointTuple``)."""
        self.saved = saved
        checkpoint_id = saved.checkpoint["id"]
        self.checkpoint_config = thread_config(self.config, checkpoint_id)
        self.run_id = checkpoint_id

    def take(self) -> list[Put | PutWrites]:
        """The actions to carry out now, in order; the outbox (the same list) is empty after."""
        actions = self.outbox.copy()
        self.outbox.clear()
        return actions

    def next_version(self, current: Any) -> Any:
        """The version channels changed by the next step get."""
        return self.saver.get_next_version(current or None, None)

    def writes_action(self, task: Task, writes: Sequence[tuple[str, Any]]) -> PutWrites:
        """The action that saves ``task``'s writes. Reads only what a step leaves as it is, so
        the thread that ran the task may call it while the step runs."""
        config = self.checkpoint_config
        if self.lease_token is not None:
            config = with_token(config, self.lease_token)
        kept = list(writes) if not self.untracked else without_untracked(writes, self.untracked)
        return PutWrites(config, kept, task.id, _path_str(task))

    def finished_writes(self, task: Task) -> PutWrites | None:
        """The action saving the writes of ``task``, which has just finished, for the thread
        that ran it to carry out at once (the loop then leaves them: ``task.saved``); None when
        the loop must save them itself: the task failed or its error handler ran, or the run
        keeps its writes until it stops (``durability="exit"``)."""
        if task.error is not None or task.handler is not None or self.durability == "exit":
            return None
        return self.writes_action(task, _as_saved(task))

    def task_finished(self, task: Task) -> None:
        """Save the writes of ``task``, which finished without error, unless the thread that
        ran it did (``task.saved``); one that wrote nothing is saved as such."""
        if not task.saved:
            self.put_writes(task, _as_saved(task))

    def put_writes(self, task: Task, writes: Sequence[tuple[str, Any]]) -> None:
        """Save ``task``'s writes (so a resumed run does not run it again)."""
        action = self.writes_action(task, writes)
        if self.durability == "exit":
            self._exit_writes.append(action)  # saved with the checkpoint, when the run stops
        else:
            self.outbox.append(action)

    def save(
        self,
        source: str,
        step: int,
        channels: Mapping[str, Any],
        versions: Mapping[str, Any],
        versions_seen: Mapping[str, Mapping[str, Any]],
        written: Any,
        changed: set[str],
        ran: Sequence[Task] = (),
        final: bool = False,
    ) -> Saved | None:
        """Put a checkpoint of the channels as they are now in the outbox.

        ``changed``: the channels the last step changed; ``ran``: its tasks. With
        ``durability="exit"`` a step boundary only names the checkpoint it would be (its id
        seeds the next step's task ids), which is reported with no parent; the run saves the
        last one when it stops (``final``), with the writes of the step that was running, and
        returns None then unless no step boundary reported it.
        """
        reported = False  # whether the checkpoint was reported to the stream already
        if self.durability == "exit":
            if not final:
                if self._exit_mark is None:
                    self._exit_parent = self.checkpoint_config  # the last one really saved
                self._exit_mark = (uuid6(), source, step)
                self._exit_writes = []  # that step's writes are in the state now
                self.run_id = self._exit_mark[0]
                self.checkpoint_config = thread_config(self.config, self.run_id)
                # reported as LangGraph does: the checkpoint it would be, with no parent
                return Saved(self.checkpoint_config, None, self._metadata(source, step))
            checkpoint_id: str | None = None
            if self._exit_mark is None and self.saved is not None and source == "loop":
                # no step ended since the run was restored: the checkpoint it stands at is
                # saved already; only the writes of the step it stopped in are new
                self.outbox.extend(self._exit_writes)
                self._exit_writes = []
                return None
            if self._exit_mark is not None:
                checkpoint_id, source, step = self._exit_mark
                self.checkpoint_config = self._exit_parent
                reported = True
        else:
            checkpoint_id = None
        incremental = source == "loop" and not final
        checkpoint = self._snapshots.take(
            channels,
            versions,
            versions_seen,
            written,
            changed=changed if incremental else None,
            ran=[t.name for t in ran] if incremental else None,
            checkpoint_id=checkpoint_id,
        )
        if self.untracked and TASKS in checkpoint["channel_values"]:
            # the packets saved for the next step carry no untracked values either
            packets = checkpoint["channel_values"][TASKS]
            kept = without_untracked([(TASKS, p) for p in packets], self.untracked)
            checkpoint["channel_values"][TASKS] = [p for _, p in kept]
        metadata = self._metadata(source, step)
        if final or (self.saved is None and source == "input"):
            new_versions = dict(versions)
        else:
            new_versions = {k: versions[k] for k in changed if k in versions}
        parent_config = (
            self.checkpoint_config if self.saved is not None or source != "input" else None
        )
        config = self.checkpoint_config
        if self.lease_token is not None:
            config = with_token(config, self.lease_token)
        self.outbox.append(Put(config, checkpoint, metadata, new_versions))
        self.checkpoint_config = {
            "configurable": {**self._thread, "checkpoint_id": checkpoint["id"]}
        }
        self.run_id = checkpoint["id"]
        if self._exit_writes:
            self.outbox.extend(self._exit_writes)
            self._exit_writes = []
        if reported:
            return None
        if metadata["parents"]:  # a subgraph's: its configs name its parents' checkpoints too
            mapped = with_checkpoint_map(self.checkpoint_config, metadata)
            return Saved(mapped, with_checkpoint_map(parent_config, metadata), metadata)
        return Saved(self.checkpoint_config, parent_config, metadata)

    def _metadata(self, source: str, step: int) -> dict[str, Any]:
        return {
            **self._fixed_metadata,
            "source": source,
            "step": step,
            "parents": dict(self._parents),
        }


class NullPersistence:
    """Stands in for ``Persistence`` when the run has no checkpointer: nothing is kept."""

    active = False
    saver = None
    saved = None
    lease_token = None

    def __init__(self, config: Mapping[str, Any], durability: str, run_id: str):
        self.durability = durability
        self.outbox: list[Put | PutWrites] = []  # invariant: always empty
        self.checkpoint_config: dict[str, Any] = thread_config(config, None)
        self.run_id = run_id

    def restore(self, saved: Any) -> None:
        return None

    def take(self) -> list[Put | PutWrites]:
        return []

    def next_version(self, current: Any) -> Any:
        return current + 1

    def put_writes(self, task: Task, writes: Sequence[tuple[str, Any]]) -> None:
        return None

    def task_finished(self, task: Task) -> None:
        return None

    def save(self, *args: Any, **kwargs: Any) -> None:
        return None


def without_untracked(
    writes: Sequence[tuple[str, Any]], untracked: frozenset[str]
) -> list[tuple[str, Any]]:
    """``writes`` as saved: none to an ``UntrackedValue`` channel, and a ``Send`` whose arg
    is a dict of state keys loses those keys (its node still gets them in this run)."""
    kept = []
    for channel, value in writes:
        if channel in untracked:
            continue
        arg = value.arg if isinstance(value, Send) else None
        if isinstance(arg, dict) and any(k in untracked for k in arg):
            value = copy.copy(value)  # (keeps the packet's other fields)
            value.arg = {k: v for k, v in arg.items() if k not in untracked}
        kept.append((channel, value))
    return kept


_COORDINATES = frozenset(("thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map"))


def _fixed_metadata(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """What a run's checkpoints' metadata takes from its config: the part before ``source``
    and ``step``, and ``parents``."""
    configurable = config.get("configurable") or {}
    fixed = {
        # scalar configurable values (not internal ones) are kept, as LangGraph does
        **{
            k: v
            for k, v in configurable.items()
            if isinstance(v, str | int | float | bool)
            and not k.startswith("__")
            and k not in _COORDINATES
            and k not in LEASE_KEYS
        },
        # (not the langgraph_* keys a subgraph's config carries from its parent's task, nor
        # the checkpoint's own coordinates, which its config holds)
        **{
            k: v
            for k, v in (config.get("metadata") or {}).items()
            if not k.startswith("langgraph_") and k not in _COORDINATES
        },
    }
    return fixed, _parents(configurable)


def _parents(configurable: Mapping[str, Any]) -> dict[str, str]:
    """The checkpoint each enclosing graph stood at when this subgraph's was saved, by
    namespace (its own entry, there when a run replays the subgraph's checkpoint, is not
    its parent; the outermost graph has none)."""
    ns = configurable.get("checkpoint_ns") or ""
    if not ns:
        return {}
    return {k: v for k, v in (configurable.get("checkpoint_map") or {}).items() if k != ns}


def _as_saved(task: Task) -> list[tuple[str, Any]]:
    """A finished task's writes as saved: ``NO_WRITES`` for none, so a resumed run does not
    run it again."""
    return task.writes or [(NO_WRITES, None)]


def _path_str(task: Task) -> str:
    return path_text(task.shown_path) if task.path else ""  # the input's writes: no task


def path_text(path: tuple[Any, ...]) -> str:
    """A task path as savers store it (``task_path``), in LangGraph's form: ``~`` and its
    parts joined by ``, ``, numbers (and bools) in ten digits, so that the texts sort as the
    paths do (a step's writes are replayed in that order)."""
    if len(path) == 2 and type(path[0]) is str and type(path[1]) is str:
        return f"~{path[0]}, {path[1]}"  # (a node's task: every step of a run saves one)
    return "~" + ", ".join(
        path_text(part)
        if isinstance(part, tuple)
        else f"{part:010d}"
        if isinstance(part, int)
        else str(part)
        for part in path
    )
