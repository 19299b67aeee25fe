"""LangChain chat models in graphs: their tokens in ``stream_mode="messages"``, our messages in.

Two pieces, both loaded only when a program uses LangChain:

- ``stream_tokens_from_langchain_models()`` registers, once, a LangChain callback handler that
  is attached to every LangChain chat model run *inside a running node* (LangChain's configure
  hooks ask us; outside a node we answer "no handler"). It hands each streamed chunk to the
  graph with ``report_chunk``, with LangGraph's metadata: the node's ``langgraph_*`` keys, the
  model's ``ls_*`` keys and its tags (so ``model.with_config(tags=["joke"])`` lets a consumer
  pick its tokens by tag). Like LangGraph's, the handler counts as a streaming one, so a model
  called with ``invoke`` streams too; a model that cannot stream reports its whole message at
  the end. Tags ``"nostream"`` keep a model's tokens out of the stream.
- ``LangChainChatModel`` is how ``create_react_agent`` calls a LangChain model: our messages
  become LangChain's, the node's config (metadata, tags, callbacks) is passed on, and the
  reply comes back as the model gave it (LangChain's ``AIMessage``, kept in the state).
"""

from __future__ import annotations

import threading
from typing import Any

from langgraph_lite.config import current_task
from langgraph_lite.interop.langchain import (
    accept_ours_in_langchain,
    let_commands_through_langchain_tools,
    to_langchain_messages,
)
from langgraph_lite.messages import report_chunk
from langgraph_lite.tool_events import ToolCallReport
from langgraph_lite.tool_injection import ToolRuntime

__all__ = [
    "LangChainChatModel",
    "install",
    "langchain_call",
    "stream_tokens_from_langchain_models",
]

_NOSTREAM = "nostream"


# -- tokens: a callback handler LangChain attaches inside running nodes ---------------------------


class _WhileInNode:
    """Stands in for the ``ContextVar`` of a LangChain configure hook.

    LangChain adds the hook's handler to a run when ``get()`` returns one; we return ours only
    while a node runs in this context, so models called anywhere else are left alone.
    """

    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def get(self, default: Any = None) -> Any:
        task = current_task.get()
        if task is None:
            return None
        # As LangGraph's: only a run that streams tokens or tool calls gets the handler; a
        # model then streams (it counts as a streaming handler), otherwise it is left alone.
        out = getattr(task.run, "out", None)
        if out is not None and not (getattr(out, "messages", True) or getattr(out, "tools", True)):
            return None
        return self.handler


class _WhileInV3Node(_WhileInNode):
    """``_WhileInNode`` for the events handler: only in a node of a v3 run."""

    def get(self, default: Any = None) -> Any:
        from langgraph_lite.interop.langchain_events import v3_output

        task = current_task.get()
        return self.handler if task is not None and v3_output(task) is not None else None


def _make_handler() -> Any:
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk

    from langgraph_lite.interop.langchain_events import langgraph_metadata, v3_output

    try:
        from langchain_core.tracers._streaming import _StreamingCallbackHandler
    except ImportError:  # an older langchain-core: invoke() then does not stream
        _StreamingCallbackHandler = object  # type: ignore[misc,assignment]

    class GraphTokenHandler(BaseCallbackHandler, _StreamingCallbackHandler):
        """Reports a LangChain chat model's chunks to the graph run of the node calling it."""

        run_inline = True  # in the caller's thread and context: current_task is the node's

        def __init__(self) -> None:
            # run id -> (the metadata its chunks carry, whether a chunk went out yet)
            self.runs: dict[Any, list[Any]] = {}
            self.tool_runs: dict[Any, ToolCallReport] = {}  # run id -> its tool call's events

        def tap_output_aiter(self, run_id: Any, output: Any) -> Any:
            return output

        def tap_output_iter(self, run_id: Any, output: Any) -> Any:
            return output

        def on_chat_model_start(
            self,
            serialized: Any,
            messages: Any,
            *,
            run_id: Any,
            tags: list[str] | None = None,
            metadata: dict[str, Any] | None = None,
            **kwargs: Any,
        ) -> None:
            task = current_task.get()
            if task is None or (tags and _NOSTREAM in tags) or v3_output(task) is not None:
                return  # (a v3 run's models stream events: StreamMessagesHandlerV2 has them)
            self.runs[run_id] = [langgraph_metadata(task, metadata or {}, tags), False]

        def on_llm_new_token(
            self, token: Any, *, chunk: Any = None, run_id: Any, **kwargs: Any
        ) -> None:
            run = self.runs.get(run_id)
            if run is None or not isinstance(chunk, ChatGenerationChunk):
                return
            run[1] = True
            report_chunk(chunk.message, run[0])  # type: ignore[arg-type]

        def on_llm_end(self, response: Any, *, run_id: Any, **kwargs: Any) -> None:
            run = self.runs.pop(run_id, None)
            if run is None or run[1]:
                return
            generations = response.generations
            if generations and generations[0] and isinstance(generations[0][0], ChatGeneration):
                # did not stream: its whole message, once
                report_chunk(generations[0][0].message, run[0])  # type: ignore[arg-type]

        def on_llm_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
            self.runs.pop(run_id, None)

        # stream_mode="tools": a LangChain tool run inside a node reports its call
        def on_tool_start(
            self,
            serialized: Any,
            input_str: str,
            *,
            run_id: Any,
            tags: list[str] | None = None,
            inputs: dict[str, Any] | None = None,
            **kwargs: Any,
        ) -> None:
            if tags and _NOSTREAM in tags:
                return
            name = (serialized or {}).get("name") or kwargs.get("name") or ""
            if inputs:  # our ToolRuntime, given to the tool by ToolNode, is not the model's input
                inputs = {k: v for k, v in inputs.items() if not isinstance(v, ToolRuntime)}
            report = ToolCallReport.start(name, kwargs.get("tool_call_id") or str(run_id), inputs)
            if report is not None:
                self.tool_runs[run_id] = report

        def on_tool_end(self, output: Any, *, run_id: Any, **kwargs: Any) -> None:
            report = self.tool_runs.pop(run_id, None)
            if report is not None:
                report.finished(output)

        def on_tool_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
            report = self.tool_runs.pop(run_id, None)
            if report is not None:
                report.failed(error)

    return GraphTokenHandler()


_installed = False
_install_lock = threading.Lock()


def stream_tokens_from_langchain_models() -> None:
    """Attach our token handler to LangChain chat models run inside nodes (once per process)."""
    global _installed
    if _installed:
        return
    from langchain_core.tracers.context import register_configure_hook

    with _install_lock:
        if _installed:
            return
        from langgraph_lite.interop.langchain_events import StreamMessagesHandlerV2

        register_configure_hook(_WhileInNode(_make_handler()), True)  # type: ignore[arg-type]
        register_configure_hook(_WhileInV3Node(StreamMessagesHandlerV2()), True)  # type: ignore[arg-type]
        _installed = True


# -- the adapter create_react_agent calls ---------------------------------------------------------


class LangChainChatModel:
    """A LangChain chat model (or ``Runnable``) behind our chat-model protocol.

    ``invoke(messages, config)`` gives the model LangChain messages and the node's config, and
    returns its reply as it is: LangChain's ``AIMessage``, which the agent keeps.
    """

    def __init__(self, model: Any) -> None:
        accept_ours_in_langchain()
        stream_tokens_from_langchain_models()
        self.model = model

    def __repr__(self) -> str:
        return f"LangChainChatModel({self.model!r})"

    def invoke(self, messages: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Call the model; its reply as it gave it (a LangChain ``AIMessage``)."""
        return self.model.invoke(to_langchain_messages(messages), _config(config), **kwargs)

    async def ainvoke(
        self, messages: Any, config: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        """``invoke`` for async code."""
        return await self.model.ainvoke(to_langchain_messages(messages), _config(config), **kwargs)


def langchain_call(messages: Any, config: Any) -> tuple[list[Any], Any]:
    """Our messages and a node's config, as a LangChain runnable takes them."""
    return to_langchain_messages(messages), _config(config)


def _config(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a node's config LangChain reads: metadata, tags, callbacks, run limits."""
    if not config:
        return None
    out: dict[str, Any] = {}
    for key in ("metadata", "tags", "callbacks", "run_name", "max_concurrency"):
        if config.get(key) is not None:
            out[key] = config[key]
    configurable = config.get("configurable")
    if configurable:
        out["configurable"] = {k: v for k, v in configurable.items() if not k.startswith("__")}
    return out


def install() -> None:
    """Everything a program that uses LangChain needs from us: message coercion, commands
    from tools, and tokens. Called once, the first time messages are converted while
    ``langchain_core`` is loaded."""
    accept_ours_in_langchain()
    let_commands_through_langchain_tools()
    stream_tokens_from_langchain_models()
