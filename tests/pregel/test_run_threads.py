"""Sync nodes under ``ainvoke`` / ``astream``: a run's steps of one sync task share one thread.

``pregel/worker_threads.py``'s ``RunThread``: the run hands each such step to the thread it
holds (no pool queue in between); the thread goes back to a free list when the run ends. A
parallel step's sync tasks still get threads of their own. Threads stay bounded, idle ones end,
and a stopped run's node is waited for (a cancel scope) or left to finish (a bare cancel)
without holding up the next run.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import threading
import time

import anyio
import pytest

from langgraph_lite.channels import LastValue
from langgraph_lite.pregel import NodeBuilder, Pregel, worker_threads


def chain(*fns):
    """A chain ``c0 -> n0 -> c1 -> ... -> cN`` of the given node functions."""
    n = len(fns)
    return Pregel(
        nodes={
            f"n{i}": NodeBuilder().subscribe_only(f"c{i}").do(fn).write_to(f"c{i + 1}")
            for i, fn in enumerate(fns)
        },
        channels={f"c{i}": LastValue(object) for i in range(n + 1)},
        input_channels="c0",
        output_channels=f"c{n}",
    )


def run_threads():
    return [t for t in threading.enumerate() if t.name == "langgraph_lite-node-run"]


def recording(seen):
    def node(x):
        seen.append(threading.get_ident())
        return x

    return node


def test_a_runs_sync_steps_share_one_thread_and_a_parallel_steps_tasks_get_their_own():
    seen, fan = [], []
    barrier = threading.Barrier(2, timeout=5)

    def side(x):
        barrier.wait()  # both run at once: two threads
        fan.append(threading.get_ident())
        return x

    app = Pregel(
        nodes={
            "a": NodeBuilder().subscribe_only("c0").do(side).write_to("x"),
            "b": NodeBuilder().subscribe_only("c0").do(side).write_to("y"),
            **{
                f"n{i}": NodeBuilder()
                .subscribe_only("x" if i == 0 else f"c{i}")
                .do(recording(seen))
                .write_to(f"c{i + 1}")
                for i in range(6)
            },
        },
        channels={
            "x": LastValue(object),
            "y": LastValue(object),
            **{f"c{i}": LastValue(object) for i in range(7)},
        },
        input_channels="c0",
        output_channels="c6",
    )

    async def main():
        for _ in range(3):
            seen.clear()
            assert await app.ainvoke(1) == 1
            assert len(seen) == 6 and len(set(seen)) == 1, seen
            assert seen[0] != threading.get_ident()  # not the event loop's thread

    asyncio.run(main())
    assert len(set(fan)) >= 2


def test_astream_runs_its_sync_steps_in_one_thread_in_order():
    seen = []
    app = chain(*[recording(seen)] * 5)

    async def main():
        return [c async for c in app.astream(7, stream_mode="updates")]

    chunks = asyncio.run(main())
    assert chunks == [{f"n{i}": {f"c{i + 1}": 7}} for i in range(5)]
    assert len(set(seen)) == 1


def test_many_runs_keep_the_thread_count_bounded():
    app = chain(*[lambda x: x + 1] * 4)
    start = threading.active_count()

    async def one_after_another():
        for _ in range(200):
            assert await app.ainvoke(0) == 4

    asyncio.run(one_after_another())
    assert threading.active_count() <= start + 1  # one run thread, reused by every run

    def slow(x):
        time.sleep(0.002)
        return x + 1

    slow_app = chain(slow, slow, slow)

    async def at_once():
        results = await asyncio.gather(*(slow_app.ainvoke(0) for _ in range(120)))
        assert results == [3] * 120
        return threading.active_count(), len(run_threads())

    during, held = asyncio.run(at_once())
    # Past the run threads' limit, runs fall back to the shared pool (of the same size).
    assert held <= worker_threads._MAX_WORKERS
    assert during <= start + 2 * worker_threads._MAX_WORKERS + 1


def test_idle_run_threads_end(monkeypatch):
    monkeypatch.setattr(worker_threads, "_IDLE_S", 0.05)
    app = chain(lambda x: x, lambda x: x)
    assert asyncio.run(app.ainvoke(1)) == 1
    deadline = time.monotonic() + 5  # threads idle since before wake after their old wait
    while run_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run_threads() == []
    assert asyncio.run(app.ainvoke(2)) == 2  # and the next run takes a new one


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_cancel_scope_stopping_a_run_waits_for_its_sync_node_and_starts_no_other(backend):
    state = {"running": 0, "finished": 0, "next": 0}
    started = threading.Event()

    def slow(x):
        state["running"] += 1
        started.set()
        time.sleep(0.3)
        state["running"] -= 1
        state["finished"] += 1
        return x

    def after(x):
        state["next"] += 1
        return x

    app = chain(lambda x: x, slow, after)

    async def main():
        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as tg:

                async def cancel_once_started():
                    while not started.is_set():
                        await anyio.sleep(0.005)
                    scope.cancel()

                tg.start_soon(cancel_once_started)
                await app.ainvoke(1)
        assert scope.cancelled_caught
        # The node could only be waited for; the step after it never started.
        assert state == {"running": 0, "finished": 1, "next": 0}

    anyio.run(main, backend=backend)


def test_a_run_given_up_by_a_bare_cancel_does_not_hold_up_the_next_run():
    done, started = threading.Event(), threading.Event()

    def slow(x):
        started.set()
        time.sleep(1.0)
        done.set()
        return x

    slow_app, fast_app = chain(slow), chain(lambda x: x + 1)

    async def main():
        task = asyncio.ensure_future(slow_app.ainvoke(1))
        while not started.is_set():
            await asyncio.sleep(0.005)
        task.cancel()  # a bare cancel: the node goes on in its thread
        with pytest.raises(asyncio.CancelledError):
            await task
        t0 = time.monotonic()
        assert await fast_app.ainvoke(1) == 2
        assert time.monotonic() - t0 < 0.7  # not behind the node still running
        assert not done.is_set()

    asyncio.run(main())
    assert done.is_set()  # asyncio.run waited for it


def test_each_sync_node_sees_the_callers_context_and_not_its_predecessors_changes():
    var = contextvars.ContextVar("var", default="unset")
    seen = []

    def node(x):
        seen.append(var.get())
        var.set("changed by a node")
        return x

    app = chain(node, node, node)

    async def main():
        var.set("caller's")
        await app.ainvoke(1)
        assert var.get() == "caller's"

    asyncio.run(main())
    assert seen == ["caller's"] * 3


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_sync_nodes_error_reaches_the_caller_named(backend):
    def boom(x):
        raise ValueError("no")

    app = chain(lambda x: x, boom)

    async def main():
        with pytest.raises(ValueError) as info:
            await app.ainvoke(1)
        assert any("node 'n1'" in note for note in getattr(info.value, "__notes__", []))

    anyio.run(main, backend=backend)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_cancel_scope_stops_a_chain_of_sync_nodes_run_on_the_shared_pool(backend):
    # A retry policy keeps the attempt on the event loop (its waits are async): each sync
    # call goes to the shared pool, and a scope's cancel still stops the chain between nodes.
    from langgraph_lite.types import RetryPolicy

    ran = []

    def slow(x):
        ran.append(x)
        time.sleep(0.05)
        return x + 1

    app = Pregel(
        nodes={
            f"n{i}": NodeBuilder()
            .subscribe_only(f"c{i}")
            .do(slow)
            .write_to(f"c{i + 1}")
            .add_retry_policies(RetryPolicy())
            for i in range(20)
        },
        channels={f"c{i}": LastValue(object) for i in range(21)},
        input_channels="c0",
        output_channels="c20",
    )

    async def main():
        with anyio.move_on_after(0.12) as scope:
            await app.ainvoke(0)
        assert scope.cancelled_caught
        count = len(ran)
        await anyio.sleep(0.2)
        assert len(ran) == count < 20  # stopped, and nothing ran after the stop returned

    anyio.run(main, backend=backend)


def test_with_callbacks_a_sync_nodes_async_handler_runs_on_the_callers_event_loop():
    # A traced node has a run of its own (LangChain's async manager on the event loop): it is
    # not handed whole to the run's thread.
    pytest.importorskip("langchain_core")
    from langchain_core.callbacks import AsyncCallbackHandler

    loops = []

    class Handler(AsyncCallbackHandler):
        async def on_chain_start(self, serialized, inputs, **kwargs):
            loops.append((kwargs.get("name"), asyncio.get_running_loop()))

    app = chain(lambda x: x + 1, lambda x: x + 1)

    async def main():
        assert await app.ainvoke(0, {"callbacks": [Handler()]}) == 2
        return asyncio.get_running_loop()

    loop = asyncio.run(main())
    nodes = [seen for name, seen in loops if name in ("n0", "n1")]
    assert len(nodes) == 2 and all(seen is loop for seen in nodes), loops


@pytest.mark.parametrize("leave", ["aclose", "break"])
def test_astream_of_sync_nodes_starts_no_step_the_consumer_did_not_ask_for(leave):
    ran = []

    def node(x):
        ran.append(x)
        return x + 1

    app = chain(*[node] * 6)

    async def main():
        stream = app.astream(0, stream_mode="updates")
        async for _chunk in stream:
            await asyncio.sleep(0.05)  # the run's thread would have had time to run on
            assert ran == [0]
            break
        if leave == "aclose":
            await stream.aclose()
        await asyncio.sleep(0.05)
        assert ran == [0]

    asyncio.run(main())


def test_ainvoke_of_sync_nodes_with_a_saver_checkpoints_every_step_and_resumes_an_interrupt():
    from langgraph_lite.checkpoint.memory import InMemorySaver
    from langgraph_lite.types import Command, interrupt

    def ask(x):
        return x + interrupt("how much?")

    app = Pregel(
        nodes={
            "a": NodeBuilder().subscribe_only("c0").do(lambda x: x + 1).write_to("c1"),
            "b": NodeBuilder().subscribe_only("c1").do(lambda x: x * 2).write_to("c2"),
            "ask": NodeBuilder().subscribe_only("c2").do(ask).write_to("c3"),
        },
        channels={f"c{i}": LastValue(object) for i in range(4)},
        input_channels="c0",
        output_channels="c3",
        checkpointer=InMemorySaver(),
    )
    config = {"configurable": {"thread_id": "t"}}

    async def main():
        first = await app.ainvoke(1, config)
        assert "__interrupt__" in first
        history = [s async for s in app.aget_state_history(config)]
        assert len(history) == 3  # the input, after a, after b (ask waits for its answer)
        assert await app.ainvoke(Command(resume=10), config) == 14

    asyncio.run(main())


def test_a_bare_cancel_mid_chain_lets_the_node_finish_but_starts_no_further_step():
    ran = []
    started = threading.Event()

    def slow(x):
        started.set()
        time.sleep(0.2)
        ran.append("slow")
        return x

    def after(x):
        ran.append("after")
        return x

    app = chain(lambda x: x, slow, after, after)

    async def main():
        task = asyncio.ensure_future(app.ainvoke(1))
        while not started.is_set():
            await asyncio.sleep(0.005)
        task.cancel()  # a bare cancel, mid-node
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())  # returns once the node has
    time.sleep(0.1)
    assert ran == ["slow"]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_child_starts_run_threads_of_its_own():
    import multiprocessing
    import warnings

    app = chain(lambda x: x + 1, lambda x: x + 1)
    assert asyncio.run(app.ainvoke(0)) == 2  # leaves an idle run thread, which a child lacks

    def child(out):
        out.put(asyncio.run(app.ainvoke(0)))

    context = multiprocessing.get_context("fork")
    out = context.Queue()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # (forking a process with threads)
        process = context.Process(target=child, args=(out,))
        process.start()
    process.join(10)
    if process.is_alive():
        process.kill()
    assert process.exitcode == 0
    assert out.get(timeout=1) == 2


def test_a_state_graphs_sync_nodes_run_in_the_run_thread_and_async_routes_still_await():
    from typing import TypedDict

    from langgraph_lite.graph import END, START, StateGraph

    class State(TypedDict):
        n: int

    names = []

    def step(state):
        names.append(threading.current_thread().name)
        return {"n": state["n"] + 1}

    async def route(state):  # an async path function: its writer must be awaited
        await anyio.sleep(0)
        return "c" if state["n"] < 3 else END

    builder = StateGraph(State)
    for name in "abc":
        builder.add_node(name, step)
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    builder.add_conditional_edges("c", route)
    app = builder.compile()

    assert asyncio.run(app.ainvoke({"n": 0})) == {"n": 3}
    # a and b have plain edges only: their steps run in the run's own thread
    assert names[:2] == ["langgraph_lite-node-run"] * 2
    assert len(names) == 3


def test_a_long_chain_of_quick_sync_nodes_still_lets_the_event_loop_run_timers():
    # The loop waits in place for a quick call; a stream of steps answered that way in a row
    # still yields to the loop every few milliseconds (worker_threads._WAIT_RUN_S).
    app = chain(*[lambda x: x] * 3000)
    beats = []

    async def heartbeat():
        while True:
            await asyncio.sleep(0.001)
            beats.append(time.monotonic())

    async def main():
        beat = asyncio.ensure_future(heartbeat())
        await asyncio.sleep(0.005)
        start = time.monotonic()
        chunks = [c async for c in app.astream(1, stream_mode="updates")]
        took = time.monotonic() - start
        assert len(chunks) == 3000
        beat.cancel()
        during = [b for b in beats if b >= start]
        gaps = [b - a for a, b in itertools.pairwise(during)]
        return took, during, gaps

    took, during, gaps = asyncio.run(main())
    assert took > 0.05  # (the chain is long enough for the check to mean something)
    assert len(during) >= 5, (took, len(during))
    # (nine gaps in ten are short: one pause of the machine, or of the collector, is not the
    # loop being held; without the cap there are a few gaps, each most of the run)
    assert sorted(gaps)[len(gaps) * 9 // 10] < 0.02, sorted(gaps)[-5:]


class _RecordingSaver:
    """An InMemorySaver subclass factory that records the thread each save ran in."""

    @staticmethod
    def make(override_aput=False):
        from langgraph_lite.checkpoint.memory import InMemorySaver

        class Recording(InMemorySaver):
            seen: list[str] = []

            def put(self, config, checkpoint, metadata, new_versions):
                self.seen.append(threading.current_thread().name)
                return super().put(config, checkpoint, metadata, new_versions)

            if override_aput:

                async def aput(self, config, checkpoint, metadata, new_versions):
                    self.seen.append("aput")
                    return self.put(config, checkpoint, metadata, new_versions)

        Recording.seen = []
        return Recording()


def _saving_chain(saver):
    app = chain(lambda x: x + 1, lambda x: x * 2, lambda x: x - 3)
    app.checkpointer = saver
    return app


def test_an_in_memory_savers_saves_of_a_sync_chain_are_made_in_the_run_thread():
    from langgraph_lite.checkpoint.memory import InMemorySaver

    saver = _RecordingSaver.make()
    app = _saving_chain(saver)
    config = {"configurable": {"thread_id": "t"}}
    assert asyncio.run(app.ainvoke(1, config)) == 1
    # the input's checkpoint is saved on the loop; each node's step in its thread
    assert saver.seen[0] == "MainThread"
    assert saver.seen[1:] == ["langgraph_lite-node-run"] * 3
    # the same checkpoints as a sync run's
    reference = _saving_chain(InMemorySaver())
    reference.invoke(1, config)
    assert [(s.values, s.next, s.metadata["step"]) for s in app.get_state_history(config)] == [
        (s.values, s.next, s.metadata["step"]) for s in reference.get_state_history(config)
    ]


def test_a_saver_with_an_async_save_of_its_own_is_awaited_on_the_loop():
    saver = _RecordingSaver.make(override_aput=True)
    app = _saving_chain(saver)
    config = {"configurable": {"thread_id": "t"}}
    assert asyncio.run(app.ainvoke(1, config)) == 1
    assert saver.seen.count("aput") == 4
    assert "langgraph_lite-node-run" not in saver.seen


def test_a_save_failing_in_the_run_thread_reaches_the_caller_and_keeps_what_was_saved():
    from langgraph_lite.checkpoint.memory import InMemorySaver

    def failing_on_the_third_put():
        class Full(InMemorySaver):
            calls = 0

            def put(self, config, checkpoint, metadata, new_versions):
                Full.calls += 1
                if Full.calls == 3:
                    raise OSError("disk full")
                return super().put(config, checkpoint, metadata, new_versions)

        return Full()

    config = {"configurable": {"thread_id": "t"}}
    app, reference = (_saving_chain(failing_on_the_third_put()) for _ in range(2))
    with pytest.raises(OSError, match="disk full"):
        asyncio.run(app.ainvoke(1, config))
    with pytest.raises(OSError, match="disk full"):
        reference.invoke(1, config)

    def seen(graph):
        history = [(s.values, s.next) for s in graph.get_state_history(config)]
        state = graph.get_state(config)
        return history, state.values, state.next

    # the input's and the first node's checkpoints, and the second node's saved writes
    assert seen(app) == seen(reference)
    assert seen(app)[0] == [({"c0": 1, "c1": 2}, ("n1",)), ({"c0": 1}, ("n0",))]


@pytest.mark.parametrize("outcome", ["value", "error"])
def test_a_call_that_returns_before_the_loop_starts_waiting_in_place_keeps_its_outcome(
    monkeypatch, outcome
):
    # The thread posts the outcome (nobody waits yet); the in-place wait that follows must
    # hand over to the posted answer, not read an outcome that was never left in the job.
    wait = worker_threads.RunThread._wait_in_place

    def late(job):
        time.sleep(0.01)  # the call has returned (and posted its outcome) by now
        return wait(job)

    monkeypatch.setattr(worker_threads.RunThread, "_wait_in_place", staticmethod(late))

    def call():
        if outcome == "error":
            raise KeyError("from the node")
        return 42

    async def main():
        thread = worker_threads.RunThread()
        try:
            results = []
            for _ in range(3):
                try:
                    results.append(await thread.run(call))
                except KeyError as exc:
                    results.append(exc.args[0])
            return results
        finally:
            thread.release()

    expected = 42 if outcome == "value" else "from the node"
    assert asyncio.run(main()) == [expected] * 3
