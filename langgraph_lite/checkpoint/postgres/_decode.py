"""Rows of the PostgreSQL savers' ``SELECT`` back into ``CheckpointTuple``, without I/O.

A list value stored as a delta (``checkpoint.increments``) is read with the blobs it builds on:
those the saver's cache holds, those among the rows read, and, for the rest, the rows of one
``CHAIN`` query per namespace that ``Bases.wanted`` names (the caller runs it, sync or async).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph_lite.checkpoint.base import (
    Checkpoint,
    CheckpointTuple,
    saved_config,
)
from langgraph_lite.checkpoint.checks import check_skeleton, check_writes, unreadable
from langgraph_lite.checkpoint.increments import DELTA, Fetch, ListIncrements, base_of
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde

__all__ = ["Bases", "decode_row"]


class Bases:
    """The blobs that one read's deltas build on: first the blobs of the rows read, then those
    ``CHAIN`` fetched (``wanted`` names them) for the bases the saver's cache does not hold."""

    def __init__(self, lists: ListIncrements, rows: Sequence[Sequence[Any]]) -> None:
        self.lists = lists
        self.blobs: dict[tuple[str, str, str, str], tuple[str, bytes]] = {}
        for row in rows:
            for channel, version, kind, blob in zip(*(c or () for c in row[8:12]), strict=True):
                self.blobs[(row[0], row[1], channel, version)] = (kind, blob)

    def add(self, thread_id: str, ns: str, rows: Sequence[Sequence[Any]]) -> None:
        """The rows ``CHAIN`` returned for ``(thread_id, ns)``."""
        for channel, version, kind, blob in rows:
            self.blobs[(thread_id, ns, channel, version)] = (kind, blob)

    def wanted(self, cached: bool = True) -> dict[tuple[str, str], dict[str, list[str]]]:
        """``(thread, ns) -> CHAIN's parameters``: the bases not at hand, nor cached (with
        ``cached``)."""
        out: dict[tuple[str, str], dict[str, list[str]]] = {}
        for key, blob in list(self.blobs.items()):
            while blob[0] == DELTA:
                base = base_of(key[2], key[3], blob)
                key = (*key[:3], base)  # type: ignore[assignment]
                if cached and self.lists.holds(key[:3], key[3]):
                    break
                found = self.blobs.get(key)
                if found is None:
                    q = out.setdefault(key[:2], {"channels": [], "versions": []})
                    q["channels"].append(key[2])
                    q["versions"].append(key[3])
                    break
                blob = found
        return out

    def fetch(self, thread_id: str, ns: str, channel: str) -> Fetch:
        return lambda version: self.blobs.get((thread_id, ns, channel, str(version)))


def decode_row(
    serde: MsgpackSerde,
    row: Sequence[Any],
    bases: Bases,
    share: bool = False,
) -> CheckpointTuple:
    """The ``CheckpointTuple`` of one ``SELECT`` row; ``share``: for a run resuming from it
    (``ListIncrements.decode``)."""
    (thread_id, ns, checkpoint_id, parent, kind, data, meta_kind, meta) = row[:8]
    (b_channels, b_versions, b_kinds, b_blobs, w_tasks, w_channels, w_kinds, w_values) = row[8:]
    loads, lists = serde.loads_typed, bases.lists
    try:
        checkpoint: Checkpoint = loads((kind, bytes(data)))
        metadata = loads((meta_kind, bytes(meta)))
        check_skeleton(checkpoint_id, checkpoint, metadata)
        values = {}
        for channel, version, k, blob in zip(
            b_channels or (), b_versions or (), b_kinds or (), b_blobs or (), strict=True
        ):
            if k == DELTA or (share and k == "msgpack"):
                where = (thread_id, ns, channel)
                values[channel] = lists.decode(
                    where, version, (k, bytes(blob)), bases.fetch(*where), share
                )
            elif k != "empty":
                values[channel] = loads((k, bytes(blob)))
        writes = [
            (task, channel, loads((k, bytes(value))))
            for task, channel, k, value in zip(
                w_tasks or (), w_channels or (), w_kinds or (), w_values or (), strict=True
            )
        ]
        check_writes(writes)
    except (CheckpointDecodeError, KeyError, TypeError, ValueError) as exc:
        raise unreadable(thread_id, ns, checkpoint_id, exc) from exc
    return CheckpointTuple(
        config=saved_config(thread_id, ns, checkpoint_id),
        checkpoint={**checkpoint, "channel_values": values},
        metadata=metadata,
        parent_config=saved_config(thread_id, ns, parent) if parent else None,
        pending_writes=writes,
    )
