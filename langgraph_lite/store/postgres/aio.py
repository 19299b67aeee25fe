"""``AsyncPostgresStore``: ``PostgresStore`` for async code. Its statements run in worker
threads on a psycopg connection (or pool), so it works on asyncio and trio alike."""

from __future__ import annotations

from langgraph_lite.store.postgres.base import PostgresStore
from langgraph_lite.store.sql import AsyncSqlStore

__all__ = ["AsyncPostgresStore"]


class AsyncPostgresStore(AsyncSqlStore, PostgresStore):  # type: ignore[misc]  # async setup
    """``PostgresStore`` whose ``from_conn_string``, ``setup``, ``sweep_ttl`` and sweeper
    controls are async."""
