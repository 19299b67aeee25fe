"""What only SqliteCache has: a file shared by processes, a schema, and bytes that never run."""

from __future__ import annotations

import pickle

import pytest

from langgraph_lite.cache.sqlite import SqliteCache
from langgraph_lite.checkpoint.serde import CheckpointDecodeError


def test_entries_outlive_the_cache_and_two_caches_share_one_file(tmp_path):
    path = str(tmp_path / "c.db")
    one = SqliteCache(path=path)
    one.set({(("n",), "k"): ({"v": 1}, None)})
    one.close()
    two, three = SqliteCache(path=path), SqliteCache(path=path)
    assert two.get([(("n",), "k")]) == {(("n",), "k"): {"v": 1}}
    three.clear([("n",)])
    assert two.get([(("n",), "k")]) == {}
    assert two._conn.execute("SELECT v FROM cache_migrations").fetchall() == [(0,)]
    assert two._conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    two.close()
    three.close()


class Boom:
    ran = False

    def __reduce__(self):
        return (setattr, (Boom, "ran", True))


def test_a_pickle_planted_in_the_file_is_refused_and_never_runs(tmp_path):
    cache = SqliteCache(path=str(tmp_path / "c.db"))
    cache.set({(("n",), "k"): (1, None)})
    for encoding in ("pickle", "msgpack"):
        cache._conn.execute(
            "UPDATE cache_entries SET encoding = ?, value = ?", (encoding, pickle.dumps(Boom()))
        )
        with pytest.raises(CheckpointDecodeError):
            cache.get([(("n",), "k")])
    assert Boom.ran is False
    cache.close()


def test_labels_and_keys_that_look_like_sql_are_data():
    cache = SqliteCache(path=":memory:")
    evil = "x'); DROP TABLE cache_entries; --"
    cache.set({((evil, "a,b"), evil): (1, None), (("x",), "k"): (2, None)})
    assert cache.get([((evil, "a,b"), evil), ((evil, "a", "b"), evil)]) == {
        ((evil, "a,b"), evil): 1
    }
    cache.clear([(evil, "a,b")])
    assert cache.get([(("x",), "k")]) == {(("x",), "k"): 2}
    cache.close()


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {"debug": True}), id="asyncio"),
        pytest.param(("trio", {}), id="trio"),
    ]
)
def anyio_backend(request):
    return request.param


@pytest.mark.anyio
async def test_the_async_methods_run_on_any_loop(tmp_path):
    # LangGraph's SqliteCache uses asyncio.to_thread, which trio cannot run
    cache = SqliteCache(path=str(tmp_path / "c.db"))
    await cache.aset({(("n",), "k"): ("v", 5)})
    assert await cache.aget([(("n",), "k")]) == {(("n",), "k"): "v"}
    await cache.aclear()
    assert await cache.aget([(("n",), "k")]) == {}
    cache.close()
