"""``AsyncSqliteStore``: ``SqliteStore`` for async code; the same file, reached from worker
threads, so it runs on asyncio and trio alike.

>>> import anyio
>>> from langgraph_lite.store.sqlite.aio import AsyncSqliteStore
>>> async def main():
...     async with AsyncSqliteStore.from_conn_string(":memory:") as store:
...         await store.aput(("notes",), "n1", {"text": "hi"})
...         return (await store.aget(("notes",), "n1")).value
>>> anyio.run(main)
{'text': 'hi'}
"""

from __future__ import annotations

import concurrent.futures
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

import anyio.to_thread

from langgraph_lite.store.base import IndexConfig, TTLConfig
from langgraph_lite.store.sqlite.base import SqliteStore

__all__ = ["AsyncSqliteStore"]


class AsyncSqliteStore(SqliteStore):
    """``SqliteStore`` whose ``setup``, ``sweep_ttl`` and sweeper controls are async."""

    @classmethod
    @asynccontextmanager
    async def from_conn_string(  # type: ignore[override]
        cls,
        conn_string: str,
        *,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> AsyncIterator[AsyncSqliteStore]:
        """A store on the database at ``conn_string``, closed after."""
        conn = await anyio.to_thread.run_sync(
            lambda: sqlite3.connect(conn_string, check_same_thread=False, isolation_level=None)
        )
        store = cls(conn, index=index, ttl=ttl)
        try:
            yield store
        finally:
            await anyio.to_thread.run_sync(lambda: store.stop_ttl_sweeper_sync(1.0))
            await anyio.to_thread.run_sync(conn.close)

    async def setup(self) -> None:  # type: ignore[override]
        """Create or migrate the tables."""
        await anyio.to_thread.run_sync(self._setup)

    async def sweep_ttl(self) -> int:  # type: ignore[override]
        """Delete expired items now; returns how many were deleted."""
        return await anyio.to_thread.run_sync(self._sweep)

    async def start_ttl_sweeper(  # type: ignore[override]
        self, sweep_interval_minutes: int | None = None
    ) -> concurrent.futures.Future[None]:
        """Start sweeping expired items in a daemon thread; see ``SqliteStore``'s."""
        return SqliteStore.start_ttl_sweeper(self, sweep_interval_minutes)

    async def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        """Stop the sweeper; ``False`` if it did not stop within ``timeout`` seconds."""
        return await anyio.to_thread.run_sync(self.stop_ttl_sweeper_sync, timeout)

    def stop_ttl_sweeper_sync(self, timeout: float | None = None) -> bool:
        """``stop_ttl_sweeper`` for sync code (and ``__del__``)."""
        return SqliteStore.stop_ttl_sweeper(self, timeout)

    async def __aenter__(self) -> AsyncSqliteStore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_ttl_sweeper(timeout=1.0)

    def __del__(self) -> None:
        try:
            self.stop_ttl_sweeper_sync(timeout=0.1)
        except Exception:
            pass
