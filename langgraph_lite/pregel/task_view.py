"""What a task's node sees of its run: its config and its runtime.

Built only when the node asks (``Task.config`` caches the config; the runtime is built per
call, so each attempt sees its own number).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from langgraph_lite.runtime import ExecutionInfo, Runtime, ServerInfo

__all__ = ["server_info", "task_config", "task_runtime"]


def task_config(task: Any) -> dict[str, Any]:
    """The config ``task``'s node sees (``get_config()`` and an injected ``config``)."""
    base: Mapping[str, Any] = task.run.config
    node = task.node
    metadata = {
        **base.get("metadata", {}),
        **node.metadata,
        "langgraph_step": task.step,
        "langgraph_node": task.name,
        "langgraph_triggers": tuple(task.triggers),
        "langgraph_path": task.shown_path,
        "langgraph_checkpoint_ns": task.checkpoint_ns,
    }
    configurable = {
        **base.get("configurable", {}),
        "checkpoint_ns": task.checkpoint_ns,
        # the run's checkpoint_id names its own checkpoint, not one a subgraph has
        "checkpoint_id": None,
    }
    persistence = getattr(task.run, "persistence", None)
    if persistence is not None and persistence.active:
        # the checkpoint of each enclosing graph this task runs from, by namespace
        # (a subgraph records it as its checkpoints' "parents")
        configurable["checkpoint_map"] = {
            **(configurable.get("checkpoint_map") or {}),
            getattr(task.run, "checkpoint_ns", ""): persistence.run_id,
        }
    return {
        **base,
        "tags": [*base.get("tags", []), *node.tags],
        "metadata": metadata,
        "configurable": configurable,
        "callbacks": base.get("callbacks"),
    }


def task_runtime(task: Any) -> Runtime[Any]:
    """What ``task``'s node gets as ``runtime``: context, store, stream writer, the run's
    control, where it runs (``execution_info``) and what a server said (``server_info``).

    ``node_first_attempt_time`` is taken when the task first builds its runtime, which its
    node does as its first attempt starts.
    """
    run = task.run
    first = getattr(task, "first_attempt_time", None)
    if first is None:
        first = task.first_attempt_time = time.time()
    config = task.config
    configurable = config.get("configurable") or {}
    persistence = getattr(run, "persistence", None)
    active = persistence is not None and persistence.active
    run_id = config.get("run_id")
    info = ExecutionInfo(
        checkpoint_id=str(getattr(persistence, "run_id", "") or ""),
        checkpoint_ns=task.checkpoint_ns,
        task_id=task.id,
        thread_id=configurable.get("thread_id") if active else None,
        run_id=str(run_id) if run_id else None,
        node_attempt=getattr(task, "attempt", 1),
        node_first_attempt_time=first,
    )
    return Runtime(
        context=getattr(run, "context", None), store=getattr(run, "store", None),
        stream_writer=task.writer, control=getattr(run, "control", None),
        execution_info=info, server_info=server_info(configurable),
    )  # fmt: skip


def server_info(configurable: Mapping[str, Any]) -> ServerInfo | None:
    """What LangGraph's server put in the configurable: ``assistant_id``, ``graph_id`` and
    the authenticated user (``langgraph_auth_user``, anything with an ``identity``); None
    when it put none of them (a run outside a server)."""
    assistant_id = configurable.get("assistant_id")
    graph_id = configurable.get("graph_id")
    user = configurable.get("langgraph_auth_user")
    if user is not None and not hasattr(user, "identity"):
        user = None
    if assistant_id is None and graph_id is None and user is None:
        return None
    return ServerInfo(
        assistant_id=str(assistant_id) if assistant_id else "",
        graph_id=str(graph_id) if graph_id else "",
        user=user,
    )
