"""``astream_events(version="v1" | "v2")``: LangChain's event streams, over a graph run.

Those streams are LangChain's own: ``langchain_core.tracers.event_stream`` adds its handler to
the run's callbacks, runs ``graph.astream(input, config, **kwargs)`` and turns the callbacks it
receives (the graph's chain run, each task's, and whatever the nodes call) into event dicts.
So here we only hand the graph to that implementation; what it needs of the graph is that its
runs report to ``config["callbacks"]`` (``langgraph_lite.pregel.callback_runs``), honour
``config["run_id"]`` for the graph's run, and have a name (``get_name()``).

LangChain runs the graph in an ``asyncio`` task, so these two versions need asyncio (v3 runs
on trio as well).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

__all__ = ["langchain_event_stream"]


def langchain_event_stream(
    graph: Any,
    input: Any,
    config: Mapping[str, Any] | None,
    version: str,
    kwargs: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    """LangChain's ``version`` event stream of a run of ``graph`` (raises before anything runs
    when ``langchain-core`` is missing)."""
    try:
        event_stream = importlib.import_module("langchain_core.tracers.event_stream")
    except ImportError as exc:
        raise ImportError(
            f"astream_events(version={version!r}) streams LangChain's callback events and "
            "needs langchain-core: pip install 'langgraph_lite[langchain]'. Or use "
            "version='v3', which needs nothing more."
        ) from exc
    impl = (
        event_stream._astream_events_implementation_v2
        if version == "v2"
        else event_stream._astream_events_implementation_v1
    )
    if version == "v1":
        import warnings

        warnings.warn(
            "astream_events version='v1' is deprecated. Use version='v2' or astream instead.",
            DeprecationWarning,
            stacklevel=3,
        )
    return _events(impl, graph, input, config, kwargs)


async def _events(
    impl: Any, graph: Any, input: Any, config: Any, kwargs: dict[str, Any]
) -> AsyncIterator[dict[str, Any]]:
    from langgraph_lite._async_library import current_async_library

    if current_async_library() != "asyncio":
        raise RuntimeError(
            "astream_events(version='v1'/'v2') runs on asyncio only: LangChain's event stream "
            "runs the graph in an asyncio task. Use version='v3' on trio."
        )
    stream = impl(graph, input, config=dict(config) if config else None, **kwargs)
    try:
        async for event in stream:
            yield event
    finally:
        await stream.aclose()
