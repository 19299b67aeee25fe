"""Bad input to any store: a clear error naming what is wrong, and nothing stored.

Where LangGraph 1.2.22 raises for the same input, the error type and the start of the message
are LangGraph's (observed by running the same calls on its InMemoryStore and SqliteStore)."""

from __future__ import annotations

import pytest

from langgraph_lite.store.base import GetOp, InvalidNamespaceError, PutOp, SearchOp
from tests.store.conftest import embed_words

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("namespace", "message"),
    [
        ((), "Namespace cannot be empty."),
        (("",), "Namespace labels cannot be empty strings."),
        (("a", ""), "Namespace labels cannot be empty strings."),
        (
            ("a.b",),
            "Invalid namespace label 'a.b' found in ('a.b',). Namespace labels cannot contain periods ('.').",
        ),
        (
            ("langgraph", "x"),
            "Root label for namespace cannot be \"langgraph\". Got: ('langgraph', 'x')",
        ),
        (
            (1,),
            "Invalid namespace label '1' found in (1,). Namespace labels must be strings, but got int.",
        ),
        (("a\x00",), "Invalid namespace label"),
        (["a"], "A namespace is a tuple of strings, got list"),
    ],
)
async def test_put_refuses_a_bad_namespace(open_store, namespace, message):
    s = open_store()
    with pytest.raises(InvalidNamespaceError) as caught:
        await s.put(namespace, "k", {"v": 1})
    assert str(caught.value).startswith(message)
    assert await s.search(()) == []


async def test_a_dotted_label_error_says_how_to_split_it(open_store):
    with pytest.raises(InvalidNamespaceError, match=r"Split it into labels: \('a', 'b'\)"):
        await open_store().put(("a.b",), "k", {})


@pytest.mark.parametrize("method", ["get", "delete", "search"])
async def test_reads_and_deletes_refuse_bad_labels_but_allow_the_empty_namespace(
    open_store, method
):
    s = open_store()
    with pytest.raises(InvalidNamespaceError, match="cannot contain periods"):
        await getattr(s, method)(("a.b",), *(["k"] if method != "search" else []))
    await getattr(s, method)((), *(["k"] if method != "search" else []))


async def test_list_namespaces_refuses_bad_labels_in_prefix_and_suffix(open_store):
    s = open_store()
    with pytest.raises(InvalidNamespaceError, match="cannot be empty strings"):
        await s.list_namespaces(prefix=("",))
    with pytest.raises(InvalidNamespaceError, match="cannot contain periods"):
        await s.list_namespaces(suffix=("x.y",))


async def test_ops_given_straight_to_batch_are_checked_too(open_store):
    s = open_store()
    with pytest.raises(InvalidNamespaceError, match="cannot contain periods"):
        await s.batch([PutOp(("foo.bar",), "k", {"v": 1})])
    with pytest.raises(InvalidNamespaceError, match="cannot be empty"):
        await s.batch([PutOp((), "k", {"v": 1})])
    with pytest.raises(InvalidNamespaceError, match="cannot contain periods"):
        await s.batch([GetOp(("foo.bar",), "k")])
    with pytest.raises(ValueError, match="Unknown operation type"):
        await s.batch([("not", "an", "op")])
    assert await s.search(()) == []


@pytest.mark.parametrize("value", ["text", [1, 2], 3, None.__class__])
async def test_a_value_that_is_not_a_dict_is_refused(open_store, value):
    with pytest.raises(TypeError, match=r"got a value of type \w+; a store value is a dict"):
        await open_store().put(("n",), "k", value)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            {"k": object()},
            TypeError,
            r"\['k'\] is a builtins.object, which a store cannot save as JSON",
        ),
        ({"k": {1, 2}}, TypeError, r"\['k'\] is a builtins.set"),
        ({1: "a"}, TypeError, r"has the key 1 \(int\); keys of stored dicts are strings"),
        ({"deep": [{"x": {2: 0}}]}, TypeError, r"\['deep'\]\[0\]\['x'\] has the key 2"),
        ({"f": float("nan")}, ValueError, r"\['f'\] is nan, which JSON cannot hold"),
        ({"f": float("inf")}, ValueError, r"is inf, which JSON cannot hold"),
        ({"t": "a\ud800"}, ValueError, r"\['t'\] holds '\\ud800', a lone surrogate"),
    ],
)
async def test_a_value_json_cannot_hold_is_refused_naming_where(open_store, value, error, message):
    s = open_store()
    with pytest.raises(error, match=message):
        await s.put(("n",), "k", value)
    assert await s.get(("n",), "k") is None


@pytest.mark.parametrize("ttl", [-1, -0.5])
async def test_a_negative_ttl_is_refused(open_store, ttl):
    s = open_store()
    with pytest.raises(ValueError, match=rf"ttl must be zero or more minutes .*got {ttl}"):
        await s.put(("n",), "k", {"v": 1}, ttl=ttl)
    with pytest.raises(ValueError, match="ttl must be zero or more minutes"):
        await s.batch([PutOp(("n",), "k", {"v": 1}, ttl=ttl)])
    assert await s.get(("n",), "k") is None


async def test_a_ttl_that_is_not_a_number_is_refused(open_store):
    with pytest.raises(TypeError, match="ttl is a number of minutes or None, got '5'"):
        await open_store().put(("n",), "k", {"v": 1}, ttl="5")


async def test_a_default_ttl_below_zero_is_refused_when_the_store_is_made(open_store):
    with pytest.raises(ValueError, match="TTLConfig default_ttl must be zero or more"):
        open_store(ttl={"default_ttl": -3})


async def test_an_unknown_filter_operator_is_refused_with_langgraphs_words(open_store):
    s = open_store()
    await s.put(("n",), "k", {"x": 1})
    with pytest.raises(
        ValueError, match=r"^Unsupported operator: \$foo\. A filter's operators are \$eq"
    ):
        await s.search((), filter={"x": {"$foo": 1}})
    with pytest.raises(ValueError, match="Unsupported operator: \\$in"):
        await s.search((), filter={"d": {"inner": {"$in": [1]}}})


async def test_a_filter_that_is_not_a_dict_is_refused(open_store):
    with pytest.raises(TypeError, match=r"search\(filter=\.\.\.\) takes a dict"):
        await open_store().search((), filter=[("x", 1)])


@pytest.mark.parametrize(
    ("limit", "offset", "name"), [(-1, 0, "limit"), (10, -2, "offset"), (2.5, 0, "limit")]
)
async def test_search_refuses_a_negative_or_fractional_limit_or_offset(
    open_store, limit, offset, name
):
    with pytest.raises(ValueError, match=f"search: {name} must be an int of 0 or more"):
        await open_store().batch([SearchOp((), limit=limit, offset=offset)])


async def test_list_namespaces_refuses_a_max_depth_below_one(open_store):
    with pytest.raises(ValueError, match="max_depth must be an int of 1 or more"):
        await open_store().list_namespaces(max_depth=0)


async def test_an_index_without_embed_or_dims_is_refused(open_store):
    with pytest.raises(ValueError, match=r"^embed must be provided"):
        open_store(index={"dims": 3})
    with pytest.raises(ValueError, match=r"^dims must be provided"):
        open_store(index={"embed": embed_words})
    with pytest.raises(ValueError, match=r"^dims must be provided"):
        open_store(index={"embed": embed_words, "dims": 0})
    with pytest.raises(TypeError, match="index\\['embed'\\] must be a function"):
        open_store(index={"embed": 42, "dims": 3})


async def test_index_paths_that_are_not_a_list_of_strings_are_refused(open_store):
    s = open_store(index={"embed": embed_words, "dims": 3})
    with pytest.raises(TypeError, match=r"index=\.\.\.\) takes None"):
        await s.put(("n",), "k", {"text": "cat"}, index="text")


async def test_vectors_of_the_wrong_length_are_refused_naming_dims(open_store):
    s = open_store(index={"embed": lambda texts: [[1.0, 0.0] for _ in texts], "dims": 3})
    with pytest.raises(
        ValueError, match="returned a vector of 2 numbers for 'cat', but the index says dims=3"
    ):
        await s.put(("n",), "k", {"text": "cat"}, index=["text"])
    assert await s.get(("n",), "k") is None


async def test_an_embed_function_returning_too_few_vectors_is_refused(open_store):
    s = open_store(index={"embed": lambda texts: [], "dims": 3})
    with pytest.raises(ValueError, match="returned 0 vectors for 1 texts"):
        await s.put(("n",), "k", {"text": "cat"})
