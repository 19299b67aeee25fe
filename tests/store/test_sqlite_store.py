"""What only the SQLite store has: a file that outlives the process, its schema, and SQL safety."""

from __future__ import annotations

import sqlite3

import pytest

from langgraph_lite.store.sqlite import AsyncSqliteStore, SqliteStore
from tests.store.conftest import Clock, embed_words


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {"debug": True}), id="asyncio"),
        pytest.param(("trio", {}), id="trio"),
    ]
)
def anyio_backend(request):
    return request.param


def test_items_order_vectors_and_ttls_outlive_the_connection(tmp_path):
    path = str(tmp_path / "s.db")
    index = {"embed": embed_words, "dims": 3, "fields": ["text"]}
    with SqliteStore.from_conn_string(path, index=index) as store:
        store.put(("b",), "k1", {"text": "dog"})
        store.put(("a",), "k2", {"text": "cat"}, ttl=60)
        store.put(("b",), "k3", {"text": "cat cat"})
    with SqliteStore.from_conn_string(path, index=index) as store:
        assert [i.key for i in store.search(())] == ["k1", "k3", "k2"]
        assert [i.key for i in store.search((), query="cat")] == ["k2", "k3", "k1"]
        store._clock = Clock(store._clock() + 61 * 60)
        assert store.get(("a",), "k2") is None


def test_setup_records_its_migrations_and_turns_on_wal(tmp_path):
    path = str(tmp_path / "s.db")
    with SqliteStore.from_conn_string(path) as store:
        store.setup()
        store.setup()  # twice is fine
        assert store.conn.execute("SELECT v FROM store_migrations").fetchall() == [(0,)]
        assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with SqliteStore.from_conn_string(path) as store:
        store.put(("n",), "k", {})  # opening again applies nothing twice
        assert store.conn.execute("SELECT v FROM store_migrations").fetchall() == [(0,)]


def test_two_stores_on_one_file_see_each_others_writes(tmp_path):
    path = str(tmp_path / "s.db")
    with SqliteStore.from_conn_string(path) as one, SqliteStore.from_conn_string(path) as two:
        one.put(("n",), "k", {"v": 1})
        assert two.get(("n",), "k").value == {"v": 1}
        two.delete(("n",), "k")
        assert one.get(("n",), "k") is None


@pytest.mark.parametrize(
    "label",
    ["x'); DROP TABLE store_items; --", "%", "_", "*", "[a]", "a?", "a/b", 'q"uote'],
)
def test_labels_keys_and_filters_are_data_never_sql(label):
    with SqliteStore.from_conn_string(":memory:") as store:
        store.put((label,), label, {"v": label})
        store.put((label + "x",), "other", {"v": "other"})
        store.put(("zzz",), "k", {"v": 1})
        assert store.get((label,), label).value == {"v": label}
        assert [i.key for i in store.search((label,))] == [label]
        assert [i.key for i in store.search((), filter={"v": label})] == [label]
        if label != "*":  # which list_namespaces reads as "any label"
            assert store.list_namespaces(prefix=(label,)) == [(label,)]
        assert len(store.list_namespaces()) == 3


def test_a_filter_key_may_be_any_string(tmp_path):
    with SqliteStore.from_conn_string(":memory:") as store:
        store.put(("n",), "k", {"a.b": 1, "it's": "x", "$weird": True})
        assert [i.key for i in store.search((), filter={"a.b": 1, "it's": "x"})] == ["k"]
        assert store.search((), filter={"a": {"b": 1}}) == []


def test_a_connection_made_by_the_caller_works_and_a_deserializer_reads_values():
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    store = SqliteStore(conn, deserializer=lambda text: {"raw": text})
    store.put(("n",), "k", {"v": 1})
    assert store.get(("n",), "k").value == {"raw": '{"v":1}'}
    assert store.search(("n",), filter={"v": 1})[0].value == {"raw": '{"v":1}'}
    conn.close()


def test_a_sync_store_has_async_methods_too():
    import anyio

    async def main():
        with SqliteStore.from_conn_string(":memory:") as store:
            await store.aput(("n",), "k", {"v": 1})
            return (await store.aget(("n",), "k")).value

    assert anyio.run(main) == {"v": 1}


@pytest.mark.anyio
async def test_the_async_store_opens_sets_up_sweeps_and_closes_on_any_loop(tmp_path):
    async with AsyncSqliteStore.from_conn_string(
        str(tmp_path / "a.db"), ttl={"default_ttl": 1}
    ) as store:
        await store.setup()
        clock = Clock()
        store._clock = clock
        await store.aput(("n",), "k", {"v": 1})
        await store.aput(("n",), "forever", {"v": 2}, ttl=None)
        assert [i.key for i in await store.asearch(("n",))] == ["k", "forever"]
        clock.advance(2)
        assert await store.sweep_ttl() == 1
        future = await store.start_ttl_sweeper(sweep_interval_minutes=5)
        assert await store.stop_ttl_sweeper(timeout=5) is True
        assert future.result(timeout=5) is None
        async with store as same:
            assert await same.alist_namespaces() == [("n",)]
