"""What a saver can tell about a ``DeltaChannel``'s past: the writes on a checkpoint's path.

``get_delta_channel_history(config=..., channels=[...])`` walks from the checkpoint ``config``
names to its parent, its parent's parent and so on (the parent chain, so on a forked thread
only the checkpoints the fork grew from count, not their other children). For each channel it
collects the writes stored against those ancestors, oldest first, and stops at the nearest
ancestor that stored a value for the channel: that value is the entry's ``seed``. The writes
stored against the target itself are pending for its next step and are left out.

Every checkpoint our engine makes stores the value of each channel that has one, so the walk
usually stops at the parent. It also stops, for a channel, at the first checkpoint that has no
version of it (nothing before it wrote the channel), so a read never walks a thread's whole
history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from typing_extensions import NotRequired

if TYPE_CHECKING:
    from langgraph_lite.checkpoint.base import CheckpointTuple, PendingWrite

__all__ = ["DeltaChannelHistory", "awalk_history", "walk_history", "writes_sort_key"]


class DeltaChannelHistory(TypedDict):
    """One channel's entry: ``writes`` on the path (oldest first) and, when an ancestor
    stored a value for the channel, that value as ``seed``."""

    writes: list[PendingWrite]
    seed: NotRequired[Any]


def writes_sort_key(task_path: str, task_id: str = "", idx: int = 0) -> tuple[str, str, int]:
    """The order a step's writes are applied in: by task path, then task id, then index."""
    return (task_path, task_id, idx)


def _channels(channels: Sequence[str]) -> list[str]:
    if isinstance(channels, (str, bytes)) or not all(isinstance(c, str) for c in channels):
        raise TypeError(
            f"get_delta_channel_history: channels must be a list of channel names, got "
            f"{channels!r}; e.g. channels=['messages']."
        )
    return list(dict.fromkeys(channels))


class _Walk:
    """The walk's state: what is collected per channel, what is still looked for."""

    def __init__(self, channels: list[str]) -> None:
        self.collected: dict[str, list[PendingWrite]] = {c: [] for c in channels}
        self.seeds: dict[str, Any] = {}
        self.remaining = set(channels)

    def visit(self, tup: CheckpointTuple) -> None:
        for write in reversed(tup.pending_writes or ()):
            if write[1] in self.remaining:
                self.collected[write[1]].append(write)
        values = tup.checkpoint["channel_values"]
        for ch in [c for c in self.remaining if c in values]:
            self.seeds[ch] = values[ch]
            self.remaining.discard(ch)
        self.stop_unversioned(tup)

    def stop_unversioned(self, tup: CheckpointTuple) -> None:
        """A channel with no version at ``tup`` was never written before it: older
        checkpoints hold neither a value nor an applied write for it."""
        versions = tup.checkpoint.get("channel_versions") or {}
        self.remaining -= {c for c in self.remaining if c not in versions}

    def result(self) -> dict[str, DeltaChannelHistory]:
        out: dict[str, DeltaChannelHistory] = {}
        for ch, writes in self.collected.items():
            entry: DeltaChannelHistory = {"writes": writes[::-1]}
            if ch in self.seeds:
                entry["seed"] = self.seeds[ch]
            out[ch] = entry
        return out


def walk_history(
    get_tuple: Callable[[Mapping[str, Any]], CheckpointTuple | None],
    config: Mapping[str, Any],
    channels: Sequence[str],
) -> dict[str, DeltaChannelHistory]:
    """The walk, reading checkpoints with ``get_tuple``."""
    names = _channels(channels)
    if not names:
        return {}
    walk = _Walk(names)
    target = get_tuple(config)
    if target is not None:
        walk.stop_unversioned(target)
    cursor = target.parent_config if target is not None else None
    while cursor is not None and walk.remaining:
        tup = get_tuple(cursor)
        if tup is None:
            break
        walk.visit(tup)
        cursor = tup.parent_config
    return walk.result()


async def awalk_history(
    aget_tuple: Callable[[Mapping[str, Any]], Awaitable[CheckpointTuple | None]],
    config: Mapping[str, Any],
    channels: Sequence[str],
) -> dict[str, DeltaChannelHistory]:
    """``walk_history`` with an async ``aget_tuple``."""
    names = _channels(channels)
    if not names:
        return {}
    walk = _Walk(names)
    target = await aget_tuple(config)
    if target is not None:
        walk.stop_unversioned(target)
    cursor = target.parent_config if target is not None else None
    while cursor is not None and walk.remaining:
        tup = await aget_tuple(cursor)
        if tup is None:
            break
        walk.visit(tup)
        cursor = tup.parent_config
    return walk.result()
