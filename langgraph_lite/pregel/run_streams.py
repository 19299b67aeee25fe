"""What a run looks like to its caller: the iterators ``stream`` / ``astream`` return, and
``invoke``'s keywords and result."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING
from langgraph_lite.errors import GraphInterrupt
from langgraph_lite.pregel.drivers import AsyncRun
from langgraph_lite.pregel.stream import QueueStatistics, StreamQueue
from langgraph_lite.types import GraphOutput

if TYPE_CHECKING:
    from langgraph_lite.pregel.loop import PregelLoop

__all__ = ["AsyncRunStream", "RunStream", "invoke_kwargs", "invoke_result"]


class RunStream(Iterator[Any]):
    """The iterator ``stream`` returns: chunks, plus ``close()`` and ``statistics()``."""

    __slots__ = ("_gen", "_queue")

    def __init__(self, gen: Iterator[Any], queue: StreamQueue) -> None:
        self._gen = gen
        self._queue = queue

    def __iter__(self) -> Iterator[Any]:
        # The driver's generator itself, so that a ``for`` loop takes each chunk from it with
        # no Python call of ours in between (``next(stream)`` still works, through __next__).
        return self._gen

    def __next__(self) -> Any:
        return next(self._gen)

    def close(self) -> None:
        """Stop the run; returns once no node of it is running."""
        self._gen.close()  # type: ignore[attr-defined]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def statistics(self) -> QueueStatistics:
        """The run's stream queue: its bound, and the most it held (see ``StreamQueue``)."""
        return self._queue.statistics()


class AsyncRunStream(AsyncRun):
    """The async iterator ``astream`` returns: chunks, plus ``aclose()`` and ``statistics()``."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def statistics(self) -> QueueStatistics:
        """The run's stream queue: its bound, and the most it held (see ``StreamQueue``)."""
        return self.queue.statistics()


# -- what invoke returns -----------------------------------------------------------------------


def invoke_kwargs(kwargs: dict[str, Any]) -> bool | None:
    """``invoke``'s extra keywords (those of ``stream``): returns ``debug``."""
    unknown = set(kwargs) - {"subgraphs", "debug", "stream_buffer_size"}
    if unknown:
        raise TypeError(
            f"invoke() got unexpected keyword arguments {sorted(unknown)}; it takes stream()'s "
            "keywords (subgraphs, debug, stream_buffer_size) besides its own."
        )
    # subgraphs=True changes nothing in the values invoke returns (only a subgraph's own
    # chunks would be tagged); stream_buffer_size bounds nothing when nothing is streamed.
    return kwargs.get("debug")


def invoke_result(loop: PregelLoop, version: str = "v1") -> Any:
    """``invoke``'s result: the output (what the last values chunk would have been, None if
    none was), plus a list of the interrupts that stopped the run (``version="v2"``: both in
    a ``GraphOutput``).

    A subgraph (run inside a parent's node) raises them instead, so the parent stops too.
    """
    found = loop.interrupts.found
    if not loop.out.output_ready:
        result = None
    elif loop.interrupts.interrupted and loop.interrupts.output is not None:
        result = loop.interrupts.output
    else:
        out = loop.output(loop.out.stream_keys)
        result = None if out is MISSING else out
    if loop.parent_task is not None and loop.interrupts.interrupted:
        # (interrupt_before/after stopped it: no question, but the parent task stops too)
        raise GraphInterrupt(tuple(found))
    if version == "v2" and (not found or loop.parent_task is None):
        if loop.out.as_output is not None and isinstance(result, dict):
            result = loop.out.as_output(**result)  # as the v2 values parts (graph.compile)
        return GraphOutput(result, tuple(found))
    if not found:
        return result
    merged = dict(result) if isinstance(result, dict) else {}
    merged["__interrupt__"] = list(found)
    return merged
