"""Issue 12, defect 4: ``break`` out of ``astream`` without ``aclose()`` stops the run anyway.

Python finalizes an abandoned async iterator only when it is collected, which a reference kept
anywhere delays past the end of the event loop. The run stops when the task consuming it ends
(asyncio) or with the trio run: async nodes are cancelled, sync nodes stop at their next writer
call, and a sync node that never calls its writer is waited for: ``asyncio.run`` and
``trio.run`` return only once no node of the run is running.
"""

from __future__ import annotations

import operator
import threading
import time
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.config import get_stream_writer
from langgraph_lite.graph import START, StateGraph


class State(TypedDict):
    trail: Annotated[list, operator.add]


def graph(running: dict[str, int], lock: threading.Lock):
    def sync_node(state):
        with lock:
            running["sync"] += 1
        try:
            for i in range(200):
                get_stream_writer()(("sync", i))
                time.sleep(0.01)
        finally:
            with lock:
                running["sync"] -= 1
        return {"trail": ["sync"]}

    async def async_node(state):
        with lock:
            running["async"] += 1
        try:
            for i in range(200):
                get_stream_writer()(("async", i))
                await anyio.sleep(0.01)
        finally:
            with lock:
                running["async"] -= 1
        return {"trail": ["async"]}

    builder = StateGraph(State)
    for i in range(4):
        builder.add_node(f"sync{i}", sync_node)
        builder.add_node(f"async{i}", async_node)
        builder.add_edge(START, f"sync{i}")
        builder.add_edge(START, f"async{i}")
    return builder.compile()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_stream_left_by_break_and_still_referenced_has_no_node_running_after_the_run(backend):
    running = {"sync": 0, "async": 0}
    lock = threading.Lock()
    app = graph(running, lock)
    kept = []

    async def main() -> None:
        stream = app.astream({"trail": []}, stream_mode="custom")
        kept.append(stream)  # still referenced: never finalized before the event loop ends
        async for _chunk in stream:
            await anyio.sleep(0.05)  # let every node start
            break

    started = time.monotonic()
    anyio.run(main, backend=backend)
    assert running == {"sync": 0, "async": 0}  # async cancelled, sync stopped at a writer call
    assert time.monotonic() - started < 1.5  # stopped, not run to their end (2 s each)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_stream_left_by_break_inside_a_task_stops_when_that_task_ends(backend):
    running = {"sync": 0, "async": 0}
    lock = threading.Lock()
    app = graph(running, lock)
    kept = []
    seen = {}

    async def consume() -> None:
        stream = app.astream({"trail": []}, stream_mode="custom")
        kept.append(stream)
        async for _chunk in stream:
            await anyio.sleep(0.05)
            break

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(consume)
        await anyio.sleep(0.3)  # the consuming task has ended; the event loop goes on
        seen.update(running)

    anyio.run(main, backend=backend)
    if backend == "asyncio":  # (trio: a system task, stopped with the trio run)
        assert seen == {"sync": 0, "async": 0}
    assert running == {"sync": 0, "async": 0}


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_event_loop_waits_for_a_sync_node_that_never_calls_its_writer(backend):
    state = {"running": 0, "finished": 0}

    def quiet(s):
        state["running"] += 1
        time.sleep(0.5)
        state["running"] -= 1
        state["finished"] += 1
        return {"trail": ["quiet"]}

    def talker(s):
        for i in range(100):
            get_stream_writer()(i)
            time.sleep(0.01)
        return {"trail": ["talker"]}

    builder = StateGraph(State)
    builder.add_node("quiet", quiet)
    builder.add_node("talker", talker)
    builder.add_edge(START, "quiet")
    builder.add_edge(START, "talker")
    app = builder.compile()
    kept = []

    async def main() -> None:
        stream = app.astream({"trail": []}, stream_mode="custom")
        kept.append(stream)
        async for _chunk in stream:
            await anyio.sleep(0.05)
            break

    anyio.run(main, backend=backend)
    # A thread cannot be stopped, only waited for: the run returned after the node did.
    assert state == {"running": 0, "finished": 1}


def test_a_sync_node_outliving_a_bare_task_cancel_still_ends_before_asyncio_run_returns():
    import asyncio

    state = {"finished": 0}

    def slow(s):
        time.sleep(0.3)
        state["finished"] += 1
        return {"trail": ["slow"]}

    builder = StateGraph(State)
    builder.add_node("slow", slow)
    builder.add_edge(START, "slow")
    app = builder.compile()

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(app.ainvoke({"trail": []}), timeout=0.05)
        assert state["finished"] == 0  # wait_for gave up on it; the node still runs

    asyncio.run(main())
    assert state["finished"] == 1
