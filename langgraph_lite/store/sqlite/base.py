"""``SqliteStore``: the store in one SQLite file (or ``":memory:"``), standard library only.

Each batch is one transaction, in WAL mode. Every value — namespaces, keys, values, times —
is bound as a parameter, never spliced into SQL. A namespace is kept as its labels joined by
``.`` (labels hold no dots), so the items under a prefix are one range of the primary key.
Values are JSON text; filters are decided by the same code as ``InMemoryStore``'s, after SQL
has narrowed the rows, so a filter means the same in both. Vectors are float64 blobs and
similarity is computed in Python: no extension to load.

>>> from langgraph_lite.store.sqlite import SqliteStore
>>> with SqliteStore.from_conn_string(":memory:") as store:
...     store.put(("users", "u1"), "prefs", {"theme": "dark"})
...     store.get(("users", "u1"), "prefs").value
{'theme': 'dark'}
"""

from __future__ import annotations

import json
import sqlite3
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio.to_thread

from langgraph_lite.store._engine import LocalStore, Plan, Search, Stored, Write
from langgraph_lite.store._values import matches, namespace_matches
from langgraph_lite.store.base import (
    IndexConfig,
    Item,
    ListNamespacesOp,
    Result,
    TTLConfig,
)

__all__ = ["SqliteStore"]

# Each entry moves the schema one version up; setup() applies the ones a file lacks, each in
# its own BEGIN IMMEDIATE transaction, so two processes opening one file never both apply one.
MIGRATIONS = [
    """
    CREATE TABLE IF NOT EXISTS store_namespaces (
        prefix TEXT PRIMARY KEY  -- rowid: the order namespaces were first put in
    );
    CREATE TABLE IF NOT EXISTS store_items (
        prefix TEXT NOT NULL,     -- the namespace's labels joined by '.'
        key TEXT NOT NULL,
        value TEXT NOT NULL,      -- JSON
        created_at REAL NOT NULL, -- seconds since the epoch
        updated_at REAL NOT NULL,
        expires_at REAL,          -- NULL: never
        ttl_minutes REAL,
        PRIMARY KEY (prefix, key) -- rowid: the order items were first put in
    );
    CREATE INDEX IF NOT EXISTS store_items_expires_at ON store_items (expires_at)
        WHERE expires_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS store_item_vectors (
        prefix TEXT NOT NULL,
        key TEXT NOT NULL,
        field TEXT NOT NULL,
        embedding BLOB NOT NULL,  -- little-endian float64s
        PRIMARY KEY (prefix, key, field)
    );
    """,
]

_COLUMNS = "i.prefix, i.key, i.value, i.created_at, i.updated_at, i.expires_at, i.ttl_minutes"
_LIVE = "(i.expires_at IS NULL OR i.expires_at > ?)"


def _ns_text(namespace: tuple[str, ...]) -> str:
    return ".".join(namespace)


def _ns_tuple(text: str) -> tuple[str, ...]:
    return tuple(text.split(".")) if text else ()


def _under(prefix: tuple[str, ...], column: str = "i.prefix") -> tuple[str, list[Any]]:
    """SQL for "the namespace is ``prefix`` or below it", as a range of the key index."""
    if not prefix:
        return "1", []
    text = _ns_text(prefix)
    # '/' is the character after '.', so [text + '.', text + '/') is exactly what lies below
    return f"({column} = ? OR ({column} >= ? AND {column} < ?))", [text, text + ".", text + "/"]


def _pack(vector: list[float]) -> bytes:
    return struct.pack(f"<{len(vector)}d", *vector)


def _unpack(blob: bytes) -> list[float]:
    return list(struct.unpack(f"<{len(blob) // 8}d", blob))


class SqliteStore(LocalStore):
    """A store in one SQLite database, with optional semantic search and TTL.

    Use ``SqliteStore.from_conn_string(path)`` or pass a connection opened with
    ``check_same_thread=False, isolation_level=None``. ``setup()`` creates the tables; every
    call runs it first if needed.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        deserializer: Callable[[str], dict[str, Any]] | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> None:
        super().__init__(index=index, ttl=ttl)
        self.conn = conn
        self.lock = threading.RLock()
        self.is_setup = False
        self._deserializer = deserializer

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str,
        *,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> Iterator[SqliteStore]:
        """A store on the database at ``conn_string`` (a path or ``":memory:"``), closed after."""
        conn = sqlite3.connect(conn_string, check_same_thread=False, isolation_level=None)
        store = cls(conn, index=index, ttl=ttl)
        try:
            yield store
        finally:
            store.stop_ttl_sweeper(timeout=1.0)
            conn.close()

    def setup(self) -> None:
        """Create or migrate the tables (safe to call many times, from many processes)."""
        self._setup()

    def _setup(self) -> None:
        with self.lock:
            if self.is_setup:
                return
            cur = self.conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # in WAL mode NORMAL never corrupts; a power cut may lose the last commits only
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("CREATE TABLE IF NOT EXISTS store_migrations (v INTEGER PRIMARY KEY)")
            for v, script in enumerate(MIGRATIONS):
                cur.execute("BEGIN IMMEDIATE")
                try:
                    # read inside the write lock: another process may have just applied it
                    if cur.execute("SELECT 1 FROM store_migrations WHERE v = ?", (v,)).fetchone():
                        cur.execute("COMMIT")
                        continue
                    for statement in filter(str.strip, script.split(";")):
                        cur.execute(statement)
                    cur.execute("INSERT INTO store_migrations (v) VALUES (?)", (v,))
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
            self.is_setup = True

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[sqlite3.Cursor]:
        self._setup()
        with self.lock:
            cur = self.conn.cursor()
            cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

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
                row = cur.execute(
                    f"SELECT {_COLUMNS} FROM store_items AS i WHERE i.prefix = ? AND i.key = ? "
                    f"AND {_LIVE}",
                    (_ns_text(op.namespace), op.key, now),
                ).fetchone()
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
                    "UPDATE store_items SET expires_at = ? + ttl_minutes * 60.0 "
                    "WHERE prefix = ? AND key = ? AND ttl_minutes IS NOT NULL",
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
        self, cur: sqlite3.Cursor, search: Search, now: float
    ) -> list[tuple[float | None, Stored]]:
        op = search.op
        where, params = _under(op.namespace_prefix)
        sql = (
            f"SELECT {_COLUMNS} FROM store_items AS i JOIN store_namespaces AS n "
            f"ON n.prefix = i.prefix WHERE {where} AND {_LIVE}"
        )
        params.append(now)
        for key, condition in (search.filter or {}).items():
            # narrow in SQL where that is exact for a plain string; matches() decides
            if isinstance(condition, str):
                sql += (
                    " AND EXISTS (SELECT 1 FROM json_each(i.value) AS j WHERE j.key = ? "
                    "AND j.type = 'text' AND j.value = ?)"
                )
                params.extend([key, condition])
        sql += " ORDER BY n.rowid, i.rowid"
        paged_in_sql = search.filter is None and search.query_vector is None
        if paged_in_sql:
            sql += " LIMIT ? OFFSET ?"
            params.extend([op.limit, op.offset])
        candidates = [
            stored
            for stored in map(self._stored, cur.execute(sql, params).fetchall())
            if matches(stored.tree, search.filter)
        ]
        if paged_in_sql:
            return [(None, stored) for stored in candidates]
        vectors: dict[tuple[str, str], list[list[float]]] = {}
        if search.query_vector is not None:
            where, params = _under(op.namespace_prefix, "prefix")
            for prefix, key, blob in cur.execute(
                f"SELECT prefix, key, embedding FROM store_item_vectors WHERE {where} "
                "ORDER BY prefix, key, field",
                params,
            ):
                vectors.setdefault((prefix, key), []).append(_unpack(blob))
        return self._rank(
            search,
            [(s, vectors.get((_ns_text(s.namespace), s.key), [])) for s in candidates],
        )

    def _namespaces(
        self, cur: sqlite3.Cursor, op: ListNamespacesOp, now: float
    ) -> list[tuple[str, ...]]:
        sql = f"SELECT DISTINCT i.prefix FROM store_items AS i WHERE {_LIVE}"
        params: list[Any] = [now]
        for condition in op.match_conditions or ():
            if condition.match_type == "prefix" and condition.path and "*" not in condition.path:
                where, args = _under(tuple(condition.path))
                sql += f" AND {where}"
                params.extend(args)
        found: set[tuple[str, ...]] = set()
        for (text,) in cur.execute(sql, params):
            namespace = _ns_tuple(text)
            if all(namespace_matches(c, namespace) for c in op.match_conditions or ()):
                found.add(namespace if op.max_depth is None else namespace[: op.max_depth])
        return sorted(found)[op.offset : op.offset + op.limit]

    def _apply(self, cur: sqlite3.Cursor, w: Write, now: float) -> None:
        prefix = _ns_text(w.namespace)
        cur.execute("DELETE FROM store_item_vectors WHERE prefix = ? AND key = ?", (prefix, w.key))
        if w.text is None:
            cur.execute("DELETE FROM store_items WHERE prefix = ? AND key = ?", (prefix, w.key))
            return
        cur.execute("INSERT OR IGNORE INTO store_namespaces (prefix) VALUES (?)", (prefix,))
        # an expired item makes way: the new one is created anew and goes last
        cur.execute(
            "DELETE FROM store_items WHERE prefix = ? AND key = ? AND expires_at <= ?",
            (prefix, w.key, now),
        )
        cur.execute(
            "INSERT INTO store_items (prefix, key, value, created_at, updated_at, expires_at, "
            "ttl_minutes) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prefix, key) DO UPDATE SET "
            "value = excluded.value, updated_at = excluded.updated_at, "
            "expires_at = excluded.expires_at, ttl_minutes = excluded.ttl_minutes",
            (prefix, w.key, w.text, now, now, self._expires(w.ttl, now), w.ttl),
        )
        if w.vectors:
            cur.executemany(
                "INSERT OR REPLACE INTO store_item_vectors (prefix, key, field, embedding) "
                "VALUES (?, ?, ?, ?)",
                [(prefix, w.key, name, _pack(vector)) for name, vector in w.vectors],
            )

    def _sweep(self) -> int:
        now = self._clock()
        with self._transaction(True) as cur:
            cur.execute(
                "DELETE FROM store_item_vectors WHERE (prefix, key) IN (SELECT prefix, key "
                "FROM store_items WHERE expires_at <= ?)",
                (now,),
            )
            return cur.execute("DELETE FROM store_items WHERE expires_at <= ?", (now,)).rowcount

    def __del__(self) -> None:
        try:
            self.stop_ttl_sweeper(timeout=0.1)
        except Exception:
            pass
