"""Semantic search on every store, with a deterministic embedding.

The scores and orders are what LangGraph 1.2.22's InMemoryStore gives for the same program
(its SqliteStore needs the sqlite-vec extension, which this Python cannot load)."""

from __future__ import annotations

import pytest

from tests.store.conftest import aembed_words, embed_words

pytestmark = pytest.mark.anyio


async def put_docs(s):
    await s.put(("docs",), "d1", {"text": "cat cat", "tags": ["dog", "fish"]})
    await s.put(("docs",), "d2", {"text": "dog", "other": 1})
    await s.put(("docs", "sub"), "d3", {"text": "fish cat"})
    await s.put(("docs",), "d4", {"title": "no text field"})
    await s.put(("docs",), "d5", {"text": "cat dog"}, index=False)
    await s.put(("docs",), "d6", {"text": "cat", "tags": ["dog", "fish fish"]}, index=["tags[*]"])


def ranked(items):
    return [(i.key, None if i.score is None else round(i.score, 5)) for i in items]


LANGGRAPH_RANKING = {
    "cat": [
        ("d1", 0.97619),
        ("d3", 0.86824),
        ("d6", 0.44721),
        ("d2", 0.2),
        ("d4", None),
        ("d5", None),
    ],
    "dog": [("d2", 1.0), ("d6", 1.0), ("d3", 0.3721), ("d1", 0.10847), ("d4", None), ("d5", None)],
    "fish": [
        ("d6", 1.0),
        ("d3", 0.83205),
        ("d2", 0.44721),
        ("d1", 0.24254),
        ("d4", None),
        ("d5", None),
    ],
}


@pytest.mark.parametrize("query", sorted(LANGGRAPH_RANKING))
async def test_a_query_ranks_items_by_their_best_vector_as_langgraph_does(open_store, query):
    s = open_store(index={"embed": embed_words, "dims": 3, "fields": ["text"]})
    await put_docs(s)
    assert ranked(await s.search(("docs",), query=query)) == LANGGRAPH_RANKING[query]


async def test_paging_and_filters_apply_to_the_ranking(open_store):
    s = open_store(index={"embed": embed_words, "dims": 3, "fields": ["text"]})
    await put_docs(s)
    assert ranked(await s.search(("docs",), query="cat", limit=2, offset=1)) == [
        ("d3", 0.86824),
        ("d6", 0.44721),
    ]
    found = await s.search(("docs",), query="cat", filter={"other": 1})
    assert [i.key for i in found] == ["d2"]
    assert found[0].score == pytest.approx(0.2)
    # past the scored items, paging goes on into the unscored ones
    assert ranked(await s.search(("docs",), query="cat", offset=4)) == [("d4", None), ("d5", None)]


async def test_without_a_query_search_keeps_put_order_and_gives_no_score(open_store):
    s = open_store(index={"embed": embed_words, "dims": 3, "fields": ["text"]})
    await put_docs(s)
    assert ranked(await s.search(("docs",))) == [
        ("d1", None),
        ("d2", None),
        ("d4", None),
        ("d5", None),
        ("d6", None),
        ("d3", None),
    ]


async def test_a_query_without_an_index_is_ignored(open_store):
    s = open_store()
    await s.put(("docs",), "d1", {"text": "dog"})
    await s.put(("docs",), "d2", {"text": "cat"})
    assert ranked(await s.search(("docs",), query="cat")) == [("d1", None), ("d2", None)]


async def test_the_default_field_embeds_the_whole_value_as_sorted_json(open_store):
    seen: list[str] = []

    def embed(texts):
        seen.extend(texts)
        return embed_words(texts)

    s = open_store(index={"embed": embed, "dims": 3})
    await s.put(("docs",), "d1", {"b": "cat", "a": ["dög"]})
    assert seen == ['{"a": ["dög"], "b": "cat"}']
    assert (await s.search(("docs",), query="cat dog"))[0].score == pytest.approx(0.7453559925)
    assert seen[-1] == "cat dog"


async def test_putting_again_replaces_the_vectors(open_store):
    s = open_store(index={"embed": embed_words, "dims": 3, "fields": ["text"]})
    await s.put(("docs",), "d1", {"text": "cat"})
    await s.put(("docs",), "d2", {"text": "dog"})
    await s.put(("docs",), "d1", {"text": "dog"})
    assert ranked(await s.search(("docs",), query="cat")) == [("d1", 0.2), ("d2", 0.2)]
    await s.put(("docs",), "d2", {"text": "cat"}, index=False)
    assert ranked(await s.search(("docs",), query="cat")) == [("d1", 0.2), ("d2", None)]
    await s.delete(("docs",), "d1")
    assert ranked(await s.search(("docs",), query="dog")) == [("d2", None)]


async def test_an_embeddings_object_is_used_for_documents_and_queries(open_store):
    class Embedder:
        def __init__(self):
            self.calls = []

        def embed_documents(self, texts):
            self.calls.append(("documents", list(texts)))
            return embed_words(texts)

        def embed_query(self, text):
            self.calls.append(("query", text))
            return [1.0, 0.0, 0.0]

    embedder = Embedder()
    s = open_store(index={"embed": embedder, "dims": 3, "fields": ["text"]})
    await s.put(("docs",), "d1", {"text": "cat"})
    await s.put(("docs",), "d2", {"text": "dog"})
    assert [i.key for i in await s.search(("docs",), query="anything")] == ["d1", "d2"]
    assert embedder.calls == [("documents", ["cat"]), ("documents", ["dog"]), ("query", "anything")]


async def test_one_batch_embeds_each_distinct_text_once(open_store):
    from langgraph_lite.store.base import PutOp

    calls = []

    def embed(texts):
        calls.append(list(texts))
        return embed_words(texts)

    s = open_store(index={"embed": embed, "dims": 3, "fields": ["text"]})
    await s.batch([PutOp(("d",), "a", {"text": "cat"}), PutOp(("d",), "b", {"text": "cat"})])
    assert calls == [["cat"]]
    assert ranked(await s.search(("d",), query="cat")) == [("a", 1.0), ("b", 1.0)]


async def test_an_async_embed_function_serves_the_async_methods(open_store):
    s = open_store(index={"embed": aembed_words, "dims": 3, "fields": ["text"]})
    if s.mode == "sync":
        with pytest.raises(ValueError, match="is async, so it serves the async methods only"):
            await s.put(("docs",), "d1", {"text": "cat"})
        return
    await s.put(("docs",), "d1", {"text": "dog"})
    await s.put(("docs",), "d2", {"text": "cat"})
    assert ranked(await s.search(("docs",), query="cat")) == [("d2", 1.0), ("d1", 0.2)]


async def test_a_langchain_embeddings_object_works_as_it_is(open_store):
    lc = pytest.importorskip("langchain_core.embeddings")

    class Words(lc.Embeddings):
        def embed_documents(self, texts):
            return embed_words(texts)

        def embed_query(self, text):
            return embed_words([text])[0]

    s = open_store(index={"embed": Words(), "dims": 3, "fields": ["text"]})
    await s.put(("docs",), "d1", {"text": "dog"})
    await s.put(("docs",), "d2", {"text": "cat"})
    assert ranked(await s.search(("docs",), query="cat")) == [("d2", 1.0), ("d1", 0.2)]
