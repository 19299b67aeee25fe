"""Several writes to a one-value channel: LangGraph 1.2.22's words first, then the fix."""

from __future__ import annotations

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.errors import InvalidUpdateError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Overwrite


class S(TypedDict):
    x: str
    y: Annotated[list, operator.add]


def test_two_nodes_writing_a_last_value_key_get_langgraphs_at_key_message() -> None:
    g = StateGraph(S).add_node("a", lambda s: {"x": "a"}).add_node("b", lambda s: {"x": "b"})
    app = g.add_edge(START, "a").add_edge(START, "b").compile()
    with pytest.raises(InvalidUpdateError) as info:
        app.invoke({"x": ""})
    text = str(info.value)
    assert text.startswith(
        "At key 'x': Can receive only one value per step. Use an Annotated key to handle "
        "multiple values."
    )
    assert "'a' and 'b'" in text and "step 1" in text and "reducer" in text


def test_two_overwrites_of_one_key_in_a_step_get_langgraphs_overwrite_message() -> None:
    g = StateGraph(S).add_node("a", lambda s: {"y": Overwrite([1])})
    g.add_node("b", lambda s: {"y": Overwrite([2])})
    app = g.add_edge(START, "a").add_edge(START, "b").compile()
    with pytest.raises(InvalidUpdateError) as info:
        app.invoke({"x": "", "y": []})
    text = str(info.value)
    assert text.startswith("Can receive only one Overwrite value per super-step")
    assert "'y'" in text and "'a' and 'b'" in text


def test_task_not_found_is_langgraphs_exception_for_distributed_executors():
    from langgraph_lite.errors import TaskNotFound

    error = TaskNotFound("task 'abc' is not in checkpoint '1'")
    assert isinstance(error, Exception) and not isinstance(error, RuntimeError)
    assert str(error) == "task 'abc' is not in checkpoint '1'"
    assert TaskNotFound.__doc__
