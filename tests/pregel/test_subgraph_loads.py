"""A subgraph run reads its namespace only when something can be saved there.

Its namespace names the parent's task, whose id is derived from the checkpoint the task's step
started from: a step this run made has tasks no earlier run had, so their subgraphs start
afresh without asking the saver (one read fewer per subgraph run: a thread hop, or a wait
behind SQLite's commits). A resumed step's tasks, a second graph run in one task, and a replay
load as always, and every result is the one a read would give.
"""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, Send, interrupt


class Log(TypedDict):
    log: Annotated[list, operator.add]


class Reads(InMemorySaver):
    """An InMemorySaver that records the namespaces runs read."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def get_tuple_for_run(self, config):  # (aget_tuple_for_run calls it too)
        self.read.append(config["configurable"].get("checkpoint_ns", ""))
        return super().get_tuple_for_run(config)


def child_graph(ask: bool):
    def child(state):
        if ask:
            return {"log": [interrupt("ok?")]}
        return {"log": ["child"]}

    inner = StateGraph(Log)
    inner.add_node("child", child)
    inner.add_edge(START, "child")
    return inner.compile()


def fan_out(saver, ask=False):
    outer = StateGraph(Log)
    outer.add_node("sub", child_graph(ask))
    outer.add_conditional_edges(START, lambda s: [Send("sub", {"log": []}) for _ in range(3)])
    return outer.compile(checkpointer=saver)


@pytest.mark.anyio
async def test_subgraphs_of_a_new_step_read_nothing_and_run_as_before():
    saver = Reads()
    config = {"configurable": {"thread_id": "t"}}
    assert fan_out(saver).invoke({"log": []}, config) == {"log": ["child"] * 3}
    assert saver.read == [""]  # the parent's thread only
    assert await fan_out(saver).ainvoke({"log": []}, config) == {"log": ["child"] * 6}
    assert saver.read == ["", ""]
    # what the subgraphs saved is there all the same
    state = fan_out(saver).get_state(config, subgraphs=True)
    assert state.values == {"log": ["child"] * 6}


def test_subgraphs_of_a_resumed_step_load_what_they_saved():
    saver = Reads()
    graph = fan_out(saver, ask=True)
    config = {"configurable": {"thread_id": "t"}}
    first = graph.invoke({"log": []}, config)
    assert [i.value for i in first["__interrupt__"]] == ["ok?"] * 3
    assert saver.read == [""]
    answers = {i.id: f"yes {n}" for n, i in enumerate(first["__interrupt__"])}
    done = graph.invoke(Command(resume=answers), config)
    assert sorted(done["log"]) == ["yes 0", "yes 1", "yes 2"]
    resumed = [ns for ns in saver.read[1:] if ns]
    assert len(resumed) == 3 and all(ns.startswith("sub:") for ns in resumed)


def test_a_second_run_of_a_graph_in_one_task_loads_its_namespace():
    saver = Reads()
    inner = child_graph(ask=False)

    def twice(state):
        return {"log": inner.invoke({"log": []})["log"] + inner.invoke({"log": []})["log"]}

    outer = StateGraph(Log)
    outer.add_node("twice", twice)
    outer.add_edge(START, "twice")
    graph = outer.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t"}}
    assert graph.invoke({"log": []}, config) == {"log": ["child", "child"]}
    # the first call's namespace is new; the second's ("<task ns>|1") is read
    assert [ns.split(":")[0] + ns[-2:] for ns in saver.read] == ["", "twice|1"]


def test_a_replayed_step_loads_its_subgraphs_from_before_it():
    saver = Reads()
    graph = fan_out(saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"log": []}, config)
    graph.invoke({"log": []}, config)
    history = list(graph.get_state_history(config))
    before_second = next(s for s in history if s.next == ("sub", "sub", "sub"))
    saver.read.clear()
    assert graph.invoke(None, before_second.config)["log"] == ["child"] * 6
    assert len(saver.read) > 1  # the subgraphs asked what they stood at before it
