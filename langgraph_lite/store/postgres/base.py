"""``PostgresStore``: the store in PostgreSQL, shared by every process and machine using it.

Built on psycopg 3 (``pip install "langgraph-lite[postgres]"``). Give it a connection string
(``from_conn_string``), a ``psycopg.Connection`` in autocommit mode or a pool; call ``setup()`` once
per database (it creates and migrates the tables; many processes may call it at once). Each
batch is one transaction. Every value — namespaces, keys, values, times, filters — is bound as
a parameter, never spliced into SQL. The layout is ``SqliteStore``'s: a namespace is its labels
joined by ``.`` (``COLLATE "C"``, so the items under a prefix are one range of the primary key),
values are JSON text, filters are decided by the same code as ``InMemoryStore``'s, vectors are
float64s and similarity is computed in Python (no ``pgvector`` needed). Its tables are named
``lgl_store_*``, apart from LangGraph's ``store`` in the same database.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio.to_thread

try:
    import psycopg
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'PostgresStore needs psycopg 3: pip install "langgraph-lite[postgres]".'
    ) from exc

from langgraph_lite.store._engine import LocalStore, Plan, Search, Stored, Write
from langgraph_lite.store._values import matches, namespace_matches
from langgraph_lite.store.base import IndexConfig, Item, ListNamespacesOp, Result, TTLConfig
from langgraph_lite.store.sqlite.base import _ns_text, _ns_tuple, _pack, _unpack

__all__ = ["PostgresStore"]

# Each entry moves the schema one version up; setup() applies, once, the ones a database lacks.
MIGRATIONS = [
    """
    CREATE TABLE lgl_store_namespaces (
        prefix text COLLATE "C" PRIMARY KEY,
        seq bigserial NOT NULL  -- the order namespaces were first put in
    );
    CREATE TABLE lgl_store_items (
        prefix text COLLATE "C" NOT NULL,  -- the namespace's labels joined by '.'
        key text NOT NULL,
        value text NOT NULL,               -- JSON
        created_at double precision NOT NULL,  -- seconds since the epoch
        updated_at double precision NOT NULL,
        expires_at double precision,       -- NULL: never
        ttl_minutes double precision,
        seq bigserial NOT NULL,            -- the order items were first put in
        PRIMARY KEY (prefix, key)
    );
    CREATE INDEX lgl_store_items_expires_at ON lgl_store_items (expires_at)
        WHERE expires_at IS NOT NULL;
    CREATE TABLE lgl_store_vectors (
        prefix text COLLATE "C" NOT NULL,
        key text NOT NULL,
        field text NOT NULL,
        embedding bytea NOT NULL,          -- little-endian float64s
        PRIMARY KEY (prefix, key, field)
    );
    """,
]

SETUP_LOCK = "SELECT pg_advisory_xact_lock(7104365, hashtext(current_schema()))"
SETUP_TABLE = "CREATE TABLE IF NOT EXISTS lgl_store_migrations (v integer PRIMARY KEY)"
SETUP_VERSION = "SELECT coalesce(max(v), -1) FROM lgl_store_migrations"
SETUP_RECORD = "INSERT INTO lgl_store_migrations (v) VALUES (%s)"

_COLUMNS = "i.prefix, i.key, i.value, i.created_at, i.updated_at, i.expires_at, i.ttl_minutes"
_LIVE = "(i.expires_at IS NULL OR i.expires_at > %s)"


def _under(prefix: tuple[str, ...], column: str = "i.prefix") -> tuple[str, list[Any]]:
    """SQL for "the namespace is ``prefix`` or below it", as a range of the key index."""
    if not prefix:
        return "true", []
    text = _ns_text(prefix)
    # '/' is the byte after '.', so [text + '.', text + '/') is exactly what lies below
    return f"({column} = %s OR ({column} >= %s AND {column} < %s))", [text, text + ".", text + "/"]


def migrate(conn: psycopg.Connection[Any], lock: str, table: str, version: str, record: str,
            migrations: list[str]) -> None:  # fmt: skip
    """Apply the ``migrations`` a database lacks, under a transaction-scoped advisory lock."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(lock)
        cur.execute(table)
        cur.execute(version)
        current = cur.fetchone()[0]  # type: ignore[index]
        for v, script in enumerate(migrations):
            if v > current:
                cur.execute(script, prepare=False)  # several statements
                cur.execute(record, (v,))


class PostgresStore(LocalStore):
    """A store in PostgreSQL, with optional semantic search and TTL.

    Use ``PostgresStore.from_conn_string(dsn)``, or pass a ``psycopg.Connection`` opened with
    ``autocommit=True`` (one batch at a time on it) or a ``psycopg_pool.ConnectionPool`` (each
    batch on a connection of its own). Call ``setup()`` once per database before the first use.
    """

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        *,
        deserializer: Callable[[str], dict[str, Any]] | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> None:
        super().__init__(index=index, ttl=ttl)
        self.conn = conn
        self.lock = threading.RLock()
        self._deserializer = deserializer

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str,
        *,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> Iterator[PostgresStore]:
        """A store on its own connection to ``conn_string``, closed after."""
        conn = _connect(conn_string)
        try:
            store = cls(conn, index=index, ttl=ttl)
        except BaseException:
            conn.close()  # a bad index or ttl: no connection left behind
            raise
        try:
            yield store
        finally:
            store.stop_ttl_sweeper(timeout=1.0)
            conn.close()

    def setup(self) -> None:
        """Create or migrate the tables (safe to call many times, from many processes)."""
        with self._connection() as conn:
            migrate(conn, SETUP_LOCK, SETUP_TABLE, SETUP_VERSION, SETUP_RECORD, MIGRATIONS)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        if isinstance(self.conn, psycopg.Connection):
            with self.lock:
                yield self.conn
        else:  # a psycopg_pool.ConnectionPool: each batch on a connection of its own
            with self.conn.connection() as conn:
                yield conn

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor[Any]]:
        with self._connection() as conn:
            try:
                with conn.transaction(), conn.cursor() as cur:
                    yield cur
            except psycopg.errors.UndefinedTable as exc:
                raise RuntimeError(
                    f"the store's tables do not exist in this database/schema "
                    f"({exc.diag.message_primary}): call store.setup() once first."
                ) from None

    async def _aexecute(self, plan: Plan) -> list[Result]:
        return await anyio.to_thread.run_sync(self._execute, plan)

    # -- one batch -------------------------------------------------------------------------

    def _execute(self, plan: Plan) -> list[Result]:
        now = plan.now
        results = plan.results
        with self._transaction() as cur:
            refresh: list[tuple[str, str]] = []
            for slot, op in plan.gets:
                cur.execute(
                    f"SELECT {_COLUMNS} FROM lgl_store_items AS i WHERE i.prefix = %s "
                    f"AND i.key = %s AND {_LIVE}",
                    (_ns_text(op.namespace), op.key, now),
                )
                row = cur.fetchone()
                if row is None:
                    continue
                stored = self._stored(row)
                if op.refresh_ttl and stored.ttl is not None:
                    refresh.append((row[0], row[1]))
                results[slot] = self._item(stored)
            for search in plan.searches:
                page = self._search(cur, search, now)
                if search.op.refresh_ttl:
                    refresh.extend((_ns_text(s.namespace), s.key) for _, s in page if s.ttl)
                results[search.slot] = [
                    stored.search_item(score, self._value(stored)) for score, stored in page
                ]
            for slot, listing in plan.lists:
                results[slot] = self._namespaces(cur, listing, now)
            if refresh:
                cur.executemany(
                    "UPDATE lgl_store_items SET expires_at = %s + ttl_minutes * 60.0 "
                    "WHERE prefix = %s AND key = %s AND ttl_minutes IS NOT NULL",
                    [(now, prefix, key) for prefix, key in refresh],
                )
            for w in plan.writes.values():
                self._apply(cur, w, now)
        return results

    def _stored(self, row: tuple[Any, ...]) -> Stored:
        prefix, key, text, created, updated, expires, ttl = row
        return Stored(
            _ns_tuple(prefix), key, text, json.loads(text), created, updated, expires, ttl
        )

    def _value(self, stored: Stored) -> dict[str, Any]:
        return stored.tree if self._deserializer is None else self._deserializer(stored.text)

    def _item(self, stored: Stored) -> Item:
        found = stored.search_item(None, self._value(stored))
        return Item(
            value=found.value,
            key=found.key,
            namespace=found.namespace,
            created_at=found.created_at,
            updated_at=found.updated_at,
        )

    def _search(
        self, cur: psycopg.Cursor[Any], search: Search, now: float
    ) -> list[tuple[float | None, Stored]]:
        op = search.op
        where, params = _under(op.namespace_prefix)
        sql = (
            f"SELECT {_COLUMNS} FROM lgl_store_items AS i JOIN lgl_store_namespaces AS n "
            f"ON n.prefix = i.prefix WHERE {where} AND {_LIVE} ORDER BY n.seq, i.seq"
        )
        params.append(now)
        # filters are decided by matches(), as in every store; without filter or query the
        # page is cut in SQL
        paged_in_sql = search.filter is None and search.query_vector is None
        if paged_in_sql:
            sql += " LIMIT %s OFFSET %s"
            params.extend([op.limit, op.offset])
        cur.execute(sql, params)
        candidates = [
            stored
            for stored in map(self._stored, cur.fetchall())
            if matches(stored.tree, search.filter)
        ]
        if paged_in_sql:
            return [(None, stored) for stored in candidates]
        vectors: dict[tuple[str, str], list[list[float]]] = {}
        if search.query_vector is not None:
            where, params = _under(op.namespace_prefix, "prefix")
            cur.execute(
                f"SELECT prefix, key, embedding FROM lgl_store_vectors WHERE {where} "
                "ORDER BY prefix, key, field",
                params,
            )
            for prefix, key, blob in cur.fetchall():
                vectors.setdefault((prefix, key), []).append(_unpack(bytes(blob)))
        return self._rank(
            search,
            [(s, vectors.get((_ns_text(s.namespace), s.key), [])) for s in candidates],
        )

    def _namespaces(
        self, cur: psycopg.Cursor[Any], op: ListNamespacesOp, now: float
    ) -> list[tuple[str, ...]]:
        sql = f"SELECT DISTINCT i.prefix FROM lgl_store_items AS i WHERE {_LIVE}"
        params: list[Any] = [now]
        for condition in op.match_conditions or ():
            if condition.match_type == "prefix" and condition.path and "*" not in condition.path:
                where, args = _under(tuple(condition.path))
                sql += f" AND {where}"
                params.extend(args)
        cur.execute(sql, params)
        found: set[tuple[str, ...]] = set()
        for (text,) in cur.fetchall():
            namespace = _ns_tuple(text)
            if all(namespace_matches(c, namespace) for c in op.match_conditions or ()):
                found.add(namespace if op.max_depth is None else namespace[: op.max_depth])
        return sorted(found)[op.offset : op.offset + op.limit]

    def _apply(self, cur: psycopg.Cursor[Any], w: Write, now: float) -> None:
        prefix = _ns_text(w.namespace)
        cur.execute("DELETE FROM lgl_store_vectors WHERE prefix = %s AND key = %s", (prefix, w.key))
        if w.text is None:
            cur.execute(
                "DELETE FROM lgl_store_items WHERE prefix = %s AND key = %s", (prefix, w.key)
            )
            return
        cur.execute(
            "INSERT INTO lgl_store_namespaces (prefix) VALUES (%s) ON CONFLICT DO NOTHING",
            (prefix,),
        )
        # an expired item makes way: the new one is created anew and goes last
        cur.execute(
            "DELETE FROM lgl_store_items WHERE prefix = %s AND key = %s AND expires_at <= %s",
            (prefix, w.key, now),
        )
        cur.execute(
            "INSERT INTO lgl_store_items (prefix, key, value, created_at, updated_at, "
            "expires_at, ttl_minutes) VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (prefix, key) DO UPDATE SET value = EXCLUDED.value, "
            "updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at, "
            "ttl_minutes = EXCLUDED.ttl_minutes",
            (prefix, w.key, w.text, now, now, self._expires(w.ttl, now), w.ttl),
        )
        if w.vectors:
            cur.executemany(
                "INSERT INTO lgl_store_vectors (prefix, key, field, embedding) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (prefix, key, field) "
                "DO UPDATE SET embedding = EXCLUDED.embedding",
                [(prefix, w.key, name, _pack(vector)) for name, vector in w.vectors],
            )

    def _sweep(self) -> int:
        now = self._clock()
        with self._transaction() as cur:
            cur.execute(
                "DELETE FROM lgl_store_vectors WHERE (prefix, key) IN (SELECT prefix, key "
                "FROM lgl_store_items WHERE expires_at <= %s)",
                (now,),
            )
            cur.execute("DELETE FROM lgl_store_items WHERE expires_at <= %s", (now,))
            return cur.rowcount

    def __del__(self) -> None:
        try:
            self.stop_ttl_sweeper(timeout=0.1)
        except Exception:
            pass


def _connect(conn_string: str) -> psycopg.Connection[Any]:
    """A connection the store (or cache) opens itself: autocommit, a connect timeout."""
    from langgraph_lite.checkpoint.postgres import connect_kwargs, unreachable

    try:
        return psycopg.Connection.connect(conn_string, **connect_kwargs(conn_string))
    except psycopg.OperationalError as exc:
        raise unreachable(conn_string, exc) from None
