"""Stores written by an earlier release (the SQLite file and the PostgreSQL tables, kept as
text dumps in tests/data/sql_v0) open and read as they did: same items, order, vectors, TTLs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pg_fixtures import drop_schema, in_schema, new_schema, require_dsn, restore_dump

from langgraph_lite.store.sqlite import SqliteStore
from tests.store.conftest import Clock, embed_words

DUMPS = Path(__file__).resolve().parents[1] / "data" / "sql_v0"
INDEX = {"embed": embed_words, "dims": 3, "fields": ["text"]}
WRITTEN_AT = 1_800_000_000.0  # the clock the dumps were written with


def check_reads_as_written(store) -> None:
    clock = Clock(WRITTEN_AT)
    store._clock = clock
    assert store.get(("docs",), "d1").value == {"text": "a dog and a cat", "tag": "pet"}
    assert store.get(("users", "u1"), "gone") is None
    # namespaces in the order first put in, items in the order first put in
    assert [(i.namespace, i.key) for i in store.search(())] == [
        (("docs",), "d1"),
        (("docs",), "d2"),
        (("users", "u1"), "prefs"),
        (("docs", "old"), "d3"),
        (("notes",), "plain"),
    ]
    assert [i.key for i in store.search(("docs",), query="cat")][:2] == ["d2", "d1"]
    assert [i.key for i in store.search(("docs",), filter={"tag": "sea"})] == ["d3"]
    assert store.list_namespaces(prefix=("docs",)) == [("docs",), ("docs", "old")]
    store.put(("docs",), "d4", {"text": "new"})
    # a new item goes last in its namespace
    assert [i.key for i in store.search(("docs",))] == ["d1", "d2", "d4", "d3"]
    clock.advance(11)  # d2 was put with ttl=10 minutes
    assert store.get(("docs",), "d2") is None
    assert store.sweep_ttl() == 1


def test_a_sqlite_store_file_from_v0_reads_as_written(tmp_path):
    path = str(tmp_path / "v0.db")
    conn = sqlite3.connect(path)
    conn.executescript((DUMPS / "sqlite_store_v0.sql").read_text())
    conn.close()
    with SqliteStore.from_conn_string(path, index=INDEX) as store:
        check_reads_as_written(store)
        assert store.conn.execute("SELECT v FROM store_migrations").fetchall() == [(0,)]


def test_postgres_store_tables_from_v0_read_as_written():
    server = require_dsn()
    pytest.importorskip("psycopg")
    from langgraph_lite.store.postgres import PostgresStore

    schema = new_schema(server)
    try:
        dsn = in_schema(server, schema)
        tables = ["lgl_store_migrations", "lgl_store_namespaces", "lgl_store_items"]
        restore_dump(dsn, DUMPS / "postgres_v0.json", [*tables, "lgl_store_vectors"])
        with PostgresStore.from_conn_string(dsn, index=INDEX) as store:
            store.setup()  # finds v0 applied: nothing to do
            check_reads_as_written(store)
    finally:
        drop_schema(server, schema)
