"""``delete_thread``, ``prune``, ``delete_for_runs`` and ``copy_thread`` for the PostgreSQL
savers (the rules: ``langgraph_lite.checkpoint.retention``).

Each call is one transaction of a few statements, written once as a generator (a *plan*) that
yields ``(sql, params)`` and is sent each statement's rows; ``drive`` and ``adrive`` run it on a
sync or an async cursor. Every plan starts by locking the lease rows of the threads it writes
(``FOR SHARE``: no worker can take a lease over until it commits) and refuses, before deleting
anything, a thread another worker holds a live lease on. A list value stored as a delta
(``checkpoint.increments``) keeps the blobs it builds on: a blob a kept one's chain of
``base`` versions reaches is not deleted (at most ``SNAPSHOT_EVERY`` of them per channel).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from typing import Any

from langgraph_lite.checkpoint import retention
from langgraph_lite.checkpoint.lease import refused
from langgraph_lite.checkpoint.postgres._cursor import arows, rows

__all__ = [
    "adrive",
    "copy_thread",
    "delete_for_runs",
    "delete_idle",
    "delete_threads",
    "drive",
    "keep_latest",
]

Plan = Generator[tuple[str, Any], list[Any], Any]

# (in one order, so that two retention calls never wait for each other's locks)
TURNS = """
SELECT count(pg_advisory_xact_lock(7104365, hashtext(t)))
FROM unnest(%(threads)s::text[]) WITH ORDINALITY AS u(t, i)"""

LEASES = """
SELECT thread_id, token, holder, expires_at > now() FROM lgl_thread_leases
WHERE thread_id = ANY(%(threads)s::text[]) FOR SHARE"""

DELETE_THREAD = """
WITH c AS (DELETE FROM lgl_checkpoints WHERE thread_id = ANY(%(threads)s::text[])),
    b AS (DELETE FROM lgl_checkpoint_blobs WHERE thread_id = ANY(%(threads)s::text[]))
DELETE FROM lgl_checkpoint_writes WHERE thread_id = ANY(%(threads)s::text[])"""

CHECKPOINTS = """
SELECT thread_id, checkpoint_ns, checkpoint_id, metadata_json -> 'parents' FROM lgl_checkpoints
WHERE thread_id = ANY(%(threads)s::text[])"""

OF_RUNS = """
SELECT thread_id, checkpoint_ns, checkpoint_id FROM lgl_checkpoints
WHERE metadata_json ->> 'run_id' = ANY(%(runs)s::text[])"""

# Delete the checkpoints named, their writes, and the blobs they named that no checkpoint left
# names, nor a kept delta builds on; a checkpoint left whose parent goes is left with no parent.
DROP = """
WITH RECURSIVE doomed AS (
        SELECT * FROM unnest(%(threads)s::text[], %(namespaces)s::text[], %(ids)s::text[])
            AS d(thread_id, checkpoint_ns, checkpoint_id)
    ),
    gone AS (
        DELETE FROM lgl_checkpoints c USING doomed d
        WHERE c.thread_id = d.thread_id AND c.checkpoint_ns = d.checkpoint_ns
            AND c.checkpoint_id = d.checkpoint_id
        RETURNING c.thread_id, c.checkpoint_ns, c.versions
    ),
    w AS (
        DELETE FROM lgl_checkpoint_writes w USING doomed d
        WHERE w.thread_id = d.thread_id AND w.checkpoint_ns = d.checkpoint_ns
            AND w.checkpoint_id = d.checkpoint_id
    ),
    p AS (
        UPDATE lgl_checkpoints c SET parent_checkpoint_id = NULL FROM doomed d
        WHERE c.thread_id = d.thread_id AND c.checkpoint_ns = d.checkpoint_ns
            AND c.parent_checkpoint_id = d.checkpoint_id
            AND NOT EXISTS (SELECT 1 FROM doomed x WHERE x.thread_id = c.thread_id
                AND x.checkpoint_ns = c.checkpoint_ns AND x.checkpoint_id = c.checkpoint_id)
    ),
    freed AS (
        SELECT DISTINCT g.thread_id, g.checkpoint_ns, v.key AS channel, v.value AS version
        FROM gone g CROSS JOIN LATERAL jsonb_each_text(g.versions) AS v
    ),
    left_named AS (  -- the blobs the checkpoints left name, in the namespaces touched
        SELECT c.thread_id, c.checkpoint_ns, v.key AS channel, v.value AS version
        FROM lgl_checkpoints c CROSS JOIN LATERAL jsonb_each_text(c.versions) AS v
        WHERE (c.thread_id, c.checkpoint_ns) IN (SELECT thread_id, checkpoint_ns FROM doomed)
            AND NOT EXISTS (SELECT 1 FROM doomed x WHERE x.thread_id = c.thread_id
                AND x.checkpoint_ns = c.checkpoint_ns AND x.checkpoint_id = c.checkpoint_id)
    ),
    kept AS (  -- those blobs and, down their chains of deltas, the blobs they build on
        SELECT b.thread_id, b.checkpoint_ns, b.channel, b.version, b.base
        FROM lgl_checkpoint_blobs b JOIN left_named n ON b.thread_id = n.thread_id
            AND b.checkpoint_ns = n.checkpoint_ns AND b.channel = n.channel
            AND b.version = n.version
    UNION
        SELECT b.thread_id, b.checkpoint_ns, b.channel, b.version, b.base
        FROM lgl_checkpoint_blobs b JOIN kept k ON b.thread_id = k.thread_id
            AND b.checkpoint_ns = k.checkpoint_ns AND b.channel = k.channel
            AND b.version = k.base
    )
DELETE FROM lgl_checkpoint_blobs b USING freed f
WHERE b.thread_id = f.thread_id AND b.checkpoint_ns = f.checkpoint_ns
    AND b.channel = f.channel AND b.version = f.version
    AND NOT EXISTS (
        SELECT 1 FROM kept k WHERE k.thread_id = f.thread_id
            AND k.checkpoint_ns = f.checkpoint_ns AND k.channel = f.channel
            AND k.version = f.version
    )"""

HAS_CHECKPOINTS = "SELECT 1 FROM lgl_checkpoints WHERE thread_id = %(target)s LIMIT 1"

# Every checkpoint, blob and write of one thread, again under another thread id.
COPY_THREAD = """
WITH c AS (
        INSERT INTO lgl_checkpoints (thread_id, checkpoint_ns, checkpoint_id,
            parent_checkpoint_id, type, checkpoint, metadata_type, metadata, metadata_json,
            versions, created_at)
        SELECT %(target)s, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type,
            checkpoint, metadata_type, metadata, metadata_json, versions, created_at
        FROM lgl_checkpoints WHERE thread_id = %(source)s
        ON CONFLICT DO NOTHING
    ),
    b AS (
        INSERT INTO lgl_checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob,
            base)
        SELECT %(target)s, checkpoint_ns, channel, version, type, blob, base
        FROM lgl_checkpoint_blobs WHERE thread_id = %(source)s
        ON CONFLICT DO NOTHING
    )
INSERT INTO lgl_checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx,
    channel, type, value, task_path)
SELECT %(target)s, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value, task_path
FROM lgl_checkpoint_writes WHERE thread_id = %(source)s
ON CONFLICT DO NOTHING"""

# Threads with no checkpoint saved for ``seconds`` and no live lease; once their turns are
# taken (``TURNS``), those still idle are deleted.
IDLE = """
SELECT thread_id FROM lgl_checkpoints GROUP BY thread_id
HAVING max(created_at) < now() - make_interval(secs => %(seconds)s)
EXCEPT SELECT thread_id FROM lgl_thread_leases WHERE expires_at > now()"""

DELETE_IDLE = """
WITH idle AS (
        SELECT thread_id FROM lgl_checkpoints WHERE thread_id = ANY(%(threads)s::text[])
        GROUP BY thread_id
        HAVING max(created_at) < now() - make_interval(secs => %(seconds)s)
        EXCEPT SELECT thread_id FROM lgl_thread_leases WHERE expires_at > now()
    ),
    c AS (DELETE FROM lgl_checkpoints WHERE thread_id IN (SELECT thread_id FROM idle)),
    b AS (DELETE FROM lgl_checkpoint_blobs WHERE thread_id IN (SELECT thread_id FROM idle)),
    w AS (DELETE FROM lgl_checkpoint_writes WHERE thread_id IN (SELECT thread_id FROM idle))
SELECT thread_id FROM idle ORDER BY thread_id"""


# -- plans -----------------------------------------------------------------------------------


def fence(threads: Sequence[str], held: Mapping[str, int], what: str) -> Plan:
    """Wait for the writes in flight to the threads (their advisory locks, held until the
    plan commits), lock their lease rows; refuse ``what`` if another worker holds one."""
    yield TURNS, {"threads": sorted(threads)}
    rows = yield LEASES, {"threads": list(threads)}
    found = {row[0]: row for row in rows}
    for thread_id in sorted(threads):
        token = held.get(thread_id)
        row = found.get(thread_id)
        if row is None:
            if token is not None:
                raise refused(thread_id, token, (False, None, None, False), what)
            continue
        _, current, holder, live = row
        if (token is None and live) or (token is not None and token != current):
            raise refused(thread_id, token, (False, current, holder, live), what)


def delete_threads(threads: list[str], held: Mapping[str, int], what: str) -> Plan:
    """``delete_thread`` and ``prune(strategy="delete")``."""
    if threads:
        yield from fence(threads, held, what)
        yield DELETE_THREAD, {"threads": threads}


def _drop(doomed: list[tuple[str, str, str]]) -> Plan:
    if doomed:
        threads, namespaces, ids = (list(c) for c in zip(*doomed, strict=True))
        yield DROP, {"threads": threads, "namespaces": namespaces, "ids": ids}


def keep_latest(threads: list[str], held: Mapping[str, int]) -> Plan:
    """``prune(strategy="keep_latest")``."""
    if not threads:
        return
    yield from fence(threads, held, "prune")
    rows = yield CHECKPOINTS, {"threads": threads}
    by_thread: dict[str, list[tuple[str, str, Any]]] = {}
    for thread_id, ns, checkpoint_id, parents in rows:
        by_thread.setdefault(thread_id, []).append((ns, checkpoint_id, {"parents": parents}))
    doomed = []
    for thread_id, checkpoints in by_thread.items():
        kept = retention.latest_kept(checkpoints)
        doomed += [(thread_id, ns, c) for ns, c, _ in checkpoints if (ns, c) not in kept]
    yield from _drop(doomed)


def delete_for_runs(runs: list[str], held: Mapping[str, int]) -> Plan:
    """``delete_for_runs``."""
    if not runs:
        return
    rows = yield OF_RUNS, {"runs": runs}
    if rows:
        yield from fence(sorted({r[0] for r in rows}), held, "delete_for_runs")
        yield from _drop([tuple(r) for r in rows])


def delete_idle(seconds: float) -> Plan:
    """``delete_idle_threads``: the ids of the threads deleted."""
    rows = yield IDLE, {"seconds": seconds}
    if not rows:
        return []
    threads = sorted(r[0] for r in rows)
    yield TURNS, {"threads": threads}  # a put in flight to one commits first
    rows = yield DELETE_IDLE, {"seconds": seconds, "threads": threads}
    return [r[0] for r in rows]


def copy_thread(source: str, target: str, held: Mapping[str, int]) -> Plan:
    """``copy_thread``."""
    yield from fence([target], held, "copy_thread")
    if (yield HAS_CHECKPOINTS, {"target": target}):
        raise retention.target_not_empty(target)
    yield COPY_THREAD, {"source": source, "target": target}


# -- drivers ---------------------------------------------------------------------------------


def drive(cur: Any, plan: Plan) -> Any:
    """Run ``plan`` on a sync cursor (the caller holds the transaction); its result."""
    try:
        step = next(plan)
        while True:
            cur.execute(*step)
            step = plan.send(rows(cur))
    except StopIteration as done:
        return done.value


async def adrive(cur: Any, plan: Plan) -> Any:
    """Run ``plan`` on an async cursor (the caller holds the transaction); its result."""
    try:
        step = next(plan)
        while True:
            await cur.execute(*step)
            step = plan.send(await arows(cur))
    except StopIteration as done:
        return done.value
