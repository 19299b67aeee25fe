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

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:
    import psycopg  # noqa: F401 - here for the clear error below
    from psycopg.rows import tuple_row
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'PostgresCache needs psycopg 3: pip install "langgraph-lite[postgres]".'
    ) from exc

from langgraph_lite.cache.base import ValueT
from langgraph_lite.cache.sql import Row, SqlCache
from langgraph_lite.checkpoint.postgres._cursor import rows
from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.store.postgres.base import _connect, borrow, migrate

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


class PostgresCache(SqlCache[ValueT]):
    """A cache in PostgreSQL on a ``psycopg.Connection`` (autocommit; one call at a time on
    it) or a ``psycopg_pool.ConnectionPool`` (each call on a connection of its own);
    ``from_conn_string`` opens and closes a connection."""

    def __init__(self, conn: Any, *, serde: MsgpackSerde | None = None) -> None:
        super().__init__(serde=serde)
        self.conn = conn
        self._ready = False

    @classmethod
    @contextmanager
    def from_conn_string(
        cls, conn_string: str, *, serde: MsgpackSerde | None = None
    ) -> Iterator[PostgresCache[Any]]:
        """A cache on its own connection to ``conn_string``, closed after."""
        conn = _connect(conn_string)
        try:
            yield cls(conn, serde=serde)
        finally:
            conn.close()

    def setup(self) -> None:
        """Create or migrate the cache's table (safe to call many times, from many processes)."""
        with self._lock, borrow(self.conn, self._lock) as conn:
            migrate(conn, 7104366, "lgl_cache_migrations", MIGRATIONS)
            self._ready = True

    def _run(self, query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        if not self._ready:
            self.setup()
        with borrow(self.conn, self._lock) as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(query, params)
            return rows(cur)

    def _select(self, rows: list[tuple[bytes, str]], now: float) -> list[tuple[Any, ...]]:
        return self._run(
            GET, {"ns": [r[0] for r in rows], "keys": [r[1] for r in rows], "now": now}
        )

    def _upsert(self, rows: list[Row]) -> None:
        columns = ("ns", "keys", "expires", "kinds", "values")
        self._run(SET, {name: [r[i] for r in rows] for i, name in enumerate(columns)})

    def _delete(self, namespaces: list[bytes] | None) -> None:
        if namespaces is None:
            self._run(CLEAR_ALL, {})
        else:
            self._run(CLEAR_SOME, {"ns": namespaces})

    def close(self) -> None:
        """Close the database connection (or the pool)."""
        with self._lock:
            self.conn.close()
