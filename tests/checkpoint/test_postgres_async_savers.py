"""The shared saver tests against ``AsyncPostgresSaver`` (asyncio only: psycopg's async
connections need it), on one connection and on a pool."""

import inspect

import pytest
import test_savers as shared
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures
from test_savers import AsyncApi

pytestmark = pytest.mark.anyio

for _name, _test in vars(shared).items():
    if _name.startswith("test_") and "api" in inspect.signature(_test).parameters:
        globals()[_name] = _test


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(params=["connection", "pipeline", "pool"])
async def saver(request, pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    if request.param == "connection":
        async with AsyncPostgresSaver.from_conn_string(pg_dsn) as made:
            yield made
    elif request.param == "pipeline":  # results arrive only when the pipeline syncs
        async with (
            AsyncPostgresSaver.from_conn_string(pg_dsn) as made,
            made.conn.pipeline() as pipe,
        ):
            made.pipe = pipe
            yield made
    else:
        from psycopg_pool import AsyncConnectionPool

        pool = AsyncConnectionPool(
            pg_dsn, min_size=1, max_size=2, kwargs={"autocommit": True}, open=False
        )
        async with pool:
            yield AsyncPostgresSaver(pool)


@pytest.fixture
def api(saver):
    return AsyncApi(saver)
