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
from collections.abc import Iterable
from typing import Any

from langgraph_lite.cache.base import ValueT
from langgraph_lite.cache.sql import Row, SqlCache
from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.store.sqlite.base import migrate, transaction

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


class SqliteCache(SqlCache[ValueT]):
    """A cache in one SQLite file (or ``":memory:"``); ``close()`` when done with it."""

    def __init__(self, *, path: str, serde: MsgpackSerde | None = None) -> None:
        super().__init__(serde=serde)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        migrate(self._conn, self._lock, "cache_migrations", MIGRATIONS)

    def _select(self, rows: list[tuple[bytes, str]], now: float) -> Iterable[tuple[Any, ...]]:
        found = []
        with transaction(self._conn, self._lock) as cur:
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start : start + _CHUNK]
                marks = ", ".join("(?, ?)" for _ in chunk)
                expired = []
                for ns, key, expires, kind, data in cur.execute(
                    "SELECT ns, key, expires_at, encoding, value FROM cache_entries "
                    f"WHERE (ns, key) IN (VALUES {marks})",
                    [p for row in chunk for p in row],
                ).fetchall():
                    if expires is not None and expires <= now:
                        expired.append((ns, key))
                    else:
                        found.append((ns, key, kind, data))
                cur.executemany("DELETE FROM cache_entries WHERE ns = ? AND key = ?", expired)
        return found

    def _upsert(self, rows: list[Row]) -> None:
        with transaction(self._conn, self._lock) as cur:
            cur.executemany(
                "INSERT OR REPLACE INTO cache_entries (ns, key, expires_at, encoding, value) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def _delete(self, namespaces: list[bytes] | None) -> None:
        with transaction(self._conn, self._lock) as cur:
            if namespaces is None:
                cur.execute("DELETE FROM cache_entries")
            else:
                cur.executemany(
                    "DELETE FROM cache_entries WHERE ns = ?", [(ns,) for ns in namespaces]
                )

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __del__(self) -> None:
        try:
            self._conn.close()
        except Exception:
            pass
