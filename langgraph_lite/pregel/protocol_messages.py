"""A v3 run's chat tokens: our models' chunks turned into protocol events as they arrive.

Under ``stream_events(version="v3")`` the ``messages`` mode carries ``(event, metadata)``
(see ``langgraph_lite.message_events``), with ``metadata["run_id"]`` naming the model call the
event belongs to, as LangGraph's does for a LangChain model. Our models report chunks
(``report_chunk``) and never say that a message is over, so a message is finished here:

- by its last chunk (``chunk_position == "last"``),
- by a chunk of another message from the same task (a new id: the model was called again),
- when its task finishes, before the messages the task returned (which then are not streamed
  again: their ids were seen).

A whole message a node pushes (``push_message``) goes out as it is, as LangGraph sends it;
``MessagesTransformer`` replays it as a finished stream.

The run id of one of our messages is its id (the chunks share it), or, for chunks without
one, the task's id.
"""

from __future__ import annotations

import threading
from typing import Any

from langgraph_lite.message_events import MessageEvents

__all__ = ["ProtocolMessages"]

Event = dict[str, Any]


class ProtocolMessages:
    """The open messages of one run's tasks, each with the events it made so far."""

    def __init__(self) -> None:
        """No message open yet."""
        # task id -> (run id, its events builder, the metadata its events carry)
        # Invariant: one open message per task; a task's tokens come from one thread at a time.
        self._open: dict[str, tuple[str, MessageEvents, dict[str, Any]]] = {}
        self._lock = threading.Lock()  # tasks of one step run in threads of their own

    def chunk(self, task_id: str, chunk: Any, metadata: dict[str, Any]) -> list[tuple[Event, Any]]:
        """The ``(event, metadata)`` pairs ``chunk`` makes, closing a previous message if due."""
        run_id = chunk.id or task_id
        if not hasattr(chunk, "tool_call_chunks"):  # a whole message (push_message): as it is,
            return [*self.task_done(task_id), (chunk, metadata)]  # as LangGraph streams it
        out: list[tuple[Event, Any]] = []
        with self._lock:
            current = self._open.get(task_id)
            if current is not None and current[0] != run_id:
                out.extend(self._close(task_id))
                current = None
            if current is None:
                current = (run_id, MessageEvents(chunk.id), {**metadata, "run_id": run_id})
                self._open[task_id] = current
            meta = current[2]
            out.extend((event, meta) for event in current[1].chunk(chunk))
            if getattr(chunk, "chunk_position", None) == "last":
                out.extend(self._close(task_id))
        return out

    def task_done(self, task_id: str) -> list[tuple[Event, Any]]:
        """The events that finish the message ``task_id`` still has open (if any)."""
        if task_id not in self._open:  # (the common case: no lock)
            return []
        with self._lock:
            return self._close(task_id)

    def _close(self, task_id: str) -> list[tuple[Event, Any]]:
        current = self._open.pop(task_id, None)
        if current is None:
            return []
        return [(event, current[2]) for event in current[1].finish()]
