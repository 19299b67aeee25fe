"""Pregel-level API of LangGraph 1.2.22: subgraphs, schemas, node copies (observed there)."""

import pytest
from typing_extensions import TypedDict

from langgraph_lite.channels import LastValue
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.pregel import NodeBuilder, Pregel


class S(TypedDict):
    x: str


def nested():
    leaf = StateGraph(S).add_node("l", lambda s: s).add_edge(START, "l").compile()
    mid = StateGraph(S).add_node("leaf", leaf).add_edge(START, "leaf").compile()
    builder = StateGraph(S).add_node("mid", mid).add_node("plain", lambda s: s)
    return builder.add_edge(START, "mid").add_edge("mid", "plain").compile(), mid, leaf


def test_get_subgraphs_lists_the_graphs_run_as_nodes():
    top, mid, leaf = nested()
    assert list(top.get_subgraphs()) == [("mid", mid)]
    assert list(top.get_subgraphs(recurse=True)) == [("mid", mid), ("mid|leaf", leaf)]


def test_get_subgraphs_finds_one_namespace_a_nested_one_only_when_recursing():
    top, mid, leaf = nested()
    assert list(top.get_subgraphs(namespace="mid")) == [("mid", mid)]
    assert list(top.get_subgraphs(namespace="mid|leaf", recurse=True)) == [("mid|leaf", leaf)]
    assert list(top.get_subgraphs(namespace="mid|leaf")) == []
    assert list(top.get_subgraphs(namespace="plain")) == []


@pytest.mark.anyio
async def test_aget_subgraphs_and_aget_graph():
    top, mid, leaf = nested()
    assert [pair async for pair in top.aget_subgraphs(recurse=True)] == [
        ("mid", mid),
        ("mid|leaf", leaf),
    ]
    drawn = await top.aget_graph()
    assert set(drawn.nodes) == set(top.get_graph().nodes)


def one_channel_app():
    return Pregel(
        nodes={"one": NodeBuilder().subscribe_only("a").do(lambda x: x + 1).write_to("b")},
        channels={"a": LastValue(int), "b": LastValue(int)},
        input_channels="a",
        output_channels="b",
    )


def test_a_pregels_json_schemas_come_from_its_channels_types():
    app = one_channel_app()
    assert app.get_input_jsonschema() == {"title": "LangGraphInput", "type": "integer"}
    assert app.get_output_jsonschema() == {"title": "LangGraphOutput", "type": "integer"}
    app = Pregel(
        nodes={"one": NodeBuilder().subscribe_to("a").do(lambda x: x).write_to("b")},
        channels={"a": LastValue(int), "b": LastValue(str), "c": LastValue(dict)},
        input_channels=["a", "c"],
        output_channels=["b"],
    )
    assert app.get_input_jsonschema() == {
        "properties": {
            "a": {"default": None, "title": "A", "type": "integer"},
            "c": {"additionalProperties": True, "default": None, "title": "C", "type": "object"},
        },
        "title": "LangGraphInput",
        "type": "object",
    }
    assert app.get_output_jsonschema() == {
        "properties": {"b": {"default": None, "title": "B", "type": "string"}},
        "title": "LangGraphOutput",
        "type": "object",
    }


def test_a_pregel_node_copy_replaces_attributes_and_keeps_the_original():
    app = one_channel_app()
    node = app.nodes["one"]
    copy = node.copy({"tags": ["x"], "metadata": {"k": 1}})
    assert (copy.tags, copy.metadata, node.tags, node.metadata) == (["x"], {"k": 1}, [], {})
    assert copy.triggers == node.triggers and node.subgraphs == []
    again = Pregel(nodes={"one": copy}, channels=app.channels, input_channels="a",
                   output_channels="b")  # fmt: skip
    assert again.invoke(1) == 2


def test_a_pregel_node_copy_names_what_it_cannot_replace():
    with pytest.raises(TypeError, match=r"cannot replace: \['bound'\]"):
        one_channel_app().nodes["one"].copy({"bound": None})


def test_a_pregels_retry_policy_applies_to_nodes_without_their_own():
    from langgraph_lite.types import RetryPolicy

    calls = []

    def flaky(x):
        calls.append(x)
        if len(calls) < 3:
            raise ConnectionError("not yet")
        return x + 1

    app = Pregel(
        nodes={"one": NodeBuilder().subscribe_only("a").do(flaky).write_to("b")},
        channels={"a": LastValue(int), "b": LastValue(int)},
        input_channels="a",
        output_channels="b",
        retry_policy=RetryPolicy(initial_interval=0.001, jitter=False),
    )
    assert app.invoke(1) == 2
    assert calls == [1, 1, 1]
    assert app.retry_policy == (RetryPolicy(initial_interval=0.001, jitter=False),)
