"""messages mode next to updates: order, metadata keys, LangChain messages (observed on 1.2.22)."""

from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.graph import START, StateGraph, add_messages
from langgraph_lite.messages import AIMessage, ToolMessage


class S(TypedDict):
    messages: Annotated[list, add_messages]


def two_nodes(ai=AIMessage, tool=ToolMessage):
    def a(s):
        return {"messages": [ai("hi", id="m1")]}

    def b(s):
        return {"messages": [tool("tool out", tool_call_id="t1"), ai("no id")]}

    builder = StateGraph(S).add_node(a).add_node(b)
    return builder.add_edge(START, "a").add_edge("a", "b").compile()


CONFIG = {
    "configurable": {"thread_id": "x", "secret_key": "s", "n": 3, "assistant_id": "as"},
    "tags": ["t"],
    "metadata": {"m": 1},
}


def summary(chunks):
    out = []
    for mode, chunk in chunks:
        if mode == "messages":
            out.append((mode, chunk[0].content, chunk[1]["langgraph_node"]))
        else:
            [(node, update)] = chunk.items()
            out.append((mode, node, [m.content for m in update["messages"]]))
    return out


def test_a_nodes_messages_come_before_its_update():
    chunks = list(two_nodes().stream({"messages": []}, stream_mode=["updates", "messages"]))
    assert summary(chunks) == [
        ("messages", "hi", "a"),
        ("updates", "a", ["hi"]),
        ("messages", "tool out", "b"),
        ("messages", "no id", "b"),
        ("updates", "b", ["tool out", "no id"]),
    ]


def test_message_metadata_has_langgraphs_keys_and_no_other_configurable_values():
    chunks = list(two_nodes().stream({"messages": []}, CONFIG, stream_mode="messages"))
    _, metadata = chunks[0]
    assert sorted(metadata) == [
        "assistant_id",
        "langgraph_checkpoint_ns",
        "langgraph_node",
        "langgraph_path",
        "langgraph_step",
        "langgraph_triggers",
        "ls_integration",
        "m",
        "thread_id",
    ]
    assert metadata["ls_integration"] == "langgraph"
    assert metadata["langgraph_path"] == ("__pregel_pull", "a")
    assert (metadata["thread_id"], metadata["assistant_id"], metadata["m"]) == ("x", "as", 1)


def test_messages_returned_without_ids_carry_the_same_new_id_in_messages_and_updates():
    chunks = list(two_nodes().stream({"messages": []}, stream_mode=["updates", "messages"]))
    streamed = [c[0].id for mode, c in chunks if mode == "messages"][1:]
    [updated] = [c["b"]["messages"] for mode, c in chunks if mode == "updates" and "b" in c]
    assert all(streamed) and [m.id for m in updated] == streamed


@pytest.mark.parametrize("library", ["ours", "langchain"])
def test_updates_alone_show_the_ids_add_messages_gives(library):
    # LangGraph 1.2.22: add_messages gives ids in place, so the update (read once the step is
    # applied) shows the ids the messages are stored with
    if library == "langchain":
        lc = pytest.importorskip("langchain_core.messages")
        graph = two_nodes(lc.AIMessage, lc.ToolMessage)
    else:
        graph = two_nodes()
    chunks = list(graph.stream({"messages": []}, stream_mode=["updates", "values"]))
    [update] = [c["b"]["messages"] for mode, c in chunks if mode == "updates" and "b" in c]
    stored = chunks[-1][1]["messages"][1:]
    assert all(m.id for m in update)
    assert [m.id for m in update] == [m.id for m in stored]


def test_langchain_messages_a_node_returns_are_streamed_whole_before_its_update():
    lc = pytest.importorskip("langchain_core.messages")
    graph = two_nodes(lc.AIMessage, lc.ToolMessage)
    chunks = list(graph.stream({"messages": []}, CONFIG, stream_mode=["updates", "messages"]))
    assert summary(chunks) == [
        ("messages", "hi", "a"),
        ("updates", "a", ["hi"]),
        ("messages", "tool out", "b"),
        ("messages", "no id", "b"),
        ("updates", "b", ["tool out", "no id"]),
    ]
    assert isinstance(chunks[2][1][0], lc.ToolMessage) and chunks[2][1][0].id


def test_a_langchain_models_tags_are_merged_with_the_runs_tags():
    fakes = pytest.importorskip("langchain_core.language_models.fake_chat_models")
    lc = pytest.importorskip("langchain_core.messages")
    from langgraph_lite.models.langchain import stream_tokens_from_langchain_models

    stream_tokens_from_langchain_models()
    model = fakes.GenericFakeChatModel(messages=iter([lc.AIMessage("hi there")]))
    tagged = model.with_config(tags=["modeltag"])

    def a(s, config):
        return {"messages": [tagged.invoke(s["messages"], config)]}

    graph = StateGraph(S).add_node(a).add_edge(START, "a").compile()
    chunks = list(graph.stream({"messages": []}, CONFIG, stream_mode="messages"))
    assert len(chunks) == 3  # LangGraph: "hi", " ", "there"
    for _, metadata in chunks:
        assert metadata["tags"] == ["modeltag", "t"]
        assert metadata["ls_integration"] == "langchain_chat_model"
        assert "secret_key" not in metadata and "n" not in metadata
