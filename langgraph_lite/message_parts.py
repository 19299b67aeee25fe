"""The parts of a message: tool calls (whole, streaming, invalid), and how streamed pieces add
up (content, metadata dicts, tool call chunks, token usage).

The rules are LangChain's (a LangGraph program that sums ``AIMessageChunk``s sees the same
message either way):

- text + text concatenates; text + list puts the text first in the list; list + list appends,
  except that dict blocks carrying the same integer ``index`` (and no conflicting ``id``) are
  merged into one block;
- dict values merge key by key: strings concatenate (``id``-like keys that are equal stay
  once), numbers add (``index``, ``created`` and ``timestamp`` take the newer value), dicts and
  lists merge recursively, a ``None`` is filled by the other side; values of different types
  cannot merge and raise ``TypeError``;
- token usage adds up key by key, nested details included.

``parse_partial_json`` reads the arguments of a tool call that is still streaming.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Literal

from pydantic_core import PydanticUndefined
from typing_extensions import NotRequired, TypedDict

__all__ = [
    "InvalidToolCall",
    "TextAccessor",
    "ToolCall",
    "ToolCallChunk",
    "add_usage",
    "merge_content",
    "merge_dicts",
    "merge_lists",
    "parse_partial_json",
]


# Ids that LangChain-style tooling makes up for a streamed message: a provider's own id wins
# over them when chunks add up, and a run's id over an automatic one.
_AUTO_ID_PREFIX = "lc_"
_RUN_ID_PREFIX = "lc_run-"


class ToolCall(TypedDict):
    """A tool call: ``{"name": str, "args": dict, "id": str | None, "type": "tool_call"}``."""

    name: str
    args: dict[str, Any]
    id: str | None
    type: NotRequired[Literal["tool_call"]]


class ToolCallChunk(TypedDict):
    """A piece of a streaming tool call; pieces with the same ``index`` add up."""

    name: str | None
    args: str | None
    id: str | None
    index: int | None
    type: NotRequired[Literal["tool_call_chunk"]]


class InvalidToolCall(TypedDict):
    """A tool call whose arguments are not a JSON object (kept as the text that came)."""

    type: Literal["invalid_tool_call"]
    id: str | None
    name: str | None
    args: str | None
    error: str | None
    index: NotRequired[int | str]
    extras: NotRequired[dict[str, Any]]


# Keys whose string values are identifiers: equal values are kept once, not concatenated.
_SAME_STRING_KEYS = frozenset({"id", "output_version", "model_provider"})
# Integer keys that name or date a piece rather than count something: the newer value wins.
_LATEST_INT_KEYS = frozenset({"index", "created", "timestamp"})


def merge_content(first: Any, *others: Any) -> Any:
    """The content of several chunks, added up in order."""
    merged = "" if first is None else first
    if isinstance(merged, list):
        merged = list(merged)  # never grow the first chunk's own list
    for piece in others:
        if isinstance(merged, str):
            merged = merged + piece if isinstance(piece, str) else [merged, *piece]
        elif isinstance(piece, list):
            merged = merge_lists(merged, piece)
        elif merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif piece == "":
            continue
        elif merged:
            merged.append(piece)
    return merged


def merge_dicts(left: dict[str, Any], *others: dict[str, Any]) -> dict[str, Any]:
    """``left`` with each of ``others`` merged in, key by key (see the module's rules)."""
    merged = dict(left)
    for right in others:
        for key, new in right.items():
            old: Any = merged.get(key)
            if key not in merged or (old is None and new is not None):
                merged[key] = new
            elif new is None:
                continue
            elif type(old) is not type(new):
                raise TypeError(
                    f'additional_kwargs["{key}"] already exists in this message, but with a '
                    "different type."
                )
            elif isinstance(old, str):
                if key == "index" and old.startswith("lc_"):
                    continue
                if key in _SAME_STRING_KEYS and old == new:
                    continue
                merged[key] = old + new
            elif isinstance(old, dict):
                merged[key] = merge_dicts(old, new)
            elif isinstance(old, list):
                merged[key] = merge_lists(old, new)
            elif old == new:
                continue
            elif isinstance(old, int) and not isinstance(old, bool):
                merged[key] = new if key in _LATEST_INT_KEYS else old + new
            else:
                raise TypeError(
                    f"Additional kwargs key {key} already exists in left dict and value has "
                    f"unsupported type {type(old)}."
                )
    return merged


def _merge_index(item: Any) -> Any:
    """The index a list item merges by, or None when it is simply appended."""
    if not isinstance(item, dict) or "index" not in item:
        return None
    index = item["index"]
    if isinstance(index, int) or (isinstance(index, str) and index.startswith("lc_")):
        return index
    return None


def _ids_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("id") in (None, "") or b.get("id") in (None, "") or a.get("id") == b.get("id")


def merge_lists(left: list[Any] | None, *others: list[Any] | None) -> list[Any] | None:
    """Lists appended in order; dict items with the same ``index`` merge into one."""
    merged = None if left is None else list(left)
    for other in others:
        if other is None:
            continue
        if merged is None:
            merged = list(other)
            continue
        for item in other:
            index = _merge_index(item)
            target = None
            if index is not None:
                target = next(
                    (
                        i
                        for i, old in enumerate(merged)
                        if isinstance(old, dict)
                        and "index" in old
                        and old["index"] == index
                        and _ids_agree(old, item)
                    ),
                    None,
                )
            if target is None:
                merged.append(item)
                continue
            merged[target] = merge_dicts(merged[target], _mergeable_part(merged[target], item))
    return merged


def _mergeable_part(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What of ``new`` merges into ``old``: its ``type`` is the first piece's already."""
    if new.get("type") == "non_standard" and "value" in new and old.get("type"):
        value = {k: v for k, v in new["value"].items() if k != "type"}
        if old["type"] != "non_standard":
            return {"extras": value}
        return {"value": value, "index": new["index"]}
    return {k: v for k, v in new.items() if k != "type"}


def add_usage(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Two token usage reports added up (nested ``*_token_details`` too)."""
    if not left and not right:
        return {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    if not left or not right:
        return dict(left or right or {})
    return _add_counts(left, right)


def _add_counts(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in {**left, **right}:
        a, b = left.get(key, 0), right.get(key, 0)
        if isinstance(a, int) and isinstance(b, int):
            out[key] = a + b
        elif isinstance(left.get(key, {}), dict) and isinstance(right.get(key, {}), dict):
            out[key] = _add_counts(left.get(key, {}), right.get(key, {}))
        else:
            raise ValueError(
                f"Unknown value types: {type(a)}, {type(b)}. Only dict and int values are "
                "supported."
            )
    return out


def parse_partial_json(text: str) -> Any:
    """The JSON value ``text`` starts, closing what is still open (a streaming tool call).

    ``'{"city": "Par'`` gives ``{"city": "Par"}``. Trailing text that cannot be completed is
    dropped (``'{"a": 1, "b'`` gives ``{"a": 1}``). Returns ``None`` when brackets do not
    match; raises ``json.JSONDecodeError`` when nothing of it parses.
    """
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        pass
    closers: list[str] = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            closers.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not closers or closers[-1] != ch:
                return None
            closers.pop()
    body = text
    if in_string:
        body = (body[:-1] if escaped else body) + '"'
    tail = "".join(reversed(closers))
    # The closers stay those of the whole text while its end is trimmed away piece by piece.
    while body:
        try:
            return json.loads(body + tail, strict=False)
        except json.JSONDecodeError as exc:
            # Anything longer still holds the piece the decoder stopped at: cut there.
            body = body[: exc.pos] if exc.pos < len(body) else body[:-1]
    return json.loads(text, strict=False)


# -- tool calls as dicts -----------------------------------------------------------------------------------


def _make_call(name: str, args: dict[str, Any], id: str | None) -> Any:
    return {"name": name, "args": args, "id": id, "type": "tool_call"}


def _call_chunk(name: Any, args: Any, id: Any, index: Any) -> Any:
    return {"name": name, "args": args, "id": id, "index": index, "type": "tool_call_chunk"}


def _invalid_call(name: Any, args: Any, id: Any, error: Any) -> Any:
    return {"name": name, "args": args, "id": id, "error": error, "type": "invalid_tool_call"}


def _tool_call(call: Any) -> dict[str, Any]:
    if not isinstance(call, dict):
        raise TypeError(f"a tool call must be a dict with 'name' and 'args', got {call!r}")
    if "function" in call and "name" not in call:
        # OpenAI's shape: {"id", "type": "function", "function": {"name", "arguments"}}
        fn = call["function"]
        args = fn.get("arguments") or {}
        if isinstance(args, str):
            args = json.loads(args or "{}", strict=False)
        return _make_call(fn["name"], args, call.get("id"))
    missing = [k for k in ("name", "args") if k not in call]
    if missing:
        raise TypeError(
            f"tool call {call!r} lacks {', '.join(map(repr, missing))}. Write it as "
            "{'name': 'search', 'args': {'query': '...'}, 'id': 'call-1'}."
        )
    return _make_call(call["name"], call["args"], call.get("id"))


def _calls_from_openai(raw: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """The tool calls in a provider's raw ``additional_kwargs["tool_calls"]``."""
    calls: list[Any] = []
    invalid: list[Any] = []
    for item in raw:
        if "function" not in item:
            continue
        fn = item["function"]
        try:
            args = json.loads(fn["arguments"])
        except json.JSONDecodeError:
            invalid.append(_invalid_call(fn["name"], fn["arguments"], item.get("id"), None))
            continue
        calls.append(_make_call(fn["name"] or "", args or {}, item.get("id")))
    return calls, invalid


def _chunk_from_openai(item: dict[str, Any]) -> dict[str, Any]:
    fn = item.get("function")
    return _call_chunk(
        fn.get("name") if fn else None,
        fn.get("arguments") if fn else None,
        item.get("id"),
        item.get("index"),
    )


def _call_lines(call: Any) -> list[str]:
    lines = [f"  {call.get('name', 'Tool')} ({call.get('id')})", f" Call ID: {call.get('id')}"]
    if call.get("error"):
        lines.append(f"  Error: {call.get('error')}")
    lines.append("  Args:")
    args = call.get("args")
    if isinstance(args, str):
        lines.append(f"    {args}")
    elif isinstance(args, dict):
        lines.extend(f"    {k}: {v}" for k, v in args.items())
    return lines


# -- shown in repr and pretty_print ----


class TextAccessor(str):
    """The text of a message: a ``str`` that may also be called, as ``message.text()`` once was."""

    __slots__ = ()

    def __call__(self) -> str:
        warnings.warn(
            "Calling .text() as a method is deprecated. Use .text as a property instead "
            "(e.g., message.text).",
            DeprecationWarning,
            stacklevel=2,
        )
        return str(self)


def _title(text: str, *, bold: bool = False) -> str:
    """``text`` centred in a line of 80 ``=`` (an odd leftover goes to the right side)."""
    padded = f" {text} "
    side = (80 - len(padded)) // 2
    if bold:
        padded = f"\033[1m{padded}\033[0m"
    return "=" * side + padded + "=" * (side + len(f" {text} ") % 2)


def _differs_from_default(value: Any, field: Any) -> bool:
    """Whether ``repr`` shows a field: fields with a default factory always show."""
    if field.default_factory is not None or field.default is PydanticUndefined:
        return True
    try:
        return bool(value != field.default)
    except Exception:
        return value is not field.default


def _streamed_id(ids: list[str | None]) -> str | None:
    """The id of added-up chunks: the first real id, else a run's id, else an automatic one."""
    best: str | None = None
    for id_ in ids:
        if not id_:
            continue
        if not id_.startswith(_AUTO_ID_PREFIX):
            return id_
        if best is None or (id_.startswith(_RUN_ID_PREFIX) and not best.startswith(_RUN_ID_PREFIX)):
            best = id_
    return best


# -- turning outputs into messages ----------------------------------------------------------------

# Content blocks a tool may return as is (a list of these is multimodal content, not data).
_BLOCK_TYPES = (  # LangChain's, in its order (langgraph's ToolNode checks the same)
    "text",
    "image_url",
    "image",
    "json",
    "search_result",
    "custom_tool_call_output",
    "document",
    "file",
)
TOOL_MESSAGE_BLOCK_TYPES = _BLOCK_TYPES


def tool_output_content(output: Any) -> str | list[Any]:
    """What a ``ToolMessage`` carries for a tool's return value.

    Text stays text, a list of content blocks stays a list; anything else becomes JSON when it
    can (``{"a": 1}`` → ``'{"a": 1}'``), else its ``str()``.
    """
    if isinstance(output, str):
        return output
    if isinstance(output, list) and all(
        isinstance(b, dict) and b.get("type") in _BLOCK_TYPES for b in output
    ):  # an empty list too, as LangChain
        return output
    try:
        return json.dumps(output, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(output)


# The class names of LangChain's serialised form ({"lc": 1, "type": "constructor", ...}).
_SERIALISED_NAMES = {
    f"{name}{chunk}": role
    for name, role in (
        ("HumanMessage", "human"),
        ("AIMessage", "ai"),
        ("SystemMessage", "system"),
        ("ToolMessage", "tool"),
    )
    for chunk in ("", "Chunk")
} | {"RemoveMessage": "remove"}
