"""``OpenAIChatModel``: a chat model for any server that speaks OpenAI's chat-completions API.

OpenAI itself, vLLM, Ollama (``http://localhost:11434/v1``), llama.cpp's server, LM Studio
(``http://localhost:1234/v1``)... Install with ``pip install "langgraph-lite[openai]"``.

>>> from langgraph_lite.models.openai import OpenAIChatModel
>>> model = OpenAIChatModel("llama3.1", base_url="http://localhost:11434/v1", api_key="ollama")
>>> model.model, model.base_url
('llama3.1', 'http://localhost:11434/v1')

It always streams: each piece of the reply is reported to the graph it runs in (so
``stream_mode="messages"`` shows tokens as they arrive, from ``invoke`` as from ``stream``),
and the whole ``AIMessage`` is returned at the end, with tool calls assembled from their
streamed argument deltas and token usage in ``usage_metadata``. ``bind_tools`` and
``with_structured_output`` work as LangChain's. Timeouts and retries are the ``openai``
client's (``timeout=``, ``max_retries=``); what still fails raises ``ChatModelError``, which
says which server, which model, what went wrong and what to try.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langgraph_lite.messages import AIMessage, AIMessageChunk, report_chunk
from langgraph_lite.models.openai_protocol import (
    StreamAssembler,
    StreamIncomplete,
    request_messages,
    tool_spec,
)
from langgraph_lite.models.structured import StructuredOutput, schema_request

__all__ = ["ChatModelError", "OpenAIChatModel"]


class ChatModelError(RuntimeError):
    """A chat server could not give a whole reply: an error status, no connection, a timeout,
    or a stream cut before the end. ``status_code`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


_HINTS = {
    400: "the server refused the request; check the messages and parameters it names",
    401: "check api_key (or OPENAI_API_KEY)",
    403: "check api_key (or OPENAI_API_KEY) and that it may use this model",
    404: "check the model name and base_url (it usually ends in /v1)",
    429: "the server is rate limiting; wait, or raise max_retries",
}


class OpenAIChatModel:
    """A chat model on the chat-completions API (``openai`` package; any compatible server).

    ``model``: the model's name on the server. ``base_url``: the server (default: OpenAI, or
    ``OPENAI_BASE_URL``). ``api_key``: default ``OPENAI_API_KEY``; local servers usually take
    any value. ``timeout`` (seconds per request) and ``max_retries`` (for connection errors,
    408/409/429 and 5xx answers) go to the ``openai`` client. ``temperature``, ``max_tokens``
    and any other keyword (``top_p``, ``seed``, ``extra_body={...}``...) go into each request.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        stream_usage: bool = True,
        **params: Any,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise TypeError(f"OpenAIChatModel needs the model's name, got {model!r}.")
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.stream_usage = stream_usage
        self.params: dict[str, Any] = dict(params)
        if temperature is not None:
            self.params["temperature"] = temperature
        if max_tokens is not None:
            self.params["max_tokens"] = max_tokens
        self.tools: list[dict[str, Any]] = []
        self.tool_choice: Any = None
        self._client = _SharedClient()

    def __repr__(self) -> str:
        where = f", base_url={self.base_url!r}" if self.base_url else ""
        return f"OpenAIChatModel(model={self.model!r}{where})"

    def __deepcopy__(self, memo: dict[int, Any]) -> OpenAIChatModel:
        return self._copy()

    def _copy(self, **changes: Any) -> OpenAIChatModel:
        other = copy.copy(self)
        other.params = dict(self.params)
        other.tools = list(self.tools)
        for key, value in changes.items():
            setattr(other, key, value)
        return other

    # -- configuration -----------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Any,
        *,
        tool_choice: Any = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> OpenAIChatModel:
        """A copy that offers ``tools`` to the model.

        ``tool_choice``: ``"auto"``, ``"required"`` / ``"any"``, ``"none"`` or a tool's name.
        """
        specs = [tool_spec(t) for t in tools]
        choice: Any = tool_choice
        if choice == "any":
            choice = "required"
        elif isinstance(choice, str) and choice not in ("auto", "required", "none"):
            choice = {"type": "function", "function": {"name": choice}}
        params = dict(self.params, **kwargs)
        if parallel_tool_calls is not None:
            params["parallel_tool_calls"] = parallel_tool_calls
        return self._copy(tools=specs, tool_choice=choice, params=params)

    def with_structured_output(
        self, schema: Any, *, method: str = "json_schema", include_raw: bool = False
    ) -> StructuredOutput:
        """A model whose ``invoke`` returns ``schema`` filled in (a pydantic object or a dict).

        ``method``: ``"json_schema"`` (the server constrains the reply to the schema),
        ``"function_calling"`` (the model must call a tool shaped like the schema) or
        ``"json_mode"`` (any JSON object, parsed). ``include_raw=True`` returns
        ``{"raw": AIMessage, "parsed": ..., "parsing_error": ...}`` instead of raising.
        """
        request = schema_request(schema, method)
        if method == "function_calling":
            bound = self.bind_tools([request.tool], tool_choice=request.name)
        else:
            bound = self._copy(params=dict(self.params, response_format=request.response_format))
        return StructuredOutput(bound, request, include_raw=include_raw)

    # -- calling -------------------------------------------------------------------------------

    def invoke(self, messages: Any, config: Any = None, **kwargs: Any) -> AIMessage:
        """The model's reply to ``messages``; its chunks are reported as they arrive."""
        assembler = StreamAssembler(self.model)
        for chunk in self._chunks(messages, assembler, kwargs):
            report_chunk(chunk, self._metadata())
        return self._finish(assembler)

    async def ainvoke(self, messages: Any, config: Any = None, **kwargs: Any) -> AIMessage:
        """``invoke`` for async code (waits while the graph's stream buffer is full)."""
        if not _on_asyncio():
            import functools

            import anyio.to_thread

            call = functools.partial(self.invoke, messages, config, **kwargs)
            return await anyio.to_thread.run_sync(call)
        assembler = StreamAssembler(self.model)
        async for chunk in self._achunks(messages, assembler, kwargs):
            await report_chunk(chunk, self._metadata())
        return self._finish(assembler)

    def stream(self, messages: Any, config: Any = None, **kwargs: Any) -> Iterator[AIMessageChunk]:
        """The reply chunk by chunk (also reported to the graph)."""
        assembler = StreamAssembler(self.model)
        for chunk in self._chunks(messages, assembler, kwargs):
            report_chunk(chunk, self._metadata())
            yield chunk
        self._finish(assembler)  # a cut stream raises here too

    async def astream(
        self, messages: Any, config: Any = None, **kwargs: Any
    ) -> AsyncIterator[AIMessageChunk]:
        """``stream`` for async code."""
        if not _on_asyncio():
            chunks: Any = self._chunks_in_thread(messages, config, kwargs)
            try:
                async for chunk in chunks:
                    yield chunk
            finally:
                await chunks.aclose()  # here, in this task: its task group and thread end
            return
        assembler = StreamAssembler(self.model)
        async for chunk in self._achunks(messages, assembler, kwargs):
            await report_chunk(chunk, self._metadata())
            yield chunk
        self._finish(assembler)

    async def _chunks_in_thread(
        self, messages: Any, config: Any, kwargs: dict[str, Any]
    ) -> AsyncIterator[AIMessageChunk]:
        """``stream`` in a worker thread, its chunks handed over one by one (not asyncio)."""
        import anyio
        import anyio.from_thread
        import anyio.to_thread

        send, receive = anyio.create_memory_object_stream[Any](1)

        gone = (anyio.BrokenResourceError, anyio.ClosedResourceError)

        def produce() -> None:
            chunks: Any = self.stream(messages, config, **kwargs)
            try:
                for chunk in chunks:
                    try:
                        anyio.from_thread.run(send.send, chunk)
                    except gone:  # the consumer stopped: stop reading the server's stream
                        return
            except BaseException as exc:  # handed to the consumer, raised there
                try:
                    anyio.from_thread.run(send.send, _Failed(exc))
                except gone:
                    pass
            finally:
                chunks.close()
                anyio.from_thread.run_sync(send.close)

        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.to_thread.run_sync, produce)
            async with receive:
                async for item in receive:
                    if isinstance(item, _Failed):
                        raise item.error
                    try:
                        yield item
                    except GeneratorExit:
                        # closed early: leave quietly (closing `receive` stops the thread,
                        # and the task group waits for it) rather than as a group's error
                        break

    # -- the wire ------------------------------------------------------------------------------

    def _request(self, messages: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": request_messages(messages),
            "stream": True,
            **self.params,
            **kwargs,
        }
        if self.stream_usage:
            request["stream_options"] = {"include_usage": True}
        if self.tools:
            request["tools"] = self.tools
            if self.tool_choice is not None:
                request["tool_choice"] = self.tool_choice
        return request

    def _client_options(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "api_key": self.api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }

    def _sync_client(self) -> Any:
        if self._client.client is None:
            import openai

            self._client.client = openai.OpenAI(**self._client_options())
        return self._client.client

    def _chunks(
        self, messages: Any, assembler: StreamAssembler, kwargs: dict[str, Any]
    ) -> Iterator[AIMessageChunk]:
        request = self._request(messages, kwargs)
        started = False
        try:
            stream = self._sync_client().chat.completions.create(**request)
            started = True
            with stream:
                for event in stream:
                    chunk = assembler.feed(event.model_dump(exclude_none=True))
                    if chunk is not None:
                        yield chunk
        except Exception as exc:
            raise self._error(exc, started) from exc

    async def _achunks(
        self, messages: Any, assembler: StreamAssembler, kwargs: dict[str, Any]
    ) -> AsyncIterator[AIMessageChunk]:
        import openai

        request = self._request(messages, kwargs)
        started = False
        # one client per call: its connection pool belongs to the event loop that made it
        try:
            async with openai.AsyncOpenAI(**self._client_options()) as client:
                stream = await client.chat.completions.create(**request)
                started = True
                async with stream:
                    async for event in stream:
                        chunk = assembler.feed(event.model_dump(exclude_none=True))
                        if chunk is not None:
                            yield chunk
        except Exception as exc:
            raise self._error(exc, started) from exc

    def _finish(self, assembler: StreamAssembler) -> AIMessage:
        try:
            return assembler.message()
        except StreamIncomplete as exc:
            raise ChatModelError(
                f"the reply of model {self.model!r} from {self._where()} is incomplete: {exc}. "
                "The server stopped mid-reply (crashed, restarted, or a proxy cut the "
                "connection); nothing of it was kept. Try again, or check the server's log."
            ) from None

    def _metadata(self) -> dict[str, Any]:
        meta = {"ls_provider": "openai", "ls_model_name": self.model, "ls_model_type": "chat"}
        if "temperature" in self.params:
            meta["ls_temperature"] = self.params["temperature"]
        return meta

    def _where(self) -> str:
        return self.base_url or "https://api.openai.com/v1"

    def _error(self, exc: BaseException, started: bool) -> BaseException:
        """Our error for what the client raised (anything not the wire's is left as it is)."""
        import httpx
        import openai

        where, model = self._where(), self.model
        if isinstance(exc, ChatModelError):
            return exc
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            hint = _HINTS.get(status) or (
                f"the server failed; it was tried {self.max_retries + 1} time(s)"
                if status >= 500
                else "see the server's message"
            )
            return ChatModelError(
                f"the chat server at {where} answered {status} for model {model!r}: "
                f"{_server_message(exc)}. {hint[0].upper()}{hint[1:]}.",
                status_code=status,
            )
        if started and isinstance(exc, openai.APIConnectionError | httpx.HTTPError):
            return ChatModelError(
                f"the connection to the chat server at {where} broke mid-reply for model "
                f"{model!r} ({exc.__cause__ or exc}); nothing of the reply was kept. Try "
                "again, or check the server's log."
            )
        if isinstance(exc, openai.APITimeoutError):
            return ChatModelError(
                f"the chat server at {where} gave no answer for model {model!r} within "
                f"timeout={self.timeout}s ({self.max_retries + 1} attempt(s)). Raise timeout= "
                "for slow local models, or check that the server is not stuck."
            )
        if isinstance(exc, openai.APIConnectionError):
            return ChatModelError(
                f"cannot reach the chat server at {where} for model {model!r} "
                f"({self.max_retries + 1} attempt(s)): {exc.__cause__ or exc}. Is the server "
                "running, and is base_url right (e.g. http://localhost:11434/v1 for Ollama)?"
            )
        if isinstance(exc, openai.APIError):  # an error event inside the stream
            return ChatModelError(
                f"the chat server at {where} reported an error mid-reply for model "
                f"{model!r}: {_server_message(exc)}. Nothing of the reply was kept."
            )
        if isinstance(exc, httpx.HTTPError):  # the connection broke while streaming
            return ChatModelError(
                f"the connection to the chat server at {where} broke mid-reply for model "
                f"{model!r} ({exc}); nothing of the reply was kept. Try again, or check the "
                "server's log."
            )
        return exc


def _on_asyncio() -> bool:
    """The ``openai`` async client is for asyncio; elsewhere (trio) the sync one runs in a thread."""
    from langgraph_lite._async_library import current_async_library

    return current_async_library() in ("asyncio", None)


class _SharedClient:
    """The sync client a model and its copies (``bind_tools``...) share.

    Closed when the last of them is collected: left to the garbage collector, its pooled
    sockets would go unclosed (a ResourceWarning in whatever code runs at that moment).
    """

    __slots__ = ("client",)

    def __init__(self) -> None:
        self.client: Any = None

    def __del__(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _server_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return repr(str(error["message"]))
        if isinstance(error, str):
            return repr(error)
    return repr(getattr(exc, "message", None) or str(exc))
