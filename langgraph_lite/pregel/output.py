"""The run's stream output: which chunks a run reports, how they are shaped, where they go.

The loop tells ``Output`` what happened (a task finished, a step was applied, a checkpoint was
saved); ``Output`` decides, from the stream modes, which chunks that makes and shapes them as
LangGraph does: bare, ``(mode, chunk)``, ``(ns, ...)`` or v2 typed parts. Chunks go to the
run's queue or, for a subgraph streaming into its parent, to the parent's ``Output``. Chunks
from node code (custom values, chat-model tokens) come in through ``accept`` and
``message_chunk``, from any thread.

Invariant: only the flags below decide what is emitted, and they are fixed once the run starts
(``attach`` may set them from the parent before that).
"""

from __future__ import annotations

import sys
import uuid
from asyncio import CancelledError
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite._internal._constants import CONFIG_KEY_STREAM_MESSAGES_V2
from langgraph_lite.channels.base import MISSING
from langgraph_lite.errors import GraphBubbleUp
from langgraph_lite.pregel.checkpointing import INTERRUPT, with_checkpoint_map
from langgraph_lite.pregel.payloads import (
    checkpoint_payload,
    debug_event,
    task_result_payload,
    task_start_payload,
)
from langgraph_lite.pregel.protocol_messages import ProtocolMessages
from langgraph_lite.pregel.task_results import task_result
from langgraph_lite.types import READY, _drop_writes

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task
    from langgraph_lite.pregel.stream import StreamQueue

__all__ = [
    "Output",
    "checkpoint_payload",
    "debug_event",
    "messages_in",
    "task_result_payload",
    "task_start_payload",
]


class Output:
    """What one run reports to its consumer, and in which shape."""

    def __init__(
        self,
        queue: StreamQueue,
        modes: Sequence[str],
        tagged: bool,
        stream_keys: str | Sequence[str],
        config: Any,
        subgraphs: bool = False,
        version: str = "v1",
    ) -> None:
        self.queue = queue
        self.config = config  # the run's config: scalar configurables go into message metadata
        self.tagged = tagged  # a list of modes was asked for: chunks are (mode, chunk)
        self.version = version  # "v2": every chunk a typed part {"type", "ns", "data"}
        # a v3 run (stream_events): chat messages go out as protocol events, not chunks
        v3 = version == "v2" and bool((config.get("configurable") or {}).get(_V3_KEY))
        self.protocol_messages: ProtocolMessages | None = ProtocolMessages() if v3 else None
        # What values/updates report: one channel (bare values) or a list of them.
        self.stream_keys = stream_keys
        self.stream_key_set = (
            frozenset((stream_keys,)) if isinstance(stream_keys, str) else frozenset(stream_keys)
        )
        # What a task's result reports: every stream channel of the graph, even when the run
        # was asked for fewer (output_keys, a subgraph's output schema), as LangGraph does
        self.result_keys = self.stream_key_set
        self.ns: tuple[str, ...] = ()  # the namespace of this run's graph, for subgraphs=True
        self._sink: Any = None  # a parent Output's accept, when this run is a subgraph
        # A subgraph that a node also streams itself: how that node's stream is shaped, and
        # which modes the parent's consumer takes (see _teed).
        self._own: Output | None = None
        self._parent_modes: frozenset[str] = frozenset()
        # version="v2": the classes values / checkpoint values are built as (None: dicts)
        self.as_output: Any = None
        self.as_state: Any = None
        self.read_state: Callable[[], Any] | None = None  # the stream keys' values now (the loop's)
        # invoke(): whether the output was written (it is read once, at the end)
        self.track_output = False
        self.output_ready = False
        self._muted = False  # a task's error went out: what its siblings finish does not
        self._told: set[str] = set()  # tasks whose error went out
        self._set_modes(tuple(modes), subgraphs, set())

    def _set_modes(self, modes: tuple[str, ...], subgraphs: bool, seen: set[str]) -> None:
        self.modes = modes
        self.subgraphs = subgraphs  # chunks carry the namespace of the graph that made them
        self._plain = self.version == "v1" and not subgraphs  # chunks as they are, or tagged
        self.values = "values" in modes
        self.updates = "updates" in modes
        self.task_events = "tasks" in modes or "debug" in modes
        self.checkpoint_events = "checkpoints" in modes or "debug" in modes
        self.messages = "messages" in modes
        self.tools = "tools" in modes  # tool calls report themselves (see tool_events)
        if self.tools:  # a LangChain tool reports through LangChain's callbacks: hook them
            from langgraph_lite.messages import use_langchain_if_loaded

            use_langchain_if_loaded()
        # Node code emits mid-step: while it runs, the consumer must be able to read.
        self.streams_from_nodes = "custom" in modes or self.messages or self.tools or subgraphs
        # Whether a finished task makes chunks at all (if not, the loop skips telling us).
        self.per_task = self.updates or self.task_events or self.messages
        self.seen_messages = seen  # ids of messages already streamed (or given as input)
        self.writer: Any = self._custom_writer()

    def nest(self, parent: Any, task: Task, checkpoint_ns: str) -> None:
        """This run is a subgraph that ``task`` of another run runs (``parent``: that run's
        ``Output``): stream into its consumer if it streams subgraphs, named as the subgraph
        is saved (``checkpoint_ns``; empty: a graph on a thread of its own)."""
        if checkpoint_ns:  # as LangGraph, its own chunks carry the whole namespace too
            self.ns = tuple(checkpoint_ns.split("|"))
        if not isinstance(parent, Output) or not parent.subgraphs:
            return
        if not checkpoint_ns:
            self.attach_own_thread(parent)  # its own thread: only tokens and tool calls
            return
        self.attach(parent, f"{task.name}:{task.id}")  # stream into the parent
        # named as it is saved: "call:<id>", its second run in a task ("call:<id>", "1"),
        # a checkpointer=True subgraph without the task id ("call",)
        own = checkpoint_ns.split("|")[len(parent.ns) :]
        if own:
            self.ns = (*parent.ns, *own)

    def attach(self, parent: Output, ns: str) -> None:
        """Stream into ``parent``'s consumer, as the subgraph named ``ns`` there."""
        self._attach(parent, (*parent.ns, ns), parent.modes)

    def attach_own_thread(self, parent: Output) -> None:
        """Stream into ``parent``'s consumer as a graph run on a thread of its own, called in a
        node of ``parent``'s run: as in LangGraph, only its chat messages and tool calls go
        there, under the root namespace (its checkpoints name no parent)."""
        self._attach(parent, (), tuple(m for m in parent.modes if m in _OWN_THREAD_MODES))

    def _attach(self, parent: Output, ns: tuple[str, ...], modes: tuple[str, ...]) -> None:
        if self.modes:  # a node streams this graph itself: its chunks go to it as well
            own = Output(self.queue, self.modes, self.tagged, self.stream_keys, self.config,
                         self.subgraphs, self.version)  # fmt: skip
            self._own = own
            self._parent_modes = frozenset(modes)
            modes = tuple(dict.fromkeys((*modes, *self.modes)))
        else:  # all its chunks go to the parent's consumer: in the parent's shape
            self.protocol_messages = parent.protocol_messages and ProtocolMessages()
        self._sink = parent.accept
        self.ns = ns
        self._set_modes(modes, True, parent.seen_messages)

    def _teed(self, ns: tuple[str, ...], mode: str, chunk: Any, deliver: Any) -> Any:
        """A chunk of a subgraph some node streams itself: to that node's stream (``deliver``:
        its queue's push or put), and to the parent's consumer if it takes that mode."""
        own = self._own
        assert own is not None  # a teeing output always has its own
        ready = READY
        if mode in own.modes and (own.subgraphs or len(ns) == len(self.ns)):
            ready = deliver(own._shape(ns, mode, chunk))
        if mode in self._parent_modes:
            return self._sink(ns, mode, chunk)
        return ready

    def also_print(self, modes: Sequence[str]) -> None:
        """``print_mode``: chunks of ``modes`` are printed too (and streamed only if asked).

        Set before the run starts. Printing costs nothing when not asked: ``emit`` and
        ``accept`` are replaced on this instance only."""
        wanted = frozenset(self.modes)
        printed = frozenset(modes)
        self._set_modes((*self.modes, *(m for m in modes if m not in wanted)), self.subgraphs,
                        self.seen_messages)  # fmt: skip
        emit, accept = self.emit, self.accept
        subgraphs = self.subgraphs

        def shown(ns: tuple[str, ...], mode: str, chunk: Any) -> bool:
            if mode in printed:
                print(_printed(ns if subgraphs else (), mode, chunk))
            return mode in wanted

        def print_emit(mode: str, chunk: Any) -> None:
            # (a subgraph's chunk is printed by the root, which knows what is printed)
            if self._sink is not None or shown(self.ns, mode, chunk):
                emit(mode, chunk)

        def print_accept(ns: tuple[str, ...], mode: str, chunk: Any) -> Any:
            if self._sink is None and not shown(ns, mode, chunk):
                return READY
            return accept(ns, mode, chunk)

        self.emit = print_emit  # type: ignore[method-assign]
        self.accept = print_accept  # type: ignore[method-assign]
        if "custom" in self.modes:
            self.writer = lambda v: self.accept(self.ns, "custom", v)

    # -- where chunks go ---------------------------------------------------------------------

    def _shape(self, ns: tuple[str, ...], mode: str, chunk: Any) -> Any:
        if self.version == "v2":  # typed parts
            if mode == "values":
                data = chunk
                interrupts: tuple[Any, ...] = ()
                if isinstance(chunk, dict) and INTERRUPT in chunk:
                    data = {k: v for k, v in chunk.items() if k != INTERRUPT}
                    interrupts = tuple(chunk[INTERRUPT])
                if self.as_output is not None and isinstance(data, dict):
                    data = self.as_output(**data)
                return {"type": mode, "ns": ns, "data": data, "interrupts": interrupts}
            if self.as_state is not None and mode in ("checkpoints", "debug"):
                chunk = _typed_checkpoint(chunk, self.as_state)
            return {"type": mode, "ns": ns, "data": chunk}
        if self.subgraphs:
            return (ns, mode, chunk) if self.tagged else (ns, chunk)
        return (mode, chunk) if self.tagged else chunk

    def emit(self, mode: str, chunk: Any) -> None:
        """A chunk the loop made (in the consumer's thread): to the queue, or to the parent."""
        if self._sink is None:  # (_shape's plain case inlined: this runs for every chunk)
            if self._plain:
                self.queue.push((mode, chunk) if self.tagged else chunk)
            else:
                self.queue.push(self._shape(self.ns, mode, chunk))
        elif self._own is None:
            self._sink(self.ns, mode, chunk)
        else:
            self._teed(self.ns, mode, chunk, self.queue.push)

    def accept(self, ns: tuple[str, ...], mode: str, chunk: Any) -> Any:
        """A chunk from node code or a subgraph of this run (a producer, any thread)."""
        if self._sink is None:
            return self.queue.put(self._shape(ns, mode, chunk))
        if self._own is None:
            return self._sink(ns, mode, chunk)
        return self._teed(ns, mode, chunk, self.queue.put)

    def _custom_writer(self) -> Any:
        if "custom" not in self.modes:
            return _drop_writes
        if self._sink is None and not self.subgraphs and self.version == "v1":
            put = self.queue.put
            return (lambda v: put(("custom", v))) if self.tagged else put
        return lambda v: self.accept(self.ns, "custom", v)

    # -- what happened -----------------------------------------------------------------------

    def values_chunk(self, chunk: Any) -> None:
        """The state after a step (or where a resumed run stands)."""
        if self.track_output:
            self.output_ready = True
        if self.values:
            self.emit("values", chunk)

    def resumed_at(self, state: Any) -> None:
        """A resumed run stands at ``state`` (the stream keys' values): reported if any."""
        if state is not MISSING and state != {}:
            self.values_chunk(state)

    def interrupted_at(self, state: dict[str, Any], finished: Sequence[Task]) -> dict[str, Any]:
        """The run stopped in a step for a human, at ``state`` (as the step's ``finished``
        tasks leave it); returns ``state`` (invoke's output). As LangGraph, a last ``values``
        chunk only if those tasks wrote what it shows (each question went out with its own)."""
        keys = self.stream_key_set
        if any(c in keys for t in finished for c, _ in t.writes):
            self.values_chunk(state)
        elif self.track_output:
            self.output_ready = True
        return state

    def planned(self, tasks: Sequence[Task]) -> None:
        """A step's tasks are about to run."""
        if self.task_events:
            for task in tasks:
                if not task.node.hidden:
                    self._task_event("task", task, task_start_payload(task))
        if self.messages:
            for task in tasks:
                self.seen_messages.update(m.id for m in messages_in(task.input) if m.id)

    def finished(self, task: Task, cached: bool = False) -> None:
        """``task`` finished (``cached``: its writes come from a checkpoint)."""
        if task.node.hidden or self._muted:
            return
        if self.messages:  # as LangGraph: a node's messages go out before its update
            if self.protocol_messages is not None:
                self._events_out(self.protocol_messages.task_done(task.id))
            self._whole_messages(task)
        if self.updates:
            chunk = {task.name: self._update_of(task)}
            if cached:  # as LangGraph marks them
                chunk["__metadata__"] = {"cached": True}
            self.emit("updates", chunk)
        if self.task_events and not cached:  # LangGraph reports no result for reused writes
            self._task_event("task_result", task, task_result_payload(task, self._result_of(task)))

    def failed(self, task: Task, error: BaseException) -> None:
        """``task`` raised ``error`` (told once; not a sibling the error stopped, as LangGraph)."""
        if task.id in self._told or (self._muted and isinstance(error, CancelledError)):
            return
        self._told.add(task.id)
        if self.task_events and not task.node.hidden:
            self._task_event("task_result", task, task_result_payload(task, {}, error))

    def raised(self, task: Task, first: bool) -> None:
        """A task raised, as it ends: as LangGraph, an error (no interrupt, no handled one) goes
        out now if ``first`` in the step (else in turn), and what ends after it no more."""
        if task.handler is None and not isinstance(task.error, GraphBubbleUp):
            self._muted = True
            if first:
                self.failed(task, task.error)  # type: ignore[arg-type]

    def interrupted(self, task: Task, found: tuple[Any, ...]) -> None:
        """``task`` called ``interrupt()`` and got no answer: as LangGraph, its questions go
        out at once, as an update and with the state as it stands, then its task result. (A
        subgraph stopped by interrupt_before/after asks nothing: the outermost graph's update.)"""
        if not found:
            if self.task_events and not task.node.hidden:
                self._task_event("task_result", task, task_result_payload(task, {}, None, found))
            return None if self.ns else self.stopped(found)
        self.stopped(found)
        if self.values:
            state = self.read_state() if self.read_state is not None else None
            self.emit(
                "values",
                {**state, INTERRUPT: found} if isinstance(state, dict) else {INTERRUPT: found},
            )
        if self.task_events and not task.node.hidden:
            self._task_event("task_result", task, task_result_payload(task, {}, None, found))

    def stopped(self, found: tuple[Any, ...]) -> None:
        """The run stops for a human (``found``: the questions; none for interrupt_before/after)."""
        if self.updates:
            self.emit("updates", {INTERRUPT: found})

    def checkpoint(
        self, step: int, saved: Any, values: Any, next_tasks: list[Any], resumed: bool = False
    ) -> None:
        """The checkpoint ``saved`` (a ``CheckpointTuple``) was saved at ``step`` (or, if
        ``resumed``, the run resumes from it), holding ``values`` (the stream keys'),
        ``next_tasks`` due; only called when ``checkpoint_events``."""
        if values is MISSING:  # one output channel, never written: None, as LangGraph
            values = None
        config, parent_config, writes = saved.config, saved.parent_config, ()
        if resumed:  # (a ``CheckpointTuple`` as loaded)
            config = with_checkpoint_map(config, saved.metadata)
            parent_config = with_checkpoint_map(parent_config, saved.metadata)
            writes = saved.pending_writes or ()
        payload = checkpoint_payload(
            config, parent_config, values, saved.metadata, next_tasks, writes, self.stream_keys
        )
        if "checkpoints" in self.modes:
            self.emit("checkpoints", payload)
        if "debug" in self.modes:
            self.emit("debug", debug_event(step, "checkpoint", payload))

    def _task_event(self, kind: str, task: Task, payload: dict[str, Any]) -> None:
        if "tasks" in self.modes:
            self.emit("tasks", payload)
        if "debug" in self.modes:
            self.emit("debug", debug_event(task.step, kind, payload))

    def _update_of(self, task: Task) -> Any:
        keys = self.stream_keys
        if isinstance(keys, str):
            # One output channel (a root state): its value, or the list of them if the node
            # wrote it several times (e.g. a list of Commands), as LangGraph streams it.
            values = [v for c, v in task.writes if c == keys]
            if not values:
                return None
            return values[0] if len(values) == 1 else values
        picked = [(c, v) for c, v in task.writes if c in self.stream_key_set]
        if not picked:
            return None
        if len({c for c, _ in picked}) == len(picked):
            return dict(picked)
        return [{c: v} for c, v in picked]

    def _result_of(self, task: Task) -> dict[str, Any]:
        return task_result(task.writes, self.result_keys)

    # -- chat messages -----------------------------------------------------------------------

    def message_chunk(self, task: Task, chunk: Any, extra: dict[str, Any] | None) -> Any:
        """A chat model running in ``task`` produced ``chunk`` (see ``messages.report_chunk``)."""
        if not self.messages or task.node.hidden:
            return READY
        if chunk.id:
            self.seen_messages.add(chunk.id)
        metadata = {**(extra or {}), **self._message_metadata(task)}
        metadata["checkpoint_ns"] = metadata["langgraph_checkpoint_ns"]
        # the model's tags (e.g. from with_config) first, then the run's, as LangChain merges
        tags = [*(extra or {}).get("tags", ()), *self.config.get("tags", ())]
        if tags:
            metadata["tags"] = list(dict.fromkeys(tags))
        if self.protocol_messages is not None:
            return self._events_out(self.protocol_messages.chunk(task.id, chunk, metadata))
        return self.accept(self.ns, "messages", (chunk, metadata))

    def message_event(self, task: Task, event: dict[str, Any], metadata: dict[str, Any]) -> Any:
        """A protocol event of a message a LangChain model in ``task`` generates (v3 runs;
        ``metadata`` already has the node's keys and the model call's ``run_id``)."""
        if self.protocol_messages is None or not self.messages or task.node.hidden:
            return READY
        return self.accept(self.ns, "messages", (event, metadata))

    def _events_out(self, pairs: list[tuple[dict[str, Any], Any]]) -> Any:
        ready = READY
        for pair in pairs:
            ready = self.accept(self.ns, "messages", pair)
        return ready

    def tool_event(self, task: Task, payload: dict[str, Any]) -> Any:
        """A tool call in ``task`` started, streamed, ended or failed (see ``tool_events``)."""
        return self.accept(self.ns, "tools", payload)

    def _whole_messages(self, task: Task) -> None:
        """Messages a node returned that were not streamed go out once, whole."""
        for _, value in task.writes:
            for message in messages_in(value):
                if message.id and message.id in self.seen_messages:
                    continue
                if self.protocol_messages is not None and _is_tool_message(message):
                    continue  # v3: a tool's result is on the tools mode, not a chat token
                if not message.id:  # as LangGraph: the id it streams with is the one it keeps
                    message.id = str(uuid.uuid4())
                self.seen_messages.add(message.id)
                metadata = {"ls_integration": "langgraph", **self._message_metadata(task)}
                self.emit("messages", (message, metadata))

    def _message_metadata(self, task: Task) -> dict[str, Any]:
        """LangGraph's keys: the run's metadata (with the ids it copies from configurable),
        then the task's own."""
        meta = task.config["metadata"]
        out = {k: v for k, v in meta.items() if not k.startswith("langgraph_")}
        out["langgraph_step"] = task.step
        out["langgraph_node"] = task.name
        out["langgraph_triggers"] = tuple(task.triggers)
        out["langgraph_path"] = meta["langgraph_path"]
        out["langgraph_checkpoint_ns"] = meta["langgraph_checkpoint_ns"]
        return out


_V3_KEY = CONFIG_KEY_STREAM_MESSAGES_V2


def _is_tool_message(message: Any) -> bool:
    return getattr(message, "type", None) == "tool"


# What a graph on a thread of its own, run inside a node, streams to the caller's consumer:
# what LangGraph's callback handlers carry (they follow the call), not what its stream does.
_OWN_THREAD_MODES = ("messages", "tools")


def _printed(ns: tuple[str, ...], mode: str, chunk: Any) -> str:
    """A ``print_mode`` line, as LangGraph prints it (bold mode, yellow namespace)."""
    head = f"\033[1m[{mode}]\033[0m"
    if ns:
        head += f" \033[1;30;33m[graph={ns}]\033[0m"
    return f"{head} {chunk!r}"


def messages_in(value: Any) -> list[Any]:
    """The chat messages (ours or LangChain's) in a node's input or in one of its writes."""
    from langgraph_lite.messages import BaseMessage

    # A LangChain message can only be here if its module was imported: no import needed.
    lc = sys.modules.get("langchain_core.messages")
    kinds = (BaseMessage, lc.BaseMessage) if lc is not None else BaseMessage
    return _messages_in(value, kinds)


def _messages_in(value: Any, kinds: Any) -> list[Any]:
    if isinstance(value, kinds):
        return [value]
    if isinstance(value, dict):
        return (
            [m for v in value.values() for m in _messages_in(v, kinds)] if len(value) < 64 else []
        )
    if isinstance(value, list | tuple):
        return [m for m in value if isinstance(m, kinds)]
    return []


def _typed_checkpoint(chunk: Any, cls: Any) -> Any:
    """A checkpoints / debug payload whose ``values`` are built as ``cls`` (a copy). The first
    checkpoint (``next`` holds ``__start__``) stays a dict: its state is not filled in yet."""
    inner = chunk.get("payload") if chunk.get("type") == "checkpoint" else chunk
    if not isinstance(inner, dict) or not isinstance(inner.get("values"), dict):
        return chunk
    if "__start__" in inner.get("next", ()):
        return chunk
    typed = {**inner, "values": cls(**inner["values"])}
    return {**chunk, "payload": typed} if inner is not chunk else typed
