"""A graph's store reaches its nodes: as ``store``, ``runtime.store``, ``get_store()``, tools.

Expected values were taken from LangGraph 1.2.22 running the same programs.
"""

import operator
from typing import Annotated, Any

import pytest
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from typing_extensions import TypedDict

from langgraph_lite.channels import LastValue
from langgraph_lite.config import get_store
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.prebuilt import InjectedStore, ToolNode
from langgraph_lite.pregel import NodeBuilder, Pregel
from langgraph_lite.runtime import Runtime
from langgraph_lite.store.memory import InMemoryStore


class State(TypedDict):
    x: int
    log: Annotated[list, operator.add]


def _graph_of_three():
    def put(state, *, store):
        store.put(("ns",), "k", {"v": state["x"]})
        return {"log": [f"same:{get_store() is store}"]}

    def read(state, runtime: Runtime):
        return {"log": [runtime.store.get(("ns",), "k").value]}

    async def aread(state, *, store):
        item = await store.aget(("ns",), "k")
        return {"log": [f"async:{item.value['v']}"]}

    g = StateGraph(State)
    g.add_node("put", put)
    g.add_node("read", read)
    g.add_node("aread", aread)
    g.add_edge(START, "put")
    g.add_edge("put", "read")
    g.add_edge("read", "aread")
    return g


def test_nodes_get_the_compiled_store_as_a_parameter_from_get_store_and_from_runtime():
    store = InMemoryStore()
    g = StateGraph(State)

    def put(state, *, store):
        store.put(("ns",), "k", {"v": state["x"]})
        return {"log": [f"same:{get_store() is store}"]}

    def read(state, runtime: Runtime):
        return {"log": [runtime.store.get(("ns",), "k").value]}

    g.add_node("put", put)
    g.add_node("read", read)
    g.add_edge(START, "put")
    g.add_edge("put", "read")
    app = g.compile(store=store)
    assert list(app.stream({"x": 2, "log": []}, stream_mode="updates")) == [
        {"put": {"log": ["same:True"]}},
        {"read": {"log": [{"v": 2}]}},
    ]
    assert store.get(("ns",), "k").value == {"v": 2}


@pytest.mark.anyio
async def test_async_nodes_and_sync_nodes_under_ainvoke_see_the_store():
    store = InMemoryStore()
    app = _graph_of_three().compile(store=store)
    out = await app.ainvoke({"x": 5})
    assert out == {"x": 5, "log": ["same:True", {"v": 5}, "async:5"]}


def test_a_graph_without_a_store_gives_nodes_none():
    def node(state, *, store):
        return {"log": [f"store:{store}", f"get:{get_store()}"]}

    g = StateGraph(State)
    g.add_node("n", node)
    g.add_edge(START, "n")
    assert g.compile().invoke({"x": 1}) == {"x": 1, "log": ["store:None", "get:None"]}


def test_get_store_outside_a_node_raises_with_langgraphs_words():
    with pytest.raises(RuntimeError, match=r"^Called get_config outside of a runnable context"):
        get_store()


def test_a_subgraph_sees_its_parents_store():
    def inner(state, *, store):
        return {"log": [f"inner:{store is not None}"]}

    sub = StateGraph(State)
    sub.add_node("i", inner)
    sub.add_edge(START, "i")
    parent = StateGraph(State)
    parent.add_node("s", sub.compile())
    parent.add_edge(START, "s")
    assert parent.compile(store=InMemoryStore()).invoke({"x": 1}) == {
        "x": 1,
        "log": ["inner:True"],
    }
    assert parent.compile().invoke({"x": 1}) == {"x": 1, "log": ["inner:False"]}


def test_a_subgraph_called_from_a_node_uses_the_parents_store():
    store = InMemoryStore()

    def inner(state, *, store):
        store.put(("seen",), "inner", {"x": state["x"]})
        return {}

    sub = StateGraph(State)
    sub.add_node("i", inner)
    sub.add_edge(START, "i")
    sub_app = sub.compile()

    def outer(state):
        sub_app.invoke({"x": state["x"] * 10})
        return {}

    parent = StateGraph(State)
    parent.add_node("o", outer)
    parent.add_edge(START, "o")
    parent.compile(store=store).invoke({"x": 3})
    assert store.get(("seen",), "inner").value == {"x": 30}


def test_tools_with_injected_store_get_the_graphs_store_through_tool_node():
    class Messages(TypedDict):
        messages: Annotated[list, operator.add]

    @tool
    def remember(fact: str, store: Annotated[Any, InjectedStore()]) -> str:
        """Remember a fact."""
        store.put(("facts",), "f", {"fact": fact})
        return "ok"

    g = StateGraph(Messages)
    g.add_node("tools", ToolNode([remember]))
    g.add_edge(START, "tools")
    store = InMemoryStore()
    call = AIMessage("", tool_calls=[{"name": "remember", "args": {"fact": "tea"}, "id": "c1"}])
    out = g.compile(store=store).invoke({"messages": [call]})
    assert out["messages"][-1].content == "ok"
    assert store.get(("facts",), "f").value == {"fact": "tea"}
    with pytest.raises(ValueError, match=r"^Cannot inject store into tools with InjectedStore"):
        g.compile().invoke({"messages": [call]})


def test_pregel_takes_a_store_too():
    store = InMemoryStore()
    store.put(("a",), "b", {"v": 10})

    def add(x, *, store):
        return store.get(("a",), "b").value["v"] + x

    app = Pregel(
        nodes={"n": NodeBuilder().subscribe_only("a").do(add).write_to("b")},
        channels={"a": LastValue(int), "b": LastValue(int)},
        input_channels="a",
        output_channels="b",
        store=store,
    )
    assert app.invoke(1) == 11
