"""Helpers for testing graphs: a scripted chat model that streams like a real one.

>>> from langgraph_lite.testing import ScriptedChatModel
>>> model = ScriptedChatModel(["Hello!", ["Stream", "ed"]])
>>> model.invoke([("user", "hi")]).content
'Hello!'
>>> [c.content for c in model.stream([("user", "again")])]
['Stream', 'ed']
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langgraph_lite.messages import AIMessage, AIMessageChunk, report_chunk

__all__ = ["ScriptedChatModel"]


class _Script:
    """The replies a model and its ``bind_tools`` copies share, used in order."""

    def __init__(self, replies: Sequence[Any]) -> None:
        for i, reply in enumerate(replies):
            ok = isinstance(reply, str | AIMessage) or (
                isinstance(reply, list) and all(isinstance(p, str) for p in reply)
            )
            if not ok:
                raise TypeError(
                    f"ScriptedChatModel reply {i} is {reply!r}; each reply is a str, a list of "
                    "str (streamed one piece per item) or an AIMessage."
                )
        self.replies = list(replies)
        self.used = 0
        self.lock = threading.Lock()

    def next(self) -> Any:
        with self.lock:
            if self.used >= len(self.replies):
                raise RuntimeError(
                    f"ScriptedChatModel ran out of replies: it was scripted with "
                    f"{len(self.replies)} and asked for reply number {self.used + 1}. Add "
                    "replies to the script, or check why the graph called the model again."
                )
            reply = self.replies[self.used]
            self.used += 1
            return reply


class ScriptedChatModel:
    """A chat model that answers from a script, for tests and examples.

    Each reply, used in order, is a ``str`` (one message, streamed as one chunk), a
    ``list[str]`` (one message, streamed one chunk per item) or an ``AIMessage`` (returned as
    is, tool calls included, streamed as one chunk). Whether called with ``invoke`` or
    ``stream``, it reports its chunks to the graph it runs in, so ``stream_mode="messages"``
    shows them token by token.
    """

    def __init__(self, replies: Sequence[Any], *, name: str = "scripted") -> None:
        self._script = _Script(replies)
        self.name = name
        self.tools: list[Any] = []
        self.calls: list[list[Any]] = []  # the messages of each call, for assertions

    @property
    def replies_left(self) -> int:
        """How many scripted replies have not been used yet."""
        return len(self._script.replies) - self._script.used

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        """A model with ``tools`` bound that shares this one's script."""
        bound = ScriptedChatModel.__new__(ScriptedChatModel)
        bound._script = self._script
        bound.name = self.name
        bound.tools = list(tools)
        bound.calls = self.calls
        return bound

    # -- one reply as chunks -----------------------------------------------------------------

    def _chunks(self, messages: Any) -> tuple[list[AIMessageChunk], AIMessage]:
        from langgraph_lite.messages import convert_to_messages

        self.calls.append(convert_to_messages(messages))
        reply = self._script.next()
        if isinstance(reply, AIMessage):
            message = reply if reply.id else reply.model_copy(update={"id": _run_id()})
            data = message.model_dump(exclude={"type"})
            return [AIMessageChunk(**data)], message
        pieces = [reply] if isinstance(reply, str) else list(reply)
        run_id = _run_id()
        chunks = [AIMessageChunk(content=p, id=run_id) for p in pieces]
        return chunks, AIMessage(content="".join(pieces), id=run_id)

    _META = {"ls_provider": "scripted", "ls_model_type": "chat"}

    # -- the chat-model protocol -------------------------------------------------------------

    def invoke(self, messages: Any, config: Any = None, **kwargs: Any) -> AIMessage:
        """The next reply, as one ``AIMessage`` (its chunks are reported as they "arrive")."""
        chunks, message = self._chunks(messages)
        for chunk in chunks:
            report_chunk(chunk, self._META)
        return message

    async def ainvoke(self, messages: Any, config: Any = None, **kwargs: Any) -> AIMessage:
        """``invoke``, waiting while the graph's stream buffer is full."""
        chunks, message = self._chunks(messages)
        for chunk in chunks:
            await report_chunk(chunk, self._META)
        return message

    def stream(self, messages: Any, config: Any = None, **kwargs: Any) -> Iterator[AIMessageChunk]:
        """The next reply, chunk by chunk."""
        chunks, _ = self._chunks(messages)
        for chunk in chunks:
            report_chunk(chunk, self._META)
            yield chunk

    async def astream(
        self, messages: Any, config: Any = None, **kwargs: Any
    ) -> AsyncIterator[AIMessageChunk]:
        """``stream`` for async code."""
        chunks, _ = self._chunks(messages)
        for chunk in chunks:
            await report_chunk(chunk, self._META)
            yield chunk


def _run_id() -> str:
    return f"run-{uuid.uuid4()}"
