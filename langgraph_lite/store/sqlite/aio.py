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

from langgraph_lite.store.sql import AsyncSqlStore
from langgraph_lite.store.sqlite.base import SqliteStore

__all__ = ["AsyncSqliteStore"]


class AsyncSqliteStore(AsyncSqlStore, SqliteStore):  # type: ignore[misc]  # async setup
    """``SqliteStore`` whose ``from_conn_string``, ``setup``, ``sweep_ttl`` and sweeper
    controls are async."""
