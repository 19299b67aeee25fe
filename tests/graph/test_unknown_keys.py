"""Keys the state does not have are dropped, as LangGraph 1.2.22 drops them.

Every expected value here was first observed by running the same program on LangGraph.
"""

import logging

import pydantic
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command


class State(TypedDict):
    a: int


def one_node(fn, schema=State):
    builder = StateGraph(schema)
    builder.add_node("n", fn)
    builder.add_edge(START, "n")
    return builder.compile()


def test_a_key_a_node_returns_that_the_state_lacks_is_dropped():
    app = one_node(lambda s: {"a": 1, "zzz": 2})
    assert app.invoke({"a": 0}) == {"a": 1}
    assert list(app.stream({"a": 0})) == [{"n": {"a": 1}}]


def test_a_node_returning_only_unknown_keys_updates_nothing():
    app = one_node(lambda s: {"zzz": 2})
    assert list(app.stream({"a": 0})) == [{"n": None}]
    assert list(app.stream({"a": 0}, stream_mode="values")) == [{"a": 0}]


def test_dropped_keys_are_named_in_a_debug_log(caplog):
    app = one_node(lambda s: {"a": 1, "zzz": 2})
    with caplog.at_level(logging.DEBUG, logger="langgraph_lite"):
        app.invoke({"a": 0})
    assert "'zzz'" in caplog.text


def test_a_command_update_with_an_unknown_key_keeps_the_known_ones():
    app = one_node(lambda s: Command(update={"a": 1, "zzz": 2}))
    assert app.invoke({"a": 0}) == {"a": 1}


def test_an_input_key_the_graph_lacks_is_dropped():
    app = one_node(lambda s: {"a": s["a"] + 1})
    assert app.invoke({"a": 0, "zzz": 5}) == {"a": 1}
    assert list(app.stream({"a": 0, "zzz": 5}, stream_mode="values")) == [{"a": 0}, {"a": 1}]


def test_an_input_of_only_unknown_keys_runs_the_graph_with_an_empty_state():
    # LangGraph runs the node, which then fails reading the missing key.
    app = one_node(lambda s: {"a": s["a"] + 1})
    with pytest.raises(KeyError, match="'a'"):
        app.invoke({"zzz": 5})


def test_input_keys_outside_the_input_schema_are_dropped_whether_state_keys_or_not():
    class Input(TypedDict):
        a: int

    class Full(TypedDict):
        a: int
        b: int

    builder = StateGraph(Full, input_schema=Input)
    builder.add_node("n", lambda s: {"b": s.get("b", 0) + 1})
    builder.add_edge(START, "n")
    app = builder.compile()
    assert app.invoke({"a": 0, "b": 7}) == {"a": 0, "b": 1}
    assert app.invoke({"a": 0, "zzz": 7}) == {"a": 0, "b": 1}


def test_pydantic_states_drop_unknown_keys_of_input_and_updates():
    class Model(pydantic.BaseModel):
        a: int

    app = one_node(lambda s: {"a": s.a + 1, "zzz": 2}, Model)
    assert app.invoke({"a": 0}) == {"a": 1}
    assert app.invoke({"a": 0, "zzz": 3}) == {"a": 1}


def test_update_state_drops_unknown_keys():
    builder = StateGraph(State)
    builder.add_node("n", lambda s: {"a": 1})
    builder.add_edge(START, "n")
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    app.invoke({"a": 0}, config)
    app.update_state(config, {"a": 5, "zzz": 2})
    assert app.get_state(config).values == {"a": 5}
    app.update_state(config, {"zzz": 2}, as_node="n")
    assert app.get_state(config).values == {"a": 5}


class Sub(TypedDict):
    a: int
    private: str


def sub_graph():
    builder = StateGraph(Sub)
    builder.add_node("s1", lambda s: {"private": "p", "a": s["a"] + 10})
    builder.add_node("s2", lambda s: {"a": s["a"] + 1})
    builder.add_edge(START, "s1")
    builder.add_edge("s1", "s2")
    return builder.compile()


def parent_of(sub):
    builder = StateGraph(State)
    builder.add_node("sub", sub)
    builder.add_edge(START, "sub")
    return builder.compile()


def test_a_subgraph_node_with_private_keys_hands_back_only_the_shared_ones():
    app = parent_of(sub_graph())
    assert app.invoke({"a": 1}) == {"a": 12}
    assert list(app.stream({"a": 1})) == [{"sub": {"a": 12}}]


def test_a_subgraph_streams_its_private_keys_inside_its_own_namespace():
    chunks = list(parent_of(sub_graph()).stream({"a": 1}, subgraphs=True))
    assert [(len(ns), update) for ns, update in chunks] == [
        (1, {"s1": {"private": "p", "a": 11}}),
        (1, {"s2": {"a": 12}}),
        (0, {"sub": {"a": 12}}),
    ]
    assert chunks[0][0][0].startswith("sub:")


@pytest.mark.anyio
async def test_a_subgraph_with_private_keys_runs_the_same_under_ainvoke():
    assert await parent_of(sub_graph()).ainvoke({"a": 1}) == {"a": 12}
