"""How chat models report tokens to a running graph.

The protocol is one function. A chat model that generates a message piece by piece calls
``report_chunk(chunk)`` for each ``AIMessageChunk`` (all chunks of one message share its id,
and the finished message it returns carries the same id). Inside a graph streamed with
``stream_mode="messages"`` each chunk reaches the consumer as ``(chunk, metadata)``; anywhere
else the call does nothing. Nodes need no extra code: calling the model is enough.
``langgraph_lite.messages`` re-exports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph_lite.messages import AIMessageChunk

__all__ = ["report_chunk"]


def report_chunk(chunk: AIMessageChunk, metadata: dict[str, Any] | None = None) -> Any:
    """Hand one streamed chunk to the graph run this code is part of (if it streams messages).

    ``metadata`` (e.g. ``{"ls_provider": "mine"}``) is added to what the consumer sees. Returns
    an awaitable: an async model that awaits it waits while the stream's buffer is full.

    >>> from langgraph_lite.messages import AIMessageChunk, report_chunk
    >>> _ = report_chunk(AIMessageChunk(content="hi", id="run-1"))  # outside a run: nothing
    """
    from langgraph_lite.config import current_task
    from langgraph_lite.types import READY

    task = current_task.get()
    if task is None:
        return READY
    run = task.run
    report = getattr(run, "message_chunk", None)
    return report(task, chunk, metadata) if report is not None else READY
