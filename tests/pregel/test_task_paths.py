"""Task paths as LangGraph shows and saves them: a Send's task is ``(PUSH, index, False)`` in
``get_state().tasks`` and the config's ``langgraph_path``; savers get the path as text
(``task_path``) whose order is the paths' order, so a step's writes replay in task order."""

import operator
import sqlite3
from typing import Annotated, TypedDict

from hypothesis import given
from hypothesis import strategies as st

from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.pregel.persistence import path_text
from langgraph_lite.types import Send, interrupt


class Fan(TypedDict):
    x: Annotated[list, operator.add]


def fan_graph(saver, sends: int = 12):
    def worker(state):
        if state["x"] == [sends - 1]:
            interrupt("the last one waits")
        return {"x": [state["x"][0] * 10]}

    builder = StateGraph(Fan)
    builder.add_node("a", lambda state: {})
    builder.add_node("w", worker)
    builder.add_edge(START, "a")
    builder.add_conditional_edges(
        "a", lambda state: [Send("w", {"x": [i]}) for i in range(sends)], ["w"]
    )
    builder.add_edge("w", END)
    return builder.compile(checkpointer=saver)


def test_a_sends_task_shows_and_saves_its_path_as_langgraph_does():
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    graph = fan_graph(SqliteSaver(conn))
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"x": []}, config)
    tasks = graph.get_state(config).tasks
    assert [t.path for t in tasks] == [("__pregel_push", i, False) for i in range(12)]
    saved = dict(
        conn.execute("SELECT channel, task_path FROM writes WHERE channel = '__interrupt__'")
    )
    assert saved == {"__interrupt__": "~__pregel_push, 0000000011, 0000000000"}
    paths = [p for (p,) in conn.execute("SELECT task_path FROM writes WHERE channel = 'x'")]
    assert "~__pregel_pull, __start__" in paths
    assert "~__pregel_push, 0000000010, 0000000000" in paths
    # the twelve workers' writes, replayed in task order: 0, 10, 20, ... (not 0, 100, 10, ...)
    assert graph.invoke(None, config)["x"][:11] == [i * 10 for i in range(11)]


def test_a_nodes_config_names_its_send_path():
    seen = []

    def worker(state, config):
        seen.append(config["metadata"]["langgraph_path"])
        return {}

    builder = StateGraph(Fan)
    builder.add_node("w", worker)
    builder.add_conditional_edges(START, lambda s: [Send("w", {"x": []})], ["w"])
    builder.add_edge("w", END)
    builder.compile().invoke({"x": []})
    assert seen == [("__pregel_push", 0, False)]


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
task_paths = st.one_of(
    st.tuples(st.just("__pregel_pull"), names),
    st.tuples(st.just("__pregel_push"), st.integers(0, 10**9), st.just(False)),
)


@given(st.lists(task_paths, min_size=2, max_size=8))
def test_path_texts_sort_as_the_paths_do(paths):
    assert sorted(paths, key=path_text) == sorted(paths)
