"""Leases for ``SqliteSaver``: one writer per thread, across the processes sharing one file.

The same API and guarantee as the PostgreSQL savers (see ``langgraph_lite.checkpoint.lease``).
The ``thread_leases`` table holds each thread's token, holder and expiry (seconds since the
epoch: the processes sharing a SQLite file share a clock). Taking a lease is one
``BEGIN IMMEDIATE`` transaction (SQLite's write lock: no two processes take it at once), and so
is every write: the fence is checked inside the write's own transaction, so a lease cannot be
taken over between the check and the write.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import partial
from typing import Any

import anyio.to_thread

from langgraph_lite.checkpoint import lease as leases
from langgraph_lite.checkpoint.lease import Lease, OnBusy

__all__ = ["MIGRATION", "SqliteLeases", "fence"]

# The schema migration that adds the table (files from before it get it when opened).
MIGRATION = """
    CREATE TABLE IF NOT EXISTS thread_leases (
        thread_id TEXT PRIMARY KEY,
        token INTEGER NOT NULL,
        holder TEXT NOT NULL,
        expires_at REAL NOT NULL
    );
"""

_ROW = "SELECT token, holder, expires_at FROM thread_leases WHERE thread_id = ?"


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def fence(
    cur: sqlite3.Cursor,
    thread_id: str,
    token: int | None,
    what: str,
    known: set[tuple[Any, ...]] | None = None,
) -> None:
    """Refuse ``what`` (a write, in the transaction ``cur`` is in) unless ``token`` is the
    thread's current one, or, without a token, nobody holds a live lease on it. ``known``:
    the fences this transaction passed already (a lease cannot change inside it, nor a lease
    that had expired come back to life), which are not checked again."""
    if known is not None:
        passed = ("fence", thread_id, token)
        if passed in known:
            return
        fence(cur, thread_id, token, what)
        known.add(passed)
        return
    row = cur.execute(_ROW, (thread_id,)).fetchone()
    if row is None:
        if token is None:
            return
        verdict = (False, None, None, False)
    else:
        live = row[2] > time.time()
        if (token is None and not live) or token == row[0]:
            return
        verdict = (False, row[0], row[1], live)
    raise leases.refused(thread_id, token, verdict, what)


class SqliteLeases:
    """The lease methods of ``SqliteSaver`` (and so of ``AsyncSqliteSaver``)."""

    conn: sqlite3.Connection
    _held: dict[str, int]  # tokens of the bound leases this saver holds, by thread id
    _transaction: Any  # SqliteSaver's: a BEGIN IMMEDIATE transaction

    def lease_token(self, config: Mapping[str, Any]) -> int | None:
        """The lease token a write with ``config`` would name (its ``lease_token``, else the
        token of a lease this saver holds on the thread), or None."""
        return leases.token_of(config, self._held)

    def _try_lease(self, params: dict[str, Any], bind: bool) -> Lease | tuple[Any, ...]:
        """One attempt: the lease, or the row of the live lease someone else holds."""
        thread_id = params["thread_id"]
        with self._transaction() as cur:
            row = cur.execute(_ROW, (thread_id,)).fetchone()
            now = time.time()
            if row is not None and row[2] > now and not leases.holder_is_dead(row[1]):
                return (row[0], row[1], _when(row[2]))
            token = (row[0] if row else 0) + 1
            expires = now + params["ttl"]
            cur.execute(
                "INSERT OR REPLACE INTO thread_leases (thread_id, token, holder, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (thread_id, token, params["holder"], expires),
            )
        if bind:
            self._held[thread_id] = token
        return Lease(self, thread_id, token, params["holder"], _when(expires), params["ttl"])

    def acquire_lease(
        self,
        thread_id: str,
        *,
        ttl: float = 30.0,
        on_busy: OnBusy = "fail",
        timeout: float | None = None,
        holder: str | None = None,
        bind: bool = True,
    ) -> Lease:
        """Become the one writer of ``thread_id`` for ``ttl`` seconds (renew to keep it).

        When another worker (another process, or another run here) holds a live lease:
        ``on_busy="fail"`` raises ``ThreadBusyError``; ``"wait"`` polls until it is free
        (``timeout`` seconds at most, then raises). ``bind``: this saver names the token in
        its writes to the thread until the lease is released (False: only writes whose config
        names ``lease_token`` carry it, as the engine's own leases do).
        """
        params, deadline = leases.lease_args(thread_id, ttl, on_busy, timeout, holder)
        attempt = partial(self._try_lease, params, bind)
        return leases.take(attempt, params["thread_id"], on_busy, deadline)

    async def aacquire_lease(
        self,
        thread_id: str,
        *,
        ttl: float = 30.0,
        on_busy: OnBusy = "fail",
        timeout: float | None = None,
        holder: str | None = None,
        bind: bool = True,
    ) -> Lease:
        """``acquire_lease`` for async code; ``on_busy="wait"`` sleeps without blocking."""
        params, deadline = leases.lease_args(thread_id, ttl, on_busy, timeout, holder)
        attempt = partial(anyio.to_thread.run_sync, self._try_lease, params, bind)
        return await leases.atake(attempt, params["thread_id"], on_busy, deadline)

    def _renew(self, lease: Lease, ttl: float | None) -> None:
        ttl = leases.check_ttl(lease.ttl if ttl is None else ttl)
        with self._transaction() as cur:
            expires = time.time() + ttl
            done = cur.execute(
                "UPDATE thread_leases SET expires_at = ? WHERE thread_id = ? AND token = ?",
                (expires, lease.thread_id, lease.token),
            ).rowcount
        if not done:
            raise leases.stale(lease, "renew")
        lease.expires_at, lease.ttl = _when(expires), ttl

    def _release(self, lease: Lease) -> None:
        if self._held.get(lease.thread_id) == lease.token:
            del self._held[lease.thread_id]
        with self._transaction() as cur:
            # the row stays, expired: the next take continues the token count
            now = time.time()
            cur.execute(
                "UPDATE thread_leases SET expires_at = ? WHERE thread_id = ? AND token = ? "
                "AND expires_at > ?",
                (now, lease.thread_id, lease.token, now),
            )

    async def _arenew(self, lease: Lease, ttl: float | None) -> None:
        await anyio.to_thread.run_sync(self._renew, lease, ttl)

    async def _arelease(self, lease: Lease) -> None:
        await anyio.to_thread.run_sync(self._release, lease)
