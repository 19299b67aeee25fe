"""The seed page's agent with a LangChain chat model and a LangChain tool, as LangGraph runs it.

The page streams ``create_react_agent(model, tools)`` in three modes, sync and async. Here the
model is a LangChain fake chat model (streams text word by word, tool calls whole) and the tool
a LangChain ``@tool`` that also reports progress through the stream writer. The expected
chunks were recorded by running this same program on LangGraph 1.2.22 with langchain-core.
"""

import langchain_core
import pytest
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langchain_fakes import FakeToolCallingModel

from langgraph_lite.config import get_stream_writer
from langgraph_lite.prebuilt import create_react_agent

INPUT = {"messages": [{"role": "user", "content": "what is the weather in sf"}]}


@tool
def get_weather(city: str) -> str:
    """Get the weather for a given city."""
    get_stream_writer()(f"Looking up data for city: {city}")
    return f"It's always sunny in {city}!"


def make_agent():
    model = FakeToolCallingModel(
        replies=[
            AIMessage(
                "",
                id="ai-1",
                tool_calls=[{"name": "get_weather", "args": {"city": "sf"}, "id": "call-1"}],
            ),
            AIMessage("It's always sunny in sf!", id="ai-2"),
        ]
    )
    return create_react_agent(model, [get_weather]), model


# What LangGraph streamed for this program.
LG_UPDATES = [
    ("agent", "AIMessage", "", "ai-1", [("get_weather", {"city": "sf"}, "call-1")]),
    ("tools", "ToolMessage", "It's always sunny in sf!", "<uuid>", []),
    ("agent", "AIMessage", "It's always sunny in sf!", "ai-2", []),
]


def model_meta(step):
    return {
        "ls_integration": "langchain_chat_model",
        "langgraph_step": step,
        "langgraph_node": "agent",
        "langgraph_triggers": ("branch:to:agent",),
        "langgraph_path": ("__pregel_pull", "agent"),
        "ls_provider": "faketoolcallingmodel",
        "ls_model_type": "chat",
        "lc_versions": {"langchain-core": langchain_core.__version__},
    }


TOOL_META = {
    "ls_integration": "langgraph",
    "langgraph_step": 2,
    "langgraph_node": "tools",
    "langgraph_triggers": ("__pregel_push",),
    "langgraph_path": ("__pregel_push", 0),  # LangGraph adds a third item, False
}

LG_MESSAGES = [
    ("AIMessageChunk", "", "ai-1", ["call-1"], model_meta(1)),
    ("AIMessageChunk", "", "<lc_run>", [], model_meta(1)),  # LangChain's closing chunk
    ("ToolMessage", "It's always sunny in sf!", "<uuid>", [], TOOL_META),
    *[
        ("AIMessageChunk", piece, "ai-2", [], model_meta(3))
        for piece in ["It's", " always", " sunny", " in", " sf!"]
    ],
    ("AIMessageChunk", "", "<lc_run>", [], model_meta(3)),
]


def summarize_update(chunk):
    ((node, update),) = chunk.items()
    (message,) = update["messages"]
    calls = [(c["name"], c["args"], c["id"]) for c in getattr(message, "tool_calls", [])]
    return (node, type(message).__name__, message.content, _id(message.id), calls)


def summarize_message(chunk):
    message, metadata = chunk
    meta = dict(metadata)
    assert meta.pop("checkpoint_ns", meta["langgraph_checkpoint_ns"]) == meta.pop(
        "langgraph_checkpoint_ns"
    )
    meta["langgraph_path"] = meta["langgraph_path"][:2]
    calls = [c["id"] for c in getattr(message, "tool_call_chunks", [])]
    return (type(message).__name__, message.content, _id(message.id), calls, meta)


def _id(value):
    if value.startswith("lc_run--"):
        return "<lc_run>"
    return "<uuid>" if len(value) == 36 else value


def test_updates_give_the_agent_step_the_tools_step_and_the_answer():
    agent, _ = make_agent()
    chunks = list(agent.stream(INPUT, stream_mode="updates"))
    assert [summarize_update(c) for c in chunks] == LG_UPDATES


def test_messages_give_langchains_chunks_with_langgraphs_metadata():
    agent, _ = make_agent()
    chunks = list(agent.stream(INPUT, stream_mode="messages"))
    assert [summarize_message(c) for c in chunks] == LG_MESSAGES
    # the model's own chunk objects, as LangGraph hands them out
    assert type(chunks[0][0]).__module__.startswith("langchain_core")
    assert list(chunks[3][1])[:3] == ["ls_integration", "langgraph_step", "langgraph_node"]


def test_custom_gives_the_tools_progress_message():
    agent, _ = make_agent()
    assert list(agent.stream(INPUT, stream_mode="custom")) == ["Looking up data for city: sf"]


def test_the_model_gets_langchain_messages_and_the_state_keeps_its_replies_as_they_are():
    agent, model = make_agent()
    state = agent.invoke(INPUT)
    last_call = model.seen[-1]
    assert [type(m).__name__ for m in last_call] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
    ]
    assert all(type(m).__module__.startswith("langchain_core") for m in last_call)
    assert last_call[1].tool_calls[0]["id"] == "call-1"
    # a LangChain model's conversation is LangChain's from the first message, the input's
    # dict too, as in LangGraph
    assert all(type(m).__module__.startswith("langchain_core") for m in state["messages"])
    assert state["messages"][-1].content == "It's always sunny in sf!"


# -- async: LangChain's async code runs on asyncio ----------------------------------------------


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_async_updates_match_langgraph():
    agent, _ = make_agent()
    chunks = [c async for c in agent.astream(INPUT, stream_mode="updates")]
    assert [summarize_update(c) for c in chunks] == LG_UPDATES


@pytest.mark.anyio
async def test_async_messages_match_langgraph():
    agent, _ = make_agent()
    chunks = [c async for c in agent.astream(INPUT, stream_mode="messages")]
    assert [summarize_message(c) for c in chunks] == LG_MESSAGES


@pytest.mark.anyio
async def test_async_custom_matches_langgraph():
    agent, _ = make_agent()
    chunks = [c async for c in agent.astream(INPUT, stream_mode="custom")]
    assert chunks == ["Looking up data for city: sf"]
