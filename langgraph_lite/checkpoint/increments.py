"""List values stored as what changed since a version already stored: a conversation's turn
writes its new messages, not the whole history again.

A list channel (``add_messages``, ``operator.add``, ``Topic``) changes by appending, mostly.
``ListIncrements.encode`` takes the new list's usual encoding (a msgpack array: a header, then
each item's bytes) and compares it with the list it stored last for the same thread, namespace
and channel. When the old items' bytes are a prefix of the new ones (msgpack items delimit
themselves, so that means the old items are the first new items), the blob stored is a
*delta*, kind ``"delta"``: ``[base_version, keep]`` in msgpack, followed by the msgpack array
of the items after the first ``keep``. Otherwise the items are compared one by one: a removal
or a replacement is a shorter ``keep`` and the items after it. The value is ``base[:keep] +
tail``. Bytes are compared, not objects, so an item changed in place since it was stored is
seen as changed and stored again.

Every ``SNAPSHOT_EVERY`` deltas in a chain a full value is stored, so reading any version
reads at most that many blobs. Reading joins the bytes and decodes them in one
``MsgpackSerde.loads`` call: every check of the decoder applies, and each reader gets its own
objects. A bounded cache keeps each version's item bytes as a few chunks shared with the
version it builds on (bytes: immutable, safe to share); it is what the next ``encode`` compares
with, and it spares reading a chain's bases again.

A saver that uses this must keep every blob a delta names while the delta exists (SQLite and
memory savers delete blobs only with their whole thread).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

import msgpack  # type: ignore[import-untyped]

from langgraph_lite.checkpoint.live_items import Snapshots, first_changed, snapshot, unchanged
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde

__all__ = ["DELTA", "MIN_ITEMS", "SNAPSHOT_EVERY", "ListIncrements", "base_of"]

DELTA = "delta"
SNAPSHOT_EVERY = 16
"""At most this many deltas between two full values of a channel."""
MIN_ITEMS = 8
MIN_BYTES = 512
"""Shorter lists (in items or bytes) are stored whole: a delta would save little."""
_PEEK = 64  # bytes of the first item compared before looking for a common prefix item by item
CACHE_BYTES = 64 * 1024 * 1024
"""About how many bytes of items the cache holds (chunks shared between versions counted once
per version)."""

_Key = tuple[str, str, str, str]  # thread, namespace, channel, str(version)
Fetch = Callable[[Any], "tuple[str, bytes] | None"]
"""A saver's lookup of the blob ``(kind, data)`` of one version of the channel, or None."""
Dump = Callable[[Any], "tuple[str, bytes]"]
"""A saver's ``serde.dumps_typed``, its errors naming the channel and thread."""


class _Items(NamedTuple):
    """A version's items: their bytes, in order, as chunks; how many; deltas since whole;
    their bytes' size; and, when known, the item objects stored and their snapshots."""

    chunks: tuple[bytes | memoryview, ...]
    n: int
    depth: int
    size: int
    snaps: Snapshots | None = None


def array_head(data: bytes | memoryview) -> tuple[int, int] | None:
    """``(items, header length)`` of the msgpack array ``data``; None if it is no array."""
    if not data:
        return None
    first = data[0]
    if 0x90 <= first <= 0x9F:
        return first & 0x0F, 1
    if first == 0xDC and len(data) >= 3:
        return int.from_bytes(data[1:3], "big"), 3
    if first == 0xDD and len(data) >= 5:
        return int.from_bytes(data[1:5], "big"), 5
    return None


def array_header(n: int) -> bytes:
    """The msgpack header of an array of ``n`` items."""
    if n < 16:
        return bytes([0x90 | n])
    if n < 1 << 16:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


def item_ends(body: bytes, n: int) -> list[int] | None:
    """Where each of the ``n`` items encoded one after another in ``body`` ends."""
    unpacker = msgpack.Unpacker(max_buffer_size=max(len(body), 1024))
    unpacker.feed(body)
    ends = []
    try:
        for _ in range(n):
            unpacker.skip()
            ends.append(unpacker.tell())
    except (msgpack.OutOfData, ValueError):
        return None
    return ends if (ends[-1] if ends else 0) == len(body) else None


class ListIncrements:
    """One saver's delta encoding of list values, and its cache of their items."""

    def __init__(self, serde: MsgpackSerde, *, cache_bytes: int = CACHE_BYTES) -> None:
        self.serde = serde
        self._lock = threading.Lock()
        self._items: OrderedDict[_Key, _Items] = OrderedDict()
        self._held = 0
        self._limit = cache_bytes
        # (thread, ns, channel) -> the version last stored: what the next delta builds on
        self._latest: dict[tuple[str, str, str], str] = {}

    # -- writing -----------------------------------------------------------------------------

    def encode(
        self, where: tuple[str, str, str], version: Any, value: Any, dump: Dump
    ) -> tuple[tuple[str, bytes], str | None, Callable[[], tuple[str, bytes]]]:
        """The blob to store for ``value`` at ``version``, the version it builds on (None: it
        is whole) and a function giving the whole value's blob (``dump(value)``), which a
        saver that cannot find the base blob when it stores must store instead.

        A list of models made of plain data is compared with the version it builds on through
        the items' snapshots (``checkpoint.live_items``): only the items after the unchanged
        ones are encoded. Any other list is encoded whole and compared by its bytes.
        """
        if type(value) is not list or not isinstance(version, str) or len(value) < MIN_ITEMS:
            full = dump(value)
            return full, None, lambda: full
        key = (*where, version)
        with self._lock:
            base = self._latest.get(where)
            parent = self._items.get((*where, base)) if base is not None else None
        if parent is not None and parent.snaps is not None and base != version:
            found = self._encode_live(key, base, parent, value, dump)  # type: ignore[arg-type]
            if found is not None:
                return found
        full = dump(value)
        blob, base = self._encode_bytes(key, value, full, parent, base)
        return blob, base, lambda: full

    def _encode_live(
        self, key: _Key, base: str, parent: _Items, value: list[Any], dump: Dump
    ) -> tuple[tuple[str, bytes], str | None, Callable[[], tuple[str, bytes]]] | None:
        snaps = parent.snaps
        assert snaps is not None
        keep = parent.n if unchanged(value, snaps) else first_changed(value, snaps)
        if keep == 0:
            return None
        rest = value[keep:]
        if rest:
            more = snapshot(rest)
            kind, data = dump(rest)
            head = array_head(data) if kind == "msgpack" else None
            if head is None:
                return None
            tail = bytes(memoryview(data)[head[1] :])
            joined = snaps.head(keep).join(more) if more is not None else None
        else:
            tail, joined = b"", snaps.head(keep)
        kept = parent.chunks if keep == parent.n else (_first_items(parent, keep),)
        chunks = (*kept, tail) if tail else kept
        n = len(value)
        size = sum(map(len, chunks))

        def whole() -> tuple[str, bytes]:
            return ("msgpack", array_header(n) + b"".join(chunks))

        if parent.depth >= SNAPSHOT_EVERY:  # a full value: reading stays bounded
            blob = whole()
            items = _Items((memoryview(blob[1])[len(array_header(n)) :],), n, 0, size)
            flat = joined.flat() if joined is not None else None
            self._store(key, items._replace(snaps=flat))
            return blob, None, lambda: blob
        self._store(key, _Items(chunks, n, parent.depth + 1, size, joined))
        head_bytes = msgpack.packb([base, keep], use_bin_type=True)
        return (DELTA, head_bytes + array_header(n - keep) + tail), base, whole

    def _store(self, key: _Key, items: _Items) -> None:
        with self._lock:
            self._latest[key[:3]] = key[3]
            self._remember(key, items)

    def _encode_bytes(
        self,
        key: _Key,
        value: list[Any],
        full: tuple[str, bytes],
        parent: _Items | None,
        base: str | None,
    ) -> tuple[tuple[str, bytes], str | None]:
        """``encode`` by comparing ``full``'s bytes with the parent's."""
        if full[0] != "msgpack":
            return full, None
        data = full[1]
        head = array_head(data)
        if head is None or head[0] < MIN_ITEMS or len(data) < MIN_BYTES:
            return full, None
        n, start = head
        body = memoryview(data)[start:]  # shares the blob's bytes: no copy
        version = key[3]
        # snapshots of the items, so that the next version compares with them: tried when
        # the list starts a chain (a list of other items is not tried again at every put)
        fresh = parent is None or parent.snaps is not None or parent.depth == 0
        snaps = snapshot(value) if fresh else None
        with self._lock:
            self._latest[key[:3]] = version
            if parent is None or parent.depth >= SNAPSHOT_EVERY or base == version:
                self._remember(key, _Items((body,), n, 0, len(body), snaps))
                return full, None
            found = _appended(data, start, parent)
            if found is not None:  # the old items, then new ones: the common case
                tail = bytes(memoryview(data)[found:])  # its own bytes, not a view of the blob
                keep = parent.n
                items = _Items((*parent.chunks, tail), n, parent.depth + 1, len(body), snaps)
            else:
                first = parent.chunks[0]
                peek = min(_PEEK, len(first))
                # a list replaced whole (not grown) differs at once: store it whole, unsplit
                same_start = data.startswith(first[:peek], start)
                keep, off = _common(bytes(body), n, parent) if same_start else (0, 0)
                if keep == 0:
                    self._remember(key, _Items((body,), n, 0, len(body), snaps))
                    return full, None
                tail = bytes(body[off:])
                items = _Items((body,), n, parent.depth + 1, len(body), snaps)
            self._remember(key, items)
        head_bytes = msgpack.packb([base, keep], use_bin_type=True)
        return (DELTA, head_bytes + array_header(n - keep) + tail), base

    def stored_full(self, where: tuple[str, str, str], version: Any) -> None:
        """The saver stored the full value after all (the base was gone): chains restart."""
        with self._lock:
            key = (*where, str(version))
            entry = self._items.get(key)
            if entry is not None:
                self._items[key] = entry._replace(depth=0)

    # -- reading -----------------------------------------------------------------------------

    def decode(
        self,
        where: tuple[str, str, str],
        version: Any,
        blob: tuple[str, bytes],
        fetch: Fetch,
        share: bool = False,
    ) -> Any:
        """The value of a blob ``encode`` returned (or any other blob of the saver).

        Each call decodes its own objects, unless ``share``: then a list this saver stored or
        read before, whose items still equal what was stored (``live_items.unchanged``), is
        given as a new list of those same item objects (for a run that resumes the thread;
        its in-place changes are seen by the next ``encode`` and ``decode``).
        """
        key = (*where, str(version))
        if share:
            with self._lock:
                cached = self._items.get(key)
            snaps = cached.snaps if cached is not None else None
            if snaps is not None:
                objs = snaps.items()
                if unchanged(objs, snaps):
                    with self._lock:
                        self._latest[where] = key[3]
                        if key in self._items:
                            self._items.move_to_end(key)
                    return objs
        if blob[0] != DELTA:
            value = self.serde.loads_typed(blob)
            if share and blob[0] == "msgpack" and type(value) is list and len(value) >= MIN_ITEMS:
                head = array_head(blob[1])
                if head is not None:
                    body = memoryview(blob[1])[head[1] :]
                    found = _Items((body,), head[0], 0, len(body))
                    self._share(key, found, value)
            return value
        # the blob asked for is read from its bytes; the cache stands in for its bases
        items = self._items_of(where, key[3], blob, fetch, SNAPSHOT_EVERY * 4)
        # one decode of the whole list: every check of the decoder, and fresh objects
        value = self.serde.loads(array_header(items.n) + b"".join(items.chunks))
        if share and type(value) is list:
            self._share(key, items, value)
        return value

    def _share(self, key: _Key, items: _Items, value: list[Any]) -> None:
        """Keep ``value``'s objects (just decoded, handed to a run) as ``key``'s items."""
        snaps = snapshot(value)
        if snaps is None:
            return
        with self._lock:
            self._latest[key[:3]] = key[3]
            self._remember(key, items._replace(snaps=snaps))

    def holds(self, where: tuple[str, str, str], version: Any) -> bool:
        """Whether the cache holds a version's items (a delta on it reads no blob of it)."""
        with self._lock:
            return (*where, str(version)) in self._items

    def whole(
        self, where: tuple[str, str, str], version: Any, blob: tuple[str, bytes], fetch: Fetch
    ) -> tuple[str, bytes]:
        """A delta blob as the whole value's blob (bytes joined, nothing decoded), for a saver
        about to delete the bases it builds on."""
        if blob[0] != DELTA:
            return blob
        items = self._items_of(where, str(version), blob, fetch, SNAPSHOT_EVERY * 4)
        return "msgpack", array_header(items.n) + b"".join(items.chunks)

    def _items_of(
        self,
        where: tuple[str, str, str],
        version: str,
        blob: tuple[str, bytes] | None,
        fetch: Fetch,
        budget: int,
    ) -> _Items:
        """A version's items; ``blob`` None: a base, from the cache or ``fetch``."""
        key = (*where, version)
        if blob is None:
            with self._lock:
                cached = self._items.get(key)
                if cached is not None:
                    self._items.move_to_end(key)
                    return cached
            blob = fetch(version)
            if blob is None:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r}: a delta builds on version {version!r}, which is "
                    "not stored"
                )
        kind, data = blob
        if kind == "msgpack":
            head = array_head(data)
            if head is None:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r} version {version!r}: a delta builds on it, but it is "
                    "not a list"
                )
            body = memoryview(data)[head[1] :]
            items = _Items((body,), head[0], 0, len(body))
        elif kind == DELTA:
            if budget <= 0:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r} version {version!r}: its chain of deltas is too long "
                    "(or loops)"
                )
            base, keep, n_tail, tail = _parse(where[2], version, data)
            before = self._items_of(where, base, None, fetch, budget - 1)
            if keep > before.n:
                raise CheckpointDecodeError(
                    f"channel {where[2]!r} version {version!r} keeps {keep} items of version "
                    f"{base!r}, which has {before.n}"
                )
            if keep == before.n:
                chunks = (*before.chunks, tail)
            else:
                joined = b"".join(before.chunks)
                ends = item_ends(joined, before.n)
                if ends is None:
                    raise CheckpointDecodeError(
                        f"channel {where[2]!r} version {base!r}: its items are malformed"
                    )
                chunks = (joined[: ends[keep - 1]] if keep else b"", tail)
            items = _Items(chunks, keep + n_tail, before.depth + 1, sum(map(len, chunks)))
        else:
            raise CheckpointDecodeError(
                f"channel {where[2]!r} version {version!r}: a delta builds on a {kind!r} blob"
            )
        with self._lock:
            self._remember(key, items)
        return items

    # -- the cache ---------------------------------------------------------------------------

    def _remember(self, key: _Key, items: _Items) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._held -= old.size
        self._items[key] = items
        self._held += items.size
        while self._held > self._limit and len(self._items) > 1:
            gone, dropped = self._items.popitem(last=False)
            self._held -= dropped.size
            if self._latest.get(gone[:3]) == gone[3]:  # nothing left to build on
                del self._latest[gone[:3]]

    def forget(self, thread_id: str) -> None:
        """Drop what is cached for ``thread_id`` (its blobs were deleted)."""
        with self._lock:
            for key in [k for k in self._items if k[0] == thread_id]:
                self._held -= self._items.pop(key).size
            for where in [w for w in self._latest if w[0] == thread_id]:
                del self._latest[where]


def _first_items(parent: _Items, keep: int) -> bytes:
    """The bytes of the parent's first ``keep`` items."""
    joined = b"".join(parent.chunks)
    ends = item_ends(joined, parent.n)
    if ends is None:
        raise CheckpointDecodeError("a cached list's items are malformed")
    return joined[: ends[keep - 1]]


def base_of(channel: str, version: Any, blob: tuple[str, bytes]) -> str | None:
    """The version a delta blob builds on; None for a whole blob."""
    return _parse(channel, str(version), blob[1])[0] if blob[0] == DELTA else None


def _appended(data: bytes, start: int, parent: _Items) -> int | None:
    """Where the new items start in ``data`` if the parent's items are its first ones."""
    pos = start
    for chunk in parent.chunks:
        if not data.startswith(chunk, pos):
            return None
        pos += len(chunk)
    return pos


def _common(body: bytes, n: int, parent: _Items) -> tuple[int, int]:
    """How many first items the new list shares with the parent's, and where they end."""
    new_ends = item_ends(body, n)
    old = b"".join(parent.chunks)
    old_ends = item_ends(old, parent.n)
    if new_ends is None or old_ends is None:
        return 0, 0
    keep = start = 0
    for new_end, old_end in zip(new_ends, old_ends, strict=False):
        if body[start:new_end] != old[start:old_end]:
            break
        keep, start = keep + 1, new_end
    return keep, start


def _parse(channel: str, version: str, data: bytes) -> tuple[str, int, int, bytes]:
    """``(base version, items kept, items in the tail, the tail's item bytes)``."""
    unpacker = msgpack.Unpacker(max_buffer_size=max(len(data), 1024), raw=False)
    unpacker.feed(data)
    try:
        head = unpacker.unpack()
    except Exception as exc:
        raise CheckpointDecodeError(
            f"channel {channel!r} version {version!r}: a malformed delta ({exc})"
        ) from None
    rest = memoryview(data)[unpacker.tell() :]
    tail = array_head(rest)
    if (
        not isinstance(head, list)
        or len(head) != 2
        or not isinstance(head[0], str)
        or not isinstance(head[1], int)
        or head[1] < 0
        or tail is None
    ):
        raise CheckpointDecodeError(f"channel {channel!r} version {version!r}: a malformed delta")
    return head[0], head[1], tail[0], bytes(rest[tail[1] :])
