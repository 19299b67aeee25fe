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
are read-only maps (``checkpoint.frozen``) that nothing can change in place, and they say what
changed since the map they were built from. A pending map (what the step changed on the
previous one, ``checkpoint.frozen``) is kept as it is; a whole one built from the previous put's
is kept as a ``SharedMap``: the entries it changed, on top of what was kept for the previous put
of the thread. Either way a ``put`` costs (in time and in memory) what the step changed, not the
graph's width; every so often the whole map is kept, as it is (no copy), so that reading one
back (``copy_out``, which never fills a pending map) walks a bounded chain. The comparison
above is for other callers' plain dicts.
"""

from __future__ import annotations

import copy
import operator
from collections import OrderedDict
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from itertools import compress
from typing import Any

from langgraph_lite.checkpoint.frozen import FrozenSeen, FrozenVersions, flat

__all__ = ["SharedMap", "SkeletonKeeper", "copy_out"]

_Seen = dict[str, dict[str, Any]]
# copied by the code below, or immutable; any other key is deep-copied
_IMMUTABLE = frozenset({"v", "id", "ts", "channel_versions", "versions_seen", "updated_channels"})


class SharedMap(Mapping[str, Any]):
    """A kept ``channel_versions`` / ``versions_seen``: the entries its map changed on top of
    the map kept for the previous put (a ``SharedMap`` too, or a frozen map kept whole).

    Read-only, as what it is built from. Reading it whole (``flat``, iteration, ``items``)
    replays the chain down to the whole map, oldest change first, so the keys come in the
    order the engine's map had them. The chain stays bounded: a map is kept whole instead once
    the chain under it is ``flat_after`` deep, or its changes add up to a quarter of the map.
    """

    __slots__ = ("changes", "delta", "depth", "parent")
    flat_after = 64

    parent: Mapping[str, Any]
    delta: dict[str, Any]
    depth: int  # how many SharedMaps down to the whole map (1: its parent is the whole map)
    changes: int  # the entries in the deltas of the chain (this one's too)

    def __init__(
        self, parent: Mapping[str, Any], delta: dict[str, Any], depth: int, changes: int
    ) -> None:
        self.parent, self.delta, self.depth, self.changes = parent, delta, depth, changes

    def flat(self) -> dict[str, Any]:
        """The map as a new plain dict (its values as they are: a ``versions_seen``'s entries
        are the read-only ones)."""
        deltas = []
        node: Mapping[str, Any] = self
        while type(node) is SharedMap:
            deltas.append(node.delta)
            node = node.parent
        out = flat(node)
        for delta in reversed(deltas):
            out.update(delta)
        return out

    def __getitem__(self, key: str) -> Any:
        node: Mapping[str, Any] = self
        while type(node) is SharedMap:
            if key in node.delta:
                return node.delta[key]
            node = node.parent
        return node[key]

    def __contains__(self, key: object) -> bool:
        node: Mapping[str, Any] = self
        while type(node) is SharedMap:
            if key in node.delta:
                return True
            node = node.parent
        return key in node

    def __iter__(self) -> Iterator[str]:
        return iter(self.flat())

    def __len__(self) -> int:
        return len(self.flat())

    def keys(self) -> KeysView[str]:
        return self.flat().keys()

    def items(self) -> ItemsView[str, Any]:
        return self.flat().items()

    def values(self) -> ValuesView[Any]:
        return self.flat().values()

    def __repr__(self) -> str:
        return f"SharedMap({self.flat()!r})"

    def __reduce__(self) -> Any:
        return (dict, (self.flat(),))


class SkeletonKeeper:
    """Copies of checkpoint skeletons that share unchanged entries with the previous one."""

    __slots__ = ("_chains", "_last", "_limit")

    def __init__(self, limit: int | None = None) -> None:
        # (thread, ns) -> (the caller's versions_seen, shallowly copied; our copy of it): the
        # threads put last, at most ``limit`` (None: every thread)
        self._last: OrderedDict[tuple[str, str], tuple[_Seen, _Seen]] = OrderedDict()
        # (thread, ns) -> the frozen maps ``keep`` was given last, by serial, and what it kept
        # for them: (versions' serial, kept versions, versions_seen's serial, kept seen)
        self._chains: OrderedDict[tuple[str, str], tuple[int, Any, int, Any]] = OrderedDict()
        self._limit = limit

    def keep(self, key: tuple[str, str], checkpoint: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``checkpoint`` without ``channel_values``, safe from the caller's changes.

        The engine's frozen maps are kept as what they changed on top of what was kept for
        the previous put of ``key`` (``SharedMap``) when they were built from that put's maps,
        else as they are; read one back with ``copy_out``."""
        versions = checkpoint.get("channel_versions")
        seen = checkpoint.get("versions_seen")
        if not isinstance(versions, FrozenVersions) or not isinstance(seen, FrozenSeen):
            self._chains.pop(key, None)
            return self.keep_changes(key, checkpoint)[0]
        self._last.pop(key, None)
        stored = dict(checkpoint)
        stored.pop("channel_values", None)
        for k in stored.keys() - _IMMUTABLE:
            stored[k] = copy.deepcopy(stored[k])
        updated = stored.get("updated_channels")
        if isinstance(updated, list):
            stored["updated_channels"] = list(updated)
        last = self._chains.get(key)
        kept_versions: Any = versions
        kept_seen: Any = seen
        if last is not None:
            kept_versions = _chained(versions, last[0], last[1])
            kept_seen = _chained(seen, last[2], last[3])
        stored["channel_versions"] = kept_versions
        stored["versions_seen"] = kept_seen
        self._chains[key] = (versions.serial, kept_versions, seen.serial, kept_seen)
        if self._limit is not None:
            self._chains.move_to_end(key)
            if len(self._chains) > self._limit:
                self._chains.popitem(last=False)
        return stored

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
        if isinstance(versions, FrozenVersions):  # read-only (pending too): kept as it is
            stored["channel_versions"] = versions
        elif isinstance(versions, dict):  # versions are str/int/float: a shallow copy isolates
            stored["channel_versions"] = dict(versions)
        updated = checkpoint.get("updated_channels")
        if isinstance(updated, list):
            stored["updated_channels"] = list(updated)
        seen = checkpoint.get("versions_seen")
        fresh = None
        if isinstance(seen, FrozenSeen):
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
            elif isinstance(before, FrozenSeen) and seen.base == before.serial:
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
        for key in [k for k in self._chains if k[0] == thread_id]:
            del self._chains[key]


def _chained(whole: Any, last_serial: int, last_kept: Any) -> Any:
    """What to keep for the frozen map ``whole``, given the serial of the one put before it
    and what was kept for that one: a pending map as it is (it is what it changed on its
    parent already); a whole one built from that one as a ``SharedMap`` on it when the chain
    stays short enough, else as it is."""
    if whole.serial == last_serial:  # the same map again
        return last_kept
    delta = whole.delta
    if whole._parent is not None or whole.base != last_serial or delta is None:
        return whole
    if type(last_kept) is SharedMap:
        depth, changes = last_kept.depth + 1, last_kept.changes + len(delta)
        if depth > SharedMap.flat_after:
            return whole
    elif last_kept._parent is not None:  # after pending maps, a whole one ends their chain
        return whole
    else:
        depth, changes = 1, len(delta)
    if changes * 4 > len(whole):
        return whole
    return SharedMap(last_kept, delta, depth, changes)


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def copy_out(stored: dict[str, Any]) -> dict[str, Any]:
    """A copy of a kept skeleton for a reader, who may mutate it."""
    out = {k: v if k in _IMMUTABLE else copy.deepcopy(v) for k, v in stored.items()}
    versions = stored.get("channel_versions")
    if type(versions) is SharedMap:
        out["channel_versions"] = versions.flat()
    elif isinstance(versions, dict):
        out["channel_versions"] = flat(versions)
    seen = stored.get("versions_seen")
    if type(seen) is SharedMap:
        seen = seen.flat()
    elif isinstance(seen, dict):
        seen = flat(seen)
    if isinstance(seen, dict):
        out["versions_seen"] = {node: _copy(s) for node, s in seen.items()}
    if isinstance(stored.get("updated_channels"), list):
        out["updated_channels"] = list(stored["updated_channels"])
    return out
