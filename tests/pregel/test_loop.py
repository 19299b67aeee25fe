"""PregelLoop driven by hand, with no driver and no event loop: feed facts, check results."""

import pytest

from langgraph_lite.channels import LastValue
from langgraph_lite.errors import InternalError
from langgraph_lite.pregel import NodeBuilder, Pregel
from langgraph_lite.pregel.loop import DONE, EXECUTE, PLAN, PregelLoop
from langgraph_lite.pregel.stream import StreamQueue


def make_loop(modes=("updates", "values")):
    app = Pregel(
        nodes={
            "one": NodeBuilder().subscribe_only("a").do(lambda x: x + 1).write_to("b"),
            "two": NodeBuilder().subscribe_only("b").do(lambda x: x * 10).write_to("c"),
        },
        channels={k: LastValue(int) for k in "abc"},
        input_channels="a",
        output_channels="c",
    )
    queue = StreamQueue(8)
    loop = PregelLoop(
        app.spec,
        {"recursion_limit": 25},
        queue,
        modes=modes,
        tagged=True,
        stream_keys=["a", "b", "c"],
    )
    return loop, queue


def test_the_loop_plans_applies_and_streams_without_a_driver():
    loop, queue = make_loop()
    loop.start(1)
    assert loop.phase is PLAN
    (task,) = loop.tick()
    assert (task.name, task.input, task.step) == ("one", 1, 0)
    assert loop.phase is EXECUTE
    task.writes = [("b", 2)]  # as if the node ran
    loop.task_done(task)
    loop.step_done()
    assert list(queue.items) == [
        ("updates", {"one": {"b": 2}}),
        ("values", {"a": 1, "b": 2}),
    ]
    queue.items.clear()
    (task,) = loop.tick()
    assert (task.name, task.input, task.step) == ("two", 2, 1)
    task.writes = [("c", 20)]
    loop.task_done(task)
    loop.step_done()
    assert loop.tick() is None
    assert loop.phase is DONE
    assert loop.output("c") == 20
    assert loop.versions_seen == {"one": {"a": 1}, "two": {"b": 2}}


def test_an_event_in_the_wrong_phase_is_an_internal_error_and_changes_nothing():
    loop, _ = make_loop()
    with pytest.raises(InternalError, match=r"tick\(\) in Phase.START"):
        loop.tick()
    loop.start(1)
    with pytest.raises(InternalError, match=r"step_done\(\) in Phase.PLAN"):
        loop.step_done()
    assert loop.phase is PLAN
    assert loop.tick() is not None


def test_a_node_is_not_planned_again_until_its_trigger_moves():
    loop, _ = make_loop(modes=())
    loop.start(1)
    (task,) = loop.tick()
    task.writes = []  # "one" wrote nothing: nothing changed, nothing is due
    loop.step_done()
    assert loop.tick() is None
