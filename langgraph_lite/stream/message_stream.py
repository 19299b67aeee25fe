"""``MessageStream``: one message of ``run.messages`` when langchain-core is not installed.

With langchain-core (>= 1.8), ``run.messages`` holds LangChain's ``ChatModelStream`` objects,
as LangGraph's does. Without it, it holds these: the same reading surface, built on our own
messages and fed the same protocol events (see ``langgraph_lite.message_events``)::

    for stream in run.messages:
        for piece in stream.text:        # the text as it is generated
            print(piece, end="")
        stream.output                    # the whole AIMessage (ours), once finished
        stream.tool_calls, stream.usage  # parsed tool calls, token counts

Reading ahead of the run pumps it, as every projection does. ``AsyncMessageStream`` is the
async run's twin: ``async for piece in stream.text``, ``await stream.output``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any

from langgraph_lite.messages import AIMessage

__all__ = ["AsyncMessageStream", "MessageStream"]


class _MessageState:
    """What the events of one message said so far (shared by both lanes)."""

    def __init__(
        self,
        *,
        namespace: list[str] | None = None,
        node: str | None = None,
        message_id: str | None = None,
    ) -> None:
        self.namespace: list[str] = namespace or []
        self.node = node
        self.message_id = message_id
        self._events: list[dict[str, Any]] = []
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._blocks: dict[int, dict[str, Any]] = {}  # finished blocks by index
        self._usage: dict[str, Any] | None = None
        self._metadata: dict[str, Any] = {}
        self._output: AIMessage | None = None
        self._error: BaseException | None = None
        self.done = False

    def dispatch(self, event: dict[str, Any]) -> None:
        """Take the next protocol event of the message."""
        if self.done:
            raise RuntimeError(
                f"message {self.message_id!r} already finished; got {event.get('event')!r}"
            )
        self._events.append(event)
        kind = event.get("event")
        if kind == "message-start":
            if event.get("id"):
                self.message_id = event["id"]
        elif kind == "content-block-delta":
            delta = event.get("delta") or event.get("content_block") or {}
            if delta.get("type") in ("text-delta", "text") and delta.get("text"):
                self._text.append(delta["text"])
            elif delta.get("type") in ("reasoning-delta", "reasoning") and delta.get("reasoning"):
                self._reasoning.append(delta["reasoning"])
        elif kind == "content-block-finish":
            block = event.get("content") or event.get("content_block") or {}
            self._blocks[event.get("index", len(self._blocks))] = dict(block)
        elif kind == "message-finish":
            self._usage = event.get("usage")
            self._metadata = dict(event.get("metadata") or {})
            self._output = self._assemble()
            self.done = True
        elif kind == "error":
            self.fail(RuntimeError(event.get("message", "the model stream failed")))

    def fail(self, err: BaseException) -> None:
        """The message will not finish: readers get ``err``."""
        self._error = err
        self.done = True

    def _assemble(self) -> AIMessage:
        blocks = [self._blocks[i] for i in sorted(self._blocks)]
        calls: list[Any] = [
            {"name": b.get("name") or "", "args": b.get("args") or {}, "id": b.get("id")}
            for b in blocks
            if b.get("type") == "tool_call"
        ]
        invalid: list[Any] = [
            {k: b.get(k) for k in ("name", "args", "id", "error")}
            for b in blocks
            if b.get("type") == "invalid_tool_call"
        ]
        kwargs: dict[str, Any] = {}
        if self._reasoning:
            kwargs["reasoning_content"] = "".join(self._reasoning)
        return AIMessage(
            content="".join(self._text),
            id=self.message_id,
            tool_calls=calls,
            invalid_tool_calls=invalid,
            usage_metadata=self._usage,
            response_metadata=self._metadata,
            additional_kwargs=kwargs,
        )

    def _result(self) -> AIMessage:
        if self._error is not None:
            raise self._error
        if self._output is None:
            raise RuntimeError(
                f"message {self.message_id!r} did not finish: the run ended before its "
                "message-finish event"
            )
        return self._output

    @property
    def usage(self) -> dict[str, Any] | None:
        """Token counts from ``message-finish`` (None until then, or when the model gave none)."""
        return self._usage


class MessageStream(_MessageState):
    """One message of a sync run's ``run.messages`` (without langchain-core)."""

    _request_more: Callable[[], bool] | None = None

    def set_request_more(self, fn: Callable[[], bool]) -> None:
        """The run's pump: called when a reader wants more than has arrived."""
        self._request_more = fn

    def _more(self) -> bool:
        return self._request_more is not None and self._request_more()

    def _read(self, items: list[Any]) -> Iterator[Any]:
        i = 0
        while True:
            if i < len(items):
                i += 1
                yield items[i - 1]
            elif self.done:
                if self._error is not None:
                    raise self._error
                return
            elif not self._more() and i >= len(items) and not self.done:
                return

    @property
    def text(self) -> Iterator[str]:
        """The text, piece by piece as generated."""
        return self._read(self._text)

    @property
    def reasoning(self) -> Iterator[str]:
        """The reasoning text, piece by piece."""
        return self._read(self._reasoning)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The message's protocol events."""
        return self._read(self._events)

    @property
    def output(self) -> AIMessage:
        """The finished message (pumps the run until it finishes)."""
        while not self.done and self._more():
            pass
        return self._result()

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """The message's tool calls, parsed (pumps the run until it finishes)."""
        return [dict(call) for call in self.output.tool_calls]


class AsyncMessageStream(_MessageState):
    """One message of an async run's ``run.messages`` (without langchain-core)."""

    _arequest_more: Callable[[], Awaitable[bool]] | None = None

    def set_arequest_more(self, fn: Callable[[], Awaitable[bool]] | None) -> None:
        """The run's async pump."""
        self._arequest_more = fn

    async def _more(self) -> bool:
        return self._arequest_more is not None and await self._arequest_more()

    async def _read(self, items: list[Any]) -> AsyncIterator[Any]:
        i = 0
        while True:
            if i < len(items):
                i += 1
                yield items[i - 1]
            elif self.done:
                if self._error is not None:
                    raise self._error
                return
            elif not await self._more() and i >= len(items) and not self.done:
                return

    @property
    def text(self) -> AsyncIterator[str]:
        """The text, piece by piece as generated."""
        return self._read(self._text)

    @property
    def reasoning(self) -> AsyncIterator[str]:
        """The reasoning text, piece by piece."""
        return self._read(self._reasoning)

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        """The message's protocol events."""
        return self._read(self._events)

    async def _aoutput(self) -> AIMessage:
        while not self.done and await self._more():
            pass
        return self._result()

    @property
    def output(self) -> _Awaitable:
        """``await stream.output``: the finished message."""
        return _Awaitable(self._aoutput)


class _Awaitable:
    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make

    def __await__(self) -> Generator[Any, None, AIMessage]:
        return self._make().__await__()
