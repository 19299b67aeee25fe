"""stream_mode="tools": every tool call a node makes, started, streaming, finished or failed."""

from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.graph.message import add_messages
from langgraph_lite.messages import AIMessage, ToolMessage
from langgraph_lite.prebuilt import ToolNode, ToolRuntime
from langgraph_lite.tool_events import emit_output_delta
from langgraph_lite.tools import tool
from langgraph_lite.types import Command, interrupt


class State(TypedDict):
    messages: Annotated[list, add_messages]


@tool
def shout(text: str) -> str:
    """Upper-case the text."""
    return text.upper()


@tool
def fails() -> str:
    """Always raises."""
    raise ValueError("the tool broke")


@tool
def spells(word: str, runtime: ToolRuntime) -> str:
    """Streams the word letter by letter."""
    for letter in word:
        runtime.emit_output_delta(letter)
    return word


@tool
async def aspells(word: str, runtime: ToolRuntime) -> str:
    """Async: streams the word letter by letter."""
    for letter in word:
        runtime.emit_output_delta(letter)
    return word


@tool
def asks() -> str:
    """Asks a human."""
    return interrupt("allowed?")


def _model_calls(*calls):
    def model(state):
        tool_calls = [{"name": n, "args": a, "id": i} for n, a, i in calls]
        return {"messages": [AIMessage(content="", tool_calls=tool_calls)]}

    return model


def _agent(calls, tools, checkpointer=None, **tool_node_kwargs):
    builder = StateGraph(State)
    builder.add_node("model", _model_calls(*calls))
    builder.add_node("tools", ToolNode(tools, **tool_node_kwargs))
    builder.add_edge(START, "model")
    builder.add_edge("model", "tools")
    builder.add_edge("tools", END)
    return builder.compile(checkpointer=checkpointer)


def _events(chunks):
    return [(c["event"], c["tool_call_id"]) for c in chunks]


def test_a_tool_node_call_streams_its_start_and_its_answer():
    graph = _agent([("shout", {"text": "hi"}, "call-1")], [shout])
    started, finished = graph.stream({"messages": []}, stream_mode="tools")
    assert started == {
        "event": "tool-started",
        "tool_call_id": "call-1",
        "tool_name": "shout",
        "input": {"text": "hi"},
    }
    assert finished["event"] == "tool-finished" and finished["tool_call_id"] == "call-1"
    assert isinstance(finished["output"], ToolMessage)
    assert finished["output"].content == "HI"


def test_tools_chunks_take_the_shape_of_the_other_modes():
    graph = _agent([("shout", {"text": "hi"}, "c1")], [shout])
    tagged = list(graph.stream({"messages": []}, stream_mode=["updates", "tools"]))
    assert [mode for mode, _ in tagged] == ["updates", "tools", "tools", "updates"]
    with_ns = list(graph.stream({"messages": []}, stream_mode="tools", subgraphs=True))
    assert [ns for ns, _ in with_ns] == [(), ()]
    parts = list(graph.stream({"messages": []}, stream_mode="tools", version="v2"))
    assert [(p["type"], p["ns"], p["data"]["event"]) for p in parts] == [
        ("tools", (), "tool-started"),
        ("tools", (), "tool-finished"),
    ]


def test_no_tools_chunks_unless_asked():
    graph = _agent([("shout", {"text": "hi"}, "c1")], [shout])
    chunks = list(graph.stream({"messages": []}, stream_mode=["updates", "values"]))
    assert all(mode != "tools" for mode, _ in chunks)


def test_output_deltas_come_between_start_and_finish():
    graph = _agent([("spells", {"word": "abc"}, "c1")], [spells])
    chunks = list(graph.stream({"messages": []}, stream_mode="tools"))
    assert [c["event"] for c in chunks] == [
        "tool-started",
        "tool-output-delta",
        "tool-output-delta",
        "tool-output-delta",
        "tool-finished",
    ]
    assert [c["delta"] for c in chunks[1:4]] == ["a", "b", "c"]


def test_emit_output_delta_outside_a_tool_call_does_nothing():
    emit_output_delta("ignored")  # no run, no tool call: no error either
    assert spells.invoke({"word": "ab", "runtime": ToolRuntime()}) == "ab"


def test_parallel_calls_keep_their_deltas_apart():
    calls = [("spells", {"word": "xy"}, "left"), ("spells", {"word": "pq"}, "right")]
    graph = _agent(calls, [spells])
    by_call: dict[str, list[str]] = {}
    for chunk in graph.stream({"messages": []}, stream_mode="tools"):
        if chunk["event"] == "tool-output-delta":
            by_call.setdefault(chunk["tool_call_id"], []).append(chunk["delta"])
    assert by_call == {"left": ["x", "y"], "right": ["p", "q"]}


def test_a_raising_tool_reports_an_error_before_the_run_fails():
    graph = _agent([("fails", {}, "c1")], [fails], handle_tool_errors=False)
    seen = []
    with pytest.raises(ValueError, match="the tool broke"):
        for chunk in graph.stream({"messages": []}, stream_mode="tools"):
            seen.append(chunk)
    assert seen[1] == {"event": "tool-error", "tool_call_id": "c1", "message": "the tool broke"}
    assert _events(seen) == [("tool-started", "c1"), ("tool-error", "c1")]


def test_a_handled_error_is_still_a_tool_error():
    graph = _agent([("fails", {}, "c1")], [fails], handle_tool_errors=True)
    assert _events(graph.stream({"messages": []}, stream_mode="tools")) == [
        ("tool-started", "c1"),
        ("tool-error", "c1"),
    ]


def test_arguments_that_do_not_fit_are_a_tool_error_naming_them():
    graph = _agent([("shout", {"text": 5}, "c1")], [shout])
    started, error = graph.stream({"messages": []}, stream_mode="tools")
    assert started["input"] == {"text": 5}
    assert error["event"] == "tool-error"
    assert error["message"].startswith("1 validation error for shout\ntext\n")


def test_a_call_to_an_unknown_tool_reports_nothing():
    graph = _agent([("nope", {}, "c1")], [shout])
    assert list(graph.stream({"messages": []}, stream_mode="tools")) == []


def test_an_interrupted_tool_is_not_an_error_and_reports_again_on_resume():
    graph = _agent([("asks", {}, "c1")], [asks], checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    paused = list(graph.stream({"messages": []}, config, stream_mode="tools"))
    resumed = list(graph.stream(Command(resume="yes"), config, stream_mode="tools"))
    assert _events(paused) == [("tool-started", "c1")]
    assert _events(resumed) == [("tool-started", "c1"), ("tool-finished", "c1")]
    assert resumed[-1]["output"].content == "yes"


def test_a_tool_invoked_directly_in_a_node_reports_too():
    def node(state):
        shout.invoke({"text": "plain"})
        shout.invoke({"type": "tool_call", "id": "given", "name": "shout", "args": {"text": "tc"}})
        return {}

    builder = StateGraph(State)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    first, done, second, answered = builder.compile().stream({"messages": []}, stream_mode="tools")
    assert first["tool_call_id"] == done["tool_call_id"]  # a fresh id names a bare call
    assert done["output"] == "PLAIN"
    assert second["tool_call_id"] == "given"
    assert isinstance(answered["output"], ToolMessage)


def test_a_subgraphs_tool_calls_carry_its_namespace():
    inner = _agent([("shout", {"text": "in"}, "c1")], [shout])
    builder = StateGraph(State)
    builder.add_node("sub", inner)
    builder.add_edge(START, "sub")
    outer = builder.compile()
    assert list(outer.stream({"messages": []}, stream_mode="tools")) == []
    chunks = list(outer.stream({"messages": []}, stream_mode="tools", subgraphs=True))
    assert len(chunks) == 2
    assert all(len(ns) == 1 and ns[0].startswith("sub:") for ns, _ in chunks)


def test_a_nostream_tagged_node_reports_no_tool_calls():
    builder = StateGraph(State)
    builder.add_node("model", _model_calls(("shout", {"text": "hi"}, "c1")))
    builder.add_node("tools", ToolNode([shout]), metadata=None)
    builder.add_edge(START, "model")
    builder.add_edge("model", "tools")
    graph = builder.compile()
    config = {"tags": ["nostream"]}
    assert list(graph.stream({"messages": []}, config, stream_mode="tools")) == []


@pytest.mark.anyio
async def test_async_tools_stream_their_calls():
    graph = _agent([("aspells", {"word": "hi"}, "c1")], [aspells])
    chunks = [c async for c in graph.astream({"messages": []}, stream_mode="tools")]
    assert [c["event"] for c in chunks] == [
        "tool-started",
        "tool-output-delta",
        "tool-output-delta",
        "tool-finished",
    ]


@pytest.mark.anyio
async def test_async_parallel_calls_each_report():
    graph = _agent([("shout", {"text": "a"}, "x"), ("shout", {"text": "b"}, "y")], [shout])
    chunks = [c async for c in graph.astream({"messages": []}, stream_mode="tools")]
    assert sorted(_events(chunks)) == [
        ("tool-finished", "x"),
        ("tool-finished", "y"),
        ("tool-started", "x"),
        ("tool-started", "y"),
    ]


def test_langchain_tools_report_through_langchains_callbacks():
    lc_tools = pytest.importorskip("langchain_core.tools")

    @lc_tools.tool
    def echo(text: str, runtime: ToolRuntime) -> str:
        """Echo, streaming the text first."""
        runtime.emit_output_delta(text)
        return text

    graph = _agent([("echo", {"text": "hey"}, "c1")], [echo])
    chunks = list(graph.stream({"messages": []}, stream_mode="tools"))
    assert chunks[0] == {
        "event": "tool-started",
        "tool_call_id": "c1",
        "tool_name": "echo",
        "input": {"text": "hey"},
    }
    assert [c["event"] for c in chunks[1:]] == ["tool-output-delta", "tool-finished"]
    assert chunks[-1]["output"].content == "hey"


def _child_calling_a_tool():
    def leaf(state):
        shout.invoke({"text": "t"})
        return {"messages": [AIMessage(content="done", id="m1")]}

    builder = StateGraph(State)
    builder.add_node("leaf", leaf)
    builder.add_edge(START, "leaf")
    return builder.compile()


@pytest.mark.parametrize("child_thread", [None, "child", "parent"])
def test_a_graph_invoked_in_a_node_streams_by_its_own_thread(child_thread):
    """A child on the caller's thread streams all of it under the node's namespace; a child
    given a thread of its own streams only its messages and tool calls, under the root's."""
    child = _child_calling_a_tool()
    child_config = {"configurable": {"thread_id": child_thread}} if child_thread else None

    def node(state):
        child.invoke({"messages": []}, child_config)
        return {}

    builder = StateGraph(State)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    graph = builder.compile(checkpointer=InMemorySaver())
    chunks = list(
        graph.stream(
            {"messages": []},
            {"configurable": {"thread_id": "parent"}},
            stream_mode=["tools", "messages", "updates"],
            subgraphs=True,
        )
    )
    seen = [(tuple(n.split(":")[0] for n in ns), mode) for ns, mode, _ in chunks]
    if child_thread is None:
        assert seen == [
            (("node",), "tools"),
            (("node",), "tools"),
            (("node",), "messages"),
            (("node",), "updates"),
            ((), "updates"),
        ]
    else:
        assert seen == [((), "tools"), ((), "tools"), ((), "messages"), ((), "updates")]
