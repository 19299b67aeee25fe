"""The checkpoint data shapes and the saver interface every checkpointer implements.

Shapes follow LangGraph's, so a saver can be checked against LangGraph's conformance suite:

- ``Checkpoint``: ``v``, ``id`` (time-ordered, sortable), ``ts``, ``channel_values``,
  ``channel_versions``, ``versions_seen``, ``updated_channels``;
- ``CheckpointMetadata``: ``source`` (input / loop / update / fork), ``step``, ``parents``, and
  whatever the caller put in ``config["metadata"]``;
- ``CheckpointTuple(config, checkpoint, metadata, parent_config, pending_writes)``.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, NamedTuple, Protocol, TypedDict, runtime_checkable

import anyio.to_thread

from langgraph_lite.checkpoint.delta_history import (
    DeltaChannelHistory,
    awalk_history,
    walk_history,
    writes_sort_key,
)
from langgraph_lite.checkpoint.serde import MsgpackSerde

__all__ = [
    "WRITES_IDX_MAP",
    "BaseCheckpointSaver",
    "ChannelVersions",
    "Checkpoint",
    "CheckpointMetadata",
    "CheckpointTuple",
    "DeltaChannelHistory",
    "PendingWrite",
    "SerializerProtocol",
    "empty_checkpoint",
    "uuid5",
    "uuid6",
    "writes_sort_key",
]

ChannelVersion = str | int | float
ChannelVersions = dict[str, ChannelVersion]
"""Channel name to version, as in ``Checkpoint["channel_versions"]``."""

WRITES_IDX_MAP = {"__error__": -1, "__scheduled__": -2, "__interrupt__": -3, "__resume__": -4}
"""Where a saver stores a task's special writes (errors, questions, answers): fixed negative
indexes, so saving one again replaces it instead of adding another (as LangGraph's savers do)."""


@runtime_checkable
class SerializerProtocol(Protocol):
    """What a saver needs of its ``serde`` (LangGraph's protocol): ``dumps_typed(value)`` gives
    ``(format, bytes)`` and ``loads_typed`` takes them back. ``MsgpackSerde`` is ours."""

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]: ...

    def loads_typed(self, data: tuple[str, bytes]) -> Any: ...


class Checkpoint(TypedDict):
    """State of a thread at one point: channel values, their versions, what each node saw."""

    v: int
    id: str
    ts: str
    channel_values: dict[str, Any]
    channel_versions: dict[str, ChannelVersion]
    versions_seen: dict[str, dict[str, ChannelVersion]]
    updated_channels: list[str] | None


class CheckpointMetadata(TypedDict, total=False):
    """Why a checkpoint exists: ``source``, ``step``, ``parents`` and user metadata."""

    source: Literal["input", "loop", "update", "fork"]
    step: int
    parents: dict[str, str]


PendingWrite = tuple[str, str, Any]
"""``(task_id, channel, value)``: a write of a task that finished in an unfinished step."""


class CheckpointTuple(NamedTuple):
    """A checkpoint with the config that names it, its metadata, parent and pending writes."""

    config: dict[str, Any]
    checkpoint: Checkpoint
    metadata: CheckpointMetadata
    parent_config: dict[str, Any] | None = None
    pending_writes: list[PendingWrite] | None = None


def uuid6(clock_seq: int | None = None) -> str:
    """A time-ordered UUID (version 6): ids sort in creation order, as strings too."""
    global _last_ns
    ns = time.time_ns()
    if ns <= _last_ns:
        ns = _last_ns + 100
    _last_ns = ns
    timestamp = ns // 100 + 0x01B21DD213814000  # 100-ns intervals since 1582-10-15
    time_high = (timestamp >> 28) & 0xFFFFFFFF
    time_mid = (timestamp >> 12) & 0xFFFF
    time_low = timestamp & 0x0FFF
    seq = clock_seq if clock_seq is not None else random.getrandbits(14)
    # (not os.urandom: its system call lets go of the GIL, and a thread saving a checkpoint
    # then waits for it behind the others, up to the switch interval, in parallel steps)
    node = random.getrandbits(48)
    value = (time_high << 96) | (time_mid << 80) | (0x6 << 76) | (time_low << 64)
    value |= (0x8000 | (seq & 0x3FFF)) << 48 | node
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_last_ns = 0


def uuid5(namespace: bytes, name: str) -> str:
    """``str(uuid.uuid5(UUID(bytes=namespace), name))``, without building a ``UUID`` (a
    task id per task per step: the module's checks cost four times the hash)."""
    digest = bytearray(hashlib.sha1(namespace + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def empty_checkpoint() -> Checkpoint:
    """A checkpoint of nothing, for a thread's first step."""
    from datetime import datetime, timezone

    return Checkpoint(
        v=4,
        id=uuid6(),
        ts=datetime.now(timezone.utc).isoformat(),
        channel_values={},
        channel_versions={},
        versions_seen={},
        updated_channels=None,
    )


def thread_of(config: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """``(thread_id, checkpoint_ns, checkpoint_id)`` of a config; raises when no thread."""
    conf = config.get("configurable") or {}
    thread_id = conf.get("thread_id")
    if thread_id is None:
        raise ValueError(
            "this call needs a thread: pass config={'configurable': {'thread_id': 'any-id'}}."
        )
    return str(thread_id), str(conf.get("checkpoint_ns", "")), conf.get("checkpoint_id")


def saved_config(thread_id: str, ns: str, checkpoint_id: str) -> dict[str, Any]:
    """The config naming one saved checkpoint."""
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": ns,
            "checkpoint_id": checkpoint_id,
        }
    }


def matches(metadata: Mapping[str, Any], filter: Mapping[str, Any] | None) -> bool:
    """Whether ``metadata`` has every key of ``filter`` with an equal value (a None filter
    value matches a missing key too, as in LangGraph)."""
    return all(metadata.get(k) == v for k, v in (filter or {}).items())


def filtered(
    items: Iterable[CheckpointTuple], filter: Mapping[str, Any] | None, limit: int | None
) -> Iterator[CheckpointTuple]:
    """The ``items`` whose metadata ``matches`` ``filter``, at most ``limit`` of them: what
    ``list`` does with the filters a saver's query could not decide."""
    found = 0
    for item in items:
        if matches(item.metadata, filter):
            yield item
            found += 1
            if limit is not None and found >= limit:
                return


def encoded(serde: MsgpackSerde, value: Any, what: str, thread_id: str) -> tuple[str, bytes]:
    """``serde.dumps_typed(value)``; a value it refuses raises ``TypeError`` naming ``what``."""
    try:
        return serde.dumps_typed(value)
    except TypeError as exc:
        raise TypeError(f"{exc} (saving {what} of thread {thread_id!r})") from exc


class BaseCheckpointSaver:
    """What a checkpointer does; subclasses store checkpoints somewhere.

    Sync methods: ``get_tuple``, ``list``, ``put``, ``put_writes``, ``delete_thread``, and the
    retention calls ``prune``, ``copy_thread``, ``delete_for_runs``; async twins ``aget_tuple``,
    ``alist``, ``aput``, ``aput_writes``, ``adelete_thread``, ``aprune``, ``acopy_thread``,
    ``adelete_for_runs``. The async twins default to running the sync ones in a worker thread.
    """

    serde: MsgpackSerde

    saves_alike: ClassVar[bool] = False
    """True on a class whose async saves (``aput``, ``aput_writes``, ``aput_batch``) do what
    its sync ones do, awaited: no I/O of their own on the event loop. An async run whose node
    ran in a worker thread may then save from that thread with the sync ones (one hop fewer).
    A subclass that overrides one of those async methods is not taken at its word."""
    reads_pending: ClassVar[bool] = False
    """True on a class whose ``put`` (and ``put_batch``, ``aput``, ``aput_batch``) reads the
    checkpoint's version maps only through their methods (``checkpoint.frozen``): it may get
    them pending. Not believed of a subclass that overrides one of those."""

    def __init__(self, *, serde: MsgpackSerde | None = None) -> None:
        self.serde = serde or MsgpackSerde()

    @property
    def serde(self) -> MsgpackSerde:
        """The serializer of the values this saver stores. It may be replaced before the
        saver's first use (``saver.serde = EncryptedSerializer...``); the saver's encoders
        of deltas (``_lists``, ``_skeletons``) follow."""
        return self._serde

    @serde.setter
    def serde(self, value: MsgpackSerde) -> None:
        self._serde = value
        for name in ("_lists", "_skeletons"):
            codec = self.__dict__.get(name)
            if codec is not None:
                codec.serde = value

    @property
    def _pickles(self) -> bool:
        """Whether plain values are stored as pickles of plain data (``checkpoint/held.py``,
        the memory and SQLite savers): only with the default serializer. One given, or set
        later, by the user stores everything, as it was asked to."""
        return type(self.serde) is MsgpackSerde

    # -- reading -----------------------------------------------------------------------------

    def get(self, config: Mapping[str, Any]) -> Checkpoint | None:
        """The checkpoint ``config`` names (its latest when it names no ``checkpoint_id``)."""
        found = self.get_tuple(config)
        return found.checkpoint if found else None

    def get_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        raise NotImplementedError

    def list(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        raise NotImplementedError

    def get_delta_channel_history(
        self, *, config: Mapping[str, Any], channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """For each of ``channels``, the writes stored on the path to the checkpoint
        ``config`` names (oldest first, its own pending writes left out) and the nearest
        ancestor's stored value as ``seed`` (see ``checkpoint.delta_history``)."""
        return walk_history(self.get_tuple, config, channels)

    def get_tuple_for_run(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        """``get_tuple``, for a run that resumes from the checkpoint: a saver may hand it
        objects it holds (unchanged since stored) instead of decoding its own. Defaults to
        ``get_tuple``; ``get_state`` and history always read with ``get_tuple``."""
        return self.get_tuple(config)

    # -- writing -----------------------------------------------------------------------------

    def put(
        self,
        config: Mapping[str, Any],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, ChannelVersion],
    ) -> dict[str, Any]:
        """Store ``checkpoint``; only channels in ``new_versions`` need new blobs."""
        raise NotImplementedError

    def put_writes(
        self,
        config: Mapping[str, Any],
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store the writes of a task that finished, against the checkpoint ``config`` names."""
        raise NotImplementedError

    def delete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint and write of a thread."""
        raise NotImplementedError

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints whose ``metadata["run_id"]`` is one of ``run_ids``, with
        their pending writes (see ``checkpoint.retention``)."""
        raise NotImplementedError

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint and pending write of a thread to a new thread."""
        raise NotImplementedError

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Keep only the latest checkpoint of each namespace of the threads
        (``"keep_latest"``), or delete them (``"delete"``)."""
        raise NotImplementedError

    def get_next_version(self, current: ChannelVersion | None, channel: Any = None) -> str:
        """The version after ``current``: ``"<32-digit counter>.<16-digit random>"``."""
        if current is None:
            n = 0
        elif isinstance(current, int):
            n = current
        else:
            n = int(str(current).split(".")[0])
        return f"{n + 1:032}.{random.random():016}"

    # -- async twins -------------------------------------------------------------------------

    async def aget(self, config: Mapping[str, Any]) -> Checkpoint | None:
        found = await self.aget_tuple(config)
        return found.checkpoint if found else None

    async def aget_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        return await anyio.to_thread.run_sync(self.get_tuple, config)

    async def aget_delta_channel_history(
        self, *, config: Mapping[str, Any], channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """Async ``get_delta_channel_history``, reading with ``aget_tuple``."""
        return await awalk_history(self.aget_tuple, config, channels)

    async def aget_tuple_for_run(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        """``get_tuple_for_run``'s async twin; defaults to ``aget_tuple``."""
        return await self.aget_tuple(config)

    async def alist(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        items = await anyio.to_thread.run_sync(
            lambda: list(self.list(config, filter=filter, before=before, limit=limit))
        )
        for item in items:
            yield item

    async def aput(
        self,
        config: Mapping[str, Any],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, ChannelVersion],
    ) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: Mapping[str, Any],
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await anyio.to_thread.run_sync(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await anyio.to_thread.run_sync(self.delete_thread, thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """``delete_for_runs`` for async code."""
        await anyio.to_thread.run_sync(self.delete_for_runs, run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """``copy_thread`` for async code."""
        await anyio.to_thread.run_sync(self.copy_thread, source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """``prune`` for async code."""
        await anyio.to_thread.run_sync(lambda: self.prune(thread_ids, strategy=strategy))
