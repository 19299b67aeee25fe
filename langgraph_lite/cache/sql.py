"""``SqlCache``: the node cache in one SQL table, once for every database.

The table holds ``(ns, key, expires_at, encoding, value)``: a namespace is stored as its
serializer encoding, so any label (commas included) keeps its namespace apart, and a value as
the serializer's ``(encoding, bytes)``. Checking, encoding, decoding and the async methods are
here; ``SqliteCache`` and ``PostgresCache`` give the three statements (read the live entries
and drop the expired ones, upsert, delete) and their connections. The async methods run the
calls in worker threads, so they work on asyncio and trio alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import anyio.to_thread

from langgraph_lite.cache.base import (
    BaseCache,
    FullKey,
    Namespace,
    ValueT,
    check_keys,
    check_namespaces,
    check_pairs,
)
from langgraph_lite.checkpoint.serde import MsgpackSerde

__all__ = ["SqlCache"]

Row = tuple[bytes, str, "float | None", str, bytes]  # ns, key, expires_at, encoding, value


class SqlCache(BaseCache[ValueT]):
    """A cache in a SQL table; a subclass runs ``_select``, ``_upsert`` and ``_delete``."""

    def __init__(self, *, serde: MsgpackSerde | None = None) -> None:
        super().__init__(serde=serde)
        self._lock = threading.RLock()
        self._clock: Callable[[], float] = time.time

    def _select(self, rows: list[tuple[bytes, str]], now: float) -> Iterable[tuple[Any, ...]]:
        """``(ns, key, encoding, value)`` of the entries among ``rows`` live at ``now``; the
        expired ones among them are deleted."""
        raise NotImplementedError

    def _upsert(self, rows: list[Row]) -> None:
        """Insert the rows, or replace the entries of their ``(ns, key)``."""
        raise NotImplementedError

    def _delete(self, namespaces: list[bytes] | None) -> None:
        """Delete the entries in ``namespaces`` (encoded), or all of them when ``None``."""
        raise NotImplementedError

    def _ns(self, namespace: Namespace) -> bytes:
        return self.serde.dumps(list(namespace))

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        checked = check_keys(keys)
        if not checked:
            return {}
        by_row = {(self._ns(ns), key): (ns, key) for ns, key in checked}
        return {
            by_row[(bytes(ns), key)]: self.serde.loads_typed((kind, bytes(data)))
            for ns, key, kind, data in self._select(list(by_row), self._clock())
        }

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        return await anyio.to_thread.run_sync(self.get, keys)

    def set(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        encoded = [
            (self._ns(ns), key, ttl, *self._encode((ns, key), value))
            for (ns, key), value, ttl in check_pairs(pairs)
        ]
        if encoded:
            now = self._clock()
            self._upsert(
                [
                    (ns, key, None if ttl is None else now + ttl, kind, data)
                    for ns, key, ttl, kind, data in encoded
                ]
            )

    async def aset(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        await anyio.to_thread.run_sync(self.set, pairs)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        checked = check_namespaces(namespaces)
        if checked is None or checked:
            self._delete(None if checked is None else [self._ns(ns) for ns in checked])

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        await anyio.to_thread.run_sync(self.clear, namespaces)
