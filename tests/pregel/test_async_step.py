"""A step of several async tasks (``pregel/async_step.py``), on asyncio and trio: updates go out
in the order the tasks finish, each as it finishes; a run stopped from outside waits for its
cancelled nodes to clean up; a failed task stops its siblings; ``max_concurrency`` holds."""

import operator
import time
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph

pytestmark = pytest.mark.anyio


class State(TypedDict):
    log: Annotated[list, operator.add]


def fan_out(nodes: dict, checkpointer=None):
    """START -> every node at once -> END."""
    graph = StateGraph(State)
    for name, fn in nodes.items():
        graph.add_node(name, fn)
        graph.add_edge(START, name)
        graph.add_edge(name, END)
    return graph.compile(checkpointer=checkpointer)


def sleeper(name: str, seconds: float):
    async def node(state):
        await anyio.sleep(seconds)
        return {"log": [name]}

    return node


async def test_updates_go_out_in_the_order_the_tasks_finish_each_as_it_finishes():
    app = fan_out(
        {"slow": sleeper("slow", 0.3), "fast": sleeper("fast", 0.0), "mid": sleeper("mid", 0.1)}
    )
    start, seen = time.monotonic(), []
    async for chunk in app.astream({"log": []}, stream_mode="updates"):
        seen.append((next(iter(chunk)), time.monotonic() - start))
    assert [name for name, _ in seen] == ["fast", "mid", "slow"]
    assert seen[0][1] < 0.2  # (not held back until the slow sibling ends)
    final = await app.ainvoke({"log": []})
    assert sorted(final["log"]) == ["fast", "mid", "slow"]


async def test_a_run_stopped_from_outside_waits_for_its_cancelled_nodes_to_clean_up():
    cleaned = []

    def holder(name):
        async def node(state):
            try:
                await anyio.sleep(10)
            finally:
                cleaned.append(name)
            return {"log": [name]}

        return node

    app = fan_out({"a": holder("a"), "b": holder("b"), "c": sleeper("c", 0.0)})
    got = []
    with anyio.move_on_after(0.2) as scope:
        async for chunk in app.astream({"log": []}, stream_mode="updates"):
            got.append(chunk)
    assert scope.cancelled_caught
    assert got == [{"c": {"log": ["c"]}}]
    assert sorted(cleaned) == ["a", "b"]  # (no sleep needed: they ended before the run did)


async def test_a_failed_task_stops_its_siblings_and_the_finished_ones_writes_are_kept():
    cancelled = []

    async def slow(state):
        try:
            await anyio.sleep(10)
        except anyio.get_cancelled_exc_class():
            cancelled.append("slow")
            raise
        return {"log": ["slow"]}

    async def bad(state):
        await anyio.sleep(0.05)
        raise ValueError("bad input")

    app = fan_out(
        {"slow": slow, "bad": bad, "quick": sleeper("quick", 0.0)}, checkpointer=InMemorySaver()
    )
    config = {"configurable": {"thread_id": "t"}}
    start = time.monotonic()
    with pytest.raises(ValueError, match="bad input"):
        await app.ainvoke({"log": []}, config)
    assert time.monotonic() - start < 5
    assert cancelled == ["slow"]
    state = await app.aget_state(config)
    assert sorted(state.next) == ["bad", "slow"]  # left to run again
    assert state.values == {"log": ["quick"]}
    errors = {t.name: t.error for t in state.tasks}
    assert "bad input" in errors["bad"]
    assert errors["slow"] == "CancelledError()" and errors["quick"] is None  # as LangGraph


async def test_max_concurrency_bounds_the_tasks_running_at_once():
    running = peak = 0

    def counted(name):
        async def node(state):
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await anyio.sleep(0.02)
            running -= 1
            return {"log": [name]}

        return node

    app = fan_out({f"n{i}": counted(f"n{i}") for i in range(6)})
    final = await app.ainvoke({"log": []}, {"max_concurrency": 2})
    assert len(final["log"]) == 6
    assert peak == 2


async def test_leaving_after_the_first_update_of_a_step_cancels_the_rest_and_keeps_what_finished():
    cancelled = []

    async def slow(state):
        try:
            await anyio.sleep(0 if cancelled else 10)  # (the run resumed later: at once)
        except anyio.get_cancelled_exc_class():
            cancelled.append("slow")
            raise
        return {"log": ["slow"]}

    app = fan_out({"slow": slow, "fast": sleeper("fast", 0.0)}, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    stream = app.astream({"log": []}, config, stream_mode="updates")
    assert await stream.__anext__() == {"fast": {"log": ["fast"]}}
    await stream.aclose()
    assert cancelled == ["slow"]
    state = await app.aget_state(config)
    assert state.next == ("slow",)  # only the cancelled task is left to run
    final = await app.ainvoke(None, config)
    assert sorted(final["log"]) == ["fast", "slow"]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_stream_read_one_chunk_per_task_gets_every_chunk(anyio_backend):
    import asyncio

    app = fan_out({"a": sleeper("a", 0.0), "b": sleeper("b", 0.05)})
    for read in ("wait_for", "task"):
        stream, got = app.astream({"log": []}, stream_mode="updates"), []
        while True:
            try:
                if read == "wait_for":  # (runs each __anext__ in a task of its own)
                    got.append(await asyncio.wait_for(stream.__anext__(), 5))
                else:
                    got.append(await asyncio.ensure_future(stream.__anext__()))
            except StopAsyncIteration:
                break
        assert got == [{"a": {"log": ["a"]}}, {"b": {"log": ["b"]}}], read


async def test_sent_tasks_stream_as_they_finish_and_apply_in_the_order_they_were_sent():
    from langgraph_lite.types import Send

    class Work(TypedDict):
        t: float

    async def work(state: Work):
        await anyio.sleep(state["t"])
        return {"log": [state["t"]]}

    graph = StateGraph(State)
    graph.add_node("work", work)
    graph.add_conditional_edges(
        START, lambda s: [Send("work", {"t": t}) for t in (0.4, 0.0, 0.2, 0.6)]
    )
    graph.add_edge("work", END)
    app = graph.compile()
    updates, final, start = [], None, time.monotonic()
    async for mode, chunk in app.astream({"log": []}, stream_mode=["updates", "values"]):
        if mode == "updates":
            updates.append((chunk["work"]["log"][0], time.monotonic() - start))
        else:
            final = chunk
    assert [t for t, _ in updates] == [0.0, 0.2, 0.4, 0.6]  # as each ends
    assert updates[0][1] < 0.3  # (not held back until the slowest ends)
    assert final == {"log": [0.4, 0.0, 0.2, 0.6]}  # (writes apply in the order sent)
