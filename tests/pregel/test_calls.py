"""Calls (tasks node code starts while it runs) through PregelLoop.run, driven by hand.

No driver, no threads: the test plans and finishes a call as node code would, answers the
loop as a driver would, and checks what the loop saves and when.
"""

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.func import entrypoint, task
from langgraph_lite.pregel.calls import CALL_FINISHED, RETURN
from langgraph_lite.pregel.checkpointing import PutWrites
from langgraph_lite.pregel.effects import NEED_RESULT, Load, Run, Save
from langgraph_lite.pregel.loop import PregelLoop
from langgraph_lite.pregel.stream import StreamQueue

THREAD = {"recursion_limit": 25, "configurable": {"thread_id": "t"}}


@task
def double(x: int) -> int:
    return 2 * x


def make(durability):
    @entrypoint(checkpointer=InMemorySaver())
    def main(x: int) -> int:
        return double(x).result()

    queue = StreamQueue(8)
    loop = PregelLoop(main.spec, THREAD, queue, modes=("updates",), tagged=False,
                      stream_keys="__end__", checkpointer=main.checkpointer,
                      durability=durability)  # fmt: skip
    return loop, queue


def start_step(loop):
    run = loop.run(4)
    assert isinstance(next(run), Load)
    assert isinstance(run.send(None), Save)  # the input's checkpoint
    effect = run.send(None)
    assert isinstance(effect, Run) and effect.live  # its calls stream and save mid-step
    (entry,) = effect.tasks
    assert run.send(None) is NEED_RESULT
    return run, entry


def test_a_finished_call_is_saved_at_once_and_its_caller_released_after_the_save():
    loop, queue = make("sync")
    run, entry = start_step(loop)
    call, reused = loop.calls.plan(loop, entry, double.node, ((4,), {}))
    assert not reused and call.path[1:] == (entry.path, 0, True)
    assert call.checkpoint_ns == f"{entry.checkpoint_ns}|double:{call.id}"
    call.writes = [(RETURN, 8)]
    saved = loop.calls.finished(call)  # as the call's runner does
    assert list(queue.items) == [{"double": 8}, CALL_FINISHED]
    assert saved is not None and not saved._event.is_set()
    effect = run.send(CALL_FINISHED)  # the driver took CALL_FINISHED off the queue
    assert isinstance(effect, Save)
    assert [(type(a), a.task_id, a.writes) for a in effect.actions] == [
        (PutWrites, call.id, [(RETURN, 8)])
    ]
    assert not saved._event.is_set()  # not before the driver saved it
    assert run.send(None) is NEED_RESULT
    assert saved._event.is_set()


def test_with_async_durability_a_call_is_saved_meanwhile_and_nothing_waits():
    loop, _ = make("async")
    run, entry = start_step(loop)
    call, _ = loop.calls.plan(loop, entry, double.node, ((4,), {}))
    call.writes = [(RETURN, 8)]
    assert loop.calls.finished(call) is None
    effect = run.send(CALL_FINISHED)
    assert isinstance(effect, Save) and effect.actions[0].task_id == call.id


def test_a_call_made_again_in_a_resumed_step_gets_the_same_id_and_its_saved_result():
    loop, _ = make("sync")
    _, entry = start_step(loop)
    first, _ = loop.calls.plan(loop, entry, double.node, ((4,), {}))
    second, _ = loop.calls.plan(loop, entry, double.node, ((4,), {}))
    assert first.id != second.id  # numbered by their order among the caller's calls
    loop.calls.step_done()  # the step ran again (resumed): its calls are counted afresh
    loop.calls.saved = {first.id: [(RETURN, 8)]}  # what the step saved before
    again, reused = loop.calls.plan(loop, entry, double.node, ((4,), {}))
    assert (again.id, reused, again.writes) == (first.id, True, [(RETURN, 8)])
