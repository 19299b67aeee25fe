"""Plain values as ``InMemorySaver`` and ``SqliteSaver`` store them: pickles of plain data,
lists stored as what they added.

A value made only of ``dict``, ``list``, ``tuple``, ``set``, ``frozenset``, ``str``,
``bytes``, ``int``, ``float``, ``bool`` and ``None`` (exact types) is pickled by C code alone:
``_PlainPickler.reducer_override`` refuses every other object, and its caller then stores the
value with the saver's serializer as before. Pickle keeps each object once however often the
value refers to it, where msgpack writes a shared item again at every reference (600 references
to one nested dict: 2 MB of msgpack, 1.6 KB of pickle, 0.014 ms instead of 5). Reading runs
``_PlainUnpickler``, whose ``find_class`` refuses every name: no bytes, even ones written into
the saver's dicts by hand, can reach a class or a function. What is read is a new copy, with
the sharing the value had (two references to one item come back as two references to one new
item).

A list of ``MIN_ITEMS`` or more, the shape of ``operator.add`` and message channels, is stored
as a *delta* when its first items are the very objects of the version the saver stored last
for the thread, namespace and channel, and still equal them: the blob names that base version,
how many of its items to keep and holds the pickle of the items after. "Still equal" is told
by comparing, in C, each kept item with a copy of it made when it was stored (the pickle, read
back): an item changed in place since is stored again. Every ``SNAPSHOT_EVERY`` deltas the
whole list is stored, so reading any version unpickles at most that many blobs.

A value with a reference cycle is kept here, where the serializer (and so the Postgres
saver) refuses it: it nests without end.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import pickletools
import threading
from collections import OrderedDict
from collections.abc import Callable
from itertools import starmap
from operator import eq, is_
from typing import Any, NamedTuple

import msgpack  # type: ignore[import-untyped]

from langgraph_lite.checkpoint.serde import CheckpointDecodeError

__all__ = ["HELD", "HELD_DELTA", "HeldLists", "dumps_plain", "loads_plain"]

HELD = "plain-pickle"
"""The blob kind of a whole plain value."""
HELD_DELTA = "plain-pickle-delta"
"""The blob kind of a list stored as what it added to a base version."""
MIN_ITEMS = 8
SNAPSHOT_EVERY = 16
HELD_ITEMS = 1_000_000
"""About how many list items the saver remembers, to compare the next versions with (the
lists least recently stored are forgotten first: their next version is stored whole)."""

Fetch = Callable[[Any], "tuple[str, Any] | None"]
"""The saver's lookup of the blob of one version of the channel, or None."""


_LEAVES = frozenset({str, bytes, int, float, bool, type(None)})
_CONTAINERS = frozenset({dict, list, tuple, set, frozenset})


class _NotPlain(Exception):
    pass


class _PlainPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # called for every object but None, bools and exact int, float, bytes, str, dict,
        # set, frozenset, list and tuple: the rest is the serializer's to store
        raise _NotPlain


def _names_an_extension(data: bytes) -> bool:
    """Whether the pickle has an EXT opcode. The unpickler answers one from copyreg's cache of
    extensions already loaded without asking ``find_class``; with that cache empty, an EXT
    opcode reaches ``find_class`` (refused) or fails."""
    try:
        return any(op.name.startswith("EXT") for op, _, _ in pickletools.genops(data))
    except Exception:
        return True  # malformed: not read at all (its opcodes before the flaw would run)


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise CheckpointDecodeError(
            f"a kept value names {module}.{name}; plain values name nothing, so these bytes "
            "were not written by this saver. Nothing was rebuilt."
        )


def dumps_plain(value: Any) -> bytes | None:
    """The pickle of ``value`` if it is made of plain data only, else None."""
    kind = type(value)
    if kind in _LEAVES:  # nothing inside to check
        return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    if kind not in _CONTAINERS:  # (told at once, not by an exception from inside the pickler)
        return None
    out = io.BytesIO()
    try:
        _PlainPickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    except (_NotPlain, RecursionError):
        return None
    return out.getvalue()


def loads_plain(data: bytes) -> Any:
    """A new copy of the value ``dumps_plain`` pickled; raises ``CheckpointDecodeError``."""
    if copyreg._extension_cache and _names_an_extension(data):  # type: ignore[attr-defined]
        raise CheckpointDecodeError(
            "a kept value names a copyreg extension code; plain values name nothing, so these "
            "bytes were not written by this saver. Nothing was rebuilt."
        )
    try:
        return _PlainUnpickler(io.BytesIO(data)).load()
    except CheckpointDecodeError:
        raise
    except Exception as exc:
        raise CheckpointDecodeError(f"a kept value could not be read: {exc}") from exc


class _Latest(NamedTuple):
    """The version of a list last stored or read, its item objects, and how many deltas it
    is from a whole blob. ``copies`` maps each distinct item (by ``id``; ``items`` keeps it
    alive) to ``(item, a copy of it as it was then)``: an item the list holds many times is
    compared once."""

    version: Any
    items: tuple[Any, ...]
    copies: dict[int, tuple[Any, Any]]
    depth: int


def _latest(
    version: Any, items: list[Any], copies: list[Any], depth: int, into: Any = None
) -> _Latest:
    pairs = dict(into) if into else {}
    pairs.update(zip(map(id, items), zip(items, copies, strict=True), strict=True))
    return _Latest(version, tuple(items), pairs, depth)


class HeldLists:
    """One saver's plain values: their blobs, and what the next delta of a list builds on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: OrderedDict[tuple[str, str, str], _Latest] = OrderedDict()
        self._held = 0  # items in self._latest

    def encode(
        self, where: tuple[str, str, str], version: Any, value: Any
    ) -> tuple[tuple[str, bytes], Any] | None:
        """The blob for ``value`` and the version it builds on (None: it is whole); None if
        ``value`` is not plain data."""
        if type(value) is not list or len(value) < MIN_ITEMS:
            data = dumps_plain(value)
            return None if data is None else ((HELD, data), None)
        with self._lock:
            latest = self._latest.get(where)
        keep = 0
        if latest is not None and latest.version != version and latest.depth < SNAPSHOT_EVERY:
            keep = _kept(value, latest)
        tail = value[keep:] if keep else value
        data = dumps_plain(tail)
        if data is None:
            with self._lock:
                self._forget(where)
            return None
        copies = loads_plain(data)
        if keep:
            assert latest is not None
            kept = latest.copies if keep == len(latest.items) else _prefix(latest, keep)
            entry = _latest(version, tail, copies, latest.depth + 1, kept)
            entry = entry._replace(items=tuple(value))
            blob = (HELD_DELTA, msgpack.packb([latest.version, keep, data], use_bin_type=True))
            base = latest.version
        else:
            entry, blob, base = _latest(version, value, copies, 0), (HELD, data), None
        with self._lock:
            self._remember(where, entry)
        return blob, base

    def whole_later(
        self, where: tuple[str, str, str], version: Any, value: Any
    ) -> Callable[[], bytes]:
        """For a saver that stores later (SQLite's writer thread): a function giving the whole
        blob's bytes of the version ``encode`` just made for ``where``, as it was then (from the
        copies taken when it was encoded, which no one else holds: what the run changes since
        does not reach it). Once called, the next delta builds on that whole blob."""
        with self._lock:
            entry = self._latest.get(where)
        if entry is None or entry.version != version:  # forgotten meanwhile: pickle it now
            data = dumps_plain(value)
            assert data is not None  # (its tail was plain, and so were the items it kept)
            return lambda: data

        def whole() -> bytes:
            data = dumps_plain([entry.copies[id(item)][1] for item in entry.items])
            assert data is not None  # copies of plain data
            with self._lock:
                if self._latest.get(where) is entry:
                    self._remember(where, entry._replace(depth=0))
            return data

        return whole

    def stored_whole(self, where: tuple[str, str, str], version: Any, value: Any) -> bytes:
        """The whole blob's bytes for ``value``, which the saver stores instead of a delta
        whose base was deleted meanwhile; the next delta builds on it."""
        data = dumps_plain(value)
        assert data is not None  # its tail was plain, and so were the items it kept
        with self._lock:
            self._remember(where, _latest(version, value, loads_plain(data), 0))
        return data

    def decode(
        self,
        where: tuple[str, str, str],
        version: Any,
        blob: tuple[str, bytes],
        fetch: Fetch,
        share: bool = False,
    ) -> Any:
        """The value of a blob ``encode`` made. With ``share`` (a run resuming the thread),
        its objects become what the next delta compares with, so the run's next checkpoint
        stores what it added, not the whole list again."""
        value, depth = self._read(where, version, blob, fetch)
        if share and type(value) is list and len(value) >= MIN_ITEMS:
            copies, _ = self._read(where, version, blob, fetch)
            with self._lock:
                self._remember(where, _latest(version, value, copies, depth))
        return value

    def whole(
        self, where: tuple[str, str, str], version: Any, blob: tuple[str, bytes], fetch: Fetch
    ) -> tuple[str, bytes]:
        """A delta blob as a whole one, for a saver about to delete the base it builds on."""
        if blob[0] != HELD_DELTA:
            return blob
        data = dumps_plain(self._read(where, version, blob, fetch)[0])
        assert data is not None
        return HELD, data

    def _read(
        self, where: tuple[str, str, str], version: Any, blob: tuple[str, bytes], fetch: Fetch
    ) -> tuple[Any, int]:
        """The value and its depth: a delta's chain is walked down to its whole blob, then
        each tail is added on the way back up."""
        steps: list[tuple[int, bytes]] = []
        at: Any = version
        while blob[0] == HELD_DELTA:
            if len(steps) > SNAPSHOT_EVERY * 4:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r} version {version!r}: its chain of deltas is too long "
                    "(or loops)"
                )
            base, keep, data = _parse(where[2], at, blob[1])
            steps.append((keep, data))
            found = fetch(base)
            if found is None:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r}: version {at!r} builds on version {base!r}, which is "
                    "not stored"
                )
            at, blob = base, found
        if blob[0] != HELD:
            raise CheckpointDecodeError(
                f"channel {where[2]!r} version {at!r}: a delta builds on a {blob[0]!r} blob"
            )
        value = loads_plain(blob[1])
        for keep, data in reversed(steps):
            if type(value) is not list or keep > len(value):
                raise CheckpointDecodeError(
                    f"channel {where[2]!r}: a delta keeps {keep} items of a value that has fewer"
                )
            del value[keep:]
            value.extend(loads_plain(data))
        return value, len(steps)

    def forget(self, thread_id: str) -> None:
        """Drop what the next deltas of ``thread_id`` would build on (it was deleted)."""
        with self._lock:
            for where in [w for w in self._latest if w[0] == thread_id]:
                self._forget(where)

    def _remember(self, where: tuple[str, str, str], entry: _Latest) -> None:
        self._forget(where)
        self._latest[where] = entry
        self._held += len(entry.items)
        while self._held > HELD_ITEMS and len(self._latest) > 1:
            self._held -= len(self._latest.popitem(last=False)[1].items)

    def _forget(self, where: tuple[str, str, str]) -> None:
        gone = self._latest.pop(where, None)
        if gone is not None:
            self._held -= len(gone.items)


def base_of(channel: str, version: Any, blob: tuple[str, Any]) -> Any:
    """The version a delta blob builds on; None for a whole blob."""
    return _parse(channel, version, blob[1])[0] if blob[0] == HELD_DELTA else None


def _kept(value: list[Any], latest: _Latest) -> int:
    """How many first items of ``value`` are the items of ``latest`` and still equal their
    copies: C loops when they all are (the usual append), one Python loop when not."""
    old = latest.items
    fits = len(value) >= len(old) and all(map(is_, value, old))
    if fits and all(starmap(eq, latest.copies.values())):
        return len(old)
    changed = {i for i, (item, copy) in latest.copies.items() if item != copy}
    for i, (item, was) in enumerate(zip(value, old, strict=False)):
        if item is not was or id(item) in changed:
            return i
    return min(len(value), len(old))


def _prefix(latest: _Latest, keep: int) -> dict[int, tuple[Any, Any]]:
    """The copies of the first ``keep`` items of ``latest`` only."""
    ids = set(map(id, latest.items[:keep]))
    return {i: pair for i, pair in latest.copies.items() if i in ids}


def _parse(channel: str, version: Any, data: bytes) -> tuple[Any, int, bytes]:
    try:
        base, keep, tail = msgpack.unpackb(data, raw=False)
    except Exception:
        raise CheckpointDecodeError(
            f"channel {channel!r} version {version!r}: a malformed delta"
        ) from None
    if not isinstance(keep, int) or keep < 0 or not isinstance(tail, bytes):
        raise CheckpointDecodeError(f"channel {channel!r} version {version!r}: a malformed delta")
    return base, keep, tail
