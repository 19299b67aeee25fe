"""tasks, checkpoints and debug modes: payloads shaped as LangGraph's (observed on 1.2.22)."""

import itertools
import operator
import re
import time
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph


class S(TypedDict):
    x: int
    log: Annotated[list, operator.add]


def chain(checkpointer=None):
    b = StateGraph(S)
    b.add_node("a", lambda s: {"x": s["x"] + 1, "log": ["a"]})
    b.add_node("b", lambda s: {"log": ["b"]})
    b.add_edge(START, "a")
    b.add_edge("a", "b")
    return b.compile(checkpointer=checkpointer)


def scrub(value):
    """Ids and timestamps differ per run."""
    text = re.sub(r"'[0-9a-f]{8}-[0-9a-f-]{27}'", "'<id>'", repr(value))
    return re.sub(r"'20\d\d-[^']*'", "'<ts>'", text)


def test_tasks_mode_reports_each_task_start_and_result():
    chunks = list(chain().stream({"x": 1}, stream_mode="tasks"))
    assert [scrub(c) for c in chunks] == [
        "{'id': '<id>', 'name': 'a', 'input': {'x': 1, 'log': []}, 'triggers': ('branch:to:a',)}",
        "{'id': '<id>', 'name': 'a', 'error': None, 'result': {'x': 2, 'log': ['a']}, 'interrupts': []}",
        "{'id': '<id>', 'name': 'b', 'input': {'x': 2, 'log': ['a']}, 'triggers': ('branch:to:b',)}",
        "{'id': '<id>', 'name': 'b', 'error': None, 'result': {'log': ['b']}, 'interrupts': []}",
    ]
    assert chunks[0]["id"] == chunks[1]["id"] != chunks[2]["id"]


def test_checkpoints_mode_reports_each_saved_checkpoint_like_get_state():
    saver = InMemorySaver()
    graph = chain(saver)
    config = {"configurable": {"thread_id": "t"}}
    chunks = list(graph.stream({"x": 1}, config, stream_mode="checkpoints"))
    assert [c["metadata"]["step"] for c in chunks] == [-1, 0, 1, 2]
    assert [c["next"] for c in chunks] == [["__start__"], ["a"], ["b"], []]
    assert [c["values"] for c in chunks] == [
        {"log": []},
        {"x": 1, "log": []},
        {"x": 2, "log": ["a"]},
        {"x": 2, "log": ["a", "b"]},
    ]
    assert chunks[0]["parent_config"] is None
    for earlier, later in itertools.pairwise(chunks):
        assert later["parent_config"] == earlier["config"]
    assert chunks[-1]["config"] == graph.get_state(config).config
    assert set(chunks[1]["tasks"][0]) == {"id", "name", "interrupts", "state"}


def test_debug_mode_interleaves_tasks_and_checkpoints_with_steps():
    graph = chain(InMemorySaver())
    chunks = list(graph.stream({"x": 1}, {"configurable": {"thread_id": "t"}}, stream_mode="debug"))
    assert [(c["step"], c["type"]) for c in chunks] == [
        (-1, "checkpoint"),
        (0, "checkpoint"),
        (1, "task"),
        (1, "task_result"),
        (1, "checkpoint"),
        (2, "task"),
        (2, "task_result"),
        (2, "checkpoint"),
    ]
    assert all(re.match(r"20\d\d-", c["timestamp"]) for c in chunks)
    # without a checkpointer, only task events
    plain = list(chain().stream({"x": 1}, stream_mode="debug"))
    assert [c["type"] for c in plain] == ["task", "task_result", "task", "task_result"]


def test_task_starts_come_in_name_order_and_results_as_tasks_finish():
    def slow(s):
        time.sleep(0.05)
        return {"log": ["z"]}

    b = StateGraph(S)
    b.add_node("z_slow", slow)
    b.add_node("a_fast", lambda s: {"log": ["a"]})
    b.add_edge(START, "z_slow")
    b.add_edge(START, "a_fast")
    chunks = list(b.compile().stream({"x": 0}, stream_mode="tasks"))
    assert [(c["name"], "result" in c) for c in chunks] == [
        ("a_fast", False),
        ("z_slow", False),
        ("a_fast", True),
        ("z_slow", True),
    ]


def test_a_failing_task_reports_its_error_before_the_run_raises():
    def bad(s):
        raise ValueError("boom")

    b = StateGraph(S)
    b.add_node("bad", bad)
    b.add_edge(START, "bad")
    chunks = []
    with pytest.raises(ValueError, match="boom"):
        for chunk in b.compile().stream({"x": 0}, stream_mode="tasks"):
            chunks.append(chunk)
    assert chunks[-1]["name"] == "bad"
    assert isinstance(chunks[-1]["error"], ValueError)
    assert chunks[-1]["result"] == {}


@pytest.mark.anyio
async def test_async_runs_give_the_same_task_events():
    sync = [scrub(c) for c in chain().stream({"x": 1}, stream_mode=["tasks", "updates"])]
    got = [scrub(c) async for c in chain().astream({"x": 1}, stream_mode=["tasks", "updates"])]
    assert got == sync


def test_a_task_start_carries_the_users_metadata_and_tags():
    b = StateGraph(S)
    b.add_node("a", lambda s: {"log": ["a"]}, metadata={"kind": "step"})
    b.add_edge(START, "a")
    graph = b.compile()
    config = {"metadata": {"user": "u1"}, "tags": ["t1"], "configurable": {"thread_id": "z"}}
    start, result = graph.stream({"x": 0, "log": []}, config, stream_mode="tasks")
    assert start["metadata"] == {"user": "u1", "kind": "step", "tags": ["t1"]}
    assert "metadata" not in result
    plain = next(iter(chain().stream({"x": 0, "log": []}, stream_mode="tasks")))
    assert "metadata" not in plain  # nothing the user gave: no key at all


def test_map_debug_tasks_shapes_task_payloads_and_skips_hidden_ones():
    from types import SimpleNamespace

    from langgraph_lite.constants import TAG_HIDDEN
    from langgraph_lite.pregel.debug import map_debug_tasks

    def task(name, config):
        return SimpleNamespace(id=name, name=name, input=1, triggers=["x"], config=config)

    shown = list(
        map_debug_tasks(
            [
                task("seen", {"metadata": {"who": "me"}, "tags": ["seq:step:1", "mine"]}),
                task("bare", None),
                task("hidden", {"tags": [TAG_HIDDEN]}),
            ]
        )
    )
    assert [p["name"] for p in shown] == ["seen", "bare"]
    assert shown[0]["metadata"] == {"who": "me", "tags": ["mine"]}
    assert "metadata" not in shown[1]
