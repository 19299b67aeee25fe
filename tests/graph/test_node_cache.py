"""Node caching: ``add_node(..., cache_policy=CachePolicy(...))`` in a graph with ``cache=``.

Expected chunks were taken from LangGraph 1.2.22 running the same programs.
"""

import operator
import time
from dataclasses import dataclass
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.cache.memory import InMemoryCache
from langgraph_lite.cache.sqlite import SqliteCache
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import CachePolicy


class State(TypedDict):
    x: int
    log: Annotated[list, operator.add]


def _graph(calls, policy=None, defaults=None):
    def a(state):
        calls.append(state["x"])
        return {"x": state["x"] + 1, "log": ["a"]}

    def b(state):
        return {"log": ["b"]}

    g = StateGraph(State)
    if defaults is not None:
        g.set_node_defaults(cache_policy=defaults)
    g.add_node("a", a, cache_policy=policy)
    g.add_node("b", b)
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    return g


CACHED = {"a": {"x": 2, "log": ["a"]}, "__metadata__": {"cached": True}}


def test_a_cached_node_is_not_run_again_and_its_update_is_marked_cached():
    calls: list[int] = []
    app = _graph(calls, CachePolicy(ttl=100)).compile(cache=InMemoryCache())
    assert list(app.stream({"x": 1}, stream_mode="updates")) == [
        {"a": {"x": 2, "log": ["a"]}},
        {"b": {"log": ["b"]}},
    ]
    assert list(app.stream({"x": 1}, stream_mode="updates")) == [CACHED, {"b": {"log": ["b"]}}]
    assert app.invoke({"x": 1}) == {"x": 2, "log": ["a", "b"]}
    assert calls == [1]
    app.invoke({"x": 7})  # another input is another key
    assert calls == [1, 7]


def test_a_cache_hit_reports_the_task_but_no_task_result():
    calls: list[int] = []
    app = _graph(calls, CachePolicy()).compile(cache=InMemoryCache())
    app.invoke({"x": 1})
    chunks = list(app.stream({"x": 1}, stream_mode=["tasks", "updates"]))
    kinds = [(mode, c.get("name"), "result" in c) for mode, c in chunks if mode == "tasks"]
    assert kinds == [("tasks", "a", False), ("tasks", "b", False), ("tasks", "b", True)]
    assert ("updates", CACHED) in chunks


def test_without_a_cache_the_policy_does_nothing():
    calls: list[int] = []
    app = _graph(calls, CachePolicy()).compile()
    app.invoke({"x": 1})
    app.invoke({"x": 1})
    assert calls == [1, 1]


def test_entries_expire_after_their_ttl():
    calls: list[int] = []
    app = _graph(calls, CachePolicy(ttl=1)).compile(cache=InMemoryCache())
    app.invoke({"x": 1})
    app.invoke({"x": 1})
    assert calls == [1]
    time.sleep(1.1)
    app.invoke({"x": 1})
    assert calls == [1, 1]


def test_clear_cache_drops_a_nodes_entries_and_needs_a_cache():
    calls: list[int] = []
    app = _graph(calls, CachePolicy()).compile(cache=InMemoryCache())
    app.invoke({"x": 1})
    app.clear_cache(["b"])  # not the cached node: nothing changes
    app.invoke({"x": 1})
    assert calls == [1]
    app.clear_cache()
    app.invoke({"x": 1})
    assert calls == [1, 1]
    with pytest.raises(ValueError, match=r"^No cache is set for this graph. Cannot clear cache."):
        _graph(calls).compile().clear_cache()


@pytest.mark.anyio
async def test_async_runs_use_the_cache_and_aclear_cache_clears_it(tmp_path):
    calls: list[int] = []
    cache = SqliteCache(path=str(tmp_path / "cache.db"))
    app = _graph(calls, CachePolicy(ttl=60)).compile(cache=cache)
    assert await app.ainvoke({"x": 1}) == {"x": 2, "log": ["a", "b"]}
    chunks = [c async for c in app.astream({"x": 1}, stream_mode="updates")]
    assert chunks[0] == CACHED
    assert calls == [1]
    await app.aclear_cache()
    await app.ainvoke({"x": 1})
    assert calls == [1, 1]


def test_set_node_defaults_gives_every_node_the_policy():
    calls: list[int] = []
    app = _graph(calls, defaults=CachePolicy()).compile(cache=InMemoryCache())
    app.invoke({"x": 1})
    assert list(app.stream({"x": 1}, stream_mode="updates")) == [
        CACHED,
        {"b": {"log": ["b"]}, "__metadata__": {"cached": True}},
    ]


def test_a_key_func_picks_what_counts_as_the_same_input():
    calls: list[int] = []
    policy = CachePolicy(key_func=lambda state: str(state["x"] % 2))
    app = _graph(calls, policy).compile(cache=InMemoryCache())
    app.invoke({"x": 1})
    assert app.invoke({"x": 3}) == {"x": 2, "log": ["a", "b"]}  # odd again: a's cached writes
    assert calls == [1]


def test_cached_writes_keep_their_routing():
    calls: list[str] = []

    def pick(state):
        calls.append("pick")
        return {"log": ["pick"]}

    g = StateGraph(State)
    g.add_node("pick", pick, cache_policy=CachePolicy())
    g.add_node("odd", lambda s: {"log": ["odd"]})
    g.add_node("even", lambda s: {"log": ["even"]})
    g.add_edge(START, "pick")
    g.add_conditional_edges("pick", lambda s: "odd" if s["x"] % 2 else "even", ["odd", "even"])
    g.add_edge("odd", END)
    g.add_edge("even", END)
    app = g.compile(cache=InMemoryCache())
    assert app.invoke({"x": 1}) == {"x": 1, "log": ["pick", "odd"]}
    assert app.invoke({"x": 1}) == {"x": 1, "log": ["pick", "odd"]}
    assert calls == ["pick"]


@dataclass
class Point:
    x: int
    y: int


class PointState(TypedDict):
    p: Point


def test_the_caches_serializer_rebuilds_the_states_classes():
    calls: list[int] = []

    def move(state):
        calls.append(1)
        return {"p": Point(state["p"].x + 1, state["p"].y)}

    g = StateGraph(PointState)
    g.add_node("move", move, cache_policy=CachePolicy())
    g.add_edge(START, "move")
    app = g.compile(cache=InMemoryCache())
    assert app.invoke({"p": Point(1, 2)}) == {"p": Point(2, 2)}
    assert app.invoke({"p": Point(1, 2)}) == {"p": Point(2, 2)}
    assert calls == [1]


# -- bad input ----------------------------------------------------------------------------------


def test_a_cache_policy_that_is_not_a_cache_policy_is_refused_naming_the_node():
    g = StateGraph(State)
    with pytest.raises(TypeError, match=r"add_node\('a'\): cache_policy must be a CachePolicy"):
        g.add_node("a", lambda s: {}, cache_policy={"ttl": 5})
    with pytest.raises(TypeError, match=r"set_node_defaults\(\): cache_policy must be"):
        g.set_node_defaults(cache_policy=60)


def test_a_cache_that_is_not_a_cache_is_refused():
    with pytest.raises(TypeError, match="cache must be a BaseCache"):
        _graph([]).compile(cache={})


def test_a_key_func_that_raises_names_the_node():
    def bad(state):
        raise KeyError("nope")

    app = _graph([], CachePolicy(key_func=bad)).compile(cache=InMemoryCache())
    with pytest.raises(ValueError, match=r"^the cache key of node 'a' could not be made") as info:
        app.invoke({"x": 1})
    assert isinstance(info.value.__cause__, KeyError)


def test_a_key_func_that_returns_no_string_names_the_node():
    app = _graph([], CachePolicy(key_func=lambda s: s["x"])).compile(cache=InMemoryCache())
    with pytest.raises(TypeError, match=r"^the cache key of node 'a' must be a str or bytes"):
        app.invoke({"x": 1})


def test_an_input_the_default_key_cannot_encode_names_the_node():
    class Opaque:
        pass

    class Any_(TypedDict):
        v: object

    g = StateGraph(Any_)
    g.add_node("n", lambda s: {}, cache_policy=CachePolicy())
    g.add_edge(START, "n")
    with pytest.raises(ValueError, match=r"^the cache key of node 'n' could not be made"):
        g.compile(cache=InMemoryCache()).invoke({"v": Opaque()})


def test_node_builder_takes_a_cache_policy_for_pregel_graphs():
    from langgraph_lite.channels import LastValue
    from langgraph_lite.pregel import NodeBuilder, Pregel

    calls: list[int] = []

    def double(x):
        calls.append(x)
        return x * 2

    node = NodeBuilder().subscribe_only("a").do(double).write_to("b")
    app = Pregel(
        nodes={"double": node.add_cache_policy(CachePolicy(ttl=60))},
        channels={"a": LastValue(int), "b": LastValue(int)},
        input_channels="a",
        output_channels="b",
        cache=InMemoryCache(),
    )
    assert [app.invoke(21), app.invoke(21), app.invoke(4)] == [42, 42, 8]
    assert calls == [21, 4]
