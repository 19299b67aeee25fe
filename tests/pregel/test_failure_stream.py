"""A step whose task raises, as LangGraph streams it: the error's task result goes out as the
task ends, the siblings that end after it are saved but streamed no more, then the run raises.
Sync (threads) and async (asyncio, trio)."""

import operator
import threading
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.pregel.thread_step import ThreadStep


class State(TypedDict):
    log: Annotated[list, operator.add]


def fan_out(nodes: dict):
    graph = StateGraph(State)
    for name, fn in nodes.items():
        graph.add_node(name, fn)
        graph.add_edge(START, name)
        graph.add_edge(name, END)
    return graph.compile(checkpointer=InMemorySaver())


def shown(chunk):
    mode, data = chunk
    if mode == "tasks":
        return ("tasks", data["name"], "result" in data, repr(data.get("error")))
    return (mode, data)


def test_sync_siblings_that_end_after_an_error_are_saved_but_not_streamed(monkeypatch):
    # (ordered by events, not sleeps: quick ends, then bad raises, then slow ends only once
    # the consumer has seen the error, so the error must go out while slow still runs. The
    # consumer's thread, which takes a step's tasks too when no helper has, takes none here:
    # running slow itself, it could not see the error meanwhile)
    monkeypatch.setattr(ThreadStep, "take", lambda self: False)
    quick_done, error_seen = threading.Event(), threading.Event()
    slow_saw_error = []

    def slow(state):
        slow_saw_error.append(error_seen.wait(10))
        return {"log": ["slow"]}

    def bad(state):
        quick_done.wait(10)
        raise ValueError("bad input")

    def quick(state):
        quick_done.set()
        return {"log": ["quick"]}

    app = fan_out({"slow": slow, "bad": bad, "quick": quick})
    config = {"configurable": {"thread_id": "t"}}
    got = []
    error_event = ("tasks", "bad", True, "ValueError('bad input')")
    with pytest.raises(ValueError, match="bad input"):
        for chunk in app.stream({"log": []}, config, stream_mode=["updates", "tasks"]):
            got.append(shown(chunk))
            if got[-1] == error_event:
                error_seen.set()
    assert got[3:] == [
        ("updates", {"quick": {"log": ["quick"]}}),
        ("tasks", "quick", True, "None"),
        error_event,
    ]
    assert slow_saw_error == [True]  # (the error went out as it ended, before slow did)
    state = app.get_state(config)
    assert state.values == {"log": ["quick", "slow"]}  # the slow sibling's writes were kept
    assert state.next == ("bad",)


@pytest.mark.anyio
async def test_async_siblings_are_cancelled_and_only_the_error_goes_out_after_it():
    async def slow(state):
        await anyio.sleep(10)
        return {"log": ["slow"]}

    async def bad(state):
        await anyio.sleep(0.05)
        raise ValueError("bad input")

    async def quick(state):
        return {"log": ["quick"]}

    app = fan_out({"slow": slow, "bad": bad, "quick": quick})
    config = {"configurable": {"thread_id": "t"}}
    got = []
    with pytest.raises(ValueError, match="bad input"):
        async for chunk in app.astream({"log": []}, config, stream_mode=["updates", "tasks"]):
            got.append(shown(chunk))
    assert got[3:] == [
        ("updates", {"quick": {"log": ["quick"]}}),
        ("tasks", "quick", True, "None"),
        ("tasks", "bad", True, "ValueError('bad input')"),
    ]
    state = await app.aget_state(config)
    assert state.values == {"log": ["quick"]}
    assert state.next == ("slow", "bad")
    # the sibling the error stopped is saved as stopped (and runs again), as LangGraph saves it
    assert [(t.name, t.error) for t in state.tasks] == [
        ("slow", "CancelledError()"),
        ("bad", "ValueError('bad input')"),
        ("quick", None),
    ]


class Fatal(BaseException):
    """Not an Exception (as KeyboardInterrupt is not)."""


@pytest.mark.anyio
async def test_a_base_exception_in_a_parallel_task_reaches_the_caller_and_stops_its_siblings():
    cancelled = []

    async def fatal(state):
        await anyio.sleep(0.01)
        raise Fatal("stop")

    async def slow(state):
        try:
            await anyio.sleep(10)
        except anyio.get_cancelled_exc_class():
            cancelled.append("slow")
            raise
        return {"log": ["slow"]}

    app = fan_out({"fatal": fatal, "slow": slow})
    with pytest.raises(Fatal, match="stop"):
        await app.ainvoke({"log": []}, {"configurable": {"thread_id": "t"}})
    assert cancelled == ["slow"]


@pytest.mark.anyio
async def test_an_interrupt_before_a_siblings_error_goes_out_first():
    from langgraph_lite.types import interrupt

    async def asks(state):
        await anyio.sleep(0.01)
        return {"log": [interrupt("which?")]}

    app = fan_out({"asks": asks, "bad": fails("bad", 0.1)})
    got = []
    with pytest.raises(ValueError, match="bad"):
        async for mode, chunk in app.astream(
            {"log": []}, {"configurable": {"thread_id": "t"}}, stream_mode=["updates", "tasks"]
        ):
            if mode == "updates" or "result" in chunk:
                got.append("__interrupt__" if mode == "updates" else chunk["name"])
    assert got == ["__interrupt__", "asks", "bad"]


def fails(name, delay):
    async def node(state):
        await anyio.sleep(delay)
        raise ValueError(name)

    return node


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # (trio may run either first)
async def test_two_tasks_failing_at_once_both_go_out_and_are_saved(anyio_backend):
    app = fan_out({"one": fails("one", 0.01), "two": fails("two", 0.01)})
    config = {"configurable": {"thread_id": "t"}}
    failed = []
    with pytest.raises(ValueError):
        async for chunk in app.astream({"log": []}, config, stream_mode="tasks"):
            if "result" in chunk:
                failed.append((chunk["name"], repr(chunk["error"])))
    assert failed == [("one", "ValueError('one')"), ("two", "ValueError('two')")]
    state = await app.aget_state(config)
    assert [(t.name, t.error) for t in state.tasks] == [
        ("one", "ValueError('one')"),
        ("two", "ValueError('two')"),
    ]


@pytest.mark.anyio
async def test_a_task_failing_before_its_siblings_start_still_ends_the_step():
    async def boom(state):  # (first by name: it runs, and fails, before "ok" has started)
        raise ValueError("at once")

    async def ok(state):
        return {"log": ["ok"]}

    app = fan_out({"ok": ok, "boom": boom})
    config = {"configurable": {"thread_id": "t"}}
    with anyio.fail_after(5), pytest.raises(ValueError, match="at once"):
        await app.ainvoke({"log": []}, config)
    assert {t.name for t in (await app.aget_state(config)).tasks} == {"ok", "boom"}
