"""A step whose task raises, as LangGraph streams it: the error's task result goes out as the
task ends, the siblings that end after it are saved but streamed no more, then the run raises.
Sync (threads) and async (asyncio, trio)."""

import operator
import time
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph


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


def test_sync_siblings_that_end_after_an_error_are_saved_but_not_streamed():
    def slow(state):
        time.sleep(0.3)
        return {"log": ["slow"]}

    def bad(state):
        time.sleep(0.05)
        raise ValueError("bad input")

    def quick(state):
        return {"log": ["quick"]}

    app = fan_out({"slow": slow, "bad": bad, "quick": quick})
    config = {"configurable": {"thread_id": "t"}}
    got, when = [], []
    start = time.monotonic()
    with pytest.raises(ValueError, match="bad input"):
        for chunk in app.stream({"log": []}, config, stream_mode=["updates", "tasks"]):
            got.append(shown(chunk))
            when.append(time.monotonic() - start)
    error_event = ("tasks", "bad", True, "ValueError('bad input')")
    assert got[3:] == [
        ("updates", {"quick": {"log": ["quick"]}}),
        ("tasks", "quick", True, "None"),
        error_event,
    ]
    assert when[got.index(error_event)] < 0.25  # (as it ended, not once the slow sibling did)
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
