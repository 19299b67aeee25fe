"""What only PostgresCache has: a database shared by workers, a migrated schema, one round trip
per call, and a graph's node cache kept across processes' caches."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest
from typing_extensions import TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checkpoint"))
from pg_fixtures import drop_schema, in_schema, new_schema, require_dsn

from langgraph_lite.checkpoint.serde import CheckpointDecodeError


@pytest.fixture
def postgres_dsn():
    server = require_dsn()
    pytest.importorskip("psycopg")
    schema = new_schema(server)
    yield in_schema(server, schema)
    drop_schema(server, schema)


def test_postgres_caches_on_two_connections_share_entries_and_migrate_once(postgres_dsn):
    from langgraph_lite.cache.postgres import MIGRATIONS, PostgresCache

    with (
        PostgresCache.from_conn_string(postgres_dsn) as one,
        PostgresCache.from_conn_string(postgres_dsn) as two,
    ):
        one.set({(("n", "a,b"), "k"): ({"v": 1}, None), (("n",), "k"): (2, None)})
        assert two.get([(("n", "a,b"), "k"), (("n",), "k")]) == {
            (("n", "a,b"), "k"): {"v": 1},
            (("n",), "k"): 2,
        }
        two.setup()
        two.clear([("n",)])
        assert one.get([(("n",), "k")]) == {}
        assert one.get([(("n", "a,b"), "k")]) == {(("n", "a,b"), "k"): {"v": 1}}
        versions = one.conn.execute("SELECT v FROM lgl_cache_migrations").fetchall()
        assert versions == [(v,) for v in range(len(MIGRATIONS))]


def test_each_postgres_cache_call_is_one_statement(postgres_dsn):
    from langgraph_lite.cache.postgres import PostgresCache

    with PostgresCache.from_conn_string(postgres_dsn) as cache:
        cache.setup()
        sent = []
        cache._run = lambda query, params, run=cache._run: sent.append(query) or run(query, params)
        cache.set({(("n",), f"k{i}"): (i, 60) for i in range(500)})
        assert len(cache.get([(("n",), f"k{i}") for i in range(500)])) == 500
        cache.clear()
        assert len(sent) == 3


def test_a_pickle_planted_in_the_postgres_cache_is_refused_and_never_runs(postgres_dsn):
    from langgraph_lite.cache.postgres import PostgresCache

    ran = []

    class Boom:
        def __reduce__(self):
            return (ran.append, (True,))

    with PostgresCache.from_conn_string(postgres_dsn) as cache:
        cache.set({(("n",), "k"): (1, None)})
        cache.conn.execute(
            "UPDATE lgl_cache_entries SET encoding = 'pickle', value = %s", (pickle.dumps(1),)
        )
        with pytest.raises(CheckpointDecodeError):
            cache.get([(("n",), "k")])
    assert not ran


def test_a_graph_node_cached_in_postgres_is_not_run_again_by_another_cache(postgres_dsn):
    from langgraph_lite.cache.postgres import PostgresCache
    from langgraph_lite.graph import START, StateGraph
    from langgraph_lite.types import CachePolicy

    class State(TypedDict):
        x: int

    calls = []

    def double(state):
        calls.append(state["x"])
        return {"x": state["x"] * 2}

    builder = StateGraph(State)
    builder.add_node("double", double, cache_policy=CachePolicy(ttl=60))
    builder.add_edge(START, "double")
    for _ in range(2):  # as two workers, each with its own connection
        with PostgresCache.from_conn_string(postgres_dsn) as cache:
            assert builder.compile(cache=cache).invoke({"x": 3}) == {"x": 6}
    assert calls == [3]


def test_a_postgres_cache_on_a_connection_pool_commits_each_call(postgres_dsn):
    psycopg_pool = pytest.importorskip("psycopg_pool")
    from langgraph_lite.cache.postgres import PostgresCache

    # no autocommit: each call's connection goes back to the pool, which commits it
    with (
        psycopg_pool.ConnectionPool(postgres_dsn, min_size=1, max_size=2, open=True) as pool,
        PostgresCache.from_conn_string(postgres_dsn) as other,
    ):
        cache = PostgresCache(pool)
        cache.set({(("n",), "k"): ({"v": 1}, 60)})
        assert other.get([(("n",), "k")]) == {(("n",), "k"): {"v": 1}}
        cache.clear([("n",)])
        assert other.get([(("n",), "k")]) == {}
        assert cache.get([(("n",), "k")]) == {}
