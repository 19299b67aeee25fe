"""``InMemoryCache``: the node cache in a dict, for one process.

>>> from langgraph_lite.cache.memory import InMemoryCache
>>> cache = InMemoryCache()
>>> cache.set({(("n",), "k"): ((1, 2), None)})
>>> cache.get([(("n",), "k")])
{(('n',), 'k'): (1, 2)}
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence

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

__all__ = ["InMemoryCache"]


class InMemoryCache(BaseCache[ValueT]):
    """A cache in this process's memory; values are kept encoded, so a hit is a fresh copy."""

    def __init__(self, *, serde: MsgpackSerde | None = None) -> None:
        super().__init__(serde=serde)
        # namespace -> key -> (format, bytes, expires at (epoch seconds) or None)
        self._cache: dict[Namespace, dict[str, tuple[str, bytes, float | None]]] = {}
        self._lock = threading.RLock()
        self._clock: Callable[[], float] = time.time

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        checked = check_keys(keys)
        found: dict[FullKey, ValueT] = {}
        with self._lock:
            now = self._clock()
            for namespace, key in checked:
                entries = self._cache.get(namespace)
                entry = None if entries is None else entries.get(key)
                if entry is None:
                    continue
                kind, data, expires = entry
                if expires is not None and expires <= now:
                    del entries[key]  # type: ignore[union-attr]
                    continue
                found[(namespace, key)] = self.serde.loads_typed((kind, data))
        return found

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        return self.get(keys)

    def set(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        encoded = [(key, self._encode(key, value), ttl) for key, value, ttl in check_pairs(pairs)]
        with self._lock:
            now = self._clock()
            for (namespace, key), (kind, data), ttl in encoded:
                expires = None if ttl is None else now + ttl
                self._cache.setdefault(namespace, {})[key] = (kind, data, expires)

    async def aset(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        self.set(pairs)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        checked = check_namespaces(namespaces)
        with self._lock:
            if checked is None:
                self._cache.clear()
            else:
                for namespace in checked:
                    self._cache.pop(namespace, None)

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        self.clear(namespaces)
