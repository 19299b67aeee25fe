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
