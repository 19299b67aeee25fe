"""``default_cache_key`` (the key of a cached node's input) and the round-trip law."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langgraph_lite.cache.base import default_cache_key
from langgraph_lite.cache.memory import InMemoryCache
from langgraph_lite.cache.sqlite import SqliteCache


def test_equal_inputs_give_one_key_whatever_the_dict_order():
    assert default_cache_key({"a": 1, "b": [1, {"c": 2, "d": 3}]}) == default_cache_key(
        {"b": [1, {"d": 3, "c": 2}], "a": 1}
    )
    assert default_cache_key(1, x={2, 3}) == default_cache_key(1, x={3, 2})
    assert isinstance(default_cache_key({"a": 1}), str)


def test_different_inputs_give_different_keys():
    keys = {
        default_cache_key(v)
        for v in [{"a": 1}, {"a": 2}, {"a": "1"}, {"a": (1,)}, {"b": 1}, [1], 1, "1", None]
    }
    assert len(keys) == 9
    assert default_cache_key(1, 2) != default_cache_key((1, 2))
    assert default_cache_key(x=1) != default_cache_key(1)


def test_keys_are_made_without_pickle(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("pickle used")

    monkeypatch.setattr(pickle, "dumps", refuse)

    @dataclasses.dataclass
    class State:
        question: str

    assert default_cache_key(State("q")) == default_cache_key(State("q"))
    assert default_cache_key(State("q")) != default_cache_key(State("r"))


def test_an_input_the_serializer_cannot_encode_is_refused():
    with pytest.raises(TypeError, match="cannot save a builtins:object"):
        default_cache_key({"x": object()})


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.binary(max_size=5)
    | st.datetimes(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        | st.frozensets(st.integers(), max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(["memory", "sqlite"]), value=values, ttl=st.none() | st.integers(1, 10**6)
)
def test_a_cached_value_comes_back_equal(kind, value, ttl):
    cache = InMemoryCache() if kind == "memory" else SqliteCache(path=":memory:")
    cache.set({(("ns", "x"), "key"): (value, ttl)})
    assert cache.get([(("ns", "x"), "key")]) == {(("ns", "x"), "key"): value}
    if kind == "sqlite":
        cache.close()
