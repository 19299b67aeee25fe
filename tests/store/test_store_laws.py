"""Laws every store keeps, checked by hypothesis: a filter selects exactly what a plain Python
predicate selects, and a JSON value comes back as it was put."""

from __future__ import annotations

import contextlib
import math
import operator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from langgraph_lite.store.memory import InMemoryStore
from langgraph_lite.store.sqlite import SqliteStore

STORES = {
    "memory": lambda: contextlib.nullcontext(InMemoryStore()),
    "sqlite": lambda: SqliteStore.from_conn_string(":memory:"),
}

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.integers(),
    st.floats(-5, 5, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "a", "b", "ab", "B", "é"]),
)
json_values = st.recursive(
    st.one_of(scalars, text, st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
fields = st.sampled_from(["a", "b", "c"])
values = st.dictionaries(fields, st.one_of(scalars, st.lists(scalars, max_size=2)), max_size=3)
conditions = st.one_of(
    scalars,
    st.dictionaries(
        st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]),
        scalars,
        min_size=1,
        max_size=2,
    ),
)
filters = st.dictionaries(fields, conditions, min_size=1, max_size=2)

ORDERS = {"$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le}


def selected(value: dict, filter: dict) -> bool:
    """The predicate a filter means, written out plainly."""
    for key, condition in filter.items():
        v = value.get(key)
        if not isinstance(condition, dict):
            if v != condition:
                return False
            continue
        for name, arg in condition.items():
            if name == "$eq":
                ok = v == arg
            elif name == "$ne":
                ok = v != arg
            else:
                numbers = isinstance(v, (int, float)) and isinstance(arg, (int, float))
                strings = isinstance(v, str) and isinstance(arg, str)
                ok = (numbers or strings) and ORDERS[name](v, arg)
            if not ok:
                return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(STORES)), items=st.lists(values, max_size=8), filter=filters)
def test_a_filter_selects_exactly_what_the_predicate_selects(kind, items, filter):
    with STORES[kind]() as store:
        for i, value in enumerate(items):
            store.put(("ns", str(i % 2)), f"k{i}", value)
        found = store.search(("ns",), filter=filter, limit=100)
        expected = [f"k{i}" for i, v in enumerate(items) if selected(v, filter)]
        assert sorted(i.key for i in found) == sorted(expected)
        # and in put order, namespace by namespace
        order = [f"k{i}" for i in range(0, len(items), 2)] + [
            f"k{i}" for i in range(1, len(items), 2)
        ]
        assert [i.key for i in found] == [k for k in order if k in expected]


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(sorted(STORES)),
    value=st.dictionaries(text, json_values, max_size=4),
    key=text.filter(bool),
)
def test_a_json_value_comes_back_exactly_as_it_was_put(kind, value, key):
    with STORES[kind]() as store:
        store.put(("ns",), key, value)
        assert same(store.get(("ns",), key).value, value)
        assert same(store.search(("ns",))[0].value, value)
