"""``SqliteCache``: the node cache in a SQLite file, shared by the processes that open it.

WAL mode, one transaction per call, every value bound as a parameter. A namespace is stored as
its serializer encoding, so any label (commas included) keeps its namespace apart.

>>> from langgraph_lite.cache.sqlite import SqliteCache
>>> cache = SqliteCache(path=":memory:")
>>> cache.set({(("n",), "k"): ({"v": 1}, 60)})
>>> cache.get([(("n",), "k")])
{(('n',), 'k'): {'v': 1}}
>>> cache.close()
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

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

__all__ = ["SqliteCache"]

# Each entry moves the schema one version up; applied under BEGIN IMMEDIATE, once per file.
MIGRATIONS = [
    """
    CREATE TABLE IF NOT EXISTS cache_entries (
        ns BLOB NOT NULL,        -- the namespace, as the serializer encodes a list of str
        key TEXT NOT NULL,
        expires_at REAL,         -- epoch seconds, NULL for never
        encoding TEXT NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (ns, key)
    )
    """,
]

_CHUNK = 400  # keys per query: well under SQLite's limit on bound parameters


class SqliteCache(BaseCache[ValueT]):
    """A cache in one SQLite file (or ``":memory:"``); ``close()`` when done with it."""

    def __init__(self, *, path: str, serde: MsgpackSerde | None = None) -> None:
        super().__init__(serde=serde)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._clock: Callable[[], float] = time.time
        self._setup()

    def _setup(self) -> None:
        cur = self._conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("CREATE TABLE IF NOT EXISTS cache_migrations (v INTEGER PRIMARY KEY)")
        for v, script in enumerate(MIGRATIONS):
            with self._transaction() as tx:
                if tx.execute("SELECT 1 FROM cache_migrations WHERE v = ?", (v,)).fetchone():
                    continue
                for statement in filter(str.strip, script.split(";")):
                    tx.execute(statement)
                tx.execute("INSERT INTO cache_migrations (v) VALUES (?)", (v,))

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def _ns(self, namespace: Namespace) -> bytes:
        return self.serde.dumps(list(namespace))

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        checked = check_keys(keys)
        if not checked:
            return {}
        by_row = {(self._ns(ns), key): (ns, key) for ns, key in checked}
        rows = list(by_row)
        found: dict[FullKey, ValueT] = {}
        with self._transaction() as cur:
            now = self._clock()
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start : start + _CHUNK]
                marks = ", ".join("(?, ?)" for _ in chunk)
                params = [p for row in chunk for p in row]
                expired = []
                for ns, key, expires, kind, data in cur.execute(
                    "SELECT ns, key, expires_at, encoding, value FROM cache_entries "
                    f"WHERE (ns, key) IN (VALUES {marks})",
                    params,
                ).fetchall():
                    if expires is not None and expires <= now:
                        expired.append((ns, key))
                        continue
                    found[by_row[(ns, key)]] = self.serde.loads_typed((kind, data))
                cur.executemany("DELETE FROM cache_entries WHERE ns = ? AND key = ?", expired)
        return found

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        return await anyio.to_thread.run_sync(self.get, keys)

    def set(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        encoded = [
            (self._ns(ns), key, ttl, *self._encode((ns, key), value))
            for (ns, key), value, ttl in check_pairs(pairs)
        ]
        with self._transaction() as cur:
            now = self._clock()
            cur.executemany(
                "INSERT OR REPLACE INTO cache_entries (ns, key, expires_at, encoding, value) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (ns, key, None if ttl is None else now + ttl, kind, data)
                    for ns, key, ttl, kind, data in encoded
                ],
            )

    async def aset(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        await anyio.to_thread.run_sync(self.set, pairs)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        checked = check_namespaces(namespaces)
        with self._transaction() as cur:
            if checked is None:
                cur.execute("DELETE FROM cache_entries")
            else:
                cur.executemany(
                    "DELETE FROM cache_entries WHERE ns = ?", [(self._ns(ns),) for ns in checked]
                )

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        await anyio.to_thread.run_sync(self.clear, namespaces)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __del__(self) -> None:
        try:
            self._conn.close()
        except Exception:
            pass
