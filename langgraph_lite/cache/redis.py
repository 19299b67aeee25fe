"""``RedisCache``: the node cache in Redis, shared by every process that uses the server.

Give it a ``redis.Redis`` client (``pip install redis``); ``prefix`` starts every key it
writes, so several caches (or other data) can share a database. A value is stored under
``<prefix>|<namespace>|<key>`` (each namespace part marked and percent-quoted, so no
namespace or key can reach into another's keys, and ``clear`` into another prefix's) as its
serialized form and the time it expires. Expiry is decided when
a value is read, by this cache's clock, as for the other caches; Redis also drops each value
a minute after it expired (``PX``), so nothing stays behind. The async methods run the client
in a worker thread (asyncio and trio alike).

>>> import redis  # doctest: +SKIP
>>> cache = RedisCache(redis.Redis.from_url("redis://localhost:6379/0"))  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import anyio.to_thread
import msgpack  # type: ignore[import-untyped]

from langgraph_lite.cache.base import (
    BaseCache,
    FullKey,
    Namespace,
    ValueT,
    check_keys,
    check_namespaces,
    check_pairs,
)
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde

__all__ = ["RedisCache"]

LINGER_MS = 60_000
"""How long after a value expired Redis keeps it (the cache's own clock decides expiry)."""


_DELETE_IF_SAME = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


class RedisCache(BaseCache[ValueT]):
    """A node cache in Redis (module docstring); ``redis`` is a ``redis.Redis`` client."""

    def __init__(
        self, redis: Any, *, serde: MsgpackSerde | None = None, prefix: str = "langgraph:cache:"
    ) -> None:
        super().__init__(serde=serde)
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
        self.redis = redis
        self.prefix = prefix
        self._clock: Callable[[], float] = time.time

    def _key(self, namespace: Namespace, key: str) -> str:
        return f"{self.prefix}|{_namespace(namespace)}|{quote(key, safe='')}"

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        checked = check_keys(keys)
        if not checked:
            return {}
        stored = self.redis.mget([self._key(ns, key) for ns, key in checked])
        now = self._clock()
        found: dict[FullKey, ValueT] = {}
        expired = []
        for full, raw in zip(checked, stored, strict=True):
            if raw is None:
                continue
            try:
                kind, data, expires = msgpack.unpackb(raw, use_list=False)
            except Exception as exc:
                raise CheckpointDecodeError(
                    f"the cached entry for {full!r} in Redis is not one this cache wrote "
                    f"({exc}); clear it with cache.clear([{full[0]!r}])."
                ) from None
            if expires is None or expires > now:
                found[full] = self.serde.loads_typed((kind, data))
            else:
                expired.append((self._key(*full), raw))
        for key, raw in expired:  # gone once read expired (unless set again meanwhile)
            self.redis.eval(_DELETE_IF_SAME, 1, key, raw)
        return found

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        return await anyio.to_thread.run_sync(self.get, keys)

    def set(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        entries = [(key, self._encode(key, value), ttl) for key, value, ttl in check_pairs(pairs)]
        if not entries:
            return
        now = self._clock()
        pipe = self.redis.pipeline(transaction=True)
        for (namespace, key), (kind, data), ttl in entries:
            expires = None if ttl is None else now + ttl
            raw = msgpack.packb((kind, data, expires), use_bin_type=True)
            linger = None if ttl is None or math.isinf(ttl) else int(ttl * 1000) + LINGER_MS
            pipe.set(self._key(namespace, key), raw, px=linger)
        pipe.execute()

    async def aset(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        await anyio.to_thread.run_sync(self.set, pairs)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        checked = check_namespaces(namespaces)
        patterns = (
            [_glob(self.prefix) + "|*"]
            if checked is None
            else [f"{_glob(self.prefix)}|{_namespace(ns)}|*" for ns in checked]
        )
        for pattern in patterns:
            for batch in _batches(self.redis.scan_iter(match=pattern, count=500), 500):
                self.redis.delete(*batch)

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        await anyio.to_thread.run_sync(self.clear, namespaces)


def _namespace(namespace: Namespace) -> str:
    # each part '~' and its percent-quoted text, joined by ',': '|', ',' and the glob
    # characters never appear raw, and () and ("",) differ
    return ",".join("~" + quote(part, safe="") for part in namespace)


def _glob(text: str) -> str:
    """``text`` matched literally by a Redis ``MATCH`` pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
