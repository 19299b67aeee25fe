"""``AsyncPostgresStore``: ``PostgresStore`` for async code. Its statements run in worker
threads on a psycopg connection, so it works on asyncio and trio alike."""

from __future__ import annotations

import concurrent.futures
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

import anyio.to_thread

from langgraph_lite.store.base import IndexConfig, TTLConfig
from langgraph_lite.store.postgres.base import PostgresStore, _connect

__all__ = ["AsyncPostgresStore"]


class AsyncPostgresStore(PostgresStore):
    """``PostgresStore`` whose ``setup``, ``sweep_ttl`` and sweeper controls are async."""

    @classmethod
    @asynccontextmanager
    async def from_conn_string(  # type: ignore[override]
        cls,
        conn_string: str,
        *,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> AsyncIterator[AsyncPostgresStore]:
        """A store on its own connection to ``conn_string``, closed after."""
        conn = await anyio.to_thread.run_sync(_connect, conn_string)
        try:
            store = cls(conn, index=index, ttl=ttl)
        except BaseException:
            await anyio.to_thread.run_sync(
                conn.close
            )  # a bad index or ttl: no connection left behind
            raise
        try:
            yield store
        finally:
            await anyio.to_thread.run_sync(lambda: store.stop_ttl_sweeper_sync(1.0))
            await anyio.to_thread.run_sync(conn.close)

    async def setup(self) -> None:  # type: ignore[override]
        """Create or migrate the tables (``await store.setup()``, as in LangGraph)."""
        await anyio.to_thread.run_sync(PostgresStore.setup, self)

    async def sweep_ttl(self) -> int:  # type: ignore[override]
        """Delete expired items now; returns how many were deleted."""
        return await anyio.to_thread.run_sync(self._sweep)

    async def start_ttl_sweeper(  # type: ignore[override]
        self, sweep_interval_minutes: int | None = None
    ) -> concurrent.futures.Future[None]:
        """Start sweeping expired items in a daemon thread; see ``PostgresStore``'s."""
        return PostgresStore.start_ttl_sweeper(self, sweep_interval_minutes)

    async def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        """Stop the sweeper; ``False`` if it did not stop within ``timeout`` seconds."""
        return await anyio.to_thread.run_sync(self.stop_ttl_sweeper_sync, timeout)

    def stop_ttl_sweeper_sync(self, timeout: float | None = None) -> bool:
        """``stop_ttl_sweeper`` for sync code (and ``__del__``)."""
        return PostgresStore.stop_ttl_sweeper(self, timeout)

    async def __aenter__(self) -> AsyncPostgresStore:
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
