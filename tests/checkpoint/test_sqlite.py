"""SqliteSaver's own promises: literal matching of hostile strings, clear errors on corrupt
data that leave other threads readable, and a schema it creates and upgrades itself."""

import operator
import os
import sqlite3
import subprocess
import sys
import time
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.serde import CheckpointDecodeError
from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver
from langgraph_lite.graph import START, StateGraph


class State(TypedDict):
    count: int
    log: Annotated[list, operator.add]


def graph(saver):
    b = StateGraph(State)
    b.add_node("inc", lambda s: {"count": s["count"] + 1, "log": ["inc"]})
    b.add_edge(START, "inc")
    return b.compile(checkpointer=saver)


HOSTILE = ["x'; DROP TABLE checkpoints;--", 'quote " and \\ backslash', "%_wild*", "🙂 ünïcode"]


@pytest.mark.parametrize("thread", HOSTILE)
def test_hostile_thread_ids_and_filters_are_stored_and_matched_literally(tmp_path, thread):
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        app = graph(saver)
        config = {"configurable": {"thread_id": thread}, "metadata": {thread: thread}}
        assert app.invoke({"count": 0, "log": []}, config) == {"count": 1, "log": ["inc"]}
        other = {"configurable": {"thread_id": "plain"}}
        app.invoke({"count": 10, "log": []}, other)
        found = list(saver.list({"configurable": {"thread_id": thread}}, filter={thread: thread}))
        assert [t.metadata["step"] for t in found] == [1, 0, -1]
        assert list(saver.list(None, filter={thread: "nope"})) == []
        assert list(saver.list(None, filter={"source": "input"}, limit=5))
        assert app.get_state({"configurable": {"thread_id": thread}}).values["count"] == 1
        # nothing was dropped or matched by pattern
        assert app.get_state(other).values["count"] == 11
        assert len(list(saver.list({"configurable": {"thread_id": "%"}}))) == 0


def test_a_corrupt_blob_names_the_thread_and_checkpoint_and_spares_other_threads(tmp_path):
    path = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(path) as saver:
        app = graph(saver)
        app.invoke({"count": 0, "log": []}, {"configurable": {"thread_id": "bad"}})
        app.invoke({"count": 0, "log": []}, {"configurable": {"thread_id": "good"}})
        saver.conn.execute(
            "UPDATE blobs SET blob = X'c1c1c1' WHERE thread_id = 'bad' AND channel = 'log'"
        )
        with pytest.raises(CheckpointDecodeError) as info:
            app.get_state({"configurable": {"thread_id": "bad"}})
        assert "'bad'" in str(info.value) and "checkpoint" in str(info.value)
        assert app.get_state({"configurable": {"thread_id": "good"}}).values["count"] == 1
        app.invoke({"count": 5, "log": []}, {"configurable": {"thread_id": "good2"}})


def test_a_truncated_checkpoint_row_is_a_clear_error(tmp_path):
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        graph(saver).invoke({"count": 0, "log": []}, {"configurable": {"thread_id": "t"}})
        saver.conn.execute("UPDATE checkpoints SET checkpoint = substr(checkpoint, 1, 5)")
        with pytest.raises(CheckpointDecodeError, match="thread 't'"):
            saver.get_tuple({"configurable": {"thread_id": "t"}})


def test_the_schema_is_created_once_and_reopening_keeps_the_data(tmp_path):
    path = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(path) as saver:
        graph(saver).invoke({"count": 0, "log": []}, {"configurable": {"thread_id": "t"}})
    with SqliteSaver.from_conn_string(path) as saver:
        app = graph(saver)
        assert app.invoke({"count": 1, "log": []}, {"configurable": {"thread_id": "t"}})["log"] == [
            "inc",
            "inc",
        ]
        versions = saver.conn.execute("SELECT v FROM schema_version").fetchall()
        assert versions == [(0,), (1,)]  # each migration once: the checkpoints, the leases
        mode = saver.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_a_database_of_another_program_is_left_alone(tmp_path):
    path = str(tmp_path / "db.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    with SqliteSaver.from_conn_string(path) as saver:
        graph(saver).invoke({"count": 0, "log": []}, {"configurable": {"thread_id": "t"}})
        assert saver.conn.execute("SELECT body FROM notes").fetchall() == [("keep me",)]


@pytest.mark.anyio
async def test_the_async_saver_runs_a_graph_and_resumes_it(tmp_path):
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        app = graph(saver)
        config = {"configurable": {"thread_id": "a"}}
        assert await app.ainvoke({"count": 0, "log": []}, config) == {"count": 1, "log": ["inc"]}
        assert await app.ainvoke({"count": 1, "log": []}, config) == {
            "count": 2,
            "log": ["inc", "inc"],
        }
        history = [s async for s in app.aget_state_history(config)]
        assert [s.metadata["step"] for s in history] == [4, 3, 2, 1, 0, -1]


OPEN_PROGRAM = """
import sys
from langgraph_lite.checkpoint.sqlite import SqliteSaver
folder, rounds = sys.argv[1], int(sys.argv[2])
for r in range(rounds):
    print("ready", flush=True)
    with open(f"{folder}/go{r}") as fifo:  # blocks until the test opens it: all wake at once
        fifo.read()
    with SqliteSaver.from_conn_string(f"{folder}/db{r}.sqlite"):
        pass
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a fifo")
def test_eight_processes_opening_a_new_file_at_once_apply_each_migration_once(
    tmp_path, child_environ
):
    rounds = 8
    for r in range(rounds):
        os.mkfifo(tmp_path / f"go{r}")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_PROGRAM, str(tmp_path), str(rounds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_environ,
        )
        for _ in range(8)
    ]
    for r in range(rounds):
        for p in procs:
            assert p.stdout.readline() == "ready\n", p.communicate()[1]
        time.sleep(0.05)  # each child is blocked opening the fifo
        with open(tmp_path / f"go{r}", "w"):
            pass
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in results]
    for r in range(rounds):
        with SqliteSaver.from_conn_string(str(tmp_path / f"db{r}.sqlite")) as saver:
            assert saver.conn.execute("SELECT v FROM schema_version").fetchall() == [(0,), (1,)], r
    with SqliteSaver.from_conn_string(str(tmp_path / "db0.sqlite")) as saver:
        graph(saver).invoke({"count": 0, "log": []}, {"configurable": {"thread_id": "t"}})


@pytest.mark.parametrize(
    "code",
    [
        "from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver as A\n"
        "from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver\n"
        "assert A is AsyncSqliteSaver and issubclass(A, SqliteSaver)",
        "import langgraph_lite.checkpoint.sqlite as s\n"
        "import langgraph_lite.checkpoint.sqlite.aio as aio\n"
        "assert s.AsyncSqliteSaver is aio.AsyncSqliteSaver",
    ],
    ids=["aio-first", "package-first"],
)
def test_the_async_saver_lives_at_langgraphs_module_path(code, isolated):
    # langgraph.checkpoint.sqlite.aio.AsyncSqliteSaver in LangGraph
    done = isolated(code)
    assert done.returncode == 0, done.stderr


def test_reading_a_checkpoint_looks_each_channels_blob_up_by_its_key(tmp_path):
    # SQLite is free to scan every blob of the thread once per channel instead (quadratic in
    # the channels: 0.3 s for one checkpoint of a 1,000-node graph); the plan must not
    from langgraph_lite.checkpoint.sqlite import BLOBS_AT_VERSIONS

    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        saver.conn.executemany(
            "INSERT INTO blobs VALUES ('t', '', ?, '1', 'msgpack', x'00')",
            [(f"c{i}",) for i in range(300)],
        )
        plan = [
            row[-1]
            for row in saver.conn.execute(
                "EXPLAIN QUERY PLAN " + BLOBS_AT_VERSIONS, ('{"c1": "1"}', "t", "")
            )
        ]
    assert plan[0].startswith("SCAN j"), plan
    assert "SEARCH b USING INDEX" in plan[1] and "channel=?" in plan[1], plan
