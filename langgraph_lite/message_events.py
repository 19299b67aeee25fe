"""Chat messages as protocol events: what a v3 run streams in place of chunks.

A v3 run (``stream_events(version="v3")``) does not stream a chat model's ``AIMessageChunk``s;
it streams each message's life as events, the shape LangChain's ``chat_model_stream``
protocol defines (and LangGraph streams for a LangChain model)::

    {"event": "message-start", "role": "ai", "id": "run-1"}
    {"event": "content-block-start", "index": 0, "content": {"type": "text", "text": ""}}
    {"event": "content-block-delta", "index": 0, "delta": {"type": "text-delta", "text": "hel"}}
    {"event": "content-block-delta", "index": 0, "delta": {"type": "text-delta", "text": "lo"}}
    {"event": "content-block-finish", "index": 0, "content": {"type": "text", "text": "hello"}}
    {"event": "message-finish", "usage": {...}, "metadata": {"finish_reason": "stop"}}

A message is made of blocks: text, reasoning (``additional_kwargs["reasoning_content"]``),
tool calls. Each block is numbered (``index``) in the order it first appears. While a message
streams, a tool call is a ``tool_call_chunk`` whose ``args`` grow as partial JSON; when the
message finishes it becomes a ``tool_call`` with parsed ``args`` (or an ``invalid_tool_call``
when they do not parse). ``MessageEvents`` turns the chunks of one message into these events
as they come; ``message_events`` replays a finished message the same way, in one go.

This module needs nothing but our messages; a test checks it against LangChain's own bridge.
"""

from __future__ import annotations

import json
from typing import Any

from langgraph_lite.message_parts import merge_dicts

__all__ = ["MessageEvents", "message_events"]

Event = dict[str, Any]


def _blocks(message: Any, streaming: bool) -> list[tuple[Any, dict[str, Any]]]:
    """``(key, block)`` for each block of ``message`` (a chunk's blocks are slices).

    The key is the block's identity across chunks: its ``index`` when it has one, else its
    type and position (so a reasoning slice and a text slice at position 0 stay apart).
    """
    raw: list[dict[str, Any]] = []
    reasoning = (message.additional_kwargs or {}).get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        raw.append({"type": "reasoning", "reasoning": reasoning})
    content = message.content
    if isinstance(content, str):
        if content:
            raw.append({"type": "text", "text": content})
    else:
        for part in content:
            if isinstance(part, str):
                if part:
                    raw.append({"type": "text", "text": part})
            elif isinstance(part, dict) and part.get("type") in ("text", "reasoning"):
                raw.append(dict(part))
    if streaming:
        for piece in getattr(message, "tool_call_chunks", None) or ():
            block = {"type": "tool_call_chunk", "id": piece.get("id"), "name": piece.get("name")}
            block["args"] = piece.get("args")
            if piece.get("index") is not None:
                block["index"] = piece["index"]
            raw.append(block)
    else:
        for call in getattr(message, "tool_calls", None) or ():
            raw.append({"type": "tool_call", "id": call.get("id"), "name": call["name"],
                        "args": call.get("args", {})})  # fmt: skip
        for bad in getattr(message, "invalid_tool_calls", None) or ():
            block = {"type": "invalid_tool_call"}
            block.update(
                {k: bad[k] for k in ("id", "name", "args", "error") if bad.get(k) is not None}
            )
            raw.append(block)
    keyed = []
    for position, block in enumerate(raw):
        index = block.get("index")
        keyed.append(
            (("unindexed", block.get("type"), position) if index is None else index, block)
        )
    return keyed


def _skeleton(block: dict[str, Any]) -> dict[str, Any]:
    """What ``content-block-start`` says of a block: its kind and identity, no content yet."""
    kind = block.get("type")
    if kind == "text":
        out = {k: v for k, v in block.items() if k not in ("text", "index", "annotations")}
        out["text"] = ""
        return out
    if kind == "reasoning":
        out = {k: v for k, v in block.items() if k not in ("reasoning", "index")}
        out["reasoning"] = ""
        return out
    if kind == "tool_call_chunk":
        out = {"type": kind, "id": block.get("id"), "name": block.get("name"), "args": ""}
        if block.get("index") is not None:
            out["index"] = block["index"]
        return out
    out = {k: v for k, v in block.items() if k not in ("args", "data", "output", "value")}
    if kind == "tool_call":
        out["args"] = {}
    return out


def _delta(block: dict[str, Any]) -> dict[str, Any] | None:
    """The ``content-block-delta`` payload of a slice, or None when it adds nothing."""
    kind = block.get("type")
    if kind == "text":
        return {"type": "text-delta", "text": block["text"]} if block.get("text") else None
    if kind == "reasoning":
        if not block.get("reasoning"):
            return None
        return {"type": "reasoning-delta", "reasoning": block["reasoning"]}
    if kind == "tool_call_chunk":
        return {"type": "tool-call-delta", "args": block["args"]} if block.get("args") else None
    return None


def _grow(state: dict[str, Any], piece: dict[str, Any]) -> None:
    """Add a later slice of a block to what was accumulated of it."""
    kind = state.get("type")
    if kind in ("text", "reasoning") and piece.get("type") == kind:
        state[kind] = state.get(kind, "") + piece.get(kind, "")
        for key, value in piece.items():
            if key not in ("type", kind) and value is not None:
                state[key] = value
    elif kind == "tool_call_chunk" and piece.get("type") == kind:
        state["args"] = (state.get("args") or "") + (piece.get("args") or "")
        for key in ("id", "name"):
            if piece.get(key) is not None:
                state[key] = piece[key]
    else:  # a block that comes whole: the latest wins
        state.clear()
        state.update(piece)


def _finished(block: dict[str, Any]) -> dict[str, Any]:
    """A block as ``content-block-finish`` reports it: a tool call's args parsed."""
    if block.get("type") != "tool_call_chunk":
        return block
    extras = {k: v for k, v in block.items()
              if k not in ("type", "id", "name", "args", "index") and v is not None}  # fmt: skip
    raw = block.get("args") or "{}"
    try:
        args = json.loads(raw)
    except (ValueError, TypeError):
        return {"type": "invalid_tool_call", "id": block.get("id"), "name": block.get("name"),
                "args": raw, "error": "Failed to parse tool call arguments as JSON", **extras}  # fmt: skip
    return {"type": "tool_call", "id": block.get("id") or "", "name": block.get("name") or "",
            "args": args, **extras}  # fmt: skip


def _start(message: Any, message_id: str | None) -> Event:
    event: Event = {"event": "message-start", "role": "ai", "id": message_id or message.id or ""}
    meta = message.response_metadata or {}
    hints = {}
    if "model_provider" in meta:
        hints["provider"] = meta["model_provider"]
    if "model_name" in meta:
        hints["model"] = meta["model_name"]
    if hints:
        event["metadata"] = hints
    return event


def _finish(usage: Any, metadata: dict[str, Any], extra_kwargs: dict[str, Any]) -> Event:
    event: Event = {"event": "message-finish"}
    if usage:
        event["usage"] = _copy_usage(usage)
    if metadata:
        event["metadata"] = dict(metadata)
    if extra_kwargs:
        event["additional_kwargs"] = dict(extra_kwargs)
    return event


def _copy_usage(usage: dict[str, Any]) -> dict[str, Any]:
    out = dict(usage)
    for key in ("input_token_details", "output_token_details"):
        if isinstance(out.get(key), dict):
            out[key] = dict(out[key])
    return out


def _add_usage(total: dict[str, Any] | None, more: dict[str, Any]) -> dict[str, Any]:
    total = {} if total is None else total
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        if key in more:
            total[key] = total.get(key, 0) + more[key]
    for key in ("input_token_details", "output_token_details"):
        if more.get(key):
            total[key] = {**total.get(key, {}), **more[key]}
    return total


class MessageEvents:
    """The events of one message streamed chunk by chunk: ``chunk()`` for each, then ``finish()``.

    ``message_id`` overrides the chunks' id on ``message-start``. Each call returns the events
    it makes, in order; after ``finish()`` the message is done and further calls raise.
    """

    def __init__(self, message_id: str | None = None) -> None:
        """Start an empty message (nothing is emitted until its first chunk)."""
        self.message_id = message_id
        self.started = False
        self.done = False
        # block key -> (wire index, what it holds so far); insertion order = wire order
        self._blocks: dict[Any, tuple[int, dict[str, Any]]] = {}
        self._usage: dict[str, Any] | None = None
        self._metadata: dict[str, Any] = {}
        self._extra_kwargs: dict[str, Any] = {}

    def chunk(self, chunk: Any) -> list[Event]:
        """The events ``chunk`` (an ``AIMessageChunk``) adds to the message."""
        if self.done:
            raise RuntimeError(
                f"message {self.message_id or chunk.id!r} already finished; a chunk after "
                "message-finish belongs to a new message: start a new MessageEvents"
            )
        events: list[Event] = []
        if chunk.response_metadata:
            self._metadata.update(chunk.response_metadata)
        if chunk.additional_kwargs:
            self._extra_kwargs = merge_dicts(self._extra_kwargs, chunk.additional_kwargs)
        if not self.started:
            self.started = True
            events.append(_start(chunk, self.message_id))
        for key, piece in _blocks(chunk, streaming=True):
            if key not in self._blocks:
                index = len(self._blocks)
                self._blocks[key] = (index, dict(piece))
                events.append({"event": "content-block-start", "index": index,
                               "content": _skeleton(piece)})  # fmt: skip
            else:
                index, state = self._blocks[key]
                _grow(state, piece)
            delta = _delta(piece)
            if delta is not None:
                events.append({"event": "content-block-delta", "index": index, "delta": delta})
        if chunk.usage_metadata:
            self._usage = _add_usage(self._usage, chunk.usage_metadata)
        return events

    def finish(self) -> list[Event]:
        """The events that end the message (none if no chunk ever came)."""
        if self.done or not self.started:
            self.done = True
            return []
        self.done = True
        events: list[Event] = [
            {"event": "content-block-finish", "index": index, "content": _finished(block)}
            for index, block in self._blocks.values()
        ]
        events.append(_finish(self._usage, self._metadata, self._extra_kwargs))
        return events


def message_events(message: Any, message_id: str | None = None) -> list[Event]:
    """A finished message's whole life as events, as if it had streamed in one piece.

    Text and reasoning get one delta with all their text; a tool call, already whole, gets
    none: its ``content-block-finish`` carries it.
    """
    events: list[Event] = [_start(message, message_id)]
    for index, (_key, block) in enumerate(_blocks(message, streaming=False)):
        events.append({"event": "content-block-start", "index": index, "content": _skeleton(block)})
        delta = _delta(block)
        if delta is not None:
            events.append({"event": "content-block-delta", "index": index, "delta": delta})
        events.append({"event": "content-block-finish", "index": index, "content": block})
    events.append(
        _finish(getattr(message, "usage_metadata", None), message.response_metadata or {}, {})
    )
    return events
