"""``config={"max_concurrency": n}`` caps how many of a step's tasks run at once on the async
drivers (checked on LangGraph 1.2.22: 20 sends, at most 3 at a time)."""

from __future__ import annotations

import operator
from typing import Annotated, Any

import anyio
import pytest

from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Send


def fan_out(width: int) -> tuple[Any, dict[str, int]]:
    seen = {"now": 0, "max": 0}

    async def work(x: int) -> list[int]:
        seen["now"] += 1
        seen["max"] = max(seen["max"], seen["now"])
        await anyio.sleep(0.01)
        seen["now"] -= 1
        return [x]

    builder = StateGraph(Annotated[list, operator.add])
    builder.add_node("fan", lambda s: ["f"]).add_node("work", work).add_edge(START, "fan")
    builder.add_conditional_edges("fan", lambda s: [Send("work", i) for i in range(width)])
    return builder.compile(), seen


@pytest.mark.anyio
@pytest.mark.parametrize("limit", [1, 3])
async def test_ainvoke_runs_at_most_max_concurrency_tasks_at_once(limit: int) -> None:
    graph, seen = fan_out(12)
    out = await graph.ainvoke([], {"max_concurrency": limit})
    assert out == ["f", *range(12)]
    assert seen == {"now": 0, "max": limit}


@pytest.mark.anyio
async def test_astream_is_capped_too_and_no_limit_runs_them_all_together() -> None:
    graph, seen = fan_out(12)
    chunks = [c async for c in graph.astream([], {"max_concurrency": 2}, stream_mode="updates")]
    assert len(chunks) == 13 and seen["max"] == 2
    seen["max"] = 0
    assert await graph.ainvoke([]) == ["f", *range(12)]
    assert seen["max"] == 12
