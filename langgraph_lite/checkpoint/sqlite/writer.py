"""Group commit for ``SqliteSaver``: a run's saves queued, then written many to a transaction.

A SQLite commit costs far more than the rows it writes (WAL append, locks), so a run that
committed a task's writes and then the step's checkpoint paid two commits a step. Here the
saver encodes a save in the caller's thread and queues it as a *job* (a function of a cursor
that checks the lease fence and writes the rows); whoever drains the queue runs every job
queued so far in one ``BEGIN IMMEDIATE`` transaction:

- a caller that must wait (``durability="sync"``, a direct ``put``, any read) drains it
  itself, in its own thread: no thread hop;
- otherwise (``durability="async"``) a writer thread drains it: at once when a checkpoint is
  queued (so a step's writes and its checkpoint usually share one commit, and several steps
  one when the run is faster than the disk), else after ``LINGER`` seconds, so a finished
  task's writes are on disk soon even while its siblings run. The thread stops after
  ``IDLE`` seconds of nothing.

Jobs are only taken from the queue under the saver's lock, so a thread holding that lock sees
no job half done, and reading after a drain sees every save queued before it. A transaction is
all or nothing: a process killed at any instant leaves every job of a group or none. A group
that fails is rolled back and its jobs are run again one per transaction, so one bad job (a
stale lease token) fails alone; its error is kept for its thread and raised by the next
``flush`` or ``check`` for that thread.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["IDLE", "LIMIT", "LINGER", "GroupCommit", "Job", "Transaction"]


class Transaction:
    """One group's transaction, as its jobs see it: ``cur`` to read with (the lease fence, a
    delta's base), ``insert`` for the rows they write, and ``known``, what the jobs before
    found or stored (a fence passed, a row written), so that a later job does not ask SQLite
    again: nothing but these jobs writes while the transaction holds the write lock, and no
    job deletes. The rows go in at the end, one ``executemany`` per statement (a job's rows of
    one table keep their order; tables are written in the order first written to)."""

    __slots__ = ("_rows", "cur", "known")

    def __init__(self, cur: sqlite3.Cursor) -> None:
        self.cur = cur
        self.known: set[tuple[Any, ...]] = set()
        self._rows: dict[str, list[Sequence[Any]]] = {}

    def insert(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        """Write ``rows`` with ``statement`` (an INSERT), before the transaction commits."""
        found = self._rows.get(statement)
        if found is None:
            self._rows[statement] = list(rows)
        else:
            found.extend(rows)

    def write(self) -> None:
        """Write every row inserted so far."""
        for statement, rows in self._rows.items():
            if rows:
                self.cur.executemany(statement, rows)
        self._rows.clear()


Job = Callable[[Transaction], None]
"""Writes one save's rows, inside a transaction it does not open or close."""

LINGER = 0.02
"""At most this long (seconds) between queuing a job no one waits for and its commit, unless
the process dies: a task's writes saved in a step whose other tasks still run."""
IDLE = 1.0
"""The writer thread stops after this many seconds with nothing queued."""
LIMIT = 512
"""A caller that finds this many jobs queued drains them itself (the queue stays bounded)."""


class GroupCommit:
    """The queue of one saver's jobs, and the writer thread that drains it when no one waits."""

    def __init__(self, conn: sqlite3.Connection, lock: Any) -> None:
        self.conn = conn
        self.lock = lock  # the saver's (reentrant): held while jobs are taken and run
        self._cond = threading.Condition(threading.Lock())
        # Invariant: jobs leave the queue only under self.lock, in the order they came.
        self._queue: list[tuple[tuple[str, str], Job]] = []  # ((thread id, namespace), job)
        self._urgent = False  # a checkpoint is queued: the writer does not linger
        self._since = 0.0  # when the oldest queued job came
        self._failed: dict[str, BaseException] = {}  # thread id -> a failure not raised yet
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()  # the process self._thread runs in
        self._closing = False  # the saver is closing: the writer thread ends once idle
        self._unfinished = 0  # jobs queued or being committed
        self._unfinished_at: dict[tuple[str, str], int] = {}  # the same by (thread id, ns)
        self.linger = LINGER

    def pending(self) -> bool:
        """Whether any job is queued or being committed."""
        return self._unfinished > 0

    def pending_at(self, thread_id: str, ns: str) -> bool:
        """Whether a job saving to ``thread_id``'s namespace ``ns`` is queued or being
        committed: a read of that namespace must ``drain`` first (reads of others need not
        wait for the commit)."""
        return (thread_id, ns) in self._unfinished_at

    def submit(
        self,
        where: tuple[str, str],
        jobs: list[Job],
        urgent: bool,
        background: bool = True,
    ) -> None:
        """Queue ``jobs`` (saves to ``where``: a conversation's thread id and namespace);
        ``urgent``: commit soon; not ``background``: the caller drains the queue next (no
        writer thread needed)."""
        with self._cond:
            if not self._queue:
                self._since = time.monotonic()
            self._queue.extend((where, job) for job in jobs)
            self._unfinished += len(jobs)
            self._unfinished_at[where] = self._unfinished_at.get(where, 0) + len(jobs)
            if urgent:
                self._urgent = True
            if background and (self._thread is None or self._pid != os.getpid()):
                self._pid = os.getpid()  # (a forked child has no writer thread of its own)
                self._thread = threading.Thread(
                    target=self._write, name="langgraph_lite sqlite writer", daemon=True
                )
                self._thread.start()
            elif background:
                self._cond.notify()
            full = len(self._queue) >= LIMIT
        if full:
            self.drain()

    def drain(self) -> None:
        """Commit every job queued so far, in this thread (in one transaction if all pass)."""
        with self.lock:
            with self._cond:
                batch, self._queue, self._urgent = self._queue, [], False
            if batch:
                try:
                    self._commit(batch)
                finally:
                    with self._cond:
                        self._unfinished -= len(batch)
                        at = self._unfinished_at
                        for where, _ in batch:
                            left = at[where] - 1
                            if left:
                                at[where] = left
                            else:
                                del at[where]

    def close(self) -> None:
        """Commit what is queued and end the writer thread (its saver is closing)."""
        self.drain()
        with self._cond:
            thread, self._closing = self._thread, True
            self._cond.notify_all()
        # (not in a forked child: its copy of the thread runs nowhere)
        if (
            thread is not None
            and thread is not threading.current_thread()
            and self._pid == os.getpid()
        ):
            thread.join(timeout=IDLE)

    def check(self, thread_id: str) -> None:
        """Raise the failure of a job of ``thread_id`` that no one has been told of yet."""
        if self._failed:
            with self._cond:
                error = self._failed.pop(thread_id, None)
            if error is not None:
                raise error

    def flush(self, thread_id: str | None) -> None:
        """Commit what is queued, then raise ``check(thread_id)``'s failure, if any."""
        if self._unfinished:  # (queued, or being committed by the writer: drain waits for it)
            self.drain()
        if thread_id is not None:
            self.check(thread_id)

    def _commit(self, batch: list[tuple[tuple[str, str], Job]]) -> None:
        cur = self.conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            transaction = Transaction(cur)  # (new for each transaction: a retry starts over)
            for _, job in batch:
                job(transaction)
            transaction.write()
            cur.execute("COMMIT")
            return
        except Exception as exc:
            if self.conn.in_transaction:
                cur.execute("ROLLBACK")
            if len(batch) > 1:
                for one in batch:  # alone, so that only the failing job fails
                    self._commit([one])
                return
            with self._cond:
                self._failed.setdefault(batch[0][0][0], exc)
        except BaseException:
            if self.conn.in_transaction:
                cur.execute("ROLLBACK")
            raise

    def _write(self) -> None:
        """The writer thread: drain when a checkpoint is queued or the oldest job lingered."""
        try:
            self._write_until_idle()
        finally:  # if it died (BaseException in a job), the next submit starts another
            with self._cond:
                if self._thread is threading.current_thread():
                    self._thread = None

    def _write_until_idle(self) -> None:
        cond = self._cond
        while True:
            with cond:
                idle_until = time.monotonic() + IDLE
                while not self._queue:
                    left = idle_until - time.monotonic()
                    if left <= 0 or self._closing:
                        self._thread = None  # (with the lock held: a submit now starts one)
                        return
                    cond.wait(left)
                while self._queue and not self._urgent:
                    left = self._since + self.linger - time.monotonic()
                    if left <= 0:
                        break
                    cond.wait(left)
            self.drain()
