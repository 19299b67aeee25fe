"""Three more one-mode copies, for the stream modes a v3 run does not read by default:
``checkpoints`` (each saved checkpoint, as ``get_state`` shows it), ``debug`` (step-level
checkpoint and task events) and ``tasks`` (each task's start and result).

They are opt-in: pass them to ``compile(transformers=[...])`` or to ``stream_events``, and the
run asks the graph for their mode. Each keeps only its own level (its scope), like
``ValuesTransformer``; a subgraph's events show up on that subgraph's handle. None of them
removes an event from the main log: ``LifecycleTransformer`` and ``SubgraphTransformer`` fold
``tasks`` events into their own projections, but ``run.tasks`` still sees every payload.
"""

from __future__ import annotations

from langgraph_lite.stream.transformers.basic import _OwnLevelTransformer

__all__ = ["CheckpointsTransformer", "DebugTransformer", "TasksTransformer"]


class CheckpointsTransformer(_OwnLevelTransformer):
    """``run.checkpoints``: every checkpoint the run saves, shaped as ``get_state()`` shows it.

    Only a graph with a checkpointer saves any; without one the projection stays empty.
    """

    _method = "checkpoints"
    required_stream_modes = ("checkpoints",)


class DebugTransformer(_OwnLevelTransformer):
    """``run.debug``: the ``debug`` stream mode's events (checkpoints, task starts, results),
    each wrapped with its step and a timestamp."""

    _method = "debug"
    required_stream_modes = ("debug",)


class TasksTransformer(_OwnLevelTransformer):
    """``run.tasks``: each task's start payload (id, name, input, triggers) and its result
    payload (id, name, error, result, interrupts), in the order they happened."""

    _method = "tasks"
    required_stream_modes = ("tasks",)
