"""``graph.step_timeout``: how long one step may take (LangGraph's ``Pregel.step_timeout``).

Behaviour checked against LangGraph 1.2.22 running the same programs.
"""

from __future__ import annotations

import operator
import threading
import time
from typing import Annotated, Any

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import StateGraph


class S(TypedDict):
    log: Annotated[list, operator.add]


def _graph(slow: Any, quick: Any, checkpointer: Any = None) -> Any:
    builder = StateGraph(S).add_node("slow", slow).add_node("quick", quick)
    builder.set_conditional_entry_point(lambda _: ["slow", "quick"])
    return builder.compile(checkpointer=checkpointer)


@pytest.mark.anyio
async def test_an_async_step_past_its_time_cancels_what_runs_and_raises_timeout_error():
    cancelled = []

    async def slow(s: S) -> dict[str, Any]:
        try:
            await anyio.sleep(5)
        except anyio.get_cancelled_exc_class():
            cancelled.append(True)
            raise
        return {"log": ["slow"]}

    async def quick(s: S) -> dict[str, Any]:
        return {"log": ["quick"]}

    graph = _graph(slow, quick, InMemorySaver())
    graph.step_timeout = 0.3
    thread = {"configurable": {"thread_id": "1"}}
    chunks = []
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"step_timeout.*'slow'.*0\.3s"):
        async for chunk in graph.astream({"log": []}, thread, stream_mode="updates"):
            chunks.append(chunk)
    assert time.monotonic() - started < 3
    assert chunks == [{"quick": {"log": ["quick"]}}]
    assert cancelled == [True]
    # what finished in time was saved: the step resumes with the slow task only
    state = await graph.aget_state(thread)
    assert state.values == {"log": ["quick"]} and state.next == ("slow",)


@pytest.mark.anyio
async def test_a_single_async_task_is_timed_too_and_a_step_in_time_is_left_alone():
    async def slow(s: S) -> dict[str, Any]:
        await anyio.sleep(5)
        return {}

    builder = StateGraph(S).add_node("slow", slow).set_entry_point("slow")
    graph = builder.compile()
    graph.step_timeout = 0.2
    with pytest.raises(TimeoutError):
        await graph.ainvoke({"log": []})
    graph.step_timeout = 5
    ok = _graph(lambda s: {"log": ["a"]}, lambda s: {"log": ["b"]})
    ok.step_timeout = 5
    assert sorted((await ok.ainvoke({"log": []}))["log"]) == ["a", "b"]


def test_a_sync_step_past_its_time_raises_once_its_nodes_return_and_keeps_their_writes():
    release = threading.Event()

    def slow(s: S) -> dict[str, Any]:
        release.wait(0.6)  # (a sync node cannot be stopped: it runs to its end)
        return {"log": ["late"]}

    graph = _graph(slow, lambda s: {"log": ["quick"]}, InMemorySaver())
    graph.step_timeout = 0.2
    thread = {"configurable": {"thread_id": "1"}}
    chunks = []
    with pytest.raises(TimeoutError, match="step_timeout"):
        for chunk in graph.stream({"log": []}, thread, stream_mode="updates"):
            chunks.append(chunk)
    assert chunks == [{"quick": {"log": ["quick"]}}]
    # as LangGraph: the slow node's writes, made after the time was up, were saved too
    state = graph.get_state(thread)
    assert sorted(state.values["log"]) == ["late", "quick"] and state.next == ()


@pytest.mark.parametrize("bad", [0, -1, "5", True])
def test_a_bad_step_timeout_is_refused_when_the_graph_runs(bad: Any) -> None:
    graph = _graph(lambda s: {}, lambda s: {})
    graph.step_timeout = bad
    with pytest.raises(ValueError, match="step_timeout must be a number of seconds"):
        graph.invoke({"log": []})
