"""LangGraph's ``langgraph.pregel.debug`` helpers, for programs that shape task events themselves.

The engine shapes its ``tasks`` / ``debug`` chunks in ``pregel.output``; this module gives the
same payloads under LangGraph's names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from langgraph_lite.constants import TAG_HIDDEN
from langgraph_lite.pregel.output import task_start_payload

__all__ = ["map_debug_tasks"]


def map_debug_tasks(tasks: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """The ``task`` payload of each task (``id``, ``name``, ``input``, ``triggers`` and, when the
    user gave any, ``metadata`` with the tags folded in), leaving out hidden tasks."""
    for task in tasks:
        config = getattr(task, "config", None) or {}
        if TAG_HIDDEN in (config.get("tags") or ()):
            continue
        yield task_start_payload(task)
