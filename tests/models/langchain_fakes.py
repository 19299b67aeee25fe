"""LangChain chat models for tests: scripted, streaming text word by word and tool calls whole.

LangChain's own ``GenericFakeChatModel`` drops tool calls when it streams, so the agent tests
use this one; the same class runs on LangGraph to get the values the tests expect.
"""

import json

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class FakeToolCallingModel(BaseChatModel):
    """Answers from ``replies`` in order; ``bind_tools`` records the tools and returns itself."""

    replies: list
    index: int = 0
    bound_tools: list = []
    seen: list = []

    @property
    def _llm_type(self) -> str:
        return "fake-tool-calling"

    def bind_tools(self, tools, **kwargs):
        self.bound_tools = list(tools)
        return self

    def _next(self, messages):
        self.seen.append(list(messages))
        reply = self.replies[self.index]
        self.index += 1
        return reply

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        reply = self._next(messages)
        if reply.tool_calls:
            calls = [
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                for i, c in enumerate(reply.tool_calls)
            ]
            pieces = [AIMessageChunk(content=reply.content, id=reply.id, tool_call_chunks=calls)]
        else:
            words = reply.content.split(" ")
            pieces = [
                AIMessageChunk(content=w if i == 0 else " " + w, id=reply.id)
                for i, w in enumerate(words)
            ]
        for piece in pieces:
            chunk = ChatGenerationChunk(message=piece)
            if run_manager:
                run_manager.on_llm_new_token(piece.content, chunk=chunk)
            yield chunk


class FakeNonStreamingModel(BaseChatModel):
    """A model that cannot stream: ``invoke`` returns its whole reply."""

    replies: list
    index: int = 0

    @property
    def _llm_type(self) -> str:
        return "fake-non-streaming"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        reply = self.replies[self.index]
        self.index += 1
        return ChatResult(generations=[ChatGeneration(message=reply)])
