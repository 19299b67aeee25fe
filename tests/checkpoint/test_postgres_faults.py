"""PostgreSQL going wrong: a server that is not there, one that never answers, a connection
killed between two steps of a run."""

import asyncio
import operator
import socket
import time
from typing import Annotated

import psycopg
import pytest
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures
from psycopg.conninfo import make_conninfo
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.base import empty_checkpoint
from langgraph_lite.graph import END, START, StateGraph


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_server_that_is_not_there_fails_fast_with_a_clear_error():
    from langgraph_lite.checkpoint.postgres import PostgresConnectionError, PostgresSaver

    dsn = f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
    started = time.monotonic()
    with (
        pytest.raises(PostgresConnectionError, match=r"could not connect to PostgreSQL at 127"),
        PostgresSaver.from_conn_string(dsn),
    ):
        pass
    assert time.monotonic() - started < 5


def test_the_async_saver_fails_fast_on_a_server_that_is_not_there():
    from langgraph_lite.checkpoint.postgres import PostgresConnectionError
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    async def main():
        async with AsyncPostgresSaver.from_conn_string(
            f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
        ):
            pass

    with pytest.raises(PostgresConnectionError, match=r"Check that the server is running"):
        asyncio.run(main())


def test_a_server_that_never_answers_times_out_instead_of_hanging():
    from langgraph_lite.checkpoint.postgres import (
        CONNECT_TIMEOUT,
        PostgresConnectionError,
        PostgresSaver,
        connect_kwargs,
    )

    assert connect_kwargs("postgresql://h/db")["connect_timeout"] == CONNECT_TIMEOUT == 5
    assert "connect_timeout" not in connect_kwargs("postgresql://h/db?connect_timeout=9")
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never speaks
        port = silent.getsockname()[1]
        started = time.monotonic()
        with (
            pytest.raises(PostgresConnectionError),
            PostgresSaver.from_conn_string(
                f"postgresql://postgres@127.0.0.1:{port}/test?connect_timeout=1"
            ),
        ):
            pass
        assert time.monotonic() - started < 4


def test_a_malformed_connection_string_is_named():
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    with (
        pytest.raises(ValueError, match=r"not a PostgreSQL connection string"),
        PostgresSaver.from_conn_string("host=a port"),
    ):
        pass


class State(TypedDict):
    log: Annotated[list, operator.add]


def kill(dsn, pid):
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_killed_between_two_steps_loses_nothing_saved(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresConnectionError, PostgresSaver

    ran = []
    victim = {}

    def step(name):
        def run(state):
            ran.append(name)
            if name == "two" and len(ran) == 2:  # the first time only
                kill(pg_dsn, victim["pid"])
            return {"log": [name]}

        return run

    builder = StateGraph(State)
    for name in ("one", "two", "three"):
        builder.add_node(name, step(name))
    builder.add_edge(START, "one")
    builder.add_edge("one", "two")
    builder.add_edge("two", "three")
    builder.add_edge("three", END)
    config = {"configurable": {"thread_id": "killed"}}

    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        victim["pid"] = saver.conn.info.backend_pid
        graph = builder.compile(checkpointer=saver)
        with pytest.raises(PostgresConnectionError, match=r"put_writes failed: the connection"):
            graph.invoke({"log": ["in"]}, config)
        with pytest.raises(PostgresConnectionError):  # and it stays broken, saying so
            saver.get_tuple(config)

    with PostgresSaver.from_conn_string(pg_dsn) as fresh:
        graph = builder.compile(checkpointer=fresh)
        assert graph.get_state(config).values == {"log": ["in", "one"]}
        assert graph.get_state(config).next == ("two",)
        assert graph.invoke(None, config) == {"log": ["in", "one", "two", "three"]}
    assert ran == ["one", "two", "two", "three"]


def test_a_checked_pool_replaces_killed_connections_by_itself(pg_dsn):  # noqa: F811
    from psycopg_pool import ConnectionPool

    from langgraph_lite.checkpoint.postgres import PostgresSaver

    with ConnectionPool(
        pg_dsn,
        min_size=2,
        max_size=2,
        kwargs={"autocommit": True},
        check=ConnectionPool.check_connection,
    ) as pool:
        pool.wait()
        saver = PostgresSaver(pool)
        config = saver.put({"configurable": {"thread_id": "p"}}, empty_checkpoint(), {}, {})
        with pool.connection() as first, pool.connection() as second:
            pids = [first.info.backend_pid, second.info.backend_pid]
        for pid in pids:  # every connection in the pool is now dead
            kill(pg_dsn, pid)
        assert saver.get_tuple(config).config == config


def test_the_async_saver_reports_a_killed_connection(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresConnectionError
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    async def main():
        async with AsyncPostgresSaver.from_conn_string(pg_dsn) as saver:
            await saver.aget_tuple({"configurable": {"thread_id": "t"}})
            kill(pg_dsn, saver.conn.info.backend_pid)
            with pytest.raises(PostgresConnectionError, match=r"get_tuple failed"):
                await saver.aget_tuple({"configurable": {"thread_id": "t"}})

    asyncio.run(main())


def test_a_dsn_on_another_schema_is_honoured(pg_server):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresSaver, SchemaNotReadyError

    dsn = make_conninfo(pg_server, options="-c search_path=lgl_no_such_schema")
    with PostgresSaver.from_conn_string(dsn) as saver, pytest.raises(SchemaNotReadyError):
        saver.get_tuple({"configurable": {"thread_id": "t"}})


def test_without_a_dsn_the_postgres_tests_skip_but_under_ci_they_fail(monkeypatch):
    from pg_fixtures import require_dsn

    monkeypatch.delenv("LANGGRAPH_LITE_POSTGRES_DSN", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_dsn()
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match=r"CI is set but LANGGRAPH_LITE_POSTGRES_DSN"):
        require_dsn()
    monkeypatch.setenv("LANGGRAPH_LITE_POSTGRES_DSN", "postgresql://h/db")
    assert require_dsn() == "postgresql://h/db"
