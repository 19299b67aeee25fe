"""``get_state`` lists a checkpoint's tasks as LangGraph does: those sent first, in their order,
then one per node in the order the nodes were added (not by name, the order a step runs them)."""

import operator
from typing import Annotated

from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Send


class State(TypedDict):
    log: Annotated[list, operator.add]


def writes(name):
    def node(state):
        return {"log": [name]}

    return node


def test_next_and_tasks_follow_the_order_the_nodes_were_added():
    graph = StateGraph(State)
    for name in ("slow", "bad", "quick"):
        graph.add_node(name, writes(name))
        graph.add_edge(START, name)
        graph.add_edge(name, END)
    app = graph.compile(checkpointer=InMemorySaver(), interrupt_before=["slow"])
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"log": []}, config)
    state = app.get_state(config)
    assert state.next == ("slow", "bad", "quick")
    assert [t.name for t in state.tasks] == ["slow", "bad", "quick"]
    # the step still applies its writes by name, as LangGraph's does
    assert app.invoke(None, config) == {"log": ["bad", "quick", "slow"]}


def test_sent_tasks_come_first_then_the_nodes_in_the_order_they_were_added():
    graph = StateGraph(State)
    for name in ("zeta", "router", "w", "alpha"):
        graph.add_node(name, writes(name))
    graph.add_edge(START, "router")
    graph.add_conditional_edges(
        "router", lambda s: [Send("w", {"log": []}), Send("w", {"log": []})]
    )
    graph.add_edge("router", "zeta")
    graph.add_edge("router", "alpha")
    app = graph.compile(checkpointer=InMemorySaver(), interrupt_before=["w"])
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"log": []}, config)
    state = app.get_state(config)
    assert state.next == ("w", "w", "zeta", "alpha")
    assert [t.path[:2] for t in state.tasks] == [
        ("__pregel_push", 0),
        ("__pregel_push", 1),
        ("__pregel_pull", "zeta"),
        ("__pregel_pull", "alpha"),
    ]
    assert [s.next for s in app.get_state_history(config)] == [
        ("w", "w", "zeta", "alpha"),
        ("router",),
        ("__start__",),
    ]
