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


def test_a_finished_run_is_freed_without_the_garbage_collector():
    import asyncio
    from typing import TypedDict

    from langgraph_lite.pregel._loop import PregelLoop
    from langgraph_lite.pregel._runner import PregelRunner

    class State(TypedDict):
        n: int

    builder = StateGraph(State)
    builder.add_node("a", lambda state: {"n": state["n"] + 1})
    builder.add_edge(START, "a")
    builder.add_edge("a", END)
    app = builder.compile()

    def alive(cls):
        return sum(isinstance(o, cls) for o in gc.get_objects())

    gc.collect()
    gc.disable()  # (no reference cycles: refcounting alone frees a run)
    try:
        for _ in range(3):
            app.invoke({"n": 0})
            assert alive(PregelLoop) == 0
            asyncio.run(app.ainvoke({"n": 0}))
            assert alive(PregelLoop) == 0 and alive(PregelRunner) == 0
    finally:
        gc.enable()


def test_read_task_statuses_tells_what_each_task_left():
    # LangGraph 1.2.22's read_task_statuses gives the same statuses for these writes
    from langgraph_lite._internal._constants import RETURN

    asked = Interrupt(value="size?", id="q1")
    again = Interrupt(value="colour?", id="q1")
    crash = RuntimeError("disk full")
    writes = [
        ("t-order", INTERRUPT, [asked]),  # asked, answered, asked again: waiting
        ("t-order", RESUME, ["large"]),
        ("t-order", INTERRUPT, [again]),
        ("t-ship", "status", "sent"),  # wrote twice, finished
        ("t-ship", "status", "delivered"),
        ("t-quiet", NO_WRITES, None),  # finished writing nothing
        ("t-fn", RETURN, 0),  # a @task that returned a falsy value: finished
        ("t-crash", ERROR, crash),
        (NULL_TASK_ID, "status", "from the input"),  # no task's
    ]
    statuses = read_task_statuses(writes)
    assert sorted(statuses) == ["t-crash", "t-fn", "t-order", "t-quiet", "t-ship"]
    order = statuses["t-order"]
    assert not order.finished and order.pending_interrupts == (asked, again)
    ship = statuses["t-ship"]
    assert ship.finished and ship.output == (("status", "sent"), ("status", "delivered"))
    assert statuses["t-quiet"].finished and statuses["t-fn"].finished
    assert statuses["t-fn"].pending_interrupts == ()
    crashed = statuses["t-crash"]
    assert not crashed.finished and crashed.error is crash and crashed.output == ()


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


def test_saved_versions_seen_record_the_input_as_langgraph_does():
    # LangGraph 1.2.22, the same graph: a failed step resumed with None
    import operator
    from typing import Annotated, TypedDict

    class Total(TypedDict):
        value: Annotated[int, operator.add]

    failing = [True]

    def two(state):
        if failing[0]:
            raise ConnectionError("not yet")
        return {"value": 3}

    builder = StateGraph(Total)
    builder.add_node("one", lambda state: {"value": 2})
    builder.add_node("two", two)
    builder.add_edge(START, "one")
    builder.add_edge(START, "two")
    saver = InMemorySaver()
    app = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t"}}
    try:
        app.invoke({"value": 1}, config)
    except ConnectionError:
        pass
    failing[0] = False
    assert app.invoke(None, config) == {"value": 6}
    seen = [
        {node: sorted(channels) for node, channels in t.checkpoint["versions_seen"].items()}
        for t in saver.list(config)
    ]
    assert seen == [
        {
            "__input__": [],
            "__start__": ["__start__"],
            "__interrupt__": ["__start__", "branch:to:one", "branch:to:two", "value"],
            "one": ["branch:to:one"],
            "two": ["branch:to:two"],
        },
        {"__input__": [], "__start__": ["__start__"]},
        {"__input__": []},
    ]


def test_a_new_input_drops_what_was_due_and_the_saved_state_says_so():
    # LangGraph 1.2.22 saves the same next tasks for this program
    from langgraph_lite.channels import LastValue
    from langgraph_lite.pregel import NodeBuilder, Pregel

    one = NodeBuilder().subscribe_only("input").do(lambda x: x + 1).write_to("inbox")
    two = NodeBuilder().subscribe_only("inbox").do(lambda x: x + 1).write_to("output")
    app = Pregel(
        nodes={"one": one, "two": two},
        channels={"inbox": LastValue(int), "output": LastValue(int), "input": LastValue(int)},
        input_channels="input",
        output_channels="output",
        checkpointer=InMemorySaver(),
        interrupt_after_nodes=["one"],
    )
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke(20, config) is None  # stopped after one: two is due
    assert app.invoke(3, config) is None  # a new input: two's run on 21 is dropped
    history = list(app.get_state_history(config))
    assert (history[0].values, history[0].next) == ({"inbox": 4, "input": 3}, ("two",))
    assert (history[1].metadata["source"], history[1].next) == ("input", ("one",))
    assert app.invoke(None, config) == 5


def test_a_new_input_drops_pending_sends_as_langgraph_does():
    import operator
    from typing import Annotated, TypedDict

    from langgraph_lite.types import Send

    class Fan(TypedDict):
        items: list
        done: Annotated[list, operator.add]

    builder = StateGraph(Fan)
    builder.add_node("start", lambda state: {})
    builder.add_node("worker", lambda item: {"done": [item]})
    builder.add_edge(START, "start")
    builder.add_conditional_edges(
        "start", lambda state: [Send("worker", i) for i in state["items"]], ["worker"]
    )
    app = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["worker"])
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"items": [1, 2]}, config)
    assert app.get_state(config).next == ("worker", "worker")
    assert app.invoke({"items": [], "done": []}, config) == {"items": [], "done": []}
    history = [
        (s.metadata["source"], s.metadata["step"], s.next) for s in app.get_state_history(config)
    ]
    assert history[:3] == [("loop", 4, ()), ("loop", 3, ("start",)), ("input", 2, ("__start__",))]


def test_get_function_nonlocals_gives_what_a_function_reaches():
    import functools

    from langgraph_lite.pregel._utils import get_function_nonlocals

    class Box:
        inner = "reached"

    box = Box()
    captured = 41

    def node(state):
        return {"v": captured + 1, "w": box.inner}

    reached = get_function_nonlocals(node)
    assert 41 in reached and box in reached and "reached" in reached
    assert get_function_nonlocals(len) == []
    assert get_function_nonlocals(functools.partial(node, {})) == []
