"""Tasks an async run stops mid-way because its consumer left (``break``, ``aclose()``, a
cancelled ``ainvoke``) are saved failed with ``CancelledError()``, as LangGraph saves them:
``get_state`` shows them failed, the finished siblings' writes are kept, and a resumed run
runs only the stopped ones again."""

import asyncio
import gc
import operator
import time
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph_lite.graph import START, StateGraph

pytestmark = pytest.mark.anyio

ERROR = "__error__"


class State(TypedDict):
    log: Annotated[list, operator.add]


async def fast(state):
    return {"log": ["fast"]}


async def slow(state):
    await anyio.sleep(0.5)
    return {"log": ["slow"]}


def slow_sync(state):
    time.sleep(0.3)
    return {"log": ["slow"]}


def fast_and(slow_node, saver):
    graph = StateGraph(State)
    graph.add_node("fast", fast)
    graph.add_node("slow", slow_node)
    graph.add_edge(START, "fast")
    graph.add_edge(START, "slow")
    return graph.compile(checkpointer=saver)


def writes_by_node(app, config):
    state = app.get_state(config)
    ids = {task.id: task.name for task in state.tasks}
    saved = app.checkpointer.get_tuple(config)
    return sorted(
        (ids[task_id], channel, value) for task_id, channel, value in saved.pending_writes
    )


async def resumed(app, config):
    return [chunk async for chunk in app.astream(None, config, stream_mode="updates")]


async def test_aclose_saves_the_stopped_task_failed_and_a_resume_runs_only_it():
    app = fast_and(slow, InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    stream = app.astream({"log": []}, config, stream_mode="updates")
    assert await stream.__anext__() == {"fast": {"log": ["fast"]}}
    await stream.aclose()

    assert writes_by_node(app, config) == [
        ("fast", "log", ["fast"]),
        ("slow", ERROR, "CancelledError()"),
    ]
    state = app.get_state(config)
    assert state.next == ("slow",)
    assert {t.name: t.error for t in state.tasks} == {"fast": None, "slow": "CancelledError()"}
    chunks = await resumed(app, config)
    assert chunks[-1] == {"slow": {"log": ["slow"]}}
    assert {"fast": {"log": ["fast"]}, "__metadata__": {"cached": True}} in chunks
    assert app.get_state(config).values == {"log": ["fast", "slow"]}


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_break_saves_the_stopped_task_failed_once_the_stream_is_dropped():
    # (``break`` leaves the stream to the garbage collector: on asyncio a task then waits for
    # the stopped tasks and saves them; trio offers nothing to run it in)
    app = fast_and(slow, InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    async for chunk in app.astream({"log": []}, config, stream_mode="updates"):
        assert chunk == {"fast": {"log": ["fast"]}}
        break
    gc.collect()
    for _ in range(50):
        if ("slow", ERROR, "CancelledError()") in writes_by_node(app, config):
            break
        await asyncio.sleep(0.01)
    assert writes_by_node(app, config) == [
        ("fast", "log", ["fast"]),
        ("slow", ERROR, "CancelledError()"),
    ]
    assert (await resumed(app, config))[-1] == {"slow": {"log": ["slow"]}}


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_cancelled_ainvoke_saves_its_stopped_tasks():
    app = fast_and(slow, InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(app.ainvoke({"log": []}, config), 0.1)
    assert writes_by_node(app, config) == [
        ("fast", "log", ["fast"]),
        ("slow", ERROR, "CancelledError()"),
    ]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_sync_node_left_running_in_its_thread_is_saved_stopped_too():
    app = fast_and(slow_sync, InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    stream = app.astream({"log": []}, config, stream_mode="updates")
    await stream.__anext__()
    await stream.aclose()
    assert ("slow", ERROR, "CancelledError()") in writes_by_node(app, config)
    assert app.get_state(config).next == ("slow",)


async def test_with_sqlite_the_stopped_task_is_committed_before_aclose_returns(tmp_path):
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "s.db")) as saver:
        app = fast_and(slow, saver)
        config = {"configurable": {"thread_id": "t"}}
        stream = app.astream({"log": []}, config, stream_mode="updates")
        await stream.__anext__()
        await stream.aclose()
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "s.db")) as saver:
        saved = await saver.aget_tuple(config)
        assert sorted(channel for _, channel, _ in saved.pending_writes) == [ERROR, "log"]


async def test_a_run_that_ends_by_itself_or_fails_saves_no_extra_cancellation():
    app = fast_and(slow, InMemorySaver())
    config = {"configurable": {"thread_id": "done"}}
    await app.ainvoke({"log": []}, config)
    assert ERROR not in {c for _, c, _ in app.checkpointer.get_tuple(config).pending_writes}

    async def bad(state):
        raise ValueError("boom")

    graph = StateGraph(State)
    for name, node in {"bad": bad, "slow": slow}.items():
        graph.add_node(name, node)
        graph.add_edge(START, name)
    failing = graph.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "failed"}}
    with pytest.raises(ValueError, match="boom"):
        await failing.ainvoke({"log": []}, config)
    errors = [
        value
        for _, channel, value in failing.checkpointer.get_tuple(config).pending_writes
        if channel == ERROR
    ]
    assert sorted(errors) == ["CancelledError()", "ValueError('boom')"]


async def test_durability_exit_saves_where_a_stopped_run_stood():
    # (as LangGraph 1.2.22: the step's checkpoint with the finished task's writes, and no
    # cancellation recorded for the stopped one)
    app = fast_and(slow, InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    stream = app.astream({"log": []}, config, stream_mode="updates", durability="exit")
    await stream.__anext__()
    await stream.aclose()
    saved = app.checkpointer.get_tuple(config)
    assert saved.metadata["step"] == 0
    assert [(c, v) for _, c, v in saved.pending_writes] == [("log", ["fast"])]
    state = await app.aget_state(config)
    assert (state.values, state.next) == ({"log": ["fast"]}, ("slow",))
    assert await app.ainvoke(None, config) == {"log": ["fast", "slow"]}
