"""Talking through a psycopg cursor whether or not its connection is in pipeline mode.

On a connection in pipeline mode (``with conn.pipeline():``, as LangGraph's savers allow) a
statement's result, and so ``cursor.description``, arrives only once the pipeline syncs, and a
statement cannot hold several commands. The savers, store and cache read rows through ``rows``
and ``arows``, which sync first when needed (leaving an inner ``pipeline()`` block syncs
without ending the caller's pipeline), and run their migrations one command at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def commands(script: str) -> Iterator[str]:
    """The commands of a migration script (ours hold no ``;`` but between commands)."""
    return (command for command in script.split(";") if command.strip())


def settle(cur: Any) -> Any:
    """``cur``, its statement's outcome (``description``, ``rowcount``) arrived."""
    conn = cur.connection
    if conn.pgconn.pipeline_status:
        with conn.pipeline():
            pass
    return cur


def rows(cur: Any, many: bool = True) -> Any:
    """The rows (``many``) or the first row of the statement ``cur`` ran; None (or ``[]``)
    for a statement that returns none."""
    if settle(cur).description is None:
        return [] if many else None
    return cur.fetchall() if many else cur.fetchone()


async def arows(cur: Any, many: bool = True) -> Any:
    """``rows`` for an async cursor."""
    conn = cur.connection
    if conn.pgconn.pipeline_status:
        async with conn.pipeline():
            pass
    if cur.description is None:
        return [] if many else None
    return await (cur.fetchall() if many else cur.fetchone())
