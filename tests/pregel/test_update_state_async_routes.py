"""update_state routes as the node it stands for would: with an async conditional edge, the
async API awaits it (as in LangGraph) and the sync one says to use it."""

from __future__ import annotations

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import StateUpdate


class State(TypedDict):
    x: Annotated[list, operator.add]


def _graph():
    async def route(state: State) -> str:
        return "b" if len(state["x"]) > 3 else END

    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"x": [1]})
    builder.add_node("b", lambda s: {"x": [2]})
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", route, ["b", END])
    return builder.compile(checkpointer=InMemorySaver())


@pytest.mark.anyio
async def test_aupdate_state_awaits_an_async_conditional_edge():
    app = _graph()
    config = {"configurable": {"thread_id": "1"}}
    assert await app.ainvoke({"x": [0]}, config) == {"x": [0, 1]}
    await app.aupdate_state(config, {"x": [5, 6]}, as_node="a")
    state = await app.aget_state(config)
    assert state.values == {"x": [0, 1, 5, 6]}
    assert state.next == ("b",)  # the edge saw the updated state: four items
    assert await app.ainvoke(None, config) == {"x": [0, 1, 5, 6, 2]}


@pytest.mark.anyio
async def test_abulk_update_state_awaits_it_on_every_superstep():
    app = _graph()
    config = {"configurable": {"thread_id": "1"}}
    await app.ainvoke({"x": [0]}, config)
    await app.abulk_update_state(
        config, [[StateUpdate({"x": [5]}, "a")], [StateUpdate({"x": [6]}, "a")]]
    )
    state = await app.aget_state(config)
    assert state.values == {"x": [0, 1, 5, 6]}
    assert state.next == ("b",)


def test_sync_update_state_with_an_async_edge_says_to_use_aupdate_state():
    app = _graph()
    config = {"configurable": {"thread_id": "1"}}
    app.update_state(config, {"x": [0]}, as_node="b")
    before = app.get_state(config)
    with pytest.raises(TypeError, match=r"'route' of the conditional edge from 'a'.*aupdate_state"):
        app.update_state(config, {"x": [5]}, as_node="a")
    after = app.get_state(config)  # nothing was saved
    assert after.config == before.config and after.values == before.values
