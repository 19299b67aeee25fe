"""Put, get, search, delete, list_namespaces and batch, the same on every store.

Expected orders and outputs were observed running the same programs on LangGraph 1.2.22's
InMemoryStore."""

from __future__ import annotations

import datetime as dt

import pytest

from langgraph_lite.store.base import (
    GetOp,
    Item,
    ListNamespacesOp,
    MatchCondition,
    PutOp,
    SearchItem,
    SearchOp,
)

pytestmark = pytest.mark.anyio


async def put_sample(s):
    await s.put(("a", "b"), "k1", {"x": 1, "s": "one"})
    await s.put(("a", "b"), "k2", {"x": 2, "s": "two"})
    await s.put(("a",), "k3", {"x": 3, "s": "three"})
    await s.put(("c", "b"), "k4", {"x": 4, "s": "four", "flag": True})
    await s.put(("a", "b"), "k1", {"x": 5, "s": "five"})


async def test_a_put_item_comes_back_with_its_namespace_key_and_utc_times(open_store):
    s = open_store()
    await s.put(("users", "u1"), "prefs", {"theme": "dark", "n": [1, {"deep": None}]})
    item = await s.get(("users", "u1"), "prefs")
    assert type(item) is Item
    assert item.namespace == ("users", "u1")
    assert item.key == "prefs"
    assert item.value == {"theme": "dark", "n": [1, {"deep": None}]}
    assert item.created_at.tzinfo is not None
    assert item.created_at.utcoffset() == dt.timedelta(0)
    assert item.created_at == item.updated_at
    assert item.created_at == dt.datetime.fromtimestamp(s.clock.now, dt.timezone.utc)


async def test_updating_an_item_keeps_created_at_and_moves_updated_at(open_store):
    s = open_store()
    await s.put(("n",), "k", {"v": 1})
    s.clock.advance(1)
    await s.put(("n",), "k", {"v": 2})
    item = await s.get(("n",), "k")
    assert item.value == {"v": 2}
    assert item.updated_at - item.created_at == dt.timedelta(minutes=1)


async def test_a_missing_item_is_none_and_delete_removes_it(open_store):
    s = open_store()
    assert await s.get(("n",), "k") is None
    await s.put(("n",), "k", {"v": 1})
    await s.delete(("n",), "k")
    assert await s.get(("n",), "k") is None
    await s.delete(("never",), "there")  # deleting nothing is fine
    assert await s.search(()) == []


async def test_keys_are_turned_into_strings(open_store):
    s = open_store()
    await s.put(("q",), 5, {"a": 1})
    assert (await s.get(("q",), 5)).key == "5"
    assert (await s.get(("q",), "5")).value == {"a": 1}


async def test_search_lists_items_in_the_order_they_were_first_put(open_store):
    s = open_store()
    await put_sample(s)
    found = await s.search(())
    assert all(type(i) is SearchItem and i.score is None for i in found)
    assert [(i.namespace, i.key) for i in found] == [
        (("a", "b"), "k1"),
        (("a", "b"), "k2"),
        (("a",), "k3"),
        (("c", "b"), "k4"),
    ]
    assert found[0].value == {"x": 5, "s": "five"}
    assert [i.key for i in await s.search(("a",))] == ["k1", "k2", "k3"]
    assert [i.key for i in await s.search((), limit=2, offset=1)] == ["k2", "k3"]


async def test_items_of_one_namespace_come_together_in_namespace_order(open_store):
    s = open_store()
    await s.put(("a",), "k1", {})
    await s.put(("b",), "k2", {})
    await s.put(("a",), "k3", {})
    assert [i.key for i in await s.search(())] == ["k1", "k3", "k2"]


async def test_an_item_put_again_after_delete_goes_last(open_store):
    s = open_store()
    for key in ("k1", "k2", "k3"):
        await s.put(("a",), key, {})
    await s.delete(("a",), "k1")
    await s.put(("a",), "k1", {})
    assert [i.key for i in await s.search(("a",))] == ["k2", "k3", "k1"]


async def test_a_prefix_matches_whole_labels_only(open_store):
    s = open_store()
    await s.put(("ab",), "k1", {})
    await s.put(("a",), "k2", {})
    await s.put(("a", "b"), "k3", {})
    await s.put(("a-b",), "k4", {})
    await s.put(("A",), "k5", {})
    assert [i.key for i in await s.search(("a",))] == ["k2", "k3"]
    assert [i.key for i in await s.search(("a", "b"))] == ["k3"]


async def test_search_filters_on_equality_and_comparison_operators(open_store):
    s = open_store()
    await put_sample(s)

    async def keys(**filter):
        return [i.key for i in await s.search((), filter=filter)]

    assert await keys(x={"$gt": 2}) == ["k1", "k3", "k4"]
    assert await keys(x={"$ne": 2}) == ["k1", "k3", "k4"]
    assert await keys(x={"$gte": 3, "$lt": 5}) == ["k3", "k4"]
    assert await keys(x={"$lte": 2}) == ["k2"]
    assert await keys(x={"$eq": 3}) == ["k3"]
    assert await keys(flag=True) == ["k4"]
    assert await keys(x=2.0) == ["k2"]
    assert await keys(s="four") == ["k4"]
    assert await keys(s={"$gt": "s"}) == ["k2", "k3"]  # strings compare as strings
    assert await keys(s="four", x=4) == ["k4"]
    assert await keys(s="four", x=5) == []


async def test_a_missing_key_is_none_to_equality_and_matches_ne(open_store):
    s = open_store()
    await s.put(("a",), "k", {"x": 1})
    await s.put(("a",), "j", {"y": 1})
    assert [i.key for i in await s.search((), filter={"x": {"$ne": 5}})] == ["k", "j"]
    assert [i.key for i in await s.search((), filter={"x": None})] == ["j"]
    # an order never holds with a missing value (LangGraph's InMemoryStore raises TypeError)
    assert [i.key for i in await s.search((), filter={"x": {"$gt": 0}})] == ["k"]


async def test_dict_filters_match_the_keys_they_name_and_lists_match_whole(open_store):
    s = open_store()
    await s.put(("b",), "n", {"d": {"p": 1, "q": 2}, "l": [1, 2]})
    await s.put(("b",), "m", {"d": {"p": 2}, "l": [1]})
    assert [i.key for i in await s.search((), filter={"d": {"p": 1}})] == ["n"]
    assert [i.key for i in await s.search((), filter={"d": {"p": {"$gte": 1}}})] == ["n", "m"]
    assert [i.key for i in await s.search((), filter={"l": [1, 2]})] == ["n"]
    assert [i.key for i in await s.search((), filter={"l": (1, 2)})] == ["n"]
    assert await s.search((), filter={"l": 1}) == []


async def test_a_filter_and_paging_apply_together(open_store):
    s = open_store()
    for i in range(10):
        await s.put(("n",), f"k{i}", {"i": i, "even": i % 2 == 0})
    found = await s.search(("n",), filter={"even": True}, limit=2, offset=1)
    assert [i.key for i in found] == ["k2", "k4"]


async def test_list_namespaces_with_prefix_suffix_depth_and_wildcards(open_store):
    s = open_store()
    await put_sample(s)
    assert await s.list_namespaces() == [("a",), ("a", "b"), ("c", "b")]
    assert await s.list_namespaces(prefix=("a",)) == [("a",), ("a", "b")]
    assert await s.list_namespaces(suffix=("b",)) == [("a", "b"), ("c", "b")]
    assert await s.list_namespaces(max_depth=1) == [("a",), ("c",)]
    assert await s.list_namespaces(prefix=("*", "b")) == [("a", "b"), ("c", "b")]
    assert await s.list_namespaces(prefix=("a",), suffix=("b",)) == [("a", "b")]
    assert await s.list_namespaces(limit=1, offset=1) == [("a", "b")]


async def test_list_namespaces_truncates_to_max_depth_as_documented(open_store):
    s = open_store()
    for ns in [
        ("a", "b", "c"),
        ("a", "b", "d", "e"),
        ("a", "b", "d", "i"),
        ("a", "b", "f"),
        ("a", "c", "f"),
    ]:
        await s.put(ns, "k", {})
    assert await s.list_namespaces(prefix=("a", "b"), max_depth=3) == [
        ("a", "b", "c"),
        ("a", "b", "d"),
        ("a", "b", "f"),
    ]


async def test_a_namespace_whose_items_are_all_deleted_is_not_listed(open_store):
    s = open_store()
    await s.put(("gone",), "k", {})
    await s.put(("kept",), "k", {})
    await s.delete(("gone",), "k")
    assert await s.list_namespaces() == [("kept",)]


async def test_batch_returns_one_result_per_op_and_reads_see_the_store_before_writes(open_store):
    s = open_store()
    await s.put(("n",), "k", {"v": 1})
    results = await s.batch(
        [
            PutOp(("n",), "k", {"v": 2}),
            GetOp(("n",), "k"),
            SearchOp(("n",)),
            ListNamespacesOp(match_conditions=(MatchCondition("prefix", ("n",)),)),
            PutOp(("m",), "j", {"v": 3}),
            PutOp(("m",), "j", {"v": 4}),  # the last write to a key wins
        ]
    )
    assert results[0] is None and results[4] is None and results[5] is None
    assert results[1].value == {"v": 1}
    assert [i.value for i in results[2]] == [{"v": 1}]
    assert results[3] == [("n",)]
    assert (await s.get(("n",), "k")).value == {"v": 2}
    assert (await s.get(("m",), "j")).value == {"v": 4}


async def test_values_come_back_as_json_data_and_as_copies(open_store):
    s = open_store()
    when = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    value = {"pair": (1, 2), "when": when, "nested": {"l": [1]}}
    await s.put(("n",), "k", value)
    value["nested"]["l"].append(2)  # the caller's dict is not the store's
    item = await s.get(("n",), "k")
    assert item.value == {"pair": [1, 2], "when": "2024-05-01T12:00:00+00:00", "nested": {"l": [1]}}
    item.value["nested"]["l"].append(3)
    assert (await s.get(("n",), "k")).value["nested"]["l"] == [1]


async def test_items_compare_print_and_rebuild_as_langgraphs_do(open_store):
    s = open_store()
    await s.put(("n",), "k", {"v": 1})
    item = await s.get(("n",), "k")
    assert Item(**item.dict()) == item
    assert hash(item) == hash((("n",), "k"))
    assert repr(item).startswith("Item(namespace=['n'], key='k', value={'v': 1}, created_at='")
    found = (await s.search(("n",)))[0]
    assert found.dict()["score"] is None
    assert repr(found).startswith("Item(namespace=['n']") and repr(found).endswith("score=None)")
