"""``checkpoint_during=``: LangGraph's deprecated spelling of ``durability``."""

from __future__ import annotations

from typing import TypedDict

import pytest

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.warnings import LangGraphDeprecatedSinceV10


class S(TypedDict, total=False):
    a: int


def two_steps():
    builder = StateGraph(S)
    builder.add_node("x", lambda s: {"a": 1})
    builder.add_node("y", lambda s: {"a": 2})
    builder.add_edge(START, "x")
    builder.add_edge("x", "y")
    return builder.compile(checkpointer=InMemorySaver())


@pytest.mark.parametrize(("during", "saved"), [(True, 4), (False, 1)])
def test_checkpoint_during_picks_async_or_exit_with_a_warning(during, saved):
    app = two_steps()
    config = {"configurable": {"thread_id": "t"}}
    with pytest.warns(LangGraphDeprecatedSinceV10, match="checkpoint_during") as caught:
        assert app.invoke({}, config, checkpoint_during=during) == {"a": 2}
    assert caught[0].filename == __file__  # the warning points at the caller
    assert len(list(app.get_state_history(config))) == saved


def test_stream_takes_it_too():
    app = two_steps()
    config = {"configurable": {"thread_id": "s"}}
    with pytest.warns(LangGraphDeprecatedSinceV10):
        chunks = list(app.stream({}, config, stream_mode="updates", checkpoint_during=False))
    assert chunks == [{"x": {"a": 1}}, {"y": {"a": 2}}]
    assert len(list(app.get_state_history(config))) == 1


@pytest.mark.anyio
async def test_astream_and_ainvoke_take_it():
    app = two_steps()
    with pytest.warns(LangGraphDeprecatedSinceV10):
        assert await app.ainvoke(
            {}, {"configurable": {"thread_id": "a"}}, checkpoint_during=False
        ) == {"a": 2}
    with pytest.warns(LangGraphDeprecatedSinceV10):
        chunks = [
            c
            async for c in app.astream(
                {}, {"configurable": {"thread_id": "b"}}, checkpoint_during=True
            )
        ]
    assert chunks[-1] == {"y": {"a": 2}}


def test_it_cannot_be_given_with_durability():
    with (
        pytest.warns(LangGraphDeprecatedSinceV10),
        pytest.raises(ValueError, match="Cannot use both"),
    ):
        two_steps().invoke(
            {}, {"configurable": {"thread_id": "z"}}, checkpoint_during=True, durability="sync"
        )


def test_stream_refuses_other_unknown_keywords():
    with pytest.raises(TypeError, match=r"\['bogus'\].*checkpoint_during"):
        two_steps().stream({}, {"configurable": {"thread_id": "z"}}, bogus=1)
