"""The payloads of the ``tasks``, ``checkpoints`` and ``debug`` stream modes, shaped as LangGraph's.

Pure functions of a task or a checkpoint; ``Output`` decides when each is emitted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from langgraph_lite.pregel.checkpointing import read_task_statuses
from langgraph_lite.pregel.task_results import shown_result, task_result

__all__ = [
    "checkpoint_payload",
    "debug_event",
    "task_result_payload",
    "task_start_payload",
]


def task_start_payload(task: Any) -> dict[str, Any]:
    """``tasks`` mode: a task is about to run; ``metadata`` (as LangGraph) holds what the user
    gave (the run's and the node's metadata, the tags), when there is any."""
    payload = {
        "id": task.id,
        "name": task.name,
        "input": _node_input(task),
        "triggers": tuple(task.triggers),
    }
    config = task.config or {}
    metadata = {k: v for k, v in (config.get("metadata") or {}).items() if k not in _OURS}
    tags = [t for t in config.get("tags") or () if not t.startswith("seq:step")]
    if tags:
        metadata["tags"] = tags
    if metadata:
        payload["metadata"] = metadata
    return payload


# The metadata keys the engine itself puts in a task's config (redundant with the task's fields).
_OURS = frozenset(
    ("thread_id", "checkpoint_id", "checkpoint_ns", "checkpoint_map", "langgraph_step",
     "langgraph_node", "langgraph_triggers", "langgraph_path", "langgraph_checkpoint_ns")
)  # fmt: skip


def task_result_payload(
    task: Any, result: Any, error: BaseException | None = None, interrupts: Any = ()
) -> dict[str, Any]:
    """``tasks`` mode: a task ended (``result`` is what it wrote to the stream channels).

    Its interrupts are plain dicts (``value``, ``id``, ``response_schema``), as LangGraph's.
    """
    return {
        "id": task.id,
        "name": task.name,
        "error": error,
        "result": result,
        "interrupts": [dataclasses.asdict(i) for i in interrupts],
    }


def _node_input(task: Any) -> Any:
    """What the task's node is given: as LangGraph, the state as its schema's object (a
    dataclass or pydantic state, with its defaults), not the channels' dict."""
    mapper = getattr(getattr(task, "node", None), "mapper", None)
    if mapper is None:
        return task.input
    try:
        return mapper(task.input, task)
    except Exception:  # (an input the schema refuses: the node reports it as it runs)
        return task.input


def checkpoint_payload(
    config: dict[str, Any],
    parent_config: dict[str, Any] | None,
    values: Any,
    metadata: dict[str, Any],
    next_tasks: list[Any],
    pending_writes: Iterable[tuple[str, str, Any]] = (),
    stream_keys: str | Sequence[str] = (),
) -> dict[str, Any]:
    """``checkpoints`` mode: a checkpoint was saved (or a run resumes from it, with its
    ``pending_writes``); the shape of ``get_state``. As LangGraph, a task with saved writes
    shows its error, or its result (its writes to ``stream_keys``) and questions."""
    statuses = read_task_statuses(pending_writes) if pending_writes else {}
    tasks = []
    for t in next_tasks:
        entry: dict[str, Any] = {"id": t.id, "name": t.name}
        status = statuses.get(t.id)
        if status is not None and status.error is not None:
            entry["error"] = status.error
        else:
            writes = status.output if status is not None else ()
            if result := shown_result(task_result(writes, {c for c, _ in writes}), stream_keys):
                entry["result"] = result
            asked = status.interrupts if status is not None else ()
            entry["interrupts"] = tuple(dataclasses.asdict(i) for i in asked)
        entry["state"] = _subgraph_state(t, config)
        tasks.append(entry)
    return {
        "config": config,
        "parent_config": parent_config,
        "values": values,
        "metadata": metadata,
        "next": [t.name for t in next_tasks],
        "tasks": tasks,
    }


def _subgraph_state(task: Any, config: dict[str, Any]) -> dict[str, Any] | None:
    """As LangGraph: a task that runs a subgraph points at the subgraph's checkpoints."""
    node = getattr(task, "node", None)
    if node is None or not node.subgraphs:
        return None
    configurable = config.get("configurable") or {}
    ns = configurable.get("checkpoint_ns") or ""
    own = f"{task.name}:{task.id}"
    return {
        "configurable": {
            "thread_id": configurable.get("thread_id"),
            "checkpoint_ns": f"{ns}|{own}" if ns else own,
        }
    }


def debug_event(step: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``debug`` mode: any of the above, with its step, a timestamp and its type."""
    return {
        "step": step,
        "timestamp": datetime.now(timezone.utc).isoformat(),
        "type": kind,
        "payload": payload,
    }
