"""``builder.nodes[name].runnable``: the node's action under LangGraph's name."""

from typing_extensions import TypedDict

from langgraph_lite.graph import START, StateGraph


class S(TypedDict):
    n: int


class Counting:
    def __init__(self):
        self.ticks = 0

    def __call__(self, state: S) -> dict:
        self.ticks += 1
        return {"n": state["n"] + 1}


async def later(state: S) -> dict:
    return {"n": state["n"] * 2}


def test_runnable_shows_the_callable_the_builder_was_given():
    counting = Counting()
    builder = StateGraph(S)
    builder.add_node("count", counting)
    builder.add_node("later", later)
    builder.add_edge(START, "count")
    graph = builder.compile()
    assert graph.invoke({"n": 1}) == {"n": 2}
    assert builder.nodes["count"].runnable.func is counting
    assert builder.nodes["count"].runnable.func.ticks == 1
    assert builder.nodes["count"].runnable.afunc is None
    assert builder.nodes["later"].runnable.func is None
    assert builder.nodes["later"].runnable.afunc is later


def test_a_subgraph_node_is_its_own_runnable():
    inner = StateGraph(S)
    inner.add_node("count", Counting())
    inner.add_edge(START, "count")
    sub = inner.compile()
    builder = StateGraph(S)
    builder.add_node("sub", sub)
    assert builder.nodes["sub"].runnable is sub
