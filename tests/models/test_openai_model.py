"""OpenAIChatModel against a local chat-completions server (see conftest.py): no network.

Every test name says "openai", so ``pytest -k openai`` runs them all.
"""

import time

import pytest
from chat_server import Status, Stream, chunk, text_reply, tool_reply
from pydantic import BaseModel
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, MessagesState, StateGraph
from langgraph_lite.messages import AIMessage, SystemMessage, ToolMessage
from langgraph_lite.models import init_chat_model
from langgraph_lite.models.openai import ChatModelError, OpenAIChatModel
from langgraph_lite.models.structured import StructuredOutputError
from langgraph_lite.prebuilt import create_react_agent


def model_for(server, **kwargs):
    kwargs.setdefault("max_retries", 0)
    return OpenAIChatModel("test-model", base_url=server.base_url, api_key="k", **kwargs)


def one_node_graph(model, checkpointer=None):
    def call_model(state):
        return {"messages": [model.invoke(state["messages"])]}

    builder = StateGraph(MessagesState).add_node("agent", call_model).add_edge(START, "agent")
    return builder.compile(checkpointer)


def get_weather(city: str) -> str:
    """Get the weather for a given city."""
    return f"It's always sunny in {city}!"


# -- replies --------------------------------------------------------------------------------------


def test_openai_model_returns_the_streamed_text_with_usage_and_finish_reason(chat_server):
    chat_server.script(text_reply("Hel", "lo", "!"))
    reply = model_for(chat_server).invoke([("user", "hi")])
    assert isinstance(reply, AIMessage)
    assert (reply.content, reply.id) == ("Hello!", "chatcmpl-1")
    assert reply.usage_metadata == {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}
    assert reply.response_metadata["finish_reason"] == "stop"
    assert reply.response_metadata["model_name"] == "test-model"
    body = chat_server.requests[0]["body"]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "user", "content": "hi"}]


def test_openai_model_streams_tokens_into_messages_mode(chat_server):
    chat_server.script(text_reply("It's", " always", " sunny"))
    graph = one_node_graph(model_for(chat_server, temperature=0.2))
    chunks = list(graph.stream({"messages": [("user", "weather?")]}, stream_mode="messages"))
    text = [(c.content, m["langgraph_node"]) for c, m in chunks if c.content]
    assert text == [("It's", "agent"), (" always", "agent"), (" sunny", "agent")]
    meta = chunks[0][1]
    assert (meta["ls_provider"], meta["ls_model_name"], meta["ls_temperature"]) == (
        "openai",
        "test-model",
        0.2,
    )
    assert {c.id for c, _ in chunks} == {"chatcmpl-1"}  # streamed once: no whole copy after
    assert chat_server.requests[0]["body"]["temperature"] == 0.2


def test_openai_model_assembles_tool_calls_from_streamed_argument_deltas(chat_server):
    chat_server.script(
        tool_reply(
            ("call-1", "get_weather", '{"city": "sf"}'),
            ("call-2", "get_weather", '{"city": "nyc"}'),
        )
    )
    model = model_for(chat_server).bind_tools([get_weather], tool_choice="any")
    pieces = list(model.stream([("user", "weather in sf and nyc?")]))
    assert [p["args"] for c in pieces for p in c.tool_call_chunks][:3] == ["", '{"c', "ity"]
    chat_server.script(tool_reply(("call-1", "get_weather", '{"city": "sf"}')))
    reply = model.invoke([("user", "weather in sf?")])
    assert reply.tool_calls == [
        {"name": "get_weather", "args": {"city": "sf"}, "id": "call-1", "type": "tool_call"}
    ]
    body = chat_server.requests[0]["body"]
    assert body["tool_choice"] == "required"
    assert body["tools"][0]["function"]["name"] == "get_weather"
    assert body["tools"][0]["function"]["parameters"]["required"] == ["city"]


def test_openai_model_sends_the_history_in_the_chat_completions_shape(chat_server):
    chat_server.script(text_reply("ok"))
    call = {"name": "get_weather", "args": {"city": "sf"}, "id": "call-1"}
    model_for(chat_server).invoke(
        [
            SystemMessage("be brief"),
            ("user", "weather?"),
            AIMessage("", tool_calls=[call]),
            ToolMessage("sunny", tool_call_id="call-1"),
        ]
    )
    assert chat_server.requests[0]["body"]["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call-1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "sf"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call-1", "content": "sunny"},
    ]


@pytest.mark.anyio
async def test_openai_model_ainvoke_and_astream_work_on_asyncio_and_trio(chat_server):
    chat_server.script(text_reply("a", "b"), text_reply("c", "d"))
    model = model_for(chat_server)
    assert (await model.ainvoke([("user", "hi")])).content == "ab"
    assert [c.content async for c in model.astream([("user", "hi")]) if c.content] == ["c", "d"]


# -- an agent on an OpenAI-compatible server ------------------------------------------------------


def test_openai_model_drives_create_react_agent_through_a_tool_round_trip(chat_server):
    chat_server.script(
        tool_reply(("call-1", "get_weather", '{"city": "sf"}')), text_reply("Sunny in sf.")
    )
    agent = create_react_agent(model_for(chat_server), [get_weather])
    updates = list(agent.stream({"messages": [("user", "weather in sf?")]}, stream_mode="updates"))
    assert [next(iter(u)) for u in updates] == ["agent", "tools", "agent"]
    assert updates[1]["tools"]["messages"][0].content == "It's always sunny in sf!"
    second = chat_server.requests[1]["body"]["messages"]
    assert second[-1] == {
        "role": "tool",
        "tool_call_id": "call-1",
        "content": "It's always sunny in sf!",
    }


@pytest.mark.anyio
async def test_openai_model_drives_an_async_agent_with_tokens(chat_server):
    chat_server.script(
        tool_reply(("call-1", "get_weather", '{"city": "sf"}')), text_reply("Sunny", " in sf.")
    )
    agent = create_react_agent(model_for(chat_server), [get_weather])
    tokens = [
        c.content
        async for c, m in agent.astream(
            {"messages": [("user", "weather in sf?")]}, stream_mode="messages"
        )
        if m["langgraph_node"] == "agent" and c.content
    ]
    assert tokens == ["Sunny", " in sf."]


def test_openai_model_by_name_resolves_to_our_model_without_langchain(chat_server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", chat_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    model = init_chat_model("openai:test-model", max_retries=0)
    assert isinstance(model, OpenAIChatModel) and model.model == "test-model"
    chat_server.script(text_reply("hi there"))
    agent = create_react_agent("openai:test-model", [])
    assert agent.invoke({"messages": [("user", "hi")]})["messages"][-1].content == "hi there"


def test_openai_unknown_provider_names_say_what_to_install():
    with pytest.raises(ImportError, match=r"pip install langchain langchain-anthropic"):
        init_chat_model("anthropic:claude")


# -- structured output ----------------------------------------------------------------------------


class Weather(BaseModel):
    city: str
    sunny: bool


class WeatherDict(TypedDict):
    city: str
    sunny: bool


def test_openai_structured_output_with_json_schema_gives_the_pydantic_object(chat_server):
    chat_server.script(text_reply('{"city": "sf",', ' "sunny": true}'))
    answer = model_for(chat_server).with_structured_output(Weather).invoke([("user", "sf?")])
    assert answer == Weather(city="sf", sunny=True)
    response_format = chat_server.requests[0]["body"]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Weather"


def test_openai_structured_output_by_function_calling_gives_a_typed_dict(chat_server):
    chat_server.script(tool_reply(("call-1", "WeatherDict", '{"city": "sf", "sunny": false}')))
    model = model_for(chat_server).with_structured_output(WeatherDict, method="function_calling")
    assert model.invoke([("user", "sf?")]) == {"city": "sf", "sunny": False}
    body = chat_server.requests[0]["body"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "WeatherDict"}}


def test_openai_structured_output_that_does_not_parse_is_a_clear_error(chat_server):
    chat_server.script(text_reply("it is sunny"), text_reply("it is sunny"))
    model = model_for(chat_server).with_structured_output(Weather)
    with pytest.raises(StructuredOutputError, match="not JSON"):
        model.invoke([("user", "sf?")])
    raw = model_for(chat_server).with_structured_output(Weather, include_raw=True)
    result = raw.invoke([("user", "sf?")])
    assert result["parsed"] is None and result["raw"].content == "it is sunny"
    assert isinstance(result["parsing_error"], StructuredOutputError)


# -- what goes wrong ------------------------------------------------------------------------------


def test_openai_error_status_is_a_clear_error_naming_server_model_and_fix(chat_server):
    chat_server.script(Status(401, "Incorrect API key provided"))
    with pytest.raises(ChatModelError) as info:
        model_for(chat_server).invoke([("user", "hi")])
    assert info.value.status_code == 401
    text = str(info.value)
    assert chat_server.base_url in text and "'test-model'" in text
    assert "Incorrect API key provided" in text and "api_key" in text


def test_openai_server_errors_are_retried_then_reported(chat_server):
    chat_server.script(Status(503, "overloaded", retry_after_ms=1), text_reply("fine"))
    assert model_for(chat_server, max_retries=1).invoke([("user", "hi")]).content == "fine"
    chat_server.script(Status(500, "boom", retry_after_ms=1), Status(500, "boom", retry_after_ms=1))
    with pytest.raises(ChatModelError, match=r"answered 500 .*'boom'.* tried 2 time"):
        model_for(chat_server, max_retries=1).invoke([("user", "hi")])


def test_openai_connection_refused_is_a_clear_error(refused_url):
    model = OpenAIChatModel("m", base_url=refused_url, api_key="k", max_retries=0)
    with pytest.raises(
        ChatModelError, match=r"cannot reach the chat server .* Is the server running"
    ):
        model.invoke([("user", "hi")])


def test_openai_timeout_is_a_clear_error(chat_server):
    chat_server.script(Stream(text_reply("late").events, delay=2.0))
    model = model_for(chat_server, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ChatModelError, match=r"no answer .* within timeout=0.3s"):
        model.invoke([("user", "hi")])
    assert time.monotonic() - started < 1.9


def test_openai_stream_cut_mid_way_fails_the_node_and_loses_nothing_saved(chat_server):
    saver = InMemorySaver()
    graph = one_node_graph(model_for(chat_server), saver)
    config = {"configurable": {"thread_id": "t"}}
    chat_server.script(text_reply("first answer"))
    graph.invoke({"messages": [("user", "one")]}, config)
    chat_server.script(Stream([chunk({"content": "half an ans"})], cut=True))
    with pytest.raises(ChatModelError, match="broke mid-reply"):
        graph.invoke({"messages": [("user", "two")]}, config)
    messages = graph.get_state(config).values["messages"]
    assert [m.content for m in messages] == ["one", "first answer", "two"]
    chat_server.script(text_reply("second answer", id="chatcmpl-3"))
    graph.invoke(None, config)  # resume: the failed node runs again
    messages = graph.get_state(config).values["messages"]
    assert [m.content for m in messages] == ["one", "first answer", "two", "second answer"]


def test_openai_stream_that_ends_without_finishing_is_a_clear_error(chat_server):
    chat_server.script(Stream([chunk({"content": "half"})], done=True))
    with pytest.raises(ChatModelError, match="incomplete: the stream ended after 1 chunk"):
        model_for(chat_server).invoke([("user", "hi")])


def test_openai_error_event_inside_the_stream_is_a_clear_error(chat_server):
    chat_server.script(Stream([chunk({"content": "x"}), {"error": {"message": "model crashed"}}]))
    with pytest.raises(ChatModelError, match=r"reported an error mid-reply .*model crashed"):
        model_for(chat_server).invoke([("user", "hi")])


def test_openai_malformed_tool_arguments_become_an_invalid_tool_call(chat_server):
    chat_server.script(tool_reply(("call-1", "get_weather", '{"city": "sf"')))
    agent = create_react_agent(model_for(chat_server), [get_weather])
    last = agent.invoke({"messages": [("user", "weather?")]})["messages"][-1]
    # as LangGraph with LangChain's models: not run, the agent ends with the model's message
    assert last.tool_calls == []
    (invalid,) = last.invalid_tool_calls
    assert (invalid["name"], invalid["id"], invalid["args"]) == (
        "get_weather",
        "call-1",
        '{"city": "sf"',
    )
    assert "not a JSON object" in invalid["error"]


def test_openai_model_gives_create_react_agent_its_structured_response(chat_server):
    chat_server.script(
        text_reply("It is sunny in sf."), text_reply('{"city": "sf", "sunny": true}')
    )
    agent = create_react_agent(model_for(chat_server), [get_weather], response_format=Weather)
    state = agent.invoke({"messages": [("user", "weather in sf?")]})
    assert state["structured_response"] == Weather(city="sf", sunny=True)
    first, second = (r["body"] for r in chat_server.requests)
    assert "tools" in first and "response_format" not in first
    assert "tools" not in second and second["response_format"]["type"] == "json_schema"
    assert second["messages"][-1] == {"role": "assistant", "content": "It is sunny in sf."}


@pytest.mark.anyio
async def test_openai_astream_can_be_left_early_on_asyncio_and_trio(chat_server):
    chat_server.script(text_reply("a", "b", "c", "d"), text_reply("next"))
    model = model_for(chat_server)
    stream = model.astream([("user", "hi")])
    async for piece in stream:
        if piece.content == "a":
            break
    await stream.aclose()
    assert (await model.ainvoke([("user", "again")])).content == "next"
