"""The sync driver's steps with several tasks: the caller's thread takes tasks too
(``pregel/thread_step.py``), and the step keeps its rules: tasks run concurrently, results come
in the order the tasks finish, a step's errors wait for its siblings, no deadlock when nested."""

from __future__ import annotations

import operator
import os
import threading
import time
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.channels import LastValue, Topic
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.pregel import NodeBuilder, Pregel, thread_step
from langgraph_lite.pregel.shared_pool import SharedPool
from langgraph_lite.types import Send


def two_nodes(left: Any, right: Any) -> Pregel:
    return Pregel(
        nodes={
            "left": NodeBuilder().subscribe_only("a").do(left).write_to("t"),
            "right": NodeBuilder().subscribe_only("a").do(right).write_to("t"),
        },
        channels={"a": LastValue(str), "t": Topic(str)},
        input_channels="a",
        output_channels="t",
    )


def test_the_tasks_of_a_sync_step_run_at_the_same_time():
    both = threading.Barrier(2, timeout=5)  # broken if one waits for the other to end

    def meet(x: str) -> str:
        both.wait()
        return threading.current_thread().name

    names = two_nodes(meet, meet).invoke("x")
    assert len(set(names)) == 2  # two threads: the caller's and a helper


def test_updates_come_in_the_order_tasks_finish_even_when_the_callers_task_is_slow():
    def slow(x: str) -> str:  # the first task: the caller's thread takes it
        time.sleep(0.1)
        return "slow"

    chunks = list(two_nodes(slow, lambda x: "quick").stream("x", stream_mode="updates"))
    assert chunks == [{"right": {"t": "quick"}}, {"left": {"t": "slow"}}]


class Fan(TypedDict):
    items: Annotated[list, operator.add]


class One(TypedDict):
    n: int
    items: Annotated[list, operator.add]


def nested_fan_out(width: int) -> Any:
    inner = StateGraph(One)
    for k in range(width):

        def work(s: dict[str, Any], k: int = k) -> dict[str, Any]:
            time.sleep(0.002)
            return {"items": [(s["n"], k)]}

        inner.add_node(f"w{k}", work)
        inner.add_edge(START, f"w{k}")
    outer = StateGraph(Fan)
    outer.add_node("inner", inner.compile())
    outer.add_conditional_edges(
        START, lambda s: [Send("inner", {"n": n}) for n in range(width)], ["inner"]
    )
    return outer.compile()


def test_nested_fan_outs_finish_when_every_shared_helper_is_busy(monkeypatch):
    # One helper thread for the whole process: every step nested in a task waits for its own
    # tasks, which its thread then runs itself.
    pool = SharedPool(1, "langgraph_lite-step")
    monkeypatch.setattr(thread_step, "_pool", pool)
    try:
        out = nested_fan_out(6).invoke({"items": []})
    finally:
        pool.get().shutdown(wait=True)
    assert sorted(out["items"]) == [(n, k) for n in range(6) for k in range(6)]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_runs_a_steps_tasks_at_the_same_time():
    def meet(x: str) -> str:
        both.wait()
        return x

    both = threading.Barrier(2, timeout=5)
    two_nodes(meet, meet).invoke("x")  # the shared pool has threads now
    both = threading.Barrier(2, timeout=5)
    pid = os.fork()
    if pid == 0:  # the child: none of the parent's threads
        try:
            code = 0 if two_nodes(meet, meet).invoke("x") == ["x", "x"] else 1
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


# -- with a checkpointer: each task's writes are saved by the thread that ran it ---------------


def savers(tmp_path: Any) -> Any:
    from langgraph_lite.checkpoint.memory import InMemorySaver
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    yield InMemorySaver()
    with SqliteSaver.from_conn_string(str(tmp_path / "s.db")) as saver:
        yield saver


def saved_writers(saver: Any, config: dict[str, Any]) -> set[str]:
    """The nodes whose writes are saved against the thread's latest checkpoint."""
    saved = saver.get_tuple(config)
    return {value for _, channel, value in saved.pending_writes or () if channel == "t"}


def waits_for_right(saver: Any, config: dict[str, Any], seen: list[set[str]]) -> Any:
    """A node that returns once "right"'s writes are saved (or 5 s went by)."""

    def left(x: str) -> str:
        deadline = time.monotonic() + 5
        while "right" not in (writers := saved_writers(saver, config)):
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
        seen.append(writers)
        return "left"

    return left


@pytest.mark.parametrize("durability", ["sync", "async"])
def test_a_finished_tasks_writes_are_saved_while_its_sibling_still_runs(tmp_path, durability):
    # A crash while "left" runs must not run "right" again: its writes are saved as it ends,
    # whichever thread took which task.
    for saver in savers(tmp_path):
        config = {"configurable": {"thread_id": f"t-{durability}"}}
        seen: list[set[str]] = []
        app = two_nodes(waits_for_right(saver, config, seen), lambda x: "right")
        app.checkpointer = saver
        assert sorted(app.invoke("x", config, durability=durability)) == ["left", "right"]
        assert seen == [{"right"}], type(saver).__name__


def test_with_a_checkpointer_the_calling_thread_takes_a_steps_tasks_too():
    from langgraph_lite.checkpoint.memory import InMemorySaver

    caller = threading.get_ident()
    ran: list[bool] = []

    def mark(x: str) -> str:
        ran.append(threading.get_ident() == caller)
        return x

    app = two_nodes(mark, mark)
    app.checkpointer = InMemorySaver()
    app.invoke("x", {"configurable": {"thread_id": "1"}})
    assert True in ran


def test_a_write_that_cannot_be_saved_fails_the_run_and_keeps_what_was_saved(tmp_path):
    # The thread that ran the task cannot save it; the run's own save then raises, naming the
    # channel, and the checkpoint before the step is still there.
    for saver in savers(tmp_path):
        config = {"configurable": {"thread_id": "bad"}}
        app = two_nodes(lambda x: object(), lambda x: "fine")
        app.checkpointer = saver
        with pytest.raises(Exception, match="'t'"):
            app.invoke("x", config)
        saved = saver.get_tuple(config)
        assert saved is not None and saved.checkpoint["channel_values"].get("a") == "x"


class Log(TypedDict):
    log: Annotated[list, operator.add]


def test_a_stream_of_updates_gets_each_as_its_task_ends_while_a_blocking_sibling_runs(
    monkeypatch,
):
    # (the caller's thread, which hands updates over, runs no task of such a step while a
    # helper may take it: a blocking node there would hold back its siblings' updates. The
    # helpers start a little late here, as on a busy machine, well within the grace.)
    help_now = thread_step.ThreadStep._help

    def help_late(self: Any) -> None:
        time.sleep(0.01)
        help_now(self)

    monkeypatch.setattr(thread_step.ThreadStep, "_help", help_late)
    seen_quick = threading.Event()
    slow_saw = []

    def slow(s: Log) -> dict[str, Any]:
        slow_saw.append(seen_quick.wait(5))
        return {"log": ["slow"]}

    # ("a_slow" is the step's first task: the one a caller would take first)
    builder = StateGraph(Log).add_node("a_slow", slow)
    builder.add_node("b_quick", lambda s: {"log": ["quick"]})
    builder.add_edge(START, "a_slow").add_edge(START, "b_quick")
    chunks = []
    for chunk in builder.compile().stream({"log": []}, stream_mode="updates"):
        chunks.append(chunk)
        if "b_quick" in chunk:
            seen_quick.set()
    assert chunks == [{"b_quick": {"log": ["quick"]}}, {"a_slow": {"log": ["slow"]}}]
    assert slow_saw == [True]


def test_a_streamed_step_whose_helpers_never_come_is_run_by_the_caller(monkeypatch):
    # (no helper free, as when the shared pool is busy: after a grace the caller takes the
    # step's tasks itself, never waiting for a task no thread has taken)
    monkeypatch.setattr(thread_step.ThreadStep, "_help", lambda self: None)
    builder = StateGraph(Log)
    names = ["n0", "n1", "n2"]
    for name in names:
        builder.add_node(name, lambda s, name=name: {"log": [name]})
        builder.add_edge(START, name)
    started = time.monotonic()
    chunks = list(builder.compile().stream({"log": []}, stream_mode="updates"))
    assert sorted(next(iter(c)) for c in chunks) == names
    assert time.monotonic() - started < 5
