"""When chunks are handed out relative to the node code that makes them (observed on 1.2.22)."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.messages import AIMessage
from langgraph_lite.types import Command, Send, interrupt


class S(TypedDict):
    x: str


def recording_chain(ran, checkpointer=None, ask=False):
    def a(s):
        ran.append("a")
        return {"x": "a"}

    def b(s):
        ran.append("b")
        return {"x": s["x"] + (interrupt("q") if ask else "b")}

    def c(s):
        ran.append("c")
        return {"x": s["x"] + "c"}

    builder = StateGraph(S).add_node(a).add_node(b).add_node(c)
    builder.add_edge(START, "a").add_edge("a", "b").add_edge("b", "c")
    return builder.compile(checkpointer=checkpointer)


@pytest.mark.parametrize("mode", ["tasks", "debug"])
def test_a_tasks_start_event_is_handed_out_before_the_task_runs(mode):
    ran = []
    seen = []
    for chunk in recording_chain(ran).stream({"x": ""}, stream_mode=mode):
        payload = chunk["payload"] if mode == "debug" else chunk
        seen.append((payload["name"], "result" in payload, list(ran)))
    assert seen == [
        ("a", False, []),
        ("a", True, ["a"]),
        ("b", False, ["a"]),
        ("b", True, ["a", "b"]),
        ("c", False, ["a", "b"]),
        ("c", True, ["a", "b", "c"]),
    ]


@pytest.mark.anyio
async def test_a_tasks_start_event_is_handed_out_before_the_task_runs_async():
    ran = []
    seen = []
    async for chunk in recording_chain(ran).astream({"x": ""}, stream_mode="tasks"):
        seen.append((chunk["name"], "result" in chunk, len(ran)))
    assert seen == [("a", False, 0), ("a", True, 1), ("b", False, 1), ("b", True, 2),
                    ("c", False, 2), ("c", True, 3)]  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "first", "ran_before"),
    [
        ("values", {"x": "a"}, []),
        (["values", "updates"], ("values", {"x": "a"}), []),
        ("updates", {"b": {"x": "a!"}}, ["b"]),
    ],
)
def test_on_resume_the_first_chunk_comes_before_the_next_node_runs(mode, first, ran_before):
    ran = []
    graph = recording_chain(ran, InMemorySaver(), ask=True)
    config = {"configurable": {"thread_id": "1"}}
    graph.invoke({"x": ""}, config)
    ran.clear()
    stream = graph.stream(Command(resume="!"), config, stream_mode=mode)
    assert next(stream) == first
    assert ran == ran_before
    stream.close()
    assert ran == ran_before  # stopping there starts nothing new


def test_on_resume_a_tasks_start_comes_before_the_task_runs_again():
    ran = []
    graph = recording_chain(ran, InMemorySaver(), ask=True)
    config = {"configurable": {"thread_id": "1"}}
    graph.invoke({"x": ""}, config)
    ran.clear()
    stream = graph.stream(Command(resume="!"), config, stream_mode="tasks")
    assert next(stream)["name"] == "b"
    assert ran == []
    stream.close()


@pytest.mark.anyio
async def test_on_resume_the_first_chunk_comes_before_the_next_node_runs_async():
    ran = []
    graph = recording_chain(ran, InMemorySaver(), ask=True)
    config = {"configurable": {"thread_id": "1"}}
    await graph.ainvoke({"x": ""}, config)
    ran.clear()
    stream = graph.astream(Command(resume="!"), config, stream_mode="values")
    assert await stream.__anext__() == {"x": "a"}
    assert ran == []
    await stream.aclose()
    assert ran == []


class Log(TypedDict):
    x: Annotated[list, operator.add]


def sending_graph(paths):
    def fan(s):
        return [Send("w", {"x": [1]}), Send("w", {"x": [2]})]

    def w(s, config):
        paths.append(config["metadata"]["langgraph_path"])
        return {"x": [AIMessage("m")]}

    return StateGraph(Log).add_node("w", w).add_conditional_edges(START, fan).compile()


def test_a_send_tasks_path_is_push_its_index_and_false():
    paths = []
    chunks = list(sending_graph(paths).stream({"x": []}, stream_mode="messages"))
    expected = [("__pregel_push", 0, False), ("__pregel_push", 1, False)]
    assert sorted(paths) == expected
    assert sorted(metadata["langgraph_path"] for _, metadata in chunks) == expected


def test_a_send_tasks_checkpoint_namespace_and_triggers_are_unchanged():
    paths = []
    chunks = list(sending_graph(paths).stream({"x": []}, stream_mode="tasks"))
    assert [c["triggers"] for c in chunks if "input" in c] == [("__pregel_push",)] * 2
