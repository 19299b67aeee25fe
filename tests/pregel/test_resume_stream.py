"""What a resumed run streams first, and how many steps it may take.

Expected values were observed by running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import GraphRecursionError
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.managed import RemainingSteps
from langgraph_lite.types import Command, interrupt


class S(TypedDict):
    x: Annotated[list, operator.add]


def _step_graph(fail: list[bool]) -> Any:
    """START → a, b (b asks) → c (fails while fail[0]) → a subgraph that asks."""

    def c(s: S) -> dict[str, Any]:
        if fail[0]:
            raise ValueError("boom")
        return {"x": ["c"]}

    sub = StateGraph(S).add_node("ask2", lambda s: {"x": [interrupt("q2")]})
    builder = StateGraph(S).add_node("a", lambda s: {"x": ["a"]})
    builder.add_node("b", lambda s: {"x": [interrupt("q")]}).add_node("c", c)
    builder.add_node("sub", sub.add_edge(START, "ask2").compile())
    builder.add_edge(START, "a").add_edge(START, "b").add_edge(["a", "b"], "c")
    builder.add_edge("c", "sub")
    return builder.compile(checkpointer=InMemorySaver())


def _tasks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for task in payload["tasks"]:
        task = {k: v for k, v in task.items() if k not in ("id", "state")}
        if "interrupts" in task:
            task["interrupts"] = [i["value"] for i in task["interrupts"]]
        out.append(task)
    return out


def test_a_resumed_run_first_streams_the_checkpoint_it_resumes_with_its_tasks_saved_writes():
    fail = [True]
    graph = _step_graph(fail)
    thread = {"configurable": {"thread_id": "1"}}
    graph.invoke({"x": []}, thread)
    before = graph.get_state(thread).config

    chunks: list[Any] = []
    with pytest.raises(ValueError, match="boom"):
        chunks.extend(graph.stream(Command(resume="B"), thread, stream_mode="checkpoints"))
    first = chunks[0]
    assert first["config"] == before
    assert (first["metadata"]["step"], first["next"], first["values"]) == (0, ["a", "b"], {"x": []})
    # the task that finished shows its result, the one that asked its question
    assert _tasks(first) == [
        {"name": "a", "result": {"x": ["a"]}, "interrupts": []},
        {"name": "b", "interrupts": ["q"]},
    ]
    fail[0] = False
    debug = list(graph.stream(None, thread, stream_mode="debug"))
    assert debug[0]["type"] == "checkpoint" and debug[0]["step"] == 1
    # a failed task shows its error (and no interrupts)
    assert _tasks(debug[0]["payload"]) == [{"name": "c", "error": "ValueError('boom')"}]

    # a subgraph continuing its saved run streams its own checkpoint too
    got = list(graph.stream(Command(resume="S"), thread, stream_mode="checkpoints", subgraphs=True))
    assert [(len(ns), c["metadata"]["step"], c["next"]) for ns, c in got] == [
        (0, 2, ["sub"]),
        (1, 0, ["ask2"]),
        (1, 1, []),
        (0, 3, []),
    ]
    assert _tasks(got[0][1]) == [{"name": "sub", "interrupts": ["q2"]}]
    assert _tasks(got[1][1]) == [{"name": "ask2", "interrupts": ["q2"]}]


def test_the_checkpoint_streamed_first_shows_a_command_update_and_a_finished_thread_shows_itself():
    class XY(TypedDict):
        x: int
        y: int

    builder = StateGraph(XY).add_node("ask", lambda s: {"x": s["x"] + interrupt("q")})
    graph = builder.add_edge(START, "ask").compile(checkpointer=InMemorySaver())
    thread = {"configurable": {"thread_id": "1"}}
    graph.invoke({"x": 1, "y": 0}, thread)
    chunks = list(
        graph.stream(Command(resume=5, update={"y": 9}), thread, stream_mode="checkpoints")
    )
    assert [(c["metadata"]["step"], c["values"]) for c in chunks] == [
        (0, {"x": 1, "y": 9}),
        (1, {"x": 6, "y": 9}),
    ]
    again = list(graph.stream(None, thread, stream_mode="checkpoints"))
    assert [(c["metadata"]["step"], c["next"], c["values"]) for c in again] == [
        (1, [], {"x": 6, "y": 9})
    ]


class Counting(TypedDict):
    x: int
    steps_left: RemainingSteps


def test_a_resumed_run_may_take_one_step_more_than_a_new_input_which_is_a_step_itself():
    seen: list[tuple[str, int]] = []

    def ask(s: Counting) -> dict[str, Any]:
        interrupt("q")
        seen.append(("ask", s["steps_left"]))
        return {"x": s["x"] + 1}

    def again(s: Counting) -> dict[str, Any]:
        seen.append(("again", s["steps_left"]))
        return {"x": s["x"] + 1}

    builder = StateGraph(Counting).add_node("ask", ask).add_node("again", again)
    builder.add_edge(START, "ask").add_edge("ask", "again")
    builder.add_conditional_edges("again", lambda s: "again" if s["x"] < 100 else END)
    graph = builder.compile(checkpointer=InMemorySaver())
    thread = {"configurable": {"thread_id": "1"}, "recursion_limit": 5}
    graph.invoke({"x": 0}, thread)
    with pytest.raises(GraphRecursionError):
        graph.invoke(Command(resume=1), thread)
    assert seen == [("ask", 6), ("again", 5), ("again", 4), ("again", 3), ("again", 2),
                    ("again", 1), ("again", 0)]  # fmt: skip
    assert graph.get_state(thread).metadata["step"] == 7
