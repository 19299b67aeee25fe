"""Send (map-reduce) and Command (update and go to), with LangGraph's chunks."""

import operator
import time
from typing import Annotated, Literal

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.errors import InvalidUpdateError
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command, Send


class State(TypedDict):
    x: int
    log: Annotated[list, operator.add]


class Results(TypedDict):
    results: Annotated[list, operator.add]


INPUT = {"x": 0, "log": []}


def logs(name, delay=0.0):
    def run(state):
        if delay:
            time.sleep(delay)
        return {"log": [name]}

    return run


# -- Send: map-reduce ---------------------------------------------------------------------------


def map_reduce_graph(worker):
    builder = StateGraph(Results)
    builder.add_node("gen", lambda state: {})
    builder.add_node("worker", worker)
    builder.add_edge(START, "gen")
    builder.add_conditional_edges(
        "gen", lambda state: [Send("worker", {"item": i}) for i in range(3)], ["worker"]
    )
    builder.add_edge("worker", END)
    return builder.compile()


def slow_first_worker(state):
    time.sleep(0.02 * (3 - state["item"]))  # item 0 finishes last
    return {"results": [state["item"] * 2]}


async def async_slow_first_worker(state):
    await anyio.sleep(0.02 * (3 - state["item"]))
    return {"results": [state["item"] * 2]}


# updates arrive as workers finish; the reduced list keeps the order of the Sends.
MAP_REDUCE = {
    "invoke": {"results": [0, 2, 4]},
    "values": [{"results": []}, {"results": [0, 2, 4]}],
    "updates": [
        {"gen": None},
        {"worker": {"results": [4]}},
        {"worker": {"results": [2]}},
        {"worker": {"results": [0]}},
    ],
    "values+updates": [
        ("values", {"results": []}),
        ("updates", {"gen": None}),
        ("updates", {"worker": {"results": [4]}}),
        ("updates", {"worker": {"results": [2]}}),
        ("updates", {"worker": {"results": [0]}}),
        ("values", {"results": [0, 2, 4]}),
    ],
}


def test_sent_workers_finishing_in_reverse_order_reduce_in_send_order(every_way):
    assert every_way(map_reduce_graph(slow_first_worker), {"results": []}) == MAP_REDUCE


def test_a_sent_node_receives_the_send_argument_as_its_whole_input():
    seen = []

    def worker(state):
        seen.append(state)
        return {"results": [state["item"]]}

    map_reduce_graph(worker).invoke({"results": ["kept"]})
    assert sorted(seen, key=lambda s: s["item"]) == [{"item": 0}, {"item": 1}, {"item": 2}]


def test_twelve_sends_reduce_in_send_order_not_in_text_order():
    def worker(state):
        time.sleep(0.002 * (12 - state["i"]))
        return {"results": [state["i"]]}

    builder = StateGraph(Results)
    builder.add_node("gen", lambda state: {})
    builder.add_node("worker", worker)
    builder.add_edge(START, "gen")
    builder.add_conditional_edges("gen", lambda s: [Send("worker", {"i": i}) for i in range(12)])
    assert builder.compile().invoke({"results": []}) == {"results": list(range(12))}


def test_a_node_both_sent_to_and_triggered_by_name_runs_twice_in_one_step():
    builder = StateGraph(Results)
    builder.add_node("gen", lambda s: {"results": ["gen"]})
    builder.add_node("worker", lambda s: {"results": [s.get("i", "pull")]})
    builder.add_edge(START, "gen")
    builder.add_conditional_edges("gen", lambda s: [Send("worker", {"i": 1}), "worker"])
    assert builder.compile().invoke({"results": []}) == {"results": ["gen", "pull", 1]}


# -- Command ------------------------------------------------------------------------------------


def commanding(a, *, destinations=("b", "c"), edges_from_a=()):
    """START -> a; a returns Commands; b and c log their names (c more slowly).

    ``destinations`` tells the builder where a's Commands may go (else b and c would look
    unreachable); the tests of ``Command[Literal[...]]`` annotations pass None.
    """
    builder = StateGraph(State)
    if destinations is None:
        builder.add_node("a", a)
    else:
        builder.add_node("a", a, destinations=destinations)
    builder.add_node("b", logs("b"))
    builder.add_node("c", logs("c", 0.02))
    builder.add_edge(START, "a")
    for target in edges_from_a:
        builder.add_edge("a", target)
    return builder.compile()


def then(*names, x=1, a_log=()):
    """Chunks of a run where a wrote x (and ``a_log``), then ``names`` ran in one step."""
    a_update = {"x": x, "log": list(a_log)} if a_log else {"x": x}
    first = {"x": 0, "log": []}
    after_a = {"x": x, "log": list(a_log)}
    values = [first, after_a]
    both = [("values", first), ("updates", {"a": a_update}), ("values", after_a)]
    updates = [{"a": a_update}] + [{n: {"log": [n]}} for n in names]
    if names:
        values.append({"x": x, "log": [*a_log, *names]})
        both += [("updates", {n: {"log": [n]}}) for n in names] + [("values", values[-1])]
    return {"invoke": values[-1], "values": values, "updates": updates, "values+updates": both}


def test_command_goto_a_name_updates_then_runs_that_node(every_way):
    def a(state):
        return Command(update={"x": 1}, goto="b")

    assert every_way(commanding(a), INPUT) == then("b")


def test_command_goto_a_list_runs_those_nodes_in_one_step(every_way):
    def a(state):
        return Command(update={"x": 1, "log": ["a"]}, goto=["b", "c"])

    assert every_way(commanding(a), INPUT) == then("b", "c", a_log=["a"])


def test_command_goto_a_send_runs_the_node_with_the_send_argument(every_way):
    seen = []

    def b(state):
        seen.append(state)
        return {"log": ["b"]}

    def a(state):
        return Command(update={"x": 1}, goto=Send("b", {"x": 42, "log": ["s"]}))

    builder = StateGraph(State)
    builder.add_node("a", a, destinations=("b",))
    builder.add_node("b", b)
    builder.add_edge(START, "a")
    assert every_way(builder.compile(), INPUT) == then("b")
    assert seen == [{"x": 42, "log": ["s"]}] * 4


def test_command_goto_a_send_and_a_name_applies_the_named_nodes_write_first(every_way):
    def a(state):
        return Command(update={"x": 1}, goto=[Send("b", {"x": 42}), "c"])

    # b (sent) finishes first; c (named) is slower but its write is applied first.
    assert every_way(commanding(a), INPUT) == {
        "invoke": {"x": 1, "log": ["c", "b"]},
        "values": [{"x": 0, "log": []}, {"x": 1, "log": []}, {"x": 1, "log": ["c", "b"]}],
        "updates": [{"a": {"x": 1}}, {"b": {"log": ["b"]}}, {"c": {"log": ["c"]}}],
        "values+updates": [
            ("values", {"x": 0, "log": []}),
            ("updates", {"a": {"x": 1}}),
            ("values", {"x": 1, "log": []}),
            ("updates", {"b": {"log": ["b"]}}),
            ("updates", {"c": {"log": ["c"]}}),
            ("values", {"x": 1, "log": ["c", "b"]}),
        ],
    }


def test_command_goto_end_only_updates(every_way):
    def a(state):
        return Command(update={"x": 1}, goto=END)

    assert every_way(commanding(a), INPUT) == then()


def test_command_with_destinations_tuple_routes_and_compiles_quietly(every_way):
    app = commanding(lambda s: Command(update={"x": 1}, goto="c"), destinations=("b", "c"))
    assert every_way(app, INPUT) == then("c")


def test_command_annotated_with_its_destinations_routes_and_compiles_quietly(every_way):
    def a(state) -> Command[Literal["b", "c"]]:
        return Command(update={"x": 1}, goto="c")

    assert every_way(commanding(a, destinations=None), INPUT) == then("c")


def test_command_with_destinations_dict_routes_and_compiles_quietly(every_way):
    app = commanding(
        lambda s: Command(update={"x": 1}, goto="c"), destinations={"b": "to b", "c": "to c"}
    )
    assert every_way(app, INPUT) == then("c")


def test_a_command_without_goto_follows_the_nodes_plain_edges(every_way):
    def a(state):
        return Command(update={"x": 1})

    assert every_way(commanding(a, edges_from_a=["b", "c"]), INPUT) == then("b", "c")


def test_command_goto_adds_to_the_nodes_plain_edges(every_way):
    def a(state):
        return Command(update={"x": 1}, goto="b")

    assert every_way(commanding(a, edges_from_a=["c"]), INPUT) == then("b", "c")


def test_a_command_update_may_be_a_list_of_pairs():
    def a(state):
        return Command(update=[("x", 5), ("log", ["t"])], goto="b")

    assert list(commanding(a).stream(INPUT, stream_mode="updates")) == [
        {"a": {"x": 5, "log": ["t"]}},
        {"b": {"log": ["b"]}},
    ]


def test_a_node_may_return_a_list_of_commands(every_way):
    def a(state):
        return [Command(update={"x": 1}), Command(update={"log": ["q"]}, goto="b")]

    assert every_way(commanding(a), INPUT) == then("b", a_log=["q"])


def test_an_empty_command_updates_nothing_and_goes_nowhere(every_way):
    def a(state):
        return Command()

    assert every_way(commanding(a), INPUT) == {
        "invoke": {"x": 0, "log": []},
        "values": [{"x": 0, "log": []}],
        "updates": [{"a": None}],
        "values+updates": [("values", {"x": 0, "log": []}), ("updates", {"a": None})],
    }


def test_a_command_returning_node_without_annotation_compiles_without_warning():
    # LangGraph cannot see where such a node goes, and so does not call b and c unreachable.
    app = commanding(lambda s: Command(update={"x": 1}, goto="b"), destinations=None)
    assert list(app.stream(INPUT, stream_mode="updates")) == [
        {"a": {"x": 1}},
        {"b": {"log": ["b"]}},
    ]


def test_command_goto_an_unknown_node_raises_naming_the_node_and_the_target():
    # Deliberate difference, like a conditional edge to an unknown node: LangGraph logs
    # "wrote to unknown channel branch:to:zz, ignoring it" and ends the run.
    def a(state):
        return Command(goto="zz")

    with pytest.raises(InvalidUpdateError, match=r"'a'.*'zz'"):
        commanding(a).invoke(INPUT)


def test_a_send_to_an_unknown_node_raises_naming_the_target():
    # Deliberate difference: LangGraph logs "Ignoring unknown node name zz in pending sends".
    builder = StateGraph(State)
    builder.add_node("a", logs("a"))
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", lambda s: [Send("zz", {"x": 7})])
    with pytest.raises(InvalidUpdateError, match=r"'zz'"):
        builder.compile().invoke(INPUT)


# -- async --------------------------------------------------------------------------------------


def goto_list(state):
    return Command(update={"x": 1, "log": ["a"]}, goto=["b", "c"])


async def async_goto_b(state):
    return Command(update={"x": 1}, goto="b")


ASYNC_CASES = {
    "map-reduce": (lambda: map_reduce_graph(slow_first_worker), {"results": []}, MAP_REDUCE),
    "map-reduce-async-workers": (
        lambda: map_reduce_graph(async_slow_first_worker),
        {"results": []},
        MAP_REDUCE,
    ),
    "goto-list": (lambda: commanding(goto_list), INPUT, then("b", "c", a_log=["a"])),
    "async-goto": (lambda: commanding(async_goto_b), INPUT, then("b")),
}


@pytest.mark.anyio
@pytest.mark.parametrize("case", ASYNC_CASES)
async def test_sends_and_commands_give_the_same_chunks_through_astream(case, aevery_way):
    make, input, expected = ASYNC_CASES[case]
    assert await aevery_way(make(), input) == expected
