"""A run killed with SIGKILL mid-step resumes in a fresh process to the same final state,
re-running only the nodes of the interrupted step that had not finished."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

PROGRAM = textwrap.dedent(
    """
    import json, operator, os, sys, time
    from typing import Annotated
    from typing_extensions import TypedDict
    from langgraph_lite.checkpoint.sqlite import SqliteSaver
    from langgraph_lite.graph import END, START, StateGraph

    db, log, mode, slow = sys.argv[1:5]

    class State(TypedDict):
        trail: Annotated[list, operator.add]
        total: Annotated[int, operator.add]

    def node(name, delay):
        def run(state):
            with open(log, "a") as f:
                f.write(f"start {name}\\n"); f.flush(); os.fsync(f.fileno())
            time.sleep(3.0 if name == slow else delay)
            with open(log, "a") as f:
                f.write(f"done {name}\\n"); f.flush(); os.fsync(f.fileno())
            return {"trail": [name], "total": len(name)}
        return run

    inner = StateGraph(State)
    inner.add_node("inner_a", node("inner_a", 0.0))
    inner.add_node("inner_b", node("inner_b", 0.0))
    inner.add_edge(START, "inner_a")
    inner.add_edge("inner_a", "inner_b")

    b = StateGraph(State)
    b.add_node("one", node("one", 0.0))
    b.add_node("left", node("left", 0.0))
    b.add_node("right", node("right", 0.3))
    b.add_node("join", inner.compile())
    b.add_node("last", node("last", 0.0))
    b.add_edge(START, "one")
    b.add_edge("one", "left")
    b.add_edge("one", "right")
    b.add_edge(["left", "right"], "join")
    b.add_edge("join", "last")
    b.add_edge("last", END)
    with SqliteSaver.from_conn_string(db) as saver:
        app = b.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "crash"}}
        state_in = {"trail": [], "total": 0} if mode == "start" else None
        out = app.invoke(state_in, config, durability="sync")
        print(json.dumps(out))
    """
)


def run(tmp_path, mode, slow, env, *, kill_after_start=None):
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    log = tmp_path / "log.txt"
    cmd = [sys.executable, str(script), str(tmp_path / "db.sqlite"), str(log), mode, slow]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if kill_after_start is None:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        return json.loads(out)
    deadline = time.monotonic() + 30
    while f"start {kill_after_start}" not in (log.read_text() if log.exists() else ""):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.5)  # the slow node is mid-sleep; siblings that finished have been saved
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)  # reaps it and closes the pipes
    return None


def events(tmp_path):
    return (tmp_path / "log.txt").read_text().split("\n")[:-1]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, child_environ):
    tmp = tmp_path_factory.mktemp("clean")
    return run(tmp, "start", "none", child_environ)


@pytest.mark.parametrize("kill_in", ["one", "right", "inner_b", "last"])
def test_a_killed_run_resumes_to_the_same_state_rerunning_only_unfinished_nodes(
    tmp_path, uninterrupted, kill_in, child_environ
):
    run(tmp_path, "start", kill_in, child_environ, kill_after_start=kill_in)
    before = events(tmp_path)
    finished = {e.split()[1] for e in before if e.startswith("done")}
    assert kill_in not in finished  # it was killed mid-step
    final = run(tmp_path, "resume", "none", child_environ)
    assert final == uninterrupted
    rerun = [e.split()[1] for e in events(tmp_path)[len(before) :] if e.startswith("start")]
    assert not set(rerun) & finished, f"finished nodes ran again: {set(rerun) & finished}"
    assert kill_in in rerun
