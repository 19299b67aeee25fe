"""Root state schemas: ``StateGraph(int)`` or ``StateGraph(Annotated[list, operator.add])``.

The whole state is one value (the ``__root__`` channel); nodes take and return the value itself.
Every expected value here was first observed by running the same program on LangGraph 1.2.22.
"""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import EmptyInputError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command

Log = Annotated[list, operator.add]


def log_chain():
    builder = StateGraph(Log)
    builder.add_node("a", lambda s: ["a"])
    builder.add_node("b", lambda s: ["b" + str(len(s))])
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    return builder.compile()


def int_chain(**compile_kw):
    builder = StateGraph(int)
    builder.add_node("inc", lambda s: s + 1)
    builder.add_node("dbl", lambda s: s * 2)
    builder.add_edge(START, "inc")
    builder.add_edge("inc", "dbl")
    return builder.compile(**compile_kw)


def test_a_reducer_root_state_merges_what_nodes_return():
    assert log_chain().invoke(["x"]) == ["x", "a", "b2"]


def test_a_root_state_streams_updates_and_values_as_the_value_itself():
    app = log_chain()
    assert list(app.stream(["x"])) == [{"a": ["a"]}, {"b": ["b2"]}]
    assert list(app.stream(["x"], stream_mode="values")) == [
        ["x"],
        ["x", "a"],
        ["x", "a", "b2"],
    ]


def test_a_root_state_reports_task_results_under_the_root_key():
    results = [c["result"] for c in log_chain().stream(["x"], stream_mode="tasks") if "result" in c]
    assert results == [{"__root__": ["a"]}, {"__root__": ["b2"]}]


def test_a_root_graph_has_one_state_channel_that_it_reads_and_returns():
    app = log_chain()
    assert sorted(app.channels) == [
        "__pregel_tasks",
        "__root__",
        "__start__",
        "branch:to:a",
        "branch:to:b",
    ]
    assert app.output_channels == "__root__"
    assert app.stream_channels == "__root__"


def test_a_plain_type_root_state_is_the_last_value_written():
    app = int_chain(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    assert app.invoke(3, config) == 8
    assert app.get_state(config).values == 8
    app.update_state(config, 100)
    assert app.get_state(config).values == 100


def test_a_plain_type_root_state_streams_several_modes():
    chunks = list(int_chain().stream(3, stream_mode=["updates", "values"]))
    assert chunks == [
        ("values", 3),
        ("updates", {"inc": 4}),
        ("values", 4),
        ("updates", {"dbl": 8}),
        ("values", 8),
    ]


def test_no_input_for_a_root_graph_is_an_empty_input_error():
    with pytest.raises(EmptyInputError):
        int_chain().invoke(None)


def test_a_node_returning_none_writes_nothing_to_a_root_state():
    builder = StateGraph(str)
    builder.add_node("n", lambda s: None)
    builder.add_edge(START, "n")
    chunks = list(builder.compile().stream("hi", stream_mode=["updates", "values"]))
    assert chunks == [("values", "hi"), ("updates", {"n": None})]


def test_a_dict_returned_to_a_plain_root_state_is_the_new_value():
    builder = StateGraph(int)
    builder.add_node("n", lambda s: {"x": 1})
    builder.add_edge(START, "n")
    assert builder.compile().invoke(1) == {"x": 1}


def test_a_command_update_on_a_root_state_writes_the_value():
    builder = StateGraph(int)
    builder.add_node("n", lambda s: Command(update=s + 1, goto="m"))
    builder.add_node("m", lambda s: s * 10)
    builder.add_edge(START, "n")
    assert list(builder.compile().stream(1)) == [{"n": 2}, {"m": 20}]


def test_parallel_nodes_and_a_join_merge_into_a_root_reducer():
    builder = StateGraph(Log)
    for name in "abc":
        builder.add_node(name, lambda s, name=name: [name])
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_edge(["a", "b"], "c")
    assert builder.compile().invoke([]) == ["a", "b", "c"]


def test_a_conditional_edge_reads_the_root_value():
    builder = StateGraph(Log)
    for name in "xyz":
        builder.add_node(name, lambda s, name=name: [name])
    builder.add_edge(START, "x")
    builder.add_conditional_edges("x", lambda s: "y" if len(s) > 1 else "z")
    assert builder.compile().invoke(["i"]) == ["i", "x", "y"]


def test_a_root_subgraph_node_returns_its_whole_value_to_the_parent():
    inner = StateGraph(Log)
    inner.add_node("i", lambda s: ["inner"])
    inner.add_edge(START, "i")
    outer = StateGraph(Log)
    outer.add_node("sub", inner.compile())
    outer.add_node("o", lambda s: ["outer"])
    outer.add_edge(START, "sub")
    outer.add_edge("sub", "o")
    app = outer.compile()
    assert app.invoke(["x"]) == ["x", "x", "inner", "outer"]
    chunks = [(len(ns), c) for ns, c in app.stream(["x"], subgraphs=True)]
    assert chunks == [(1, {"i": ["inner"]}), (0, {"sub": ["x", "inner"]}), (0, {"o": ["outer"]})]


@pytest.mark.anyio
async def test_a_root_state_streams_the_same_values_through_astream():
    chunks = [c async for c in log_chain().astream(["x"], stream_mode="values")]
    assert chunks == [["x"], ["x", "a"], ["x", "a", "b2"]]


def test_a_node_alone_takes_and_returns_the_root_value():
    assert int_chain().nodes["inc"].invoke(5) == 6


def test_a_node_annotated_with_a_plain_dict_reads_the_keyed_state():
    class State(TypedDict):
        a: int

    def bump(state: dict):
        return {"a": state["a"] + 1}

    builder = StateGraph(State)
    builder.add_node("bump", bump)
    builder.add_edge(START, "bump")
    assert builder.compile().invoke({"a": 1}) == {"a": 2}
