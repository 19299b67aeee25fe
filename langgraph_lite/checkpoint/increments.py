"""List values stored as what changed since a version already stored: a conversation's turn
writes its new messages, not the whole history again.

A list channel (``add_messages``, ``operator.add``, ``Topic``) changes by appending, mostly.
``ListIncrements.encode`` encodes the new list as usual, splits the bytes into the bytes of each
item, and compares them with the items of the last list it stored for the same thread,
namespace and channel: when a prefix is the same, the blob stored is a *delta*, kind
``"delta"``: ``[base_version, keep]`` in msgpack, followed by the msgpack array of the items
after the first ``keep``. The value is ``base[:keep] + tail``, so removals and replacements are
stored as a shorter ``keep`` and the items after it. Comparing bytes (not objects) means an item
changed in place since it was stored is seen as changed and stored again.

Every ``SNAPSHOT_EVERY`` deltas in a chain a full value is stored, so reading any version
decodes at most that many blobs. Reading joins the items' bytes and decodes them in one
``MsgpackSerde.loads`` call (so every check of the decoder applies, and each reader gets its
own objects). A bounded cache of each version's item bytes (bytes: immutable, safe to share)
spares re-reading and re-splitting a chain, and is what the next ``encode`` compares with.

A saver that uses this must keep every blob a delta names while the delta exists (SQLite and
memory savers delete blobs only with their whole thread).
"""

from __future__ import annotations

import operator
import threading
from collections import OrderedDict
from collections.abc import Callable
from itertools import compress, count
from typing import Any

import msgpack  # type: ignore[import-untyped]

from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde

__all__ = ["DELTA", "MIN_ITEMS", "SNAPSHOT_EVERY", "ListIncrements"]

DELTA = "delta"
SNAPSHOT_EVERY = 16
"""At most this many deltas between two full values of a channel."""
MIN_ITEMS = 8
"""Shorter lists are stored whole: a delta would save little."""
CACHE_BYTES = 64 * 1024 * 1024
"""About how many bytes of items the cache holds (items shared between versions counted once
per version)."""

_Key = tuple[str, str, str, str]  # thread, namespace, channel, str(version)
Fetch = Callable[[Any], "tuple[str, bytes] | None"]
"""A saver's lookup of the blob ``(kind, data)`` of one version of the channel, or None."""


def split_array(data: bytes) -> list[bytes] | None:
    """The encoding of each item of the msgpack array ``data``; None if it is no array."""
    if not data:
        return None
    first = data[0]
    if 0x90 <= first <= 0x9F:
        n, start = first & 0x0F, 1
    elif first == 0xDC and len(data) >= 3:
        n, start = int.from_bytes(data[1:3], "big"), 3
    elif first == 0xDD and len(data) >= 5:
        n, start = int.from_bytes(data[1:5], "big"), 5
    else:
        return None
    unpacker = msgpack.Unpacker(max_buffer_size=max(len(data), 1024))
    unpacker.feed(memoryview(data)[start:])
    items = []
    pos = start
    try:
        for _ in range(n):
            unpacker.skip()
            end = start + unpacker.tell()
            items.append(data[pos:end])
            pos = end
    except (msgpack.OutOfData, ValueError):
        return None
    return items if pos == len(data) else None


def array_header(n: int) -> bytes:
    """The msgpack header of an array of ``n`` items."""
    if n < 16:
        return bytes([0x90 | n])
    if n < 1 << 16:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


def join_array(items: list[bytes]) -> bytes:
    """The msgpack array of items already encoded."""
    return array_header(len(items)) + b"".join(items)


class ListIncrements:
    """One saver's delta encoding of list values, and its cache of their items."""

    def __init__(self, serde: MsgpackSerde, *, cache_bytes: int = CACHE_BYTES) -> None:
        self.serde = serde
        self._lock = threading.Lock()
        # (thread, ns, channel, version) -> (the items' bytes, deltas since a full value)
        self._items: OrderedDict[_Key, tuple[list[bytes], int, int]] = OrderedDict()
        self._held = 0
        self._limit = cache_bytes
        # (thread, ns, channel) -> the version last stored: what the next delta builds on
        self._latest: dict[tuple[str, str, str], str] = {}

    # -- writing -----------------------------------------------------------------------------

    def encode(
        self,
        where: tuple[str, str, str],
        version: Any,
        value: Any,
        full: tuple[str, bytes],
    ) -> tuple[tuple[str, bytes], str | None]:
        """The blob to store for ``value`` at ``version`` and the version it builds on.

        ``full`` is ``serde.dumps_typed(value)``. Returns ``(full, None)`` when a delta would
        not pay; a saver that cannot find the base blob when it stores must store ``full``.
        """
        if type(value) is not list or full[0] != "msgpack" or not isinstance(version, str):
            return full, None
        items = split_array(full[1])
        if items is None or len(items) < MIN_ITEMS:
            return full, None
        key = (*where, str(version))
        with self._lock:
            base = self._latest.get(where)
            parent = self._items.get((*where, base)) if base is not None else None
            self._latest[where] = key[3]
            if parent is None or parent[1] >= SNAPSHOT_EVERY or base == key[3]:
                self._remember(key, items, 0)
                return full, None
            old = parent[0]
            keep = next(compress(count(), map(operator.ne, items, old)), min(len(items), len(old)))
            if keep == 0:
                self._remember(key, items, 0)
                return full, None
            items = old[:keep] + items[keep:]  # the same bytes objects: cached once
            self._remember(key, items, parent[1] + 1)
        head = msgpack.packb([base, keep], use_bin_type=True)
        return (DELTA, head + join_array(items[keep:])), base

    def stored_full(self, where: tuple[str, str, str], version: Any) -> None:
        """The saver stored the full value after all (the base was gone): chains restart."""
        with self._lock:
            entry = self._items.get((*where, str(version)))
            if entry is not None:
                self._items[(*where, str(version))] = (entry[0], 0, entry[2])

    # -- reading -----------------------------------------------------------------------------

    def decode(
        self, where: tuple[str, str, str], version: Any, blob: tuple[str, bytes], fetch: Fetch
    ) -> Any:
        """The value of a blob ``encode`` returned (or any other blob of the saver)."""
        if blob[0] != DELTA:
            return self.serde.loads_typed(blob)
        # the blob asked for is read from its bytes; the cache stands in for its bases
        items, _ = self._items_of(where, str(version), blob, fetch, SNAPSHOT_EVERY * 4)
        # one decode of the whole list: every check of the decoder, and fresh objects
        return self.serde.loads(join_array(items))

    def _items_of(
        self,
        where: tuple[str, str, str],
        version: str,
        blob: tuple[str, bytes] | None,
        fetch: Fetch,
        budget: int,
    ) -> tuple[list[bytes], int]:
        """The items of one version and the number of deltas since its chain's full value;
        ``blob`` None: a base, from the cache or ``fetch``."""
        key = (*where, version)
        if blob is None:
            with self._lock:
                cached = self._items.get(key)
                if cached is not None:
                    self._items.move_to_end(key)
                    return cached[0], cached[1]
            blob = fetch(version)
            if blob is None:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r}: a delta builds on version {version!r}, which is "
                    "not stored"
                )
        kind, data = blob
        if kind == "msgpack":
            items = split_array(data)
            if items is None:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r} version {version!r}: a delta builds on it, but it is "
                    "not a list"
                )
            depth = 0
        elif kind == DELTA:
            if budget <= 0:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r} version {version!r}: its chain of deltas is too long "
                    "(or loops)"
                )
            base, keep, tail = _parse(where[2], version, data)
            before, depth = self._items_of(where, base, None, fetch, budget - 1)
            if keep > len(before):
                raise CheckpointDecodeError(
                    f"channel {where[2]!r} version {version!r} keeps {keep} items of version "
                    f"{base!r}, which has {len(before)}"
                )
            items = before[:keep] + tail
            depth += 1
        else:
            raise CheckpointDecodeError(
                f"channel {where[2]!r} version {version!r}: a delta builds on a {kind!r} blob"
            )
        with self._lock:
            self._remember(key, items, depth)
        return items, depth

    # -- the cache ---------------------------------------------------------------------------

    def _remember(self, key: _Key, items: list[bytes], depth: int) -> None:
        size = sum(map(len, items))
        old = self._items.pop(key, None)
        if old is not None:
            self._held -= old[2]
        self._items[key] = (items, depth, size)
        self._held += size
        while self._held > self._limit and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self._held -= dropped[2]

    def forget(self, thread_id: str) -> None:
        """Drop what is cached for ``thread_id`` (its blobs were deleted)."""
        with self._lock:
            for key in [k for k in self._items if k[0] == thread_id]:
                self._held -= self._items.pop(key)[2]
            for where in [w for w in self._latest if w[0] == thread_id]:
                del self._latest[where]


def _parse(channel: str, version: str, data: bytes) -> tuple[str, int, list[bytes]]:
    unpacker = msgpack.Unpacker(max_buffer_size=max(len(data), 1024), raw=False)
    unpacker.feed(data)
    try:
        head = unpacker.unpack()
    except Exception as exc:
        raise CheckpointDecodeError(
            f"channel {channel!r} version {version!r}: a malformed delta ({exc})"
        ) from None
    tail = split_array(data[unpacker.tell() :])
    if (
        not isinstance(head, list)
        or len(head) != 2
        or not isinstance(head[0], str)
        or not isinstance(head[1], int)
        or head[1] < 0
        or tail is None
    ):
        raise CheckpointDecodeError(f"channel {channel!r} version {version!r}: a malformed delta")
    return head[0], head[1], tail
