"""LangChain messages, chat models and tools used as they are in our graphs.

Expected values come from running the same programs on LangGraph 1.2.22 with langchain-core.
"""

import operator
import subprocess
import sys
from typing import Annotated

import pytest
from langchain_core.messages import AIMessage as LcAIMessage
from langchain_core.messages import HumanMessage as LcHumanMessage
from langchain_core.messages import RemoveMessage as LcRemoveMessage
from langchain_core.messages import ToolMessage as LcToolMessage
from langchain_core.messages import convert_to_messages as lc_convert
from langchain_core.tools import InjectedToolCallId, StructuredTool, tool
from langchain_fakes import FakeNonStreamingModel, FakeToolCallingModel

from langgraph_lite.graph import END, START, MessagesState, StateGraph, add_messages
from langgraph_lite.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph_lite.prebuilt import AgentState, InjectedState, ToolNode, create_react_agent
from langgraph_lite.types import Command

# -- messages -------------------------------------------------------------------------------------


def test_add_messages_keeps_langchain_messages_as_they_are():
    reply = LcAIMessage(
        "",
        id="ai-1",
        tool_calls=[{"name": "lookup", "args": {"q": "x"}, "id": "call-1"}],
        usage_metadata={"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
    )
    human = LcHumanMessage("hi")
    merged = add_messages([human], [reply])
    # the caller's objects themselves, LangChain's classes, the missing id given in place
    assert merged[0] is human and merged[1] is reply
    assert isinstance(human.id, str) and human.id
    assert merged == [LcHumanMessage("hi", id=human.id), reply]


def test_langchain_tool_and_remove_messages_are_taken_too():
    history = add_messages(
        [],
        [
            LcHumanMessage("hi", id="1"),
            LcToolMessage("42", tool_call_id="call-1", id="2", status="error", artifact={"a": 1}),
        ],
    )
    assert isinstance(history[1], LcToolMessage)
    assert [m.id for m in add_messages(history, [LcRemoveMessage(id="1")])] == ["2"]
    # in a mixed list, a LangChain RemoveMessage removes one of ours
    mixed = add_messages([HumanMessage("a", id="a")], [LcHumanMessage("b", id="b")])
    assert [m.id for m in add_messages(mixed, [LcRemoveMessage(id="a")])] == ["b"]


def test_langchain_coercion_accepts_our_messages():
    ours = [
        SystemMessage("be brief"),
        HumanMessage("hi", id="h"),
        AIMessage("", id="a", tool_calls=[{"name": "f", "args": {"x": 1}, "id": "c"}]),
        ToolMessage("1", tool_call_id="c", id="t"),
    ]
    add_messages([], [])  # the first coercion with LangChain loaded sets the bridge up
    theirs = lc_convert(ours)
    assert [type(m).__name__ for m in theirs] == [
        "SystemMessage",
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
    ]
    assert all(type(m).__module__.startswith("langchain_core") for m in theirs)
    assert theirs[2].tool_calls[0]["args"] == {"x": 1}
    assert theirs[3].tool_call_id == "c"
    assert lc_convert([("user", "hi")])[0].content == "hi"  # what it took before still works


# -- a LangChain chat model called in a node ------------------------------------------------------


def weather_graph(model, tool_message=ToolMessage):
    def call_model(state):
        return {"messages": [model.invoke(state["messages"])]}

    def tools(state):
        call = state["messages"][-1].tool_calls[0]
        return {"messages": [tool_message("sunny", tool_call_id=call["id"], id="t-1")]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", call_model)
    builder.add_node("tools", tools)
    builder.add_edge(START, "agent")
    builder.add_conditional_edges(
        "agent", lambda s: "tools" if s["messages"][-1].tool_calls else END, ["tools", END]
    )
    builder.add_edge("tools", "agent")
    return builder.compile()


def replies():
    return [
        LcAIMessage(
            "", id="ai-1", tool_calls=[{"name": "get_weather", "args": {"city": "sf"}, "id": "c-1"}]
        ),
        LcAIMessage("It's sunny", id="ai-2"),
    ]


def test_a_langchain_model_in_a_node_gets_langchain_messages_from_the_state():
    model = FakeToolCallingModel(replies=replies())
    state = weather_graph(model).invoke({"messages": [{"role": "user", "content": "weather?"}]})
    assert [type(m).__name__ for m in model.seen[-1]] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
    ]
    assert all(type(m).__module__.startswith("langchain_core") for m in model.seen[-1])
    assert [m.type for m in state["messages"]] == ["human", "ai", "tool", "ai"]
    assert state["messages"][1].tool_calls[0]["id"] == "c-1"


def test_tokens_of_a_model_in_a_node_carry_its_tags_so_a_consumer_can_pick_them():
    model = FakeToolCallingModel(replies=replies()).with_config(tags=["joke"])
    graph = weather_graph(model)
    seen = [
        (chunk.content, meta["langgraph_node"], meta["langgraph_step"], meta.get("tags"))
        for chunk, meta in graph.stream(
            {"messages": [LcHumanMessage("hi", id="h-1")]}, stream_mode="messages"
        )
        if "joke" in meta.get("tags", [])
    ]
    # LangGraph: the tool-call chunk, LangChain's closing chunk, then the answer word by word
    assert seen == [
        ("", "agent", 1, ["joke"]),
        ("", "agent", 1, ["joke"]),
        ("It's", "agent", 3, ["joke"]),
        (" sunny", "agent", 3, ["joke"]),
        ("", "agent", 3, ["joke"]),
    ]


def test_a_model_tagged_nostream_sends_no_tokens_only_the_message_the_node_returns():
    model = FakeToolCallingModel(replies=[LcAIMessage("quiet please", id="ai-1")]).with_config(
        tags=["nostream"]
    )

    def call_model(state):
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState).add_node("agent", call_model).add_edge(START, "agent")
    chunks = list(graph.compile().stream({"messages": [("user", "hi")]}, stream_mode="messages"))
    # LangGraph 1.2.22: no tokens, and the node's returned message once, whole
    assert [(type(c).__name__, c.id, m["ls_integration"]) for c, m in chunks] == [
        ("AIMessage", "ai-1", "langgraph")
    ]


def test_a_model_that_cannot_stream_reports_its_whole_message_once():
    model = FakeNonStreamingModel(replies=[LcAIMessage("all at once", id="ai-1")])
    agent = create_react_agent(model, [])
    chunks = list(agent.stream({"messages": [("user", "hi")]}, stream_mode="messages"))
    assert [(c.content, c.id, m["langgraph_node"]) for c, m in chunks] == [
        ("all at once", "ai-1", "agent")
    ]


def test_a_langchain_message_a_node_returns_is_streamed_whole():
    model = FakeToolCallingModel(replies=replies())
    chunks = list(
        weather_graph(model, LcToolMessage).stream(
            {"messages": [("user", "hi")]}, stream_mode="messages"
        )
    )
    assert "t-1" in [c.id for c, _ in chunks]


def test_the_model_sees_the_runs_config_metadata_and_callbacks():
    from langchain_core.callbacks import BaseCallbackHandler

    starts = []

    class Recorder(BaseCallbackHandler):
        def on_chat_model_start(self, serialized, messages, *, metadata=None, **kwargs):
            starts.append(metadata)

    model = FakeNonStreamingModel(replies=[LcAIMessage("ok", id="ai-1")])
    create_react_agent(model, []).invoke(
        {"messages": [("user", "hi")]},
        {"callbacks": [Recorder()], "metadata": {"user": "u-1"}, "configurable": {"x": 1}},
    )
    (meta,) = starts
    assert meta["user"] == "u-1"
    assert meta["langgraph_node"] == "agent"


# -- LangChain tools ------------------------------------------------------------------------------


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


@tool
def whoami(tool_call_id: Annotated[str, InjectedToolCallId]) -> str:
    """Say which call this is."""
    return f"call {tool_call_id}"


def add(a: int, b: int) -> int:
    return a + b


structured_add = StructuredTool.from_function(add, description="Add two integers.")


def calls(*items):
    return {
        "messages": [
            AIMessage(
                "",
                tool_calls=[
                    {"name": n, "args": a, "id": f"call-{i}"} for i, (n, a) in enumerate(items)
                ],
            )
        ]
    }


def test_tool_node_runs_langchain_tools_as_they_are():
    node = ToolNode([multiply, whoami, structured_add])
    out = node.invoke(
        calls(("multiply", {"a": 6, "b": 7}), ("whoami", {}), ("add", {"a": 1, "b": 2}))
    )["messages"]
    assert [(m.content, m.name, m.tool_call_id, m.status) for m in out] == [
        ("42", "multiply", "call-0", "success"),
        ("call call-1", "whoami", "call-1", "success"),
        ("3", "add", "call-2", "success"),
    ]
    assert all(isinstance(m, ToolMessage) for m in out)


@pytest.mark.anyio
async def test_tool_node_runs_langchain_tools_in_async_runs(anyio_backend):
    if anyio_backend[0] != "asyncio":
        pytest.skip("LangChain's async tools run on asyncio")
    out = (await ToolNode([multiply]).ainvoke(calls(("multiply", {"a": 2, "b": 3}))))["messages"]
    assert [m.content for m in out] == ["6"]


def test_bad_arguments_for_a_langchain_tool_become_an_error_message():
    (message,) = ToolNode([multiply]).invoke(calls(("multiply", {"a": "six"})))["messages"]
    assert message.status == "error"
    assert message.tool_call_id == "call-0"
    assert "multiply" in message.content and "a" in message.content and "b" in message.content


def test_create_react_agent_binds_langchain_tools_as_they_are():
    model = FakeToolCallingModel(
        replies=[
            LcAIMessage(
                "",
                id="ai-1",
                tool_calls=[{"name": "multiply", "args": {"a": 6, "b": 7}, "id": "c"}],
            ),
            LcAIMessage("42", id="ai-2"),
        ]
    )
    state = create_react_agent(model, [multiply]).invoke({"messages": [("user", "6*7?")]})
    assert model.bound_tools == [multiply]
    assert [m.content for m in state["messages"]] == ["6*7?", "", "42", "42"]


# -- not importing LangChain when the program does not ----------------------------------------------


def test_importing_and_running_a_graph_does_not_import_langchain():
    program = (
        "import sys\n"
        "from langgraph_lite.graph import add_messages\n"
        "from langgraph_lite.prebuilt import create_react_agent, ToolNode\n"
        "from langgraph_lite.testing import ScriptedChatModel\n"
        "import langgraph_lite.models\n"
        "agent = create_react_agent(ScriptedChatModel(['hi']), [])\n"
        "agent.invoke({'messages': [('user', 'hello')]})\n"
        "assert not [m for m in sys.modules if m.startswith(('langchain', 'openai'))], sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", program], check=True)


@tool
def remember(
    fact: str, tool_call_id: Annotated[str, InjectedToolCallId]
) -> Command:  # LangGraph's hand-off pattern: a tool that updates the state
    """Remember a fact."""
    return Command(
        update={"facts": [fact], "messages": [LcToolMessage("noted", tool_call_id=tool_call_id)]}
    )


def test_a_command_a_langchain_tool_returns_updates_the_state_as_in_langgraph():
    class State(AgentState):
        facts: Annotated[list[str], operator.add]

    model = FakeToolCallingModel(
        replies=[
            LcAIMessage(
                "", id="ai-1", tool_calls=[{"name": "remember", "args": {"fact": "sky"}, "id": "c"}]
            ),
            LcAIMessage("ok", id="ai-2"),
        ]
    )
    agent = create_react_agent(model, [remember], state_schema=State)
    state = agent.invoke({"messages": [("user", "remember: sky")], "facts": []})
    assert state["facts"] == ["sky"]
    assert [(m.type, m.content) for m in state["messages"]] == [
        ("human", "remember: sky"),
        ("ai", ""),
        ("tool", "noted"),
        ("ai", "ok"),
    ]


@tool
def count_messages(note: str, state: Annotated[dict, InjectedState]) -> str:
    """Count the messages so far."""
    return f"{note}: {len(state['messages'])}"


@tool
def first_words(messages: Annotated[list, InjectedState("messages")]) -> str:
    """Repeat the first message."""
    return messages[0].content


def test_langchain_tools_get_the_graph_state_injected_and_the_model_never_sees_it():
    model = FakeToolCallingModel(
        replies=[
            LcAIMessage(
                "",
                id="a1",
                tool_calls=[
                    {"name": "count_messages", "args": {"note": "n"}, "id": "c1"},
                    {"name": "first_words", "args": {}, "id": "c2"},
                ],
            ),
            LcAIMessage("ok", id="a2"),
        ]
    )
    agent = create_react_agent(model, [count_messages, first_words])
    state = agent.invoke({"messages": [("user", "hello there")]})
    # LangGraph: [('human', 'hello there'), ('ai', ''), ('tool', 'n: 2'), ('tool', 'hello
    # there'), ('ai', 'ok')]
    assert [(m.type, m.content) for m in state["messages"]] == [
        ("human", "hello there"),
        ("ai", ""),
        ("tool", "n: 2"),
        ("tool", "hello there"),
        ("ai", "ok"),
    ]
    shown = {t["function"]["name"]: t["function"]["parameters"] for t in model.bound_tools}
    assert list(shown["count_messages"]["properties"]) == ["note"]
    assert shown["first_words"]["properties"] == {}
