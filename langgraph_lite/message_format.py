"""Messages rewritten in OpenAI's chat format, for ``add_messages(format="langchain-openai")``.

Each message becomes what OpenAI's chat API takes and is read back: content is a string when
it is all text (blocks joined by newlines), else ``text`` and ``image_url`` blocks; Anthropic's
image blocks (``{"type": "image", "source": {...}}``) and standard image data blocks become
``image_url`` blocks with a data or plain URL; ``tool_use`` blocks in an assistant message
become its tool calls; ``tool_result`` blocks in a user message become ``ToolMessage``s of
their own; ``json`` blocks become text. Other blocks are kept as they are. As in LangGraph,
the messages that come back have no ids (``add_messages`` gives them new ones next time).
"""

from __future__ import annotations

import json
from typing import Any

from langgraph_lite.messages import (
    AIMessage,
    BaseMessage,
    SystemMessage,
    ToolMessage,
    convert_to_messages,
)

__all__ = ["to_openai_format"]

_ROLE = {"ai": "assistant", "human": "user", "tool": "tool", "remove": "remove"}


def to_openai_format(messages: list[BaseMessage]) -> list[BaseMessage]:
    """``messages`` as OpenAI would send them back (see the module docstring)."""
    out: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        out.extend(_as_openai(message, i))
    return convert_to_messages(out)


def _role(message: BaseMessage) -> str:
    if isinstance(message, SystemMessage):
        return str(message.additional_kwargs.get("__openai_role__", "system"))
    return _ROLE.get(message.type, message.type)


def _openai_calls(calls: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "id": c["id"],
            "function": {"name": c["name"], "arguments": json.dumps(c["args"], ensure_ascii=False)},
        }
        for c in calls
    ]


def _bad_block(i: int, j: int, block: Any, problem: str) -> ValueError:
    return ValueError(
        f"Unrecognized content block at messages[{i}].content[{j}] {problem}. Full content "
        f"block:\n\n{block}"
    )


def _as_openai(message: BaseMessage, i: int) -> list[dict[str, Any]]:
    """One message as OpenAI dicts: itself, then the tool results it carried (if any)."""
    oai: dict[str, Any] = {"role": _role(message)}
    if message.name:
        oai["name"] = message.name
    if isinstance(message, AIMessage) and message.tool_calls:
        oai["tool_calls"] = _openai_calls(message.tool_calls)
    if message.additional_kwargs.get("refusal"):
        oai["refusal"] = message.additional_kwargs["refusal"]
    if isinstance(message, ToolMessage):
        oai["tool_call_id"] = message.tool_call_id
    results: list[dict[str, Any]] = []
    content: Any
    if not message.content:
        content = ""
    elif isinstance(message.content, str):
        content = message.content
    elif all(isinstance(b, str) or b.get("type") == "text" for b in message.content):
        content = "\n".join(b if isinstance(b, str) else b["text"] for b in message.content)
    else:
        content = []
        for j, block in enumerate(message.content):
            content.extend(_blocks(message, oai, results, block, i, j))
        if all(b.get("type") == "text" for b in content):
            content = "\n".join(b["text"] for b in content)
    oai["content"] = content
    if message.content and not content and results:
        return results  # a message that only carried tool results is replaced by them
    return [oai, *results]


def _blocks(
    message: BaseMessage,
    oai: dict[str, Any],
    results: list[dict[str, Any]],
    block: Any,
    i: int,
    j: int,
) -> list[dict[str, Any]]:
    """The OpenAI blocks for one content block (none when it moved to tool calls/results)."""
    if isinstance(block, str):
        return [{"type": "text", "text": block}]
    kind = block.get("type")
    if kind == "text":
        if "text" not in block:
            raise _bad_block(
                i, j, block, "has 'type': 'text' but is missing expected key(s) ['text']"
            )
        return [{"type": "text", "text": block["text"]}]
    if kind == "image_url":
        if "image_url" not in block:
            raise _bad_block(
                i, j, block, "has 'type': 'image_url' but is missing expected key(s) ['image_url']"
            )
        return [{"type": "image_url", "image_url": block["image_url"]}]
    if kind == "image" and "source" in block:
        source = block["source"]
        missing = [k for k in ("media_type", "type", "data") if k not in source]
        if missing:
            raise _bad_block(
                i,
                j,
                block,
                f"has 'type': 'image' but 'source' is missing expected key(s) {missing}",
            )
        url = f"data:{source['media_type']};{source['type']},{source['data']}"
        return [{"type": "image_url", "image_url": {"url": url}}]
    if kind == "image" and ("url" in block or "base64" in block):
        url = (
            block.get("url")
            or f"data:{block.get('mime_type', 'image/png')};base64,{block['base64']}"
        )
        return [{"type": "image_url", "image_url": {"url": url}}]
    if kind == "tool_use":
        missing = [k for k in ("id", "name", "input") if k not in block]
        if missing:
            raise _bad_block(
                i, j, block, f"has 'type': 'tool_use', but is missing expected key(s) {missing}"
            )
        known = isinstance(message, AIMessage) and any(
            c["id"] == block["id"] for c in message.tool_calls
        )
        if not known:
            call = {"name": block["name"], "args": block["input"], "id": block["id"]}
            oai.setdefault("tool_calls", []).extend(_openai_calls([call]))
        return []
    if kind == "tool_result":
        missing = [k for k in ("content", "tool_use_id") if k not in block]
        if missing:
            raise _bad_block(
                i, j, block, f"has 'type': 'tool_result', but is missing expected key(s) {missing}"
            )
        result = ToolMessage(
            content=block["content"],
            tool_call_id=block["tool_use_id"],
            status="error" if block.get("is_error") else "success",
        )
        results.extend(_as_openai(result, i))
        return []
    if kind == "json" or "json" in block:
        if "json" not in block:
            raise _bad_block(i, j, block, "has 'type': 'json' but does not have a 'json' key")
        return [{"type": "text", "text": json.dumps(block["json"])}]
    if kind == "refusal":
        return [{"type": "refusal", "refusal": block["refusal"]}] if block.get("refusal") else []
    return [block]  # reasoning, files, audio and provider blocks go through unchanged
