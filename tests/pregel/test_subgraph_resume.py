"""Resuming a subgraph's question after the parent's state was edited.

Expected values were observed by running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, interrupt


class S(TypedDict):
    x: Annotated[list, operator.add]


def _graph(asked: list[str]) -> Any:
    def ask(s: S) -> dict[str, Any]:
        asked.append("ask")
        return {"x": [f"answer:{interrupt('q?')}"]}

    sub = StateGraph(S).add_node("ask", ask).add_node("after", lambda s: {"x": ["after"]})
    sub.add_edge(START, "ask").add_edge("ask", "after")
    builder = StateGraph(S).add_node("pre", lambda s: {"x": ["pre"]})
    builder.add_node("sub", sub.compile()).add_edge(START, "pre").add_edge("pre", "sub")
    return builder.compile(checkpointer=InMemorySaver())


def test_an_answer_after_the_parent_was_edited_goes_to_the_restarted_subgraphs_question():
    asked: list[str] = []
    graph = _graph(asked)
    thread = {"configurable": {"thread_id": "1"}}
    graph.invoke({"x": ["in"]}, thread)
    graph.update_state(thread, {"x": ["edit"]})
    # the edit makes the subgraph task new: it starts again from the edited state, and the
    # question it asks again takes the answer (not one more stop for the same question)
    state = graph.get_state(thread)
    assert state.next == ("sub",) and state.tasks[0].interrupts == ()
    chunks = list(graph.stream(Command(resume="yes"), thread, subgraphs=True))
    assert [(len(ns), chunk) for ns, chunk in chunks] == [
        (1, {"ask": {"x": ["answer:yes"]}}),
        (1, {"after": {"x": ["after"]}}),
        (0, {"sub": {"x": ["in", "pre", "edit", "answer:yes", "after"]}}),
    ]
    assert graph.get_state(thread).values == {
        "x": ["in", "pre", "edit", "in", "pre", "edit", "answer:yes", "after"]
    }
    assert asked == ["ask", "ask"]


def test_one_answer_goes_to_one_question_the_next_restarted_subgraph_asks_again():
    asked: list[str] = []
    graph = _graph(asked)
    thread = {"configurable": {"thread_id": "2"}}
    graph.invoke({"x": ["in"]}, thread)
    graph.update_state(thread, {"x": ["edit"]})
    graph.invoke(Command(resume="yes"), thread)
    # a new question after the answer was used stops the run again
    graph.update_state(thread, {"x": ["again"]}, as_node="pre")
    out = graph.invoke(None, thread)
    assert [i.value for i in out["__interrupt__"]] == ["q?"]
    assert graph.invoke(Command(resume="no"), thread)["x"][-2:] == ["answer:no", "after"]


def test_a_subgraph_task_not_started_yet_shows_an_empty_snapshot_of_its_namespace():
    sub = StateGraph(S).add_node("inner", lambda s: {"x": ["inner"]}).add_edge(START, "inner")
    builder = StateGraph(S).add_node("pre", lambda s: {"x": ["pre"]})
    builder.add_node("sub", sub.compile()).add_edge(START, "pre").add_edge("pre", "sub")
    graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["sub"])
    thread = {"configurable": {"thread_id": "3"}}
    graph.invoke({"x": []}, thread)
    (task,) = graph.get_state(thread, subgraphs=True).tasks
    state = task.state
    assert (state.values, state.next, state.tasks, state.metadata) == ({}, (), (), None)
    ns = state.config["configurable"]["checkpoint_ns"]
    assert ns == f"sub:{task.id}"
    # without subgraphs=True: the config that names where it will be saved
    (task,) = graph.get_state(thread).tasks
    assert task.state == {"configurable": {"thread_id": "3", "checkpoint_ns": ns}}
