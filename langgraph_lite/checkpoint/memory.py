"""``InMemorySaver``: checkpoints in a dict, for tests, notebooks and short-lived processes.

Values are serialized when saved, so a value that user code mutates after a step never changes
what was saved; a channel's value is stored once per version, so a checkpoint stores new blobs
only for the channels that changed. The checkpoint's skeleton (channel versions, what each node
has seen) is kept as dicts, copied in and out (``checkpoint.skeleton``), not re-encoded; a list
value that grew is stored as what it added (``checkpoint.increments``).

>>> from langgraph_lite.checkpoint.memory import InMemorySaver
>>> saver = InMemorySaver()
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import ExitStack
from functools import partial
from typing import Any

from langgraph_lite.checkpoint import held, increments, retention
from langgraph_lite.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersion,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    encoded,
    matches,
    saved_config,
    thread_of,
)
from langgraph_lite.checkpoint.checks import check_skeleton, check_writes, unreadable
from langgraph_lite.checkpoint.held import HELD, HELD_DELTA, HeldLists, dumps_plain, loads_plain
from langgraph_lite.checkpoint.increments import DELTA, ListIncrements
from langgraph_lite.checkpoint.persistent_dict import PersistentDict
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde
from langgraph_lite.checkpoint.skeleton import SkeletonKeeper, copy_out

__all__ = ["InMemorySaver", "MemorySaver", "PersistentDict"]

_Typed = tuple[str, bytes]
# A kept skeleton (a dict, see checkpoint.skeleton), or its encoding (older entries, tests)
_Skeleton = dict[str, Any] | _Typed


def _namespaces() -> defaultdict[str, dict[str, Any]]:
    return defaultdict(dict)


class InMemorySaver(BaseCheckpointSaver):
    """A checkpointer that keeps everything in process memory."""

    saves_alike = True  # its async methods call the sync ones
    reads_pending = True  # the skeleton's maps are kept as they are (checkpoint/skeleton.py)

    def __init__(
        self, *, serde: MsgpackSerde | None = None, factory: type[defaultdict] = defaultdict
    ) -> None:
        """``factory`` makes its tables (LangGraph's argument): a ``defaultdict`` class, e.g.
        ``partial(PersistentDict, filename=...)``; tables that are context managers are
        closed when the saver's ``with`` block ends (``stack``)."""
        super().__init__(serde=serde)
        self._lock = threading.RLock()
        # storage[thread][ns][checkpoint_id] = (checkpoint without values, metadata, parent id)
        self.storage: defaultdict[
            str, dict[str, dict[str, tuple[_Skeleton, _Typed, str | None]]]
        ] = factory(_namespaces)
        self._skeletons = SkeletonKeeper()
        self._lists = ListIncrements(self.serde)
        self._held = HeldLists()
        # blobs[(thread, ns, channel, version)] = value
        self.blobs: dict[tuple[str, str, str, ChannelVersion], _Typed] = factory()
        # writes[(thread, ns, checkpoint_id)][(task_id, index)] = (task_id, channel, value, path)
        self.writes: defaultdict[
            tuple[str, str, str], dict[tuple[str, int], tuple[str, str, _Typed, str]]
        ] = factory(dict)
        self.stack = ExitStack()
        for table in (self.storage, self.writes, self.blobs):
            if hasattr(table, "__exit__"):
                self.stack.enter_context(table)  # type: ignore[arg-type]

    def __enter__(self) -> InMemorySaver:
        self.stack.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> bool | None:
        with self._lock:  # (tables written while no put changes them)
            return self.stack.__exit__(*exc_info)

    async def __aenter__(self) -> InMemorySaver:
        return self.__enter__()

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return self.__exit__(*exc_info)

    # -- reading -----------------------------------------------------------------------------

    def get_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        return self._get(config, False)

    def get_tuple_for_run(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        if type(self).get_tuple is not InMemorySaver.get_tuple:  # a subclass's own reading
            return self.get_tuple(config)
        return self._get(config, True)

    async def aget_tuple_for_run(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        if type(self).aget_tuple is not InMemorySaver.aget_tuple:
            return await self.aget_tuple(config)
        return self.get_tuple_for_run(config)

    def _get(self, config: Mapping[str, Any], share: bool) -> CheckpointTuple | None:
        thread_id, ns, checkpoint_id = thread_of(config)
        with self._lock:
            checkpoints = self.storage.get(thread_id, {}).get(ns, {})
            if not checkpoints:
                return None
            if not checkpoint_id:  # None or "" both mean the latest, as in LangGraph
                checkpoint_id = max(checkpoints)
            elif checkpoint_id not in checkpoints:
                return None
            return self._tuple(thread_id, ns, checkpoint_id, checkpoints[checkpoint_id], share)

    def _tuple(
        self,
        thread_id: str,
        ns: str,
        checkpoint_id: str,
        saved: tuple[_Skeleton, _Typed, str | None],
        share: bool = False,
    ) -> CheckpointTuple:
        stored, meta, parent = saved
        loads = self.serde.loads_typed
        try:
            checkpoint: Checkpoint = (
                copy_out(stored) if isinstance(stored, dict) else loads(stored)  # type: ignore[assignment]
            )
            metadata = loads(meta)
            check_skeleton(checkpoint_id, checkpoint, metadata)
            values = {}
            for channel, version in checkpoint["channel_versions"].items():
                blob = self.blobs.get((thread_id, ns, channel, version))
                if blob is None or blob[0] == "empty":
                    continue
                if blob[0] == HELD or blob[0] == HELD_DELTA:
                    values[channel] = self._held.decode(
                        (thread_id, ns, channel),
                        version,
                        blob,
                        lambda v, c=channel: self.blobs.get((thread_id, ns, c, v)),  # type: ignore[misc]
                        share,
                    )
                elif blob[0] == DELTA or (share and blob[0] == "msgpack"):
                    values[channel] = self._lists.decode(
                        (thread_id, ns, channel),
                        version,
                        blob,
                        lambda v, c=channel: self.blobs.get((thread_id, ns, c, v)),  # type: ignore[misc]  # mypy cannot type a lambda with a default
                        share,
                    )
                else:
                    values[channel] = loads(blob)
            checkpoint = {**checkpoint, "channel_values": values}
            writes = self.writes.get((thread_id, ns, checkpoint_id), {})
            # LangGraph's writes_sort_key order, (task_path, task_id, idx): the order tasks apply
            ordered = sorted(writes.items(), key=lambda kv: (kv[1][3], kv[0][0], kv[0][1]))
            pending = [
                (task, channel, self._load(value)) for _, (task, channel, value, _) in ordered
            ]
            check_writes(pending)
        except (CheckpointDecodeError, KeyError, TypeError, ValueError) as exc:
            raise unreadable(thread_id, ns, checkpoint_id, exc) from exc
        return CheckpointTuple(
            config=saved_config(thread_id, ns, checkpoint_id),
            checkpoint=checkpoint,
            metadata=metadata,
            parent_config=saved_config(thread_id, ns, parent) if parent else None,
            pending_writes=pending,
        )

    def list(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints, newest first; ``filter`` matches metadata, ``before`` a checkpoint id."""
        conf = (config or {}).get("configurable") or {}
        before_id = ((before or {}).get("configurable") or {}).get("checkpoint_id")
        with self._lock:
            found: list[CheckpointTuple] = []
            if "thread_id" not in conf:
                threads = list(self.storage)
            elif conf["thread_id"] is None:  # as LangGraph: no thread, nothing listed
                threads = []
            else:
                threads = [str(conf["thread_id"])]
            wanted_ns = conf.get("checkpoint_ns")  # None or absent: every namespace
            for thread_id in threads:
                for ns, checkpoints in self.storage.get(thread_id, {}).items():
                    if wanted_ns is not None and ns != wanted_ns:
                        continue
                    for checkpoint_id in sorted(checkpoints, reverse=True):
                        if conf.get("checkpoint_id") and checkpoint_id != conf["checkpoint_id"]:
                            continue
                        if before_id and checkpoint_id >= before_id:
                            continue
                        saved = checkpoints[checkpoint_id]
                        if filter:
                            meta = self.serde.loads_typed(saved[1])
                            if not matches(meta, filter):
                                continue
                        found.append(self._tuple(thread_id, ns, checkpoint_id, saved))
                        if limit is not None and len(found) >= limit:
                            return iter(found)
        return iter(found)

    # -- writing -----------------------------------------------------------------------------

    def put(
        self,
        config: Mapping[str, Any],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, ChannelVersion],
    ) -> dict[str, Any]:
        thread_id, ns, parent = thread_of(config)
        values = checkpoint["channel_values"]
        blobs = {}
        bases = {}
        for channel, version in new_versions.items():
            key = (thread_id, ns, channel, version)
            if channel not in values:
                blobs[key] = ("empty", b"")
                continue
            value = values[channel]
            found = self._held.encode(key[:3], version, value) if self._pickles else None
            if found is not None:
                blobs[key], base = found
                if base is not None:
                    bases[key] = (base, partial(self._held_whole, key, value))
                continue
            what = f"channel {channel!r}"
            blobs[key], base, whole = self._lists.encode(
                key[:3],
                version,
                value,
                lambda v, w=what: encoded(self.serde, v, w, thread_id),  # type: ignore[misc]  # mypy cannot type a lambda with a default
            )
            if base is not None:
                bases[key] = (base, partial(self._list_whole, key, whole))
        meta = encoded(self.serde, dict(metadata), "metadata", thread_id)
        with self._lock:
            for key, (base, whole) in bases.items():
                if (*key[:3], base) not in self.blobs:  # deleted meanwhile: store it whole
                    blobs[key] = whole()
            entry = (self._skeletons.keep((thread_id, ns), checkpoint), meta, parent)
            self.blobs.update(blobs)
            self.storage[thread_id][ns][checkpoint["id"]] = entry
        return saved_config(thread_id, ns, checkpoint["id"])

    def _held_whole(self, key: tuple[str, str, str, Any], value: Any) -> _Typed:
        return HELD, self._held.stored_whole(key[:3], key[3], value)

    def _list_whole(self, key: tuple[str, str, str, Any], whole: Any) -> _Typed:
        self._lists.stored_full(key[:3], key[3])
        return whole()

    def _load(self, typed: _Typed) -> Any:
        return loads_plain(typed[1]) if typed[0] == HELD else self.serde.loads_typed(typed)

    def _encode(self, value: Any, what: str, thread_id: str) -> _Typed:
        data = dumps_plain(value) if self._pickles else None
        return (HELD, data) if data is not None else encoded(self.serde, value, what, thread_id)

    def put_writes(
        self,
        config: Mapping[str, Any],
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        thread_id, ns, checkpoint_id = thread_of(config)
        if checkpoint_id is None:
            raise ValueError("put_writes needs the config of a saved checkpoint (checkpoint_id).")
        rows = [
            (
                (task_id, WRITES_IDX_MAP.get(channel, i)),
                (
                    task_id,
                    channel,
                    self._encode(value, f"the write to {channel!r}", thread_id),
                    task_path,
                ),
            )
            for i, (channel, value) in enumerate(writes)
        ]
        with self._lock:
            saved = self.writes[(thread_id, ns, checkpoint_id)]
            for key, value in rows:
                if key[1] >= 0 and key in saved:
                    continue  # a task's writes are saved once
                saved[key] = value

    def delete_thread(self, thread_id: str) -> None:
        with self._lock:
            self.storage.pop(str(thread_id), None)
            self._skeletons.forget(str(thread_id))
            self._lists.forget(str(thread_id))
            self._held.forget(str(thread_id))
            for blob in [k for k in self.blobs if k[0] == str(thread_id)]:
                del self.blobs[blob]
            for written in [k for k in self.writes if k[0] == str(thread_id)]:
                del self.writes[written]

    # -- retention (the rules: checkpoint.retention) ------------------------------------------

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Keep only the latest checkpoint of each namespace of the threads, with its pending
        writes and values (``"keep_latest"``), or delete the threads (``"delete"``)."""
        threads = retention.thread_list(thread_ids)
        retention.check_strategy(strategy)
        with self._lock:
            for thread_id in threads:
                if strategy == "delete":
                    self.delete_thread(thread_id)
                    continue
                spaces = self.storage.get(thread_id, {})
                kept = retention.latest_kept(
                    (ns, cid, self.serde.loads_typed(entry[1]))
                    for ns, checkpoints in spaces.items()
                    for cid, entry in checkpoints.items()
                )
                for ns in list(spaces):
                    self._drop(thread_id, ns, {c for c in spaces[ns] if (ns, c) not in kept})

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints whose ``metadata["run_id"]`` is one of ``run_ids``, with
        their pending writes; the checkpoints left stay readable."""
        runs = set(retention.run_list(run_ids))
        with self._lock:
            for thread_id, spaces in list(self.storage.items()):
                for ns, checkpoints in list(spaces.items()):
                    doomed = set()
                    for cid, entry in checkpoints.items():
                        run = self.serde.loads_typed(entry[1]).get("run_id")
                        if run is not None and str(run) in runs:
                            doomed.add(cid)
                    self._drop(thread_id, ns, doomed)

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint, value and pending write of a thread to a new thread."""
        source, target = retention.check_copy(source_thread_id, target_thread_id)
        with self._lock:
            if any(self.storage.get(target, {}).values()):
                raise retention.target_not_empty(target)
            # stored entries are never changed in place: the copy may share them
            for ns, checkpoints in self.storage.get(source, {}).items():
                self.storage[target][ns] = dict(checkpoints)
            for key, blob in [(k, b) for k, b in self.blobs.items() if k[0] == source]:
                copied = (target, *key[1:])  # (a starred subscript trips mypy's 3.10 check)
                self.blobs[copied] = blob
            for wkey, saved in [(k, w) for k, w in self.writes.items() if k[0] == source]:
                wcopied = (target, *wkey[1:])
                self.writes[wcopied] = dict(saved)

    def _drop(self, thread_id: str, ns: str, doomed: set[str]) -> None:
        """Delete the checkpoints ``doomed`` of one namespace, their writes and the values no
        checkpoint left names; a delta left whose base goes is stored whole first."""
        checkpoints = self.storage[thread_id][ns]
        if not doomed:
            return
        loads = self.serde.loads_typed

        def versions(entry: tuple[_Skeleton, _Typed, str | None]) -> dict[str, Any]:
            skeleton = entry[0] if isinstance(entry[0], dict) else loads(entry[0])
            return skeleton.get("channel_versions") or {}

        def key(cv: Any) -> tuple[str, str, str, Any]:
            return (thread_id, ns, cv[0], cv[1])

        def base_of(cv: Any) -> Any:
            blob = self.blobs.get(key(cv))
            if blob is None:
                return None
            of = held.base_of if blob[0] == HELD_DELTA else increments.base_of
            base = of(cv[0], cv[1], blob)
            return None if base is None else (cv[0], base)

        kept = {cid: e for cid, e in checkpoints.items() if cid not in doomed}
        needed = {cv for e in kept.values() for cv in versions(e).items()}
        gone = {cv for c in doomed for cv in versions(checkpoints[c]).items()} - needed
        for cv in retention.whole_blobs(needed, gone, base_of, lambda cv: key(cv) in self.blobs):
            fetch = lambda v, c=cv[0]: self.blobs.get((thread_id, ns, c, v))  # noqa: E731
            where = (thread_id, ns, cv[0])
            lists: HeldLists | ListIncrements = (
                self._held if self.blobs[key(cv)][0] == HELD_DELTA else self._lists
            )
            self.blobs[key(cv)] = lists.whole(where, cv[1], self.blobs[key(cv)], fetch)
        for cv in gone:
            self.blobs.pop(key(cv), None)
        for cid in doomed:
            del checkpoints[cid]
            self.writes.pop((thread_id, ns, cid), None)
        for cid, (skeleton, meta, parent) in kept.items():
            if parent in doomed:  # as LangGraph's prune: no parent rather than a missing one
                checkpoints[cid] = (skeleton, meta, None)
        if not checkpoints:
            del self.storage[thread_id][ns]

    # The dicts are fast: the async twins call the sync methods directly, no thread hop.

    async def aget_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        return self.get_tuple(config)

    async def alist(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in self.list(config, filter=filter, before=before, limit=limit):
            yield item

    async def aput(
        self,
        config: Mapping[str, Any],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, ChannelVersion],
    ) -> dict[str, Any]:
        return self.put(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: Mapping[str, Any],
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self.delete_thread(thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        self.delete_for_runs(run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self.copy_thread(source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self.prune(thread_ids, strategy=strategy)


MemorySaver = InMemorySaver
"""LangGraph's older name for ``InMemorySaver``."""
