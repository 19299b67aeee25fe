"""Inputs LangGraph programs give the prebuilt agent: pydantic state schemas, NotRequired state
keys a tool injects, LangChain system prompts and LangChain tools.

Expected values were observed running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

from typing import Annotated

import pytest
from typing_extensions import NotRequired

from langgraph_lite.graph import START, StateGraph
from langgraph_lite.messages import AIMessage, HumanMessage, ToolMessage
from langgraph_lite.prebuilt import InjectedState, ToolNode, create_react_agent
from langgraph_lite.prebuilt.chat_agent_executor import (
    AgentState,
    AgentStatePydantic,
    AgentStateWithStructuredResponsePydantic,
)
from langgraph_lite.testing import ScriptedChatModel
from langgraph_lite.tools import tool


class CityState(AgentStatePydantic):
    city: str | None = None


@tool
def where(city: Annotated[str | None, InjectedState("city")]) -> str:
    """Say which city the state names."""
    return f"city={city}"


def _asks_where() -> ScriptedChatModel:
    call = {"name": "where", "args": {}, "id": "c1"}
    return ScriptedChatModel([AIMessage("", tool_calls=[call]), "done"])


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_an_agent_runs_on_a_pydantic_state_schema(version):
    agent = create_react_agent(_asks_where(), [where], state_schema=CityState, version=version)
    result = agent.invoke({"messages": [HumanMessage("hi")]})
    assert [(m.type, m.content) for m in result["messages"]] == [
        ("human", "hi"),
        ("ai", ""),
        ("tool", "city=None"),
        ("ai", "done"),
    ]
    agent = create_react_agent(_asks_where(), [where], state_schema=CityState, version=version)
    result = agent.invoke({"messages": [HumanMessage("hi")], "city": "Paris"})
    assert result["messages"][2].content == "city=Paris"
    assert sorted(result) == ["city", "messages"]  # remaining_steps is managed, never output


def test_the_pydantic_agent_states_have_langgraphs_fields():
    assert list(AgentStatePydantic.model_fields) == ["messages", "remaining_steps"]
    assert AgentStatePydantic.model_fields["remaining_steps"].default == 25
    assert list(AgentStateWithStructuredResponsePydantic.model_fields) == [
        "messages",
        "remaining_steps",
        "structured_response",
    ]


class MaybeCity(AgentState):
    city: NotRequired[str]


def _run_tools(tools, **state):
    graph = StateGraph(MaybeCity).add_node("tools", ToolNode(tools)).add_edge(START, "tools")
    name = tools[0].name
    call = {"name": name, "args": {}, "id": "c1"}
    return graph.compile().invoke({"messages": [AIMessage("", tool_calls=[call])], **state})


def test_a_missing_not_required_key_leaves_a_langchain_tools_default():
    lc_tools = pytest.importorskip("langchain_core.tools")

    @lc_tools.tool
    def weather(city: Annotated[str | None, InjectedState("city")] = None) -> str:
        """Weather."""
        return f"city={city}"

    @lc_tools.tool
    def strict(city: Annotated[str, InjectedState("city")]) -> str:
        """Strict."""
        return f"city={city}"

    out = _run_tools([weather])["messages"][-1]
    assert isinstance(out, ToolMessage) and out.content == "city=None"
    assert _run_tools([weather], city="Oslo")["messages"][-1].content == "city=Oslo"
    with pytest.raises(KeyError, match="city"):  # no default: the key is needed
        _run_tools([strict])


def test_a_missing_not_required_key_leaves_our_tools_default():
    @tool
    def weather(city: Annotated[str | None, InjectedState("city")] = None) -> str:
        """Weather."""
        return f"city={city}"

    assert _run_tools([weather])["messages"][-1].content == "city=None"


class _Echo:
    """A chat model answering with the text of every message it was shown, joined by '-'."""

    def bind_tools(self, tools, **kwargs):
        return self

    def invoke(self, messages, config=None, **kwargs):
        return AIMessage("-".join(m.content for m in messages), id="0")


def test_a_langchain_system_message_is_a_prompt():
    lc_messages = pytest.importorskip("langchain_core.messages")
    agent = create_react_agent(_Echo(), [], prompt=lc_messages.SystemMessage("Foo"))
    result = agent.invoke({"messages": [HumanMessage("hi?")]})
    assert result["messages"][-1].content == "Foo-hi?"


def test_a_langchain_tools_list_of_strings_becomes_json_text_keeping_unicode():
    lc_tools = pytest.importorskip("langchain_core.tools")

    @lc_tools.tool
    def days(d: list[str]) -> list[str]:
        """Days."""
        return d

    call = {"name": "days", "args": {"d": ["星期一", "x"]}, "id": "c1"}
    [answer] = ToolNode([days]).invoke([AIMessage("", tool_calls=[call])])
    assert answer.content == '["星期一", "x"]'
