"""``AsyncPostgresSaver``: ``PostgresSaver`` on psycopg's asyncio connections.

It takes a ``psycopg.AsyncConnection`` or a ``psycopg_pool.AsyncConnectionPool`` and sends the
same single statements as ``PostgresSaver``. psycopg's async connections need asyncio; under
trio, use ``PostgresSaver``, whose async methods run in worker threads. The sync methods work
from threads other than the event loop's (they hand the call to the loop and wait).
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import Any

import psycopg
from psycopg.rows import tuple_row

from langgraph_lite.checkpoint import retention as rules
from langgraph_lite.checkpoint.base import (
    ChannelVersion,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    filtered,
)
from langgraph_lite.checkpoint.postgres import (
    PostgresSaver,
    _prune_plan,
    _renew_args,
    connect_kwargs,
    failure,
    seconds,
    unreachable,
)
from langgraph_lite.checkpoint.postgres import _core as sql
from langgraph_lite.checkpoint.postgres import lease as leases
from langgraph_lite.checkpoint.postgres import retention as pg_retention
from langgraph_lite.checkpoint.postgres._cursor import arows, commands
from langgraph_lite.checkpoint.postgres.lease import Lease, OnBusy
from langgraph_lite.checkpoint.serde import MsgpackSerde

__all__ = ["AsyncPostgresSaver"]


def _loop(what: str) -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            f"AsyncPostgresSaver.{what} needs a running asyncio event loop (psycopg's async "
            "connections run on asyncio only). Under trio, or without a loop, use "
            "PostgresSaver: its async methods run in worker threads."
        ) from None


class AsyncPostgresSaver(PostgresSaver):
    """A checkpointer backed by PostgreSQL through psycopg's asyncio connections."""

    def __init__(
        self,
        conn: Any,
        pipe: Any = None,
        *,
        serde: MsgpackSerde | None = None,
    ) -> None:
        super().__init__(conn, pipe, serde=serde)
        self.loop = _loop("__init__")
        self.alock = asyncio.Lock()

    @classmethod
    @asynccontextmanager
    async def from_conn_string(  # type: ignore[override]
        cls, conn_string: str, **kwargs: Any
    ) -> AsyncIterator[AsyncPostgresSaver]:
        """A saver on its own async connection to ``conn_string``, closed after."""
        options = connect_kwargs(conn_string)
        _loop("from_conn_string")
        try:
            conn = await psycopg.AsyncConnection.connect(conn_string, **options)
        except psycopg.OperationalError as exc:
            raise unreachable(conn_string, exc) from None
        try:
            yield cls(conn, **kwargs)
        finally:
            await conn.close()

    # -- talking to the server ---------------------------------------------------------------

    async def _arun(self, what: str, query: str, params: Any, *, many: bool = False) -> Any:
        _loop(what)
        try:
            if isinstance(self.conn, psycopg.AsyncConnection):
                async with self.alock:
                    return await self._execute(self.conn, query, params, many)
            async with self.conn.connection() as conn:
                return await self._execute(conn, query, params, many)
        except psycopg.Error as exc:
            raise failure(exc, what) from exc

    async def _on_connection(self, use: Any) -> Any:
        """``await use(conn)`` on the saver's connection (held alone) or one of its pool."""
        if isinstance(self.conn, psycopg.AsyncConnection):
            async with self.alock:
                return await use(self.conn)
        async with self.conn.connection() as conn:
            return await use(conn)

    @staticmethod
    async def _execute(conn: Any, query: str, params: Any, many: bool) -> Any:
        async with conn.cursor(row_factory=tuple_row) as cur:
            if conn.autocommit:
                await cur.execute(query, params)
            else:
                async with conn.transaction():
                    await cur.execute(query, params)
            return await arows(cur, many)

    def _run(self, what: str, query: str, params: Any, *, many: bool = False) -> Any:
        # the sync methods (inherited) come here: run the statement on the saver's loop
        return self._run_on_loop(what, self._arun(what, query, params, many=many))

    def _run_on_loop(self, what: str, call: Any) -> Any:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            call.close()
            raise asyncio.InvalidStateError(
                "Synchronous calls to AsyncPostgresSaver are only allowed from a different "
                f"thread. From the main thread, use the async interface (a{what}(...), or "
                "await graph.ainvoke(...))."
            )
        return asyncio.run_coroutine_threadsafe(call, self.loop).result()

    async def setup(self) -> None:  # type: ignore[override]
        """Create the tables, or migrate them to this version (``await saver.setup()``, as in
        LangGraph); safe to call many times, from many processes at once."""

        async def migrate(conn: Any) -> None:
            async with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
                await cur.execute(sql.SETUP_LOCK)
                await cur.execute(sql.SETUP_TABLE)
                await cur.execute(sql.SETUP_VERSION)
                current = (await cur.fetchone())[0]
                for v, script in enumerate(sql.MIGRATIONS):
                    if v > current:
                        for command in commands(script):
                            await cur.execute(command)
                        await cur.execute(sql.SETUP_RECORD, (v,))

        try:
            await self._on_connection(migrate)
        except psycopg.Error as exc:
            raise failure(exc, "setup()") from exc

    # -- reading -----------------------------------------------------------------------------

    async def _adrive(self, what: str, plan: Any) -> Any:
        """``_drive`` for async code."""
        try:
            query, params, many = next(plan)
            while True:
                rows = await self._arun(what, query, params, many=many)
                query, params, many = plan.send(rows)
        except StopIteration as done:
            return done.value

    async def aget_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        return await self._aget(config, False)

    async def aget_tuple_for_run(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        if type(self).aget_tuple is not AsyncPostgresSaver.aget_tuple:
            return await self.aget_tuple(config)
        return await self._aget(config, True)

    async def _aget(self, config: Mapping[str, Any], share: bool) -> CheckpointTuple | None:
        query, params = sql.get_query(config)
        found = await self._adrive("get_tuple", self._reads(query, params, False, share))
        return found[0] if found else None

    async def alist(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        query, params, leftover = sql.list_query(config, filter, before, limit)
        found = await self._adrive("list", self._reads(query, params, True))
        for item in filtered(found, leftover, limit):
            yield item

    def list(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints, newest first (from a thread other than the event loop's)."""
        return super().list(config, filter=filter, before=before, limit=limit)

    # -- writing -----------------------------------------------------------------------------

    async def aput(
        self,
        config: Mapping[str, Any],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, ChannelVersion],
    ) -> dict[str, Any]:
        plan = self._puts(config, checkpoint, metadata, new_versions)
        return await self._adrive("put", plan)

    async def aput_writes(
        self,
        config: Mapping[str, Any],
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        token = self._token(config)
        params = sql.put_writes_params(self.serde, config, writes, task_id, task_path, token)
        verdict = await self._arun("put_writes", sql.PUT_WRITES, params)
        if not verdict[0]:
            raise leases.refused(params["thread_id"], token, verdict, "put_writes")

    # -- retention ---------------------------------------------------------------------------

    async def _atransact(self, what: str, plan: Any) -> Any:
        """Run a retention plan in one transaction; its result."""

        async def run(conn: Any) -> Any:
            async with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
                return await pg_retention.adrive(cur, plan)

        _loop(what)
        try:
            return await self._on_connection(run)
        except psycopg.Error as exc:
            raise failure(exc, what) from exc

    def _transact(self, what: str, plan: Any) -> Any:
        # the inherited sync retention calls come here: run the plan on the saver's loop
        return self._run_on_loop(what, self._atransact(what, plan))

    async def adelete_thread(self, thread_id: str) -> None:
        plan = pg_retention.delete_threads([str(thread_id)], self._held, "delete_thread")
        await self._atransact("delete_thread", plan)
        self._lists.forget(str(thread_id))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """``prune`` for async code."""
        await self._atransact("prune", _prune_plan(thread_ids, strategy, self._held))
        self._forget(thread_ids, strategy)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """``delete_for_runs`` for async code."""
        plan = pg_retention.delete_for_runs(rules.run_list(run_ids), self._held)
        await self._atransact("delete_for_runs", plan)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """``copy_thread`` for async code."""
        source, target = rules.check_copy(source_thread_id, target_thread_id)
        await self._atransact("copy_thread", pg_retention.copy_thread(source, target, self._held))

    async def adelete_idle_threads(self, idle_for: float | timedelta) -> builtins.list[str]:
        """``delete_idle_threads`` for async code."""
        plan = pg_retention.delete_idle(seconds(idle_for, "idle_for"))
        deleted = await self._atransact("delete_idle_threads", plan)
        self._forget(deleted, "delete")
        return deleted

    # -- leases ------------------------------------------------------------------------------

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
        attempt = partial(self._atry_lease, params, bind)
        return await leases.atake(attempt, params["thread_id"], on_busy, deadline)

    async def _atry_lease(self, params: dict[str, Any], bind: bool) -> Any:
        row = await self._arun("acquire_lease", leases.ACQUIRE, params)
        if not row:
            held = await self._arun("acquire_lease", leases.HOLDER, params)
            if not (held and leases.holder_is_dead(held[1])):
                return held
            dead = {**params, "dead_token": held[0], "dead_holder": held[1]}
            row = await self._arun("acquire_lease", leases.TAKE_FROM_DEAD, dead)
            if not row:
                return await self._arun("acquire_lease", leases.HOLDER, params)
        return self._taken(params, bind, row)

    async def _arenew(self, lease: Lease, ttl: float | None) -> None:
        params = _renew_args(lease, ttl)
        row = await self._arun("renew", leases.RENEW, params)
        if not row:
            raise leases.stale(lease, "renew")
        lease.expires_at, lease.ttl = row[1], params["ttl"]

    async def _arelease(self, lease: Lease) -> None:
        if self._held.get(lease.thread_id) == lease.token:
            del self._held[lease.thread_id]
        params = {"thread_id": lease.thread_id, "token": lease.token}
        await self._arun("release", leases.RELEASE, params)
