"""run.tool_calls (ToolCallTransformer) with our tools, ToolNode and ToolRuntime."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.graph.message import add_messages
from langgraph_lite.messages import AIMessage, ToolMessage
from langgraph_lite.prebuilt import ToolCallTransformer, ToolNode
from langgraph_lite.prebuilt.tool_call_stream import ToolCallStream, _tool_output
from langgraph_lite.stream._mux import StreamMux
from langgraph_lite.tools import ToolRuntime, tool


class State(TypedDict):
    messages: Annotated[list, add_messages]


@tool
def shout(text: str, runtime: ToolRuntime) -> str:
    """Say it louder, a piece at a time."""
    for piece in text:
        runtime.emit_output_delta(piece.upper())
    return text.upper()


@tool
def broken(text: str) -> str:
    """Always fails."""
    raise ValueError(f"cannot do {text}")


def _graph(calls: list[dict[str, Any]], *, async_caller: bool = False) -> Any:
    def caller(state: State) -> dict[str, Any]:
        return {"messages": [AIMessage(content="", tool_calls=calls)]}

    async def acaller(state: State) -> dict[str, Any]:
        return caller(state)

    builder = StateGraph(State).add_node("caller", acaller if async_caller else caller)
    builder.add_node("tools", ToolNode([shout, broken], handle_tool_errors=False))
    builder.add_edge(START, "caller").add_edge("caller", "tools").add_edge("tools", END)
    return builder.compile(transformers=[ToolCallTransformer])


def test_each_call_streams_its_pieces_then_its_result() -> None:
    run = _graph([{"name": "shout", "args": {"text": "hi"}, "id": "c1"}]).stream_events(
        {"messages": []}, version="v3"
    )
    got = [
        (c.tool_call_id, c.tool_name, c.input, list(c), c.output, c.completed)
        for c in run.tool_calls
    ]
    assert got == [("c1", "shout", {"text": "hi"}, ["H", "I"], "HI", True)]


def test_a_failing_tool_call_carries_the_error_text() -> None:
    run = _graph([{"name": "broken", "args": {"text": "x"}, "id": "c2"}]).stream_events(
        {"messages": []}, version="v3"
    )
    calls = []
    with pytest.raises(ValueError, match="cannot do x"):
        for call in run.tool_calls:
            calls.append(call)
    (call,) = calls
    assert (call.error, call.output, call.completed) == ("cannot do x", None, True)
    assert "failed" in repr(call)


@pytest.mark.anyio
async def test_an_async_run_gives_async_calls() -> None:
    # (one call: a projection keeps items once read, and parallel calls stream at once)
    calls = [{"name": "shout", "args": {"text": "ab"}, "id": "a"}]
    run = await _graph(calls, async_caller=True).astream_events({"messages": []}, version="v3")
    got = {}
    async for call in run.tool_calls:
        got[call.tool_call_id] = ([piece async for piece in call], call.output)
    assert got == {"a": (["A", "B"], "AB")}


def test_events_of_other_levels_and_without_a_call_id_are_left_alone() -> None:
    t = ToolCallTransformer()
    mux = StreamMux([t], is_async=False)
    t._log._subscribed = True
    for ns, data in (
        (["sub:1"], {"event": "tool-started", "tool_call_id": "x"}),
        ([], {"event": "tool-started"}),
    ):
        mux.push(
            {
                "type": "event",
                "method": "tools",
                "params": {"namespace": ns, "timestamp": 0, "data": data},
            }
        )
    assert list(t._log._items) == []


def test_a_call_left_open_ends_with_the_run() -> None:
    t = ToolCallTransformer()
    mux = StreamMux([t], is_async=False)
    t._log._subscribed = True
    event = {"event": "tool-started", "tool_call_id": "x", "tool_name": "n"}
    mux.push(
        {
            "type": "event",
            "method": "tools",
            "params": {"namespace": [], "timestamp": 0, "data": event},
        }
    )
    ((_stamp, call),) = list(t._log._items)
    mux.fail(RuntimeError("stopped"))
    assert (call.completed, call.error) == (True, "stopped")


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (ToolMessage(content="done", tool_call_id="c"), "done"),
        (
            {
                "type": "constructor",
                "id": ["langchain_core", "messages", "ToolMessage"],
                "kwargs": {"content": "x"},
            },
            "x",
        ),
        ({"plain": "dict"}, {"plain": "dict"}),
    ],
)
def test_a_tool_message_result_is_given_as_its_content(output: Any, expected: Any) -> None:
    assert _tool_output(output) == expected


def test_a_new_call_reads_as_running() -> None:
    assert "running" in repr(ToolCallStream("c", "n"))
