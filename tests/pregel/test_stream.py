"""Streaming through the bounded queue: modes, writers, backpressure, early stop, errors."""

import asyncio
import gc
import threading
import time

import anyio
import pytest

from langgraph_lite.channels import LastValue, Topic
from langgraph_lite.config import get_config, get_stream_writer
from langgraph_lite.pregel import NodeBuilder, Pregel


def run_threads():
    """The sync driver's worker threads still alive.

    Idle pools shared across runs do not count: other libraries', the one sync nodes run on
    under ``ainvoke`` (``pregel/worker_threads.py``) and the one helping the sync driver's
    thread with a step's tasks (``pregel/thread_step.py``), whose threads are reused by the
    next run (the tests check that their nodes ended).
    """
    return [
        t
        for t in threading.enumerate()
        if t.name.startswith("langgraph_lite")
        and not t.name.startswith(("langgraph_lite-node", "langgraph_lite-step"))
    ]


def one_node(fn, *, out="b"):
    return Pregel(
        nodes={"n": NodeBuilder().subscribe_only("a").do(fn).write_to(out)},
        channels={"a": LastValue(object), out: LastValue(object)},
        input_channels="a",
        output_channels=out,
    )


def test_custom_mode_carries_writer_values_as_they_are():
    def node(x):
        write = get_stream_writer()
        write({"custom": 1})
        write("plain string")
        write(("tu", 2))
        return x + "!"

    app = one_node(node)
    assert list(app.stream("x", stream_mode="custom")) == [{"custom": 1}, "plain string", ("tu", 2)]
    assert list(app.stream("x", stream_mode=["custom", "updates"])) == [
        ("custom", {"custom": 1}),
        ("custom", "plain string"),
        ("custom", ("tu", 2)),
        ("updates", {"n": {"b": "x!"}}),
    ]
    # nobody streams custom: the writer drops values
    assert list(app.stream("x", stream_mode="values")) == [{"a": "x", "b": "x!"}]


def test_writer_and_config_keyword_arguments_are_injected():
    def node(x, *, writer, config):
        writer({"from_kwarg": x, "thread": config["configurable"]["thread"]})
        return x

    app = one_node(node)
    chunks = list(app.stream("x", {"configurable": {"thread": "t1"}}, stream_mode="custom"))
    assert chunks == [{"from_kwarg": "x", "thread": "t1"}]


def test_get_config_inside_a_node_sees_the_run_config_and_node_metadata():
    seen = {}

    def node(x):
        seen.update(get_config())
        return x

    app = one_node(node)
    app.invoke(
        "x",
        {"configurable": {"x": 1}, "tags": ["t"], "metadata": {"m": 1}, "recursion_limit": 10},
    )
    assert seen["configurable"]["x"] == 1
    assert seen["tags"] == ["t"]
    assert seen["recursion_limit"] == 10
    meta = seen["metadata"]
    assert meta["m"] == 1
    assert meta["langgraph_step"] == 0
    assert meta["langgraph_node"] == "n"
    assert meta["langgraph_triggers"] == ("a",)
    assert meta["langgraph_path"] == ("__pregel_pull", "n")
    assert meta["langgraph_checkpoint_ns"].startswith("n:")


def test_get_config_and_get_stream_writer_outside_a_node_say_so():
    with pytest.raises(RuntimeError, match="outside a running node"):
        get_config()
    with pytest.raises(RuntimeError, match="outside a running node"):
        get_stream_writer()


@pytest.mark.anyio
async def test_get_config_works_in_async_nodes_and_sync_nodes_under_astream():
    seen = []

    async def anode(x):
        seen.append(get_config()["metadata"]["langgraph_node"])
        return x

    def snode(x):
        seen.append(get_config()["metadata"]["langgraph_node"])
        return x

    app = Pregel(
        nodes={
            "first": NodeBuilder().subscribe_only("a").do(anode).write_to("b"),
            "second": NodeBuilder().subscribe_only("b").do(snode).write_to("c"),
        },
        channels={k: LastValue(str) for k in "abc"},
        input_channels="a",
        output_channels="c",
    )
    assert await app.ainvoke("x") == "x"
    assert seen == ["first", "second"]


def test_unknown_stream_mode_lists_the_valid_ones():
    app = one_node(lambda x: x)
    with pytest.raises(ValueError, match=r"unknown stream_mode 'vals'.*values, updates, custom"):
        list(app.stream("x", stream_mode="vals"))
    with pytest.raises(ValueError, match=r"unknown stream_mode 'update'.*Did you mean 'updates'"):
        app.stream("x", stream_mode=["values", "update"])


# -- sync and async agree ----------------------------------------------------------------------


def fan_graph(make):
    return Pregel(
        nodes={
            "start": NodeBuilder().subscribe_only("a").do(make("start")).write_to("b", "c"),
            "left": NodeBuilder().subscribe_only("b").do(make("left")).write_to("t"),
            "right": NodeBuilder().subscribe_only("c").do(make("right")).write_to("t"),
            "join": NodeBuilder().subscribe_only("t").do(make("join")).write_to("out"),
        },
        channels={
            "a": LastValue(object),
            "b": LastValue(object),
            "c": LastValue(object),
            "t": Topic(object),
            "out": LastValue(object),
        },
        input_channels="a",
        output_channels="out",
    )


def make_sync(name):
    delays = {"left": 0.05, "right": 0.0}

    def run(x, *, writer):
        time.sleep(delays.get(name, 0))
        writer(f"{name} ran")
        return f"{name}({x})"

    return run


def make_async(name):
    delays = {"left": 0.05, "right": 0.0}

    async def run(x, *, writer):
        await anyio.sleep(delays.get(name, 0))
        writer(f"{name} ran")
        return f"{name}({x})"

    return run


MODES = ["values", "updates", "custom"]


def test_fan_out_and_in_gives_the_expected_chunks():
    chunks = list(fan_graph(make_sync).stream("x", stream_mode=MODES))
    assert chunks == [
        ("custom", "start ran"),
        ("updates", {"start": {"b": "start(x)", "c": "start(x)"}}),
        ("values", {"a": "x", "b": "start(x)", "c": "start(x)"}),
        ("custom", "right ran"),
        ("updates", {"right": {"t": "right(start(x))"}}),
        ("custom", "left ran"),
        ("updates", {"left": {"t": "left(start(x))"}}),
        (
            "values",
            {
                "a": "x",
                "b": "start(x)",
                "c": "start(x)",
                "t": ["left(start(x))", "right(start(x))"],
            },
        ),
        ("custom", "join ran"),
        ("updates", {"join": {"out": "join(['left(start(x))', 'right(start(x))'])"}}),
        (
            "values",
            {
                "a": "x",
                "b": "start(x)",
                "c": "start(x)",
                # the topic was not written in this step, so it was cleared
                "out": "join(['left(start(x))', 'right(start(x))'])",
            },
        ),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("make", [make_sync, make_async], ids=["sync-nodes", "async-nodes"])
async def test_sync_and_async_streams_give_identical_chunks(make):
    expected = list(fan_graph(make_sync).stream("x", stream_mode=MODES))
    got = [c async for c in fan_graph(make).astream("x", stream_mode=MODES)]
    assert got == expected
    for modes in ("values", "updates", ["updates", "values"]):
        sync = list(fan_graph(make_sync).stream("x", stream_mode=modes))
        assert [c async for c in fan_graph(make).astream("x", stream_mode=modes)] == sync
    assert await fan_graph(make).ainvoke("x") == fan_graph(make_sync).invoke("x")


def test_async_nodes_under_sync_stream_fail_with_advice():
    async def anode(x):
        return x

    with pytest.raises(TypeError, match="ainvoke"):
        one_node(anode).invoke("x")


# -- backpressure ------------------------------------------------------------------------------

N_EVENTS = 100_000


def emitter(x, *, writer):
    for i in range(N_EVENTS):
        writer(i)
    return "done"


def test_stream_never_buffers_more_than_its_bound():
    app = one_node(emitter)
    stream = app.stream("x", stream_mode="custom", stream_buffer_size=64)
    count = 0
    for i, chunk in enumerate(stream):
        assert chunk == i
        count += 1
        if count % 10_000 == 0:
            time.sleep(0.01)  # a slow consumer now and then: the producer must wait
    stats = stream.statistics()
    assert count == N_EVENTS
    assert stats.max_size == 64
    assert 0 < stats.peak <= 64
    assert stats.overflowed == 0


@pytest.mark.anyio
async def test_astream_never_buffers_more_than_its_bound_with_a_sync_node():
    app = one_node(emitter)
    stream = app.astream("x", stream_mode="custom", stream_buffer_size=64)
    count = 0
    async for chunk in stream:
        assert chunk == count
        count += 1
        if count % 10_000 == 0:
            await anyio.sleep(0.01)
    stats = stream.statistics()
    assert count == N_EVENTS
    assert 0 < stats.peak <= 64
    assert stats.overflowed == 0


@pytest.mark.anyio
async def test_async_producer_that_awaits_its_writer_waits_for_room():
    async def node(x, *, writer):
        for i in range(2_000):
            await writer(i)
        return "done"

    stream = one_node(node).astream("x", stream_mode="custom", stream_buffer_size=8)
    got = []
    async for chunk in stream:
        got.append(chunk)
        if len(got) % 100 == 0:
            await anyio.sleep(0)
        assert stream.statistics().size <= 8
    assert got == list(range(2_000))
    assert stream.statistics().overflowed == 0


@pytest.mark.anyio
async def test_async_producer_that_cannot_wait_overflows_and_is_counted():
    async def node(x, *, writer):
        for i in range(100):
            writer(i)  # a plain call on the event loop's thread cannot wait
        return "done"

    stream = one_node(node).astream("x", stream_mode="custom", stream_buffer_size=8)
    assert [c async for c in stream] == list(range(100))
    assert stream.statistics().overflowed == 92
    assert stream.statistics().peak == 100  # the over-the-bound items count in the peak


def test_stream_buffer_size_must_be_positive():
    with pytest.raises(ValueError, match="stream_buffer_size"):
        one_node(lambda x: x).stream("x", stream_buffer_size=0)


# -- early stop --------------------------------------------------------------------------------


def test_break_stops_the_run_before_the_next_step():
    ran = []
    app = Pregel(
        nodes={
            "one": NodeBuilder()
            .subscribe_only("a")
            .do(lambda x: ran.append("one") or x)
            .write_to("b"),
            "two": NodeBuilder()
            .subscribe_only("b")
            .do(lambda x: ran.append("two") or x)
            .write_to("c"),
        },
        channels={k: LastValue(str) for k in "abc"},
        input_channels="a",
        output_channels="c",
    )
    for _chunk in app.stream("x", stream_mode="updates"):
        break
    time.sleep(0.05)
    assert ran == ["one"]


def test_break_mid_step_leaves_no_node_running_and_no_thread_behind():
    flag = threading.Event()
    started = threading.Event()

    def talker(x, *, writer):
        started.set()
        for i in range(1_000_000):
            writer(i)  # raises once the consumer has gone
        flag.set()
        return x

    def slow(x):
        time.sleep(0.2)
        return x

    app = Pregel(
        nodes={
            "talker": NodeBuilder().subscribe_only("a").do(talker).write_to("b"),
            "slow": NodeBuilder().subscribe_only("a").do(slow).write_to("c"),
            "after": NodeBuilder().subscribe_only("c").do(lambda x: flag.set()),
        },
        channels={k: LastValue(str) for k in "abc"},
        input_channels="a",
        output_channels="c",
    )
    for chunk in app.stream("x", stream_mode="custom", stream_buffer_size=16):
        if chunk == 10:
            break
    # close() returned: every worker thread of the run has ended
    assert started.is_set()
    assert not run_threads()
    time.sleep(0.3)
    assert not flag.is_set()


@pytest.mark.anyio
async def test_aclose_cancels_running_async_nodes():
    flag = anyio.Event()
    finished = []

    async def talker(x, *, writer):
        writer("hello")
        await anyio.sleep(0.3)
        finished.append("talker")
        return x

    app = one_node(talker)
    stream = app.astream("x", stream_mode="custom")
    assert await stream.__anext__() == "hello"
    await stream.aclose()
    await anyio.sleep(0.4)
    assert finished == []
    assert not flag.is_set()


@pytest.mark.anyio
async def test_break_from_astream_cancels_running_nodes(anyio_backend):
    finished = []

    async def talker(x, *, writer):
        writer("hello")
        await anyio.sleep(0.3)
        finished.append("talker")
        return x

    app = one_node(talker)
    async for _chunk in app.astream("x", stream_mode="custom"):
        break
    gc.collect()
    await anyio.sleep(0.5)
    assert finished == []


@pytest.mark.anyio
async def test_cancelling_the_consuming_task_cancels_the_run():
    finished = []

    async def talker(x, *, writer):
        for i in range(3):
            writer(i)
            await anyio.sleep(0.1)
        finished.append("talker")
        return x

    app = one_node(talker)
    got = []
    with anyio.CancelScope() as scope:
        async for chunk in app.astream("x", stream_mode="custom"):
            got.append(chunk)
            if len(got) == 2:
                scope.cancel()  # cancels the consumer at its next await: inside __anext__
    assert scope.cancelled_caught
    await anyio.sleep(0.5)
    assert got == [0, 1]
    assert finished == []


@pytest.mark.anyio
async def test_cancelling_ainvoke_cancels_its_nodes():
    finished = []

    async def slow(x):
        await anyio.sleep(0.3)
        finished.append("slow")
        return x

    app = Pregel(
        nodes={
            "a": NodeBuilder().subscribe_only("a").do(slow).write_to("t"),
            "b": NodeBuilder().subscribe_only("a").do(slow).write_to("t"),
        },
        channels={"a": LastValue(str), "t": Topic(str)},
        input_channels="a",
        output_channels="t",
    )
    with anyio.move_on_after(0.05):
        await app.ainvoke("x")
    await anyio.sleep(0.4)
    assert finished == []


# -- errors ------------------------------------------------------------------------------------


class Boom(Exception):
    pass


def failing(x):
    raise Boom("boom")


def test_a_node_error_reaches_the_caller_unchanged_with_a_note():
    with pytest.raises(Boom) as info:
        one_node(failing).invoke("x")
    assert info.value.args == ("boom",)
    (note,) = info.value.__notes__
    assert "'n'" in note and "step 0" in note


@pytest.mark.anyio
async def test_an_async_node_error_reaches_the_caller_unchanged_with_a_note():
    async def afailing(x):
        raise Boom("boom")

    with pytest.raises(Boom) as info:
        await one_node(afailing).ainvoke("x")
    assert "'n'" in info.value.__notes__[0]
    with pytest.raises(Boom):
        async for _ in one_node(afailing).astream("x", stream_mode="custom"):
            pass


@pytest.mark.anyio
async def test_a_failing_parallel_task_cancels_its_async_siblings():
    finished = []

    async def slow(x):
        await anyio.sleep(0.3)
        finished.append("slow")
        return x

    async def bad(x):
        await anyio.sleep(0.01)
        raise Boom("bad")

    app = Pregel(
        nodes={
            "bad": NodeBuilder().subscribe_only("a").do(bad).write_to("t"),
            "slow": NodeBuilder().subscribe_only("a").do(slow).write_to("t"),
        },
        channels={"a": LastValue(str), "t": Topic(str)},
        input_channels="a",
        output_channels="t",
    )
    for modes in ("values", "custom"):
        with pytest.raises(Boom) as info:
            async for _ in app.astream("x", stream_mode=modes):
                pass
        assert type(info.value) is Boom  # not wrapped in an exception group
    await anyio.sleep(0.4)
    assert finished == []


@pytest.mark.parametrize("slow_first", [True, False])
def test_a_failing_parallel_task_in_sync_mode_raises_once_its_siblings_end(slow_first):
    ended = threading.Event()

    def slow(x):
        time.sleep(0.05)
        ended.set()
        return x

    nodes = {
        "bad": NodeBuilder().subscribe_only("a").do(failing).write_to("t"),
        "slow": NodeBuilder().subscribe_only("a").do(slow).write_to("t"),
    }
    app = Pregel(
        nodes=dict(reversed(nodes.items())) if slow_first else nodes,
        channels={"a": LastValue(str), "t": Topic(str)},
        input_channels="a",
        output_channels="t",
    )
    with pytest.raises(Boom):
        app.invoke("x")
    assert ended.is_set()
    assert not run_threads()


def test_no_unawaited_coroutine_warnings_when_stopping_early():
    # pyproject turns warnings into errors; this runs the async path under asyncio directly.
    async def talker(x, *, writer):
        writer(1)
        await asyncio.sleep(1)
        return x

    async def main():
        async for _ in one_node(talker).astream("x", stream_mode="custom"):
            break
        await asyncio.sleep(0.05)

    asyncio.run(main())
