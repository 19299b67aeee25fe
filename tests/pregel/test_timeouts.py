"""Node timeouts: TimeoutPolicy on nodes and tasks, heartbeats, sync nodes told or abandoned."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Annotated, Any, TypedDict

import anyio
import pytest

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import NodeTimeoutError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.runtime import Runtime
from langgraph_lite.types import RetryPolicy, TimeoutPolicy, default_retry_on

FAST_RETRY = RetryPolicy(initial_interval=0.0, jitter=False)


class State(TypedDict):
    x: int


class Log(TypedDict):
    x: int
    log: Annotated[list[str], lambda a, b: a + b]


def one_node(fn: Any, state: Any = State, **kwargs: Any) -> Any:
    builder = StateGraph(state)
    builder.add_node("n", fn, **kwargs)
    builder.add_edge(START, "n")
    return builder


# -- the policy and the error -------------------------------------------------------------------


def test_a_number_or_timedelta_is_a_run_timeout_and_an_empty_policy_is_none():
    assert TimeoutPolicy.coerce(2) == TimeoutPolicy(run_timeout=2.0)
    assert TimeoutPolicy.coerce(timedelta(milliseconds=1500)) == TimeoutPolicy(run_timeout=1.5)
    assert TimeoutPolicy.coerce(TimeoutPolicy()) is None
    mixed = TimeoutPolicy.coerce(TimeoutPolicy(idle_timeout=timedelta(seconds=3), run_timeout=9))
    assert mixed == TimeoutPolicy(run_timeout=9.0, idle_timeout=3.0)
    assert type(mixed.run_timeout) is float and type(mixed.idle_timeout) is float
    builder = one_node(lambda s: s, timeout=5)
    assert builder.nodes["n"].timeout == TimeoutPolicy(run_timeout=5.0)
    assert builder.compile().nodes["n"].timeout == TimeoutPolicy(run_timeout=5.0)


def test_node_timeout_error_is_retried_by_default_and_is_not_an_oserror():
    error = NodeTimeoutError("n", 1.25, kind="run", run_timeout=1.0)
    assert str(error) == "Node 'n' exceeded its run timeout of 1.000s (elapsed: 1.250s)."
    assert not isinstance(error, TimeoutError) and default_retry_on(error)
    assert (error.node, error.kind, error.timeout, error.elapsed) == ("n", "run", 1.0, 1.25)
    idle = NodeTimeoutError("n", 2.0, kind="idle", idle_timeout=0.5, run_timeout=9.0)
    assert str(idle).startswith("Node 'n' exceeded its idle timeout of 0.500s without making")
    assert (idle.timeout, idle.run_timeout, idle.idle_timeout) == (0.5, 9.0, 0.5)
    with pytest.raises(ValueError, match="run_timeout is required"):
        NodeTimeoutError("n", 1.0, kind="run")


@pytest.mark.parametrize(
    ("timeout", "error", "words"),
    [
        (0, ValueError, "timeout must be greater than 0"),
        (-1.5, ValueError, "timeout must be greater than 0"),
        (float("nan"), ValueError, "greater than 0"),
        ("5", TypeError, "timeout must be a TimeoutPolicy, a number of seconds or a timedelta"),
        (True, TypeError, "got bool"),
        (TimeoutPolicy(idle_timeout=-1), ValueError, "idle_timeout must be greater than 0"),
        (TimeoutPolicy(run_timeout="1"), TypeError, "run_timeout must be a number of seconds"),
        (TimeoutPolicy(run_timeout=1, refresh_on="x"), ValueError, "refresh_on must be"),  # type: ignore[arg-type]
    ],
)
def test_bad_timeouts_are_refused_naming_the_node_and_argument(timeout, error, words):
    with pytest.raises(error, match=r"^add_node\('fetch'\): .*" + words):
        StateGraph(State).add_node("fetch", lambda s: s, timeout=timeout)
    with pytest.raises(error, match=r"^set_node_defaults\(\): .*" + words):
        StateGraph(State).set_node_defaults(timeout=timeout)
    from langgraph_lite.func import entrypoint, task

    with pytest.raises(error, match=r"^task 'fetch': .*" + words):
        task(name="fetch", timeout=timeout)(lambda: None)
    with pytest.raises(error, match=r"^entrypoint\(\): .*" + words):
        entrypoint(timeout=timeout)


# -- async nodes: cancelled ---------------------------------------------------------------------


@pytest.mark.anyio
async def test_an_async_node_past_its_run_timeout_is_cancelled_and_fails():
    seen: list[str] = []

    async def slow(state):
        try:
            await anyio.sleep(30)
        finally:
            seen.append("cleaned up")  # cancellation reached the node: its finally ran
        return {"x": 1}

    graph = one_node(slow, timeout=0.1).compile()
    started = time.monotonic()
    with pytest.raises(NodeTimeoutError) as caught:
        await graph.ainvoke({"x": 0})
    assert time.monotonic() - started < 5
    assert seen == ["cleaned up"]
    assert (caught.value.node, caught.value.kind, caught.value.run_timeout) == ("n", "run", 0.1)
    assert str(caught.value).startswith("Node 'n' exceeded its run timeout of 0.100s")


@pytest.mark.anyio
async def test_a_timed_out_attempt_is_retried_and_its_writes_dropped():
    attempts: list[int] = []

    async def flaky(state, writer):
        attempts.append(1)
        writer(f"attempt {len(attempts)}")
        if len(attempts) == 1:
            await anyio.sleep(30)
        return {"x": len(attempts)}

    graph = one_node(flaky, timeout=0.2, retry_policy=FAST_RETRY).compile()
    chunks = [c async for c in graph.astream({"x": 0}, stream_mode=["custom", "updates"])]
    assert chunks == [
        ("custom", "attempt 1"),
        ("custom", "attempt 2"),
        ("updates", {"n": {"x": 2}}),
    ]


@pytest.mark.anyio
async def test_heartbeats_keep_an_idle_timeout_from_passing():
    async def busy(state, runtime: Runtime):
        for _ in range(8):
            await anyio.sleep(0.05)
            runtime.heartbeat()
        return {"x": 1}

    async def quiet(state):
        await anyio.sleep(30)

    policy = TimeoutPolicy(idle_timeout=0.5)
    assert await one_node(busy, timeout=policy).compile().ainvoke({"x": 0}) == {"x": 1}
    with pytest.raises(NodeTimeoutError, match=r"idle timeout of 0\.500s") as caught:
        await one_node(quiet, timeout=policy).compile().ainvoke({"x": 0})
    assert caught.value.kind == "idle" and caught.value.run_timeout is None


@pytest.mark.anyio
async def test_custom_writes_are_progress_unless_refresh_on_heartbeat():
    async def chatty(state, writer):
        for i in range(8):
            await anyio.sleep(0.05)
            writer(i)
        return {"x": 1}

    auto = TimeoutPolicy(idle_timeout=0.5)
    assert await one_node(chatty, timeout=auto).compile().ainvoke({"x": 0}) == {"x": 1}
    strict = TimeoutPolicy(idle_timeout=0.25, refresh_on="heartbeat")
    with pytest.raises(NodeTimeoutError, match="idle timeout"):
        await one_node(chatty, timeout=strict).compile().ainvoke({"x": 0})


@pytest.mark.anyio
async def test_a_run_timeout_is_not_extended_by_heartbeats():
    async def beating(state, runtime: Runtime):
        while True:
            await anyio.sleep(0.02)
            runtime.heartbeat()

    policy = TimeoutPolicy(run_timeout=0.3, idle_timeout=1.0)
    with pytest.raises(NodeTimeoutError) as caught:
        await one_node(beating, timeout=policy).compile().ainvoke({"x": 0})
    assert caught.value.kind == "run" and caught.value.elapsed >= 0.3


@pytest.mark.anyio
async def test_cancelling_the_run_cancels_a_timed_node_without_a_timeout_error():
    seen: list[str] = []

    async def slow(state):
        try:
            await anyio.sleep(30)
        finally:
            seen.append("cancelled")

    graph = one_node(slow, timeout=20).compile()
    with anyio.move_on_after(0.2) as scope:
        await graph.ainvoke({"x": 0})
    assert scope.cancelled_caught and seen == ["cancelled"]


@pytest.mark.anyio
async def test_set_node_defaults_timeout_applies_to_nodes_without_their_own():
    async def slow(state):
        await anyio.sleep(0.5)
        return {"x": 1}

    builder = StateGraph(State).set_node_defaults(timeout=0.1)
    builder.add_node("short", slow).add_node("long", slow, timeout=5)
    builder.add_edge(START, "short").add_edge(START, "long")
    graph = builder.compile()
    assert graph.nodes["short"].timeout == TimeoutPolicy(run_timeout=0.1)
    assert graph.nodes["long"].timeout == TimeoutPolicy(run_timeout=5.0)
    with pytest.raises(NodeTimeoutError, match="Node 'short'"):
        await graph.ainvoke({"x": 0})


@pytest.mark.anyio
async def test_a_timed_out_step_resumes_from_its_checkpoint():
    attempts: list[int] = []

    async def slow_once(state):
        attempts.append(1)
        if len(attempts) == 1:
            await anyio.sleep(30)
        return {"x": state["x"] + 1}

    graph = one_node(slow_once, timeout=0.2).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    chunks = []
    with pytest.raises(NodeTimeoutError):
        async for chunk in graph.astream({"x": 1}, config, stream_mode="tasks"):
            chunks.append(chunk)
    assert isinstance(chunks[-1]["error"], NodeTimeoutError) and chunks[-1]["result"] == {}
    snapshot = await graph.aget_state(config)
    assert snapshot.next == ("n",)
    assert snapshot.tasks[0].error.startswith("NodeTimeoutError(\"Node 'n' exceeded")
    assert await graph.ainvoke(None, config) == {"x": 2}
    assert len(attempts) == 2


def test_without_a_timeout_heartbeat_does_nothing():
    def node(state, runtime: Runtime):
        runtime.heartbeat()
        return {"x": 1}

    assert one_node(node).compile().invoke({"x": 0}) == {"x": 1}


# -- sync nodes: told at heartbeat(), else abandoned --------------------------------------------


def test_a_sync_node_learns_at_its_next_heartbeat_that_its_time_is_up():
    seen: list[str] = []

    def looping(state, runtime: Runtime):
        try:
            while True:
                time.sleep(0.02)
                runtime.heartbeat()
        except NodeTimeoutError as error:
            seen.append(error.kind)
            raise

    graph = one_node(looping, timeout=0.2).compile()
    with pytest.raises(NodeTimeoutError, match=r"run timeout of 0\.200s"):
        graph.invoke({"x": 0})
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == ["run"]


def test_a_sync_node_that_overruns_is_abandoned_and_what_it_does_after_is_dropped():
    release = threading.Event()
    finished = threading.Event()

    def stuck(state, writer):
        writer("before")
        release.wait(10)
        writer("after")  # dropped: the attempt has timed out
        finished.set()
        return {"x": 99, "log": ["late"]}

    graph = one_node(stuck, Log, timeout=0.2).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    chunks: list[Any] = []
    started = time.monotonic()
    with pytest.raises(NodeTimeoutError):
        for chunk in graph.stream({"x": 0, "log": []}, config, stream_mode="custom"):
            chunks.append(chunk)
    assert time.monotonic() - started < 5  # the run did not wait for the node
    release.set()
    assert finished.wait(5)
    time.sleep(0.05)
    assert chunks == ["before"]
    assert graph.get_state(config).values == {"x": 0, "log": []}


def test_an_abandoned_sync_attempt_does_not_leak_into_its_retry():
    from langgraph_lite.graph import MessagesState
    from langgraph_lite.graph.message import push_message
    from langgraph_lite.messages import AIMessage

    release = threading.Event()
    late_done = threading.Event()
    attempts: list[int] = []

    def node(state):
        attempts.append(1)
        if len(attempts) == 1:
            release.wait(10)
            push_message(AIMessage("late", id="late"))  # dropped: its attempt timed out
            late_done.set()
            return {"messages": [AIMessage("stale", id="stale")]}
        push_message(AIMessage("fresh", id="fresh"))
        release.set()  # the abandoned first attempt goes on now, while this one finishes
        assert late_done.wait(5)
        return {"messages": [AIMessage("done", id="done")]}

    builder = StateGraph(MessagesState)
    builder.add_node("n", node, timeout=0.2, retry_policy=FAST_RETRY).add_edge(START, "n")
    out = builder.compile().invoke({"messages": []})
    assert [m.id for m in out["messages"]] == ["fresh", "done"]


@pytest.mark.anyio
async def test_a_sync_node_under_ainvoke_is_abandoned_and_retried():
    release = threading.Event()
    attempts: list[int] = []

    def node(state):
        attempts.append(1)
        if len(attempts) == 1:
            release.wait(10)
            return {"x": -1}
        return {"x": len(attempts)}

    graph = one_node(node, timeout=0.2, retry_policy=FAST_RETRY).compile()
    try:
        assert await graph.ainvoke({"x": 0}) == {"x": 2}
    finally:
        release.set()


@pytest.mark.anyio
async def test_a_sync_node_under_ainvoke_is_told_at_its_heartbeat():
    def looping(state, runtime: Runtime):
        while True:
            time.sleep(0.02)
            runtime.heartbeat()

    policy = TimeoutPolicy(run_timeout=0.2)
    with pytest.raises(NodeTimeoutError, match="Node 'n'"):
        await one_node(looping, timeout=policy).compile().ainvoke({"x": 0})


def test_a_sync_node_that_finishes_in_time_keeps_its_result_and_its_context():
    from langgraph_lite.config import get_config

    def node(state, runtime: Runtime):
        runtime.heartbeat()
        return {"x": get_config()["metadata"]["langgraph_step"]}

    assert one_node(node, timeout=5).compile().invoke({"x": 0}) == {"x": 1}


# -- the functional API -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_task_timeout_fails_the_call_and_is_retried_by_its_policy():
    from langgraph_lite.func import entrypoint, task

    attempts: list[int] = []

    @task(timeout=0.1)
    async def slow(x: int) -> int:
        await anyio.sleep(30)
        return x

    @task(timeout=TimeoutPolicy(run_timeout=0.2), retry_policy=FAST_RETRY)
    async def slow_once(x: int) -> int:
        attempts.append(1)
        if len(attempts) == 1:
            await anyio.sleep(30)
        return x * 10

    @entrypoint()
    async def failing(x: int) -> int:
        return await slow(x)

    @entrypoint()
    async def retrying(x: int) -> int:
        return await slow_once(x)

    with pytest.raises(NodeTimeoutError, match="Node 'slow'"):
        await failing.ainvoke(1)
    assert await retrying.ainvoke(2) == 20 and len(attempts) == 2


def test_a_sync_task_and_a_sync_entrypoint_take_timeouts():
    from langgraph_lite.func import entrypoint, task

    release = threading.Event()

    @task(timeout=0.2)
    def stuck(x: int) -> int:
        release.wait(10)
        return x

    @entrypoint()
    def calls_stuck(x: int) -> int:
        return stuck(x).result()

    @entrypoint(timeout=0.2)
    def itself_stuck(x: int) -> int:
        release.wait(10)
        return x

    try:
        with pytest.raises(NodeTimeoutError, match="Node 'stuck'"):
            calls_stuck.invoke(1)
        with pytest.raises(NodeTimeoutError, match="Node 'itself_stuck'"):
            itself_stuck.invoke(1)
    finally:
        release.set()


@pytest.mark.anyio
async def test_a_node_builder_node_takes_a_timeout():
    from langgraph_lite.channels import EphemeralValue, LastValue
    from langgraph_lite.pregel import NodeBuilder, Pregel

    async def slow(value: int) -> int:
        await anyio.sleep(30)
        return value

    node = NodeBuilder().subscribe_only("input").do(slow).set_timeout(0.1).write_to("output")
    graph = Pregel(
        nodes={"slow": node},
        channels={"input": EphemeralValue(int), "output": LastValue(int)},
        input_channels="input",
        output_channels="output",
    )
    with pytest.raises(NodeTimeoutError, match="Node 'slow'"):
        await graph.ainvoke(1)
    with pytest.raises(ValueError, match=r"^NodeBuilder.set_timeout\(\): timeout must be"):
        NodeBuilder().set_timeout(-1)


@pytest.mark.anyio
async def test_a_node_that_swallows_its_cancellation_still_times_out():
    async def stubborn(state, writer):
        try:
            await anyio.sleep(30)
        except anyio.get_cancelled_exc_class():
            writer("late")  # dropped: the attempt is over
            return {"x": 99}  # discarded
        return {"x": 1}

    graph = one_node(stubborn, timeout=0.1).compile()
    chunks: list[Any] = []
    with pytest.raises(NodeTimeoutError):
        async for chunk in graph.astream({"x": 0}, stream_mode=["custom", "values"]):
            chunks.append(chunk)
    assert chunks == [("values", {"x": 0})]


@pytest.mark.anyio
async def test_a_cancelled_run_waits_for_its_timed_sync_node_up_to_its_limit():
    done: list[str] = []

    def short(state):
        time.sleep(0.3)
        done.append("short")
        return {"x": 1}

    graph = one_node(short, timeout=5).compile()
    with anyio.move_on_after(0.05):
        await graph.ainvoke({"x": 0})
    assert done == ["short"]  # the stop returned only once the node had

    release = threading.Event()

    def stuck(state):
        release.wait(10)

    graph = one_node(stuck, timeout=0.3).compile()
    started = time.monotonic()
    with anyio.move_on_after(0.05):
        await graph.ainvoke({"x": 0})
    assert time.monotonic() - started < 5  # not past the node's limit: it is abandoned then
    release.set()
