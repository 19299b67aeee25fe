"""The chat-completions wire format, as pure functions (no I/O, no ``openai`` import).

``request_messages`` turns our messages into the request's ``messages``; ``tool_spec`` a tool
into a ``tools`` entry; ``StreamAssembler`` takes the streamed chunks (as dicts, one per
server-sent event) and gives our ``AIMessageChunk`` for each and, at the end, the whole
``AIMessage``: text joined, tool calls assembled from their argument deltas (by ``index``),
arguments parsed as JSON (a call whose arguments do not parse goes to ``invalid_tool_calls``
with the parse error, as LangChain does), finish reason, model name and token usage kept.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pydantic

from langgraph_lite.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    convert_to_messages,
)

__all__ = ["StreamAssembler", "StreamIncomplete", "request_messages", "tool_spec"]


# -- requests -------------------------------------------------------------------------------------


def request_messages(messages: Any) -> list[dict[str, Any]]:
    """The ``messages`` of a chat-completions request, from ours (or anything we coerce)."""
    out: list[dict[str, Any]] = []
    for m in convert_to_messages(messages):
        if isinstance(m, SystemMessage):
            out.append({"role": "system", "content": m.content})
        elif isinstance(m, HumanMessage):
            entry: dict[str, Any] = {"role": "user", "content": m.content}
            if m.name:
                entry["name"] = m.name
            out.append(entry)
        elif isinstance(m, AIMessage):
            entry = {"role": "assistant", "content": m.content or None}
            if m.tool_calls:
                entry["tool_calls"] = [
                    {
                        "id": call.get("id"),
                        "type": "function",
                        "function": {
                            "name": call["name"],
                            "arguments": json.dumps(call.get("args") or {}),
                        },
                    }
                    for call in m.tool_calls
                ]
            out.append(entry)
        elif isinstance(m, ToolMessage):
            out.append({"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content})
        elif isinstance(m, BaseMessage) and m.type == "remove":
            continue
        else:
            raise TypeError(
                f"cannot send {type(m).__name__} {m!r} to a chat-completions server: it takes "
                "system, human, ai and tool messages."
            )
    return out


def tool_spec(tool: Any) -> dict[str, Any]:
    """A ``tools`` entry: from a ``Tool``, a LangChain tool, a function, a pydantic model or a dict."""
    if isinstance(tool, dict):
        return tool
    if isinstance(tool, type) and issubclass(tool, pydantic.BaseModel):
        schema = tool.model_json_schema()
        return {
            "type": "function",
            "function": {
                "name": tool.__name__,
                "description": schema.pop("description", "") or "",
                "parameters": {k: v for k, v in schema.items() if k != "title"},
            },
        }
    if _is_langchain_tool(tool):
        from langgraph_lite.interop.langchain_tools import LangChainTool

        tool = LangChainTool(tool)
    original = getattr(tool, "langchain_tool", None)
    if original is not None and not getattr(tool, "_injected", None):
        from langchain_core.utils.function_calling import convert_to_openai_tool as lc_convert

        return lc_convert(original)  # LangChain's own view of its tool
    from langgraph_lite.tools import convert_to_openai_tool

    return convert_to_openai_tool(tool)


def _is_langchain_tool(tool: Any) -> bool:
    from langgraph_lite.interop.langchain import is_langchain_tool

    return is_langchain_tool(tool)


# -- responses ------------------------------------------------------------------------------------


class StreamIncomplete(Exception):
    """The stream ended before the server said the reply was finished (no ``finish_reason``)."""


class StreamAssembler:
    """Turns streamed chat-completion chunks into our chunks, then into the whole message."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.id: str | None = None
        self.text: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}  # index -> {"id", "name", "args"}
        self.finish_reason: str | None = None
        self.model_name: str | None = None
        self.usage: dict[str, Any] | None = None
        self.chunks = 0

    def feed(self, data: dict[str, Any]) -> AIMessageChunk | None:
        """One server chunk; our chunk for it (None when it carries nothing to show)."""
        self.chunks += 1
        if self.id is None:
            self.id = str(data.get("id") or f"run-{uuid.uuid4()}")
        self.model_name = data.get("model") or self.model_name
        usage = data.get("usage")
        if usage:
            self.usage = _usage(usage)
        choices = data.get("choices") or []
        if not choices:
            if usage:
                return AIMessageChunk(content="", id=self.id, usage_metadata=self.usage)
            return None
        choice = choices[0]
        delta = choice.get("delta") or {}
        text = delta.get("content") or ""
        pieces: list[Any] = []
        for call in delta.get("tool_calls") or []:
            index = int(call.get("index") or 0)
            fn = call.get("function") or {}
            slot = self.calls.setdefault(index, {"id": None, "name": "", "args": ""})
            slot["id"] = slot["id"] or call.get("id")
            slot["name"] += fn.get("name") or ""
            slot["args"] += fn.get("arguments") or ""
            pieces.append(
                {
                    "name": fn.get("name"),
                    "args": fn.get("arguments"),
                    "id": call.get("id"),
                    "index": index,
                    "type": "tool_call_chunk",
                }
            )
        metadata: dict[str, Any] = {}
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
            metadata = {"finish_reason": self.finish_reason, "model_name": self.model_name}
        if text:
            self.text.append(text)
        if not (text or pieces or metadata):
            return None
        return AIMessageChunk(
            content=text,
            id=self.id,
            tool_call_chunks=pieces,
            response_metadata=metadata,
            usage_metadata=self.usage if usage else None,
        )

    def message(self) -> AIMessage:
        """The whole reply; raises ``StreamIncomplete`` if the server never finished it."""
        if self.finish_reason is None:
            raise StreamIncomplete(
                f"the stream ended after {self.chunks} chunk(s) without a finish_reason"
            )
        calls: list[Any] = []
        invalid: list[Any] = []
        for index in sorted(self.calls):
            slot = self.calls[index]
            try:
                args = json.loads(slot["args"]) if slot["args"].strip() else {}
                if not isinstance(args, dict):
                    raise ValueError(f"arguments are a {type(args).__name__}, not an object")
            except ValueError as exc:
                invalid.append(
                    {
                        "name": slot["name"],
                        "args": slot["args"],
                        "id": slot["id"],
                        "error": f"the arguments are not a JSON object ({exc})",
                        "type": "invalid_tool_call",
                    }
                )
                continue
            calls.append({"name": slot["name"], "args": args, "id": slot["id"]})
        return AIMessage(
            content="".join(self.text),
            id=self.id,
            tool_calls=calls,
            invalid_tool_calls=invalid,
            response_metadata={
                "finish_reason": self.finish_reason,
                "model_name": self.model_name,
                "model_provider": "openai",
            },
            usage_metadata=self.usage,
        )


def _usage(usage: dict[str, Any]) -> dict[str, Any]:
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    return {
        "input_tokens": prompt,
        "output_tokens": completion,
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
    }
