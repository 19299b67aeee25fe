"""A subgraph's durability: the parent run's unless the subgraph's own call names one, whether
the subgraph has a saver of its own or keeps its state in the parent's (counts of saved
checkpoints per namespace observed on LangGraph 1.2.22)."""

from __future__ import annotations

import operator
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph


class S(TypedDict):
    k: Annotated[str, operator.add]


def _app(own_saver: bool, inner_durability: str | None) -> tuple[Any, InMemorySaver]:
    """A parent whose node ``call`` invokes the subgraph (with ``inner_durability`` if given)
    and whose node ``sub`` is the subgraph itself."""
    saver = InMemorySaver()
    inner_builder = StateGraph(S).add_node("i1", lambda s: {"k": "a"})
    inner_builder.add_node("i2", lambda s: {"k": "b"}).add_edge(START, "i1").add_edge("i1", "i2")
    inner = inner_builder.compile(checkpointer=saver if own_saver else None)

    def call(s: S) -> dict[str, Any]:
        kw = {} if inner_durability is None else {"durability": inner_durability}
        return {"k": inner.invoke({"k": ""}, **kw)["k"]}

    outer = StateGraph(S).add_node("call", call).add_node("sub", inner)
    outer.add_edge(START, "call").add_edge("call", "sub")
    return outer.compile(checkpointer=saver), saver


def _saved(saver: InMemorySaver) -> dict[str, int]:
    """Checkpoints saved on the thread, per namespace (task ids left out)."""
    counts: dict[str, int] = {}
    for c in saver.list({"configurable": {"thread_id": "t"}}):
        ns = c.config["configurable"]["checkpoint_ns"].split(":")[0]
        counts[ns] = counts.get(ns, 0) + 1
    return counts


@pytest.mark.parametrize("own_saver", [True, False], ids=["own saver", "parent's saver"])
@pytest.mark.parametrize(
    ("outer", "inner", "saved"),
    [
        ("exit", None, {"": 1}),
        ("exit", "sync", {"": 1, "call": 4}),
        ("exit", "exit", {"": 1}),
        ("sync", None, {"": 4, "call": 4, "sub": 4}),
        ("async", None, {"": 4, "call": 4, "sub": 4}),
        ("sync", "exit", {"": 4, "sub": 4}),
        ("async", "sync", {"": 4, "call": 4, "sub": 4}),
    ],
)
def test_a_subgraph_takes_its_parents_durability_unless_its_call_names_one(
    own_saver: bool, outer: str, inner: str | None, saved: dict[str, int]
) -> None:
    app, saver = _app(own_saver, inner)
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"k": ""}, config, durability=outer) == {"k": "ababab"}
    assert _saved(saver) == saved


@pytest.mark.anyio
async def test_ainvoke_passes_the_parents_exit_durability_down_too() -> None:
    app, saver = _app(True, None)
    config = {"configurable": {"thread_id": "t"}}
    assert await app.ainvoke({"k": ""}, config, durability="exit") == {"k": "ababab"}
    assert _saved(saver) == {"": 1}
