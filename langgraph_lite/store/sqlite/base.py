"""``SqliteStore``: the store in one SQLite file (or ``":memory:"``), standard library only.

The layout and the SQL are ``langgraph_lite.store.sql``'s; here are the tables, their
migrations and the transactions: each batch is one, in WAL mode, ``BEGIN IMMEDIATE`` when it
may write. A filter on a plain string is narrowed in SQL with ``json_each``. No extension to load.

>>> from langgraph_lite.store.sqlite import SqliteStore
>>> with SqliteStore.from_conn_string(":memory:") as store:
...     store.put(("users", "u1"), "prefs", {"theme": "dark"})
...     store.get(("users", "u1"), "prefs").value
{'theme': 'dark'}
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from langgraph_lite.store.sql import Dialect, SqlStore

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

SQLITE = Dialect(
    placeholder="?",
    items="store_items",
    namespaces="store_namespaces",
    vectors="store_item_vectors",
    order="n.rowid, i.rowid",
    string_filter=(
        "EXISTS (SELECT 1 FROM json_each(i.value) AS j WHERE j.key = ? "
        "AND j.type = 'text' AND j.value = ?)"
    ),
)


@contextmanager
def transaction(
    conn: sqlite3.Connection, lock: threading.RLock, begin: str = "BEGIN IMMEDIATE"
) -> Iterator[sqlite3.Cursor]:
    """A cursor in one transaction on ``conn`` (opened with ``isolation_level=None``)."""
    with lock:
        cur = conn.cursor()
        cur.execute(begin)
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")


def migrate(
    conn: sqlite3.Connection, lock: threading.RLock, table: str, migrations: list[str]
) -> None:
    """WAL on, then the ``migrations`` a file lacks, recorded in ``table`` (used by the cache
    too)."""
    with lock:
        cur = conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # in WAL mode NORMAL never corrupts; a power cut may lose the last commits only
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {table} (v INTEGER PRIMARY KEY)")
        for v, script in enumerate(migrations):
            with transaction(conn, lock) as tx:
                # read inside the write lock: another process may have just applied it
                if tx.execute(f"SELECT 1 FROM {table} WHERE v = ?", (v,)).fetchone():
                    continue
                for statement in filter(str.strip, script.split(";")):
                    tx.execute(statement)
                tx.execute(f"INSERT INTO {table} (v) VALUES (?)", (v,))


class SqliteStore(SqlStore):
    """A store in one SQLite database, with optional semantic search and TTL.

    Use ``SqliteStore.from_conn_string(path)`` (a path or ``":memory:"``) or pass a
    ``sqlite3.Connection`` opened with ``check_same_thread=False, isolation_level=None``.
    ``setup()`` creates the tables; every call runs it first if needed.
    """

    dialect = SQLITE
    conn: sqlite3.Connection
    is_setup = False

    @classmethod
    def _connect(cls, conn_string: str) -> sqlite3.Connection:
        return sqlite3.connect(conn_string, check_same_thread=False, isolation_level=None)

    def setup(self) -> None:
        """Create or migrate the tables (safe to call many times, from many processes)."""
        self._setup()

    def _setup(self) -> None:
        with self.lock:
            if not self.is_setup:
                migrate(self.conn, self.lock, "store_migrations", MIGRATIONS)
                self.is_setup = True

    def _transaction(self, write: bool) -> AbstractContextManager[sqlite3.Cursor]:
        self._setup()
        return transaction(self.conn, self.lock, "BEGIN IMMEDIATE" if write else "BEGIN")
