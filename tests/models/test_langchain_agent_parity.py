"""create_react_agent's options as LangGraph 1.2.22 has them, with a LangChain fake model.

response_format, pre_model_hook / post_model_hook and a function choosing the model per call;
each expected value was printed by the same program on LangGraph.
"""

import pytest
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langchain_fakes import FakeToolCallingModel
from pydantic import BaseModel

from langgraph_lite.prebuilt import create_react_agent
from langgraph_lite.prebuilt.chat_agent_executor import AgentStateWithStructuredResponse


class Weather(BaseModel):
    """The weather."""

    city: str
    sunny: bool


@tool
def get_weather(city: str) -> str:
    """Get the weather for a given city."""
    return f"It's always sunny in {city}!"


def call(name, args, id):
    return AIMessage("", id=id, tool_calls=[{"name": name, "args": args, "id": id + "-c"}])


def summary(chunk):
    out = []
    for node, update in chunk.items():
        if update is None:
            out.append((node, None))
            continue
        messages = [
            (type(m).__name__, m.content, [c["name"] for c in getattr(m, "tool_calls", [])])
            for m in update.get("messages", [])
        ]
        out.append((node, messages, sorted(k for k in update if k != "messages")))
    return out


def test_response_format_adds_a_last_step_with_the_structured_answer():
    model = FakeToolCallingModel(
        replies=[
            call("get_weather", {"city": "sf"}, "a1"),
            AIMessage("sunny in sf", id="a2"),
            call("Weather", {"city": "sf", "sunny": True}, "a3"),
        ]
    )
    agent = create_react_agent(model, [get_weather], response_format=Weather)
    chunks = list(agent.stream({"messages": [("user", "weather?")]}, stream_mode="updates"))
    assert [summary(c) for c in chunks] == [
        [("agent", [("AIMessage", "", ["get_weather"])], [])],
        [("tools", [("ToolMessage", "It's always sunny in sf!", [])], [])],
        [("agent", [("AIMessage", "sunny in sf", [])], [])],
        [("generate_structured_response", [], ["structured_response"])],
    ]
    assert chunks[-1]["generate_structured_response"]["structured_response"] == Weather(
        city="sf", sunny=True
    )
    # the structured call sees the whole conversation, as LangChain messages
    assert [type(m).__name__ for m in model.seen[-1]] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
    ]


def test_response_format_with_a_prompt_sends_it_first():
    model = FakeToolCallingModel(
        replies=[
            AIMessage("sunny in sf", id="a2"),
            call("Weather", {"city": "sf", "sunny": True}, "a3"),
        ]
    )
    agent = create_react_agent(model, [], response_format=("Be exact.", Weather))
    state = agent.invoke({"messages": [("user", "weather?")]})
    assert state["structured_response"] == Weather(city="sf", sunny=True)
    assert [f"{type(m).__name__}:{m.content}" for m in model.seen[-1]] == [
        "SystemMessage:Be exact.",
        "HumanMessage:weather?",
        "AIMessage:sunny in sf",
    ]
    assert "structured_response" in AgentStateWithStructuredResponse.__annotations__


def test_pre_model_hook_messages_go_to_the_model_and_not_into_the_state():
    def keep_last(state):
        return {"llm_input_messages": state["messages"][-1:]}

    model = FakeToolCallingModel(
        replies=[call("get_weather", {"city": "sf"}, "a1"), AIMessage("done", id="a2")]
    )
    agent = create_react_agent(model, [get_weather], pre_model_hook=keep_last)
    question = {"messages": [("user", "one"), ("user", "weather?")]}
    chunks = list(agent.stream(question, stream_mode="updates"))
    assert [next(iter(c)) for c in chunks] == [
        "pre_model_hook",
        "agent",
        "tools",
        "pre_model_hook",
        "agent",
    ]
    assert [[type(m).__name__ for m in seen] for seen in model.seen] == [
        ["HumanMessage"],
        ["ToolMessage"],
    ]
    assert model.seen[0][0].content == "weather?"
    model.index = 0
    state = agent.invoke(question)
    assert [m.content for m in state["messages"]][:2] == ["one", "weather?"]
    assert "llm_input_messages" not in state


def test_post_model_hook_runs_after_each_model_call():
    model = FakeToolCallingModel(
        replies=[call("get_weather", {"city": "sf"}, "a1"), AIMessage("done", id="a2")]
    )
    agent = create_react_agent(model, [get_weather], post_model_hook=lambda state: {})
    chunks = list(agent.stream({"messages": [("user", "weather?")]}, stream_mode="updates"))
    assert [summary(c) for c in chunks] == [
        [("agent", [("AIMessage", "", ["get_weather"])], [])],
        [("post_model_hook", None)],
        [("tools", [("ToolMessage", "It's always sunny in sf!", [])], [])],
        [("agent", [("AIMessage", "done", [])], [])],
        [("post_model_hook", None)],
    ]


def test_a_function_picks_the_model_for_each_call():
    small = FakeToolCallingModel(replies=[AIMessage("from small", id="s1")])
    big = FakeToolCallingModel(replies=[AIMessage("from big", id="b1")])

    def pick(state, runtime):
        return (big if len(state["messages"]) > 1 else small).bind_tools([get_weather])

    agent = create_react_agent(pick, [get_weather])
    assert agent.invoke({"messages": [("user", "a")]})["messages"][-1].content == "from small"
    last = agent.invoke({"messages": [("user", "a"), ("user", "b")]})["messages"][-1]
    assert last.content == "from big"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_an_async_function_picks_the_model_in_async_runs_and_sync_runs_refuse_it():
    async def pick(state, runtime):
        return FakeToolCallingModel(replies=[AIMessage("async pick", id="x1")])

    agent = create_react_agent(pick, [get_weather])
    state = await agent.ainvoke({"messages": [("user", "a")]})
    assert state["messages"][-1].content == "async pick"
    with pytest.raises(RuntimeError, match=r"^Async model callable provided but agent invoked"):
        agent.invoke({"messages": [("user", "a")]})
