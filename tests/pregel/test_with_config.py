"""``with_config``: a copy of the graph with a config bound under every run's (checked
against LangGraph 1.2.22)."""

import pytest
from typing_extensions import TypedDict

from langgraph_lite.errors import GraphRecursionError
from langgraph_lite.graph import START, StateGraph


class S(TypedDict, total=False):
    n: int


def seen_config():
    seen: dict = {}

    def node(state: S, config) -> dict:
        seen.update(
            configurable=dict(config["configurable"]),
            metadata=dict(config["metadata"]),
            tags=list(config.get("tags") or []),
            recursion_limit=config["recursion_limit"],
        )
        return {"n": 1}

    graph = StateGraph(S).add_node("node", node).add_edge(START, "node").compile()
    return graph, seen


def test_a_bound_config_is_merged_under_the_calls():
    graph, seen = seen_config()
    bound = graph.with_config(
        {"configurable": {"agent": "root"}, "metadata": {"user": "U1"}, "tags": ["bound"]}
    )

    bound.invoke(
        {}, {"configurable": {"thread": "T1"}, "metadata": {"req": "C1"}, "tags": ["call"]}
    )

    assert seen["configurable"]["agent"] == "root" and seen["configurable"]["thread"] == "T1"
    assert seen["metadata"]["user"] == "U1" and seen["metadata"]["req"] == "C1"
    assert seen["tags"] == ["bound", "call"]
    assert graph.config is None  # the original is unchanged


@pytest.mark.anyio
async def test_a_bound_config_applies_to_async_runs_too():
    graph, seen = seen_config()
    await graph.with_config(configurable={"agent": "async"}).ainvoke({})
    assert seen["configurable"]["agent"] == "async"


def test_bound_recursion_limit_applies_and_later_binds_keep_it():
    def loop(state: S) -> dict:
        return {"n": state.get("n", 0) + 1}

    builder = StateGraph(S).add_node("loop", loop).add_edge(START, "loop")
    builder.add_edge("loop", "loop")
    graph = builder.compile().with_config(recursion_limit=3).with_config(tags=["t"])

    assert graph.config == {"recursion_limit": 3, "tags": ["t"]}
    with pytest.raises(GraphRecursionError, match="recursion_limit=3"):
        graph.invoke({})
    assert (
        graph.with_config({"recursion_limit": 1}, recursion_limit=7).config["recursion_limit"] == 7
    )


def test_with_config_refuses_a_config_that_is_not_a_dict():
    graph, _ = seen_config()
    with pytest.raises(TypeError, match=r"with_config: config must be a dict .* got str"):
        graph.with_config("recursion_limit=5")
