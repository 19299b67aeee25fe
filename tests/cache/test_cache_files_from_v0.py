"""Caches written by an earlier release (the SQLite file and the PostgreSQL table, kept as text
dumps in tests/data/sql_v0) open and read as they did."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checkpoint"))
from pg_fixtures import drop_schema, in_schema, new_schema, require_dsn, restore_dump

from langgraph_lite.cache.sqlite import SqliteCache

DUMPS = Path(__file__).resolve().parents[1] / "data" / "sql_v0"
WRITTEN_AT = 1_800_000_000.0  # the clock the dumps were written with
FOREVER, FOR_A_MINUTE = (("node", "v1"), "k1"), (("node", "a,b"), "k2")


def check_reads_as_written(cache) -> None:
    cache._clock = lambda: WRITTEN_AT
    assert cache.get([FOREVER, FOR_A_MINUTE]) == {
        FOREVER: {"answer": 42, "t": (1, 2)},
        FOR_A_MINUTE: "text",
    }
    cache._clock = lambda: WRITTEN_AT + 61
    assert cache.get([FOREVER, FOR_A_MINUTE]) == {FOREVER: {"answer": 42, "t": (1, 2)}}
    cache.clear([("node", "v1")])
    assert cache.get([FOREVER]) == {}


def test_a_sqlite_cache_file_from_v0_reads_as_written(tmp_path):
    path = str(tmp_path / "v0.db")
    conn = sqlite3.connect(path)
    conn.executescript((DUMPS / "sqlite_cache_v0.sql").read_text())
    conn.close()
    cache = SqliteCache(path=path)
    try:
        check_reads_as_written(cache)
    finally:
        cache.close()


def test_a_postgres_cache_table_from_v0_reads_as_written():
    server = require_dsn()
    pytest.importorskip("psycopg")
    from langgraph_lite.cache.postgres import PostgresCache

    schema = new_schema(server)
    try:
        dsn = in_schema(server, schema)
        restore_dump(dsn, DUMPS / "postgres_v0.json", ["lgl_cache_migrations", "lgl_cache_entries"])
        with PostgresCache.from_conn_string(dsn) as cache:
            check_reads_as_written(cache)
    finally:
        drop_schema(server, schema)
