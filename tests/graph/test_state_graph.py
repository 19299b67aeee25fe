"""StateGraph: build, run and stream graphs; every expected chunk was taken from LangGraph."""

import operator
import time
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import RetryPolicy

FAST = RetryPolicy(initial_interval=0.001, jitter=False)


class State(TypedDict):
    x: int
    log: Annotated[list, operator.add]


class Log(TypedDict):
    log: Annotated[list, operator.add]


def logs(name, delay=0.0):
    """A node that appends its name to ``log``, after sleeping ``delay`` seconds."""

    def run(state):
        if delay:
            time.sleep(delay)
        return {"log": [name]}

    return run


# -- graphs shared by the sync tests and the async parity test ---------------------------------


def linear_graph():
    def a(state):
        return {"x": state["x"] + 1, "log": ["a"]}

    builder = StateGraph(State)
    builder.add_node("a", a)
    builder.add_node("b", logs("b"))
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", END)
    return builder.compile()


LINEAR = {
    "invoke": {"x": 2, "log": ["a", "b"]},
    "values": [{"x": 1, "log": []}, {"x": 2, "log": ["a"]}, {"x": 2, "log": ["a", "b"]}],
    "updates": [{"a": {"x": 2, "log": ["a"]}}, {"b": {"log": ["b"]}}],
    "values+updates": [
        ("values", {"x": 1, "log": []}),
        ("updates", {"a": {"x": 2, "log": ["a"]}}),
        ("values", {"x": 2, "log": ["a"]}),
        ("updates", {"b": {"log": ["b"]}}),
        ("values", {"x": 2, "log": ["a", "b"]}),
    ],
}


def async_linear_graph():
    async def a(state):
        await anyio.sleep(0)
        return {"x": state["x"] + 1, "log": ["a"]}

    async def b(state):
        return {"log": ["b"]}

    builder = StateGraph(State)
    builder.add_node("a", a)
    builder.add_node("b", b)
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", END)
    return builder.compile()


def quiet_nodes_graph():
    builder = StateGraph(State)
    builder.add_node("returns_none", lambda state: None)
    builder.add_node("returns_empty", lambda state: {})
    builder.add_node("c", logs("c"))
    builder.add_edge(START, "returns_none")
    builder.add_edge("returns_none", "returns_empty")
    builder.add_edge("returns_empty", "c")
    return builder.compile()


QUIET_NODES = {
    "invoke": {"x": 1, "log": ["c"]},
    "values": [{"x": 1, "log": []}, {"x": 1, "log": ["c"]}],
    "updates": [{"returns_none": None}, {"returns_empty": None}, {"c": {"log": ["c"]}}],
    "values+updates": [
        ("values", {"x": 1, "log": []}),
        ("updates", {"returns_none": None}),
        ("updates", {"returns_empty": None}),
        ("updates", {"c": {"log": ["c"]}}),
        ("values", {"x": 1, "log": ["c"]}),
    ],
}


def fan_out_graph(*, join, uneven=False):
    """START -> a, b (b slower); c after both, through one joined edge or two plain ones.

    With ``uneven``, b goes through b2 first, so a and b2 finish in different steps.
    """
    builder = StateGraph(Log)
    builder.add_node("a", logs("a"))
    builder.add_node("b", logs("b", 0.02))
    builder.add_node("c", logs("c", 0.02 if uneven else 0.0))
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    last_of_b = "b"
    if uneven:
        builder.add_node("b2", logs("b2"))
        builder.add_edge("b", "b2")
        last_of_b = "b2"
    if join:
        builder.add_edge(["a", last_of_b], "c")
    else:
        builder.add_edge("a", "c")
        builder.add_edge(last_of_b, "c")
    builder.add_edge("c", END)
    return builder.compile()


FAN_OUT = {
    "invoke": {"log": ["a", "b", "c"]},
    "values": [{"log": []}, {"log": ["a", "b"]}, {"log": ["a", "b", "c"]}],
    "updates": [{"a": {"log": ["a"]}}, {"b": {"log": ["b"]}}, {"c": {"log": ["c"]}}],
    "values+updates": [
        ("values", {"log": []}),
        ("updates", {"a": {"log": ["a"]}}),
        ("updates", {"b": {"log": ["b"]}}),
        ("values", {"log": ["a", "b"]}),
        ("updates", {"c": {"log": ["c"]}}),
        ("values", {"log": ["a", "b", "c"]}),
    ],
}

UNEVEN_JOINED = {
    "invoke": {"log": ["a", "b", "b2", "c"]},
    "values": [
        {"log": []},
        {"log": ["a", "b"]},
        {"log": ["a", "b", "b2"]},
        {"log": ["a", "b", "b2", "c"]},
    ],
    "updates": [
        {"a": {"log": ["a"]}},
        {"b": {"log": ["b"]}},
        {"b2": {"log": ["b2"]}},
        {"c": {"log": ["c"]}},
    ],
    "values+updates": [
        ("values", {"log": []}),
        ("updates", {"a": {"log": ["a"]}}),
        ("updates", {"b": {"log": ["b"]}}),
        ("values", {"log": ["a", "b"]}),
        ("updates", {"b2": {"log": ["b2"]}}),
        ("values", {"log": ["a", "b", "b2"]}),
        ("updates", {"c": {"log": ["c"]}}),
        ("values", {"log": ["a", "b", "b2", "c"]}),
    ],
}

UNEVEN_SEPARATE = {
    "invoke": {"log": ["a", "b", "b2", "c", "c"]},
    "values": [
        {"log": []},
        {"log": ["a", "b"]},
        {"log": ["a", "b", "b2", "c"]},
        {"log": ["a", "b", "b2", "c", "c"]},
    ],
    "updates": [
        {"a": {"log": ["a"]}},
        {"b": {"log": ["b"]}},
        {"b2": {"log": ["b2"]}},
        {"c": {"log": ["c"]}},
        {"c": {"log": ["c"]}},
    ],
    "values+updates": [
        ("values", {"log": []}),
        ("updates", {"a": {"log": ["a"]}}),
        ("updates", {"b": {"log": ["b"]}}),
        ("values", {"log": ["a", "b"]}),
        ("updates", {"b2": {"log": ["b2"]}}),
        ("updates", {"c": {"log": ["c"]}}),
        ("values", {"log": ["a", "b", "b2", "c"]}),
        ("updates", {"c": {"log": ["c"]}}),
        ("values", {"log": ["a", "b", "b2", "c", "c"]}),
    ],
}


def deferred_graph(*, defer):
    """START -> a, b; b -> b2; a and b2 -> d. A deferred d waits until nothing else runs."""
    seen = []

    def d(state):
        seen.append(list(state["log"]))
        time.sleep(0.02)  # when d runs beside b2, b2 finishes first: updates come in that order
        return {"log": ["d"]}

    builder = StateGraph(Log)
    builder.add_node("a", logs("a"))
    builder.add_node("b", logs("b", 0.02))
    builder.add_node("b2", logs("b2"))
    builder.add_node("d", d, defer=defer)
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_edge("b", "b2")
    builder.add_edge("a", "d")
    builder.add_edge("b2", "d")
    return builder.compile(), seen


DEFERRED = {
    "invoke": {"log": ["a", "b", "b2", "d"]},
    "values": [
        {"log": []},
        {"log": ["a", "b"]},
        {"log": ["a", "b", "b2"]},
        {"log": ["a", "b", "b2", "d"]},
    ],
    "updates": [
        {"a": {"log": ["a"]}},
        {"b": {"log": ["b"]}},
        {"b2": {"log": ["b2"]}},
        {"d": {"log": ["d"]}},
    ],
    "values+updates": [
        ("values", {"log": []}),
        ("updates", {"a": {"log": ["a"]}}),
        ("updates", {"b": {"log": ["b"]}}),
        ("values", {"log": ["a", "b"]}),
        ("updates", {"b2": {"log": ["b2"]}}),
        ("values", {"log": ["a", "b", "b2"]}),
        ("updates", {"d": {"log": ["d"]}}),
        ("values", {"log": ["a", "b", "b2", "d"]}),
    ],
}


def sequence_graph():
    def one(state):
        return {"x": state["x"] + 1, "log": ["one"]}

    def two(state):
        return {"x": state["x"] * 10, "log": ["two"]}

    builder = StateGraph(State)
    builder.add_sequence([one, two, ("three", logs("three"))])
    builder.add_edge(START, "one")
    return builder.compile()


SEQUENCE = {
    "invoke": {"x": 20, "log": ["one", "two", "three"]},
    "values": [
        {"x": 1, "log": []},
        {"x": 2, "log": ["one"]},
        {"x": 20, "log": ["one", "two"]},
        {"x": 20, "log": ["one", "two", "three"]},
    ],
    "updates": [
        {"one": {"x": 2, "log": ["one"]}},
        {"two": {"x": 20, "log": ["two"]}},
        {"three": {"log": ["three"]}},
    ],
    "values+updates": [
        ("values", {"x": 1, "log": []}),
        ("updates", {"one": {"x": 2, "log": ["one"]}}),
        ("values", {"x": 2, "log": ["one"]}),
        ("updates", {"two": {"x": 20, "log": ["two"]}}),
        ("values", {"x": 20, "log": ["one", "two"]}),
        ("updates", {"three": {"log": ["three"]}}),
        ("values", {"x": 20, "log": ["one", "two", "three"]}),
    ],
}


# -- linear graphs and reducers -----------------------------------------------------------------


def test_a_linear_graph_streams_each_step_and_applies_the_reducer(every_way):
    assert every_way(linear_graph(), {"x": 1, "log": []}) == LINEAR


def test_a_node_returning_none_or_an_empty_dict_reports_none_and_emits_no_values_chunk(
    every_way,
):
    assert every_way(quiet_nodes_graph(), {"x": 1, "log": []}) == QUIET_NODES


def test_an_input_that_writes_nothing_emits_no_first_values_chunk():
    seen = []

    def a(state):
        seen.append(dict(state))
        return {}

    builder = StateGraph(State)
    builder.add_node("a", a)
    builder.add_node("b", logs("b"))
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    app = builder.compile()
    assert list(app.stream({}, stream_mode=["values", "updates"])) == [
        ("updates", {"a": None}),
        ("updates", {"b": {"log": ["b"]}}),
        ("values", {"log": ["b"]}),
    ]
    # A reducer key starts out empty; a plain key is absent until written.
    assert seen == [{"log": []}]
    assert app.invoke({}) == {"log": ["b"]}


def test_a_partial_input_leaves_the_other_keys_unset(every_way):
    builder = StateGraph(State)
    builder.add_node("a", logs("a"))
    builder.add_edge(START, "a")
    assert every_way(builder.compile(), {"x": 3}) == {
        "invoke": {"x": 3, "log": ["a"]},
        "values": [{"x": 3, "log": []}, {"x": 3, "log": ["a"]}],
        "updates": [{"a": {"log": ["a"]}}],
        "values+updates": [
            ("values", {"x": 3, "log": []}),
            ("updates", {"a": {"log": ["a"]}}),
            ("values", {"x": 3, "log": ["a"]}),
        ],
    }


def test_stream_without_a_mode_streams_updates():
    assert list(linear_graph().stream({"x": 1, "log": []})) == LINEAR["updates"]


def test_a_compiled_graph_runs_again_from_scratch_each_time():
    app = linear_graph()
    assert app.invoke({"x": 1, "log": []}) == {"x": 2, "log": ["a", "b"]}
    assert app.invoke({"x": 10, "log": ["old"]}) == {"x": 11, "log": ["old", "a", "b"]}


def test_a_node_may_share_its_name_with_a_state_key():
    builder = StateGraph(State)
    builder.add_node("x", lambda state: {"x": state["x"] + 1})
    builder.add_edge(START, "x")
    assert list(builder.compile().stream({"x": 0}, stream_mode="updates")) == [{"x": {"x": 1}}]


# -- fan-out and fan-in -------------------------------------------------------------------------


def test_a_joined_edge_runs_its_target_once_after_both_sources(every_way):
    assert every_way(fan_out_graph(join=True), {"log": []}) == FAN_OUT


def test_two_plain_edges_from_the_same_step_run_their_target_once(every_way):
    assert every_way(fan_out_graph(join=False), {"log": []}) == FAN_OUT


def test_a_joined_edge_waits_for_a_source_that_finishes_a_step_later(every_way):
    assert every_way(fan_out_graph(join=True, uneven=True), {"log": []}) == UNEVEN_JOINED


def test_two_plain_edges_from_different_steps_run_their_target_twice(every_way):
    assert every_way(fan_out_graph(join=False, uneven=True), {"log": []}) == UNEVEN_SEPARATE


def test_writes_of_one_step_are_applied_in_node_name_order_whatever_the_finishing_order():
    builder = StateGraph(Log)
    builder.add_node("zed", logs("zed"))
    builder.add_node("alpha", logs("alpha", 0.04))
    builder.add_node("mid", logs("mid", 0.02))
    for name in ("zed", "alpha", "mid"):
        builder.add_edge(START, name)
    assert list(builder.compile().stream({"log": []}, stream_mode=["values", "updates"])) == [
        ("values", {"log": []}),
        ("updates", {"zed": {"log": ["zed"]}}),
        ("updates", {"mid": {"log": ["mid"]}}),
        ("updates", {"alpha": {"log": ["alpha"]}}),
        ("values", {"log": ["alpha", "mid", "zed"]}),
    ]


# -- deferred nodes -----------------------------------------------------------------------------


def test_a_deferred_node_runs_once_after_every_other_branch_finished(every_way):
    app, seen = deferred_graph(defer=True)
    assert every_way(app, {"log": []}) == DEFERRED
    assert seen == [["a", "b", "b2"]] * 4


def test_the_same_node_not_deferred_runs_as_each_branch_reaches_it():
    app, seen = deferred_graph(defer=False)
    assert list(app.stream({"log": []}, stream_mode="updates")) == [
        {"a": {"log": ["a"]}},
        {"b": {"log": ["b"]}},
        {"b2": {"log": ["b2"]}},
        {"d": {"log": ["d"]}},
        {"d": {"log": ["d"]}},
    ]
    assert seen == [["a", "b"], ["a", "b", "b2", "d"]]


def test_a_deferred_node_waits_for_a_loop_elsewhere_to_end():
    builder = StateGraph(Log)
    builder.add_node("a", logs("a"))
    builder.add_node("x", logs("x", 0.02))
    builder.add_node("d", logs("d"), defer=True)
    builder.add_edge(START, "a")
    builder.add_edge(START, "x")
    builder.add_edge("x", "d")
    builder.add_conditional_edges("a", lambda s: "a" if s["log"].count("a") < 3 else END)
    assert list(builder.compile().stream({"log": []}, stream_mode=["values", "updates"])) == [
        ("values", {"log": []}),
        ("updates", {"a": {"log": ["a"]}}),
        ("updates", {"x": {"log": ["x"]}}),
        ("values", {"log": ["a", "x"]}),
        ("updates", {"a": {"log": ["a"]}}),
        ("values", {"log": ["a", "x", "a"]}),
        ("updates", {"a": {"log": ["a"]}}),
        ("values", {"log": ["a", "x", "a", "a"]}),
        ("updates", {"d": {"log": ["d"]}}),
        ("values", {"log": ["a", "x", "a", "a", "d"]}),
    ]


# -- builder shortcuts --------------------------------------------------------------------------


def test_add_sequence_chains_functions_named_after_themselves_and_named_pairs(every_way):
    app = sequence_graph()
    assert list(app.builder.nodes) == ["one", "two", "three"]
    assert sorted(app.builder.edges) == [(START, "one"), ("one", "two"), ("two", "three")]
    assert every_way(app, {"x": 1, "log": []}) == SEQUENCE


def test_set_entry_point_and_set_finish_point_are_edges_from_start_and_to_end():
    def one(state):
        return {"x": state["x"] + 1, "log": ["one"]}

    builder = StateGraph(State)
    builder.add_node("a", one)
    builder.add_node("b", logs("b"))
    builder.set_entry_point("a")
    builder.add_edge("a", "b")
    builder.set_finish_point("b")
    assert sorted(builder.edges) == [(START, "a"), ("a", "b"), ("b", END)]
    assert builder.compile().invoke({"x": 1, "log": []}) == {"x": 2, "log": ["one", "b"]}


@pytest.mark.parametrize(("x", "first"), [(0, "small"), (5, "big")])
def test_set_conditional_entry_point_picks_the_first_node_from_the_input(x, first):
    builder = StateGraph(State)
    builder.add_node("small", logs("small"))
    builder.add_node("big", logs("big"))
    builder.set_conditional_entry_point(
        lambda s: "big" if s["x"] > 3 else "small", {"big": "big", "small": "small"}
    )
    app = builder.compile()
    assert list(app.stream({"x": x, "log": []}, stream_mode=["values", "updates"])) == [
        ("values", {"x": x, "log": []}),
        ("updates", {first: {"log": [first]}}),
        ("values", {"x": x, "log": [first]}),
    ]


def test_a_conditional_entry_point_may_start_several_nodes():
    builder = StateGraph(State)
    builder.add_node("a", logs("a"))
    builder.add_node("b", logs("b", 0.02))
    builder.set_conditional_entry_point(lambda s: ["a", "b"])
    assert list(builder.compile().stream({"x": 0, "log": []}, stream_mode="updates")) == [
        {"a": {"log": ["a"]}},
        {"b": {"log": ["b"]}},
    ]


# -- running one node alone ---------------------------------------------------------------------


def test_a_compiled_node_invoked_alone_returns_its_update_without_applying_it():
    seen = []

    def a(state):
        seen.append(dict(state))
        return {"x": state["x"] + 1, "log": ["a"]}

    builder = StateGraph(State)
    builder.add_node("a", a)
    builder.add_node("b", logs("b"))
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    app = builder.compile()
    assert app.nodes["a"].invoke({"x": 5, "log": ["old"]}) == {"x": 6, "log": ["a"]}
    assert seen == [{"x": 5, "log": ["old"]}]
    assert app.nodes["b"].invoke({"x": 5}) == {"log": ["b"]}


# -- retries ------------------------------------------------------------------------------------


def flaky_graph(exc_type, policy):
    calls = []

    def flaky(state):
        calls.append(1)
        if len(calls) < 3:
            raise exc_type(f"fail {len(calls)}")
        return {"x": len(calls)}

    builder = StateGraph(State)
    builder.add_node("a", flaky, retry_policy=policy)
    builder.add_edge(START, "a")
    return builder.compile(), calls


def test_a_node_with_a_retry_policy_succeeds_after_two_connection_errors():
    app, calls = flaky_graph(ConnectionError, FAST)
    assert list(app.stream({"x": 0}, stream_mode="updates")) == [{"a": {"x": 3}}]
    assert len(calls) == 3


def test_a_retry_policy_gives_up_after_max_attempts_and_raises_the_last_error():
    app, calls = flaky_graph(
        ConnectionError, RetryPolicy(initial_interval=0.001, jitter=False, max_attempts=2)
    )
    with pytest.raises(ConnectionError, match="fail 2"):
        app.invoke({"x": 0})
    assert len(calls) == 2


def test_the_default_retry_policy_does_not_retry_a_value_error():
    app, calls = flaky_graph(ValueError, FAST)
    with pytest.raises(ValueError, match="fail 1"):
        app.invoke({"x": 0})
    assert len(calls) == 1


def test_a_retry_policy_retries_the_errors_named_in_retry_on():
    app, calls = flaky_graph(
        ValueError, RetryPolicy(initial_interval=0.001, jitter=False, retry_on=ValueError)
    )
    assert app.invoke({"x": 0}) == {"x": 3, "log": []}
    assert len(calls) == 3


# -- async --------------------------------------------------------------------------------------


ASYNC_CASES = {
    "linear": (linear_graph, {"x": 1, "log": []}, LINEAR),
    "async-nodes": (async_linear_graph, {"x": 1, "log": []}, LINEAR),
    "quiet-nodes": (quiet_nodes_graph, {"x": 1, "log": []}, QUIET_NODES),
    "joined": (lambda: fan_out_graph(join=True), {"log": []}, FAN_OUT),
    "uneven-joined": (lambda: fan_out_graph(join=True, uneven=True), {"log": []}, UNEVEN_JOINED),
    "uneven-separate": (
        lambda: fan_out_graph(join=False, uneven=True),
        {"log": []},
        UNEVEN_SEPARATE,
    ),
    "deferred": (lambda: deferred_graph(defer=True)[0], {"log": []}, DEFERRED),
    "sequence": (sequence_graph, {"x": 1, "log": []}, SEQUENCE),
}


@pytest.mark.anyio
@pytest.mark.parametrize("case", ASYNC_CASES)
async def test_ainvoke_and_astream_give_the_same_chunks_as_the_sync_calls(case, aevery_way):
    make, input, expected = ASYNC_CASES[case]
    assert await aevery_way(make(), input) == expected


@pytest.mark.anyio
async def test_an_async_node_is_retried_like_a_sync_one():
    calls = []

    async def flaky(state):
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("down")
        return {"x": len(calls)}

    builder = StateGraph(State)
    builder.add_node("a", flaky, retry_policy=FAST)
    builder.add_edge(START, "a")
    assert await builder.compile().ainvoke({"x": 0}) == {"x": 3, "log": []}
    assert len(calls) == 3
