"""OpenAIChatModel in a v3 run (stream_events): its tokens as protocol events, shaped as
LangChain's bridge shapes the same chunks (what LangGraph streams for a LangChain model)."""

import pytest
from chat_server import text_reply, tool_reply

from langgraph_lite.graph import START, MessagesState, StateGraph
from langgraph_lite.models.openai import OpenAIChatModel


def _graph(model):
    def agent(state):
        return {"messages": [model.invoke(state["messages"])]}

    return StateGraph(MessagesState).add_node("agent", agent).add_edge(START, "agent").compile()


def _events(graph):
    run = graph.stream_events({"messages": [("user", "hi")]}, version="v3")
    parts = [e["params"]["data"] for e in run if e["method"] == "messages"]
    assert all(isinstance(p, dict) for p, _ in parts)  # streamed: no whole copy after
    return [p for p, _ in parts], [m for _, m in parts]


def _bridge(model, reply_script, server):
    """What LangChain's bridge makes of the chunks the model streams for the same reply."""
    bridge = pytest.importorskip("langchain_core.language_models._compat_bridge")
    from langchain_core.outputs import ChatGenerationChunk

    from langgraph_lite.interop.langchain import to_langchain

    server.script(reply_script)
    chunks = list(model.stream([("user", "hi")]))
    return list(
        bridge.chunks_to_events(iter(ChatGenerationChunk(message=to_langchain(c)) for c in chunks))
    )


def test_openai_text_reply_streams_as_langchains_bridge_would(chat_server):
    model = OpenAIChatModel("test-model", base_url=chat_server.base_url, api_key="k", max_retries=0)
    chat_server.script(text_reply("It's", " sunny"))
    events, metas = _events(_graph(model))
    assert events[0] == {"event": "message-start", "role": "ai", "id": "chatcmpl-1"}
    assert [e["delta"]["text"] for e in events if e["event"] == "content-block-delta"] == [
        "It's",
        " sunny",
    ]
    assert (
        events[-1]["event"] == "message-finish"
        and events[-1]["metadata"]["finish_reason"] == "stop"
    )
    assert {m["run_id"] for m in metas} == {"chatcmpl-1"} and metas[0]["ls_provider"] == "openai"
    assert events == _bridge(model, text_reply("It's", " sunny"), chat_server)


def test_openai_tool_call_reply_streams_as_langchains_bridge_would(chat_server):
    model = OpenAIChatModel("test-model", base_url=chat_server.base_url, api_key="k", max_retries=0)
    reply = tool_reply(("call-1", "get_weather", '{"city": "sf"}'))
    chat_server.script(reply)
    events, _ = _events(_graph(model))
    finished = [e["content"] for e in events if e["event"] == "content-block-finish"]
    assert finished == [
        {"type": "tool_call", "id": "call-1", "name": "get_weather", "args": {"city": "sf"}}
    ]
    assert events == _bridge(
        model, tool_reply(("call-1", "get_weather", '{"city": "sf"}')), chat_server
    )


def test_openai_reply_reads_from_run_messages(chat_server):
    model = OpenAIChatModel("test-model", base_url=chat_server.base_url, api_key="k", max_retries=0)
    chat_server.script(text_reply("a", "b"))
    (stream,) = list(
        _graph(model).stream_events({"messages": [("user", "hi")]}, version="v3").messages
    )
    assert "".join(stream.text) == "ab" and stream.node == "agent"
