"""A node that writes one channel several times (a list of Commands): the updates chunk lists
every value and the task result collects them under ``$writes`` (as LangGraph 1.2.22)."""

import operator
from typing import Annotated

from typing_extensions import TypedDict

from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command


def twice(state):
    return [Command(update="a1"), Command(update="a2")]


def once(state):
    return [Command(update="o1")]


def root_graph():
    builder = StateGraph(Annotated[str, operator.add]).add_sequence([twice, once])
    return builder.add_edge(START, "twice").compile()


def test_a_root_states_updates_list_each_write_of_a_node():
    graph = root_graph()
    assert graph.invoke("") == "a1a2o1"
    assert list(graph.stream("", stream_mode="updates")) == [
        {"twice": ["a1", "a2"]},
        {"once": "o1"},
    ]


def test_a_task_result_collects_a_channels_writes():
    results = [
        c["payload"]["result"]
        for c in root_graph().stream("", stream_mode="debug")
        if c["type"] == "task_result"
    ]
    assert results == [{"__root__": {"$writes": ["a1", "a2"]}}, {"__root__": "o1"}]


class S(TypedDict):
    foo: Annotated[str, operator.add]
    bar: str


def test_keyed_state_results_keep_single_writes_as_they_are():
    def node(state):
        return [Command(update={"foo": "a1"}), Command(update={"foo": "a2", "bar": {"x": 1}})]

    graph = StateGraph(S).add_node(node).add_edge(START, "node").compile()
    results = [
        c["payload"]["result"]
        for c in graph.stream({"foo": ""}, stream_mode="debug")
        if c["type"] == "task_result"
    ]
    assert results == [{"foo": {"$writes": ["a1", "a2"]}, "bar": {"x": 1}}]
