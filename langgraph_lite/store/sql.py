"""The store in SQL, once for every database: ``SqlStore``, and ``AsyncSqlStore`` for async code.

``SqliteStore`` and ``PostgresStore`` keep one layout. A namespace is its labels joined by
``.`` (labels hold no dots), so the items under a prefix are one range of the primary key;
values are JSON text; filters are decided by the same code as ``InMemoryStore``'s, after SQL
has narrowed the rows, so a filter means the same in every store; vectors are little-endian
float64 blobs and similarity is computed in Python. Every value is bound as a parameter, never
spliced into SQL. What differs between the databases is a ``Dialect`` (placeholder, table
names, how rows keep the order they were first put in, what SQL can narrow a filter with);
their modules hold only that, the connection handling and the migrations. Each batch is one
transaction; the statements below are written with ``?`` and ``{items}``-style table names.
"""

from __future__ import annotations

import concurrent.futures
import functools
import json
import struct
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

import anyio.to_thread
from typing_extensions import Self

from langgraph_lite.store._engine import LocalStore, Plan, Search, Stored, Write
from langgraph_lite.store._values import matches, namespace_matches
from langgraph_lite.store.base import IndexConfig, ListNamespacesOp, Result, TTLConfig

__all__ = ["AsyncSqlStore", "Dialect", "SqlStore"]


@dataclass(frozen=True)
class Dialect:
    """What one database's SQL needs that another's does not."""

    placeholder: str  # for a bound value: "?" or "%s"
    items: str  # the table names
    namespaces: str
    vectors: str
    order: str  # ORDER BY for "namespace first put in, then item first put in" (n., i.)
    # SQL (with two placeholders: key, string) keeping rows whose JSON value holds that string
    # at that top-level key; None: filters are decided in Python only
    string_filter: str | None = None


@functools.lru_cache(maxsize=256)
def _compile(dialect: Dialect, template: str) -> str:
    return template.format(
        items=dialect.items,
        namespaces=dialect.namespaces,
        vectors=dialect.vectors,
        order=dialect.order,
    ).replace("?", dialect.placeholder)


_COLUMNS = "i.prefix, i.key, i.value, i.created_at, i.updated_at, i.expires_at, i.ttl_minutes"
_LIVE = "(i.expires_at IS NULL OR i.expires_at > ?)"
_GET = f"SELECT {_COLUMNS} FROM {{items}} AS i WHERE i.prefix = ? AND i.key = ? AND {_LIVE}"
_SEARCH = (
    f"SELECT {_COLUMNS} FROM {{items}} AS i JOIN {{namespaces}} AS n ON n.prefix = i.prefix "
    f"WHERE {{where}} AND {_LIVE}"
)
_VECTORS = "SELECT prefix, key, embedding FROM {vectors} WHERE {where} ORDER BY prefix, key, field"
_REFRESH = (
    "UPDATE {items} SET expires_at = ? + ttl_minutes * 60.0 "
    "WHERE prefix = ? AND key = ? AND ttl_minutes IS NOT NULL"
)
_PUT_NAMESPACE = "INSERT INTO {namespaces} (prefix) VALUES (?) ON CONFLICT DO NOTHING"
_PUT = (
    "INSERT INTO {items} (prefix, key, value, created_at, updated_at, expires_at, ttl_minutes) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prefix, key) DO UPDATE SET "
    "value = excluded.value, updated_at = excluded.updated_at, "
    "expires_at = excluded.expires_at, ttl_minutes = excluded.ttl_minutes"
)
_PUT_VECTOR = (
    "INSERT INTO {vectors} (prefix, key, field, embedding) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (prefix, key, field) DO UPDATE SET embedding = excluded.embedding"
)
_SWEEP_VECTORS = (
    "DELETE FROM {vectors} WHERE (prefix, key) IN "
    "(SELECT prefix, key FROM {items} WHERE expires_at <= ?)"
)


def _ns_text(namespace: tuple[str, ...]) -> str:
    return ".".join(namespace)


def _ns_tuple(text: str) -> tuple[str, ...]:
    return tuple(text.split(".")) if text else ()


def _under(prefix: tuple[str, ...], column: str = "i.prefix") -> tuple[str, list[Any]]:
    """SQL for "the namespace is ``prefix`` or below it", as a range of the key index."""
    if not prefix:
        return "1 = 1", []
    text = _ns_text(prefix)
    # '/' is the character after '.', so [text + '.', text + '/') is exactly what lies below
    # (in PostgreSQL the column is COLLATE "C" for that)
    return f"({column} = ? OR ({column} >= ? AND {column} < ?))", [text, text + ".", text + "/"]


def _pack(vector: list[float]) -> bytes:
    return struct.pack(f"<{len(vector)}d", *vector)


def _unpack(blob: bytes) -> list[float]:
    return list(struct.unpack(f"<{len(blob) // 8}d", blob))


class SqlStore(LocalStore):
    """A store in a SQL database; a subclass gives its ``dialect``, ``_connect`` and
    ``_transaction``. ``deserializer`` (JSON text -> value) replaces ``json.loads`` for values
    handed back; filters still see the JSON."""

    dialect: ClassVar[Dialect]

    def __init__(
        self,
        conn: Any,
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
    def _connect(cls, conn_string: str) -> Any:
        raise NotImplementedError

    @classmethod
    @contextmanager
    def _open(cls, conn_string: str, **options: Any) -> Iterator[Any]:
        """The connection (or pool) ``from_conn_string`` gives a new store, closed after;
        ``options`` are the database's own (PostgreSQL: ``pipeline``, ``pool_config``)."""
        if options:
            raise TypeError(
                f"{cls.__name__}.from_conn_string() takes no argument named "
                f"{', '.join(map(repr, options))}: it takes conn_string, index and ttl."
            )
        conn = cls._connect(conn_string)
        try:
            yield conn
        finally:
            conn.close()

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str,
        *,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
        **options: Any,
    ) -> Iterator[Self]:
        """A store on its own connection to ``conn_string``, closed after; ``options`` are
        the database's own (``PostgresStore``: ``pipeline=True``, ``pool_config={...}``)."""
        with cls._open(conn_string, **options) as conn:
            store = cls(conn, index=index, ttl=ttl)
            try:
                yield store
            finally:
                LocalStore.stop_ttl_sweeper(store, timeout=1.0)

    def setup(self) -> None:
        """Create or migrate the tables (safe to call many times, from many processes)."""
        raise NotImplementedError

    def _transaction(self, write: bool) -> AbstractContextManager[Any]:
        """A cursor in one transaction; ``write``: the batch may write."""
        raise NotImplementedError

    def _run(self, cur: Any, template: str, params: Any) -> Any:
        return cur.execute(_compile(self.dialect, template), params)

    async def _aexecute(self, plan: Plan) -> list[Result]:
        return await anyio.to_thread.run_sync(self._execute, plan)

    # -- one batch -------------------------------------------------------------------------

    def _execute(self, plan: Plan) -> list[Result]:
        now = plan.now
        results = plan.results
        write = (
            bool(plan.writes)
            or any(op.refresh_ttl for _, op in plan.gets)
            or any(s.op.refresh_ttl for s in plan.searches)
        )
        with self._transaction(write) as cur:
            refresh: list[tuple[str, str]] = []
            for slot, op in plan.gets:
                row = self._run(cur, _GET, (_ns_text(op.namespace), op.key, now)).fetchone()
                if row is None:
                    continue
                stored = self._stored(row)
                if op.refresh_ttl and stored.ttl is not None:
                    refresh.append((row[0], row[1]))
                results[slot] = stored.item(self._value(stored))
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
                    _compile(self.dialect, _REFRESH),
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

    def _search(self, cur: Any, search: Search, now: float) -> list[tuple[float | None, Stored]]:
        op = search.op
        where, params = _under(op.namespace_prefix)
        sql = _SEARCH.replace("{where}", where)
        params.append(now)
        narrowing = self.dialect.string_filter
        for key, condition in (search.filter or {}).items():
            # narrow in SQL where that is exact for a plain string; matches() decides
            if narrowing is not None and isinstance(condition, str):
                sql += f" AND {narrowing}"
                params.extend([key, condition])
        sql += " ORDER BY {order}"
        paged_in_sql = search.filter is None and search.query_vector is None
        if paged_in_sql:
            sql += " LIMIT ? OFFSET ?"
            params.extend([op.limit, op.offset])
        candidates = [
            stored
            for stored in map(self._stored, self._run(cur, sql, params).fetchall())
            if matches(stored.tree, search.filter)
        ]
        if paged_in_sql:
            return [(None, stored) for stored in candidates]
        vectors: dict[tuple[str, str], list[list[float]]] = {}
        if search.query_vector is not None:
            where, params = _under(op.namespace_prefix, "prefix")
            for prefix, key, blob in self._run(cur, _VECTORS.replace("{where}", where), params):
                vectors.setdefault((prefix, key), []).append(_unpack(bytes(blob)))
        return self._rank(
            search,
            [(s, vectors.get((_ns_text(s.namespace), s.key), [])) for s in candidates],
        )

    def _namespaces(self, cur: Any, op: ListNamespacesOp, now: float) -> list[tuple[str, ...]]:
        sql = f"SELECT DISTINCT i.prefix FROM {{items}} AS i WHERE {_LIVE}"
        params: list[Any] = [now]
        for condition in op.match_conditions or ():
            if condition.match_type == "prefix" and condition.path and "*" not in condition.path:
                where, args = _under(tuple(condition.path))
                sql += f" AND {where}"
                params.extend(args)
        found: set[tuple[str, ...]] = set()
        for (text,) in self._run(cur, sql, params).fetchall():
            namespace = _ns_tuple(text)
            if all(namespace_matches(c, namespace) for c in op.match_conditions or ()):
                found.add(namespace if op.max_depth is None else namespace[: op.max_depth])
        return sorted(found)[op.offset : op.offset + op.limit]

    def _apply(self, cur: Any, w: Write, now: float) -> None:
        prefix = _ns_text(w.namespace)
        self._run(cur, "DELETE FROM {vectors} WHERE prefix = ? AND key = ?", (prefix, w.key))
        if w.text is None:
            self._run(cur, "DELETE FROM {items} WHERE prefix = ? AND key = ?", (prefix, w.key))
            return
        self._run(cur, _PUT_NAMESPACE, (prefix,))
        # an expired item makes way: the new one is created anew and goes last
        self._run(
            cur,
            "DELETE FROM {items} WHERE prefix = ? AND key = ? AND expires_at <= ?",
            (prefix, w.key, now),
        )
        expires = self._expires(w.ttl, now)
        self._run(cur, _PUT, (prefix, w.key, w.text, now, now, expires, w.ttl))
        if w.vectors:
            cur.executemany(
                _compile(self.dialect, _PUT_VECTOR),
                [(prefix, w.key, name, _pack(vector)) for name, vector in w.vectors],
            )

    def _sweep(self) -> int:
        now = self._clock()
        with self._transaction(True) as cur:
            self._run(cur, _SWEEP_VECTORS, (now,))
            return self._rowcount(
                self._run(cur, "DELETE FROM {items} WHERE expires_at <= ?", (now,))
            )

    def _rowcount(self, cur: Any) -> int:
        """How many rows the statement ``cur`` ran changed."""
        return int(cur.rowcount)

    def __del__(self) -> None:
        try:
            LocalStore.stop_ttl_sweeper(self, timeout=0.1)
        except Exception:
            pass


class AsyncSqlStore(SqlStore):
    """Put before a ``SqlStore`` subclass: its ``from_conn_string``, ``setup``, ``sweep_ttl``
    and sweeper controls become async. Statements run in worker threads, so it works on
    asyncio and trio alike."""

    @classmethod
    @asynccontextmanager
    async def from_conn_string(  # type: ignore[override]
        cls,
        conn_string: str,
        *,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
        **options: Any,
    ) -> AsyncIterator[Self]:
        """A store on its own connection to ``conn_string``, closed after; ``options`` as for
        the sync ``from_conn_string``."""
        opened = cls._open(conn_string, **options)
        conn = await anyio.to_thread.run_sync(opened.__enter__)
        raised: tuple[Any, Any, Any] = (None, None, None)
        try:
            store = cls(conn, index=index, ttl=ttl)
            try:
                yield store
            finally:
                await anyio.to_thread.run_sync(store.stop_ttl_sweeper_sync, 1.0)
        except BaseException as exc:
            raised = (type(exc), exc, exc.__traceback__)  # the block's error, not the close's
            raise
        finally:
            await anyio.to_thread.run_sync(opened.__exit__, *raised)

    async def setup(self) -> None:  # type: ignore[override]
        """Create or migrate the tables (``await store.setup()``, as in LangGraph)."""
        await anyio.to_thread.run_sync(super().setup)

    async def sweep_ttl(self) -> int:  # type: ignore[override]
        """Delete expired items now; returns how many were deleted."""
        return await anyio.to_thread.run_sync(self._sweep)

    async def start_ttl_sweeper(  # type: ignore[override]
        self, sweep_interval_minutes: int | None = None
    ) -> concurrent.futures.Future[None]:
        """Sweep expired items every ``sweep_interval_minutes`` in a daemon thread."""
        return LocalStore.start_ttl_sweeper(self, sweep_interval_minutes)

    async def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        """Stop the sweeper; ``False`` if it did not stop within ``timeout`` seconds."""
        return await anyio.to_thread.run_sync(self.stop_ttl_sweeper_sync, timeout)

    def stop_ttl_sweeper_sync(self, timeout: float | None = None) -> bool:
        """``stop_ttl_sweeper`` for sync code."""
        return LocalStore.stop_ttl_sweeper(self, timeout)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_ttl_sweeper(timeout=1.0)
