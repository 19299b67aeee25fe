"""``RedisCache``'s own behaviour beyond the shared cache suite (``test_caches.py``): keys of
one namespace never reach another's, caches with other prefixes are left alone, a graph's
node cache works through it, and an entry it did not write is an error saying what to do."""

import operator
import uuid
from typing import Annotated, TypedDict

import pytest
from test_caches import redis_client

from langgraph_lite.cache.redis import RedisCache
from langgraph_lite.checkpoint.serde import CheckpointDecodeError
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import CachePolicy


@pytest.fixture
def cache():
    made = RedisCache(redis_client(), prefix=f"test:{uuid.uuid4().hex}[*]:")
    yield made
    made.clear()


def test_namespaces_and_keys_with_separators_and_glob_characters_stay_apart(cache):
    tricky = [
        (("a",), "b:c"),
        (("a:b",), "c"),
        (("a", "b"), "c"),
        (("a*",), "k"),
        (("a",), "*"),
        ((), "k"),
        (("",), "k"),
        (("a|b",), "c"),
    ]
    cache.set({key: (i, None) for i, key in enumerate(tricky)})
    assert cache.get(tricky) == {key: i for i, key in enumerate(tricky)}
    cache.clear([("a",)])
    assert cache.get(tricky) == {
        (("a:b",), "c"): 1,
        (("a", "b"), "c"): 2,
        (("a*",), "k"): 3,
        ((), "k"): 5,
        (("",), "k"): 6,
        (("a|b",), "c"): 7,
    }


def test_clearing_everything_leaves_other_prefixes_alone(cache):
    other = RedisCache(cache.redis, prefix=cache.prefix + "x")  # ours is a prefix of its
    try:
        other.set({(("n",), "k"): ("theirs", None)})
        cache.set({(("n",), "k"): ("ours", None)})
        cache.clear()
        assert cache.get([(("n",), "k")]) == {}
        assert other.get([(("n",), "k")]) == {(("n",), "k"): "theirs"}
    finally:
        other.clear()


def test_an_entry_it_did_not_write_is_an_error_naming_the_key(cache):
    cache.set({(("n",), "k"): (1, None)})
    cache.redis.set(cache._key(("n",), "k"), b"not ours")
    with pytest.raises(CheckpointDecodeError, match=r"cache\.clear"):
        cache.get([(("n",), "k")])


def test_a_graphs_node_cache_in_redis_runs_the_node_once_per_input(cache):
    runs = []

    class State(TypedDict):
        n: int
        seen: Annotated[list, operator.add]

    def slow(state):
        runs.append(state["n"])
        return {"seen": [state["n"] * 2]}

    builder = StateGraph(State)
    builder.add_node("slow", slow, cache_policy=CachePolicy(ttl=60))
    builder.add_edge(START, "slow")
    builder.add_edge("slow", END)
    app = builder.compile(cache=cache)
    assert app.invoke({"n": 2, "seen": []}) == {"n": 2, "seen": [4]}
    assert app.invoke({"n": 2, "seen": []}) == {"n": 2, "seen": [4]}
    assert app.invoke({"n": 3, "seen": []}) == {"n": 3, "seen": [6]}
    assert runs == [2, 3]
