"""LangGraph's ``langgraph._internal._queue.AsyncQueue`` name, for code that imports it: the
queue a run's chunks go through to its consumer is ``StreamQueue`` (``pregel/stream.py``),
bounded and the same for sync and async consumers."""

from langgraph_lite.pregel.stream import StreamQueue

__all__ = ["AsyncQueue"]

AsyncQueue = StreamQueue
