"""A run takes its thread's lease by itself: real processes racing on one thread.

Each test runs on SQLite (one file, several processes) and on PostgreSQL (``-k postgres``; it
skips without ``LANGGRAPH_LITE_POSTGRES_DSN``). The graph asks a question, then runs ``slow``,
then asks again: each resume runs ``slow`` once. ``slow`` notes in a file who ran it, and when.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pg_fixtures import child_env, pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures

CHILD = textwrap.dedent(
    """
    import operator, sys, time
    from typing import Annotated
    from typing_extensions import TypedDict
    from langgraph_lite.checkpoint.lease import StaleLeaseError, ThreadBusyError
    from langgraph_lite.graph import START, StateGraph
    from langgraph_lite.types import Command, interrupt

    backend, conn, marks, name, what, on_busy, ttl, start_at = sys.argv[1:9]

    class State(TypedDict):
        log: Annotated[list, operator.add]

    def ask(state):
        return {"log": [interrupt("go?")]}

    def slow(state):
        with open(marks, "a") as f:
            f.write(f"start {name} {time.time()}\\n")
        time.sleep(0.6)
        with open(marks, "a") as f:
            f.write(f"end {name} {time.time()}\\n")
        return {"log": ["slow by " + name]}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_node("slow", slow)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", "slow")
    builder.add_edge("slow", "ask")

    if backend == "sqlite":
        from langgraph_lite.checkpoint.sqlite import SqliteSaver as Saver
    else:
        from langgraph_lite.checkpoint.postgres import PostgresSaver as Saver

    with Saver.from_conn_string(conn) as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "t", "on_busy": on_busy, "lease_ttl": float(ttl)}}
        if what == "start":
            graph.invoke({"log": []}, config)
            sys.exit(0)
        time.sleep(max(0.0, float(start_at) - time.time()))
        try:
            graph.invoke(Command(resume=name) if what == "resume" else None, config)
        except ThreadBusyError as exc:
            print("busy", exc)
        except StaleLeaseError as exc:
            print("stale", exc)
        else:
            print("ran")
    """
)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """``(name, connection string)`` of a database the child processes share."""
    if request.param == "sqlite":
        return "sqlite", str(tmp_path / "threads.sqlite")
    return "postgres", request.getfixturevalue("pg_dsn")


def child(backend, marks, name, what="resume", on_busy="fail", ttl=30, start_at=0.0):
    args = [*backend, str(marks), name, what, on_busy, str(ttl), str(start_at)]
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc):
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out.strip()


def runs_of_slow(marks: Path):
    """``[(name, start, end)]`` of each run of ``slow``, from the marks file."""
    starts, ends = {}, {}
    for line in marks.read_text().splitlines():
        kind, name, when = line.split()
        (starts if kind == "start" else ends)[name] = float(when)
    return sorted((starts[n], ends.get(n), n) for n in starts)


def state_log(backend):
    name, conn = backend
    if name == "sqlite":
        from langgraph_lite.checkpoint.sqlite import SqliteSaver as Saver
    else:
        from langgraph_lite.checkpoint.postgres import PostgresSaver as Saver
    with Saver.from_conn_string(conn) as saver:
        saved = saver.get_tuple({"configurable": {"thread_id": "t"}})
        return saved.checkpoint["channel_values"]["log"]


def paused_thread(backend, tmp_path):
    marks = tmp_path / "marks.txt"
    marks.write_text("")
    assert finish(child(backend, marks, "setup", what="start")) == ""
    return marks


def test_two_processes_resuming_one_paused_thread_one_runs_the_other_is_busy(backend, tmp_path):
    marks = paused_thread(backend, tmp_path)
    start_at = time.time() + 1.5  # both import first, then resume at the same instant
    racers = [child(backend, marks, name, start_at=start_at) for name in ("a", "b")]
    outcomes = sorted(finish(p).split()[0] for p in racers)
    assert outcomes == ["busy", "ran"]
    (run,) = runs_of_slow(marks)  # exactly one process ran the next node
    assert state_log(backend) == [run[2], f"slow by {run[2]}"]


def test_with_on_busy_wait_the_second_process_runs_after_the_first(backend, tmp_path):
    marks = paused_thread(backend, tmp_path)
    start_at = time.time() + 1.5
    racers = [child(backend, marks, n, on_busy="wait", start_at=start_at) for n in ("a", "b")]
    assert [finish(p) for p in racers] == ["ran", "ran"]
    first, second = runs_of_slow(marks)
    assert first[1] <= second[0]  # never at once: the second started after the first ended
    # the second resumed the question the first's run asked again: one history, not a fork
    assert state_log(backend) == [
        first[2],
        f"slow by {first[2]}",
        second[2],
        f"slow by {second[2]}",
    ]


def test_a_holder_stalled_past_its_ttl_writes_nothing_after_another_took_over(backend, tmp_path):
    marks = paused_thread(backend, tmp_path)
    stalled = child(backend, marks, "a", ttl=0.5)
    deadline = time.monotonic() + 30
    while "start a" not in marks.read_text():  # it is inside its node, holding the lease
        assert time.monotonic() < deadline and stalled.poll() is None, stalled.stderr
        time.sleep(0.01)
    os.kill(stalled.pid, signal.SIGSTOP)  # a long GC pause, a frozen VM
    try:
        time.sleep(1.2)  # its lease expires: nobody renews it
        assert finish(child(backend, marks, "b", what="continue")) == "ran"
    finally:
        os.kill(stalled.pid, signal.SIGCONT)
    out = finish(stalled)
    assert out.startswith("stale") and "thread 't'" in out, out
    # 'a' answered the question and ran 'slow' to its end, but its result was refused
    assert [r[2] for r in runs_of_slow(marks)] == ["a", "b"]
    assert state_log(backend) == ["a", "slow by b"]
