"""``get_graph().to_json()``: the picture in LangChain's JSON shape."""

from __future__ import annotations

import json
from typing import TypedDict

from langgraph_lite.graph import END, START, StateGraph


class S(TypedDict):
    a: int


def step(state: S) -> S:
    return state


def build():
    sub = StateGraph(S)
    sub.add_node("inner", step)
    sub.add_edge(START, "inner")
    builder = StateGraph(S)
    builder.add_node("x", step, metadata={"owner": "me"})
    builder.add_node("y", step)
    builder.add_node("sub", sub.compile())
    builder.add_edge(START, "x")
    builder.add_conditional_edges("x", lambda s: "y", ["y", END])
    builder.add_edge("y", "sub")
    return builder.compile()


def test_nodes_and_edges_as_langchain_shows_them():
    shown = build().get_graph().to_json()
    json.dumps(shown)  # JSON-ready
    by_id = {n["id"]: n for n in shown["nodes"]}
    assert list(by_id) == ["__start__", "x", "y", "sub", "__end__"]
    assert by_id["__end__"] == {"id": "__end__"}
    assert by_id["x"]["type"] == "runnable"
    assert by_id["x"]["data"] == {"id": [*__name__.split("."), "step"], "name": "x"}
    assert by_id["x"]["metadata"] == {"owner": "me"}
    assert by_id["sub"]["data"]["id"][-1] == "CompiledStateGraph"
    assert shown["edges"] == [
        {"source": "__start__", "target": "x"},
        {"source": "x", "target": "__end__", "conditional": True},
        {"source": "x", "target": "y", "conditional": True},
        {"source": "y", "target": "sub"},
        {"source": "sub", "target": "__end__"},
    ]


def test_xray_names_subgraph_nodes_by_their_place():
    shown = build().get_graph(xray=True).to_json(with_schemas=True)
    inner = next(n for n in shown["nodes"] if n["id"] == "sub:inner")
    assert inner["data"]["name"] == "sub:inner"
    assert {"source": "y", "target": "sub:inner"} in shown["edges"]


def test_nodes_ending_the_graph_are_drawn_last_in_name_order_as_langgraph_draws_them():
    import operator
    from typing import Annotated, TypedDict

    from langgraph_lite.graph import StateGraph

    class State(TypedDict):
        k: Annotated[str, operator.add]

    graph = StateGraph(State)
    for name in ("up", "side", "other", "down"):
        graph.add_node(name, lambda state: None)
    graph.set_entry_point("up")
    graph.add_edge("up", "side")
    graph.add_edge("up", "other")
    graph.add_edge(["up", "side"], "down")
    graph.set_finish_point("down")
    assert graph.compile().get_graph().draw_mermaid(with_styles=False).splitlines() == [
        "graph TD;",
        "\t__start__ --> up;",
        "\tside --> down;",
        "\tup --> down;",
        "\tup --> other;",
        "\tup --> side;",
        "\tdown --> __end__;",
        "\tother --> __end__;",
    ]  # LangGraph 1.2.22's drawing of the same graph
