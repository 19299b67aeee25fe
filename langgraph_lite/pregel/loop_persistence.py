"""Persistence for a ``PregelLoop``: which checkpoints and writes to save, and when.

The loop never saves anything itself: it puts ``Put`` / ``PutWrites`` actions in its outbox
and a driver carries them out with the saver. ``durability="exit"`` keeps them back until the
run stops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.checkpoint.base import uuid6
from langgraph_lite.pregel.checkpointing import Put, PutWrites, Snapshots, thread_config
from langgraph_lite.pregel.stream import checkpoint_payload, debug_event

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task

__all__ = ["LoopPersistence"]


class LoopPersistence:
    """The persistence half of ``PregelLoop`` (a mixin: state lives on the loop)."""

    # Set by PregelLoop.__init__.
    config: Any
    checkpointer: Any
    durability: str
    saved: Any
    step: int
    run_id: str
    modes: tuple[str, ...]
    stream_keys: Any
    channels: dict[str, Any]
    versions: dict[str, Any]
    versions_seen: dict[str, dict[str, Any]]
    outbox: list[Any]
    checkpoint_config: dict[str, Any]
    _version: Any
    _written: Any
    _changed: set[str]
    _ran: list[str]
    _snapshots: Snapshots
    _exit_mark: Any
    _exit_parent: dict[str, Any]
    _exit_writes: list[Any]
    _checkpoint_events: bool

    if TYPE_CHECKING:  # provided by PregelLoop and LoopStreaming

        def _emit(self, mode: str, chunk: Any) -> None: ...
        def output(self, keys: Any, with_writes_of: Sequence[Task] = ()) -> Any: ...
        def peek(self, step: int | None = None) -> list[Task]: ...

    def _next_version(self) -> Any:
        if self.checkpointer is None:
            return self._version + 1
        return self.checkpointer.get_next_version(self._version or None, None)

    def _put_writes(self, task: Task, writes: list[tuple[str, Any]]) -> None:
        action = PutWrites(self.checkpoint_config, writes, task.id, _path_str(task))
        if self.durability == "exit":
            self._exit_writes.append(action)  # saved with the checkpoint, when the run stops
        else:
            self.outbox.append(action)

    def _save(self, source: str, changed: set[str], *, final: bool = False) -> None:
        """Put a checkpoint of the channels as they are now in the outbox.

        With ``durability="exit"`` a step boundary only names the checkpoint it would be (its
        id seeds the next step's task ids); the run saves the last one when it stops, with
        the writes of the step that was running.
        """
        step = self.step
        if self.durability == "exit":
            if not final:
                if self._exit_mark is None:
                    self._exit_parent = self.checkpoint_config  # the last one really saved
                self._exit_mark = (uuid6(), source, step)
                self._exit_writes = []  # that step's writes are in the state now
                self.run_id = self._exit_mark[0]
                self.checkpoint_config = thread_config(self.config, self.run_id)
                return
            if self._exit_mark is not None:
                checkpoint_id, source, step = self._exit_mark
                self.checkpoint_config = self._exit_parent
        else:
            checkpoint_id = None
        incremental = source == "loop" and not final
        checkpoint = self._snapshots.take(
            self.channels,
            self.versions,
            self.versions_seen,
            self._written,
            changed=self._changed if incremental else None,
            ran=self._ran if incremental else None,
            checkpoint_id=checkpoint_id,
        )
        configurable = self.config.get("configurable") or {}
        metadata = {
            # scalar configurable values (not internal ones) are kept, as LangGraph does
            **{
                k: v
                for k, v in configurable.items()
                if isinstance(v, str | int | float | bool)
                and not k.startswith("__")
                and k not in ("thread_id", "checkpoint_ns", "checkpoint_id")
            },
            **(self.config.get("metadata") or {}),
            "source": source,
            "step": step,
            "parents": {},
        }
        new_versions = (
            {k: self.versions[k] for k in self.versions}
            if final
            else {k: self.versions[k] for k in changed if k in self.versions}
        )
        if self.saved is None and source == "input":
            new_versions = dict(self.versions)
        parent_config = (
            self.checkpoint_config if self.saved is not None or source != "input" else None
        )
        self.outbox.append(Put(self.checkpoint_config, checkpoint, metadata, new_versions))
        self.checkpoint_config = thread_config(self.config, checkpoint["id"])
        self.run_id = checkpoint["id"]
        if self._exit_writes:
            self.outbox.extend(self._exit_writes)
            self._exit_writes = []
        if self._checkpoint_events:
            payload = checkpoint_payload(
                self.checkpoint_config,
                parent_config,
                self.output(self.stream_keys),
                metadata,
                self.peek(step=self.step + 1),
            )
            if "checkpoints" in self.modes:
                self._emit("checkpoints", payload)
            if "debug" in self.modes:
                self._emit("debug", debug_event(self.step, "checkpoint", payload))


def _path_str(task: Task) -> str:
    return "|".join(map(str, task.path))
