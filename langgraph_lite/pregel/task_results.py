"""What the ``tasks`` and ``debug`` streams report as a finished task's result."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

__all__ = ["shown_result", "task_result"]


class _Writes(dict[str, Any]):
    """A channel's several writes in a task result, told apart from a dict a node wrote."""


def task_result(writes: Iterable[tuple[str, Any]], keys: Collection[str]) -> dict[str, Any]:
    """The task's writes to ``keys``, by channel; a channel written more than once (a list of
    Commands) gives ``{"$writes": [each value]}``, as LangGraph reports it."""
    result: dict[str, Any] = {}
    for c, v in writes:
        if c not in keys:
            continue
        if c not in result:
            result[c] = v
        elif isinstance(seen := result[c], _Writes):
            seen["$writes"].append(v)
        else:
            result[c] = _Writes({"$writes": [seen, v]})
    return {c: dict(v) if isinstance(v, _Writes) else v for c, v in result.items()}


def shown_result(result: dict[str, Any] | None, keys: Any) -> Any:
    """What a finished task's snapshot shows it wrote: its writes to the stream channels (the
    value itself when the graph streams one channel, as LangGraph shows it)."""
    if result is None:
        return None
    if isinstance(keys, str):
        return result.get(keys)
    return {k: v for k, v in result.items() if k in keys}
