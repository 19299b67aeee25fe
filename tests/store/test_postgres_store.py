"""PostgresStore's own behaviour beyond the shared store suite: setup and its migrations, a
database without setup, stores in two connections seeing each other's writes."""

import pytest
from pg_fixtures import drop_schema, in_schema, new_schema, require_dsn


@pytest.fixture
def postgres_schema():
    server = require_dsn()
    pytest.importorskip("psycopg")
    schema = new_schema(server)
    yield in_schema(server, schema)
    drop_schema(server, schema)


def test_postgres_store_setup_records_its_migration_once_however_often_it_runs(postgres_schema):
    import psycopg

    from langgraph_lite.store.postgres import PostgresStore
    from langgraph_lite.store.postgres.base import MIGRATIONS

    with PostgresStore.from_conn_string(postgres_schema) as store:
        store.setup()
        store.setup()
    with psycopg.connect(postgres_schema) as conn:
        rows = conn.execute("SELECT v FROM lgl_store_migrations ORDER BY v").fetchall()
    assert [v for (v,) in rows] == list(range(len(MIGRATIONS)))


def test_postgres_store_without_setup_says_to_call_it(postgres_schema):
    from langgraph_lite.store.postgres import PostgresStore

    with (
        PostgresStore.from_conn_string(postgres_schema) as store,
        pytest.raises(RuntimeError, match=r"call store\.setup\(\)"),
    ):
        store.get(("a",), "k")


def test_postgres_stores_on_two_connections_share_one_database(postgres_schema):
    from langgraph_lite.store.postgres import PostgresStore

    with (
        PostgresStore.from_conn_string(postgres_schema) as one,
        PostgresStore.from_conn_string(postgres_schema) as two,
    ):
        one.setup()
        one.put(("users", "u1"), "prefs", {"theme": "dark", "note": "it's; DROP TABLE x --"})
        assert two.get(("users", "u1"), "prefs").value["theme"] == "dark"
        assert [
            i.key for i in two.search(("users",), filter={"note": "it's; DROP TABLE x --"})
        ] == ["prefs"]


@pytest.mark.anyio
async def test_async_postgres_store_runs_on_any_event_loop(postgres_schema):
    from langgraph_lite.store.postgres import AsyncPostgresStore

    async with AsyncPostgresStore.from_conn_string(postgres_schema, ttl={"default_ttl": 1}) as s:
        await s.setup()
        await s.aput(("notes",), "n1", {"text": "hi"})
        assert (await s.aget(("notes",), "n1")).value == {"text": "hi"}
        assert await s.sweep_ttl() == 0


def test_postgres_store_on_a_connection_pool(postgres_schema):
    psycopg_pool = pytest.importorskip("psycopg_pool")
    from langgraph_lite.store.postgres import PostgresStore

    with psycopg_pool.ConnectionPool(
        postgres_schema, min_size=1, max_size=2, kwargs={"autocommit": True}, open=True
    ) as pool:
        store = PostgresStore(pool)
        store.setup()
        store.put(("a",), "k", {"v": 1})
        assert store.get(("a",), "k").value == {"v": 1}
        assert store.list_namespaces() == [("a",)]


def test_setup_runs_on_a_connection_in_pipeline_mode(postgres_schema):
    from langgraph_lite.store.postgres import PostgresStore

    with PostgresStore.from_conn_string(postgres_schema, pipeline=True) as store:
        assert store.conn.pgconn.pipeline_status  # the connection is in pipeline mode
        store.setup()  # its migration, one command at a time
        store.put(("a",), "k", {"v": 1}, ttl=None)
        assert store.get(("a",), "k").value == {"v": 1}
        assert store.sweep_ttl() == 0


def test_pool_config_opens_a_pool_of_that_size_and_names_unknown_keys(postgres_schema):
    from psycopg_pool import ConnectionPool

    from langgraph_lite.store.postgres import PostgresStore

    with PostgresStore.from_conn_string(postgres_schema, pool_config={"max_size": 3}) as store:
        assert isinstance(store.conn, ConnectionPool) and store.conn.max_size == 3
        store.setup()
        store.put(("a",), "k", {"v": 1})
        assert store.get(("a",), "k").value == {"v": 1}
    assert store.conn.closed
    with (
        pytest.raises(TypeError, match=r"pool_config takes min_size, max_size and kwargs.*size"),
        PostgresStore.from_conn_string(postgres_schema, pool_config={"size": 3}),
    ):
        pass


def test_a_pool_on_an_unreachable_server_fails_fast_naming_it():
    pytest.importorskip("psycopg_pool")
    from langgraph_lite.checkpoint.postgres import PostgresConnectionError
    from langgraph_lite.store.postgres import PostgresStore

    dsn = "postgresql://nobody@127.0.0.1:9/none?connect_timeout=1"
    with (
        pytest.raises(PostgresConnectionError, match=r"127\.0\.0\.1:9"),
        PostgresStore.from_conn_string(dsn, pool_config={"max_size": 1}),
    ):
        pass


def test_options_a_store_does_not_take_are_named():
    from langgraph_lite.store.sqlite import SqliteStore

    with (
        pytest.raises(TypeError, match=r"SqliteStore\.from_conn_string\(\) takes no .*'pipeline'"),
        SqliteStore.from_conn_string(":memory:", pipeline=True),
    ):
        pass


def test_an_option_the_postgres_store_does_not_take_is_named(postgres_schema):
    from langgraph_lite.store.postgres import PostgresStore

    with (
        pytest.raises(TypeError, match=r"PostgresStore\.from_conn_string\(\) takes no .*'pipe'"),
        PostgresStore.from_conn_string(postgres_schema, pipe=True),
    ):
        pass
