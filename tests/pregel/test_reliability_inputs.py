"""Issue 12, defect 10: inputs that used to be ignored without a word.

Observed on LangGraph 1.2.22: ``Command(resume=...)`` on a thread with no pending interrupt is
accepted (a finished thread returns its state; a thread stopped by ``interrupt_before`` simply
continues), so we accept it too. ``checkpoint_ns=5`` is accepted by ``invoke`` but breaks
``get_state`` (``AttributeError: 'int' object has no attribute 'split'``): no working program
passes a non-string namespace, so we refuse it up front, naming the key.
"""

from __future__ import annotations

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command


class State(TypedDict):
    x: int


def graph(**kwargs):
    builder = StateGraph(State)
    builder.add_node("inc", lambda s: {"x": s["x"] + 1})
    builder.add_edge(START, "inc")
    return builder.compile(checkpointer=InMemorySaver(), **kwargs)


def test_resuming_a_finished_thread_returns_its_state_as_langgraph_does():
    app = graph()
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"x": 1}, config) == {"x": 2}
    assert app.invoke(Command(resume="y"), config) == {"x": 2}
    assert list(app.stream(Command(resume="y"), config)) == []


def test_a_resume_command_continues_a_thread_stopped_before_a_node_as_langgraph_does():
    app = graph(interrupt_before=["inc"])
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"x": 1}, config) == {"x": 1}
    assert app.invoke(Command(resume="y"), config) == {"x": 2}


def test_a_resume_command_on_a_new_thread_says_there_is_nothing_to_resume():
    with pytest.raises(Exception, match="no saved state"):
        graph().invoke(Command(resume="y"), {"configurable": {"thread_id": "new"}})


@pytest.mark.parametrize("namespace", [5, 1.5, b"ns", ["a"]])
def test_a_checkpoint_ns_that_is_not_a_string_is_refused_with_the_key_named(namespace):
    app = graph()
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": namespace}}
    with pytest.raises(TypeError, match=r"\['checkpoint_ns'\] must be a string"):
        app.invoke({"x": 1}, config)
    with pytest.raises(TypeError, match=r"\['checkpoint_ns'\] must be a string"):
        app.get_state(config)
    with pytest.raises(TypeError, match=r"\['checkpoint_ns'\] must be a string"):
        list(app.stream({"x": 1}, config))


@pytest.mark.anyio
async def test_a_checkpoint_ns_that_is_not_a_string_is_refused_by_ainvoke_too():
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": 5}}
    with pytest.raises(TypeError, match=r"\['checkpoint_ns'\] must be a string"):
        await graph().ainvoke({"x": 1}, config)


def test_a_string_checkpoint_ns_still_works():
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    assert graph().invoke({"x": 1}, config) == {"x": 2}
