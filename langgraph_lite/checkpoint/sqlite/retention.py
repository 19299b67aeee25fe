"""``prune``, ``delete_for_runs`` and ``copy_thread`` for ``SqliteSaver`` (the rules:
``langgraph_lite.checkpoint.retention``).

Each call is one ``BEGIN IMMEDIATE`` transaction: the lease fence of every thread it touches,
then its reads and deletes, so it never sees half a put, and a thread another worker holds a
live lease on is refused (``ThreadBusyError``) before anything is deleted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from langgraph_lite.checkpoint import held, increments, retention
from langgraph_lite.checkpoint.sqlite import lease as leases

__all__ = ["SqliteRetention"]

_TABLES = ("checkpoints", "blobs", "writes")


class SqliteRetention:
    """The retention methods of ``SqliteSaver`` (and so of ``AsyncSqliteSaver``)."""

    _held: dict[str, int]
    _transaction: Any
    _skeletons: Any
    _lists: Any
    _plain: Any

    def delete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint and write of a thread (its lease row stays); refused while
        another worker holds the thread's lease."""
        with self._transaction() as cur:
            self._fence(cur, [str(thread_id)], "delete_thread")
            self._delete_threads(cur, [str(thread_id)])

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Keep only the latest checkpoint of each namespace of the threads, with its pending
        writes and values (``"keep_latest"``), or delete the threads (``"delete"``)."""
        threads = retention.thread_list(thread_ids)
        retention.check_strategy(strategy)
        if not threads:
            return
        with self._transaction() as cur:
            self._fence(cur, threads, "prune")
            if strategy == "delete":
                self._delete_threads(cur, threads)
                return
            for thread_id in threads:
                rows = cur.execute(
                    "SELECT checkpoint_ns, checkpoint_id, metadata_json FROM checkpoints "
                    "WHERE thread_id = ?",
                    (thread_id,),
                ).fetchall()
                kept = retention.latest_kept((ns, c, json.loads(m)) for ns, c, m in rows)
                doomed: dict[str, set[str]] = {}
                for ns, checkpoint_id, _ in rows:
                    if (ns, checkpoint_id) not in kept:
                        doomed.setdefault(ns, set()).add(checkpoint_id)
                for ns, ids in doomed.items():
                    self._drop(cur, thread_id, ns, ids)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints whose ``metadata["run_id"]`` is one of ``run_ids``, with
        their pending writes; the checkpoints left stay readable."""
        runs = retention.run_list(run_ids)
        if not runs:
            return
        with self._transaction() as cur:
            rows = cur.execute(
                "SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints WHERE "
                "CAST(json_extract(metadata_json, '$.run_id') AS TEXT) IN "
                "(SELECT value FROM json_each(?))",
                (json.dumps(runs),),
            ).fetchall()
            self._fence(cur, sorted({r[0] for r in rows}), "delete_for_runs")
            doomed: dict[tuple[str, str], set[str]] = {}
            for thread_id, ns, checkpoint_id in rows:
                doomed.setdefault((thread_id, ns), set()).add(checkpoint_id)
            for (thread_id, ns), ids in doomed.items():
                self._drop(cur, thread_id, ns, ids)

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint, value and pending write of a thread to a new thread."""
        source, target = retention.check_copy(source_thread_id, target_thread_id)
        with self._transaction() as cur:
            self._fence(cur, [target], "copy_thread")
            if cur.execute("SELECT 1 FROM checkpoints WHERE thread_id = ?", (target,)).fetchone():
                raise retention.target_not_empty(target)
            for table in _TABLES:
                columns = [r[1] for r in cur.execute(f"PRAGMA table_info({table})")]
                rest = ", ".join(c for c in columns if c != "thread_id")
                cur.execute(
                    f"INSERT INTO {table} (thread_id, {rest}) SELECT ?, {rest} FROM {table} "
                    "WHERE thread_id = ?",
                    (target, source),
                )

    # -- the shared steps --------------------------------------------------------------------

    def _fence(self, cur: sqlite3.Cursor, threads: Sequence[str], what: str) -> None:
        for thread_id in threads:
            leases.fence(cur, thread_id, self._held.get(thread_id), what)

    def _delete_threads(self, cur: sqlite3.Cursor, threads: Sequence[str]) -> None:
        for thread_id in threads:
            for table in _TABLES:
                cur.execute(f"DELETE FROM {table} WHERE thread_id = ?", (thread_id,))
            self._lists.forget(thread_id)
            self._plain.forget(thread_id)
            self._skeletons.forget(thread_id)

    def _drop(self, cur: sqlite3.Cursor, thread_id: str, ns: str, doomed: set[str]) -> None:
        """Delete the checkpoints ``doomed`` of one namespace, their writes and the values no
        checkpoint left names; a delta left whose base goes is stored whole first."""
        rows = cur.execute(
            "SELECT checkpoint_id, parent_checkpoint_id, type, checkpoint FROM checkpoints "
            "WHERE thread_id = ? AND checkpoint_ns = ?",
            (thread_id, ns),
        ).fetchall()
        where = (thread_id, ns)

        def fetch_skeleton(checkpoint_id: str) -> tuple[str, bytes] | None:
            row = cur.execute(
                "SELECT type, checkpoint FROM checkpoints WHERE thread_id = ? AND "
                "checkpoint_ns = ? AND checkpoint_id = ?",
                (thread_id, ns, checkpoint_id),
            ).fetchone()
            return (row[0], row[1]) if row else None

        def fetch_blob(channel: str) -> Any:
            def fetch(version: Any) -> tuple[str, bytes] | None:
                row = cur.execute(
                    "SELECT type, blob FROM blobs WHERE thread_id = ? AND checkpoint_ns = ? "
                    "AND channel = ? AND version = ?",
                    (thread_id, ns, channel, str(version)),
                ).fetchone()
                return (row[0], row[1]) if row else None

            return fetch

        needed: set[tuple[str, str]] = set()
        freed: set[tuple[str, str]] = set()
        for checkpoint_id, parent, kind, data in rows:
            skeleton = self._skeletons.decode(where, checkpoint_id, (kind, data), fetch_skeleton)
            named = {(c, str(v)) for c, v in skeleton["channel_versions"].items()}
            if checkpoint_id in doomed:
                freed |= named
                continue
            needed |= named
            if self._skeletons.base_of(checkpoint_id, (kind, data)) in doomed:
                whole = self._skeletons.whole(where, checkpoint_id, (kind, data), fetch_skeleton)
                cur.execute(
                    "UPDATE checkpoints SET type = ?, checkpoint = ? WHERE thread_id = ? AND "
                    "checkpoint_ns = ? AND checkpoint_id = ?",
                    (*whole, thread_id, ns, checkpoint_id),
                )
            if parent in doomed:  # as LangGraph's prune: no parent rather than a missing one
                cur.execute(
                    "UPDATE checkpoints SET parent_checkpoint_id = NULL WHERE thread_id = ? "
                    "AND checkpoint_ns = ? AND checkpoint_id = ?",
                    (thread_id, ns, checkpoint_id),
                )
        blobs = {
            (channel, version): (kind, data)
            for channel, version, kind, data in cur.execute(
                # only a delta's bytes are needed (to find its base): deltas are small
                "SELECT channel, version, type, CASE WHEN type IN (?, ?) THEN blob END "
                "FROM blobs WHERE thread_id = ? AND checkpoint_ns = ?",
                (increments.DELTA, held.HELD_DELTA, thread_id, ns),
            )
        }

        def base_of(cv: Any) -> Any:
            blob = blobs.get(cv)
            if blob is None:
                return None
            of = held.base_of if blob[0] == held.HELD_DELTA else increments.base_of
            base = of(cv[0], cv[1], blob)
            return None if base is None else (cv[0], base)

        gone = freed - needed
        for cv in retention.whole_blobs(needed, gone, base_of, blobs.__contains__):
            lists = self._plain if blobs[cv][0] == held.HELD_DELTA else self._lists
            whole = lists.whole((*where, cv[0]), cv[1], blobs[cv], fetch_blob(cv[0]))
            cur.execute(
                "UPDATE blobs SET type = ?, blob = ? WHERE thread_id = ? AND checkpoint_ns = ? "
                "AND channel = ? AND version = ?",
                (*whole, thread_id, ns, *cv),
            )
        cur.executemany(
            "DELETE FROM blobs WHERE thread_id = ? AND checkpoint_ns = ? AND channel = ? "
            "AND version = ?",
            [(thread_id, ns, *cv) for cv in gone],
        )
        for table in ("checkpoints", "writes"):
            cur.executemany(
                f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = ? "
                "AND checkpoint_id = ?",
                [(thread_id, ns, c) for c in doomed],
            )
