"""A graph as a LangChain ``Runnable``, so it composes with ``|`` as LangGraph's does.

``graph | other`` (and ``graph.pipe(...)``) builds LangChain's ``RunnableSequence`` whose first
step runs the graph: ``invoke``/``ainvoke`` return its output, ``stream``/``astream`` its
chunks (the graph's ``stream_mode``), with the sequence's config (callbacks, tags, metadata)
as the run's config. Needs ``langchain-core``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

__all__ = ["as_runnable"]

_CLASS: Any = None


def as_runnable(graph: Any) -> Any:
    """``graph`` wrapped as a LangChain ``Runnable`` (see the module docstring)."""
    try:
        from langchain_core.runnables import Runnable
    except ImportError:
        raise ImportError(
            "Composing a graph with `|` (or .pipe) builds a LangChain RunnableSequence, which "
            "needs langchain-core: pip install langchain-core."
        ) from None
    global _CLASS
    if _CLASS is None:

        class GraphRunnable(Runnable):  # type: ignore[misc,type-arg]
            """A compiled graph, run by a LangChain chain."""

            def __init__(self, graph: Any) -> None:
                self.graph = graph
                self.name = getattr(graph, "name", None) or "LangGraph"

            @property
            def InputType(self) -> Any:  # (LangChain's name)
                return Any

            @property
            def OutputType(self) -> Any:
                return Any

            def invoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any:
                return self.graph.invoke(input, config, **kwargs)

            async def ainvoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any:
                return await self.graph.ainvoke(input, config, **kwargs)

            def stream(self, input: Any, config: Any = None, **kwargs: Any) -> Iterator[Any]:
                yield from self.graph.stream(input, config, **kwargs)

            async def astream(
                self, input: Any, config: Any = None, **kwargs: Any
            ) -> AsyncIterator[Any]:
                async for chunk in self.graph.astream(input, config, **kwargs):
                    yield chunk

        _CLASS = GraphRunnable
    return _CLASS(graph)
