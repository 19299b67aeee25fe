"""A run holds its thread's lease (SQLite savers here; PostgreSQL in tests/checkpoint).

Released however the run stops; a lease the caller holds is used, not taken again; a subgraph
shares its parent's; savers without leases are left alone.
"""

import asyncio
import gc
import operator
import threading
import time
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.lease import StaleLeaseError, ThreadBusyError
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list, operator.add]


def config(thread="t", **extra):
    return {"configurable": {"thread_id": thread, **extra}}


def chain(*nodes):
    builder = StateGraph(State)
    names = []
    for i, fn in enumerate(nodes):
        names.append(f"n{i}")
        builder.add_node(names[-1], fn)
    for a, b in zip([START, *names], [*names, END], strict=True):
        builder.add_edge(a, b)
    return builder


def note(word):
    return lambda state: {"log": [word]}


@pytest.fixture
def saver(tmp_path):
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        yield saver


def is_free(saver, thread="t"):
    """Whether nobody holds the thread's lease (checked by taking and giving it back)."""
    try:
        saver.acquire_lease(thread).release()
    except ThreadBusyError:
        return False
    return True


def test_a_run_holds_the_lease_while_it_runs_and_releases_it_after(saver):
    seen = []
    graph = chain(lambda s: seen.append(is_free(saver)) or {"log": ["a"]}).compile(
        checkpointer=saver
    )
    assert graph.invoke({"log": []}, config()) == {"log": ["a"]}
    assert seen == [False] and is_free(saver)
    token = saver.conn.execute("SELECT token FROM thread_leases WHERE thread_id = 't'")
    assert token.fetchone()[0] >= 2  # the run's lease, then the test's own take


def test_a_second_run_on_a_busy_thread_fails_fast_naming_it(saver):
    inside, go_on = threading.Event(), threading.Event()

    def wait(state):
        inside.set()
        go_on.wait(10)
        return {"log": ["first"]}

    first = chain(wait).compile(checkpointer=saver)
    second = chain(note("second")).compile(checkpointer=saver)
    thread = threading.Thread(target=lambda: first.invoke({"log": []}, config()))
    thread.start()
    try:
        inside.wait(10)
        with pytest.raises(ThreadBusyError, match=r"thread 't' is busy: worker '") as caught:
            second.invoke({"log": []}, config())
        assert caught.value.thread_id == "t"
        assert second.invoke({"log": []}, config("t2")) == {"log": ["second"]}  # not this one
    finally:
        go_on.set()
        thread.join()
    assert first.get_state(config()).values == {"log": ["first"]}  # the loser wrote nothing


def test_the_lease_is_released_after_an_interrupt_and_after_an_error(saver):
    graph = chain(lambda s: {"log": [interrupt("go?")]}).compile(checkpointer=saver)
    graph.invoke({"log": []}, config())
    assert is_free(saver)

    def boom(state):
        raise ValueError("boom")

    failing = chain(boom).compile(checkpointer=saver)
    with pytest.raises(ValueError, match="boom"):
        failing.invoke({"log": []}, config("t2"))
    assert is_free(saver, "t2")
    assert graph.invoke(Command(resume="yes"), config()) == {"log": ["yes"]}


def test_the_lease_is_released_when_a_stream_is_closed_early(saver):
    graph = chain(note("a"), note("b"), note("c")).compile(checkpointer=saver)
    stream = graph.stream({"log": []}, config(), stream_mode="updates")
    assert next(iter(stream)) == {"n0": {"log": ["a"]}}
    assert not is_free(saver)
    stream.close()
    assert is_free(saver)


@pytest.mark.anyio
async def test_the_lease_is_released_when_an_astream_is_cancelled(tmp_path):
    from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver

    started = anyio.Event()

    async def slow(state):
        started.set()
        await anyio.sleep(30)
        return {"log": ["never"]}

    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        graph = chain(note("a"), slow).compile(checkpointer=saver)

        async def consume():
            async for _ in graph.astream({"log": []}, config()):
                pass

        async with anyio.create_task_group() as tg:
            tg.start_soon(consume)
            await started.wait()
            assert not is_free(saver)
            tg.cancel_scope.cancel()
        assert is_free(saver)
        assert (await graph.aget_state(config())).values == {"log": ["a"]}


@pytest.mark.anyio
async def test_an_abandoned_astream_gives_the_lease_back(tmp_path):
    from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver

    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        graph = chain(note("a"), note("b")).compile(checkpointer=saver)
        async for _ in graph.astream({"log": []}, config()):
            break  # dropped without aclose: its finalizer hands the release to the keeper
        gc.collect()
        deadline = time.monotonic() + 10
        while not is_free(saver):
            assert time.monotonic() < deadline
            await anyio.sleep(0.02)
        assert await graph.ainvoke(None, config()) == {"log": ["a", "b"]}


@pytest.mark.anyio
async def test_async_runs_take_and_release_the_lease_too(tmp_path):
    from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver

    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        seen = []
        graph = chain(lambda s: seen.append(is_free(saver)) or {"log": ["a"]}).compile(
            checkpointer=saver
        )
        assert await graph.ainvoke({"log": []}, config()) == {"log": ["a"]}
        assert seen == [False] and is_free(saver)
        holder = saver.acquire_lease("t", bind=False)  # another worker's
        with pytest.raises(ThreadBusyError):
            await chain(note("b")).compile(checkpointer=saver).ainvoke({"log": []}, config())
        holder.release()


@pytest.mark.anyio
async def test_an_async_run_that_lost_its_lease_raises_at_its_last_commit_and_lets_go(tmp_path):
    # (its lease is taken and its first read made in one thread hop, its last saves committed
    # and the lease released in another: the failure of that commit is the run's)
    import sqlite3

    from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = str(tmp_path / "db.sqlite")

    def usurp(state):  # another worker takes the thread over (a newer token)
        with sqlite3.connect(path) as other:
            other.execute("UPDATE thread_leases SET token = token + 1 WHERE thread_id = 't'")
        return {"log": ["a"]}

    async with AsyncSqliteSaver.from_conn_string(path) as saver:
        saver._writer.linger = 60  # (the run's saves wait for its end)
        graph = chain(usurp, note("b")).compile(checkpointer=saver)
        with pytest.raises(StaleLeaseError, match="thread 't'"):
            await graph.ainvoke({"log": []}, config(), durability="async")
        assert not saver._writer.pending()
        state = await graph.aget_state(config())
        assert state.values.get("log") in (None, [], ["a"])  # nothing after the takeover
    with SqliteSaver.from_conn_string(path) as fresh:
        [(token,)] = fresh.conn.execute("SELECT token FROM thread_leases").fetchall()
        assert token == 2  # the usurper's: the run released nothing of it


def test_a_lease_the_caller_holds_is_used_and_kept(saver, tmp_path):
    graph = chain(note("a")).compile(checkpointer=saver)
    with saver.acquire_lease("t") as lease:  # bound to the saver: its writes carry the token
        graph.invoke({"log": []}, config())
        assert not is_free(saver)  # the run did not release the caller's lease
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as elsewhere:
        lease = elsewhere.acquire_lease("t", bind=False)  # e.g. taken by a coordinator
        graph.invoke({"log": []}, lease.config(config()))
        assert not is_free(saver)
        lease.release()
        taken = elsewhere.acquire_lease("t")  # a newer lease: the old token is stale now
        with pytest.raises(StaleLeaseError, match=r"thread 't' was refused: its lease token"):
            graph.invoke({"log": []}, lease.config(config()))
        taken.release()
    state = graph.get_state(config())
    assert state.values == {"log": ["a", "a"]}
    assert not set(state.metadata) & {"lease_token", "on_busy"}  # not saved as metadata


def test_on_busy_wait_waits_for_the_holder_then_runs(saver):
    graph = chain(note("a")).compile(checkpointer=saver)
    lease = saver.acquire_lease("t", bind=False)
    threading.Timer(0.3, lease.release).start()
    started = time.monotonic()
    assert graph.invoke({"log": []}, config(on_busy="wait")) == {"log": ["a"]}
    assert time.monotonic() - started >= 0.25
    with pytest.raises(ValueError, match=r"configurable.on_busy must be 'fail' or 'wait'"):
        graph.invoke({"log": []}, config(on_busy="later"))
    with pytest.raises(ValueError, match=r"configurable.lease_ttl must be a positive number"):
        graph.invoke({"log": []}, config(lease_ttl=0))


def test_a_subgraph_shares_its_parents_lease(saver):
    inner = chain(note("inner")).compile()
    outer = chain(note("a"), inner, note("b")).compile(checkpointer=saver)
    assert outer.invoke({"log": []}, config()) == {"log": ["a", "a", "inner", "b"]}
    assert is_free(saver)


def test_a_long_node_keeps_its_lease_past_the_ttl(saver):
    def slow(state):
        time.sleep(0.8)  # several ttls: the keeper renews meanwhile
        return {"log": ["slow"]}

    graph = chain(slow, note("b")).compile(checkpointer=saver)
    assert graph.invoke({"log": []}, config(lease_ttl=0.3)) == {"log": ["slow", "b"]}


def test_update_state_holds_the_lease_too(saver):
    graph = chain(note("a")).compile(checkpointer=saver)
    graph.invoke({"log": []}, config())
    other = saver.acquire_lease("t", bind=False)
    with pytest.raises(ThreadBusyError, match="thread 't' is busy"):
        graph.update_state(config(), {"log": ["x"]})
    graph.update_state(other.config(config()), {"log": ["x"]})
    other.release()
    graph.update_state(config(), {"log": ["y"]})
    assert graph.get_state(config()).values == {"log": ["a", "x", "y"]}
    assert is_free(saver)


def test_savers_without_leases_are_unaffected():
    saver = InMemorySaver()
    inside = threading.Event()
    go_on = threading.Event()

    def wait(state):
        inside.set()
        go_on.wait(10)
        return {"log": ["first"]}

    first = chain(wait).compile(checkpointer=saver)
    second = chain(note("second")).compile(checkpointer=saver)
    thread = threading.Thread(target=lambda: first.invoke({"log": []}, config()))
    thread.start()
    inside.wait(10)
    assert second.invoke({"log": []}, config(on_busy="fail")) == {"log": ["second"]}
    go_on.set()
    thread.join()


def test_an_asyncio_run_on_a_sqlite_file_from_two_tasks_lets_one_through(tmp_path):
    from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver

    async def main():
        async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:

            async def slow(state):
                await asyncio.sleep(0.3)
                return {"log": ["slow"]}

            graph = chain(slow).compile(checkpointer=saver)
            return await asyncio.gather(
                graph.ainvoke({"log": []}, config()),
                graph.ainvoke({"log": []}, config()),
                return_exceptions=True,
            )

    results = asyncio.run(main())
    assert sorted(type(r).__name__ for r in results) == ["ThreadBusyError", "dict"]
