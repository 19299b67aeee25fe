"""A task's result in the ``tasks`` and ``debug`` streams names every state key it wrote, even
when the run reports fewer (``output_keys``, a subgraph's output schema), as LangGraph does;
``updates`` and ``values`` keep to the keys asked for."""

import operator
from typing import Annotated, TypedDict

from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Send


class State(TypedDict):
    a: int
    b: int


class Out(TypedDict):
    b: int


def graph():
    return (
        StateGraph(State, output_schema=Out)
        .add_node("x", lambda s: {"a": 1, "b": 2})
        .add_edge(START, "x")
        .compile()
    )


def results(chunks, mode):
    if mode == "tasks":
        return [c["result"] for c in chunks if "result" in c]
    return [c["payload"]["result"] for c in chunks if c["type"] == "task_result"]


def test_output_keys_narrow_updates_and_values_but_not_task_results():
    app = graph()
    chunks = list(app.stream({"a": 0}, stream_mode=["updates", "values"], output_keys=["a"]))
    assert chunks == [("values", {"a": 0}), ("updates", {"x": {"a": 1}}), ("values", {"a": 1})]
    for mode in ("tasks", "debug"):
        got = results(list(app.stream({"a": 0}, stream_mode=mode, output_keys=["a"])), mode)
        assert got == [{"a": 1, "b": 2}]


def test_a_subgraphs_task_result_names_keys_outside_its_output_schema():
    class Sub(TypedDict):
        subject: str
        jokes: list

    class SubOut(TypedDict):
        jokes: list

    class Parent(TypedDict):
        subjects: list
        jokes: Annotated[list, operator.add]

    sub = (
        StateGraph(Sub, output_schema=SubOut)
        .add_node("edit", lambda s: {"subject": s["subject"] + "!"})
        .add_node("gen", lambda s: {"jokes": [s["subject"]]})
        .add_edge(START, "edit")
        .add_edge("edit", "gen")
        .compile()
    )
    parent = (
        StateGraph(Parent)
        .add_node("sub", sub)
        .add_conditional_edges(
            START, lambda s: [Send("sub", {"subject": x}) for x in s["subjects"]]
        )
        .compile()
    )
    found = [
        (bool(ns), c["payload"]["name"], c["payload"]["result"])
        for ns, _, c in parent.stream({"subjects": ["a"]}, stream_mode=["debug"], subgraphs=True)
        if c["type"] == "task_result"
    ]
    assert found == [
        (True, "edit", {"subject": "a!"}),
        (True, "gen", {"jokes": ["a!"]}),
        (False, "sub", {"jokes": ["a!"]}),
    ]
