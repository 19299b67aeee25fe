"""The ``input`` a ``tasks``/``debug`` task event shows: what the node is given.

Expected values were observed by running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from langgraph_lite.graph import START, StateGraph
from langgraph_lite.managed import RemainingSteps
from langgraph_lite.types import Send


@dataclass
class D:
    x: int
    y: str = "d"


class P(BaseModel):
    x: int
    y: str = "p"


@pytest.mark.parametrize("schema", [D, P])
def test_a_dataclass_or_pydantic_state_is_shown_as_its_object_with_defaults(schema: Any) -> None:
    builder = StateGraph(schema).add_node("a", lambda s: {"x": s.x + 1})
    builder.add_node("b", lambda s: {"y": s.y + "!"}).add_edge(START, "a").add_edge("a", "b")
    graph = builder.compile()
    shown = [
        (c["payload"]["name"], c["payload"]["input"])
        for _, c in graph.stream({"x": 1}, stream_mode=["debug"])
        if c["type"] == "task"
    ]
    default = schema(x=0).y
    assert shown == [("a", schema(x=1, y=default)), ("b", schema(x=2, y=default))]
    tasks = [c for c in graph.stream({"x": 1}, stream_mode="tasks") if "input" in c]
    assert [c["input"] for c in tasks] == [schema(x=1), schema(x=2)]


class WithSteps(TypedDict):
    x: int
    left: RemainingSteps


class OnlyX(TypedDict):
    x: int


def test_a_typed_dict_input_has_its_nodes_keys_its_managed_values_and_a_send_its_argument():
    def a(s: OnlyX) -> dict[str, Any]:
        return {"x": s["x"] + 1}

    builder = StateGraph(WithSteps).add_node("a", a).add_node("b", lambda s: {"x": s["x"] + 1})
    builder.add_node("c", lambda s: {"x": s["x"] + 1}).add_edge(START, "a").add_edge("a", "b")
    builder.add_conditional_edges("b", lambda s: [Send("c", {"x": 7})])
    graph = builder.compile()
    tasks = [c for c in graph.stream({"x": 1}, stream_mode="tasks") if "input" in c]
    assert [(c["name"], c["input"]) for c in tasks] == [
        ("a", {"x": 1}),
        ("b", {"x": 2, "left": 10005}),
        ("c", {"x": 7}),
    ]


def test_an_input_the_schema_refuses_is_shown_as_read_and_the_node_reports_it() -> None:
    class Strict(BaseModel):
        x: int

    graph = StateGraph(Strict).add_node("a", lambda s: {"x": "not a number"})
    graph = (
        graph.add_node("b", lambda s: {"x": 0}).add_edge(START, "a").add_edge("a", "b").compile()
    )
    shown = []
    with pytest.raises(Exception, match=r"(?i)x"):
        for chunk in graph.stream({"x": 1}, stream_mode="tasks"):
            shown.append(chunk)
    assert shown[0]["input"] == Strict(x=1)
