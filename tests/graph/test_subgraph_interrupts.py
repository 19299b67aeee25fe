"""interrupt() inside a subgraph stops the parent and resumes through it."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, interrupt


class Log(TypedDict):
    log: Annotated[list, operator.add]


def build(calls):
    def child(state):
        calls.append("child")
        return {"log": [interrupt("first?"), interrupt("second?")]}

    inner = StateGraph(Log)
    inner.add_node("child", child)
    inner.add_edge(START, "child")
    outer = StateGraph(Log)
    outer.add_node("sub", inner.compile())
    outer.add_node("after", lambda s: {"log": ["after"]})
    outer.add_edge(START, "sub")
    outer.add_edge("sub", "after")
    return outer.compile(checkpointer=InMemorySaver())


def test_an_interrupt_in_a_subgraph_stops_the_parent_and_resumes_in_order():
    calls = []
    graph = build(calls)
    config = {"configurable": {"thread_id": "sub-1"}}
    first = graph.invoke({"log": []}, config)
    assert [i.value for i in first["__interrupt__"]] == ["first?"]
    assert graph.get_state(config).next == ("sub",)
    second = graph.invoke(Command(resume="A"), config)
    assert [i.value for i in second["__interrupt__"]] == ["second?"]
    assert graph.invoke(Command(resume="B"), config) == {"log": ["A", "B", "after"]}
    assert calls == ["child", "child", "child"]


@pytest.mark.anyio
async def test_an_interrupt_in_a_subgraph_resumes_under_ainvoke():
    calls = []
    graph = build(calls)
    config = {"configurable": {"thread_id": "sub-2"}}
    await graph.ainvoke({"log": []}, config)
    await graph.ainvoke(Command(resume="A"), config)
    assert await graph.ainvoke(Command(resume="B"), config) == {"log": ["A", "B", "after"]}


def test_a_subgraph_of_a_persisted_graph_is_saved_under_its_own_namespace_and_resumes():
    calls = []

    def first(state):
        calls.append("first")
        return {"log": ["first"]}

    def ask(state):
        calls.append("ask")
        return {"log": [interrupt("ok?")]}

    inner = StateGraph(Log)
    inner.add_node("first", first)
    inner.add_node("ask", ask)
    inner.add_edge(START, "first")
    inner.add_edge("first", "ask")
    outer = StateGraph(Log)
    outer.add_node("sub", inner.compile())
    outer.add_edge(START, "sub")
    saver = InMemorySaver()
    graph = outer.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "ns-1"}}

    graph.invoke({"log": []}, config)
    namespaces = {t.config["configurable"]["checkpoint_ns"] for t in saver.list(config)}
    (sub_ns,) = namespaces - {""}
    assert sub_ns.startswith("sub:")
    result = graph.invoke(Command(resume="yes"), config)
    assert result == {"log": ["first", "yes"]}
    # the subgraph went on from its own checkpoint: 'first' did not run again
    assert calls == ["first", "ask", "ask"]


def test_get_state_with_subgraphs_nests_the_interrupted_subgraphs_snapshot():
    graph = build([])
    config = {"configurable": {"thread_id": "nest-1"}}
    graph.invoke({"log": []}, config)
    (task,) = graph.get_state(config).tasks
    assert task.state["configurable"]["checkpoint_ns"].startswith("sub:")
    (task,) = graph.get_state(config, subgraphs=True).tasks
    inner = task.state
    assert inner.next == ("child",)
    assert [i.value for i in inner.interrupts] == ["first?"]
    assert inner.config["configurable"]["checkpoint_ns"].startswith("sub:")
