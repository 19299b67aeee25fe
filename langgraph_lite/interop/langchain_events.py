"""A LangChain chat model's tokens in a v3 run: its protocol events, not its chunks.

LangChain (>= 1.8) lets a callback handler ask for a model's *protocol events*
(``message-start``, ``content-block-*``, ``message-finish``) instead of its chunks: a handler
that is a ``_V2StreamingCallbackHandler`` makes ``invoke`` drive the model's event stream and
fire ``on_stream_event`` for each event. Inside a node of a v3 run
(``stream_events(version="v3")``) our configure hook (``models.langchain``) attaches
``StreamMessagesHandlerV2``, which hands each event to the graph with the node's metadata and
the call's ``run_id``, as LangGraph's handler of the same name does. Elsewhere (a plain
``stream(stream_mode="messages")``) the chunk handler stays in charge, so those consumers keep
getting ``AIMessageChunk``s.

A model that did not stream (no ``message-start`` came) reports its whole message when it
ends; one that did marks its final message's id as streamed, so the node returning it does
not replay it.

Importing this module imports ``langchain_core``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import ChatGeneration

from langgraph_lite.config import current_task

try:
    from langchain_core.tracers._streaming import (
        _StreamingCallbackHandler,
        _V2StreamingCallbackHandler,
    )
except ImportError:  # langchain-core older than the v2 protocol: models keep streaming chunks
    _StreamingCallbackHandler = object  # type: ignore[misc,assignment]
    _V2StreamingCallbackHandler = object  # type: ignore[misc,assignment]

__all__ = ["StreamMessagesHandlerV2", "langgraph_metadata", "v3_output"]

_NOSTREAM = "nostream"

Part = tuple[tuple[str, ...], str, Any]


def langgraph_metadata(
    task: Any, model_meta: dict[str, Any], tags: list[str] | None
) -> dict[str, Any]:
    """The metadata a model's tokens carry, in LangGraph's order: the integration, the node's
    keys, then the model's own (``ls_*``) and its tags."""
    node_meta = task.config["metadata"]
    meta: dict[str, Any] = {"ls_integration": model_meta.get("ls_integration", "langchain")}
    meta.update(node_meta)
    meta["checkpoint_ns"] = node_meta.get("langgraph_checkpoint_ns", "")
    for key, value in model_meta.items():
        if key not in meta:
            meta[key] = value
    user_tags = [t for t in tags or () if not t.startswith("seq:step")]
    if user_tags:
        meta["tags"] = user_tags
    return meta


def v3_output(task: Any) -> Any:
    """The ``Output`` of ``task``'s run if that run streams messages as protocol events."""
    out = getattr(getattr(task, "run", None), "out", None)
    if out is None or getattr(out, "protocol_messages", None) is None or not out.messages:
        return None
    return out


class StreamMessagesHandlerV2(
    BaseCallbackHandler, _StreamingCallbackHandler, _V2StreamingCallbackHandler
):
    """Forwards a chat model's protocol events to a v3 run's ``messages`` mode.

    ``stream``: where ``(namespace, "messages", (event, metadata))`` parts go; without one
    (how our configure hook attaches it) each goes to the run of the node calling the model.
    ``metadata`` maps a model call's run id to ``(namespace, metadata)``; ``seen`` holds the
    ids of messages already streamed.
    """

    run_inline = True  # in the caller's thread and context: current_task is the node's

    def __init__(
        self,
        stream: Callable[[Part], Any] | None = None,
        subgraphs: bool = True,
        *,
        parent_ns: tuple[str, ...] | None = None,
    ) -> None:
        """Forward to ``stream`` (or to the running node's graph when None)."""
        self.stream = stream
        self.subgraphs = subgraphs
        self.parent_ns = parent_ns
        self.metadata: dict[UUID, tuple[tuple[str, ...], dict[str, Any]]] = {}
        self.seen: set[str] = set()
        self._streamed_run_ids: set[UUID] = set()
        self._tasks: dict[UUID, Any] = {}  # run id -> the node task that called the model

    def tap_output_aiter(self, run_id: UUID, output: Any) -> Any:
        """Pass-through (the streaming-handler protocol asks for it)."""
        return output

    def tap_output_iter(self, run_id: UUID, output: Any) -> Any:
        """Pass-through (the streaming-handler protocol asks for it)."""
        return output

    def _emit(self, run_id: UUID, payload: Any, meta: dict[str, Any]) -> None:
        ns = self.metadata[run_id][0]
        if self.stream is not None:
            self.stream((ns, "messages", (payload, meta)))
            return
        task = self._tasks.get(run_id)
        out = v3_output(task)
        if out is not None:
            out.message_event(task, payload, meta)

    def _mark_seen(self, run_id: UUID, message_id: str) -> None:
        self.seen.add(message_id)
        out = v3_output(self._tasks.get(run_id))
        if out is not None:
            out.seen_messages.add(message_id)

    def on_chat_model_start(
        self,
        serialized: Any,
        messages: Any,
        *,
        run_id: UUID,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Remember the call's metadata, when it runs in a node of a v3 run."""
        task = current_task.get()
        if task is None or (tags and _NOSTREAM in tags) or v3_output(task) is None:
            return
        self._tasks[run_id] = task
        self.metadata[run_id] = ((), langgraph_metadata(task, metadata or {}, tags))

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """Chunks are not forwarded: under this handler a model streams events instead (a node
        that calls ``model.stream()`` still fires this; its chunks stay out of the v3 stream)."""

    def on_stream_event(self, event: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """One protocol event of the call: forwarded with the call's ``run_id``."""
        entry = self.metadata.get(run_id)
        if entry is None:
            return
        if event.get("event") == "message-start":
            self._streamed_run_ids.add(run_id)
            for key in ("message_id", "id"):
                if event.get(key):
                    self._mark_seen(run_id, str(event[key]))
        self._emit(run_id, event, {**entry[1], "run_id": str(run_id)})

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """The call ended: a streamed message is marked seen, an unstreamed one goes out whole."""
        entry = self.metadata.get(run_id)
        if entry is not None and response.generations and response.generations[0]:
            generation = response.generations[0][0]
            if isinstance(generation, ChatGeneration):
                message = generation.message
                if run_id in self._streamed_run_ids:
                    if message.id is None:
                        message.id = str(uuid4())
                    self._mark_seen(run_id, message.id)
                elif not (message.id and message.id in self.seen):
                    if message.id:
                        self._mark_seen(run_id, message.id)
                    self._emit(run_id, message, entry[1])
        self._forget(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """The call failed: forget it (its open stream fails with the run, if the run does)."""
        self._forget(run_id)

    def _forget(self, run_id: UUID) -> None:
        self._streamed_run_ids.discard(run_id)
        self.metadata.pop(run_id, None)
        self._tasks.pop(run_id, None)
