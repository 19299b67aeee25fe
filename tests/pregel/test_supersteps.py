"""The superstep rules: planning, fan-out/fan-in, barriers, write order, recursion limit."""

import operator
import threading
import time

import anyio
import pytest

from langgraph_lite.channels import (
    BinaryOperatorAggregate,
    EphemeralValue,
    LastValue,
    NamedBarrierValue,
    Topic,
)
from langgraph_lite.errors import GraphRecursionError, InvalidUpdateError
from langgraph_lite.pregel import NodeBuilder, Pregel


def chain():
    one = NodeBuilder().subscribe_only("a").do(lambda x: x + "!").write_to("b")
    two = NodeBuilder().subscribe_only("b").do(lambda x: x + "?").write_to("c")
    return Pregel(
        nodes={"one": one, "two": two},
        channels={"a": LastValue(str), "b": LastValue(str), "c": LastValue(str)},
        input_channels="a",
        output_channels="c",
    )


def test_chain_streams_like_langgraph_in_every_mode():
    app = chain()
    assert app.invoke("x") == "x!?"
    assert list(app.stream("x")) == [
        {"a": "x", "b": "x!"},
        {"a": "x", "b": "x!", "c": "x!?"},
    ]
    assert list(app.stream("x", stream_mode="updates")) == [
        {"one": {"b": "x!"}},
        {"two": {"c": "x!?"}},
    ]
    assert list(app.stream("x", stream_mode="custom")) == []
    assert list(app.stream("x", stream_mode=["values", "updates"])) == [
        ("updates", {"one": {"b": "x!"}}),
        ("values", {"a": "x", "b": "x!"}),
        ("updates", {"two": {"c": "x!?"}}),
        ("values", {"a": "x", "b": "x!", "c": "x!?"}),
    ]


def test_output_and_stream_keys_shape_the_chunks():
    app = chain()
    assert app.invoke("x", output_keys=["b", "c"]) == {"b": "x!", "c": "x!?"}
    assert list(app.stream("x", output_keys="c")) == ["x!?"]
    assert list(app.stream("x", stream_mode="updates", output_keys="c")) == [
        {"one": None},
        {"two": "x!?"},
    ]
    assert list(app.stream("x", stream_mode="updates", output_keys=["c"])) == [
        {"one": None},
        {"two": {"c": "x!?"}},
    ]
    narrow = chain().copy(stream_channels=["b"])
    assert list(narrow.stream("x")) == [{"b": "x!"}]


def test_invoke_returns_none_when_the_output_is_never_written():
    app = Pregel(
        nodes={"one": NodeBuilder().subscribe_only("a").do(lambda x: x).write_to("b")},
        channels={"a": LastValue(str), "b": LastValue(str), "c": LastValue(str)},
        input_channels="a",
        output_channels="c",
    )
    assert app.invoke("x") is None
    assert app.invoke("x", output_keys=["b", "c"]) == {"b": "x"}


def test_a_node_that_returns_none_writes_none_and_one_without_writes_reports_none():
    app = Pregel(
        nodes={
            "n": NodeBuilder().subscribe_only("a").do(lambda x: None).write_to("b"),
            "m": NodeBuilder().subscribe_only("a").do(lambda x: x),
        },
        channels={"a": LastValue(str), "b": LastValue(object)},
        input_channels="a",
        output_channels="b",
    )
    assert list(app.stream("x", stream_mode="updates")) == [{"m": None}, {"n": {"b": None}}]
    assert app.invoke("x") is None


def test_write_to_with_mappers_and_static_values():
    app = Pregel(
        nodes={
            "n": NodeBuilder()
            .subscribe_only("a")
            .do(lambda x: x + "!")
            .write_to("b", c=lambda v: v.upper(), d="static")
        },
        channels={k: LastValue(str) for k in "abcd"},
        input_channels="a",
        output_channels=["b", "c", "d"],
    )
    assert app.invoke("x") == {"b": "x!", "c": "X!", "d": "static"}
    assert list(app.stream("x", stream_mode="updates")) == [
        {"n": {"b": "x!", "c": "X!", "d": "static"}}
    ]


def test_a_node_triggered_by_two_channels_written_in_one_step_runs_once():
    calls = []

    def q(inp):
        calls.append(inp)
        return inp["x"] + inp["y"]

    app = Pregel(
        nodes={
            "p": NodeBuilder().subscribe_only("a").write_to("x", "y"),
            "q": NodeBuilder().subscribe_to("x", "y").do(q).write_to("out"),
        },
        channels={k: LastValue(str) for k in ("a", "x", "y", "out")},
        input_channels="a",
        output_channels="out",
    )
    assert app.invoke("v") == "vv"
    assert calls == [{"x": "v", "y": "v"}]


def test_a_node_reading_several_channels_gets_only_those_holding_a_value():
    seen = []
    app = Pregel(
        nodes={
            "n": NodeBuilder().subscribe_to("a").read_from("b").do(lambda d: seen.append(d)),
        },
        channels={"a": LastValue(str), "b": LastValue(str)},
        input_channels=["a", "b"],
        output_channels="a",
    )
    app.invoke({"a": "x"})
    app.invoke({"a": "x", "b": "y"})
    assert seen == [{"a": "x"}, {"a": "x", "b": "y"}]


def test_barrier_node_runs_only_after_all_of_its_sources():
    order = []

    def src(name, delay):
        def run(x):
            time.sleep(delay)
            order.append(name)
            return name

        return run

    app = Pregel(
        nodes={
            "fast": NodeBuilder()
            .subscribe_only("start")
            .do(src("fast", 0))
            .write_to("gate", "fast_out"),
            "slow": NodeBuilder()
            .subscribe_only("start")
            .do(src("slow", 0.05))
            .write_to("slow_mid"),
            "slow2": NodeBuilder().subscribe_only("slow_mid").do(src("slow2", 0)).write_to("gate"),
            "join": NodeBuilder()
            .subscribe_only("gate")
            .do(lambda _: order.append("join") or "joined")
            .write_to("out"),
        },
        channels={
            "start": LastValue(str),
            "fast_out": LastValue(str),
            "slow_mid": LastValue(str),
            "gate": NamedBarrierValue(str, {"fast", "slow2"}),
            "out": LastValue(str),
        },
        input_channels="start",
        output_channels="out",
    )
    assert app.invoke("go") == "joined"
    assert order.index("join") > order.index("slow2") > order.index("slow")
    assert order.count("join") == 1


def _racing_topic_graph(make_node):
    return Pregel(
        nodes={
            "a_slow": NodeBuilder()
            .subscribe_only("start")
            .do(make_node("slow", 0.1))
            .write_to("t"),
            "b_fast": NodeBuilder().subscribe_only("start").do(make_node("fast", 0)).write_to("t"),
        },
        channels={"start": LastValue(str), "t": Topic(str)},
        input_channels="start",
        output_channels="t",
    )


def test_parallel_writes_apply_in_path_order_not_completion_order():
    def make(value, delay):
        def run(_):
            time.sleep(delay)
            return value

        return run

    app = _racing_topic_graph(make)
    assert app.invoke("go") == ["slow", "fast"]
    # updates are reported as tasks finish, as LangGraph does
    assert list(app.stream("go", stream_mode="updates")) == [
        {"b_fast": {"t": "fast"}},
        {"a_slow": {"t": "slow"}},
    ]


@pytest.mark.anyio
async def test_parallel_async_writes_apply_in_path_order_not_completion_order():
    def make(value, delay):
        async def run(_):
            await anyio.sleep(delay)
            return value

        return run

    app = _racing_topic_graph(make)
    assert await app.ainvoke("go") == ["slow", "fast"]
    assert [c async for c in app.astream("go", stream_mode="updates")] == [
        {"b_fast": {"t": "fast"}},
        {"a_slow": {"t": "slow"}},
    ]


def test_parallel_sync_nodes_run_concurrently_on_threads():
    barrier = threading.Barrier(2, timeout=5)

    def meet(_):
        barrier.wait()  # deadlocks (times out) unless both run at once
        return "met"

    app = Pregel(
        nodes={
            "a": NodeBuilder().subscribe_only("start").do(meet).write_to("t"),
            "b": NodeBuilder().subscribe_only("start").do(meet).write_to("t"),
        },
        channels={"start": LastValue(str), "t": Topic(str)},
        input_channels="start",
        output_channels="t",
    )
    assert app.invoke("go") == ["met", "met"]


def test_a_single_task_step_runs_inline_in_the_callers_thread():
    threads = []
    app = Pregel(
        nodes={
            "n": NodeBuilder()
            .subscribe_only("a")
            .do(lambda x: threads.append(threading.get_ident()))
        },
        channels={"a": LastValue(str)},
        input_channels="a",
        output_channels="a",
    )
    app.invoke("x")
    assert threads == [threading.get_ident()]


def test_two_writes_to_a_last_value_in_one_step_name_the_channel_and_nodes():
    app = Pregel(
        nodes={
            "draft": NodeBuilder().subscribe_only("a").write_to("answer"),
            "review": NodeBuilder().subscribe_only("a").write_to("answer"),
        },
        channels={"a": LastValue(str), "answer": LastValue(str)},
        input_channels="a",
        output_channels="answer",
    )
    chunks = []
    with pytest.raises(InvalidUpdateError) as info:
        for chunk in app.stream("x", stream_mode="updates"):
            chunks.append(chunk)
    message = str(info.value)
    assert "'answer'" in message
    assert "'draft'" in message and "'review'" in message
    assert "INVALID_CONCURRENT_GRAPH_UPDATE" in message
    # both nodes' updates were streamed before the step failed to apply, as in LangGraph
    assert len(chunks) == 2


def test_reducer_channel_folds_parallel_writes():
    app = Pregel(
        nodes={
            name: NodeBuilder().subscribe_only("a").do(lambda x, n=n: x * n).write_to("total")
            for n, name in enumerate(["one", "two", "three"], start=1)
        },
        channels={"a": LastValue(int), "total": BinaryOperatorAggregate(int, operator.add)},
        input_channels="a",
        output_channels="total",
    )
    assert app.invoke(1) == 6


def cycle():
    return Pregel(
        nodes={
            "p": NodeBuilder().subscribe_only("a").do(lambda x: x + "p").write_to("b"),
            "q": NodeBuilder().subscribe_only("b").do(lambda x: x + "q").write_to("a"),
        },
        channels={"a": LastValue(str), "b": LastValue(str)},
        input_channels="a",
        output_channels="a",
    )


def test_recursion_limit_runs_limit_plus_one_steps_then_raises_with_the_fix():
    chunks = []
    with pytest.raises(GraphRecursionError) as info:
        for chunk in cycle().stream("x", {"recursion_limit": 5}, stream_mode="updates"):
            chunks.append(chunk)
    assert len(chunks) == 6  # steps 0..5, as LangGraph
    message = str(info.value)
    assert "recursion_limit=5" in message
    assert "'recursion_limit'" in message
    assert "'p'" in message
    assert "GRAPH_RECURSION_LIMIT" in message


def test_recursion_limit_default_is_langgraphs_10007():
    # LangGraph 1.2.22 defaults to 10007 (LANGGRAPH_DEFAULT_RECURSION_LIMIT overrides it)
    with pytest.raises(GraphRecursionError, match="recursion_limit=10007"):
        cycle().invoke("x")


@pytest.mark.parametrize("limit", [0, -1, "3", 2.5, True])
def test_recursion_limit_must_be_a_positive_int(limit):
    with pytest.raises(ValueError, match="recursion_limit"):
        cycle().invoke("x", {"recursion_limit": limit})


def test_ephemeral_value_is_cleared_after_the_step_that_follows_its_write():
    seen = []
    app = Pregel(
        nodes={
            "w": NodeBuilder().subscribe_only("a").write_to("e", "b"),
            "r": NodeBuilder()
            .subscribe_to("b")
            .read_from("e")
            .do(lambda d: seen.append(d))
            .write_to("c"),
            "r2": NodeBuilder().subscribe_to("c").read_from("e").do(lambda d: seen.append(d)),
        },
        channels={
            "a": LastValue(str),
            "b": LastValue(str),
            "c": LastValue(object),
            "e": EphemeralValue(str),
        },
        input_channels="a",
        output_channels="a",
    )
    app.invoke("x")
    assert seen == [{"b": "x", "e": "x"}, {"c": None}]


def test_ephemeral_input_does_not_trigger_twice():
    runs = []
    app = Pregel(
        nodes={"n": NodeBuilder().subscribe_only("a").do(lambda x: runs.append(x))},
        channels={"a": EphemeralValue(str)},
        input_channels="a",
        output_channels="a",
    )
    app.invoke("x")
    assert runs == ["x"]


def test_send_packets_become_tasks_of_the_next_step_with_their_own_input():
    from langgraph_lite.types import Send

    def worker(item):
        time.sleep(0.03 * (3 - item))  # later packets finish first
        return item * 10

    app = Pregel(
        nodes={
            "fan": NodeBuilder()
            .subscribe_only("items")
            .do(lambda items: [Send("worker", i) for i in items])
            .write_to("__pregel_tasks"),
            "worker": NodeBuilder().subscribe_only("never").do(worker).write_to("results"),
        },
        channels={
            "items": LastValue(list),
            "never": LastValue(int),
            "results": Topic(int, accumulate=True),
        },
        input_channels="items",
        output_channels="results",
    )
    assert app.invoke([0, 1, 2]) == [0, 10, 20]  # packet order, not completion order


def test_send_to_an_unknown_node_names_it():
    from langgraph_lite.types import Send

    app = Pregel(
        nodes={
            "fan": NodeBuilder()
            .subscribe_only("a")
            .do(lambda _: Send("nobody", 1))
            .write_to("__pregel_tasks"),
        },
        channels={"a": LastValue(int)},
        input_channels="a",
        output_channels="a",
    )
    with pytest.raises(InvalidUpdateError, match="Send\\('nobody'"):
        app.invoke(1)


def test_retry_policy_retries_matching_errors_then_succeeds():
    from langgraph_lite.types import RetryPolicy

    attempts = []

    def flaky(x):
        attempts.append(x)
        if len(attempts) < 3:
            raise ConnectionError("try again")
        return x

    app = Pregel(
        nodes={
            "n": NodeBuilder()
            .subscribe_only("a")
            .do(flaky)
            .write_to("b")
            .add_retry_policies(RetryPolicy(initial_interval=0.001, jitter=False))
        },
        channels={"a": LastValue(int), "b": LastValue(int)},
        input_channels="a",
        output_channels="b",
    )
    assert app.invoke(7) == 7
    assert attempts == [7, 7, 7]
    attempts.clear()
    app.nodes["n"].retry_policy = [RetryPolicy(max_attempts=2, initial_interval=0.001)]
    with pytest.raises(ConnectionError):
        app.invoke(7)
    assert len(attempts) == 2
    attempts.clear()
    app.nodes["n"].retry_policy = [RetryPolicy(retry_on=KeyError, initial_interval=0.001)]
    with pytest.raises(ConnectionError):
        app.invoke(7)
    assert len(attempts) == 1
