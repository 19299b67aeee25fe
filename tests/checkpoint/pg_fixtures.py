"""Fixtures for the PostgreSQL tests (imported by the test_postgres* modules).

The tests need a server: ``LANGGRAPH_LITE_POSTGRES_DSN`` names it. Without it they skip,
except when ``CI`` is set: there a missing DSN fails them, so CI cannot pass by skipping.
Each test session works in its own new schema (dropped at the end) and every test starts
from empty tables, so concurrent runs and earlier tests leave nothing behind.
"""

import os
import uuid
from pathlib import Path

import pytest

import langgraph_lite

TABLES = ("lgl_checkpoints", "lgl_checkpoint_blobs", "lgl_checkpoint_writes", "lgl_thread_leases")


def child_env() -> dict[str, str]:
    """The environment of a child interpreter that imports the langgraph_lite under test."""
    root = str(Path(langgraph_lite.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def require_dsn() -> str:
    """The server's DSN; skips (or, under CI, fails) the test without one."""
    dsn = os.environ.get("LANGGRAPH_LITE_POSTGRES_DSN")
    if dsn:
        return dsn
    if os.environ.get("CI"):
        pytest.fail(
            "CI is set but LANGGRAPH_LITE_POSTGRES_DSN is not: the PostgreSQL tests must run "
            "in CI. Export LANGGRAPH_LITE_POSTGRES_DSN=postgresql://user@host:port/db."
        )
    pytest.skip("set LANGGRAPH_LITE_POSTGRES_DSN to run the PostgreSQL tests")


def in_schema(dsn: str, schema: str) -> str:
    """``dsn`` with ``schema`` first on the search path."""
    from psycopg.conninfo import make_conninfo

    # synchronous_commit=off: the tests need no durability across a server crash, only speed
    return make_conninfo(dsn, options=f"-c search_path={schema} -c synchronous_commit=off")


def new_schema(dsn: str) -> str:
    import psycopg

    schema = f"lgl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return schema


def drop_schema(dsn: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The DSN of the server itself (no schema chosen)."""
    dsn = require_dsn()
    if os.environ.get("CI"):
        import psycopg  # noqa: F401 - under CI a missing driver is a failure, not a skip
    else:
        pytest.importorskip("psycopg")
    return dsn


@pytest.fixture(scope="session")
def pg_session_dsn(pg_server):
    """A DSN on this session's own schema, with the saver's tables set up."""
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    schema = new_schema(pg_server)
    dsn = in_schema(pg_server, schema)
    with PostgresSaver.from_conn_string(dsn) as saver:
        saver.setup()
    yield dsn
    drop_schema(pg_server, schema)


@pytest.fixture
def pg_dsn(pg_session_dsn):
    """The session schema's DSN, its tables emptied for this test."""
    import psycopg

    with psycopg.connect(pg_session_dsn, autocommit=True) as conn:
        # DELETE, not TRUNCATE: on tables this small it is many times faster
        conn.execute("; ".join(f"DELETE FROM {table}" for table in TABLES))
    return pg_session_dsn


@pytest.fixture
def fresh_schema(pg_server):
    """A DSN on a new, empty schema (no tables), dropped after the test."""
    schema = new_schema(pg_server)
    yield in_schema(pg_server, schema)
    drop_schema(pg_server, schema)


def restore_dump(dsn: str, path: Path, tables: list[str]) -> None:
    """Recreate ``tables`` from a JSON dump (its DDL, then its rows) taken from an older release,
    so a test can open what that release wrote. Bytes are stored as ``{"hex": ...}``."""
    import json

    import psycopg

    dump = json.loads(path.read_text())
    with psycopg.connect(dsn, autocommit=True) as conn:
        for ddl in dump["ddl"]:
            conn.execute(ddl, prepare=False)
        for table in tables:
            cols, rows = dump["tables"][table]["columns"], dump["tables"][table]["rows"]
            marks = ", ".join(["%s"] * len(cols))
            for row in rows:
                values = [bytes.fromhex(v["hex"]) if isinstance(v, dict) else v for v in row]
                conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", values)
            if "seq" in cols:  # the serial goes on from where the old release left it
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'seq'), max(seq)) "
                    f"FROM {table}"
                )
