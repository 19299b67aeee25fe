"""LangGraph's private module paths that programs (and LangGraph's own tests) import, and
``read_task_statuses``: what the writes saved for a step say of each task."""

import gc

from langgraph_lite._internal._constants import ERROR, INTERRUPT, NO_WRITES, NULL_TASK_ID, RESUME
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.pregel._task_status import read_task_statuses
from langgraph_lite.types import Interrupt, interrupt


def test_the_loop_runner_and_queue_names_are_the_engines_own():
    from langgraph_lite._internal._queue import AsyncQueue
    from langgraph_lite.pregel._loop import AsyncPregelLoop, PregelLoop, SyncPregelLoop
    from langgraph_lite.pregel._runner import PregelRunner
    from langgraph_lite.pregel.drivers import AsyncRun
    from langgraph_lite.pregel.loop import PregelLoop as Loop
    from langgraph_lite.pregel.stream import StreamQueue

    assert PregelLoop is SyncPregelLoop is AsyncPregelLoop is Loop
    assert PregelRunner is AsyncRun and AsyncQueue is StreamQueue


def test_no_loop_outlives_its_run():
    from typing import TypedDict

    from langgraph_lite.pregel._loop import PregelLoop

    class State(TypedDict):
        n: int

    builder = StateGraph(State)
    builder.add_node("a", lambda state: {"n": state["n"] + 1})
    builder.add_edge(START, "a")
    builder.add_edge("a", END)
    app = builder.compile()
    gc.collect()
    before = sum(isinstance(o, PregelLoop) for o in gc.get_objects())
    for _ in range(3):
        app.invoke({"n": 0})
    gc.collect()
    assert sum(isinstance(o, PregelLoop) for o in gc.get_objects()) == before


def test_read_task_statuses_reads_finished_paused_and_failed_tasks():
    first, second = Interrupt(value="A1", id="a"), Interrupt(value="A2", id="a")
    error = ValueError("boom")
    statuses = read_task_statuses(
        [
            ("finished", INTERRUPT, (first,)),
            ("finished", RESUME, ["yes"]),
            ("finished", "log", ["a:yes"]),
            ("paused", INTERRUPT, (second,)),
            ("paused", RESUME, ["one"]),
            ("no_output", NO_WRITES, None),
            ("failed", ERROR, error),
            (NULL_TASK_ID, RESUME, "for the run"),
        ]
    )
    assert set(statuses) == {"finished", "paused", "no_output", "failed"}
    assert statuses["finished"].finished and statuses["finished"].pending_interrupts == ()
    assert statuses["finished"].interrupts == (first,)
    assert statuses["finished"].output == (("log", ["a:yes"]),)
    assert not statuses["paused"].finished
    assert statuses["paused"].pending_interrupts == (second,)
    assert statuses["no_output"].finished
    assert not statuses["failed"].finished and statuses["failed"].error is error


def test_a_saved_interrupted_step_reads_as_langgraph_reads_it():
    import operator
    from typing import Annotated, TypedDict

    class Log(TypedDict):
        k: Annotated[list, operator.add]

    builder = StateGraph(Log)
    builder.add_node("done", lambda state: {"k": ["done"]})
    builder.add_node("asks", lambda state: {"k": [interrupt("why?")]})
    builder.add_edge(START, "done")
    builder.add_edge(START, "asks")
    saver = InMemorySaver()
    app = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"k": []}, config)
    saved = saver.get_tuple(config)
    statuses = read_task_statuses(saved.pending_writes)
    by_name = {t.name: statuses[t.id] for t in app.get_state(config).tasks}
    assert by_name["done"].finished and by_name["done"].output == (("k", ["done"]),)
    assert not by_name["asks"].finished
    assert [i.value for i in by_name["asks"].pending_interrupts] == ["why?"]


def test_serde_types_names_are_the_engines_own():
    from langgraph_lite.checkpoint.serde import types
    from langgraph_lite.pregel import algo, checkpointing
    from langgraph_lite.types import Send

    assert (types.ERROR, types.INTERRUPT, types.RESUME) == (
        checkpointing.ERROR,
        checkpointing.INTERRUPT,
        checkpointing.RESUME,
    )
    assert types.TASKS == algo.TASKS
    assert isinstance(Send("node", {"x": 1}), types.SendProtocol)
    assert types._DeltaSnapshot([1, 2]).value == [1, 2]


def test_channels_from_a_checkpoint_hold_its_values_and_a_copy_is_its_own():
    from langgraph_lite._internal._config import patch_configurable
    from langgraph_lite.channels import DeltaChannel, LastValue
    from langgraph_lite.pregel._checkpoint import (
        channels_from_checkpoint,
        copy_checkpoint,
        empty_checkpoint,
    )

    saved = empty_checkpoint()
    saved["channel_values"]["a"] = 3
    saved["channel_versions"]["a"] = 1
    saved["versions_seen"]["node"] = {"a": 1}
    specs = {
        "a": LastValue(int),
        "d": DeltaChannel(lambda value, writes: [*(value or []), *writes]),
    }
    channels, managed = channels_from_checkpoint(specs, saved)
    assert channels["a"].get() == 3 and channels["d"].get() == [] and managed == {}
    copied = copy_checkpoint(saved)
    copied["channel_values"]["a"] = 4
    copied["versions_seen"]["node"]["a"] = 2
    assert saved["channel_values"]["a"] == 3 and saved["versions_seen"]["node"] == {"a": 1}
    config = {"configurable": {"thread_id": "t"}, "tags": ["x"]}
    assert patch_configurable(config, {"checkpoint_id": "c"}) == {
        "configurable": {"thread_id": "t", "checkpoint_id": "c"},
        "tags": ["x"],
    }
    assert config == {"configurable": {"thread_id": "t"}, "tags": ["x"]}
    assert patch_configurable(None, {"a": 1}) == {"configurable": {"a": 1}}
