"""``PostgresCache``: the node cache in PostgreSQL, shared by every worker using the database.

Built on psycopg 3 (``pip install "langgraph-lite[postgres]"``). Each call is one statement —
one round trip, one transaction — with every namespace, key and value bound as a parameter.
A namespace is stored as its serializer encoding, as in ``SqliteCache``, so any label keeps
its namespace apart. The table is created (and migrated) by ``setup()``, which the first call
runs if nobody did; many processes may run it at once.

    from langgraph_lite.cache.postgres import PostgresCache

    with PostgresCache.from_conn_string("postgresql://user@host:5432/db") as cache:
        cache.set({(("n",), "k"): ({"v": 1}, 60)})
        cache.get([(("n",), "k")])  # {(('n',), 'k'): {'v': 1}}
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import anyio.to_thread

try:
    import psycopg
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'PostgresCache needs psycopg 3: pip install "langgraph-lite[postgres]".'
    ) from exc

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

__all__ = ["PostgresCache"]

# Each entry moves the schema one version up; setup() applies, once, the ones a database lacks.
MIGRATIONS = [
    """
    CREATE TABLE lgl_cache_entries (
        ns bytea NOT NULL,            -- the namespace, as the serializer encodes a list of str
        key text NOT NULL,
        expires_at double precision,  -- epoch seconds, NULL for never
        encoding text NOT NULL,
        value bytea NOT NULL,
        PRIMARY KEY (ns, key)
    )
    """,
]

SETUP_LOCK = "SELECT pg_advisory_xact_lock(7104366, hashtext(current_schema()))"
SETUP_TABLE = "CREATE TABLE IF NOT EXISTS lgl_cache_migrations (v integer PRIMARY KEY)"
SETUP_VERSION = "SELECT coalesce(max(v), -1) FROM lgl_cache_migrations"
SETUP_RECORD = "INSERT INTO lgl_cache_migrations (v) VALUES (%s)"

# The live entries among the keys asked for; the expired ones among them are deleted.
GET = """
WITH asked AS (
        SELECT * FROM unnest(%(ns)s::bytea[], %(keys)s::text[]) AS a(ns, key)
    ),
    gone AS (
        DELETE FROM lgl_cache_entries e USING asked a
        WHERE e.ns = a.ns AND e.key = a.key AND e.expires_at <= %(now)s
    )
SELECT e.ns, e.key, e.encoding, e.value FROM lgl_cache_entries e JOIN asked a
    ON e.ns = a.ns AND e.key = a.key
WHERE e.expires_at IS NULL OR e.expires_at > %(now)s"""

SET = """
INSERT INTO lgl_cache_entries (ns, key, expires_at, encoding, value)
SELECT * FROM unnest(%(ns)s::bytea[], %(keys)s::text[], %(expires)s::float8[],
    %(kinds)s::text[], %(values)s::bytea[])
ON CONFLICT (ns, key) DO UPDATE SET expires_at = EXCLUDED.expires_at,
    encoding = EXCLUDED.encoding, value = EXCLUDED.value"""

CLEAR_SOME = "DELETE FROM lgl_cache_entries WHERE ns = ANY(%(ns)s::bytea[])"
CLEAR_ALL = "DELETE FROM lgl_cache_entries"


class PostgresCache(BaseCache[ValueT]):
    """A cache in PostgreSQL on one ``psycopg.Connection`` (autocommit); ``from_conn_string``
    opens and closes one. The async methods run the calls in worker threads, so they work on
    asyncio and trio alike."""

    def __init__(self, conn: psycopg.Connection[Any], *, serde: MsgpackSerde | None = None) -> None:
        super().__init__(serde=serde)
        self.conn = conn
        self._lock = threading.RLock()
        self._clock: Callable[[], float] = time.time
        self._ready = False

    @classmethod
    @contextmanager
    def from_conn_string(
        cls, conn_string: str, *, serde: MsgpackSerde | None = None
    ) -> Iterator[PostgresCache[Any]]:
        """A cache on its own connection to ``conn_string``, closed after."""
        from langgraph_lite.store.postgres.base import _connect

        conn = _connect(conn_string)
        try:
            yield cls(conn, serde=serde)
        finally:
            conn.close()

    def setup(self) -> None:
        """Create or migrate the cache's table (safe to call many times, from many processes)."""
        from langgraph_lite.store.postgres.base import migrate

        with self._lock:
            migrate(self.conn, SETUP_LOCK, SETUP_TABLE, SETUP_VERSION, SETUP_RECORD, MIGRATIONS)
            self._ready = True

    def _run(self, query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            if not self._ready:
                self.setup()
            with self.conn.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description is not None else []

    def _ns(self, namespace: Namespace) -> bytes:
        return self.serde.dumps(list(namespace))

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        checked = check_keys(keys)
        if not checked:
            return {}
        by_row = {(self._ns(ns), key): (ns, key) for ns, key in checked}
        params = {
            "ns": [ns for ns, _ in by_row],
            "keys": [key for _, key in by_row],
            "now": self._clock(),
        }
        return {
            by_row[(bytes(ns), key)]: self.serde.loads_typed((kind, bytes(data)))
            for ns, key, kind, data in self._run(GET, params)
        }

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        return await anyio.to_thread.run_sync(self.get, keys)

    def set(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        rows = [
            (self._ns(ns), key, ttl, *self._encode((ns, key), value))
            for (ns, key), value, ttl in check_pairs(pairs)
        ]
        if not rows:
            return
        now = self._clock()
        self._run(
            SET,
            {
                "ns": [r[0] for r in rows],
                "keys": [r[1] for r in rows],
                "expires": [None if r[2] is None else now + r[2] for r in rows],
                "kinds": [r[3] for r in rows],
                "values": [r[4] for r in rows],
            },
        )

    async def aset(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        await anyio.to_thread.run_sync(self.set, pairs)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        checked = check_namespaces(namespaces)
        if checked is None:
            self._run(CLEAR_ALL, {})
        elif checked:
            self._run(CLEAR_SOME, {"ns": [self._ns(ns) for ns in checked]})

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        await anyio.to_thread.run_sync(self.clear, namespaces)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self.conn.close()
