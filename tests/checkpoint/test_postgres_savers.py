"""The shared saver tests (test_savers.py, test_saver_parity.py) against PostgreSQL.

``PostgresSaver`` runs them on one connection and on a pool, through its sync methods and its
async twins (worker threads, so asyncio and trio both). ``AsyncPostgresSaver`` runs them
through its async methods on asyncio, and its sync methods from a worker thread.
"""

import asyncio
import contextlib
import inspect

import pytest
import test_saver_parity as parity
import test_savers as shared
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures
from test_savers import AsyncApi, SyncApi

pytestmark = pytest.mark.anyio

# Every shared test that talks to the saver through ``api`` is collected here too, where the
# ``saver`` and ``api`` fixtures below give it a PostgreSQL saver.
for _name, _test in vars(shared).items():
    if _name.startswith("test_") and "api" in inspect.signature(_test).parameters:
        globals()[_name] = _test


@pytest.fixture(params=["connection", "pipeline", "pool"])
def saver(request, pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    if request.param == "connection":
        with PostgresSaver.from_conn_string(pg_dsn) as made:
            yield made
    elif request.param == "pipeline":  # results arrive only when the pipeline syncs
        with PostgresSaver.from_conn_string(pg_dsn) as made, made.conn.pipeline() as pipe:
            made.pipe = pipe
            yield made
    else:
        from psycopg_pool import ConnectionPool

        with ConnectionPool(pg_dsn, min_size=1, max_size=2, kwargs={"autocommit": True}) as pool:
            yield PostgresSaver(pool)


@pytest.fixture(params=[SyncApi, AsyncApi], ids=["sync", "async"])
def api(request, saver):
    return request.param(saver)


PARITY = [name for name in vars(parity) if name.startswith("test_")]


@pytest.mark.parametrize("name", PARITY)
def test_the_postgres_saver_agrees_on_langgraphs_details(name, pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    getattr(parity, name)(lambda: PostgresSaver.from_conn_string(pg_dsn))


def test_the_async_postgres_saver_agrees_on_langgraphs_details_from_a_thread(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    async def main():
        async with AsyncPostgresSaver.from_conn_string(pg_dsn) as saver:
            for name in PARITY:
                await asyncio.to_thread(
                    getattr(parity, name), lambda: contextlib.nullcontext(saver)
                )
                await asyncio.to_thread(saver.delete_thread, "t")

    asyncio.run(main())
