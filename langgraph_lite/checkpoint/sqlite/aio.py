"""``AsyncSqliteSaver``: ``SqliteSaver`` with async methods, for ``ainvoke`` / ``astream``.

The same SQL and transactions as the sync saver, run in anyio worker threads (asyncio or trio).

>>> from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread

from langgraph_lite.checkpoint.sqlite import SqliteSaver

__all__ = ["AsyncSqliteSaver"]


class AsyncSqliteSaver(SqliteSaver):
    """``SqliteSaver`` with async methods that run in anyio worker threads."""

    @classmethod
    @asynccontextmanager
    async def from_conn_string(cls, conn_string: str) -> AsyncIterator[AsyncSqliteSaver]:  # type: ignore[override]
        """A saver on the database at ``conn_string``, closed after."""
        conn = await anyio.to_thread.run_sync(
            lambda: sqlite3.connect(conn_string, check_same_thread=False, isolation_level=None)
        )
        try:
            yield cls(conn)
        finally:
            await anyio.to_thread.run_sync(conn.close)
