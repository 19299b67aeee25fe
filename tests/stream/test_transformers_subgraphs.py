"""run.subgraphs, run.lifecycle and the opt-in data projections, through real graphs."""

from __future__ import annotations

import operator
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.config import get_stream_writer
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.pregel._tools import _tool_call_writer
from langgraph_lite.stream import (
    CheckpointsTransformer,
    DebugTransformer,
    SubgraphTransformer,
    TasksTransformer,
)
from langgraph_lite.stream._mux import StreamMux
from langgraph_lite.types import interrupt


class State(TypedDict):
    items: Annotated[list[str], operator.add]


def _leaf(tag: str) -> Any:
    def node(state: State) -> dict[str, Any]:
        get_stream_writer()({"from": tag})
        return {"items": [tag]}

    return node


def _nested() -> Any:
    inner = StateGraph(State).add_node("leaf", _leaf("inner")).add_edge(START, "leaf").compile()
    middle = StateGraph(State).add_node("inner", inner).add_edge(START, "inner").compile()
    return StateGraph(State).add_node("middle", middle).add_edge(START, "middle").compile()


def test_each_level_lists_its_direct_children_and_their_values() -> None:
    run = _nested().stream_events({"items": []}, version="v3")
    found = []
    # A projection keeps items only once read: each handle is read as it is handed out.
    for middle in run.subgraphs:
        assert middle.graph_name == "middle" and middle.path[0].startswith("middle:")
        assert middle.trigger_call_id == middle.path[0].split(":", 1)[1]
        for inner in middle.subgraphs:
            assert inner.path[:1] == middle.path and inner.graph_name == "inner"
            found.append(list(inner.values)[-1])
            assert inner.status == "completed"
        assert middle.status == "completed"
    assert found == [{"items": ["inner"]}]
    assert run.output == {"items": ["inner"]}


def test_lifecycle_reports_every_depth_in_order() -> None:
    run = _nested().stream_events({"items": []}, version="v3")
    payloads = [(p["event"], len(p["namespace"])) for p in run.lifecycle]
    assert payloads == [("started", 1), ("started", 2), ("completed", 2), ("completed", 1)]


def test_lifecycle_events_are_in_the_main_log_and_tasks_events_are_not() -> None:
    methods = {e["method"] for e in _nested().stream_events({"items": []}, version="v3")}
    assert "lifecycle" in methods and "tasks" not in methods


def test_a_failing_subgraph_fails_its_handle_with_the_error_text() -> None:
    def boom(state: State) -> dict[str, Any]:
        raise ValueError("inner broke")

    inner = StateGraph(State).add_node("boom", boom).add_edge(START, "boom").compile()
    graph = StateGraph(State).add_node("sub", inner).add_edge(START, "sub").compile()
    run = graph.stream_events({"items": []}, version="v3")
    handles = []
    with pytest.raises(ValueError, match="inner broke"):
        for handle in run.subgraphs:
            handles.append(handle)
    (handle,) = handles
    assert handle.status == "failed"


def test_an_interrupted_subgraph_is_reported_interrupted() -> None:
    def ask(state: State) -> dict[str, Any]:
        return {"items": [interrupt("ok?")]}

    inner = StateGraph(State).add_node("ask", ask).add_edge(START, "ask").compile()
    graph = (
        StateGraph(State)
        .add_node("sub", inner)
        .add_edge(START, "sub")
        .compile(checkpointer=InMemorySaver())
    )
    run = graph.stream_events({"items": []}, {"configurable": {"thread_id": "t"}}, version="v3")
    assert [p["event"] for p in run.lifecycle] == ["started", "interrupted"]


def test_a_mux_of_instances_lists_no_handles() -> None:
    mux = StreamMux([SubgraphTransformer()], is_async=False)  # no factories: nothing to copy
    mux.extensions["subgraphs"]._subscribed = True
    mux.push({"type": "event", "method": "tasks", "params": {"namespace": ["a:1"], "timestamp": 0,
              "data": {"id": "x", "name": "n", "input": None, "triggers": []}}})  # fmt: skip
    assert list(mux.extensions["subgraphs"]._items) == []


@pytest.mark.anyio
async def test_an_async_run_gives_async_handles_that_fill_as_the_run_goes() -> None:
    run = await _nested().astream_events({"items": []}, version="v3")
    seen = []
    async for middle in run.subgraphs:
        async for inner in middle.subgraphs:
            seen.append([v async for v in inner.values][-1])
        assert middle.status == "completed"
    assert seen == [{"items": ["inner"]}]


def test_opt_in_projections_get_their_modes() -> None:
    graph = StateGraph(State).add_node("a", _leaf("a")).add_edge(START, "a").add_edge("a", END)
    graph = graph.compile(checkpointer=InMemorySaver())
    run = graph.stream_events(
        {"items": []},
        {"configurable": {"thread_id": "1"}},
        version="v3",
        transformers=[TasksTransformer, CheckpointsTransformer, DebugTransformer],
    )
    readers = iter(run.tasks), iter(run.checkpoints), iter(run.debug)  # read from the start
    tasks, checkpoints, debug = (list(r) for r in readers)
    assert [("result" in t, t["name"]) for t in tasks] == [(False, "a"), (True, "a")]
    assert checkpoints and all({"config", "values", "next"} <= set(c) for c in checkpoints)
    assert {d["type"] for d in debug} >= {"checkpoint", "task", "task_result"}


def test_the_tool_call_writer_is_unset_outside_a_tool() -> None:
    assert _tool_call_writer.get() is None
