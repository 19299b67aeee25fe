"""What the PostgreSQL savers say to the database, without doing any I/O.

``PostgresSaver`` and ``AsyncPostgresSaver`` differ only in how they wait for the server, so
everything else lives here and in ``_decode.py``: the schema and its migrations, one SQL
statement per saver call (each bound parameter a value, never spliced SQL text) and the
encoding of a call's arguments into those parameters. List values are stored as what they
added to the version stored before (``checkpoint.increments``), a full value every
``SNAPSHOT_EVERY`` versions; ``base`` names the version a delta builds on.

Every call is ONE statement, so it is one round trip and one implicit transaction: a put's
blobs and checkpoint row, or a task's writes, are saved together or not at all. Each writing
statement starts with the thread's lease row, locked ``FOR SHARE``: a lease taken over while
the statement waits is seen, and the statement then writes nothing (see ``lease.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from langgraph_lite.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersion,
    Checkpoint,
    CheckpointMetadata,
    encoded,
    thread_of,
)
from langgraph_lite.checkpoint.increments import ListIncrements
from langgraph_lite.checkpoint.serde import MsgpackSerde

# Our tables have their own names, so a database LangGraph's PostgresSaver also uses (its
# tables are ``checkpoints``, ``checkpoint_blobs``...) keeps both apart.
MIGRATIONS_TABLE = "lgl_checkpoint_migrations"

# Each entry moves the schema one version up; setup() applies, once, the ones a database lacks.
MIGRATIONS: list[str] = [
    # v0: checkpoints, one blob per channel version, pending writes
    """
    CREATE TABLE lgl_checkpoints (
        thread_id text NOT NULL,
        checkpoint_ns text NOT NULL DEFAULT '',
        checkpoint_id text COLLATE "C" NOT NULL,
        parent_checkpoint_id text COLLATE "C",
        type text NOT NULL,
        checkpoint bytea NOT NULL,
        metadata_type text NOT NULL,
        metadata bytea NOT NULL,
        metadata_json jsonb NOT NULL DEFAULT '{}',
        versions jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
    );
    CREATE TABLE lgl_checkpoint_blobs (
        thread_id text NOT NULL,
        checkpoint_ns text NOT NULL DEFAULT '',
        channel text NOT NULL,
        version text NOT NULL,
        type text NOT NULL,
        blob bytea,
        PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
    );
    CREATE TABLE lgl_checkpoint_writes (
        thread_id text NOT NULL,
        checkpoint_ns text NOT NULL DEFAULT '',
        checkpoint_id text COLLATE "C" NOT NULL,
        task_id text NOT NULL,
        idx integer NOT NULL,
        channel text NOT NULL,
        type text NOT NULL,
        value bytea,
        task_path text NOT NULL DEFAULT '',
        PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
    );
    """,
    # v1: when each checkpoint was saved (for delete_idle_threads); metadata filters by index
    """
    ALTER TABLE lgl_checkpoints ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
    CREATE INDEX lgl_checkpoints_metadata ON lgl_checkpoints USING gin (metadata_json);
    """,
    # v2: one writer per thread (fencing tokens only ever grow, so rows are never deleted)
    """
    CREATE TABLE lgl_thread_leases (
        thread_id text PRIMARY KEY,
        token bigint NOT NULL,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL
    );
    """,
    # v3: a list value stored as what it added to an earlier version names that version
    """
    ALTER TABLE lgl_checkpoint_blobs ADD COLUMN base text;
    """,
]

# setup() holds this transaction-scoped advisory lock (two keys: "lgl" and the schema's hash),
# so processes starting together migrate one after another, each migration once.
SETUP_LOCK = "SELECT pg_advisory_xact_lock(7104364, hashtext(current_schema()))"
SETUP_TABLE = f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (v integer PRIMARY KEY)"
SETUP_VERSION = f"SELECT coalesce(max(v), -1) FROM {MIGRATIONS_TABLE}"
SETUP_RECORD = f"INSERT INTO {MIGRATIONS_TABLE} (v) VALUES (%s)"

# -- the fence every writing statement starts with -------------------------------------------
#
# Writes to a thread hold its advisory lock (7104365, hash of the thread id) shared; retention
# holds it exclusively from its first statement on, so what it deletes is decided after every
# write in flight has committed (a delta saved meanwhile keeps the blobs it builds on).
#
# ``lease``: the thread's lease row, locked so a concurrent take-over waits for this statement
# (or, if it came first, this statement sees the new token). ``ok``: with a token, it must be
# the current one; without one, no live lease may exist.
_FENCE = """
    lease AS (
        SELECT token, holder, expires_at, expires_at > now() AS live
        FROM lgl_thread_leases WHERE thread_id = %(thread_id)s FOR SHARE
    ),
    ok AS (
        SELECT CASE WHEN %(token)s::bigint IS NULL
            THEN NOT EXISTS (SELECT 1 FROM lease WHERE live)
            ELSE EXISTS (SELECT 1 FROM lease WHERE token = %(token)s::bigint)
        END AS ok
        FROM (SELECT pg_advisory_xact_lock_shared(7104365, hashtext(%(thread_id)s))) AS turn
    )"""
_VERDICT = """
    SELECT (SELECT ok FROM ok), (SELECT token FROM lease), (SELECT holder FROM lease),
        (SELECT live FROM lease)"""

# A delta blob (``checkpoint.increments``) is stored only if the blob it builds on is there,
# locked ``FOR SHARE`` so that no prune deletes it before this commits. Should one be gone
# (another worker deleted the thread meanwhile), nothing is written and the verdict names its
# channels: the saver sends those values whole.
PUT = f"""
WITH {_FENCE},
    given AS (
        SELECT * FROM unnest(%(channels)s::text[], %(versions)s::text[], %(kinds)s::text[],
            %(blobs)s::bytea[], %(bases)s::text[]) AS u(channel, version, type, blob, base)
    ),
    found AS (
        SELECT b.channel FROM lgl_checkpoint_blobs b JOIN given g
            ON b.channel = g.channel AND b.version = g.base
        WHERE b.thread_id = %(thread_id)s AND b.checkpoint_ns = %(ns)s
        FOR SHARE OF b
    ),
    missing AS (
        SELECT array_agg(g.channel) AS channels FROM given g
        WHERE g.base IS NOT NULL AND g.channel NOT IN (SELECT channel FROM found)
    ),
    go AS (SELECT (SELECT ok FROM ok) AND (SELECT channels FROM missing) IS NULL AS go),
    new_blobs AS (
        INSERT INTO lgl_checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob,
            base)
        SELECT %(thread_id)s, %(ns)s, g.channel, g.version, g.type, g.blob, g.base FROM given g
        WHERE (SELECT go FROM go)
        ON CONFLICT (thread_id, checkpoint_ns, channel, version)
        DO UPDATE SET type = EXCLUDED.type, blob = EXCLUDED.blob, base = EXCLUDED.base
    ),
    new_checkpoint AS (
        INSERT INTO lgl_checkpoints (thread_id, checkpoint_ns, checkpoint_id,
            parent_checkpoint_id, type, checkpoint, metadata_type, metadata, metadata_json,
            versions)
        SELECT %(thread_id)s, %(ns)s, %(checkpoint_id)s, %(parent)s, %(kind)s, %(data)s,
            %(meta_kind)s, %(meta)s, %(meta_json)s::jsonb, %(versions_json)s::jsonb
        WHERE (SELECT go FROM go)
        ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET
            parent_checkpoint_id = EXCLUDED.parent_checkpoint_id, type = EXCLUDED.type,
            checkpoint = EXCLUDED.checkpoint, metadata_type = EXCLUDED.metadata_type,
            metadata = EXCLUDED.metadata, metadata_json = EXCLUDED.metadata_json,
            versions = EXCLUDED.versions
    )
{_VERDICT}, (SELECT channels FROM missing)"""

# The blobs the deltas named (channel, version) build on, down to whole ones: what reading a
# delta needs when the saver's cache does not hold its bases (one round trip for them all).
CHAIN = """
WITH RECURSIVE chain AS (
        SELECT b.channel, b.version, b.type, b.blob, b.base
        FROM lgl_checkpoint_blobs b
        JOIN unnest(%(channels)s::text[], %(versions)s::text[]) AS q(channel, version)
            ON b.channel = q.channel AND b.version = q.version
        WHERE b.thread_id = %(thread_id)s AND b.checkpoint_ns = %(ns)s
    UNION
        SELECT b.channel, b.version, b.type, b.blob, b.base
        FROM lgl_checkpoint_blobs b JOIN chain c ON b.channel = c.channel AND b.version = c.base
        WHERE b.thread_id = %(thread_id)s AND b.checkpoint_ns = %(ns)s
    )
SELECT channel, version, type, blob FROM chain"""

_WRITE_COLUMNS = (
    "thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value, task_path"
)
_WRITE_ROWS = """
        SELECT %(thread_id)s, %(ns)s, %(checkpoint_id)s, %(task_id)s, u.idx, u.channel, u.type,
            u.value, %(task_path)s
        FROM unnest(%(idx)s::int[], %(channels)s::text[], %(kinds)s::text[],
            %(values)s::bytea[]) AS u(idx, channel, type, value)
        WHERE (SELECT ok FROM ok)"""

PUT_WRITES = f"""
WITH {_FENCE},
    special AS (  -- replaced each time: the latest interrupt / error of a task wins
        INSERT INTO lgl_checkpoint_writes ({_WRITE_COLUMNS}) {_WRITE_ROWS} AND u.idx < 0
        ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO UPDATE SET
            channel = EXCLUDED.channel, type = EXCLUDED.type, value = EXCLUDED.value,
            task_path = EXCLUDED.task_path
    ),
    regular AS (  -- saved once: a task's writes do not change
        INSERT INTO lgl_checkpoint_writes ({_WRITE_COLUMNS}) {_WRITE_ROWS} AND u.idx >= 0
        ON CONFLICT DO NOTHING
    )
{_VERDICT}"""

# A checkpoint row with its channel blobs (at the versions it names) and its pending writes,
# in one query. Writes come in LangGraph's order: task_path, task_id, idx.
SELECT = """
SELECT c.thread_id, c.checkpoint_ns, c.checkpoint_id, c.parent_checkpoint_id, c.type,
    c.checkpoint, c.metadata_type, c.metadata, b.channels, b.versions, b.kinds, b.blobs,
    w.tasks, w.channels, w.kinds, w.vals
FROM lgl_checkpoints c
LEFT JOIN LATERAL (
    SELECT array_agg(bl.channel) AS channels, array_agg(bl.version) AS versions,
        array_agg(bl.type) AS kinds, array_agg(bl.blob) AS blobs
    FROM jsonb_each_text(c.versions) AS v
    JOIN lgl_checkpoint_blobs bl ON bl.thread_id = c.thread_id
        AND bl.checkpoint_ns = c.checkpoint_ns AND bl.channel = v.key AND bl.version = v.value
) b ON true
LEFT JOIN LATERAL (
    SELECT array_agg(wr.task_id ORDER BY wr.task_path COLLATE "C", wr.task_id COLLATE "C",
            wr.idx) AS tasks,
        array_agg(wr.channel ORDER BY wr.task_path COLLATE "C", wr.task_id COLLATE "C",
            wr.idx) AS channels,
        array_agg(wr.type ORDER BY wr.task_path COLLATE "C", wr.task_id COLLATE "C",
            wr.idx) AS kinds,
        array_agg(wr.value ORDER BY wr.task_path COLLATE "C", wr.task_id COLLATE "C",
            wr.idx) AS vals
    FROM lgl_checkpoint_writes wr
    WHERE wr.thread_id = c.thread_id AND wr.checkpoint_ns = c.checkpoint_ns
        AND wr.checkpoint_id = c.checkpoint_id
) w ON true"""

# -- encoding --------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` as JSON that jsonb accepts, for SQL-side metadata filters.

    jsonb refuses NUL characters and non-finite numbers; such values (and values JSON cannot
    hold) become a marker object that no filter sent to SQL can equal. Filters on them are
    compared in Python, on the decoded metadata.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _UNREPRESENTABLE
    if isinstance(value, str):
        return value if "\x00" not in value else _UNREPRESENTABLE
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items() if isinstance(k, str) and "\x00" not in k}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return _UNREPRESENTABLE


_UNREPRESENTABLE = {"__lgl_unrepresentable__": True}


def sql_filterable(key: Any, value: Any) -> bool:
    """Whether a metadata filter ``key == value`` can be decided by jsonb in SQL."""
    if not isinstance(key, str) or "\x00" in key:
        return False
    if value is None or isinstance(value, bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and "\x00" not in value


class Put(NamedTuple):
    """``PUT``'s parameters for one ``put`` call, and how to send its deltas whole instead."""

    params: dict[str, Any]
    # channel -> (index in the arrays, the version, the whole value's blob)
    wholes: dict[str, tuple[int, str, Callable[[], tuple[str, bytes]]]]

    def whole(self, lists: ListIncrements, channels: Sequence[str]) -> None:
        """Send the values of ``channels`` whole (the blobs their deltas build on are gone)."""
        p = self.params
        for channel in channels:
            i, version, whole = self.wholes[channel]
            p["kinds"][i], p["blobs"][i] = whole()
            p["bases"][i] = None
            lists.stored_full((p["thread_id"], p["ns"], channel), version)


def put_params(
    serde: MsgpackSerde,
    lists: ListIncrements,
    config: Mapping[str, Any],
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    new_versions: Mapping[str, ChannelVersion],
    token: int | None,
) -> Put:
    """The parameters of ``PUT`` for one ``put`` call: list values as what they added to the
    version stored before (``checkpoint.increments``), where that is shorter."""
    thread_id, ns, parent = thread_of(config)
    values = checkpoint["channel_values"]
    channels: list[str] = []
    versions: list[str] = []
    kinds: list[str] = []
    blobs: list[bytes] = []
    bases: list[str | None] = []
    wholes = {}
    for channel, version in new_versions.items():
        base: str | None = None
        if channel in values:
            what = f"channel {channel!r}"
            (kind, data), base, whole = lists.encode(
                (thread_id, ns, channel),
                str(version),
                values[channel],
                lambda v, w=what: encoded(serde, v, w, thread_id),  # type: ignore[misc]
            )
            if base is not None:
                wholes[channel] = (len(channels), str(version), whole)
        else:
            kind, data = "empty", b""
        channels.append(channel)
        versions.append(str(version))
        kinds.append(kind)
        blobs.append(data)
        bases.append(base)
    stored = {k: v for k, v in checkpoint.items() if k != "channel_values"}
    kind, data = serde.dumps_typed(stored)
    meta_kind, meta = encoded(serde, dict(metadata), "metadata", thread_id)
    params = {
        "thread_id": thread_id,
        "ns": ns,
        "token": token,
        "checkpoint_id": checkpoint["id"],
        "parent": parent or None,
        "kind": kind,
        "data": data,
        "meta_kind": meta_kind,
        "meta": meta,
        "meta_json": json.dumps(jsonable(dict(metadata))),
        "versions_json": json.dumps({k: str(v) for k, v in checkpoint["channel_versions"].items()}),
        "channels": channels,
        "versions": versions,
        "kinds": kinds,
        "blobs": blobs,
        "bases": bases,
    }
    return Put(params, wholes)


def put_writes_params(
    serde: MsgpackSerde,
    config: Mapping[str, Any],
    writes: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str,
    token: int | None,
) -> dict[str, Any]:
    """The parameters of ``PUT_WRITES`` for one ``put_writes`` call."""
    thread_id, ns, checkpoint_id = thread_of(config)
    if checkpoint_id is None:
        raise ValueError("put_writes needs the config of a saved checkpoint (checkpoint_id).")
    rows: dict[int, tuple[str, str, bytes]] = {}
    for i, (channel, value) in enumerate(writes):
        kind, data = encoded(serde, value, f"the write to {channel!r}", thread_id)
        # a special channel written twice in one call keeps the last, as a replace would
        rows[WRITES_IDX_MAP.get(channel, i)] = (channel, kind, data)
    return {
        "thread_id": thread_id,
        "ns": ns,
        "token": token,
        "checkpoint_id": checkpoint_id,
        "task_id": task_id,
        "task_path": task_path,
        "idx": list(rows),
        "channels": [r[0] for r in rows.values()],
        "kinds": [r[1] for r in rows.values()],
        "values": [r[2] for r in rows.values()],
    }


def get_query(config: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``SELECT`` of the checkpoint ``config`` names, its latest when no ``checkpoint_id``."""
    thread_id, ns, checkpoint_id = thread_of(config)
    query = SELECT + " WHERE c.thread_id = %(thread_id)s AND c.checkpoint_ns = %(ns)s"
    params: dict[str, Any] = {"thread_id": thread_id, "ns": ns}
    if checkpoint_id:  # None or "" both mean the latest, as in LangGraph
        query += " AND c.checkpoint_id = %(checkpoint_id)s"
        params["checkpoint_id"] = checkpoint_id
    return query + " ORDER BY c.checkpoint_id DESC LIMIT 1", params


def list_query(
    config: Mapping[str, Any] | None,
    filter: Mapping[str, Any] | None,
    before: Mapping[str, Any] | None,
    limit: int | None,
) -> tuple[str, list[Any], dict[str, Any]]:
    """``(sql, params, leftover)``: leftover filters are compared in Python after decoding."""
    conf = (config or {}).get("configurable") or {}
    where: list[str] = []
    params: list[Any] = []
    if "thread_id" in conf and conf["thread_id"] is None:
        where.append("false")  # as LangGraph's savers: a thread of None has no checkpoints
    for column in ("thread_id", "checkpoint_ns", "checkpoint_id"):
        if conf.get(column) is not None and (column != "checkpoint_id" or conf[column]):
            where.append(f"c.{column} = %s")
            params.append(str(conf[column]))
    before_id = ((before or {}).get("configurable") or {}).get("checkpoint_id")
    if before_id:
        where.append("c.checkpoint_id < %s")
        params.append(str(before_id))
    leftover: dict[str, Any] = {}
    matched: dict[str, Any] = {}
    for key, value in (filter or {}).items():
        if not sql_filterable(key, value):
            leftover[key] = value
        elif value is None:  # LangGraph matches a None filter to an absent key too
            where.append("coalesce(c.metadata_json -> %s, 'null'::jsonb) = 'null'::jsonb")
            params.append(key)
        elif value in (0, 1):  # Python's equality: True == 1 == 1.0, False == 0
            where.append("c.metadata_json -> %s IN (%s::jsonb, %s::jsonb)")
            params.extend([key, json.dumps(int(value)), json.dumps(bool(value))])
        else:
            matched[key] = value
    if matched:  # one containment test, served by the GIN index
        where.append("c.metadata_json @> %s::jsonb")
        params.append(json.dumps(matched))
    query = SELECT
    if where:
        query += " WHERE " + " AND ".join(where)
    query += " ORDER BY c.checkpoint_id DESC"
    if limit is not None and not leftover:
        query += " LIMIT %s"
        params.append(int(limit))
    return query, params, leftover
