"""``AsyncSqliteSaver``: ``SqliteSaver`` with async methods, for ``ainvoke`` / ``astream``.

The same SQL and transactions as the sync saver, run in anyio worker threads (asyncio or trio).
A run's saves (``aput_batch``) are encoded on the event loop and queued for the saver's writer
thread (``checkpoint/sqlite/writer.py``): with ``durability="async"`` no thread hop per save,
only one at the end of the run; with ``"sync"`` one per save, which the run waits for.

>>> from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread

from langgraph_lite.checkpoint.base import thread_of
from langgraph_lite.checkpoint.sqlite import SqliteSaver

__all__ = ["AsyncSqliteSaver"]


class AsyncSqliteSaver(SqliteSaver):
    """``SqliteSaver`` with async methods that run in anyio worker threads."""

    saves_alike = True  # aput_batch queues for the writer thread, as put_batch does
    reads_pending = True  # (aput_batch encodes as put_batch does: rows.put_job)

    @classmethod
    @asynccontextmanager
    async def from_conn_string(cls, conn_string: str) -> AsyncIterator[AsyncSqliteSaver]:  # type: ignore[override]
        """A saver on the database at ``conn_string``, closed after."""
        conn = await anyio.to_thread.run_sync(
            lambda: sqlite3.connect(conn_string, check_same_thread=False, isolation_level=None)
        )
        try:
            saver = cls(conn)
        except BaseException:
            await anyio.to_thread.run_sync(conn.close)
            raise
        try:
            yield saver
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    await anyio.to_thread.run_sync(saver._writer.close)
                finally:
                    await anyio.to_thread.run_sync(conn.close)

    async def aput_batch(
        self, actions: Sequence[tuple[bool, Sequence[Any]]], *, wait: bool
    ) -> None:
        """``put_batch`` for async code: encoded here, committed by the writer thread
        (``wait``: awaited, in one thread hop)."""
        kind = type(self)
        if not (
            self._batches()
            and kind.aput is SqliteSaver.aput
            and kind.aput_writes is SqliteSaver.aput_writes
        ):
            for is_put, args in actions:
                await (self.aput if is_put else self.aput_writes)(*args)
            return
        self.put_batch(actions, wait=False)  # (encoding and queuing: no I/O)
        if wait:
            thread_id = thread_of(actions[0][1][0])[0]
            await anyio.to_thread.run_sync(self._writer.flush, thread_id)

    async def aflush(self, thread_id: str | None = None) -> None:
        """``flush`` for async code (a thread hop only if something is left to commit)."""
        if self._writer.pending():
            await anyio.to_thread.run_sync(self._writer.flush, thread_id)
        elif thread_id is not None:
            self._writer.check(thread_id)
