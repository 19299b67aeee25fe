"""Which saver a run or a read uses, picked as LangGraph picks it: a saver lent in
``configurable["__pregel_checkpointer"]`` (``CONFIG_KEY_CHECKPOINTER``) before the graph's own;
inside a persisted run, the run's saver (a subgraph keeps its checkpoints in the parent's
thread, whatever saver of its own it has); never one with ``checkpointer=False``."""

import operator
from typing import Annotated, TypedDict

import pytest

from langgraph_lite._internal._constants import CONFIG_KEY_CHECKPOINTER
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph

pytestmark = pytest.mark.anyio


class Log(TypedDict):
    x: Annotated[list, operator.add]


def builder():
    b = StateGraph(Log)
    b.add_node("a", lambda state: {"x": ["a1"]})
    b.add_edge(START, "a")
    b.add_edge("a", END)
    return b


def lent(saver, thread="1", **more):
    return {"configurable": {"thread_id": thread, CONFIG_KEY_CHECKPOINTER: saver, **more}}


def test_a_graph_without_a_saver_runs_and_reads_through_a_lent_one():
    saver, app = InMemorySaver(), builder().compile()
    config = lent(saver)
    assert app.invoke({"x": ["in"]}, config) == {"x": ["in", "a1"]}
    assert len(list(saver.list(None))) == 3
    assert app.get_state(config).values == {"x": ["in", "a1"]}
    app.update_state(config, {"x": ["edit"]}, as_node="a")
    assert [s.values["x"] for s in app.get_state_history(config)][:2] == [
        ["in", "a1", "edit"],
        ["in", "a1"],
    ]


async def test_the_async_methods_use_a_lent_saver_too():
    saver, app = InMemorySaver(), builder().compile()
    config = lent(saver)
    await app.ainvoke({"x": ["in"]}, config)
    await app.aupdate_state(config, {"x": ["edit"]}, as_node="a")
    assert (await app.aget_state(config)).values == {"x": ["in", "a1", "edit"]}
    history = [s.values async for s in app.aget_state_history(config)]
    assert history[:2] == [{"x": ["in", "a1", "edit"]}, {"x": ["in", "a1"]}]


def test_a_lent_saver_is_used_instead_of_the_graphs_own():
    own, other = InMemorySaver(), InMemorySaver()
    app = builder().compile(checkpointer=own)
    app.invoke({"x": []}, lent(other))
    assert list(own.list(None)) == [] and len(list(other.list(None))) == 3


def test_checkpointer_false_ignores_a_lent_saver():
    saver, app = InMemorySaver(), builder().compile(checkpointer=False)
    config = lent(saver, checkpoint_ns="child:1")
    with pytest.raises(ValueError, match="No checkpointer set"):
        app.update_state(config, {"x": ["x"]}, as_node="a")
    assert app.invoke({"x": []}, lent(saver)) == {"x": ["a1"]}
    assert list(saver.list(None)) == []


def test_checkpointer_true_at_the_root_needs_a_lent_saver():
    app = builder().compile(checkpointer=True)
    for call in (
        lambda: app.get_state({"configurable": {"thread_id": "1"}}),
        lambda: app.invoke({"x": []}, {"configurable": {"thread_id": "1"}}),
    ):
        with pytest.raises(RuntimeError, match="checkpointer=True cannot be used for root"):
            call()
    saver = InMemorySaver()
    assert app.invoke({"x": []}, lent(saver)) == {"x": ["a1"]}
    assert app.get_state(lent(saver)).values == {"x": ["a1"]}


def test_no_saver_at_all_says_so():
    app = builder().compile()
    for call in (app.get_state, lambda c: list(app.get_state_history(c))):
        with pytest.raises(ValueError, match="No checkpointer set"):
            call({"configurable": {"thread_id": "1"}})


def test_a_subgraph_with_a_saver_of_its_own_saves_in_its_parents_thread():
    own, parents = InMemorySaver(), InMemorySaver()
    child = builder().compile(checkpointer=own)
    parent = StateGraph(Log)
    parent.add_node("node", lambda state: child.invoke({"x": ["c"]}))
    parent.add_node("sub", child)
    parent.add_edge(START, "node")
    parent.add_edge("node", "sub")
    parent.compile(checkpointer=parents).invoke({"x": []}, {"configurable": {"thread_id": "1"}})
    assert list(own.list(None)) == []
    namespaces = {
        t.config["configurable"]["checkpoint_ns"].split(":")[0] for t in parents.list(None)
    }
    assert namespaces == {"", "node", "sub"}


def test_a_checkpointer_true_subgraphs_calls_read_back_through_a_lent_saver():
    child = builder().compile(checkpointer=True)

    def node(state):
        child.invoke({"x": ["first"]})
        child.invoke({"x": ["second"]})
        return {}

    parent = StateGraph(Log)
    parent.add_node("node", node)
    parent.add_edge(START, "node")
    saver = InMemorySaver()
    parent.compile(checkpointer=saver).invoke({"x": []}, {"configurable": {"thread_id": "1"}})
    read = [child.get_state(lent(saver, checkpoint_ns=ns)).values for ns in ("node", "node|1")]
    assert read == [{"x": ["first", "a1"]}, {"x": ["second", "a1"]}]


def test_the_saver_a_subgraph_or_a_lent_read_uses_rebuilds_the_graphs_own_classes(tmp_path):
    import dataclasses

    from langgraph_lite.checkpoint.sqlite import SqliteSaver
    from langgraph_lite.types import Command, interrupt

    @dataclasses.dataclass
    class Point:
        y: int

    class Inner(TypedDict):
        p: Point
        a: str

    def inner(own_saver):
        b = StateGraph(Inner)
        b.add_node("s", lambda state: {"p": Point(state["p"].y + 1)})
        b.add_node("ask", lambda state: {"a": interrupt("?")})
        b.add_edge(START, "s")
        b.add_edge("s", "ask")
        return b.compile(checkpointer=own_saver)

    class Outer(TypedDict):
        v: int

    for own in (None, InMemorySaver()):  # no saver of its own, or one the parent's replaces
        sub = inner(own)
        parent = StateGraph(Outer)
        parent.add_node(
            "call", lambda state, sub=sub: {"v": sub.invoke({"p": Point(state["v"])})["p"].y}
        )
        parent.add_edge(START, "call")
        with SqliteSaver.from_conn_string(str(tmp_path / f"{own is None}.db")) as saver:
            app = parent.compile(checkpointer=saver)
            config = {"configurable": {"thread_id": "t"}}
            app.invoke({"v": 1}, config)
            assert app.invoke(Command(resume="yes"), config) == {"v": 2}

    path = str(tmp_path / "lent.db")
    with SqliteSaver.from_conn_string(path) as saver:
        inner(None).invoke({"p": Point(1)}, lent(saver))
    with SqliteSaver.from_conn_string(path) as fresh:  # as another process would open it
        assert inner(None).get_state(lent(fresh)).values["p"] == Point(2)
