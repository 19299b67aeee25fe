"""Issue 12, defect 2: a sibling of a node that interrupts finishes, and its writes are kept.

LangGraph 1.2.22 (observed): the interrupted run returns ``{'trail': ['slow'], '__interrupt__':
[...]}``; the resumed run returns ``{'trail': ['ask:yes', 'slow']}`` and ``slow`` ran once.
"""

from __future__ import annotations

import operator
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, interrupt


class State(TypedDict):
    trail: Annotated[list, operator.add]


def graph(saver, ran: list[str]):
    async def slow(state):
        await anyio.sleep(0.05)
        ran.append("slow")
        return {"trail": ["slow"]}

    def ask(state):
        return {"trail": [f"ask:{interrupt('ok?')}"]}

    builder = StateGraph(State)
    builder.add_node("slow", slow)
    builder.add_node("ask", ask)
    builder.add_edge(START, "slow")
    builder.add_edge(START, "ask")
    return builder.compile(checkpointer=saver)


async def pause_and_resume(saver, stream_mode):
    ran: list[str] = []
    app = graph(saver, ran)
    config = {"configurable": {"thread_id": "t"}}
    if stream_mode is None:
        paused = await app.ainvoke({"trail": []}, config)
        assert paused["trail"] == ["slow"]
        assert [i.value for i in paused["__interrupt__"]] == ["ok?"]
        done = await app.ainvoke(Command(resume="yes"), config)
        assert done == {"trail": ["ask:yes", "slow"]}
    else:  # "custom" streams from node code: the step runs in a detached host
        _ = [c async for c in app.astream({"trail": []}, config, stream_mode=stream_mode)]
        state = await app.aget_state(config)
        assert state.values == {"trail": ["slow"]} and state.next == ("ask",)
        _ = [c async for c in app.astream(Command(resume="yes"), config, stream_mode=stream_mode)]
        assert (await app.aget_state(config)).values == {"trail": ["ask:yes", "slow"]}
    assert ran == ["slow"]  # not run again on resume


@pytest.mark.anyio
@pytest.mark.parametrize("stream_mode", [None, "custom"])
async def test_an_async_sibling_of_an_interrupt_finishes_and_is_not_run_again(stream_mode):
    await pause_and_resume(InMemorySaver(), stream_mode)


@pytest.mark.anyio
@pytest.mark.parametrize("stream_mode", [None, "custom"])
async def test_the_async_sqlite_saver_keeps_the_writes_of_an_interrupts_sibling(
    tmp_path, stream_mode
):
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        await pause_and_resume(saver, stream_mode)


def test_the_sync_driver_keeps_the_writes_of_an_interrupts_sibling_too():
    ran: list[str] = []

    def slow(state):
        ran.append("slow")
        return {"trail": ["slow"]}

    def ask(state):
        return {"trail": [f"ask:{interrupt('ok?')}"]}

    builder = StateGraph(State)
    builder.add_node("slow", slow)
    builder.add_node("ask", ask)
    builder.add_edge(START, "slow")
    builder.add_edge(START, "ask")
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"trail": []}, config)["trail"] == ["slow"]
    assert app.invoke(Command(resume="yes"), config) == {"trail": ["ask:yes", "slow"]}
    assert ran == ["slow"]
