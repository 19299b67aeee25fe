"""``run.messages``: one stream object per chat model call (or per message a node returned).

Under a v3 run the ``messages`` mode carries ``(payload, metadata)`` pairs where the payload is
either a protocol event of a message being generated (``message-start``, ``content-block-*``,
``message-finish``; see ``langgraph_lite.message_events``) or a whole message a node returned
without streaming it. ``MessagesTransformer`` turns them into message streams:

- a ``message-start`` opens a stream, pushed to ``run.messages`` at once (so a consumer can
  read its text while it is generated); the events after it go to the stream their
  ``metadata["run_id"]`` names; ``message-finish`` completes it. Events of a stream that was
  never started are dropped, and so is a tool's message (``role == "tool"``): tool results
  are on the tools projection and in the state, not among the chat model's tokens.
- a whole message (not a tool message, not a chunk) is replayed as the events it would have
  streamed and pushed as a stream that is already complete.
- a bare ``AIMessageChunk`` (what ``stream(stream_mode="messages")`` carries) is ignored: it
  has no lifecycle to follow. Only v3 runs stream events.

The stream objects are LangChain's ``ChatModelStream`` (sync runs) and
``AsyncChatModelStream`` (async runs), with ``.text``, ``.reasoning``, ``.tool_calls``,
``.usage`` and ``.output``, as LangGraph gives; reading one drives the run (its pump is the
run's). Without langchain-core they are our ``MessageStream`` / ``AsyncMessageStream``
(``langgraph_lite.stream.message_stream``): the same reading surface, our ``AIMessage`` out.

Only the run's own level is kept (``scope``); tokens of subgraphs stay in the main event log.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

from langgraph_lite.message_events import message_events
from langgraph_lite.messages import AIMessageChunk, BaseMessage, ToolMessage
from langgraph_lite.stream._types import ProtocolEvent, StreamTransformer
from langgraph_lite.stream.stream_channel import StreamChannel

__all__ = ["MessagesTransformer"]


_classes: tuple[Any, Any] | None = None


def _stream_classes() -> tuple[Any, Any]:
    """LangChain's ``ChatModelStream`` pair when langchain-core (>= 1.8) is installed, else ours
    (imported at the first message, so a run with no chat model never loads LangChain)."""
    global _classes
    if _classes is None:
        try:
            from langchain_core.language_models.chat_model_stream import (
                AsyncChatModelStream,
                ChatModelStream,
            )

            _classes = (ChatModelStream, AsyncChatModelStream)
        except ImportError:  # no langchain-core, or one older than the protocol
            from langgraph_lite.stream.message_stream import AsyncMessageStream, MessageStream

            _classes = (MessageStream, AsyncMessageStream)
    return _classes


def _whole_message_events(message: Any) -> list[dict[str, Any]] | None:
    """The events to replay for a whole ``message`` of the stream, or None to ignore it."""
    if isinstance(message, BaseMessage):
        if isinstance(message, (AIMessageChunk, ToolMessage)):
            return None
        return message_events(message, message.id)
    lc = sys.modules.get("langchain_core.messages")  # a LangChain message means it is loaded
    if lc is None or not isinstance(message, lc.BaseMessage):
        return None
    if isinstance(message, (lc.AIMessageChunk, lc.ToolMessage)):
        return None
    from langchain_core.language_models._compat_bridge import message_to_events

    return [dict(event) for event in message_to_events(message, message_id=message.id)]


class MessagesTransformer(StreamTransformer):
    """Builds ``run.messages``: a ``ChatModelStream`` per model call or returned message."""

    _native = True
    required_stream_modes = ("messages",)

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        """Collect the messages of ``scope``'s level."""
        super().__init__(scope)
        self._log: StreamChannel[Any] = StreamChannel()
        # metadata["run_id"] of an open model call -> its stream; the entry goes at its finish
        self._by_run: dict[str, Any] = {}
        # model calls whose events are dropped (a tool's message), until their finish
        self._ignored_runs: set[str] = set()
        self._pump_fn: Callable[[], bool] | None = None
        self._apump_fn: Callable[[], Awaitable[bool]] | None = None
        self._scope_list = list(scope)

    def init(self) -> dict[str, Any]:
        """The ``messages`` projection."""
        return {"messages": self._log}

    def _bind_pump(self, fn: Callable[[], bool]) -> None:
        """The sync run's pump: each stream made after this reads more of the run through it."""
        self._pump_fn = fn

    def _bind_apump(self, fn: Callable[[], Awaitable[bool]]) -> None:
        """The async run's pump (preferred over the sync one when both are bound)."""
        self._apump_fn = fn

    def _make_stream(
        self, *, namespace: list[str], node: str | None, message_id: str | None
    ) -> Any:
        sync_cls, async_cls = _stream_classes()
        if self._apump_fn is not None:
            stream = async_cls(namespace=namespace, node=node, message_id=message_id)
            stream.set_arequest_more(self._apump_fn)
            return stream
        if self._pump_fn is not None:
            stream = sync_cls(namespace=namespace, node=node, message_id=message_id)
            stream.set_request_more(self._pump_fn)
            return stream
        # Not wired to a run (events dispatched by hand): an async stream reads what it holds.
        return async_cls(namespace=namespace, node=node, message_id=message_id)

    def process(self, event: ProtocolEvent) -> bool:
        """Route a ``messages`` event of this level to its stream; every event stays in the log."""
        if event["method"] != "messages":
            return True
        params = event["params"]
        if params["namespace"] != self._scope_list:
            return True
        try:
            payload, metadata = params["data"]
        except (TypeError, ValueError):
            raise ValueError(
                "a 'messages' event carries data=(payload, metadata), got "
                f"{type(params['data']).__name__} {params['data']!r:.80}"
            ) from None
        metadata = metadata or {}
        node = metadata.get("langgraph_node")
        if isinstance(payload, dict) and "event" in payload:
            self._route_event(payload, str(metadata.get("run_id", "")), node)
        else:
            events = _whole_message_events(payload)
            if events is not None:
                stream = self._make_stream(namespace=[], node=node, message_id=payload.id)
                for item in events:
                    stream.dispatch(item)
                self._log.push(stream)
        return True

    def _route_event(self, event: dict[str, Any], run_id: str, node: str | None) -> None:
        kind = event.get("event")
        if kind == "message-start":
            if event.get("role") == "tool":
                self._ignored_runs.add(run_id)
                return
            message_id = event.get("message_id")
            stream = self._make_stream(
                namespace=[], node=node, message_id=None if message_id is None else str(message_id)
            )
            self._by_run[run_id] = stream
            self._log.push(stream)
            stream.dispatch(event)
        elif run_id in self._ignored_runs:
            if kind == "message-finish":
                self._ignored_runs.discard(run_id)
        elif (stream := self._by_run.get(run_id)) is not None:
            stream.dispatch(event)
            if kind == "message-finish":
                del self._by_run[run_id]

    def finalize(self) -> None:
        """The run ended: forget the routing (each stream completed at its own finish)."""
        self._by_run.clear()
        self._ignored_runs.clear()

    def fail(self, err: BaseException) -> None:
        """The run failed: the streams still open fail with ``err``."""
        open_streams = list(self._by_run.values())
        self.finalize()
        for stream in open_streams:
            stream.fail(err)
