"""Between the loop and a checkpointer: what to save after a step, and how to restore.

Pure functions and two action types. The loop decides what to persist (``Put``,
``PutWrites``); a driver carries the actions out with ``save`` or ``asave``, the only two
functions here that do I/O (through the saver they are given).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, NamedTuple

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.checkpoint.base import (
    Checkpoint,
    CheckpointTuple,
    check_special_writes,
    uuid6,
)

__all__ = [
    "ERROR",
    "INTERRUPT",
    "RESUME",
    "Put",
    "PutWrites",
    "aload",
    "asave",
    "finished_before",
    "load",
    "restore_channels",
    "restore_state",
    "save",
    "saved_writes",
]

ERROR = "__error__"
INTERRUPT = "__interrupt__"
RESUME = "__resume__"


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
    Entries are never mutated once taken, so successive checkpoints may share them.
    """

    __slots__ = ("_seen", "_values")

    def __init__(self) -> None:
        self._values: dict[str, Any] | None = None
        self._seen: dict[str, dict[str, Any]] = {}

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
        if ran is None or not self._seen:
            seen = {node: dict(s) for node, s in versions_seen.items()}
        else:
            seen = dict(self._seen)
            for node in ran:
                if node in versions_seen:
                    seen[node] = dict(versions_seen[node])
        self._values, self._seen = values, seen
        return Checkpoint(
            v=4,
            id=checkpoint_id or uuid6(),
            ts=datetime.now(timezone.utc).isoformat(),
            channel_values=dict(values),
            channel_versions=dict(versions),
            versions_seen=dict(seen),
            updated_channels=sorted(updated),
        )


def saved_writes(pending_writes: Iterable[tuple[str, str, Any]]) -> dict[str, list[Any]]:
    """The writes saved for each task id (not its errors, questions or answers)."""
    out: dict[str, list[Any]] = {}
    for task_id, chan, value in pending_writes:
        if chan not in (ERROR, INTERRUPT, RESUME):
            out.setdefault(task_id, []).append((chan, value))
    return out


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


def finished_before(tasks: Iterable[Any], pending_writes: Iterable[Any]) -> list[Any]:
    """The ``tasks`` that finished in an earlier run of their step, their saved writes put back
    on them (``task.writes``); a task that wrote nothing is among them, as LangGraph's are."""
    saved = saved_writes(pending_writes)
    done = [t for t in tasks if t.id in saved]
    for task in done:
        task.writes = saved[task.id]
    return done


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
    out = {
        "thread_id": conf.get("thread_id"),
        "checkpoint_ns": conf.get("checkpoint_ns", ""),
    }
    if checkpoint_id is not None:
        out["checkpoint_id"] = checkpoint_id
    return {"configurable": out}


def load(saver: Any, effect: Any) -> CheckpointTuple | None:
    """Answer a ``Load`` effect with the saver's sync methods."""
    if effect.before is None:
        return saver.get_tuple(effect.config)
    before = {"configurable": {"checkpoint_id": effect.before}}
    return next(iter(saver.list(effect.config, before=before, limit=1)), None)


async def aload(saver: Any, effect: Any) -> CheckpointTuple | None:
    """``load`` with the saver's async methods."""
    if effect.before is None:
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


def save(saver: Any, actions: Iterable[Put | PutWrites]) -> None:
    """Carry out ``actions``, in order, with the saver's sync methods."""
    for action in actions:
        if type(action) is Put:
            saver.put(*action)
        else:
            saver.put_writes(*action)


async def asave(saver: Any, actions: Iterable[Put | PutWrites]) -> None:
    """``save`` with the saver's async methods."""
    for action in actions:
        if type(action) is Put:
            await saver.aput(*action)
        else:
            await saver.aput_writes(*action)
