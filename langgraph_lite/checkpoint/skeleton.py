"""A checkpoint without its values (its "skeleton"), kept as Python objects by a saver.

A skeleton holds the version of every channel and what every node has seen: on a graph of
1,000 nodes it is 75 KiB of msgpack, re-encoded at every step when it is stored as bytes. An
in-memory saver keeps it as dicts instead, and must still isolate what it stored from later
mutation by the caller. Copying every node's ``versions_seen`` entry at each step costs as much
as encoding it, so ``SkeletonKeeper`` copies only the entries that are new objects since the
previous ``put`` of the same thread: the engine builds each checkpoint from the previous one and
replaces (never mutates) the entries of the nodes that ran. An entry the caller mutated in place
is caught by one comparison (done in C) of the stored copy with the caller's dicts, which then
falls back to a full copy. Readers get copies (``copy_out``).

The engine's own checkpoints need none of that: their ``channel_versions`` and ``versions_seen``
are read-only maps (``checkpoint.frozen``) that nothing can change in place, kept as they are,
and they say what changed since the map they were built from, so a ``put`` costs what the step
changed, not the graph's width. The comparison above is for other callers' plain dicts.
"""

from __future__ import annotations

import copy
import operator
from collections import OrderedDict
from collections.abc import Mapping
from itertools import compress
from typing import Any

from langgraph_lite.checkpoint.frozen import FrozenSeen, FrozenVersions

__all__ = ["SkeletonKeeper", "copy_out"]

_Seen = dict[str, dict[str, Any]]
# copied by the code below, or immutable; any other key is deep-copied
_IMMUTABLE = frozenset({"v", "id", "ts", "channel_versions", "versions_seen", "updated_channels"})


class SkeletonKeeper:
    """Copies of checkpoint skeletons that share unchanged entries with the previous one."""

    __slots__ = ("_last", "_limit")

    def __init__(self, limit: int | None = None) -> None:
        # (thread, ns) -> (the caller's versions_seen, shallowly copied; our copy of it): the
        # threads put last, at most ``limit`` (None: every thread)
        self._last: OrderedDict[tuple[str, str], tuple[_Seen, _Seen]] = OrderedDict()
        self._limit = limit

    def keep(self, key: tuple[str, str], checkpoint: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``checkpoint`` without ``channel_values``, safe from the caller's changes."""
        return self.keep_changes(key, checkpoint)[0]

    def keep_changes(
        self, key: tuple[str, str], checkpoint: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[str] | None]:
        """``keep``, and the nodes whose ``versions_seen`` entry may differ from the previous
        put's (None: any may; it was copied whole)."""
        stored = {
            k: v if k in _IMMUTABLE else copy.deepcopy(v)
            for k, v in checkpoint.items()
            if k != "channel_values"
        }
        versions = checkpoint.get("channel_versions")
        if type(versions) is FrozenVersions:  # read-only: kept as it is
            stored["channel_versions"] = versions
        elif isinstance(versions, dict):  # versions are str/int/float: a shallow copy isolates
            stored["channel_versions"] = dict(versions)
        updated = checkpoint.get("updated_channels")
        if isinstance(updated, list):
            stored["updated_channels"] = list(updated)
        seen = checkpoint.get("versions_seen")
        fresh = None
        if type(seen) is FrozenSeen:
            stored["versions_seen"], fresh = self._frozen_seen(key, seen)
        elif isinstance(seen, dict):
            stored["versions_seen"], fresh = self._seen(key, seen)
        return stored, fresh

    def _frozen_seen(
        self, key: tuple[str, str], seen: FrozenSeen
    ) -> tuple[_Seen, list[str] | None]:
        """A read-only ``versions_seen`` (entries too) is kept as it is, in O(what changed):
        what differs from the previous put's is what it says it changed since it, if it was
        built from that one."""
        last = self._last.get(key)
        fresh = None
        if last is not None:
            before = last[1]
            if before is seen:
                fresh = []
            elif type(before) is FrozenSeen and seen.base == before.serial:
                fresh = list(seen.changed or ())
        self._remember(key, (seen, seen))
        return seen, fresh

    def _seen(self, key: tuple[str, str], seen: _Seen) -> tuple[_Seen, list[str] | None]:
        last = self._last.get(key)
        ours: _Seen | None = None
        fresh = None
        if last is not None and len(last[1]) <= len(seen):
            before, copied = last
            ours = dict(copied)
            fresh = list(
                compress(seen.keys(), map(operator.is_not, seen.values(), map(before.get, seen)))
            )
            for node in fresh:
                ours[node] = _copy(seen[node])
            # The caller may have changed an entry in place (same object, new content), or
            # dropped a node: then the shared copies differ from what it hands us now.
            if len(ours) != len(seen) or ours != seen:
                ours = fresh = None
        if ours is None:
            ours = {node: _copy(s) for node, s in seen.items()}
        self._remember(key, (dict(seen), ours))
        return ours, fresh

    def _remember(self, key: tuple[str, str], last: tuple[_Seen, _Seen]) -> None:
        self._last[key] = last
        if self._limit is not None:
            self._last.move_to_end(key)
            if len(self._last) > self._limit:
                self._last.popitem(last=False)

    def forget(self, thread_id: str) -> None:
        """Drop what is kept for ``thread_id`` (its checkpoints were deleted)."""
        for key in [k for k in self._last if k[0] == thread_id]:
            del self._last[key]


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def copy_out(stored: dict[str, Any]) -> dict[str, Any]:
    """A copy of a kept skeleton for a reader, who may mutate it."""
    out = {k: v if k in _IMMUTABLE else copy.deepcopy(v) for k, v in stored.items()}
    if isinstance(stored.get("channel_versions"), dict):
        out["channel_versions"] = dict(stored["channel_versions"])
    seen = stored.get("versions_seen")
    if isinstance(seen, dict):
        out["versions_seen"] = {node: _copy(s) for node, s in seen.items()}
    if isinstance(stored.get("updated_channels"), list):
        out["updated_channels"] = list(stored["updated_channels"])
    return out
