"""``update_state(config, None)`` forks a checkpoint; a config's top-level ``thread_id``.

Expected values observed on LangGraph 1.2.22.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph


class S(TypedDict):
    x: Annotated[list, operator.add]


def _app() -> Any:
    g = StateGraph(S).add_node("a", lambda s: {"x": ["a"]}).add_node("b", lambda s: {"x": ["b"]})
    return g.add_edge(START, "a").add_edge("a", "b").compile(checkpointer=InMemorySaver())


C = {"configurable": {"thread_id": "1"}}
FORKED_HISTORY = [
    ((), "loop", 3),
    (("b",), "loop", 2),
    (("a",), "update", 1),
    ((), "loop", 2),
    (("b",), "loop", 1),
    (("a",), "loop", 0),
    (("__start__",), "input", -1),
]


def _history(app: Any) -> list[tuple[Any, ...]]:
    return [(h.next, h.metadata["source"], h.metadata["step"]) for h in app.get_state_history(C)]


def test_update_state_with_none_forks_a_checkpoint_that_runs_on_from_there() -> None:
    app = _app()
    assert app.invoke({"x": ["0"]}, C) == {"x": ["0", "a", "b"]}
    before_a = list(app.get_state_history(C))[-2]
    fork = app.update_state(before_a.config, None)
    assert sorted(fork["configurable"]) == ["checkpoint_id", "checkpoint_ns", "thread_id"]
    forked = app.get_state(fork)
    assert (forked.next, forked.metadata["source"], forked.metadata["step"]) == (
        ("a",),
        "update",
        1,
    )
    updates = list(app.stream(None, fork, stream_mode="updates"))
    assert updates == [{"a": {"x": ["a"]}}, {"b": {"x": ["b"]}}]
    assert app.get_state(C).values == {"x": ["0", "a", "b"]}
    assert _history(app) == FORKED_HISTORY


@pytest.mark.anyio
async def test_aupdate_state_with_none_forks_a_checkpoint_too() -> None:
    app = _app()
    await app.ainvoke({"x": ["0"]}, C)
    before_a = [h async for h in app.aget_state_history(C)][-2]
    fork = await app.aupdate_state(before_a.config, None)
    assert [u async for u in app.astream(None, fork, stream_mode="updates")] == [
        {"a": {"x": ["a"]}},
        {"b": {"x": ["b"]}},
    ]
    assert _history(app) == FORKED_HISTORY


def test_a_thread_id_at_the_top_level_of_a_config_is_taken_as_configurable() -> None:
    app = _app()
    assert app.invoke({"x": ["0"]}, {"thread_id": "1"}) == {"x": ["0", "a", "b"]}
    assert app.get_state(C).values == {"x": ["0", "a", "b"]}
