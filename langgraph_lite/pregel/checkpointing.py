"""Between the loop and a checkpointer: what to save after a step, and how to restore.

Pure functions and two action types. The loop decides what to persist (``Put``,
``PutWrites``); a driver carries the actions out with ``save`` or ``asave``, the only two
functions here that do I/O (through the saver they are given).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.checkpoint.base import (
    Checkpoint,
    CheckpointTuple,
    thread_of,
    uuid6,
)
from langgraph_lite.checkpoint.checks import check_special_writes
from langgraph_lite.checkpoint.frozen import FrozenSeen, FrozenVersions, fill_checkpoint, flat

__all__ = [
    "ERROR",
    "ERROR_SOURCE",
    "INTERRUPT",
    "NO_WRITES",
    "NULL_TASK_ID",
    "RESUME",
    "Put",
    "PutWrites",
    "TaskStatus",
    "aflush",
    "aload",
    "asave",
    "flush",
    "load",
    "read_task_statuses",
    "reads_pending",
    "restore_channels",
    "restore_state",
    "save",
    "saved_writes",
    "thread_config",
    "with_checkpoint_map",
]

ERROR = "__error__"
ERROR_SOURCE = "__error_source_node__"
"""Saved next to a task's error when its node's error handler took the failure over (its value:
the node's name); a resumed run then runs the handler, not the node again."""
INTERRUPT = "__interrupt__"
RESUME = "__resume__"
# Saved for a task that finished without writing anything, so that a resumed run knows it
# finished and does not run it again (its name is LangGraph's, so saved threads interoperate).
NO_WRITES = "__no_writes__"
# The task id of writes that belong to no task: a Command given as a run's input.
NULL_TASK_ID = "00000000-0000-0000-0000-000000000000"


class Put(NamedTuple):
    """Save ``checkpoint`` as the child of the checkpoint ``config`` names."""

    config: dict[str, Any]
    checkpoint: Checkpoint
    metadata: dict[str, Any]
    new_versions: dict[str, Any]


class PutWrites(NamedTuple):
    """Save the writes of a task that finished, against the checkpoint ``config`` names."""

    config: dict[str, Any]
    writes: list[tuple[str, Any]]
    task_id: str
    task_path: str


class Snapshots:
    """Builds a run's successive checkpoints, re-reading only what changed since the last one.

    A checkpoint holds every channel's value and what every node has seen; re-reading all of
    them at each step would cost O(channels + nodes) method calls. The dicts of the previous
    checkpoint are copied (a C-level copy) and only the changed entries are read again.
    ``channel_versions`` and ``versions_seen`` are handed out read-only (``checkpoint.frozen``),
    saying what changed since the previous checkpoint, so that a saver keeps them as they are
    and stores what a step changed; successive checkpoints share the entries that did not.
    """

    __slots__ = ("_pending", "_seen", "_values", "_versions")

    def __init__(self, pending: bool = True) -> None:
        # whether the maps may be pending (``checkpoint.frozen``): for a saver that reads them
        # through their methods (``reads_pending``); others get whole ones, as the saver would
        # have them filled anyway
        self._pending = pending
        self._values: dict[str, Any] | None = None
        self._seen: FrozenSeen | None = None
        self._versions: FrozenVersions | None = None

    def take(
        self,
        channels: Mapping[str, BaseChannel],
        versions: Mapping[str, Any],
        versions_seen: Mapping[str, Mapping[str, Any]],
        updated: Iterable[str],
        *,
        changed: Iterable[str] | None,
        ran: Iterable[str] | None,
        checkpoint_id: str | None = None,
    ) -> Checkpoint:
        """``changed``/``ran``: channels and nodes touched since the last call (None: all)."""
        if self._values is None or changed is None:
            values: dict[str, Any] = {}
            for key, ch in channels.items():
                value = ch.checkpoint()
                if value is not MISSING:
                    values[key] = value
        else:
            values = dict(self._values)
            for key in changed:
                value = channels[key].checkpoint()
                if value is MISSING:
                    values.pop(key, None)
                else:
                    values[key] = value
        if ran is None or self._seen is None:
            seen = FrozenSeen.of(versions_seen)
        else:
            seen = self._seen.with_entries(versions_seen, ran, self._pending)
        if changed is None or self._versions is None:
            frozen_versions = FrozenVersions.of(versions)
        else:
            frozen_versions = FrozenVersions.of(versions, self._versions, changed, self._pending)
        if VERIFY:
            _verify(self, channels, frozen_versions, seen, values, versions, versions_seen)
        self._values, self._seen, self._versions = values, seen, frozen_versions
        checkpoint: Checkpoint = {  # (a literal: a TypedDict's call builds its kwargs first)
            "v": 4,
            "id": checkpoint_id or uuid6(),
            "ts": datetime.now(timezone.utc).isoformat(),
            "channel_values": dict(values),
            "channel_versions": frozen_versions,
            "versions_seen": seen,
            "updated_channels": sorted(updated),
        }
        return checkpoint


VERIFY = False
"""Tests set this: every incremental ``take`` is checked against a checkpoint taken whole."""


def _verify(
    snapshots: Snapshots,
    channels: Mapping[str, BaseChannel],
    frozen_versions: FrozenVersions,
    seen: FrozenSeen,
    values: Mapping[str, Any],
    versions: Mapping[str, Any],
    versions_seen: Mapping[str, Mapping[str, Any]],
) -> None:
    taken = (frozen_versions, seen)
    # (read with ``flat``: a pending map is left pending, as a saver gets it)
    frozen_versions, seen = flat(frozen_versions), flat(seen)  # type: ignore[assignment]
    whole = {k: v for k, ch in channels.items() if (v := ch.checkpoint()) is not MISSING}
    if whole.keys() != values.keys() or any(
        whole[k] is not values[k] and whole[k] != values[k] for k in whole
    ):
        raise AssertionError(f"incremental channel_values {values!r} != {whole!r}")
    if frozen_versions != versions or list(frozen_versions) != list(versions):
        raise AssertionError(f"channel_versions {frozen_versions!r} != {versions!r}")
    if seen != versions_seen:
        raise AssertionError(f"versions_seen {seen!r} != {versions_seen!r}")
    for given, was in ((taken[0], snapshots._versions), (taken[1], snapshots._seen)):
        if given.changed is not None and was is not None:
            assert given.base == was.serial and given.delta is not None
            mine, before = flat(given), flat(was)
            moved = {k for k in mine if k not in before or before[k] != mine[k]}
            if not moved <= set(given.changed) or before.keys() - mine.keys():
                raise AssertionError(f"{moved} changed, not only {given.changed}")
            rebuilt = {**before, **given.delta}
            if list(rebuilt) != list(mine) or rebuilt != mine:  # what a saver reads back
                raise AssertionError(f"{given.changed} does not rebuild {list(mine)}")


_CONTROL = frozenset((ERROR, ERROR_SOURCE, INTERRUPT, RESUME))


def handled_failures(pending_writes: Sequence[tuple[str, str, Any]]) -> dict[str, Exception]:
    """The tasks whose failure an error handler took over, with their errors (rebuilt, as
    ``Exception``s holding the saved text)."""
    marked = {task_id for task_id, chan, _ in pending_writes if chan == ERROR_SOURCE}
    if not marked:
        return {}
    return {
        task_id: value if isinstance(value, Exception) else Exception(str(value))
        for task_id, chan, value in pending_writes
        if chan == ERROR and task_id in marked
    }


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """What the writes saved for a step say of one of its tasks: a task finished iff it saved
    an output write (``NO_WRITES`` when it wrote nothing); a task that stopped at an
    interrupt saved only its question (and the answers it had)."""

    output: tuple[tuple[str, Any], ...] = ()
    """Its output writes, in the order saved (``NO_WRITES`` included); empty: not finished."""
    interrupts: tuple[Any, ...] = ()
    """The interrupts it raised last, answered or not."""
    error: Any = None
    """Its saved error, if it failed."""

    @property
    def finished(self) -> bool:
        return bool(self.output)

    @property
    def pending_interrupts(self) -> tuple[Any, ...]:
        """Its questions still waiting for an answer (none once it finished)."""
        return () if self.output else self.interrupts


def read_task_statuses(pending_writes: Iterable[tuple[str, str, Any]]) -> dict[str, TaskStatus]:
    """The status of each task with saved writes, by task id (not the input's writes)."""
    output: dict[str, list[tuple[str, Any]]] = {}
    asked: dict[str, list[Any]] = {}
    errors: dict[str, Any] = {}
    for task_id, chan, value in pending_writes:
        if task_id == NULL_TASK_ID:
            continue
        output.setdefault(task_id, [])
        if chan == INTERRUPT:
            asked.setdefault(task_id, []).extend(
                value if isinstance(value, (list, tuple)) else [value]
            )
        elif chan == ERROR:
            errors.setdefault(task_id, value)
        elif chan not in _CONTROL:
            output[task_id].append((chan, value))
    return {
        task_id: TaskStatus(tuple(writes), tuple(asked.get(task_id, ())), errors.get(task_id))
        for task_id, writes in output.items()
    }


def saved_writes(pending_writes: Iterable[tuple[str, str, Any]]) -> dict[str, list[Any]]:
    """The writes saved for each task that finished, by task id (not errors, questions or
    answers; a task that finished writing nothing has an empty list). Not the input's."""
    return {
        task_id: [w for w in status.output if w[0] != NO_WRITES]
        for task_id, status in read_task_statuses(pending_writes).items()
        if status.finished
    }


def restore_state(specs: Mapping[str, BaseChannel], saved: CheckpointTuple) -> tuple[Any, ...]:
    """A run's state as ``saved`` holds it: its channels, their versions, what each node has
    seen, and the channels its last step changed (its special writes are checked first)."""
    check_special_writes(saved)
    checkpoint = saved.checkpoint
    return (
        restore_channels(specs, saved),
        dict(checkpoint["channel_versions"]),
        {k: dict(v) for k, v in checkpoint["versions_seen"].items()},
        set(checkpoint.get("updated_channels") or ()),
    )


def restore_channels(
    specs: Mapping[str, BaseChannel], saved: CheckpointTuple | None
) -> dict[str, BaseChannel]:
    """The run's channels, from the graph's specs and a saved checkpoint (or empty)."""
    values = saved.checkpoint["channel_values"] if saved else {}
    channels = {}
    for key, spec in specs.items():
        ch = spec.from_checkpoint(values.get(key, MISSING))
        ch.key = key
        channels[key] = ch
    return channels


def thread_config(config: Mapping[str, Any], checkpoint_id: str | None) -> dict[str, Any]:
    """The config naming one checkpoint of the thread ``config`` is about."""
    conf = config.get("configurable") or {}
    thread_id = conf.get("thread_id")
    if thread_id is not None and type(thread_id) is not str:
        thread_id = str(thread_id)  # (a UUID given as the thread: its configs name it as text)
    out = {
        "thread_id": thread_id,
        "checkpoint_ns": conf.get("checkpoint_ns", ""),
    }
    if checkpoint_id is not None:
        out["checkpoint_id"] = checkpoint_id
    return {"configurable": out}


def with_checkpoint_map(config: Any, metadata: Mapping[str, Any] | None) -> Any:
    """``config`` (of a subgraph's checkpoint) with the ``checkpoint_map`` that names it and
    its parents' checkpoints, so running the outer graph with it replays from there."""
    parents = (metadata or {}).get("parents") if config is not None else None
    if not parents:
        return config
    conf = config["configurable"]
    checkpoint_map = {**parents, conf["checkpoint_ns"]: conf["checkpoint_id"]}
    return {**config, "configurable": {**conf, "checkpoint_map": checkpoint_map}}


def load(saver: Any, effect: Any, run: bool = False) -> CheckpointTuple | None:
    """Answer a ``Load`` effect with the saver's sync methods (``run``: for a run, which may
    share the objects the saver holds: ``get_tuple_for_run``)."""
    if effect.before is None:
        if run and hasattr(saver, "get_tuple_for_run"):
            return saver.get_tuple_for_run(effect.config)
        return saver.get_tuple(effect.config)
    before = {"configurable": {"checkpoint_id": effect.before}}
    return next(iter(saver.list(effect.config, before=before, limit=1)), None)


async def aload(saver: Any, effect: Any, run: bool = False) -> CheckpointTuple | None:
    """``load`` with the saver's async methods."""
    if effect.before is None:
        if run and hasattr(saver, "aget_tuple_for_run"):
            return await saver.aget_tuple_for_run(effect.config)
        return await saver.aget_tuple(effect.config)
    before = {"configurable": {"checkpoint_id": effect.before}}
    found = saver.alist(effect.config, before=before, limit=1)
    try:
        async for saved in found:
            return saved
        return None
    finally:  # an async generator left unfinished is closed here, not by the GC (trio warns)
        aclose = getattr(found, "aclose", None)
        if aclose is not None:
            await aclose()


def save(saver: Any, actions: Sequence[Put | PutWrites], durability: str = "sync") -> None:
    """Carry out ``actions``, in order, with the saver's sync methods. A saver with
    ``put_batch`` (SQLite) may commit them with others, in one transaction, later: under
    ``durability="async"`` nothing is waited for (``flush`` at the end of the run waits for
    it all), else each call returns once its actions are committed."""
    if not reads_pending(saver, False):
        _fill(actions)
    batch = getattr(saver, "put_batch", None)
    if batch is None:
        for action in actions:
            if type(action) is Put:
                saver.put(*action)
            elif _takes_task_path(saver, "put_writes"):
                saver.put_writes(*action)
            else:
                saver.put_writes(*action[:3])
        return
    tagged = [(type(action) is Put, action) for action in actions]
    batch(tagged, wait=_waits(durability, tagged))


async def asave(saver: Any, actions: Sequence[Put | PutWrites], durability: str = "sync") -> None:
    """``save`` with the saver's async methods."""
    if not reads_pending(saver, True):
        _fill(actions)
    batch = getattr(saver, "aput_batch", None)
    if batch is None:
        for action in actions:
            if type(action) is Put:
                await saver.aput(*action)
            elif _takes_task_path(saver, "aput_writes"):
                await saver.aput_writes(*action)
            else:
                await saver.aput_writes(*action[:3])
        return
    tagged = [(type(action) is Put, action) for action in actions]
    await batch(tagged, wait=_waits(durability, tagged))


_SAVES: tuple[str, ...] = ("aput", "aput_writes", "aput_batch")
_PUTS = ("put", "put_batch")
_APUTS = (*_PUTS, "aput", "aput_batch")
# flag and methods -> saver class -> whether the class's flag holds (see _says)
_SAID: dict[tuple[str, tuple[str, ...]], dict[type, bool]] = {
    ("saves_alike", _SAVES): {},
    ("reads_pending", _PUTS): {},
    ("reads_pending", _APUTS): {},
}


def _says(saver: Any, flag: str, methods: tuple[str, ...]) -> bool:
    """Whether the class of ``saver`` says ``flag`` (a class attribute of
    ``BaseCheckpointSaver``) and overrides none of ``methods`` of the class that said so: a
    subclass that does is not taken at its word."""
    cls = type(saver)
    said = _SAID[flag, methods]
    known = said.get(cls)
    if known is None:
        owner = next((k for k in cls.__mro__ if flag in vars(k)), None)
        known = said[cls] = (
            owner is not None
            and bool(vars(owner)[flag])
            and all(getattr(cls, m, None) is getattr(owner, m, None) for m in methods)
        )
    return known


def saves_alike(saver: Any) -> bool:
    """Whether ``save`` (sync, from a worker thread) may stand in for ``asave`` with ``saver``
    (see ``BaseCheckpointSaver.saves_alike``)."""
    return _says(saver, "saves_alike", _SAVES)


def reads_pending(saver: Any, is_async: bool) -> bool:
    """Whether ``saver`` may be handed pending maps (``checkpoint.frozen``; see
    ``BaseCheckpointSaver.reads_pending``: the memory and SQLite savers); any other saver
    gets them filled, as dicts down to their storage."""
    return _says(saver, "reads_pending", _APUTS if is_async else _PUTS)


def _fill(actions: Sequence[Put | PutWrites]) -> None:
    for action in actions:
        if type(action) is Put:
            fill_checkpoint(action.checkpoint)


def _waits(durability: str, tagged: list[tuple[bool, Any]]) -> bool:
    # "sync": every save is committed before the run goes on, a task's writes too (its caller
    # may get its result next: docs/differences.md); "exit": the run is ending
    return durability != "async"


def flush(saver: Any, config: Mapping[str, Any]) -> None:
    """At the end of a run: wait until what it saved with ``put_batch`` is committed, and
    raise a failure of one of those saves."""
    if getattr(saver, "put_batch", None) is not None and hasattr(saver, "flush"):
        saver.flush(thread_of(config)[0])


async def aflush(saver: Any, config: Mapping[str, Any]) -> None:
    """``flush`` for async runs."""
    if getattr(saver, "aput_batch", None) is not None and hasattr(saver, "aflush"):
        await saver.aflush(thread_of(config)[0])


# (saver class, method name) -> whether the method takes task_path (checked once per class)
_TASK_PATH: dict[tuple[type, str], bool] = {}


def _takes_task_path(saver: Any, name: str) -> bool:
    """Whether ``saver``'s ``put_writes`` / ``aput_writes`` takes ``task_path``: a saver
    written for LangGraph may override it as ``put_writes(config, writes, task_id)``, which
    LangGraph calls with those three only."""
    key = (type(saver), name)
    known = _TASK_PATH.get(key)
    if known is None:
        try:
            params = inspect.signature(getattr(saver, name)).parameters.values()
        except (TypeError, ValueError):
            known = True
        else:
            kinds = [p.kind for p in params]
            positional = (
                inspect.Parameter.POSITIONAL_ONLY,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
            )
            known = inspect.Parameter.VAR_POSITIONAL in kinds or (
                sum(k in positional for k in kinds) >= 4
            )
        _TASK_PATH[key] = known
    return known
