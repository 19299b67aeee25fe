"""A run on a PostgreSQL saver holds its thread's lease (in one process; the races between
processes are in test_run_leases_processes.py)."""

import asyncio
import operator
from typing import Annotated

import pytest
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.lease import ThreadBusyError
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list, operator.add]


def graph_of(saver, *nodes):
    builder = StateGraph(State)
    names = [f"n{i}" for i in range(len(nodes))]
    for name, fn in zip(names, nodes, strict=True):
        builder.add_node(name, fn)
    for a, b in zip([START, *names], [*names, END], strict=True):
        builder.add_edge(a, b)
    return builder.compile(checkpointer=saver)


CONFIG = {"configurable": {"thread_id": "t"}}


def lease_row(dsn):
    import psycopg

    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT token, expires_at > now() FROM lgl_thread_leases WHERE thread_id = 't'"
        ).fetchone()


def test_postgres_runs_take_the_lease_and_release_it_after_an_interrupt_or_error(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    seen = []
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        graph = graph_of(saver, lambda s: seen.append(lease_row(pg_dsn)) or {"log": ["a"]})
        graph.invoke({"log": []}, CONFIG)
        assert seen == [(1, True)] and lease_row(pg_dsn) == (1, False)
        asking = graph_of(saver, lambda s: {"log": [interrupt("go?")]})
        asking.invoke({"log": []}, {"configurable": {"thread_id": "t"}})
        assert lease_row(pg_dsn) == (2, False)

        def boom(state):
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            graph_of(saver, boom).invoke(None, CONFIG)
        assert lease_row(pg_dsn) == (3, False)
        with saver.acquire_lease("t"):  # the caller's lease: the run uses it
            assert asking.invoke(Command(resume="yes"), CONFIG) == {"log": ["a", "yes"]}
            assert lease_row(pg_dsn) == (4, True)


def test_postgres_async_runs_release_the_lease_when_cancelled(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    async def main():
        started = asyncio.Event()

        async def slow(state):
            started.set()
            await asyncio.sleep(30)

        async with AsyncPostgresSaver.from_conn_string(pg_dsn) as saver:
            graph = graph_of(saver, lambda s: {"log": ["a"]}, slow)

            async def consume():
                async for _ in graph.astream({"log": []}, CONFIG):
                    pass

            task = asyncio.create_task(consume())
            # (if the run fails before 'slow' starts, raise its error: do not wait forever)
            waiting = asyncio.ensure_future(started.wait())
            await asyncio.wait({waiting, task}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            if task.done():
                task.result()
            assert started.is_set(), "the run did not reach its second node within 30 s"
            assert await asyncio.to_thread(lease_row, pg_dsn) == (1, True)
            with pytest.raises(ThreadBusyError, match="thread 't' is busy"):
                await graph.ainvoke(None, CONFIG)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await asyncio.to_thread(lease_row, pg_dsn) == (1, False)
            # resumed where it stood: after 'a'
            graph = graph_of(saver, lambda s: {"log": ["a"]}, lambda s: {"log": ["b"]})
            return await graph.ainvoke(None, CONFIG)

    assert asyncio.run(main()) == {"log": ["a", "b"]}
