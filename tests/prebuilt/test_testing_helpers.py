"""langgraph_lite.testing.run_node: one node alone, with its update, custom events, interrupts."""

from dataclasses import dataclass

import pytest
from typing_extensions import TypedDict

from langgraph_lite.config import get_stream_writer
from langgraph_lite.graph import START, MessagesState, StateGraph
from langgraph_lite.messages import AIMessage, ToolMessage
from langgraph_lite.prebuilt import ToolNode, create_react_agent
from langgraph_lite.runtime import Runtime
from langgraph_lite.testing import NodeRun, ScriptedChatModel, arun_node, run_node
from langgraph_lite.types import interrupt


class Draft(TypedDict, total=False):
    text: str
    approved: bool


def write(state: Draft) -> dict:
    writer = get_stream_writer()
    writer("drafting")
    writer({"progress": 1.0})
    return {"text": state["text"].upper()}


def review(state: Draft) -> dict:
    verdict = interrupt({"draft": state["text"], "question": "ship it?"})
    second = interrupt("really?")
    return {"approved": verdict == "yes" and second == "yes"}


async def awrite(state: Draft) -> dict:
    await get_stream_writer()("async drafting")
    return {"text": state["text"] + "!"}


builder = StateGraph(Draft)
builder.add_node("write", write)
builder.add_node("review", review)
builder.add_node("awrite", awrite)
builder.add_edge(START, "write")
builder.add_edge("write", "review")
builder.add_edge("review", "awrite")
graph = builder.compile()


def test_run_node_gives_the_update_and_the_custom_events():
    result = run_node(graph, "write", {"text": "hello"})
    assert isinstance(result, NodeRun)
    assert result.update == {"text": "HELLO"}
    assert result.custom == ["drafting", {"progress": 1.0}]
    assert result.interrupts == () and not result.interrupted


def test_run_node_stops_at_an_interrupt_and_shows_it():
    result = run_node(graph, "review", {"text": "draft"})
    assert result.update is None and result.interrupted
    (question,) = result.interrupts
    assert question.value == {"draft": "draft", "question": "ship it?"}


def test_run_node_answers_interrupts_in_order_with_resume():
    partly = run_node(graph, "review", {"text": "draft"}, resume=["yes"])
    assert [i.value for i in partly.interrupts] == ["really?"]
    done = run_node(graph, "review", {"text": "draft"}, resume=["yes", "yes"])
    assert done.update == {"approved": True}


def test_run_node_lets_a_nodes_exception_through():
    with pytest.raises(KeyError):
        run_node(graph, "write", {})


def test_run_node_names_the_nodes_when_one_is_missing():
    with pytest.raises(KeyError, match=r"no node 'wirte' \(nodes: 'write', 'review', 'awrite'\)"):
        run_node(graph, "wirte", {"text": "x"})


def test_run_node_passes_config_and_context():
    @dataclass
    class Ctx:
        user: str

    def node(state: Draft, config, runtime: Runtime[Ctx]) -> dict:
        return {"text": f"{config['configurable']['thread_id']}/{runtime.context.user}"}

    g = StateGraph(Draft, context_schema=Ctx).add_node("n", node).add_edge(START, "n").compile()
    result = run_node(g, "n", {}, {"configurable": {"thread_id": "t9"}}, context=Ctx("ada"))
    assert result.update == {"text": "t9/ada"}


@pytest.mark.anyio
async def test_arun_node_runs_async_nodes():
    result = await arun_node(graph, "awrite", {"text": "hi"})
    assert (result.update, result.custom) == ({"text": "hi!"}, ["async drafting"])
    interrupted = await arun_node(graph, "review", {"text": "x"})
    assert interrupted.interrupted


def lookup(city: str) -> str:
    """Look up the weather."""
    get_stream_writer()(f"looking up {city}")
    return f"sunny in {city}"


def test_run_node_on_a_tool_node():
    b = StateGraph(MessagesState)
    b.add_node(ToolNode([lookup]))
    b.add_edge(START, "tools")
    g = b.compile()
    call = {"name": "lookup", "args": {"city": "sf"}, "id": "c1"}
    result = run_node(g, "tools", {"messages": [AIMessage(content="", tool_calls=[call])]})
    assert result.update == {
        "messages": [ToolMessage(content="sunny in sf", name="lookup", tool_call_id="c1")]
    }
    assert result.custom == ["looking up sf"]


def test_run_node_on_the_agents_nodes():
    call = {"name": "lookup", "args": {"city": "sf"}, "id": "c1"}
    agent = create_react_agent(ScriptedChatModel([AIMessage("", tool_calls=[call])]), [lookup])
    asked = run_node(agent, "agent", {"messages": [("user", "weather?")]})
    (reply,) = asked.update["messages"]
    assert reply.tool_calls[0]["args"] == {"city": "sf"}
    answered = run_node(agent, "tools", {"messages": [("user", "weather?"), reply]})
    assert [m.content for m in answered.update["messages"]] == ["sunny in sf"]
