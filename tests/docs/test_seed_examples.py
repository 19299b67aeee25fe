"""The examples of LangGraph's "Streaming output" page (the seed), with langgraph_lite's names.

The page streams a prebuilt agent; here the agent is the same loop as a ``StateGraph`` (nodes
``"agent"`` and ``"tools"``, as LangGraph's prebuilt one), the LLM a ``ScriptedChatModel`` and
the tool ``get_weather``, which also sends a progress message through the stream writer. The
loops below are the page's, as written; the assertions read what they printed.
"""

import pytest

from langgraph_lite.config import get_stream_writer
from langgraph_lite.graph import END, START, MessagesState, StateGraph
from langgraph_lite.messages import AIMessage, ToolMessage
from langgraph_lite.testing import ScriptedChatModel

ANSWER = ["It's", " always", " sunny", " in", " sf!"]


def get_weather(city: str) -> str:
    """Get the weather for a given city."""
    get_stream_writer()(f"Looking up data for city: {city}")
    return f"It's always sunny in {city}!"


def make_agent(*, async_model=False):
    """The agent, and its model (to check that the run used the whole script)."""
    model = ScriptedChatModel(
        [
            AIMessage(
                content="",
                tool_calls=[{"name": "get_weather", "args": {"city": "sf"}, "id": "call-1"}],
            ),
            ANSWER,
        ]
    ).bind_tools([get_weather])
    tools = {"get_weather": get_weather}

    def call_model(state):
        return {"messages": [model.invoke(state["messages"])]}

    async def acall_model(state):
        return {"messages": [await model.ainvoke(state["messages"])]}

    def run_tools(state):
        return {
            "messages": [
                ToolMessage(content=tools[c["name"]](**c["args"]), tool_call_id=c["id"])
                for c in state["messages"][-1].tool_calls
            ]
        }

    def route(state):
        return "tools" if state["messages"][-1].tool_calls else END

    builder = StateGraph(MessagesState)
    builder.add_node("agent", acall_model if async_model else call_model)
    builder.add_node("tools", run_tools)
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", route, ["tools", END])
    builder.add_edge("tools", "agent")
    return builder.compile(), model


@pytest.fixture
def agent():
    agent, model = make_agent()
    yield agent
    assert model.replies_left == 0


@pytest.fixture(params=["sync model node", "async model node"])
def any_agent(request):
    """For astream: the agent node as a sync function (run in a worker thread) or async."""
    agent, model = make_agent(async_model=request.param == "async model node")
    yield agent
    assert model.replies_left == 0


def printed_lines(capsys):
    return capsys.readouterr().out.splitlines()


def assert_progress(lines):
    """Three updates: the model asks for the tool, the tool answers, the model answers."""
    assert len(lines) == 3, lines
    assert lines[0].startswith("{'agent': {'messages': [AIMessage(")
    assert "'name': 'get_weather', 'args': {'city': 'sf'}, 'id': 'call-1'" in lines[0]
    assert lines[1].startswith("{'tools': {'messages': [ToolMessage(")
    assert "tool_call_id='call-1'" in lines[1]
    assert lines[2].startswith("{'agent': {'messages': [AIMessage(")
    assert """content="It's always sunny in sf!\"""" in lines[2]


def assert_tokens(lines):
    """The tool call (one chunk), the tool's message (whole), then the answer piece by piece."""
    assert len(lines) == 2 + len(ANSWER), lines
    assert lines[0].startswith("(AIMessageChunk(")
    assert "'id': 'call-1'" in lines[0] and "'langgraph_node': 'agent'" in lines[0]
    assert lines[1].startswith("(ToolMessage(")
    assert "'langgraph_node': 'tools'" in lines[1]
    for line, piece in zip(lines[2:], ANSWER, strict=True):
        assert line.startswith(f"(AIMessageChunk(content={piece!r},"), (line, piece)
        assert "'langgraph_node': 'agent'" in line


# -- the page's sync example --------------------------------------------------------------------


def test_sync_streaming_prints_the_agent_step_the_tools_step_and_the_answer(agent, capsys):
    for chunk in agent.stream(
        {"messages": [{"role": "user", "content": "what is the weather in sf"}]},
        stream_mode="updates",
    ):
        print(chunk)
    assert_progress(printed_lines(capsys))


def test_sync_streaming_of_messages_prints_the_answer_token_by_token(agent, capsys):
    for chunk in agent.stream(
        {"messages": [{"role": "user", "content": "what is the weather in sf"}]},
        stream_mode="messages",
    ):
        print(chunk)
    assert_tokens(printed_lines(capsys))


def test_sync_streaming_of_custom_prints_the_tools_own_messages(agent, capsys):
    for chunk in agent.stream(
        {"messages": [{"role": "user", "content": "what is the weather in sf"}]},
        stream_mode="custom",
    ):
        print(chunk)
    assert printed_lines(capsys) == ["Looking up data for city: sf"]


def test_tokens_come_one_by_one_in_order_from_the_agent_node(agent):
    tokens = [
        token.content
        for token, metadata in agent.stream(
            {"messages": [{"role": "user", "content": "what is the weather in sf"}]},
            stream_mode="messages",
        )
        if metadata["langgraph_node"] == "agent" and token.content
    ]
    assert tokens == ANSWER


# -- the page's async example, on asyncio and trio -----------------------------------------------


@pytest.mark.anyio
async def test_async_streaming_prints_the_agent_step_the_tools_step_and_the_answer(
    any_agent, capsys
):
    agent = any_agent
    async for chunk in agent.astream(
        {"messages": [{"role": "user", "content": "what is the weather in sf"}]},
        stream_mode="updates",
    ):
        print(chunk)
    assert_progress(printed_lines(capsys))


@pytest.mark.anyio
async def test_async_streaming_of_messages_prints_the_answer_token_by_token(any_agent, capsys):
    agent = any_agent
    async for chunk in agent.astream(
        {"messages": [{"role": "user", "content": "what is the weather in sf"}]},
        stream_mode="messages",
    ):
        print(chunk)
    assert_tokens(printed_lines(capsys))


@pytest.mark.anyio
async def test_async_streaming_of_custom_prints_the_tools_own_messages(any_agent, capsys):
    agent = any_agent
    async for chunk in agent.astream(
        {"messages": [{"role": "user", "content": "what is the weather in sf"}]},
        stream_mode="custom",
    ):
        print(chunk)
    assert printed_lines(capsys) == ["Looking up data for city: sf"]
