"""PregelLoop.run driven by hand: no driver, no threads, no event loop.

Each test sends the answers a driver would and checks the effects the loop yields.
"""

import pytest

from langgraph_lite.channels import LastValue
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import GraphInterrupt, InternalError
from langgraph_lite.pregel import NodeBuilder, Pregel
from langgraph_lite.pregel.checkpointing import ERROR, INTERRUPT, Put, PutWrites, save
from langgraph_lite.pregel.effects import DELIVER, NEED_RESULT, Load, Run, Save
from langgraph_lite.pregel.loop import DONE, PregelLoop
from langgraph_lite.pregel.stream import StreamQueue
from langgraph_lite.types import Command

THREAD = {"recursion_limit": 25, "configurable": {"thread_id": "t"}}


def chain():
    return Pregel(
        nodes={
            "one": NodeBuilder().subscribe_only("a").do(lambda x: x + 1).write_to("b"),
            "two": NodeBuilder().subscribe_only("b").do(lambda x: x * 10).write_to("c"),
        },
        channels={k: LastValue(int) for k in "abc"},
        input_channels="a",
        output_channels="c",
    )


def fan_out():
    return Pregel(
        nodes={
            "left": NodeBuilder().subscribe_only("a").do(lambda x: x).write_to("l"),
            "right": NodeBuilder().subscribe_only("a").do(lambda x: x).write_to("r"),
        },
        channels={k: LastValue(int) for k in "alr"},
        input_channels="a",
        output_channels=["l", "r"],
    )


def make_loop(app, modes=("updates", "values"), config=None, saver=None):
    queue = StreamQueue(8)
    loop = PregelLoop(
        app.spec,
        config or {"recursion_limit": 25},
        queue,
        modes=modes,
        tagged=True,
        stream_keys=list(app.channels)[:-1],  # every channel but the tasks channel
        checkpointer=saver,
    )
    return loop, queue


def finished(task, writes=None, error=None):
    """What a driver hands back: the task, as if its node ran."""
    if error is not None:
        task.error = error
    else:
        task.writes = writes
    return task


def test_a_plain_step_yields_run_then_delivers_its_updates_before_applying_them():
    loop, queue = make_loop(chain())
    run = loop.run(1)
    effect = next(run)
    assert isinstance(effect, Run) and not effect.live
    (task,) = effect.tasks
    assert (task.name, task.input, task.step) == ("one", 1, 0)
    # the driver ran it right away (inline): its result is the answer to Run
    assert run.send(finished(task, [("b", 2)])) is DELIVER
    assert list(queue.items) == [("updates", {"one": {"b": 2}})]  # not applied yet
    assert not loop.channels["b"].is_available()
    queue.items.clear()
    assert run.send(None) is DELIVER
    assert list(queue.items) == [("values", {"a": 1, "b": 2})]
    queue.items.clear()
    effect = run.send(None)
    (task,) = effect.tasks
    assert (task.name, task.input, task.step) == ("two", 2, 1)
    assert run.send(finished(task, [("c", 20)])) is DELIVER
    queue.items.clear()
    assert run.send(None) is DELIVER
    queue.items.clear()
    with pytest.raises(StopIteration):
        run.send(None)
    assert loop.phase is DONE
    assert loop.output("c") == 20
    assert loop.versions_seen == {"__input__": {}, "one": {"a": 1}, "two": {"b": 2}}  # as LangGraph


def test_with_nothing_to_stream_a_step_is_one_run_effect():
    loop, queue = make_loop(chain(), modes=())
    run = loop.run(1)
    (task,) = next(run).tasks
    (task,) = run.send(finished(task, [("b", 2)])).tasks  # straight to the next step
    with pytest.raises(StopIteration):
        run.send(finished(task, [("c", 20)]))
    assert not queue.items
    assert loop.output("c") == 20


def test_a_node_is_not_planned_again_until_its_trigger_moves():
    loop, _ = make_loop(chain(), modes=())
    run = loop.run(1)
    (task,) = next(run).tasks
    with pytest.raises(StopIteration):  # "one" wrote nothing: nothing changed, nothing is due
        run.send(finished(task, []))


def test_a_parallel_step_saves_each_finished_task_before_the_next_result_then_raises():
    saver = InMemorySaver()
    loop, queue = make_loop(fan_out(), config=THREAD, saver=saver)
    run = loop.run(5)
    assert isinstance(next(run), Load)
    effect = run.send(None)  # a new thread
    assert isinstance(effect, Save) and [type(a) for a in effect.actions] == [Put]
    effect = run.send(None)
    assert isinstance(effect, Run)
    left, right = effect.tasks
    assert run.send(None) is NEED_RESULT  # the driver runs them elsewhere
    effect = run.send(finished(right, [("r", 5)]))
    # right's writes are saved before the loop waits for left
    assert isinstance(effect, Save)
    assert [(type(a), a.task_id, a.writes) for a in effect.actions] == [
        (PutWrites, right.id, [("r", 5)])
    ]
    assert run.send(None) is NEED_RESULT
    boom = ValueError("boom")
    effect = run.send(finished(left, error=boom))
    assert isinstance(effect, Save)
    assert [(a.task_id, a.writes) for a in effect.actions] == [(left.id, [(ERROR, repr(boom))])]
    assert run.send(None) is DELIVER  # drain before raise
    assert list(queue.items) == [("updates", {"right": {"r": 5}})]
    with pytest.raises(ValueError, match="boom"):
        run.send(None)
    assert loop.phase is DONE


def test_when_a_failure_cancelled_the_rest_the_loop_stops_asking_and_raises():
    loop, _ = make_loop(fan_out(), modes=())
    run = loop.run(5)
    left, _right = next(run).tasks
    assert run.send(None) is NEED_RESULT
    assert run.send(finished(left, error=KeyError("k"))) is NEED_RESULT
    with pytest.raises(KeyError):
        run.send(None)  # the rest were cancelled


def test_an_interrupt_saves_the_question_and_ends_the_run_and_a_resume_answers_it():
    saver = InMemorySaver()
    app = chain()
    loop, queue = make_loop(app, config=THREAD, saver=saver)
    run = loop.run(1)
    next(run)
    save(saver, run.send(None).actions)  # the input's checkpoint
    (task,) = run.send(None).tasks
    with pytest.raises(GraphInterrupt) as caught:
        task.run.interrupt(task, "proceed?")
    (question,) = caught.value.interrupts
    effect = run.send(finished(task, error=caught.value))
    assert [(type(a), a.writes) for a in effect.actions] == [(PutWrites, [(INTERRUPT, [question])])]
    save(saver, effect.actions)
    assert run.send(None) is DELIVER
    assert list(queue.items) == [
        ("updates", {INTERRUPT: (question,)}),
        ("values", {"a": 1, INTERRUPT: (question,)}),
    ]
    with pytest.raises(StopIteration):
        run.send(None)
    assert loop.interrupts.interrupted and loop.interrupts.found == [question]

    loop, queue = make_loop(app, config=THREAD, saver=saver)
    run = loop.run(Command(resume="yes"))
    assert isinstance(next(run), Load)
    assert run.send(saver.get_tuple(THREAD)) is DELIVER  # where the run resumes from
    assert list(queue.items) == [("values", {"a": 1})]
    queue.items.clear()
    (again,) = run.send(None).tasks
    assert again.id == task.id  # the same task, run again
    assert again.run.interrupt(again, "proceed?") == "yes"
    effect = run.send(finished(again, [("b", 2)]))
    assert isinstance(effect, Save) and effect.actions[0].writes == [("b", 2)]


def test_an_answer_that_is_not_a_task_is_an_internal_error():
    loop, _ = make_loop(chain(), modes=())
    run = loop.run(1)
    next(run)
    assert run.send(None) is NEED_RESULT
    with pytest.raises(InternalError, match="NEED_RESULT with a Task"):
        run.send("not a task")
