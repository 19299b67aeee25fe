"""A process killed in the middle of an entrypoint: the tasks that had finished are not run again.

Each run is a child process on a SQLite file; the first is killed (SIGKILL, no cleanup) while its
second task runs. On LangGraph 1.2.22 the same program usually passes too, but not always: it
saves a task's result in the background, so a kill right after can lose it (docs/differences.md).
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import langgraph_lite

ROOT = str(Path(langgraph_lite.__file__).resolve().parent.parent)

PROGRAM = textwrap.dedent(
    """
    import os, signal, sys
    from langgraph_lite.checkpoint.sqlite import SqliteSaver
    from langgraph_lite.func import entrypoint, task

    db, log, what = sys.argv[1:4]

    def note(line):
        with open(log, "a") as f:
            f.write(line + "\\n")

    @task
    def first(x):
        note("first")
        return x + 1

    @task
    def second(x):
        note("second")
        if what == "start":
            os.kill(os.getpid(), signal.SIGKILL)  # dies before second's result is saved
        return x * 10

    with SqliteSaver.from_conn_string(db) as saver:

        @entrypoint(checkpointer=saver)
        def job(x):
            return second(first(x).result()).result()

        config = {"configurable": {"thread_id": "crash"}}
        # durability="sync": a task's result is saved before the entrypoint gets it
        print(job.invoke(1 if what == "start" else None, config, durability="sync"))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_resumes_without_running_its_finished_tasks_again(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(PROGRAM)
    db, log = str(tmp_path / "threads.sqlite"), tmp_path / "log.txt"

    def run(what):
        return subprocess.run(
            [sys.executable, str(script), db, str(log), what],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PYTHONPATH": ROOT, "PATH": ""},
        )

    killed = run("start")
    assert killed.returncode == -9, killed.stderr
    resumed = run("resume")
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip() == "20"
    assert log.read_text().split() == ["first", "second", "second"]
