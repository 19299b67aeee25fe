"""Running one node by itself — its input coercion, body and retries, no graph around it.

``graph.nodes["name"].invoke(state)`` uses this.
"""

from __future__ import annotations

from typing import Any

from langgraph_lite.pregel.algo import Task
from langgraph_lite.pregel.runner import _arun_task, _run_task

__all__ = ["arun_node_alone", "run_node_alone"]


class _Alone:
    """Stands in for a run when one node runs by itself (``graph.nodes["x"].invoke(state)``)."""

    def __init__(self, config: Any, writer: Any) -> None:
        from langgraph_lite.types import _drop_writes

        self.config = dict(config or {})
        self.config.setdefault("recursion_limit", 25)
        self.recursion_limit = self.config["recursion_limit"]
        self.stop = self.recursion_limit  # managed values (RemainingSteps) read it
        self.run_id = "alone"
        self.writer = writer or _drop_writes
        self.channels: dict[str, Any] = {}
        self.checkpoint_ns = ""

    def interrupt(self, task: Task, value: Any) -> Any:
        """A node run alone that asks a question stops with it (there is no one to answer)."""
        from langgraph_lite.errors import GraphInterrupt
        from langgraph_lite.types import Interrupt

        raise GraphInterrupt((Interrupt(value=value, id=f"{task.name}:{task.interrupt_index}"),))


def _alone_task(node: Any, input: Any, config: Any, writer: Any) -> Task:
    return Task(node.name or "node", node, input, node.triggers, 0, _Alone(config, writer))


def run_node_alone(node: Any, input: Any, config: Any = None, writer: Any = None) -> Any:
    """Run ``node``'s reads, body and retries on ``input``; return what the body returned."""
    return _run_task(_alone_task(node, input, config, writer), alone=True)


async def arun_node_alone(node: Any, input: Any, config: Any = None, writer: Any = None) -> Any:
    """``run_node_alone`` for async nodes (and sync ones, in a worker thread)."""
    return await _arun_task(_alone_task(node, input, config, writer), alone=True)
