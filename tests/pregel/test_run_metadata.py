"""What a node finds in ``config["metadata"]`` and what a checkpoint's metadata keeps.

Expected values were observed by running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.config import get_config
from langgraph_lite.graph import START, StateGraph


class S(TypedDict):
    x: int


def _graph(seen: list[tuple[str, dict[str, Any]]], checkpointer: Any = None) -> Any:
    def user_keys() -> dict[str, Any]:
        metadata = get_config()["metadata"]
        return {k: v for k, v in metadata.items() if not k.startswith("langgraph_")}

    def inner(s: S) -> dict[str, Any]:
        seen.append(("inner", user_keys()))
        return {"x": 2}

    def outer(s: S) -> dict[str, Any]:
        seen.append(("outer", user_keys()))
        return {"x": 1}

    sub = StateGraph(S).add_node("inner", inner).add_edge(START, "inner").compile()
    builder = StateGraph(S).add_node("outer", outer).add_node("sub", sub)
    builder.add_edge(START, "outer").add_edge("outer", "sub")
    return builder.compile(checkpointer=checkpointer)


def test_a_node_reads_the_runs_ids_in_its_metadata_and_a_checkpoint_keeps_them_out() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    graph = _graph(seen, InMemorySaver())
    config = {
        "configurable": {
            "thread_id": "t1",
            "run_id": "r",
            "assistant_id": "a",
            "graph_id": "",  # empty: not copied
            "task_id": "tt",
            "api_key": "k",  # not an id: never copied into a node's metadata
        },
        "metadata": {"m": 1},
    }
    graph.invoke({"x": 0}, config)
    ids = {"m": 1, "thread_id": "t1", "run_id": "r", "assistant_id": "a", "task_id": "tt"}
    assert seen[0] == ("outer", ids)
    # a subgraph's run also gets its own namespace
    assert seen[1][0] == "inner"
    assert seen[1][1].pop("checkpoint_ns").startswith("sub:")
    assert seen[1][1] == ids
    # the checkpoint keeps scalar configurable values but not its own coordinates
    assert graph.get_state(config).metadata == {
        "source": "loop",
        "step": 2,
        "parents": {},
        "m": 1,
        "run_id": "r",
        "assistant_id": "a",
        "task_id": "tt",
        "graph_id": "",
        "api_key": "k",
    }


def test_a_replay_shows_the_checkpoint_id_it_started_from_to_its_nodes_only() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    graph = _graph(seen, InMemorySaver())
    thread = {"configurable": {"thread_id": "t2"}}
    graph.invoke({"x": 0}, thread)
    before_outer = next(s for s in graph.get_state_history(thread) if s.next == ("outer",))
    start = before_outer.config["configurable"]["checkpoint_id"]
    seen.clear()
    graph.invoke(None, {"configurable": {"thread_id": "t2", "checkpoint_id": start}})
    assert seen[0] == ("outer", {"thread_id": "t2", "checkpoint_id": start})
    assert graph.get_state(thread).metadata == {"source": "loop", "step": 3, "parents": {}}


def test_without_a_checkpointer_the_thread_id_still_reaches_the_node() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    _graph(seen).invoke({"x": 0}, {"configurable": {"thread_id": "t3", "user": "u"}})
    assert seen[0] == ("outer", {"thread_id": "t3"})
