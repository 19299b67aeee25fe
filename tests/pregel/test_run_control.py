"""RunControl: asking a run to stop at the next superstep boundary, and resuming it."""

from __future__ import annotations

import threading
from typing import TypedDict

import anyio
import pytest

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import GraphBubbleUp, GraphDrained
from langgraph_lite.func import entrypoint, task
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.runtime import RunControl, Runtime


class Steps(TypedDict, total=False):
    one: str
    two: str
    three: str


def three_steps(ran: list[str], drain_in: str | None = "one", reason: str = "deploy"):
    """one -> two -> three; the node named ``drain_in`` asks its run's control to drain."""

    def make(name: str):
        def node(state: Steps, runtime: Runtime) -> Steps:
            ran.append(name)
            if name == drain_in:
                runtime.control.request_drain(reason)
            return {name: "done"}  # type: ignore[misc]

        return node

    builder = StateGraph(Steps)
    for name in ("one", "two", "three"):
        builder.add_node(name, make(name))
    builder.add_edge(START, "one")
    builder.add_edge("one", "two")
    builder.add_edge("two", "three")
    builder.add_edge("three", END)
    return builder


def test_graph_drained_is_control_flow_with_a_reason():
    err = GraphDrained("sigterm")
    assert isinstance(err, GraphBubbleUp)
    assert err.reason == "sigterm"
    assert str(err) == "Graph drained: sigterm"
    assert GraphDrained().reason == "shutdown"


def test_a_drain_stops_before_the_next_step_and_the_run_resumes_there():
    ran: list[str] = []
    app = three_steps(ran).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    control = RunControl()
    with pytest.raises(GraphDrained, match="deploy") as info:
        app.invoke({}, config, control=control)
    assert info.value.reason == "deploy"
    assert ran == ["one"]
    state = app.get_state(config)
    assert state.values == {"one": "done"}
    assert state.next == ("two",)
    assert app.invoke(None, config) == {"one": "done", "two": "done", "three": "done"}
    assert ran == ["one", "two", "three"]


def test_stream_yields_what_the_last_step_reported_then_raises():
    app = three_steps([]).compile()
    chunks = []
    with pytest.raises(GraphDrained):
        for chunk in app.stream({}, stream_mode="updates", control=RunControl()):
            chunks.append(chunk)
    assert chunks == [{"one": {"one": "done"}}]


def test_every_run_has_a_control_its_nodes_can_drain():
    # No control= given: the node still gets one (as in LangGraph), private to the run.
    with pytest.raises(GraphDrained, match="deploy"):
        three_steps([]).compile().invoke({})


def test_a_drain_in_the_last_step_lets_the_run_finish():
    ran: list[str] = []
    control = RunControl()
    out = three_steps(ran, drain_in="three").compile().invoke({}, control=control)
    assert out == {"one": "done", "two": "done", "three": "done"}
    assert control.drain_requested


def test_a_control_drained_before_the_run_runs_nothing():
    ran: list[str] = []
    control = RunControl()
    control.request_drain("pre-drained")
    with pytest.raises(GraphDrained, match="pre-drained"):
        three_steps(ran, drain_in=None).compile().invoke({}, control=control)
    assert ran == []


def test_an_empty_reason_still_drains():
    control = RunControl()
    control.request_drain("")
    with pytest.raises(GraphDrained, match="shutdown"):
        three_steps([], drain_in=None).compile().invoke({}, control=control)


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_every_durability_saves_where_the_drain_stopped(durability):
    ran: list[str] = []
    app = three_steps(ran, drain_in="two").compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": durability}}
    with pytest.raises(GraphDrained):
        app.invoke({}, config, durability=durability, control=RunControl())
    assert app.get_state(config).next == ("three",)
    assert app.invoke(None, config, durability=durability) == {
        "one": "done",
        "two": "done",
        "three": "done",
    }
    assert ran == ["one", "two", "three"]


def test_a_drain_inside_a_subgraph_stops_the_parent_and_both_resume():
    ran: list[str] = []
    child = three_steps(ran).compile(checkpointer=True)
    parent = StateGraph(Steps)
    parent.add_node("child", child)
    parent.add_node("after", lambda s: ran.append("after") or {})
    parent.add_edge(START, "child")
    parent.add_edge("child", "after")
    app = parent.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "sub"}}
    with pytest.raises(GraphDrained, match="deploy"):
        app.invoke({}, config, control=RunControl())
    assert ran == ["one"]
    state = app.get_state(config, subgraphs=True)
    assert state.next == ("child",)
    assert state.tasks[0].state.next == ("two",)
    assert state.tasks[0].error is None  # a drain is not the task's failure
    assert app.invoke(None, config) == {"one": "done", "two": "done", "three": "done"}
    assert ran == ["one", "two", "three", "after"]


def test_a_subgraph_uses_its_parents_control():
    seen: list[RunControl | None] = []

    def inner(state: Steps, runtime: Runtime) -> Steps:
        seen.append(runtime.control)
        return {"one": "x"}

    child = StateGraph(Steps)
    child.add_node("inner", inner)
    child.add_edge(START, "inner")
    parent = StateGraph(Steps)
    parent.add_node("child", child.compile())
    parent.add_edge(START, "child")
    control = RunControl()
    parent.compile().invoke({}, control=control)
    assert seen == [control]


def test_a_drain_before_a_breakpoint_stops_at_the_breakpoint():
    ran: list[str] = []
    app = three_steps(ran).compile(checkpointer=InMemorySaver(), interrupt_before=["two"])
    config = {"configurable": {"thread_id": "bp"}}
    # The breakpoint wins (as in LangGraph): a resume would pass it, so the run stops there.
    assert app.invoke({}, config, control=RunControl()) == {"one": "done"}
    assert app.get_state(config).next == ("two",)
    assert app.invoke(None, config)["three"] == "done"
    assert ran == ["one", "two", "three"]


def test_a_drain_from_another_thread_stops_after_the_running_step():
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def slow(state: Steps) -> Steps:
        started.set()
        release.wait(5)
        ran.append("slow")
        return {"one": "done"}

    builder = StateGraph(Steps)
    builder.add_node("slow", slow)
    builder.add_node("next", lambda s: ran.append("next") or {"two": "done"})
    builder.add_edge(START, "slow")
    builder.add_edge("slow", "next")
    control = RunControl()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            builder.compile().invoke({}, control=control)
        except GraphDrained as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(5)
    control.request_drain("sigterm")
    release.set()
    worker.join(5)
    assert [e.reason for e in errors] == ["sigterm"]
    assert ran == ["slow"]  # the running step finished; the next never started


def test_calls_a_drained_entrypoint_makes_still_run():
    # A drain stops the next superstep, not the @task calls of the one running.
    @task
    def add_one(x: int) -> int:
        return x + 1

    control = RunControl()

    @entrypoint(checkpointer=InMemorySaver())
    def flow(x: int) -> int:
        control.request_drain()
        return add_one(x).result()

    config = {"configurable": {"thread_id": "f"}}
    assert flow.invoke(1, config, control=control) == 2


@pytest.mark.parametrize("bad", ["stop", object(), True])
def test_control_must_be_a_run_control(bad):
    app = three_steps([], drain_in=None).compile()
    with pytest.raises(TypeError, match="control must be a RunControl"):
        app.invoke({}, control=bad)
    with pytest.raises(TypeError, match="control must be a RunControl"):
        list(app.stream({}, control=bad))


# -- async: asyncio and trio ------------------------------------------------------------------


@pytest.mark.anyio
async def test_ainvoke_drains_and_resumes():
    ran: list[str] = []
    app = three_steps(ran).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "a"}}
    with pytest.raises(GraphDrained, match="deploy"):
        await app.ainvoke({}, config, control=RunControl())
    assert (await app.aget_state(config)).next == ("two",)
    assert await app.ainvoke(None, config) == {"one": "done", "two": "done", "three": "done"}
    assert ran == ["one", "two", "three"]


@pytest.mark.anyio
async def test_astream_drains_after_the_running_step():
    started = anyio.Event()
    release = anyio.Event()

    async def slow(state: Steps) -> Steps:
        started.set()
        await release.wait()
        return {"one": "done"}

    async def after(state: Steps) -> Steps:
        return {"two": "should not run"}

    builder = StateGraph(Steps)
    builder.add_node("slow", slow)
    builder.add_node("after", after)
    builder.add_edge(START, "slow")
    builder.add_edge("slow", "after")
    app = builder.compile()
    control = RunControl()
    chunks: list[object] = []

    async def consume() -> None:
        with pytest.raises(GraphDrained, match="sigterm"):
            async for chunk in app.astream({}, stream_mode="updates", control=control):
                chunks.append(chunk)

    async with anyio.create_task_group() as tg:
        tg.start_soon(consume)
        await started.wait()
        control.request_drain("sigterm")
        release.set()
    assert chunks == [{"slow": {"one": "done"}}]


@pytest.mark.anyio
async def test_async_subgraph_drain_resumes():
    ran: list[str] = []
    parent = StateGraph(Steps)
    parent.add_node("child", three_steps(ran, drain_in="two").compile())
    parent.add_edge(START, "child")
    app = parent.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "as"}}
    with pytest.raises(GraphDrained):
        await app.ainvoke({}, config, control=RunControl())
    assert ran == ["one", "two"]
    assert await app.ainvoke(None, config) == {"one": "done", "two": "done", "three": "done"}
    assert ran == ["one", "two", "three"]


def test_a_tool_whose_subgraph_drains_is_paused_not_failed():
    from langgraph_lite.graph.message import MessagesState
    from langgraph_lite.messages import AIMessage
    from langgraph_lite.prebuilt import ToolNode
    from langgraph_lite.tools import tool

    ran: list[str] = []
    worker = three_steps(ran).compile()

    @tool
    def delegate() -> str:
        """Runs a three-step graph."""
        return str(worker.invoke({}))

    def model(state):
        call = {"name": "delegate", "args": {}, "id": "c1"}
        return {"messages": [AIMessage(content="", tool_calls=[call])]}

    builder = StateGraph(MessagesState)
    builder.add_node("model", model)
    builder.add_node("tools", ToolNode([delegate]))
    builder.add_edge(START, "model")
    builder.add_edge("model", "tools")
    app = builder.compile()
    seen = []
    with pytest.raises(GraphDrained):
        for chunk in app.stream({"messages": []}, stream_mode="tools", control=RunControl()):
            seen.append(chunk["event"])
    assert seen == ["tool-started"]  # no tool-error: it runs again when the run resumes
