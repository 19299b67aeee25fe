"""A ``SqliteSaver`` save encoded into a *job*: the rows, ready, and the SQL that writes them.

Encoding (values, the skeleton's delta, metadata) happens when the job is made, in the caller's
thread, so an unencodable value fails the call that saves it; the job only checks the lease
fence and writes, inside a transaction that ``writer.GroupCommit`` opens (with other jobs).
Deltas need their base stored: a job that finds it gone (the thread deleted meanwhile, by
another connection) stores the whole value instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langgraph_lite.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersion,
    Checkpoint,
    CheckpointMetadata,
    encoded,
    thread_of,
)
from langgraph_lite.checkpoint.held import HELD, dumps_plain
from langgraph_lite.checkpoint.sqlite import lease as leases
from langgraph_lite.checkpoint.sqlite.writer import Job, Transaction

__all__ = ["jobs_by_namespace", "plain_blob", "put_job", "writes_job"]


_WRITE_COLUMNS = (
    "(thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value, "
    "task_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def plain_blob(saver: Any, value: Any) -> tuple[str, bytes] | None:
    """``(HELD, pickle)`` for a value of plain data only (``checkpoint/held.py``: pickle keeps
    an object the value refers to many times once, msgpack writes it at every reference), or
    None: the saver's serializer stores it. Only with the default serializer: one given by the
    user stores everything, as it was asked to."""
    if not saver._pickles:
        return None
    data = dumps_plain(value)
    return None if data is None else (HELD, data)


def _plain_whole(saver: Any, where: Any, version: str, value: Any) -> Callable[[], Any]:
    whole = saver._plain.whole_later(where, version, value)  # (as it is now, not at commit)
    return lambda: (HELD, whole())


def _list_whole(saver: Any, where: Any, version: str, full: Callable[[], Any]) -> Callable[[], Any]:
    def whole() -> Any:
        saver._lists.stored_full(where, version)
        return full()

    return whole


_BLOB_THERE = (
    "SELECT 1 FROM blobs WHERE thread_id = ? AND checkpoint_ns = ? AND channel = ? AND version = ?"
)
_CHECKPOINT_THERE = (
    "SELECT 1 FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?"
)


_PUT_BLOBS = (
    "INSERT OR REPLACE INTO blobs (thread_id, checkpoint_ns, channel, version, type, blob) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_PUT_CHECKPOINT = (
    "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, "
    "parent_checkpoint_id, type, checkpoint, metadata_type, metadata, metadata_json) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _stored(tx: Transaction, query: str, key: tuple[Any, ...]) -> bool:
    """Whether the row ``query`` looks for with ``key`` is stored: known from an earlier job
    of this transaction (which wrote it or found it), else asked."""
    fact = (query, *key)
    if fact in tx.known:
        return True
    if tx.cur.execute(query, key).fetchone() is None:
        return False
    tx.known.add(fact)
    return True


def put_job(
    saver: Any,
    config: Mapping[str, Any],
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    new_versions: Mapping[str, ChannelVersion],
) -> Job:
    """``put``, encoded now: the job that writes its rows in a transaction."""
    thread_id, ns, parent = thread_of(config)
    values = checkpoint["channel_values"]
    blobs = []
    bases = []  # (index in blobs, the version it builds on, the full value's blob)
    for channel, version in new_versions.items():
        if channel not in values:
            blobs.append((thread_id, ns, channel, str(version), "empty", b""))
            continue
        value = values[channel]
        where = (thread_id, ns, channel)
        found = saver._plain.encode(where, str(version), value) if saver._pickles else None
        if found is not None:  # plain data: a pickle, a long list's as what it added
            (kind, data), base = found
            if base is not None:
                bases.append((len(blobs), base, _plain_whole(saver, where, str(version), value)))
            blobs.append((thread_id, ns, channel, str(version), kind, data))
            continue
        what = f"channel {channel!r}"
        (kind, data), base, full = saver._lists.encode(
            where,
            str(version),
            value,
            lambda v, w=what: encoded(saver.serde, v, w, thread_id),
        )
        if base is not None:
            bases.append((len(blobs), base, _list_whole(saver, where, str(version), full)))
        blobs.append((thread_id, ns, channel, str(version), kind, data))
    skeleton, skeleton_base, whole = saver._skeletons.encode((thread_id, ns), checkpoint)
    meta_kind, meta = encoded(saver.serde, dict(metadata), "metadata", thread_id)
    meta_json = json.dumps(dict(metadata), default=str)
    token = saver.lease_token(config)
    checkpoint_id = checkpoint["id"]

    def job(tx: Transaction) -> None:
        leases.fence(tx.cur, thread_id, token, "put", tx.known)
        for i, base, full in bases:
            # another connection may have deleted the thread: then store the value whole
            if not _stored(tx, _BLOB_THERE, (thread_id, ns, blobs[i][2], base)):
                blobs[i] = (*blobs[i][:4], *full())
        kind, data = skeleton
        if skeleton_base is not None and not _stored(
            tx, _CHECKPOINT_THERE, (thread_id, ns, skeleton_base)
        ):
            kind, data = whole()
            saver._skeletons.stored_whole((thread_id, ns), checkpoint_id)
        tx.insert(_PUT_BLOBS, blobs)
        tx.insert(
            _PUT_CHECKPOINT,
            ((thread_id, ns, checkpoint_id, parent, kind, data, meta_kind, meta, meta_json),),
        )
        tx.known.update((_BLOB_THERE, *row[:4]) for row in blobs)
        tx.known.add((_CHECKPOINT_THERE, thread_id, ns, checkpoint_id))

    return job


def writes_job(
    saver: Any,
    config: Mapping[str, Any],
    writes: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str = "",
) -> Job:
    """``put_writes``, encoded now: the job that writes its rows in a transaction."""
    thread_id, ns, checkpoint_id = thread_of(config)
    if checkpoint_id is None:
        raise ValueError("put_writes needs the config of a saved checkpoint (checkpoint_id).")
    rows = []
    for i, (channel, value) in enumerate(writes):
        kind, data = plain_blob(saver, value) or encoded(
            saver.serde, value, f"the write to {channel!r}", thread_id
        )
        idx = WRITES_IDX_MAP.get(channel, i)
        rows.append((thread_id, ns, checkpoint_id, task_id, idx, channel, kind, data, task_path))
    special = [r for r in rows if r[4] < 0]
    regular = [r for r in rows if r[4] >= 0]
    token = saver.lease_token(config)

    def job(tx: Transaction) -> None:
        leases.fence(tx.cur, thread_id, token, "put_writes", tx.known)
        if special:  # replaced each time: the latest interrupt / error wins
            tx.insert(f"INSERT OR REPLACE INTO writes {_WRITE_COLUMNS}", special)
        if regular:  # saved once: a task's writes do not change
            tx.insert(f"INSERT OR IGNORE INTO writes {_WRITE_COLUMNS}", regular)

    return job


def jobs_by_namespace(
    saver: Any, actions: Sequence[tuple[bool, Sequence[Any]]]
) -> list[tuple[tuple[str, str], list[Job]]]:
    """The jobs of ``put_batch``'s ``actions`` (``put`` and ``put_writes`` calls, in order),
    grouped by the (thread id, namespace) each saves to, in runs of the same one."""
    groups: list[tuple[tuple[str, str], list[Job]]] = []
    for is_put, args in actions:
        where = thread_of(args[0])[:2]
        job = put_job(saver, *args) if is_put else writes_job(saver, *args)
        if groups and groups[-1][0] == where:
            groups[-1][1].append(job)
        else:
            groups.append((where, [job]))
    return groups
