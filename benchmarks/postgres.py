"""PostgreSQL cells (``python -m benchmarks --postgres [DSN]``): each engine's own Postgres saver.

Opt-in, as they need a server: ``--postgres`` takes the DSN, or reads
``LANGGRAPH_LITE_POSTGRES_DSN`` when given none. Savers ``postgres-sync`` and
``postgres-async`` are the engine's ``PostgresSaver`` (``AsyncPostgresSaver`` in async cells)
run with ``durability="sync"`` and ``"async"``; each engine's saver works in a new schema of
its own (created, ``setup()`` untimed, dropped after the cell). They run on the
``sequential`` and ``fanout`` scenarios and on the concurrent cell, and their table reports
supersteps per second: the checkpoints a run saved (one per superstep, its subgraphs' included)
over its median time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

SAVERS = ("postgres-sync", "postgres-async")
FAMILIES = {"sequential", "fanout"}
ENV = "LANGGRAPH_LITE_POSTGRES_DSN"

# Set by the command line: the server's DSN, or None (no Postgres cells).
DSN: str | None = None


def resolve(flag: str | None) -> str:
    """The DSN ``--postgres`` names, else the environment's; a clear error without either."""
    dsn = flag or os.environ.get(ENV)
    if not dsn:
        raise SystemExit(f"--postgres needs a DSN: --postgres postgresql://... or set {ENV}.")
    return dsn


def is_postgres(saver: str) -> bool:
    """Whether ``saver`` names one of the Postgres savers."""
    return saver in SAVERS


def run_kwargs(saver: str) -> dict[str, Any]:
    """The keyword arguments of ``stream``/``ainvoke`` for ``saver`` (its durability)."""
    return {"durability": saver.split("-")[1]} if is_postgres(saver) else {}


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A DSN on a new, empty schema of ``DSN``'s database, dropped afterwards."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    assert DSN is not None, "--postgres was not given"
    schema = f"lgl_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield make_conninfo(DSN, options=f"-c search_path={schema}")
    finally:
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextmanager
def sync_saver(engine: Any) -> Iterator[Any]:
    """``engine``'s ``PostgresSaver`` on a fresh schema, set up."""
    if engine.PostgresSaver is None:
        raise RuntimeError(f"{engine.name} has no PostgresSaver installed")
    with fresh_schema() as dsn, engine.PostgresSaver.from_conn_string(dsn) as saver:
        saver.setup()
        yield saver


@asynccontextmanager
async def async_saver(engine: Any) -> AsyncIterator[Any]:
    """``engine``'s ``AsyncPostgresSaver`` on a fresh schema, set up."""
    if engine.AsyncPostgresSaver is None:
        raise RuntimeError(f"{engine.name} has no AsyncPostgresSaver installed")
    with fresh_schema() as dsn:
        async with engine.AsyncPostgresSaver.from_conn_string(dsn) as saver:
            await saver.setup()
            yield saver


def stored_bytes(conn: Any) -> int:
    """The total ``octet_length`` of every ``bytea`` and ``jsonb`` value in the tables of the
    connection's schema (a growth cell's measure of what a saver stored)."""
    from psycopg.rows import tuple_row

    with conn.cursor(row_factory=tuple_row) as cur:  # (LangGraph's connections give dicts)
        columns = cur.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN ('bytea', 'jsonb')"
        ).fetchall()
        total = 0
        for table, column, kind in columns:
            value = f'"{column}"' if kind == "bytea" else f'"{column}"::text'
            cur.execute(f'SELECT coalesce(sum(octet_length({value})), 0) FROM "{table}"')
            total += int(cur.fetchone()[0])
    return total


def format_rates(results: dict[str, Any]) -> str:
    """Supersteps per second of every Postgres cell, both engines side by side."""
    from benchmarks.report import _grid

    rows = [["postgres cell", "steps/run", "ours steps/s", "LG steps/s", "ours / LG"]]
    for c in results["cells"]:
        if not is_postgres(c.get("saver", "")):
            continue
        steps = c.get("steps", {})
        # each engine's own count of the checkpoints a run saved
        rate = {e: steps[e] / t for e, t in c["median_s"].items() if steps.get(e) and t > 0}
        ours, theirs = rate.get("langgraph_lite"), rate.get("langgraph")
        rows.append(
            [
                c["name"],
                "/".join(str(n) for n in dict.fromkeys(steps.values()) if n) or "—",
                f"{ours:,.0f}" if ours else "—",
                f"{theirs:,.0f}" if theirs else "—",
                f"{ours / theirs:.1f}x" if ours and theirs else "—",
            ]
        )
    return _grid(rows) if len(rows) > 1 else ""
