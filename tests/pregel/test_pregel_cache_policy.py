"""``Pregel(cache_policy=)``: the cache policy of the nodes that have none of their own."""

from __future__ import annotations

import pytest

from langgraph_lite.cache.memory import InMemoryCache
from langgraph_lite.channels import LastValue
from langgraph_lite.pregel import NodeBuilder, Pregel
from langgraph_lite.types import CachePolicy


def doubling(calls, own_policy=None, **kwargs):
    def double(x):
        calls.append(x)
        return x * 2

    node = NodeBuilder().subscribe_only("a").do(double).write_to("b")
    if own_policy is not None:
        node = node.add_cache_policy(own_policy)
    return Pregel(
        nodes={"double": node},
        channels={"a": LastValue(int), "b": LastValue(int)},
        input_channels="a",
        output_channels="b",
        cache=InMemoryCache(),
        **kwargs,
    )


def test_nodes_without_a_policy_are_cached_under_the_graphs():
    calls: list[int] = []
    app = doubling(calls, cache_policy=CachePolicy())
    assert [app.invoke(2), app.invoke(2), app.invoke(3)] == [4, 4, 6]
    assert calls == [2, 3]
    assert list(app.stream(2, stream_mode="updates")) == [
        {"double": {"b": 4}, "__metadata__": {"cached": True}}
    ]


def test_a_nodes_own_policy_wins():
    calls: list[int] = []
    app = doubling(
        calls, own_policy=CachePolicy(key_func=lambda x: "one key"), cache_policy=CachePolicy()
    )
    assert [app.invoke(2), app.invoke(3)] == [4, 4]  # its own key ignores the input
    assert calls == [2]


def test_without_one_nothing_is_cached():
    calls: list[int] = []
    app = doubling(calls)
    app.invoke(2)
    app.invoke(2)
    assert calls == [2, 2]


def test_a_policy_that_is_not_one_is_refused():
    with pytest.raises(TypeError, match=r"Pregel\(cache_policy=...\) must be a CachePolicy"):
        doubling([], cache_policy=60)
