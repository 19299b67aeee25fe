"""checkpoints / debug modes: what a checkpoint event says of its parent and of its subgraphs."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def _says(name):
    return lambda state: {"log": [name]}


def _two_steps(first, second, **compile_kwargs):
    builder = StateGraph(State)
    builder.add_node(first[0], first[1])
    builder.add_node(second[0], second[1])
    builder.add_edge(START, first[0])
    builder.add_edge(first[0], second[0])
    builder.add_edge(second[0], END)
    return builder.compile(**compile_kwargs)


def _nested(checkpointer):
    child = _two_steps(("c1", _says("c1")), ("c2", _says("c2")))
    parent = _two_steps(("p1", _says("p1")), ("p2", child))
    return _two_steps(("g1", _says("g1")), ("g2", parent), checkpointer=checkpointer)


CONFIG = {"configurable": {"thread_id": "t"}}


def _checkpoints_by_ns(graph, **kwargs):
    by_ns: dict[tuple, list] = {}
    for ns, event in graph.stream({"log": []}, CONFIG, stream_mode="checkpoints",
                                  subgraphs=True, **kwargs):  # fmt: skip
        by_ns.setdefault(ns, []).append(event)
    return by_ns


def _ids(config):
    return None if config is None else config["configurable"]["checkpoint_id"]


def test_each_checkpoint_event_names_the_one_before_as_its_parent():
    graph = _nested(InMemorySaver())
    by_ns = _checkpoints_by_ns(graph)
    for ns, events in by_ns.items():
        history = list(graph.get_state_history({"configurable": {
            "thread_id": "t", "checkpoint_ns": "|".join(ns)}}))[::-1]  # fmt: skip
        assert [_ids(e["config"]) for e in events] == [_ids(h.config) for h in history]
        assert [_ids(e["parent_config"]) for e in events] == [
            _ids(h.parent_config) for h in history
        ]
        assert events[0]["parent_config"] is None


def test_a_task_that_runs_a_subgraph_points_at_its_checkpoints():
    graph = _nested(InMemorySaver())
    by_ns = _checkpoints_by_ns(graph)
    (inner_ns,) = [ns for ns in by_ns if len(ns) == 1]
    before_p2 = next(e for e in by_ns[inner_ns] if e["next"] == ["p2"])
    (task,) = before_p2["tasks"]
    expected_ns = f"{inner_ns[0]}|p2:{task['id']}"
    assert task["state"] == {"configurable": {"thread_id": "t", "checkpoint_ns": expected_ns}}
    # get_state of the middle graph says the same of that task
    history = graph.get_state_history({"configurable": {"thread_id": "t",
                                                         "checkpoint_ns": inner_ns[0]}})  # fmt: skip
    snapshot = next(h for h in history if h.next == ("p2",))
    assert snapshot.tasks[0].state == task["state"]
    plain = next(e for e in by_ns[()] if e["next"] == ["g1"])
    assert plain["tasks"][0]["state"] is None  # a plain function node runs no subgraph


def test_exit_durability_still_reports_every_step_without_a_parent():
    saver = InMemorySaver()
    graph = _two_steps(("a", _says("a")), ("b", _says("b")), checkpointer=saver)
    events = list(graph.stream({"log": []}, CONFIG, stream_mode="checkpoints", durability="exit"))
    assert [e["metadata"]["step"] for e in events] == [-1, 0, 1, 2]
    assert [e["parent_config"] for e in events] == [None] * 4
    assert len({_ids(e["config"]) for e in events}) == 4
    (saved,) = list(graph.get_state_history(CONFIG))  # only the last one is kept
    assert _ids(saved.config) == _ids(events[-1]["config"])
    assert saved.values == events[-1]["values"] == {"log": ["a", "b"]}


def test_exit_durability_keeps_no_checkpoint_of_a_finished_subgraph():
    saver = InMemorySaver()
    graph = _nested(saver)
    by_ns = _checkpoints_by_ns(graph, durability="exit")
    assert len(by_ns) == 3  # every graph still reports its steps
    for ns in by_ns:
        kept = list(saver.list({"configurable": {"thread_id": "t", "checkpoint_ns": "|".join(ns)}}))
        assert len(kept) == (0 if ns else 1)


@pytest.mark.anyio
async def test_debug_mode_in_async_runs_reports_the_same_checkpoints():
    graph = _nested(InMemorySaver())
    events = [e async for e in graph.astream({"log": []}, CONFIG, stream_mode="debug")]
    checkpoints = [e["payload"] for e in events if e["type"] == "checkpoint"]
    history = [h async for h in graph.aget_state_history(CONFIG)][::-1]
    assert [_ids(c["config"]) for c in checkpoints] == [_ids(h.config) for h in history]
    assert [[t["state"] for t in c["tasks"]] for c in checkpoints] == [
        [t.state for t in h.tasks] for h in history
    ]


def test_a_nested_subgraphs_checkpoint_events_name_every_enclosing_checkpoint():
    # LangGraph 1.2.22: a subgraph's streamed checkpoint config (and its parent's) carries the
    # checkpoint_map its history shows, so either can be used to replay from there.
    class Log(TypedDict):
        log: Annotated[list[str], operator.add]

    def leaf(name):
        return lambda state: {"log": [name]}

    inner = StateGraph(Log).add_node("c", leaf("c")).add_edge(START, "c").compile()
    middle = StateGraph(Log).add_node("p", leaf("p")).add_node("inner", inner)
    middle = middle.add_edge(START, "p").add_edge("p", "inner").compile()
    outer = StateGraph(Log).add_node("g", leaf("g")).add_node("middle", middle)
    outer = outer.add_edge(START, "g").add_edge("g", "middle").compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "nested"}}

    events = list(outer.stream({"log": []}, config, stream_mode="checkpoints", subgraphs=True))

    for ns, event in events:
        conf = event["config"]["configurable"]
        if not ns:
            assert "checkpoint_map" not in conf
            continue
        history = outer.get_state_history(
            {"configurable": {"thread_id": "nested", "checkpoint_ns": conf["checkpoint_ns"]}}
        )
        same = next(
            s for s in history if s.config["configurable"]["checkpoint_id"] == conf["checkpoint_id"]
        )
        assert conf["checkpoint_map"] == same.config["configurable"]["checkpoint_map"]
        assert len(conf["checkpoint_map"]) == len(ns) + 1
        if event["parent_config"] is not None:
            assert event["parent_config"]["configurable"]["checkpoint_map"] == conf[
                "checkpoint_map"
            ] | {conf["checkpoint_ns"]: event["parent_config"]["configurable"]["checkpoint_id"]}


@pytest.mark.parametrize("durability", ["sync", "exit"])
def test_a_uuid_thread_id_is_named_as_text_in_checkpoint_configs(durability):
    import uuid

    class One(TypedDict):
        a: int

    graph = StateGraph(One).add_node("n", lambda s: {"a": 1}).add_edge(START, "n")
    graph = graph.compile(checkpointer=InMemorySaver())
    thread = uuid.uuid4()
    config = {"configurable": {"thread_id": thread}}

    events = list(graph.stream({"a": 0}, config, stream_mode="checkpoints", durability=durability))

    assert {e["config"]["configurable"]["thread_id"] for e in events} == {str(thread)}
    assert graph.get_state(config).config["configurable"]["thread_id"] == str(thread)
