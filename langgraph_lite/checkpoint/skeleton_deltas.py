"""Checkpoint skeletons stored as what changed since the previous one, for savers of bytes.

A step changes the versions of a few channels and what the nodes that ran have seen; the
skeleton of a 1,000-node graph is 75 KiB all the same. ``SkeletonDeltas.encode`` stores a
skeleton as a delta from the last one the saver stored for the thread and namespace (kind
``"skeleton-delta"``): the id of that base checkpoint, the channel versions that changed or
went, the ``versions_seen`` entries that changed or went, and the other fields whole. After
``SKELETON_EVERY`` deltas, or one per 16 channels and nodes of a bigger skeleton (at most
``MOST_DELTAS``), and whenever the caller's dicts are not the ones the previous put had (see
``checkpoint.skeleton``), the skeleton is stored whole, as before: a whole skeleton costs its
size, so a bigger one is written as rarely as that spreads it over the same number of entries
a step, and reading the longest chain of deltas costs about what decoding a whole one does. Reading applies the
deltas on their base, with a bounded cache of the skeletons decoded, and hands out copies.

The base is named in the delta, not taken to be the parent: forks and time travel put children
of older checkpoints. A saver must check that the base is still stored when it writes a delta
(another connection may have deleted the thread); ``encode`` returns the whole encoding too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from langgraph_lite.checkpoint.frozen import FrozenSeen, FrozenVersions, known_len
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde
from langgraph_lite.checkpoint.skeleton import SkeletonKeeper, copy_out

__all__ = ["MOST_DELTAS", "SKELETON_DELTA", "SKELETON_EVERY", "SkeletonDeltas"]

SKELETON_DELTA = "skeleton-delta"
SKELETON_EVERY = 16
"""Deltas between two whole skeletons of a thread, for a skeleton of up to 256 entries."""
MOST_DELTAS = 256
"""The most deltas between two whole skeletons, however big."""
CACHE_ENTRIES = 256
SMALL = 64
"""Skeletons with fewer channels and nodes than this are always stored whole."""
THREADS = 256
"""Threads (and namespaces) whose last skeleton is kept to build deltas on: a thread put less
recently stores its next skeleton whole."""

_Where = tuple[str, str]
Fetch = Callable[[str], "tuple[str, bytes] | None"]
"""A saver's lookup of the stored skeleton ``(kind, data)`` of a checkpoint id, or None."""


class SkeletonDeltas:
    """One saver's delta encoding of checkpoint skeletons."""

    def __init__(self, serde: MsgpackSerde) -> None:
        self.serde = serde
        self._lock = threading.Lock()
        self._keeper = SkeletonKeeper(limit=THREADS)
        # (thread, ns) -> (id of the skeleton last stored, our copy of it, deltas since whole)
        self._last: OrderedDict[_Where, tuple[str, dict[str, Any], int]] = OrderedDict()
        self._cache: OrderedDict[tuple[str, str, str], dict[str, Any]] = OrderedDict()

    def encode(
        self, where: _Where, checkpoint: Mapping[str, Any]
    ) -> tuple[tuple[str, bytes], str | None, Callable[[], tuple[str, bytes]]]:
        """``(blob, base id or None, whole)`` for ``checkpoint``; ``whole()`` encodes it whole,
        for a saver that finds the base gone."""
        versions, seen = checkpoint.get("channel_versions"), checkpoint.get("versions_seen")
        if (
            not isinstance(versions, dict)
            or not isinstance(seen, dict)
            or (known_len(versions) + known_len(seen) < SMALL)
            # a delta is raw msgpack: a serializer of its own (encrypting, say) stores whole
            or not isinstance(self.serde, MsgpackSerde)
        ):  # a small skeleton costs less to encode whole than to compare
            blob = self.serde.dumps_typed(
                {k: v for k, v in checkpoint.items() if k != "channel_values"}
            )
            return blob, None, lambda: blob
        with self._lock:
            stored, fresh = self._keeper.keep_changes(where, checkpoint)
            last = self._last.get(where)
            delta = None
            every = min(
                MOST_DELTAS, max(SKELETON_EVERY, (known_len(versions) + known_len(seen)) // 16)
            )
            if last is not None and fresh is not None and last[2] < every:
                delta = _delta(last, stored, fresh)
            self._last[where] = (
                stored["id"],
                stored,
                last[2] + 1 if delta and last is not None else 0,
            )
            self._last.move_to_end(where)
            if len(self._last) > THREADS:
                self._last.popitem(last=False)
            self._put_cache((*where, stored["id"]), stored)

        def whole() -> tuple[str, bytes]:
            return self.serde.dumps_typed(stored)

        if delta is None:
            return whole(), None, whole
        return (SKELETON_DELTA, self.serde.dumps(delta)), delta["base"], whole

    def stored_whole(self, where: _Where, checkpoint_id: str) -> None:
        """The saver stored the whole skeleton after all (the base was gone)."""
        with self._lock:
            last = self._last.get(where)
            if last is not None and last[0] == checkpoint_id:
                self._last[where] = (last[0], last[1], 0)

    def decode(
        self, where: _Where, checkpoint_id: str, blob: tuple[str, bytes], fetch: Fetch
    ) -> Any:
        """The skeleton a stored blob holds: a fresh copy the caller may change."""
        if blob[0] != SKELETON_DELTA:
            return self.serde.loads_typed(blob)
        # the row asked for is always read from its bytes (what another connection wrote, or
        # a corrupt row, shows); the cache stands in for the bases it builds on
        return copy_out(self._resolve(where, checkpoint_id, blob, fetch, MOST_DELTAS * 2))

    def whole(
        self, where: _Where, checkpoint_id: str, blob: tuple[str, bytes], fetch: Fetch
    ) -> tuple[str, bytes]:
        """A delta skeleton as its whole encoding, for a saver about to delete its base."""
        if blob[0] != SKELETON_DELTA:
            return blob
        return self.serde.dumps_typed(
            self._resolve(where, checkpoint_id, blob, fetch, MOST_DELTAS * 2)
        )

    def base_of(self, checkpoint_id: str, blob: tuple[str, bytes]) -> str | None:
        """The checkpoint a delta skeleton builds on; None for a whole one."""
        if blob[0] != SKELETON_DELTA:
            return None
        return _checked(checkpoint_id, self.serde.loads(blob[1]))["base"]

    def _resolve(
        self,
        where: _Where,
        checkpoint_id: str,
        blob: tuple[str, bytes] | None,
        fetch: Fetch,
        budget: int,
    ) -> dict[str, Any]:
        """The skeleton of ``checkpoint_id`` (its row's ``blob``, or None to look it up): its
        chain of deltas is walked down to a whole skeleton or one in the cache, then applied
        on the way back up, in one pair of dicts (a loop, not a call per delta: a long chain
        neither exhausts the stack nor rebuilds the whole skeleton at each delta). Every
        16th skeleton on the way up is cached, and the one asked for."""
        chain: list[tuple[tuple[str, str, str], dict[str, Any]]] = []
        at, found = checkpoint_id, blob
        while True:
            key = (*where, at)
            if found is None:  # a base: from the cache, or from the saver
                with self._lock:
                    base = self._cache.get(key)
                    if base is not None:
                        self._cache.move_to_end(key)
                if base is not None:
                    break
                found = fetch(at)
                if found is None:
                    raise CheckpointDecodeError(
                        f"a checkpoint builds on checkpoint {at!r}, which is not stored"
                    )
            if found[0] != SKELETON_DELTA:
                base = self.serde.loads_typed(found)
                if not isinstance(base, dict) or not all(
                    isinstance(base.get(k), dict) for k in ("channel_versions", "versions_seen")
                ):
                    raise CheckpointDecodeError(
                        f"checkpoint {at!r} is the base of a delta but not a checkpoint"
                    )
                with self._lock:
                    self._put_cache(key, base)
                break
            if len(chain) >= budget:
                raise CheckpointDecodeError(
                    f"checkpoint {checkpoint_id!r}: its chain of deltas is too long (or loops)"
                )
            delta = _checked(at, self.serde.loads(found[1]))
            chain.append((key, delta))
            at, found = delta["base"], None
        if not chain:
            return base
        versions, seen = dict(base["channel_versions"]), dict(base["versions_seen"])
        skeleton = base
        for left, (key, delta) in enumerate(reversed(chain), start=1):
            versions.update(delta["cv"])
            for channel in delta["cv_drop"]:
                versions.pop(channel, None)
            seen.update(delta["vs"])
            for node in delta["vs_drop"]:
                seen.pop(node, None)
            top = left == len(chain)
            if top or left % 16 == 0:
                skeleton = {
                    **delta["rest"],
                    "channel_versions": versions if top else dict(versions),
                    "versions_seen": seen if top else dict(seen),
                }
                with self._lock:
                    self._put_cache(key, skeleton)
        return skeleton

    def _put_cache(self, key: tuple[str, str, str], skeleton: dict[str, Any]) -> None:
        self._cache[key] = skeleton
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)

    def forget(self, thread_id: str) -> None:
        """Drop what is kept for ``thread_id`` (its checkpoints were deleted)."""
        with self._lock:
            self._keeper.forget(thread_id)
            for where in [w for w in self._last if w[0] == thread_id]:
                del self._last[where]
            for key in [k for k in self._cache if k[0] == thread_id]:
                del self._cache[key]


def _delta(
    last: tuple[str, dict[str, Any], int], stored: dict[str, Any], fresh: list[str]
) -> dict[str, Any] | None:
    before = last[1]
    versions, seen = stored.get("channel_versions"), stored.get("versions_seen")
    if not isinstance(versions, dict) or not isinstance(seen, dict):
        return None
    old_versions, old_seen = before["channel_versions"], before["versions_seen"]
    if versions is old_versions:
        changed: dict[str, Any] = {}
        dropped: list[str] = []
    elif (  # read-only maps built from the previous ones say what they changed (no drops)
        isinstance(versions, FrozenVersions)
        and isinstance(old_versions, FrozenVersions)
        and versions.base == old_versions.serial
        and versions.delta is not None
    ):
        changed = versions.delta
        dropped = []
    else:
        try:  # versions are hashable (str, int, float): the difference is taken in C
            changed = dict(versions.items() - old_versions.items())
        except TypeError:
            return None
        dropped = list(old_versions.keys() - versions.keys())
    # (a FrozenSeen's fresh entries are what it changed, read from its delta, not through
    # the map, which a pending one would fill: it never drops a node)
    entries: Mapping[str, Any] = seen
    if isinstance(seen, FrozenSeen):
        seen_dropped: list[str] = []
        entries = seen if seen.delta is None else seen.delta
    else:
        seen_dropped = list(old_seen.keys() - seen.keys())
    return {
        "base": last[0],
        "cv": changed,
        "cv_drop": dropped,
        "vs": {node: entries[node] for node in fresh},
        "vs_drop": seen_dropped,
        "rest": {k: v for k, v in stored.items() if k not in ("channel_versions", "versions_seen")},
    }


def _checked(checkpoint_id: str, delta: Any) -> dict[str, Any]:
    shapes = {"base": str, "cv": dict, "cv_drop": list, "vs": dict, "vs_drop": list, "rest": dict}
    if not isinstance(delta, dict) or any(
        not isinstance(delta.get(k), kind) for k, kind in shapes.items()
    ):
        raise CheckpointDecodeError(f"checkpoint {checkpoint_id!r}: a malformed skeleton delta")
    return delta
