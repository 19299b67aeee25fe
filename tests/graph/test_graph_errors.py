"""Mistakes in building or running a graph raise LangGraph's exception types.

Our messages differ from LangGraph's on purpose: they name the culprit (node, key, value) and
say how to fix it. So these tests check the type LangGraph raises and that the message names
the culprit. Where we raise and LangGraph does not, the test says so.
"""

import operator
import re
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.errors import EmptyInputError, GraphRecursionError, InvalidUpdateError
from langgraph_lite.graph import END, START, StateGraph


class State(TypedDict):
    x: int
    log: Annotated[list, operator.add]


def one(state):
    return {"x": 1}


def graph_with(*nodes):
    builder = StateGraph(State)
    for name in nodes:
        builder.add_node(name, one)
    return builder


def returning(value):
    builder = StateGraph(State)
    builder.add_node("a", lambda state: value)
    builder.add_edge(START, "a")
    return builder.compile()


def routing(route, path_map=None):
    builder = graph_with("a", "b")
    builder.add_edge(START, "a")
    if path_map is None:
        builder.add_conditional_edges("a", route)
    else:
        builder.add_conditional_edges("a", route, path_map)
    return builder.compile()


# -- building -----------------------------------------------------------------------------------


def test_an_edge_to_an_unknown_node_is_named_at_compile():
    builder = graph_with("a")
    builder.add_edge(START, "a")
    builder.add_edge("a", "nope")
    with pytest.raises(ValueError, match=r"^Found edge ending at unknown node `nope`"):
        builder.compile()


def test_an_edge_from_an_unknown_node_is_named_at_compile():
    builder = graph_with("a")
    builder.add_edge(START, "a")
    builder.add_edge("nope", "a")
    with pytest.raises(ValueError, match=r"^Found edge starting at unknown node 'nope'"):
        builder.compile()


def test_a_joined_edge_from_an_unknown_node_is_named_by_add_edge():
    builder = graph_with("a")
    with pytest.raises(ValueError, match=r"^Need to add_node `zz` first"):
        builder.add_edge(["a", "zz"], "a")


def test_a_joined_edge_to_an_unknown_node_is_named_by_add_edge():
    builder = graph_with("a", "b")
    with pytest.raises(ValueError, match=r"^Need to add_node `zz` first"):
        builder.add_edge(["a", "b"], "zz")


def test_a_joined_edge_may_end_at_end():
    builder = graph_with("a")
    builder.add_edge(START, "a")
    builder.add_edge(["a"], END)
    assert builder.compile().invoke({"x": 0}) == {"x": 1, "log": []}


def test_adding_a_node_twice_is_refused_naming_it():
    builder = graph_with("a")
    with pytest.raises(ValueError, match=r"^Node `a` already present"):
        builder.add_node("a", one)


@pytest.mark.parametrize("name", [START, END])
def test_start_and_end_are_reserved_node_names(name):
    with pytest.raises(ValueError, match=name):
        StateGraph(State).add_node(name, one)


@pytest.mark.parametrize(("name", "char"), [("a|b", "|"), ("a:b", ":"), ("branch:to:x", ":")])
def test_node_names_may_not_contain_reserved_characters(name, char):
    with pytest.raises(ValueError, match=re.escape(repr(name))):
        StateGraph(State).add_node(name, one)


def test_a_graph_without_an_edge_from_start_is_refused_at_compile():
    with pytest.raises(ValueError, match="START"):
        graph_with("a").compile()
    with pytest.raises(ValueError, match="START"):
        StateGraph(State).compile()


def test_end_cannot_start_an_edge():
    with pytest.raises(ValueError, match="END"):
        graph_with("a").add_edge(END, "a")
    with pytest.raises(ValueError, match="END"):
        graph_with("a").add_edge(["a", END], "a")


def test_start_cannot_end_an_edge():
    with pytest.raises(ValueError, match="START"):
        graph_with("a").add_edge("a", START)


def test_a_conditional_edge_from_an_unknown_node_is_named_at_compile():
    builder = graph_with("a")
    builder.add_edge(START, "a")
    builder.add_conditional_edges("zz", lambda s: "a")
    with pytest.raises(ValueError, match="'zz'"):
        builder.compile()


def test_a_path_map_naming_an_unknown_node_is_refused_at_compile():
    builder = graph_with("a")
    builder.add_conditional_edges(START, lambda s: "a", {"a": "nope"})
    with pytest.raises(ValueError, match="'nope'"):
        builder.compile()


def test_two_conditional_edges_with_one_path_function_name_are_refused():
    def route(state):
        return END

    builder = graph_with("a")
    builder.add_conditional_edges("a", route)
    with pytest.raises(ValueError, match="route"):
        builder.add_conditional_edges("a", route)


def test_a_node_that_is_not_callable_is_refused_with_a_type_error():
    with pytest.raises(TypeError, match="5"):
        StateGraph(State).add_node("a", 5)


def test_a_path_that_is_not_callable_is_refused_with_a_type_error():
    with pytest.raises(TypeError):
        StateGraph(State).add_conditional_edges("a", "b")


def test_a_lambda_added_without_a_name_is_named_lambda():
    builder = StateGraph(State)
    builder.add_node(lambda state: {"x": 1})
    assert list(builder.nodes) == ["<lambda>"]


def test_add_sequence_refuses_an_empty_sequence_and_repeated_names():
    with pytest.raises(ValueError):
        StateGraph(State).add_sequence([])
    with pytest.raises(ValueError, match="'one'"):
        StateGraph(State).add_sequence([one, one])


def test_an_unreachable_node_compiles_with_a_warning_naming_it():
    # Deliberate difference: LangGraph compiles it silently.
    builder = graph_with("a", "u")
    builder.add_edge(START, "a")
    with pytest.warns(UserWarning, match="'u'"):
        app = builder.compile()
    assert app.invoke({"x": 0}) == {"x": 1, "log": []}


# -- what nodes return --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "named"),
    [(5, "5"), ("x", "'x'"), ([("x", 3)], "('x', 3)"), ([{"x": 1}], "{'x': 1}")],
    ids=["int", "str", "list-of-pairs", "list-of-dicts"],
)
def test_a_node_returning_something_other_than_a_dict_raises_naming_node_and_value(value, named):
    with pytest.raises(InvalidUpdateError, match=r"'a'.*" + re.escape(named)):
        returning(value).invoke({"x": 0})


def test_two_nodes_writing_one_plain_key_in_a_step_raise_naming_the_key():
    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"x": 1})
    builder.add_node("b", lambda s: {"x": 2})
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    with pytest.raises(InvalidUpdateError, match="'x'"):
        builder.compile().invoke({"x": 0})


def test_an_error_raised_by_a_node_reaches_the_caller_as_is():
    def boom(state):
        raise RuntimeError("boom")

    builder = StateGraph(State)
    builder.add_node("a", boom)
    builder.add_edge(START, "a")
    with pytest.raises(RuntimeError) as caught:
        builder.compile().invoke({"x": 0})
    assert type(caught.value) is RuntimeError
    assert str(caught.value) == "boom"  # where it ran goes in a note, as LangGraph does


def test_a_loop_past_the_recursion_limit_raises_graph_recursion_error():
    builder = graph_with("a")
    builder.add_edge(START, "a")
    builder.add_edge("a", "a")
    with pytest.raises(GraphRecursionError, match="4"):
        builder.compile().invoke({"x": 0}, {"recursion_limit": 4})


# -- routing ------------------------------------------------------------------------------------


def test_a_path_returning_a_key_missing_from_its_path_map_raises_a_key_error():
    with pytest.raises(KeyError, match=r"'a'.*'zz'"):
        routing(lambda s: "zz", {"x": "b"}).invoke({"x": 0})
    with pytest.raises(KeyError, match=r"'zz'"):
        routing(lambda s: "zz", ["b"]).invoke({"x": 0})


@pytest.mark.parametrize("returned", [None, [None]], ids=["None", "[None]"])
def test_a_path_returning_none_raises_a_value_error_naming_the_source(returned):
    with pytest.raises(ValueError, match="'a'"):
        routing(lambda s: returned).invoke({"x": 0})


def test_a_path_returning_an_unknown_node_raises_naming_it():
    # Deliberate difference: LangGraph logs "wrote to unknown channel branch:to:q, ignoring
    # it" and ends the run.
    with pytest.raises(InvalidUpdateError, match=r"'a'.*'q'"):
        routing(lambda s: "q").invoke({"x": 0})


# -- input --------------------------------------------------------------------------------------


def test_no_input_raises_empty_input_error():
    builder = graph_with("a")
    builder.add_edge(START, "a")
    with pytest.raises(EmptyInputError):
        builder.compile().invoke(None)
    with pytest.raises(EmptyInputError):
        list(builder.compile().stream(None))


def test_an_input_that_is_not_a_dict_raises_invalid_update_error_naming_it():
    builder = graph_with("a")
    builder.add_edge(START, "a")
    with pytest.raises(InvalidUpdateError, match="5"):
        builder.compile().invoke(5)


# -- async --------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_routing_errors_keep_their_types_under_astream():
    with pytest.raises(KeyError, match="'zz'"):
        async for _ in routing(lambda s: "zz", {"x": "b"}).astream({"x": 0}):
            pass
    with pytest.raises(ValueError, match="'a'"):
        await routing(lambda s: None).ainvoke({"x": 0})


@pytest.mark.anyio
async def test_a_bad_node_return_raises_invalid_update_error_under_ainvoke():
    async def bad(state):
        return 5

    builder = StateGraph(State)
    builder.add_node("a", bad)
    builder.add_edge(START, "a")
    with pytest.raises(InvalidUpdateError, match="'a'"):
        await builder.compile().ainvoke({"x": 0})
