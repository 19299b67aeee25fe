"""The run's stream output: how a ``PregelLoop`` shapes chunks and where it sends them.

Chunks the loop makes go to the run's queue, or — for a subgraph streaming into its parent —
to the parent loop; chunks from node code (custom values, chat-model tokens) come in through
``accept``. Shapes follow LangGraph's: bare, ``(mode, chunk)``, ``(ns, ...)`` or v2 parts.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from langgraph_lite.pregel.checkpointing import INTERRUPT
from langgraph_lite.pregel.stream import debug_event
from langgraph_lite.types import READY, _drop_writes

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task
    from langgraph_lite.pregel.loop import PregelLoop

__all__ = ["LoopStreaming"]


class LoopStreaming:
    """The streaming half of ``PregelLoop`` (a mixin: state lives on the loop)."""

    # Set by PregelLoop.__init__.
    modes: tuple[str, ...]
    ns: tuple[str, ...]
    subgraphs: bool
    version: str
    queue: Any
    config: Any
    checkpointer: Any
    writer: Any
    track_output: bool
    output_ready: bool
    streams_from_nodes: bool
    _sink: Any
    _tagged: bool
    _values: bool
    _updates: bool
    _task_events: bool
    _checkpoint_events: bool
    _messages: bool
    _seen_messages: set[str]
    _stream_key_set: frozenset[str]
    _after_task: bool

    def _result_of(self, task: Task) -> dict[str, Any]:
        keys = self._stream_key_set
        return {c: v for c, v in task.writes if c in keys}

    def _task_event(self, kind: str, task: Task, payload: dict[str, Any]) -> None:
        if "tasks" in self.modes:
            self._emit("tasks", payload)
        if "debug" in self.modes:
            self._emit("debug", debug_event(task.step, kind, payload))

    def _emit_values(self, chunk: Any) -> None:
        if self.track_output:
            self.output_ready = True
        if self._values:
            self._emit("values", chunk)

    # -- streaming ---------------------------------------------------------------------------

    def _shape(self, ns: tuple[str, ...], mode: str, chunk: Any) -> Any:
        if self.version == "v2":  # typed parts
            if mode == "values":
                data = chunk
                interrupts: tuple[Any, ...] = ()
                if isinstance(chunk, dict) and INTERRUPT in chunk:
                    data = {k: v for k, v in chunk.items() if k != INTERRUPT}
                    interrupts = tuple(chunk[INTERRUPT])
                return {"type": mode, "ns": ns, "data": data, "interrupts": interrupts}
            return {"type": mode, "ns": ns, "data": chunk}
        if self.subgraphs:
            return (ns, mode, chunk) if self._tagged else (ns, chunk)
        return (mode, chunk) if self._tagged else chunk

    def _emit(self, mode: str, chunk: Any) -> None:
        """A chunk the loop made (in the consumer's thread): to the queue, or to the parent."""
        if self._sink is not None:
            self._sink(self.ns, mode, chunk)
        else:
            self.queue.push(self._shape(self.ns, mode, chunk))

    def accept(self, ns: tuple[str, ...], mode: str, chunk: Any) -> Any:
        """A chunk from a subgraph running inside one of this run's nodes (a producer)."""
        if self._sink is not None:
            return self._sink(ns, mode, chunk)
        return self.queue.put(self._shape(ns, mode, chunk))

    def attach_to_parent(self, parent: PregelLoop, node: Task) -> None:
        """Stream into ``parent``'s consumer, as the subgraph run by its task ``node``."""
        self._sink = parent.accept
        self.ns = (*parent.ns, f"{node.name}:{node.id}")
        self.modes = parent.modes
        self._values = "values" in parent.modes
        self._updates = "updates" in parent.modes
        self._task_events = parent._task_events
        self._checkpoint_events = parent._checkpoint_events
        self._messages = parent._messages
        self._seen_messages = parent._seen_messages
        self._refresh_after_task()
        self.subgraphs = True
        self.streams_from_nodes = True
        self.writer = self._custom_writer()

    def message_chunk(self, task: Task, chunk: Any, extra: dict[str, Any] | None) -> Any:
        """A chat model running in ``task`` produced ``chunk`` (see ``messages.report_chunk``)."""
        if not self._messages or task.node.hidden:
            return READY
        if chunk.id:
            self._seen_messages.add(chunk.id)
        metadata = {**(extra or {}), **self._message_metadata(task)}
        metadata["checkpoint_ns"] = metadata["langgraph_checkpoint_ns"]
        return self.accept(self.ns, "messages", (chunk, metadata))

    def _whole_messages(self, task: Task) -> None:
        """Messages a node returned that were not streamed go out once, whole."""
        for _, value in task.writes:
            for message in _messages_in(value):
                if message.id and message.id in self._seen_messages:
                    continue
                if not message.id:  # as LangGraph: the id it streams with is the one it keeps
                    message.id = str(uuid.uuid4())
                self._seen_messages.add(message.id)
                metadata = {"ls_integration": "langgraph", **self._message_metadata(task)}
                self._emit("messages", (message, metadata))

    def _message_metadata(self, task: Task) -> dict[str, Any]:
        config = task.config
        meta = config["metadata"]
        scalars = {
            k: v
            for k, v in (self.config.get("configurable") or {}).items()
            if isinstance(v, str | int | float | bool)
            and not k.startswith("__")
            and k not in ("checkpoint_ns", "checkpoint_id")
        }
        tags = {"tags": list(self.config["tags"])} if self.config.get("tags") else {}
        return {
            **scalars,
            **tags,
            **{k: v for k, v in meta.items() if not k.startswith("langgraph_")},
            "langgraph_step": task.step,
            "langgraph_node": task.name,
            "langgraph_triggers": tuple(task.triggers),
            "langgraph_path": task.path,
            "langgraph_checkpoint_ns": meta["langgraph_checkpoint_ns"],
        }

    def _refresh_after_task(self) -> None:
        self._after_task = bool(
            self.checkpointer is not None or self._updates or self._task_events or self._messages
        )

    def _custom_writer(self) -> Any:
        if "custom" not in self.modes:
            return _drop_writes
        if self._sink is None and not self.subgraphs and self.version == "v1":
            put = self.queue.put
            return (lambda v: put(("custom", v))) if self._tagged else put
        return lambda v: self.accept(self.ns, "custom", v)


def _messages_in(value: Any) -> list[Any]:
    """The chat messages in a node's input or in one of its writes."""
    from langgraph_lite.messages import BaseMessage

    if isinstance(value, BaseMessage):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages_in(v)] if len(value) < 64 else []
    if isinstance(value, list | tuple):
        return [m for m in value if isinstance(m, BaseMessage)]
    return []
