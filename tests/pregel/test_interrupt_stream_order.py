"""A question goes out as its task stops, before the updates of slower siblings.

Expected order observed by running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

import operator
import threading
from typing import Annotated, Any

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.pregel.thread_step import ThreadStep
from langgraph_lite.types import Command, interrupt


class S(TypedDict):
    x: Annotated[list, operator.add]


def _graph(ask: Any, slow: Any) -> Any:
    builder = StateGraph(S).add_node("ask", ask).add_node("slow", slow)
    builder.add_edge(START, "ask").add_edge(START, "slow")
    return builder.compile(checkpointer=InMemorySaver())


def _shown(chunks: list[Any]) -> list[Any]:
    out = []
    for mode, chunk in chunks:
        if "__interrupt__" in chunk:
            chunk = {**chunk, "__interrupt__": [i.value for i in chunk["__interrupt__"]]}
        out.append((mode, chunk))
    return out


EXPECTED = [
    ("values", {"x": []}),
    ("updates", {"__interrupt__": ["q"]}),
    ("values", {"x": [], "__interrupt__": ["q"]}),
    ("updates", {"slow": {"x": ["slow"]}}),
    ("values", {"x": ["slow"]}),
]


def test_sync_the_question_goes_out_while_a_slower_sibling_still_runs(monkeypatch: Any) -> None:
    # (the consumer's thread, which takes a step's tasks too when no helper has, takes none
    # here: running slow itself, it could not see the question meanwhile)
    monkeypatch.setattr(ThreadStep, "take", lambda self: False)
    question_seen = threading.Event()
    slow_saw_question = []

    def slow(s: S) -> dict[str, Any]:
        slow_saw_question.append(question_seen.wait(10))
        return {"x": ["slow"]}

    graph = _graph(lambda s: {"x": [interrupt("q")]}, slow)
    thread = {"configurable": {"thread_id": "1"}}
    chunks = []
    for chunk in graph.stream({"x": []}, thread, stream_mode=["values", "updates"]):
        chunks.append(chunk)
        if chunk[0] == "updates" and "__interrupt__" in chunk[1]:
            question_seen.set()
    assert _shown(chunks) == EXPECTED
    assert slow_saw_question == [True]  # (LangGraph's sync stream holds it until slow ends)
    # the question and the sibling's writes were both saved (the resumed step applies its
    # writes in task order, as LangGraph)
    state = graph.get_state(thread)
    assert state.values == {"x": ["slow"]} and state.next == ("ask",)
    assert graph.invoke(Command(resume="a"), thread) == {"x": ["a", "slow"]}


@pytest.mark.anyio
async def test_async_the_question_goes_out_while_a_slower_sibling_still_runs() -> None:
    question_seen = anyio.Event()

    async def slow(s: S) -> dict[str, Any]:
        with anyio.fail_after(10):
            await question_seen.wait()
        return {"x": ["slow"]}

    async def ask(s: S) -> dict[str, Any]:
        return {"x": [interrupt("q")]}

    graph = _graph(ask, slow)
    thread = {"configurable": {"thread_id": "1"}}
    chunks = []
    async for chunk in graph.astream({"x": []}, thread, stream_mode=["values", "updates"]):
        chunks.append(chunk)
        if chunk[0] == "updates" and "__interrupt__" in chunk[1]:
            question_seen.set()
    assert _shown(chunks) == EXPECTED
    assert (await graph.ainvoke(Command(resume="a"), thread)) == {"x": ["a", "slow"]}


def test_a_question_and_writes_that_cannot_go_together_go_out_then_the_error_is_raised() -> None:
    from langgraph_lite.errors import InvalidUpdateError

    class XY(TypedDict):
        x: int
        y: int

    builder = StateGraph(XY).add_node("ask", lambda s: {"y": interrupt("q")})
    builder.add_node("w1", lambda s: {"x": 1}).add_node("w2", lambda s: {"x": 2})
    for name in ("ask", "w1", "w2"):
        builder.add_edge(START, name)
    graph = builder.compile(checkpointer=InMemorySaver())
    thread = {"configurable": {"thread_id": "1"}}
    chunks: list[Any] = []
    with pytest.raises(InvalidUpdateError):
        chunks.extend(graph.stream({"x": 0, "y": 0}, thread, stream_mode=["values", "updates"]))
    assert _shown(chunks) == [
        ("values", {"x": 0, "y": 0}),
        ("updates", {"__interrupt__": ["q"]}),
        ("values", {"x": 0, "y": 0, "__interrupt__": ["q"]}),
        ("updates", {"w1": {"x": 1}}),
        ("updates", {"w2": {"x": 2}}),
    ]
    # the question was saved with the writes: the saved step cannot be shown either
    with pytest.raises(InvalidUpdateError):
        graph.get_state(thread)
