"""``Pregel.batch`` / ``abatch`` / ``batch_as_completed``: one run per input, as LangChain's
``Runnable`` gives them to LangGraph (checked against LangGraph 1.2.22)."""

import operator
import threading
import time
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph


class Count(TypedDict):
    n: int
    seen: Annotated[list[str], operator.add]


def adder(checkpointer=None, fail_on=None, delay=0.0):
    def add(state: Count) -> dict:
        if state["n"] == fail_on:
            raise ValueError(f"no {fail_on}")
        time.sleep(delay)
        return {"n": state["n"] + 1, "seen": [threading.current_thread().name]}

    return StateGraph(Count).add_node("add", add).add_edge(START, "add").compile(checkpointer)


def test_batch_returns_one_output_per_input_in_order():
    out = adder().batch([{"n": 1, "seen": []}, {"n": 5, "seen": []}, {"n": 3, "seen": []}])
    assert [o["n"] for o in out] == [2, 6, 4]
    assert adder().batch([]) == []


def test_batch_takes_one_config_per_input():
    graph = adder(InMemorySaver())
    configs = [{"configurable": {"thread_id": t}} for t in ("a", "b")]
    graph.batch([{"n": 1, "seen": []}, {"n": 10, "seen": []}], configs)
    assert graph.get_state(configs[0]).values["n"] == 2
    assert graph.get_state(configs[1]).values["n"] == 11


def test_batch_passes_keywords_to_every_invoke():
    out = adder().batch([{"n": 1, "seen": []}, {"n": 2, "seen": []}], output_keys=["n"])
    assert out == [{"n": 2}, {"n": 3}]


def test_batch_return_exceptions_puts_the_error_in_its_place():
    out = adder(fail_on=2).batch(
        [{"n": 1, "seen": []}, {"n": 2, "seen": []}], return_exceptions=True
    )
    assert out[0]["n"] == 2 and isinstance(out[1], ValueError)
    with pytest.raises(ValueError, match="no 2"):
        adder(fail_on=2).batch([{"n": 1, "seen": []}, {"n": 2, "seen": []}])


def test_batch_max_concurrency_runs_that_many_at_once():
    out = adder(delay=0.01).batch([{"n": i, "seen": []} for i in range(4)], {"max_concurrency": 1})
    assert len({o["seen"][0] for o in out}) == 1  # one worker thread did every run


def test_batch_as_completed_yields_index_and_output():
    got = dict(adder().batch_as_completed([{"n": 1, "seen": []}, {"n": 7, "seen": []}]))
    assert {i: o["n"] for i, o in got.items()} == {0: 2, 1: 8}


def test_batch_refuses_a_config_list_of_another_length():
    with pytest.raises(ValueError, match="2 configs for 3 inputs"):
        adder().batch([{"n": 1, "seen": []}] * 3, [{}, {}])


def test_batch_refuses_inputs_that_are_not_a_list():
    with pytest.raises(TypeError, match=r"inputs must be a list .* got dict"):
        adder().batch({"n": 1, "seen": []})


def test_batch_keeps_a_run_id_for_the_first_run_only():
    with pytest.warns(RuntimeWarning, match="run_id be used only for the first"):
        adder().batch(
            [{"n": 1, "seen": []}] * 2, {"run_id": "5f0e8b8e-0000-4000-8000-000000000001"}
        )


@pytest.mark.anyio
async def test_abatch_returns_outputs_in_order_with_configs_per_input():
    graph = adder(InMemorySaver())
    configs = [{"configurable": {"thread_id": t}} for t in ("x", "y", "z")]
    out = await graph.abatch([{"n": i, "seen": []} for i in (1, 2, 3)], configs)
    assert [o["n"] for o in out] == [2, 3, 4]
    assert (await graph.aget_state(configs[2])).values["n"] == 4


@pytest.mark.anyio
async def test_abatch_return_exceptions_and_the_first_error():
    graph = adder(fail_on=2)
    inputs = [{"n": 1, "seen": []}, {"n": 2, "seen": []}]
    out = await graph.abatch(inputs, return_exceptions=True)
    assert out[0]["n"] == 2 and isinstance(out[1], ValueError)
    with pytest.raises(ValueError, match="no 2"):
        await graph.abatch(inputs)


@pytest.mark.anyio
async def test_abatch_max_concurrency_limits_runs_in_flight():
    running = peak = 0

    async def slow(state: Count) -> dict:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await anyio.sleep(0.01)
        running -= 1
        return {"n": state["n"] + 1}

    graph = StateGraph(Count).add_node("slow", slow).add_edge(START, "slow").compile()
    out = await graph.abatch([{"n": i, "seen": []} for i in range(5)], {"max_concurrency": 2})
    assert [o["n"] for o in out] == [1, 2, 3, 4, 5] and peak == 2
    with pytest.raises(ValueError, match="max_concurrency must be a positive int; got 0"):
        await graph.abatch([{"n": 1, "seen": []}] * 2, {"max_concurrency": 0})


def inner_and_outer():
    from langgraph_lite.channels import LastValue
    from langgraph_lite.pregel import NodeBuilder, Pregel

    inner = Pregel(
        nodes={"one": NodeBuilder().subscribe_only("input").do(lambda x: x + 1).write_to("output")},
        channels={"input": LastValue(int), "output": LastValue(int)},
        input_channels="input",
        output_channels="output",
    )
    outer = Pregel(
        nodes={
            "fan": NodeBuilder()
            .subscribe_only("input")
            .do(lambda xs: [x * 10 for x in xs])
            .write_to("items"),
            "each": NodeBuilder().subscribe_only("items").do(inner.map()).write_to("results"),
        },
        channels={
            "input": LastValue(list),
            "items": LastValue(list),
            "results": LastValue(list),
        },
        input_channels="input",
        output_channels="results",
    )
    return inner, outer


def test_map_runs_the_graph_once_per_item_as_a_step_of_a_node():
    _, outer = inner_and_outer()
    assert outer.invoke([2, 3]) == [21, 31]


@pytest.mark.anyio
async def test_map_runs_the_graph_once_per_item_async():
    _, outer = inner_and_outer()
    assert await outer.ainvoke([1, 4]) == [11, 41]


def test_map_refuses_an_input_that_is_not_a_list():
    inner, _ = inner_and_outer()
    with pytest.raises(TypeError, match="inputs must be a list"):
        inner.map().invoke(5)


def test_checkpointer_false_set_on_a_built_subgraph_keeps_it_out_of_the_saver():
    inner, outer = inner_and_outer()
    outer.checkpointer = InMemorySaver()
    inner.checkpointer = False
    config = {"configurable": {"thread_id": "t"}}
    assert outer.invoke([2], config) == [21]
    namespaces = {c.config["configurable"]["checkpoint_ns"] for c in outer.checkpointer.list(None)}
    assert namespaces == {""}
