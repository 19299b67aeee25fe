"""``PostgresSaver``: checkpoints in PostgreSQL, shared by every worker on every machine.

Built on psycopg 3 (``pip install "langgraph-lite[postgres]"``). Give it a connection string
(``from_conn_string``), a ``psycopg.Connection`` or a ``psycopg_pool.ConnectionPool``; call
``setup()`` once per database (any number of processes may call it at once). Each call is one
SQL statement — one round trip, one transaction. ``acquire_lease`` makes one worker at a time
the writer of a thread (see ``lease.py``). ``AsyncPostgresSaver`` is in ``.aio``.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any

import anyio.to_thread

try:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.rows import tuple_row
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'PostgresSaver needs psycopg 3: pip install "langgraph-lite[postgres]" '
        '(or pip install "psycopg[binary]>=3.1" psycopg_pool).'
    ) from exc

from langgraph_lite.checkpoint import retention as rules
from langgraph_lite.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersion,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    filtered,
    saved_config,
)
from langgraph_lite.checkpoint.increments import ListIncrements
from langgraph_lite.checkpoint.postgres import _core as sql
from langgraph_lite.checkpoint.postgres import lease as leases
from langgraph_lite.checkpoint.postgres import retention as pg_retention
from langgraph_lite.checkpoint.postgres._cursor import commands, rows
from langgraph_lite.checkpoint.postgres._decode import Bases, decode_row
from langgraph_lite.checkpoint.postgres.lease import (
    Lease,
    LeaseError,
    OnBusy,
    StaleLeaseError,
    ThreadBusyError,
)
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde

__all__ = [
    "Lease",
    "LeaseError",
    "PostgresConnectionError",
    "PostgresSaver",
    "SchemaNotReadyError",
    "StaleLeaseError",
    "ThreadBusyError",
]

CONNECT_TIMEOUT = 5
"""Seconds to wait for the server when a connection string names no ``connect_timeout``."""

READ_ATTEMPTS = 3
"""Times a read selects its rows when deletions keep taking the bases its deltas need."""


class PostgresConnectionError(ConnectionError):
    """The server could not be reached, or the connection broke during a call."""


class SchemaNotReadyError(RuntimeError):
    """The database lacks the saver's tables: ``setup()`` was never called on it."""


def connect_kwargs(conn_string: str) -> dict[str, Any]:
    """Connection options for a connection the saver opens itself."""
    # prepare_threshold=0: each statement is prepared on its first use (one extra round trip,
    # once per connection), so every later call is exactly one round trip, parsed and planned
    # once
    options: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0}
    try:
        given = conninfo_to_dict(conn_string)
    except psycopg.ProgrammingError as exc:
        raise ValueError(f"not a PostgreSQL connection string: {exc}") from None
    if "connect_timeout" not in given:
        options["connect_timeout"] = CONNECT_TIMEOUT
    return options


def where(conn_string: str) -> str:
    """``host:port/dbname`` of a connection string, without any password."""
    try:
        info = conninfo_to_dict(conn_string)
    except psycopg.ProgrammingError:
        return "?"
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


def failure(exc: psycopg.Error, what: str) -> Exception:
    """Our error for a psycopg error raised during ``what``; other errors pass as they are."""
    if isinstance(exc, psycopg.errors.UndefinedTable):
        return SchemaNotReadyError(
            f"{what} failed: the checkpoint tables do not exist in this database/schema "
            f"({exc.diag.message_primary}). Call saver.setup() once; it creates and migrates "
            "them."
        )
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return PostgresConnectionError(
            f"{what} failed: the connection to PostgreSQL is broken or unavailable ({exc}). "
            "The call ran as one transaction: it was saved whole or not at all. Open a new "
            "saver (a pool replaces broken connections by itself) and resume from the "
            "thread's latest checkpoint."
        )
    return exc


def unreachable(conn_string: str, exc: Exception) -> PostgresConnectionError:
    return PostgresConnectionError(
        f"could not connect to PostgreSQL at {where(conn_string)}: {exc}. Check that the "
        "server is running and that the connection string's host, port, user and dbname "
        "are right."
    )


def seconds(value: float | timedelta, name: str) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be seconds (>= 0) or a timedelta, got {value!r}.")
    return float(value)


class PostgresSaver(BaseCheckpointSaver):
    """A checkpointer backed by PostgreSQL through psycopg 3.

    ``conn`` is a ``psycopg.Connection`` or a ``psycopg_pool.ConnectionPool``. Connections in
    autocommit mode (as ``from_conn_string`` opens them) send each call as one statement;
    others are wrapped in a transaction per call. The async twins run in worker threads.
    A connection may be in pipeline mode (``with conn.pipeline() as pipe:``, ``pipe`` given
    or not): each call then syncs the pipeline to read its result, since every call already
    is one statement, one round trip.
    """

    def __init__(
        self,
        conn: Any,
        pipe: Any = None,
        *,
        serde: MsgpackSerde | None = None,
    ) -> None:
        super().__init__(serde=serde)
        self.conn = conn
        self.pipe = pipe
        self.lock = threading.Lock()
        # tokens of the leases this saver holds: its writes to those threads carry them
        self._held: dict[str, int] = {}
        self._lists = ListIncrements(self.serde)  # list values stored as what they added

    @classmethod
    @contextmanager
    def from_conn_string(cls, conn_string: str, **kwargs: Any) -> Iterator[PostgresSaver]:
        """A saver on its own connection to ``conn_string``, closed after.

        A connection string without ``connect_timeout`` gives up after ``CONNECT_TIMEOUT``
        seconds; an unreachable server raises ``PostgresConnectionError``.
        """
        options = connect_kwargs(conn_string)
        try:
            conn = psycopg.Connection.connect(conn_string, **options)
        except psycopg.OperationalError as exc:
            raise unreachable(conn_string, exc) from None
        try:
            yield cls(conn, **kwargs)
        finally:
            conn.close()

    # -- talking to the server ---------------------------------------------------------------

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor[Any]]:
        if isinstance(self.conn, psycopg.Connection):
            with self.lock, self.conn.cursor(row_factory=tuple_row) as cur:
                yield cur
        else:  # a pool
            with self.conn.connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
                yield cur

    def _run(self, what: str, query: str, params: Any, *, many: bool = False) -> Any:
        """Execute one statement; its rows (``many``) or first row."""
        try:
            with self._cursor() as cur:
                if cur.connection.autocommit:
                    cur.execute(query, params)
                else:
                    with cur.connection.transaction():
                        cur.execute(query, params)
                return rows(cur, many)
        except psycopg.Error as exc:
            raise failure(exc, what) from exc

    def setup(self) -> None:
        """Create the tables, or migrate them to this version; safe to call many times."""
        try:
            with self._cursor() as cur, cur.connection.transaction():
                cur.execute(sql.SETUP_LOCK)
                cur.execute(sql.SETUP_TABLE)
                cur.execute(sql.SETUP_VERSION)
                current = cur.fetchone()[0]  # type: ignore[index]
                for v, script in enumerate(sql.MIGRATIONS):
                    if v > current:
                        for command in commands(script):
                            cur.execute(command)
                        cur.execute(sql.SETUP_RECORD, (v,))
        except psycopg.Error as exc:
            raise failure(exc, "setup()") from exc

    def _token(self, config: Mapping[str, Any]) -> int | None:
        return leases.token_of(config, self._held)

    def lease_token(self, config: Mapping[str, Any]) -> int | None:
        """The lease token a write with ``config`` would name (its ``lease_token``, else the
        token of a lease this saver holds on the thread), or None."""
        return leases.token_of(config, self._held)

    def _drive(self, what: str, plan: Plan) -> Any:
        """Run a plan of statements (``_reads``, ``_puts``); its result."""
        try:
            query, params, many = next(plan)
            while True:
                query, params, many = plan.send(self._run(what, query, params, many=many))
        except StopIteration as done:
            return done.value

    def _reads(self, query: str, params: Any, many: bool, share: bool = False) -> Plan:
        """Select checkpoint rows and decode them, first fetching the bases of deltas the cache
        lacks. A read that loses a race with a deletion (a base gone between the ``SELECT`` and
        ``CHAIN``) selects again, and finds the rows the deletion left."""
        for attempt in range(READ_ATTEMPTS):
            found = yield query, params, many
            rows = found if many else [found] if found else []
            bases = Bases(self._lists, rows)
            for cached in (True, False) if attempt == 0 else (False,):
                for (thread_id, ns), chain in bases.wanted(cached).items():
                    found = yield sql.CHAIN, {"thread_id": thread_id, "ns": ns, **chain}, True
                    bases.add(thread_id, ns, found)
                try:
                    return [decode_row(self.serde, row, bases, share) for row in rows]
                except CheckpointDecodeError:
                    if attempt == READ_ATTEMPTS - 1 and not cached:
                        raise
                    # a base the cache held when asked was evicted before its delta was read
                    # (fetch every base), or a deletion took one (select again)
        raise AssertionError("unreachable")

    def _puts(
        self,
        config: Mapping[str, Any],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, ChannelVersion],
    ) -> Plan:
        token = self._token(config)
        put = sql.put_params(
            self.serde, self._lists, config, checkpoint, metadata, new_versions, token
        )
        verdict = yield sql.PUT, put.params, False
        if verdict[0] and verdict[4]:  # a delta's base is gone: the values go whole
            put.whole(self._lists, builtins.list(put.wholes))  # (all: no base to miss again)
            verdict = yield sql.PUT, put.params, False
        thread_id = put.params["thread_id"]
        if not verdict[0]:
            raise leases.refused(thread_id, token, verdict[:4], "put")
        return saved_config(thread_id, put.params["ns"], checkpoint["id"])

    # -- reading -----------------------------------------------------------------------------

    def get_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        return self._get("get_tuple", config, False)

    def get_tuple_for_run(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        """``get_tuple`` for a run resuming from the checkpoint: its list values are kept, so
        that the run's next checkpoint stores only what it adds to them."""
        if type(self).get_tuple is not PostgresSaver.get_tuple:  # a subclass's own reading
            return self.get_tuple(config)
        return self._get("get_tuple", config, True)

    def _get(self, what: str, config: Mapping[str, Any], share: bool) -> CheckpointTuple | None:
        query, params = sql.get_query(config)
        found = self._drive(what, self._reads(query, params, False, share))
        return found[0] if found else None

    def list(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints, newest first; ``filter`` matches metadata, ``before`` a checkpoint id."""
        query, params, leftover = sql.list_query(config, filter, before, limit)
        found = self._drive("list", self._reads(query, params, True))
        return iter(builtins.list(filtered(found, leftover, limit)))

    # -- writing -----------------------------------------------------------------------------

    def put(
        self,
        config: Mapping[str, Any],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, ChannelVersion],
    ) -> dict[str, Any]:
        return self._drive("put", self._puts(config, checkpoint, metadata, new_versions))

    def put_writes(
        self,
        config: Mapping[str, Any],
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        token = self._token(config)
        params = sql.put_writes_params(self.serde, config, writes, task_id, task_path, token)
        verdict = self._run("put_writes", sql.PUT_WRITES, params)
        if not verdict[0]:
            raise leases.refused(params["thread_id"], token, verdict, "put_writes")

    # -- retention (the rules: checkpoint.retention; the statements: postgres/retention.py) --

    def _transact(self, what: str, plan: Any) -> Any:
        """Run a retention plan in one transaction; its result."""
        try:
            with self._cursor() as cur, cur.connection.transaction():
                return pg_retention.drive(cur, plan)
        except psycopg.Error as exc:
            raise failure(exc, what) from exc

    def delete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint and write of a thread (its lease row stays); refused while
        another worker holds the thread's lease."""
        plan = pg_retention.delete_threads([str(thread_id)], self._held, "delete_thread")
        self._transact("delete_thread", plan)
        self._lists.forget(str(thread_id))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Keep only each namespace's latest checkpoint (``"keep_latest"``) or delete the
        threads (``"delete"``); refused while another worker holds one's lease."""
        self._transact("prune", _prune_plan(thread_ids, strategy, self._held))
        self._forget(thread_ids, strategy)

    def _forget(self, thread_ids: Sequence[str], strategy: str) -> None:
        if strategy == "delete":
            for thread_id in rules.thread_list(thread_ids):
                self._lists.forget(thread_id)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints whose ``metadata["run_id"]`` is one of ``run_ids``, with
        their pending writes."""
        plan = pg_retention.delete_for_runs(rules.run_list(run_ids), self._held)
        self._transact("delete_for_runs", plan)

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint and write of one thread to a new thread (ids kept)."""
        source, target = rules.check_copy(source_thread_id, target_thread_id)
        self._transact("copy_thread", pg_retention.copy_thread(source, target, self._held))

    def delete_idle_threads(self, idle_for: float | timedelta) -> builtins.list[str]:
        """Delete the threads with no checkpoint saved for ``idle_for`` (seconds or a
        timedelta) and no live lease; return their ids."""
        plan = pg_retention.delete_idle(seconds(idle_for, "idle_for"))
        deleted = self._transact("delete_idle_threads", plan)
        self._forget(deleted, "delete")
        return deleted

    # The async twins of the retention and lease calls, in worker threads like the others.

    async def adelete_idle_threads(self, idle_for: float | timedelta) -> builtins.list[str]:
        """``delete_idle_threads`` for async code."""
        return await anyio.to_thread.run_sync(self.delete_idle_threads, idle_for)

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
        """``acquire_lease`` for async code (a worker thread waits, not the event loop)."""
        take = partial(
            self.acquire_lease, thread_id, ttl=ttl, on_busy=on_busy, timeout=timeout,
            holder=holder, bind=bind,
        )  # fmt: skip
        return await anyio.to_thread.run_sync(take)

    async def _arenew(self, lease: Lease, ttl: float | None) -> None:
        await anyio.to_thread.run_sync(self._renew, lease, ttl)

    async def _arelease(self, lease: Lease) -> None:
        await anyio.to_thread.run_sync(self._release, lease)

    # -- leases ------------------------------------------------------------------------------

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

        When another worker holds a live lease: ``on_busy="fail"`` raises ``ThreadBusyError``;
        ``"wait"`` polls until it is free (``timeout`` seconds at most, then raises).
        ``bind``: this saver names the token in its writes to the thread until the lease is
        released (False: only writes whose config names ``lease_token`` carry it, as the
        engine's own leases do).
        """
        params, deadline = leases.lease_args(thread_id, ttl, on_busy, timeout, holder)
        return leases.take(
            partial(self._try_lease, params, bind), params["thread_id"], on_busy, deadline
        )

    def _try_lease(self, params: dict[str, Any], bind: bool) -> Any:
        """One attempt: the lease, or the row of the live lease someone else holds."""
        row = self._run("acquire_lease", leases.ACQUIRE, params)
        if not row:
            held = self._run("acquire_lease", leases.HOLDER, params)
            if not (held and leases.holder_is_dead(held[1])):
                return held
            dead = {**params, "dead_token": held[0], "dead_holder": held[1]}
            row = self._run("acquire_lease", leases.TAKE_FROM_DEAD, dead)
            if not row:
                return self._run("acquire_lease", leases.HOLDER, params)
        return self._taken(params, bind, row)

    def _taken(self, params: dict[str, Any], bind: bool, row: Any) -> Lease:
        if bind:
            self._held[params["thread_id"]] = row[0]
        return Lease(self, params["thread_id"], row[0], params["holder"], row[1], params["ttl"])

    def _renew(self, lease: Lease, ttl: float | None) -> None:
        params = _renew_args(lease, ttl)
        row = self._run("renew", leases.RENEW, params)
        if not row:
            raise leases.stale(lease, "renew")
        lease.expires_at, lease.ttl = row[1], params["ttl"]

    def _release(self, lease: Lease) -> None:
        if self._held.get(lease.thread_id) == lease.token:
            del self._held[lease.thread_id]
        self._run("release", leases.RELEASE, {"thread_id": lease.thread_id, "token": lease.token})


Plan = Generator[tuple[str, Any, bool], Any, Any]
"""Statements ``(sql, params, many)`` a call sends one after another, each sent its rows
(``many``) or first row; the plan's return value is the call's."""


def _renew_args(lease: Lease, ttl: float | None) -> dict[str, Any]:
    return {
        "thread_id": lease.thread_id,
        "token": lease.token,
        "ttl": leases.check_ttl(lease.ttl if ttl is None else ttl),
    }


def _prune_plan(thread_ids: Any, strategy: str, held: Mapping[str, int]) -> Any:
    threads = rules.thread_list(thread_ids)
    rules.check_strategy(strategy)
    if strategy == "delete":
        return pg_retention.delete_threads(threads, held, "prune")
    return pg_retention.keep_latest(threads, held)
