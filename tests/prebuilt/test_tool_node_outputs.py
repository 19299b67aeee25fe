"""What ToolNode returns when tools answer with commands, or with lists of commands and messages.

Each expectation was first observed running the same program on LangGraph 1.2.22.
"""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
import pytest

from langgraph_lite.messages import REMOVE_ALL_MESSAGES, AIMessage, RemoveMessage, ToolMessage
from langgraph_lite.prebuilt import InjectedState, ToolNode
from langgraph_lite.tool_injection import InjectedToolCallId
from langgraph_lite.tools import tool
from langgraph_lite.types import Command, Send

CallId = Annotated[str, InjectedToolCallId]


@tool
def both(tool_call_id: CallId):
    """A state update and the answer, side by side."""
    return [Command(update={"foo": 1}), ToolMessage("done", tool_call_id=tool_call_id)]


@tool
def unanswered(tool_call_id: CallId):
    """A state update and no answer."""
    return [Command(update={"foo": 1})]


@tool
def twice(tool_call_id: CallId):
    """Two answers: one beside, one inside a command."""
    inner = ToolMessage("b", tool_call_id=tool_call_id)
    return [ToolMessage("a", tool_call_id=tool_call_id), Command(update={"messages": [inner]})]


@tool
def to_parent(tool_call_id: CallId):
    """Packets for the parent graph (its update is not kept, as in LangGraph)."""
    return Command(graph=Command.PARENT, goto=[Send("x", {"id": tool_call_id})], update={"y": 1})


@tool
def handoff(tool_call_id: CallId):
    """Hand off to the parent's bob."""
    bye = ToolMessage("bye", tool_call_id=tool_call_id)
    return Command(graph=Command.PARENT, goto="bob", update={"messages": [bye]})


@tool
def wipe(tool_call_id: CallId):
    """Clear the history: nothing is left to answer."""
    return Command(update={"messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES)]})


@tool
def list_update(tool_call_id: CallId):
    """An update that is a list of messages."""
    return Command(update=[ToolMessage("ok", tool_call_id=tool_call_id)])


@tool
def plain() -> str:
    """Plain text."""
    return "plain"


def _ask(*names: str) -> AIMessage:
    calls = [
        {"name": n, "args": {}, "id": f"c{i}", "type": "tool_call"} for i, n in enumerate(names)
    ]
    return AIMessage("", tool_calls=calls)


def test_a_list_with_one_answer_gives_its_command_and_its_message_each_in_call_order():
    result = ToolNode([both, plain]).invoke({"messages": [_ask("plain", "both")]})
    assert result == [
        {"messages": [ToolMessage("plain", name="plain", tool_call_id="c0")]},
        Command(update={"foo": 1}),
        {"messages": [ToolMessage("done", tool_call_id="c1")]},
    ]


@pytest.mark.parametrize(("name", "count"), [("unanswered", 0), ("twice", 2)])
def test_a_list_must_answer_its_call_exactly_once(name, count):
    node = ToolNode([unanswered, twice], handle_tool_errors=False)
    with pytest.raises(ValueError, match=f"returned a list with {count} messages bound to"):
        node.invoke({"messages": [_ask(name)]})


def test_a_list_without_its_answer_is_an_error_message_when_errors_are_handled():
    [answer] = ToolNode([unanswered], handle_tool_errors=True).invoke(
        {"messages": [_ask("unanswered")]}
    )["messages"]
    assert answer.status == "error"
    assert "0 messages bound to tool_call_id 'c0'" in answer.content


def test_the_default_handler_lets_an_unanswered_list_through():
    with pytest.raises(ValueError, match="expected exactly one terminating ToolMessage"):
        ToolNode([unanswered]).invoke({"messages": [_ask("unanswered")]})


def test_packets_for_the_parent_merge_into_one_command_last_and_handoffs_keep_their_place():
    node = ToolNode([to_parent, plain, handoff])
    result = node.invoke({"messages": [_ask("to_parent", "plain", "to_parent", "handoff")]})
    bye = ToolMessage("bye", name="handoff", tool_call_id="c3")
    assert result == [
        {"messages": [ToolMessage("plain", name="plain", tool_call_id="c1")]},
        Command(graph=Command.PARENT, update={"messages": [bye]}, goto="bob"),
        Command(graph=Command.PARENT, goto=[Send("x", {"id": "c0"}), Send("x", {"id": "c2"})]),
    ]


def test_a_command_that_clears_the_history_needs_no_answer():
    assert ToolNode([wipe]).invoke({"messages": [_ask("wipe")]}) == [
        Command(update={"messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES)]})
    ]


def test_with_a_list_of_messages_as_input_each_message_is_its_own_list():
    result = ToolNode([list_update, plain]).invoke([_ask("plain", "list_update")])
    assert result == [
        [ToolMessage("plain", name="plain", tool_call_id="c0")],
        Command(update=[ToolMessage("ok", name="list_update", tool_call_id="c1")]),
    ]


def test_an_update_of_the_wrong_form_for_the_input_names_the_tool():
    with pytest.raises(ValueError, match=r"Tools can provide a list of messages.*'list_update'"):
        ToolNode([list_update]).invoke({"messages": [_ask("list_update")]})
    with pytest.raises(ValueError, match=r"Tools can provide a dict in Command.update.*'handoff'"):
        ToolNode([handoff]).invoke([_ask("handoff")])


# -- what the call is given ------------------------------------------------------------------


def test_a_missing_injected_state_key_is_raised_whatever_the_handler():
    def needs_foo(x: int, foo: Annotated[str, InjectedState("foo")]) -> str:
        """Needs foo."""
        return foo

    call = {"name": "needs_foo", "args": {"x": 1}, "id": "c0", "type": "tool_call"}
    for handler in (True, "sorry", lambda e: "handled"):
        node = ToolNode([needs_foo], handle_tool_errors=handler)
        assert node.invoke({"messages": [AIMessage("", tool_calls=[call])], "foo": "bar"}) == {
            "messages": [ToolMessage("bar", name="needs_foo", tool_call_id="c0")]
        }
        with pytest.raises(KeyError, match="foo"):
            node.invoke({"messages": [AIMessage("", tool_calls=[call])], "notfoo": "bar"})


def test_tool_calls_sent_to_the_node_see_the_graphs_channels_as_a_dict():
    from langgraph_lite.graph import START, StateGraph
    from langgraph_lite.graph.message import add_messages
    from langgraph_lite.types import Send

    class State(pydantic.BaseModel):
        messages: Annotated[list, add_messages] = []
        foo: str = ""

    seen: list[Any] = []

    def record(state: Annotated[Any, InjectedState]) -> str:
        """Record the state."""
        seen.append(state)
        return "ok"

    call = {"name": "record", "args": {}, "id": "c1", "type": "tool_call"}

    def agent(state: State) -> dict:
        return {"messages": [AIMessage("", tool_calls=[call])]}

    def run(route):
        builder = StateGraph(State).add_node("agent", agent).add_node("tools", ToolNode([record]))
        builder.add_edge(START, "agent").add_conditional_edges("agent", route, ["tools"])
        return builder.compile().invoke({"foo": "bar"})

    by_send = run(lambda state: [Send("tools", [call])])
    by_edge = run(lambda state: "tools")
    assert by_send == by_edge
    sent, edged = seen
    assert (sorted(sent), sent["foo"]) == (["foo", "messages"], "bar")
    assert isinstance(edged, State) and edged.foo == "bar"
