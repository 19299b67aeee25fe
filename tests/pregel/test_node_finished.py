"""``configurable["__pregel_node_finished"]`` (LangGraph's ``CONFIG_KEY_NODE_FINISHED``) is
called with each node that finishes without error, in the order they finish, subgraphs' nodes
included; not for a node that fails, interrupts or is tagged ``langsmith:hidden``. The orders
below are LangGraph 1.2.22's for the same graphs."""

import operator
from typing import Annotated, TypedDict

import pytest

from langgraph_lite._internal._constants import CONFIG_KEY_NODE_FINISHED
from langgraph_lite.channels import LastValue
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.constants import TAG_HIDDEN
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.pregel import NodeBuilder, Pregel
from langgraph_lite.types import Command, Send, interrupt

pytestmark = pytest.mark.anyio


class Log(TypedDict):
    k: Annotated[list, operator.add]


def chain(*nodes):
    builder, prev = StateGraph(Log), START
    for name, body in nodes:
        builder.add_node(name, body)
        builder.add_edge(prev, name)
        prev = name
    builder.add_edge(prev, END)
    return builder


def step(name):
    return name, lambda state: {"k": [name]}


def nested():
    grand = chain(step("g1"), ("g2", lambda state: {"k": [interrupt("q")]})).compile()
    child = chain(step("c1"), ("grandchild", grand), step("c2")).compile()
    return chain(step("p1"), ("child", child), step("p2")).compile(checkpointer=InMemorySaver())


def test_nested_subgraphs_report_their_nodes_across_an_interrupt():
    app, nodes = nested(), []
    config = {"configurable": {"thread_id": "1", CONFIG_KEY_NODE_FINISHED: nodes.append}}
    app.invoke({"k": []}, config)
    assert nodes == ["p1", "c1", "g1"]
    app.invoke(Command(resume="answer"), config)
    assert nodes == ["p1", "c1", "g1", "g2", "grandchild", "c2", "child", "p2"]


async def test_async_runs_report_them_too():
    app, nodes = nested(), []
    config = {"configurable": {"thread_id": "1", CONFIG_KEY_NODE_FINISHED: nodes.append}}
    await app.ainvoke({"k": []}, config)
    await app.ainvoke(Command(resume="answer"), config)
    assert nodes == ["p1", "c1", "g1", "g2", "grandchild", "c2", "child", "p2"]


def test_parallel_and_sent_tasks_are_reported_and_a_failing_one_is_not():
    def boom(state):
        raise ValueError("no")

    builder = StateGraph(Log)
    builder.add_node("a", lambda state: {"k": ["a"]})
    builder.add_node("b", lambda state: {"k": ["b"]})
    builder.add_node("w", lambda state: {"k": ["w"]})
    builder.add_node("bad", boom)
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_conditional_edges("a", lambda state: [Send("w", state), Send("w", state)])
    builder.add_edge("w", "bad")
    nodes = []
    with pytest.raises(ValueError, match="no"):
        builder.compile().invoke(
            {"k": []}, {"configurable": {CONFIG_KEY_NODE_FINISHED: nodes.append}}
        )
    assert sorted(nodes) == ["a", "b", "w", "w"]


def test_a_hidden_node_is_not_reported():
    seen = NodeBuilder().subscribe_only("a").do(lambda x: x + 1).write_to("b")
    unseen = NodeBuilder().subscribe_only("b").do(lambda x: x * 2).write_to("c").meta(TAG_HIDDEN)
    app = Pregel(
        nodes={"seen": seen, "unseen": unseen},
        channels={"a": LastValue(int), "b": LastValue(int), "c": LastValue(int)},
        input_channels="a",
        output_channels="c",
    )
    nodes = []
    assert app.invoke(1, {"configurable": {CONFIG_KEY_NODE_FINISHED: nodes.append}}) == 4
    assert nodes == ["seen"]
