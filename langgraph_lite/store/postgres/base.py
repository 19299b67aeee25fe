"""``PostgresStore``: the store in PostgreSQL, shared by every process and machine using it.

Built on psycopg 3 (``pip install "langgraph-lite[postgres]"``). Give it a connection string
(``from_conn_string``), a ``psycopg.Connection`` in autocommit mode or a pool; call ``setup()`` once
per database (it creates and migrates the tables; many processes may call it at once). Each
batch is one transaction. Every value — namespaces, keys, values, times, filters — is bound as
a parameter, never spliced into SQL. The layout and the SQL are ``langgraph_lite.store.sql``'s,
as for ``SqliteStore`` (prefixes are ``COLLATE "C"``, so the items under one are a range of the
primary key; similarity is computed in Python, no ``pgvector`` needed). Its tables are named
``lgl_store_*``, apart from LangGraph's ``store`` in the same database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypedDict

try:
    import psycopg
    from psycopg.rows import tuple_row
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'PostgresStore needs psycopg 3: pip install "langgraph-lite[postgres]".'
    ) from exc

from langgraph_lite.checkpoint.postgres._cursor import commands, settle
from langgraph_lite.store.base import IndexConfig, TTLConfig
from langgraph_lite.store.sql import Dialect, SqlStore

__all__ = ["PoolConfig", "PostgresStore"]

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

POSTGRES = Dialect(
    placeholder="%s",
    items="lgl_store_items",
    namespaces="lgl_store_namespaces",
    vectors="lgl_store_vectors",
    order="n.seq, i.seq",
)


class PoolConfig(TypedDict, total=False):
    """The pool ``PostgresStore.from_conn_string(dsn, pool_config=...)`` opens: its
    ``min_size`` (default 1) and ``max_size`` (default: ``min_size``, as psycopg_pool has it)
    in connections, and ``kwargs`` for each connection (``autocommit=True`` is always set)."""

    min_size: int
    max_size: int | None
    kwargs: dict[str, Any]


def _connect(conn_string: str) -> psycopg.Connection[Any]:
    """A connection the store (or cache) opens itself: autocommit, a connect timeout."""
    from langgraph_lite.checkpoint.postgres import connect_kwargs, unreachable

    try:
        return psycopg.Connection.connect(conn_string, **connect_kwargs(conn_string))
    except psycopg.OperationalError as exc:
        raise unreachable(conn_string, exc) from None


def migrate(conn: psycopg.Connection[Any], lock: int, table: str, migrations: list[str]) -> None:
    """Apply the ``migrations`` a database lacks, recorded in ``table``, under an advisory lock
    (keys: ``lock`` and the schema's hash) held for the transaction: processes starting
    together migrate one after another, each migration once (used by the cache too)."""
    with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
        cur.execute(f"SELECT pg_advisory_xact_lock({lock}, hashtext(current_schema()))")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {table} (v integer PRIMARY KEY)")
        cur.execute(f"SELECT coalesce(max(v), -1) FROM {table}")
        current = cur.fetchone()[0]  # type: ignore[index]
        for v, script in enumerate(migrations):
            if v > current:
                for command in commands(script):
                    cur.execute(command)
                cur.execute(f"INSERT INTO {table} (v) VALUES (%s)", (v,))


class PostgresStore(SqlStore):
    """A store in PostgreSQL, with optional semantic search and TTL.

    Use ``PostgresStore.from_conn_string(dsn)`` (with ``pipeline=True``, its connection in
    pipeline mode; with ``pool_config=PoolConfig(max_size=10)``, a pool of its own), or pass a
    ``psycopg.Connection`` opened with ``autocommit=True`` (one batch at a time on it, in
    pipeline mode or not) or a ``psycopg_pool.ConnectionPool`` (each batch on a connection of
    its own). Call ``setup()`` once per database before the first use.
    """

    dialect = POSTGRES
    _connect = staticmethod(_connect)

    def __init__(
        self,
        conn: Any,
        *,
        pipe: Any = None,
        deserializer: Callable[[str], dict[str, Any]] | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> None:
        super().__init__(conn, deserializer=deserializer, index=index, ttl=ttl)
        self.pipe = pipe  # LangGraph's argument; a connection in pipeline mode needs nothing

    def _rowcount(self, cur: Any) -> int:
        return int(settle(cur).rowcount)  # in pipeline mode, known once the pipeline syncs

    @classmethod
    @contextmanager
    def _open(
        cls,
        conn_string: str,
        *,
        pipeline: bool = False,
        pool_config: PoolConfig | None = None,
        **unknown: Any,
    ) -> Iterator[Any]:
        if unknown:
            raise TypeError(
                f"PostgresStore.from_conn_string() takes no argument named "
                f"{', '.join(map(repr, unknown))}: it takes conn_string, pipeline, pool_config, "
                "index and ttl."
            )
        if pool_config is not None:  # a pool, whatever ``pipeline`` says (as in LangGraph)
            with _pool(conn_string, pool_config) as pool:
                yield pool
            return
        conn = _connect(conn_string)
        try:
            if pipeline:
                with conn.pipeline():
                    yield conn
            else:
                yield conn
        finally:
            conn.close()

    def setup(self) -> None:
        """Create or migrate the tables (safe to call many times, from many processes)."""
        with borrow(self.conn, self.lock) as conn:
            migrate(conn, 7104365, "lgl_store_migrations", MIGRATIONS)

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[psycopg.Cursor[Any]]:
        with borrow(self.conn, self.lock) as conn:
            try:
                with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
                    yield cur
            except psycopg.errors.UndefinedTable as exc:
                raise RuntimeError(
                    f"the store's tables do not exist in this database/schema "
                    f"({exc.diag.message_primary}): call store.setup() once first."
                ) from None


@contextmanager
def _pool(conn_string: str, config: PoolConfig) -> Iterator[Any]:
    from langgraph_lite.checkpoint.postgres import CONNECT_TIMEOUT, connect_kwargs, unreachable

    try:
        from psycopg_pool import ConnectionPool, PoolTimeout
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'pool_config needs psycopg_pool: pip install "langgraph-lite[postgres]".'
        ) from exc
    options = dict(config)
    unknown = set(options) - {"min_size", "max_size", "kwargs"}
    if unknown:
        raise TypeError(f"pool_config takes min_size, max_size and kwargs, not {sorted(unknown)}.")
    kwargs = {**connect_kwargs(conn_string), **(options.get("kwargs") or {}), "autocommit": True}
    pool = ConnectionPool(
        conn_string,
        min_size=options.get("min_size", 1),
        max_size=options.get("max_size"),
        kwargs=kwargs,
        open=False,
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT)
    except PoolTimeout as exc:
        pool.close()
        raise unreachable(conn_string, exc) from None
    except BaseException:
        pool.close()  # (no pool threads left behind)
        raise
    with pool:
        yield pool


@contextmanager
def borrow(conn: Any, lock: threading.RLock) -> Iterator[psycopg.Connection[Any]]:
    """``conn`` itself, held under ``lock``, or, from a ``psycopg_pool.ConnectionPool``, a
    connection of its own (used by the cache too)."""
    if isinstance(conn, psycopg.Connection):
        with lock:
            yield conn
    else:
        with conn.connection() as pooled:
            yield pooled
