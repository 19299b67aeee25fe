"""Conditional edges: path functions, path maps, END, lists and Sends; chunks as LangGraph's."""

import operator
import time
from typing import Annotated, Literal

import pytest
from typing_extensions import TypedDict

from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Send


class State(TypedDict):
    x: int
    y: int
    log: Annotated[list, operator.add]


INPUT = {"x": 0, "y": 0, "log": []}


def logs(name, delay=0.0):
    def run(state):
        if delay:
            time.sleep(delay)
        return {"log": [name]}

    return run


def routed(route, path_map=None, *, nodes=("a", "b")):
    """START -> a, then ``add_conditional_edges("a", route, path_map)``; one slow node c."""
    builder = StateGraph(State)
    for name in nodes:
        builder.add_node(name, logs(name, 0.02 if name == "c" else 0.0))
    builder.add_edge(START, "a")
    if path_map is None:
        builder.add_conditional_edges("a", route)
    else:
        builder.add_conditional_edges("a", route, path_map)
    return builder.compile()


def runs(*names, final=None):
    """Chunks of a run where 'a' ran and then ``names`` ran one step each."""
    log = ["a"]
    values = [{"x": 0, "y": 0, "log": []}, {"x": 0, "y": 0, "log": ["a"]}]
    both = [
        ("values", values[0]),
        ("updates", {"a": {"log": ["a"]}}),
        ("values", values[1]),
    ]
    for name in names:
        log = [*log, name]
        values.append({"x": 0, "y": 0, "log": log})
        both += [("updates", {name: {"log": [name]}}), ("values", values[-1])]
    return {
        "invoke": values[-1],
        "values": values,
        "updates": [{n: {"log": [n]}} for n in ("a", *names)],
        "values+updates": both,
    }


TO_B = runs("b")
TO_END = runs()

# One step in which b and c both run: b finishes first, c's write is applied after b's.
TO_B_AND_C = {
    "invoke": {"x": 0, "y": 0, "log": ["a", "b", "c"]},
    "values": [
        {"x": 0, "y": 0, "log": []},
        {"x": 0, "y": 0, "log": ["a"]},
        {"x": 0, "y": 0, "log": ["a", "b", "c"]},
    ],
    "updates": [{"a": {"log": ["a"]}}, {"b": {"log": ["b"]}}, {"c": {"log": ["c"]}}],
    "values+updates": [
        ("values", {"x": 0, "y": 0, "log": []}),
        ("updates", {"a": {"log": ["a"]}}),
        ("values", {"x": 0, "y": 0, "log": ["a"]}),
        ("updates", {"b": {"log": ["b"]}}),
        ("updates", {"c": {"log": ["c"]}}),
        ("values", {"x": 0, "y": 0, "log": ["a", "b", "c"]}),
    ],
}


# -- with a path map ----------------------------------------------------------------------------


def test_a_path_map_dict_translates_the_returned_key_to_a_node(every_way):
    app = routed(lambda s: "go", {"go": "b", "stop": END})
    assert every_way(app, INPUT) == TO_B


def test_a_path_map_dict_may_translate_a_key_to_end(every_way):
    app = routed(lambda s: "stop", {"go": "b", "stop": END})
    assert every_way(app, INPUT) == TO_END


def test_a_path_map_list_allows_returning_any_listed_node(every_way):
    app = routed(lambda s: "c", ["b", "c"], nodes=("a", "b", "c"))
    assert every_way(app, INPUT) == runs("c")


def test_a_path_map_may_have_non_string_keys():
    builder = StateGraph(State)
    for name in "abc":
        builder.add_node(name, logs(name))
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", lambda s: s["x"] > 0, {True: "b", False: "c"})
    app = builder.compile()
    assert app.invoke({"x": 1, "y": 0, "log": []}) == {"x": 1, "y": 0, "log": ["a", "b"]}
    assert app.invoke({"x": 0, "y": 0, "log": []}) == {"x": 0, "y": 0, "log": ["a", "c"]}


def test_a_path_map_list_passes_sends_through(every_way):
    def b(state):
        time.sleep(0.02 * (state["x"] - 1))  # b1 finishes before b2
        return {"log": [f"b{state['x']}"]}

    builder = StateGraph(State)
    builder.add_node("a", logs("a"))
    builder.add_node("b", b)
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", lambda s: [Send("b", {"x": i}) for i in (1, 2)], ["b"])
    assert every_way(builder.compile(), INPUT) == {
        "invoke": {"x": 0, "y": 0, "log": ["a", "b1", "b2"]},
        "values": [
            {"x": 0, "y": 0, "log": []},
            {"x": 0, "y": 0, "log": ["a"]},
            {"x": 0, "y": 0, "log": ["a", "b1", "b2"]},
        ],
        "updates": [{"a": {"log": ["a"]}}, {"b": {"log": ["b1"]}}, {"b": {"log": ["b2"]}}],
        "values+updates": [
            ("values", {"x": 0, "y": 0, "log": []}),
            ("updates", {"a": {"log": ["a"]}}),
            ("values", {"x": 0, "y": 0, "log": ["a"]}),
            ("updates", {"b": {"log": ["b1"]}}),
            ("updates", {"b": {"log": ["b2"]}}),
            ("values", {"x": 0, "y": 0, "log": ["a", "b1", "b2"]}),
        ],
    }


# -- without a path map -------------------------------------------------------------------------


def test_a_path_function_may_return_a_node_name(every_way):
    assert every_way(routed(lambda s: "b"), INPUT) == TO_B


def test_a_path_function_may_return_a_list_of_node_names(every_way):
    app = routed(lambda s: ["b", "c"], nodes=("a", "b", "c"))
    assert every_way(app, INPUT) == TO_B_AND_C


def test_a_path_function_may_return_end(every_way):
    assert every_way(routed(lambda s: END), INPUT) == TO_END


def test_a_path_function_may_return_sends_that_run_one_node_several_times(every_way):
    app = routed(lambda s: [Send("b", {"x": 7, "log": ["sent"]}), Send("b", {"x": 8})])
    assert every_way(app, INPUT) == {
        "invoke": {"x": 0, "y": 0, "log": ["a", "b", "b"]},
        "values": [
            {"x": 0, "y": 0, "log": []},
            {"x": 0, "y": 0, "log": ["a"]},
            {"x": 0, "y": 0, "log": ["a", "b", "b"]},
        ],
        "updates": [{"a": {"log": ["a"]}}, {"b": {"log": ["b"]}}, {"b": {"log": ["b"]}}],
        "values+updates": [
            ("values", {"x": 0, "y": 0, "log": []}),
            ("updates", {"a": {"log": ["a"]}}),
            ("values", {"x": 0, "y": 0, "log": ["a"]}),
            ("updates", {"b": {"log": ["b"]}}),
            ("updates", {"b": {"log": ["b"]}}),
            ("values", {"x": 0, "y": 0, "log": ["a", "b", "b"]}),
        ],
    }


def test_a_path_function_may_mix_names_end_and_sends_and_sent_writes_apply_last(every_way):
    # c is sent, b is named; b is slower, yet its write comes first: in a step, writes of
    # nodes triggered by edges are applied before writes of nodes run by a Send.
    builder = StateGraph(State)
    builder.add_node("a", logs("a"))
    builder.add_node("b", logs("b", 0.02))
    builder.add_node("c", logs("c"))
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", lambda s: ["b", END, Send("c", {"x": 9, "y": 0})])
    assert every_way(builder.compile(), INPUT) == {
        "invoke": {"x": 0, "y": 0, "log": ["a", "b", "c"]},
        "values": [
            {"x": 0, "y": 0, "log": []},
            {"x": 0, "y": 0, "log": ["a"]},
            {"x": 0, "y": 0, "log": ["a", "b", "c"]},
        ],
        "updates": [{"a": {"log": ["a"]}}, {"c": {"log": ["c"]}}, {"b": {"log": ["b"]}}],
        "values+updates": [
            ("values", {"x": 0, "y": 0, "log": []}),
            ("updates", {"a": {"log": ["a"]}}),
            ("values", {"x": 0, "y": 0, "log": ["a"]}),
            ("updates", {"c": {"log": ["c"]}}),
            ("updates", {"b": {"log": ["b"]}}),
            ("values", {"x": 0, "y": 0, "log": ["a", "b", "c"]}),
        ],
    }


def test_a_path_function_annotated_with_a_literal_routes_and_compiles_quietly():
    def route(state) -> Literal["b", "__end__"]:
        return "b" if state["x"] == 0 else END

    app = routed(route)
    assert app.invoke(INPUT) == {"x": 0, "y": 0, "log": ["a", "b"]}
    assert app.invoke({"x": 1, "y": 0, "log": []}) == {"x": 1, "y": 0, "log": ["a"]}


# -- what the path function sees ----------------------------------------------------------------


def test_the_path_function_sees_its_source_nodes_update_but_not_a_siblings():
    seen = []

    def route(state):
        seen.append(dict(state))
        return "c" if state["x"] > 0 else END

    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"x": 1, "log": ["a"]})
    builder.add_node("b", lambda s: time.sleep(0.02) or {"y": 2, "log": ["b"]})
    builder.add_node("c", logs("c"))
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_conditional_edges("a", route)
    assert list(builder.compile().stream(INPUT, stream_mode="updates")) == [
        {"a": {"x": 1, "log": ["a"]}},
        {"b": {"y": 2, "log": ["b"]}},
        {"c": {"log": ["c"]}},
    ]
    assert seen == [{"x": 1, "y": 0, "log": ["a"]}]


def test_a_path_function_that_takes_config_receives_the_runs_config():
    def route(state, config):
        return "b" if config["configurable"].get("go") == "b" else "c"

    builder = StateGraph(State)
    for name in "abc":
        builder.add_node(name, logs(name))
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", route)
    app = builder.compile()
    assert app.invoke(INPUT, {"configurable": {"go": "b"}})["log"] == ["a", "b"]
    assert app.invoke(INPUT, {"configurable": {"go": "c"}})["log"] == ["a", "c"]


# -- with other edges ---------------------------------------------------------------------------


def test_a_node_may_have_a_plain_edge_and_a_conditional_edge(every_way):
    builder = StateGraph(State)
    builder.add_node("a", logs("a"))
    builder.add_node("b", logs("b"))
    builder.add_node("c", logs("c", 0.02))
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_conditional_edges("a", lambda s: "c", ["c"])
    assert every_way(builder.compile(), INPUT) == TO_B_AND_C


def test_a_node_may_have_two_conditional_edges_with_different_path_functions(every_way):
    def to_b(state):
        return "b"

    def to_c(state):
        return "c"

    builder = StateGraph(State)
    builder.add_node("a", logs("a"))
    builder.add_node("b", logs("b"))
    builder.add_node("c", logs("c", 0.02))
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", to_b)
    builder.add_conditional_edges("a", to_c)
    assert every_way(builder.compile(), INPUT) == TO_B_AND_C


def test_a_conditional_edge_back_to_its_source_loops_until_it_returns_end(every_way):
    builder = StateGraph(State)
    builder.add_node("inc", lambda s: {"x": s["x"] + 1, "log": [s["x"]]})
    builder.add_edge(START, "inc")
    builder.add_conditional_edges("inc", lambda s: "inc" if s["x"] < 3 else END)
    values = [
        {"x": 0, "y": 0, "log": []},
        {"x": 1, "y": 0, "log": [0]},
        {"x": 2, "y": 0, "log": [0, 1]},
        {"x": 3, "y": 0, "log": [0, 1, 2]},
    ]
    updates = [{"inc": {"x": i + 1, "log": [i]}} for i in range(3)]
    assert every_way(builder.compile(), INPUT) == {
        "invoke": values[-1],
        "values": values,
        "updates": updates,
        "values+updates": [
            ("values", values[0]),
            ("updates", updates[0]),
            ("values", values[1]),
            ("updates", updates[1]),
            ("values", values[2]),
            ("updates", updates[2]),
            ("values", values[3]),
        ],
    }


# -- async --------------------------------------------------------------------------------------


ASYNC_CASES = {
    "map-dict": (lambda: routed(lambda s: "go", {"go": "b", "stop": END}), TO_B),
    "map-dict-end": (lambda: routed(lambda s: "stop", {"go": "b", "stop": END}), TO_END),
    "name": (lambda: routed(lambda s: "b"), TO_B),
    "list": (lambda: routed(lambda s: ["b", "c"], nodes=("a", "b", "c")), TO_B_AND_C),
    "end": (lambda: routed(lambda s: END), TO_END),
}


@pytest.mark.anyio
@pytest.mark.parametrize("case", ASYNC_CASES)
async def test_conditional_edges_give_the_same_chunks_through_astream(case, aevery_way):
    make, expected = ASYNC_CASES[case]
    assert await aevery_way(make(), INPUT) == expected


@pytest.mark.anyio
async def test_an_async_node_with_a_conditional_edge_routes_on_its_own_update():
    async def a(state):
        return {"x": 5, "log": ["a"]}

    builder = StateGraph(State)
    builder.add_node("a", a)
    builder.add_node("b", logs("b"))
    builder.add_node("c", logs("c"))
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", lambda s: "b" if s["x"] == 5 else "c")
    assert await builder.compile().ainvoke(INPUT) == {"x": 5, "y": 0, "log": ["a", "b"]}


@pytest.mark.anyio
async def test_an_async_path_function_routes_under_ainvoke_and_is_refused_under_invoke():
    from langgraph_lite.graph import END, START, StateGraph

    class Counter(TypedDict):
        x: int

    async def route(state):
        return "b" if state["x"] > 1 else END

    builder = StateGraph(Counter)
    builder.add_node("a", lambda s: {"x": s["x"] + 1})
    builder.add_node("b", lambda s: {"x": 100})
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", route)
    graph = builder.compile()
    assert await graph.ainvoke({"x": 1}) == {"x": 100}
    assert await graph.ainvoke({"x": 0}) == {"x": 1}
    with pytest.raises(TypeError, match="ainvoke"):
        graph.invoke({"x": 1})
