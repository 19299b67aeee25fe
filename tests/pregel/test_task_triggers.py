"""The ``triggers`` a task shows (task events, ``langgraph_triggers``): all of its node's.

Expected values were observed by running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.config import get_config
from langgraph_lite.graph import START, StateGraph


class S(TypedDict):
    x: Annotated[list, operator.add]


def _graph(join: bool, defer: bool, seen: list[Any]) -> Any:
    def node(name: str) -> Any:
        def run(s: S) -> dict[str, Any]:
            seen.append((name, get_config()["metadata"]["langgraph_triggers"]))
            return {"x": [name]}

        return run

    builder = StateGraph(S)
    for name in ("r", "a", "b", "c"):
        builder.add_node(name, node(name))
    builder.add_node("qa", node("qa"), defer=defer)
    builder.add_edge(START, "r").add_edge("r", "a").add_edge("a", "c").add_edge("r", "b")
    if join:
        builder.add_edge(["a", "b"], "qa")
    else:
        builder.add_edge("a", "qa").add_edge("b", "qa")
    return builder.compile()


@pytest.mark.parametrize("defer", [False, True])
@pytest.mark.parametrize("join", [False, True])
def test_a_task_lists_every_trigger_of_its_node_sorted(join: bool, defer: bool) -> None:
    seen: list[Any] = []
    graph = _graph(join, defer, seen)
    events = [
        (e["step"], e["payload"]["name"], e["payload"]["triggers"])
        for e in graph.stream({"x": []}, stream_mode="debug")
        if e["type"] == "task"
    ]
    qa = ("branch:to:qa", "join:a+b:qa") if join else ("branch:to:qa",)
    assert events == [
        (1, "r", ("branch:to:r",)),
        (2, "a", ("branch:to:a",)),
        (2, "b", ("branch:to:b",)),
        (3, "c", ("branch:to:c",)),
        (4 if defer else 3, "qa", qa),
    ]
    assert dict(seen)["qa"] == qa
    assert graph.invoke({"x": []})["x"][-1] == "qa"  # (it ran once, after both)
