"""A graph invoked from inside a node of a running graph, as LangGraph 1.2.22 runs it.

Expected values were observed by running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.config import get_config
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.runtime import Runtime


class S(TypedDict):
    x: Annotated[list, operator.add]


class One(TypedDict):
    x: str


def _inner(checkpointer: Any, seen: list[dict[str, Any]]) -> Any:
    def a(s: S) -> dict[str, Any]:
        c = get_config()
        seen.append(
            {
                "ns": re.sub(r"[0-9a-f-]{36}", "<id>", c["configurable"]["checkpoint_ns"]),
                "thread": c["configurable"].get("thread_id"),
                "foo": c["configurable"].get("foo"),
                "tags": c.get("tags"),
                "m": c["metadata"].get("m"),
            }
        )
        return {"x": [len(s["x"])]}

    return StateGraph(S).add_node("a", a).add_edge(START, "a").compile(checkpointer=checkpointer)


def _outer(inner: Any, saver: Any) -> Any:
    def call(s: S) -> dict[str, Any]:
        first = inner.invoke({"x": ["i"]})
        second = inner.invoke({"x": ["j"]})
        return {"x": [first["x"], second["x"]]}

    return StateGraph(S).add_node("call", call).add_edge(START, "call").compile(checkpointer=saver)


def _namespaces(saver: InMemorySaver, thread: str) -> list[tuple[str, int]]:
    return sorted(
        (re.sub(r"[0-9a-f-]{36}", "<id>", ns), len(saver.storage[thread][ns]))
        for ns in saver.storage[thread]
    )


CONFIG = {"configurable": {"thread_id": "1", "foo": "bar"}, "tags": ["t1"], "metadata": {"m": 1}}


def test_a_graph_invoked_in_a_node_runs_under_the_parents_thread_and_saver() -> None:
    class Text(TypedDict):
        x: str

    inner = StateGraph(Text).add_node("a", lambda s: {"x": s["x"] + "!"})
    inner_app = inner.add_edge(START, "a").compile()
    outer = StateGraph(Text).add_node("call", lambda s: {"x": inner_app.invoke(s)["x"]})
    app = outer.add_edge(START, "call").compile(checkpointer=InMemorySaver())
    assert app.invoke({"x": "hi"}, {"configurable": {"thread_id": "1"}}) == {"x": "hi!"}


@pytest.mark.parametrize(
    ("checkpointer", "second", "namespaces"),
    [
        (
            None,
            [["i", 1], ["j", 1], ["i", 1], ["j", 1]],
            [("", 6), ("call:<id>", 3), ("call:<id>", 3), ("call:<id>|1", 3), ("call:<id>|1", 3)],
        ),
        (False, [["i", 1], ["j", 1], ["i", 1], ["j", 1]], [("", 6)]),
        (
            True,
            [["i", 1], ["j", 1], ["i", 1, "i", 3], ["j", 1, "j", 3]],
            [("", 6), ("call", 6), ("call|1", 6)],
        ),
    ],
)
def test_a_subgraphs_checkpointer_setting_decides_where_and_whether_it_is_saved(
    checkpointer: Any, second: list[Any], namespaces: list[tuple[str, int]]
) -> None:
    seen: list[dict[str, Any]] = []
    saver = InMemorySaver()
    app = _outer(_inner(checkpointer, seen), saver)
    assert app.invoke({"x": []}, CONFIG) == {"x": [["i", 1], ["j", 1]]}
    assert app.invoke({"x": []}, CONFIG) == {"x": second}
    assert _namespaces(saver, "1") == namespaces
    # the history of the thread is the parent's own: 2 runs x (input, loop, ... ) = 6
    assert len(list(app.get_state_history({"configurable": {"thread_id": "1"}}))) == 6
    prefix = "call" if checkpointer is True else "call:<id>"
    assert [s["ns"] for s in seen[:2]] == [f"{prefix}|a:<id>", f"{prefix}|1|a:<id>"]
    for s in seen:  # the node's configurable, tags and metadata flow down
        assert (s["thread"], s["foo"], s["tags"], s["m"]) == ("1", "bar", ["t1"], 1)


@pytest.mark.anyio
async def test_a_stateful_subgraph_keeps_its_state_across_async_parent_runs() -> None:
    seen: list[dict[str, Any]] = []
    inner = _inner(True, seen)

    async def call(s: S) -> dict[str, Any]:
        return {"x": [(await inner.ainvoke({"x": ["i"]}))["x"]]}

    saver = InMemorySaver()
    app = StateGraph(S).add_node("call", call).add_edge(START, "call").compile(checkpointer=saver)
    assert await app.ainvoke({"x": []}, CONFIG) == {"x": [["i", 1]]}
    assert await app.ainvoke({"x": []}, CONFIG) == {"x": [["i", 1], ["i", 1, "i", 3]]}
    assert _namespaces(saver, "1") == [("", 6), ("call", 6)]


def test_a_stateful_subgraph_under_a_parent_without_saver_runs_unsaved() -> None:
    inner = _inner(True, [])
    outer = StateGraph(S).add_node("call", lambda s: {"x": inner.invoke({"x": ["i"]})["x"]})
    assert outer.add_edge(START, "call").compile().invoke({"x": []}) == {"x": ["i", 1]}


def test_checkpointer_true_on_a_graph_run_directly_raises_langgraphs_error() -> None:
    app = _inner(True, [])
    with pytest.raises(RuntimeError, match="checkpointer=True cannot be used for root graphs"):
        app.invoke({"x": []})
    with pytest.raises(RuntimeError, match="checkpointer=True cannot be used for root graphs"):
        app.invoke({"x": []}, {"configurable": {"thread_id": "1"}})


@dataclass
class Ctx:
    user: str


def _context_graphs() -> Any:
    def a(s: One, runtime: Runtime[Ctx]) -> dict[str, Any]:
        return {"x": s["x"] + type(runtime.context).__name__ + ":" + runtime.context.user}

    inner = StateGraph(One, context_schema=Ctx).add_node("a", a).add_edge(START, "a").compile()

    def call(s: One) -> dict[str, Any]:
        return {"x": inner.invoke({"x": s["x"] + ">"})["x"]}

    outer = StateGraph(One, context_schema=Ctx).add_node("call", call).add_edge(START, "call")
    return inner, outer.compile(checkpointer=InMemorySaver())


def test_a_context_dict_becomes_the_context_schema_and_reaches_a_subgraph() -> None:
    inner, outer = _context_graphs()
    assert outer.invoke({"x": ""}, {"thread_id": "t"}, context={"user": "u1"}) == {"x": ">Ctx:u1"}
    assert outer.get_state({"configurable": {"thread_id": "t"}}).values == {"x": ">Ctx:u1"}
    assert inner.invoke({"x": ""}, context={"user": "u2"}) == {"x": "Ctx:u2"}


@pytest.mark.anyio
async def test_a_context_dict_becomes_the_context_schema_under_ainvoke() -> None:
    inner, outer = _context_graphs()
    out = await outer.ainvoke({"x": ""}, {"thread_id": "t"}, context={"user": "u1"})
    assert out == {"x": ">Ctx:u1"}
    assert await inner.ainvoke({"x": ""}, context={"user": "u2"}) == {"x": "Ctx:u2"}


def _asking_graphs() -> Any:
    from langgraph_lite.types import interrupt

    def ask(s: One) -> dict[str, Any]:
        return {"x": s["x"] + interrupt("q?")}

    inner = StateGraph(One).add_node("ask", ask).add_edge(START, "ask").compile()

    def call(s: One) -> dict[str, Any]:
        return {"x": inner.invoke({"x": s["x"] + ">"})["x"]}

    sub = StateGraph(One).add_node("ask", ask).add_edge(START, "ask").compile()
    outer = StateGraph(One).add_node("call", call).add_node("sub", sub)
    outer.add_edge(START, "call").add_edge("call", "sub")
    return outer.compile(checkpointer=InMemorySaver())


def test_get_subgraphs_finds_declared_subgraphs_and_graphs_a_node_function_calls() -> None:
    app = _asking_graphs()
    assert [n for n, _ in app.get_subgraphs()] == ["call", "sub"]
    assert [n for n, _ in app.get_subgraphs(namespace="sub")] == ["sub"]
    assert [n for n, _ in app.get_subgraphs(namespace="su")] == []


def test_an_interrupt_in_a_graph_invoked_by_a_node_is_shown_resumed_and_edited() -> None:
    from langgraph_lite.types import Command

    app = _asking_graphs()
    c = {"configurable": {"thread_id": "1"}}
    out = app.invoke({"x": "a"}, c)
    assert (out["x"], [i.value for i in out["__interrupt__"]]) == ("a", ["q?"])
    state = app.get_state(c, subgraphs=True)
    assert state.next == ("call",)
    inner_state = state.tasks[0].state
    assert (inner_state.values, inner_state.next) == ({"x": "a>"}, ("ask",))
    assert "langgraph_node" not in inner_state.metadata
    assert [i.value for i in state.interrupts] == ["q?"]
    # the subgraph's namespace is read with the subgraph's own graph
    (ns,) = [n for n in app.checkpointer.storage["1"] if n]
    at_ns = {"configurable": {"thread_id": "1", "checkpoint_ns": ns}}
    assert (app.get_state(at_ns).values, app.get_state(at_ns).next) == ({"x": "a>"}, ("ask",))
    assert [h.values for h in app.get_state_history(at_ns)] == [{"x": "a>"}, {}]
    app.update_state(at_ns, {"x": "z"})
    out = app.invoke(Command(resume="!"), c)
    assert (out["x"], [i.value for i in out["__interrupt__"]]) == ("z!", ["q?"])
    sub_state = app.get_state(c, subgraphs=True).tasks[0].state
    assert (sub_state.values, sub_state.next) == ({"x": "z!"}, ("ask",))
    assert sub_state.config["configurable"]["checkpoint_ns"].startswith("sub:")
    app.update_state(sub_state.config, {"x": "edited"})
    assert app.invoke(Command(resume="?"), c) == {"x": "edited?"}
    assert len(list(app.get_state_history(c))) == 4


def test_update_state_on_the_namespace_of_an_unknown_subgraph_raises() -> None:
    app = _asking_graphs()
    c = {"configurable": {"thread_id": "1", "checkpoint_ns": "tools:0d5e6c1e"}}
    with pytest.raises(ValueError, match="Subgraph tools not found"):
        app.update_state(c, {"x": "z"})


@pytest.mark.parametrize(
    ("checkpointer", "expected"),
    [
        (None, [("call:<id>",), ("call:<id>", "1"), (), ("sub:<id>",), ()]),
        (True, [("call",), ("call", "1"), (), ("sub",), ()]),
    ],
)
def test_subgraph_stream_namespaces_are_the_namespaces_they_are_saved_under(
    checkpointer: Any, expected: list[tuple[str, ...]]
) -> None:
    inner = StateGraph(One).add_node("a", lambda s: {"x": s["x"] + "!"}).add_edge(START, "a")
    inner_app = inner.compile(checkpointer=checkpointer)

    def call(s: One) -> dict[str, Any]:
        inner_app.invoke(s)
        return {"x": inner_app.invoke(s)["x"]}

    outer = StateGraph(One).add_node("call", call).add_node("sub", inner_app)
    app = (
        outer.add_edge(START, "call").add_edge("call", "sub").compile(checkpointer=InMemorySaver())
    )
    chunks = app.stream(
        {"x": ""}, {"configurable": {"thread_id": "1"}}, stream_mode="updates", subgraphs=True
    )
    got = [tuple(re.sub(r"[0-9a-f-]{36}", "<id>", p) for p in ns) for ns, _ in chunks]
    assert got == expected
