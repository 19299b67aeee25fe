"""What goes in stays what it is: LangChain's messages stay LangChain's through add_messages,
ToolNode and create_react_agent; ours stay ours (see langgraph_lite.interop.family).

Expected values come from running the same programs on LangGraph 1.2.22 with langchain-core.
"""

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pydantic
import pytest
from langchain_core import messages as lc
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.tools import tool as lc_tool

from langgraph_lite import messages as ours
from langgraph_lite.graph import START, MessagesState, StateGraph, add_messages
from langgraph_lite.graph.message import REMOVE_ALL_MESSAGES
from langgraph_lite.prebuilt import ToolNode, create_react_agent
from langgraph_lite.types import Command

ROOT = Path(__file__).resolve().parents[2]  # this checkout's langgraph_lite, not an installed one

# -- add_messages ---------------------------------------------------------------------------------


def test_langchain_messages_come_back_as_langchain_messages_with_ids_given_in_place():
    human = lc.HumanMessage("hi")
    result = add_messages([human], [lc.AIMessage("hello", id="a")])
    assert [type(m) for m in result] == [lc.HumanMessage, lc.AIMessage]
    assert result[0] is human and human.id  # the caller's object, its id given in place
    assert result == [lc.HumanMessage("hi", id=human.id), lc.AIMessage("hello", id="a")]


def test_dicts_tuples_and_chunks_beside_langchain_messages_become_langchain_messages():
    left = [lc.HumanMessage("Hello", id="1"), {"role": "assistant", "content": "Hi", "id": "2"}]
    right = [lc.AIMessageChunk(content="chunk", id="3"), ("user", "Thanks"), "and more"]
    result = add_messages(left, right)
    assert [type(m) for m in result] == [
        lc.HumanMessage,
        lc.AIMessage,
        lc.AIMessage,
        lc.HumanMessage,
        lc.HumanMessage,
    ]
    assert result[:3] == [
        lc.HumanMessage("Hello", id="1"),
        lc.AIMessage("Hi", id="2"),
        lc.AIMessage("chunk", id="3"),
    ]


def test_langchain_replacement_and_removal_by_id():
    history = add_messages([], [lc.HumanMessage("a", id="1"), lc.AIMessage("b", id="2")])
    history = add_messages(history, [lc.AIMessage("b2", id="2"), lc.RemoveMessage(id="1")])
    assert history == [lc.AIMessage("b2", id="2")]
    cleared = add_messages(history, [lc.RemoveMessage(id=REMOVE_ALL_MESSAGES), ("user", "new")])
    assert [type(m) for m in cleared] == [lc.HumanMessage]
    with pytest.raises(ValueError, match="doesn't exist"):
        add_messages(history, [lc.RemoveMessage(id="nope")])


def test_a_mixed_list_keeps_each_message_as_given_and_dicts_in_it_are_langchain_messages():
    mine, theirs = ours.HumanMessage("mine", id="1"), lc.AIMessage("theirs", id="2")
    result = add_messages([mine], [theirs, {"role": "user", "content": "dict", "id": "3"}])
    assert result[0] is mine and result[1] is theirs
    assert type(result[2]) is lc.HumanMessage
    # removal and replacement by id work across both
    assert add_messages(result, [lc.RemoveMessage(id="1"), ours.RemoveMessage(id="2")]) == [
        result[2]
    ]
    replaced = add_messages(result, [ours.AIMessage("now ours", id="2")])
    assert type(replaced[1]) is ours.AIMessage


def test_dicts_beside_our_messages_stay_ours_and_alone_become_langchain_s_once_it_is_loaded():
    result = add_messages([ours.HumanMessage("a")], [("ai", "b"), {"role": "user", "content": "c"}])
    assert [type(m) for m in result] == [ours.HumanMessage, ours.AIMessage, ours.HumanMessage]
    # nothing around them: LangChain's, as LangGraph makes them (this module loaded LangChain)
    assert [type(m) for m in add_messages([], ["x"])] == [lc.HumanMessage]
    assert [type(m) for m in add_messages([], [("ai", "y")])] == [lc.AIMessage]


def test_without_langchain_nothing_of_it_is_imported_and_messages_are_ours():
    program = (
        "import sys\n"
        "from langgraph_lite.graph import START, MessagesState, StateGraph\n"
        "from langgraph_lite.messages import AIMessage, HumanMessage, ToolMessage\n"
        "from langgraph_lite.prebuilt import ToolNode\n"
        "def add(a: int, b: int) -> int:\n"
        "    'Add two numbers.'\n"
        "    return a + b\n"
        "g = StateGraph(MessagesState)\n"
        "g.add_node('ai', lambda s: {'messages': [AIMessage('', tool_calls=["
        "{'name': 'add', 'args': {'a': 1, 'b': 2}, 'id': 'c'}])]})\n"
        "g.add_node('tools', ToolNode([add]))\n"
        "g.add_edge(START, 'ai'); g.add_edge('ai', 'tools')\n"
        "out = g.compile().invoke({'messages': [('user', 'hi')]})['messages']\n"
        "assert [type(m) for m in out] == [HumanMessage, AIMessage, ToolMessage], out\n"
        "assert out[-1].content == '3'\n"
        "assert not any(m.startswith('langchain') for m in sys.modules), 'langchain imported'\n"
    )
    subprocess.run([sys.executable, "-c", program], check=True, cwd=ROOT)


# -- graphs ---------------------------------------------------------------------------------------


def test_a_messages_state_graph_keeps_what_its_nodes_return():
    def node(state):
        return {"messages": [lc.AIMessage("hello", id="a")]}

    graph = StateGraph(MessagesState)
    graph.add_node(node)
    graph.add_edge(START, "node")
    out = graph.compile().invoke({"messages": [lc.HumanMessage("hi", id="h")]})
    assert out == {"messages": [lc.HumanMessage("hi", id="h"), lc.AIMessage("hello", id="a")]}
    assert isinstance(out["messages"][1], lc.AIMessage)


def test_a_pydantic_state_of_our_messages_takes_langchain_messages_as_they_are():
    class State(pydantic.BaseModel):
        messages: Annotated[list[ours.AnyMessage], add_messages]

    def node(state: State):
        return {"messages": [lc.AIMessage("hello", id="a")]}

    graph = StateGraph(State)
    graph.add_node(node)
    graph.add_edge(START, "node")
    out = graph.compile().invoke({"messages": [ours.HumanMessage("hi", id="h")]})
    assert [type(m) for m in out["messages"]] == [ours.HumanMessage, lc.AIMessage]


# -- ToolNode -------------------------------------------------------------------------------------


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@lc_tool
def multiply(a: int, b: int) -> int:
    """Multiply two numbers."""
    return a * b


def _calls(*names):
    return [{"name": n, "args": {"a": 2, "b": 3}, "id": f"c{i}"} for i, n in enumerate(names)]


def test_tool_node_answers_a_langchain_ai_message_with_langchain_tool_messages():
    ai = lc.AIMessage("", tool_calls=_calls("add", "multiply", "nope"))
    out = ToolNode([add, multiply]).invoke({"messages": [ai]})["messages"]
    assert [type(m) for m in out] == [lc.ToolMessage] * 3
    assert out[:2] == [
        lc.ToolMessage("5", name="add", tool_call_id="c0"),
        lc.ToolMessage("6", name="multiply", tool_call_id="c1"),
    ]
    assert out[2].status == "error" and "nope is not a valid tool" in out[2].content


def test_tool_node_answers_our_ai_message_with_ours_whatever_the_tool():
    ai = ours.AIMessage("", tool_calls=_calls("add", "multiply"))
    out = ToolNode([add, multiply]).invoke([ai])
    assert [type(m) for m in out] == [ours.ToolMessage, ours.ToolMessage]
    assert [m.content for m in out] == ["5", "6"]


def test_a_tool_call_wrapper_sees_the_langchain_tool_message():
    seen = []

    def wrapper(request, execute):
        result = execute(request)
        seen.append(type(result))
        return result

    ai = lc.AIMessage("", tool_calls=_calls("add"))
    ToolNode([add], wrap_tool_call=wrapper).invoke({"messages": [ai]})
    assert seen == [lc.ToolMessage]


@pytest.mark.anyio
async def test_async_tool_node_answers_in_the_family_of_the_ai_message(anyio_backend):
    node = ToolNode([add])
    theirs = await node.ainvoke({"messages": [lc.AIMessage("", tool_calls=_calls("add", "x"))]})
    mine = await node.ainvoke({"messages": [ours.AIMessage("", tool_calls=_calls("add", "x"))]})
    assert [type(m) for m in theirs["messages"]] == [lc.ToolMessage] * 2
    assert [type(m) for m in mine["messages"]] == [ours.ToolMessage] * 2


def test_a_command_from_a_tool_keeps_its_langchain_messages_in_the_state():
    from langchain_core.tools import InjectedToolCallId

    @lc_tool
    def remember(fact: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
        """Remember a fact."""
        return Command(update={"messages": [lc.ToolMessage("ok", tool_call_id=tool_call_id)]})

    call = {"name": "remember", "args": {"fact": "x"}, "id": "c"}
    graph = StateGraph(MessagesState)
    graph.add_node("ai", lambda s: {"messages": [lc.AIMessage("", id="a", tool_calls=[call])]})
    graph.add_node("tools", ToolNode([remember]))
    graph.add_edge(START, "ai")
    graph.add_edge("ai", "tools")
    out = graph.compile().invoke({"messages": [lc.HumanMessage("hi", id="h")]})["messages"]
    assert [type(m) for m in out] == [lc.HumanMessage, lc.AIMessage, lc.ToolMessage]
    assert out[-1].name == "remember"


# -- create_react_agent with a LangChain model ----------------------------------------------------


class FakeToolModel(GenericFakeChatModel):
    """LangChain's fake chat model, able to take tools (it ignores them)."""

    def bind_tools(self, tools, **kwargs):
        return self


def _agent(*replies, tools=(add,)):
    return create_react_agent(FakeToolModel(messages=iter(replies)), list(tools))


def _kinds(messages):
    return [(type(m).__module__.split(".")[0], type(m).__name__) for m in messages]


def test_a_langchain_models_conversation_is_langchain_messages_from_the_first_one():
    agent = _agent(
        lc.AIMessage("", id="t1", tool_calls=_calls("add", "nope")), lc.AIMessage("5", id="t2")
    )
    out = agent.invoke({"messages": [{"role": "user", "content": "2+3?"}]})["messages"]
    assert _kinds(out) == [
        ("langchain_core", "HumanMessage"),
        ("langchain_core", "AIMessage"),
        ("langchain_core", "ToolMessage"),
        ("langchain_core", "ToolMessage"),
        ("langchain_core", "AIMessage"),
    ]
    assert out[2] == lc.ToolMessage("5", name="add", tool_call_id="c0", id=out[2].id)


def test_the_agents_updates_hold_langchain_messages():
    agent = _agent(lc.AIMessage("", id="t1", tool_calls=_calls("add")), lc.AIMessage("5", id="t2"))
    updates = [
        (node, _kinds(update["messages"]))
        for chunk in agent.stream({"messages": "2+3?"}, stream_mode="updates")
        for node, update in chunk.items()
    ]
    assert updates == [
        ("agent", [("langchain_core", "AIMessage")]),
        ("tools", [("langchain_core", "ToolMessage")]),
        ("agent", [("langchain_core", "AIMessage")]),
    ]


def test_a_prompt_function_may_build_on_langchains_system_message():
    def prompt(state):
        return lc.SystemMessage("be brief") + state["messages"]

    model = FakeToolModel(messages=iter([lc.AIMessage("ok", id="r")]))
    agent = create_react_agent(model, [add], prompt=prompt)
    out = agent.invoke({"messages": [("user", "hi")]})["messages"]
    assert _kinds(out) == [("langchain_core", "HumanMessage"), ("langchain_core", "AIMessage")]


def test_messages_mode_streams_the_models_langchain_chunks():
    agent = _agent(lc.AIMessage("hello there", id="r"))
    chunks = [c for c, _ in agent.stream({"messages": "hi"}, stream_mode="messages")]
    assert [type(c) for c in chunks] == [lc.AIMessageChunk] * 3
    assert "".join(c.content for c in chunks) == "hello there"


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # LangChain's async code needs asyncio
async def test_async_agent_keeps_langchain_messages(anyio_backend):
    agent = _agent(lc.AIMessage("", id="t1", tool_calls=_calls("add")), lc.AIMessage("5", id="t2"))
    out = (await agent.ainvoke({"messages": [("user", "2+3?")]}))["messages"]
    assert [type(m) for m in out] == [lc.HumanMessage, lc.AIMessage, lc.ToolMessage, lc.AIMessage]


def test_validation_node_answers_a_langchain_ai_message_with_langchain_tool_messages():
    from langgraph_lite.prebuilt import ValidationNode

    class Point(pydantic.BaseModel):
        x: int

    calls = [
        {"name": "Point", "args": {"x": 1}, "id": "ok"},
        {"name": "Point", "args": {"x": "no"}, "id": "bad"},
    ]
    node = ValidationNode([Point])
    theirs = node.invoke([lc.AIMessage("", tool_calls=calls)])
    mine = node.invoke([ours.AIMessage("", tool_calls=calls)])
    assert [type(m) for m in theirs] == [lc.ToolMessage, lc.ToolMessage]
    assert theirs[0] == lc.ToolMessage('{"x":1}', name="Point", tool_call_id="ok")
    assert theirs[1].additional_kwargs == {"is_error": True}
    assert [type(m) for m in mine] == [ours.ToolMessage, ours.ToolMessage]


def test_a_key_declared_with_langchain_messages_makes_dicts_langchain_s():
    from collections.abc import Sequence
    from typing import Annotated

    from langchain_core.messages import AIMessage as LcAIMessage
    from langchain_core.messages import AnyMessage as LcAnyMessage
    from langchain_core.messages import BaseMessage as LcBaseMessage
    from langchain_core.messages import HumanMessage as LcHumanMessage
    from typing_extensions import TypedDict

    from langgraph_lite.graph import START, MessagesState, StateGraph, add_messages

    class ListOfBase(TypedDict):
        messages: Annotated[list[LcBaseMessage], add_messages]

    class SequenceOfAny(TypedDict):
        messages: Annotated[Sequence[LcAnyMessage], add_messages]

    def reply(state):
        return {"messages": [{"role": "assistant", "content": "hey"}]}

    def run(schema):
        builder = StateGraph(schema)
        builder.add_node("reply", reply)
        builder.add_edge(START, "reply")
        return builder.compile().invoke({"messages": [("user", "hi")]})["messages"]

    for schema in (ListOfBase, SequenceOfAny):
        human, ai = run(schema)
        assert type(human) is LcHumanMessage and type(ai) is LcAIMessage
        assert (human.content, ai.content) == ("hi", "hey")
    # with LangChain loaded, our MessagesState gets LangChain's too, as in LangGraph
    human, ai = run(MessagesState)
    assert type(human) is LcHumanMessage and type(ai) is LcAIMessage
