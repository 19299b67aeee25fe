"""SqliteSaver's group commit (``checkpoint/sqlite/writer.py``): a step's writes and its
checkpoint in one transaction, saves that nobody waits for committed by the end of the run,
a failing save failing alone, and AsyncSqliteSaver without a thread hop per save."""

import operator
import sqlite3
import threading
import time
from typing import Annotated

import anyio.to_thread
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.lease import StaleLeaseError
from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver
from langgraph_lite.checkpoint.sqlite.writer import GroupCommit
from langgraph_lite.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list, operator.add]


def chain(n, is_async=False):
    b = StateGraph(State)
    prev = START
    for i in range(n):
        if is_async:

            async def node(s, i=i):
                return {"log": [i]}
        else:

            def node(s, i=i):
                return {"log": [i]}

        b.add_node(f"n{i}", node)
        b.add_edge(prev, f"n{i}")
        prev = f"n{i}"
    return b


def transactions(saver):
    """The statements of each transaction committed on the saver's connection, from now."""
    done, current = [], []

    def trace(statement):
        if statement.startswith("BEGIN"):
            current.clear()
        elif statement.startswith("COMMIT"):
            done.append(list(current))
        else:
            current.append(statement)

    saver.conn.set_trace_callback(trace)
    return done


def config(thread="t"):
    return {"configurable": {"thread_id": thread}}


@pytest.mark.parametrize("durability", ["sync", "async"])
def test_async_durability_saves_a_steps_writes_with_its_checkpoint_sync_saves_each(
    tmp_path, durability
):
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        saver._writer.linger = 60  # (a loaded machine may stall a step past the default)
        txns = transactions(saver)
        graph = chain(5).compile(checkpointer=saver)
        assert graph.invoke({"log": []}, config(), durability=durability) == {
            "log": [0, 1, 2, 3, 4]
        }
        saving = [t for t in txns if any("INTO checkpoints" in s for s in t)]
        writes_alone = [t for t in txns if "INTO writes" in str(t) and t not in saving]
        if durability == "async":
            # the input's checkpoint, then one per step (START's and five nodes') at most: the
            # writer may group several steps in one transaction, never a task's writes alone
            assert len(saving) <= 7 and not writes_alone
        else:  # each save committed before the run goes on: a task's writes, then its step's
            assert len(saving) == 7 and len(writes_alone) == 6
        # everything is there once the run returned, for another connection too
        with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as other:
            history = list(other.list(config()))
            assert len(history) == 7
            assert history[0].checkpoint["channel_values"]["log"] == [0, 1, 2, 3, 4]
            assert all(len(t.pending_writes) >= 1 for t in history[1:])  # each step's writes


def test_a_run_that_is_left_mid_stream_still_commits_the_finished_tasks_writes(tmp_path):
    path = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(path) as saver:
        graph = chain(3).compile(checkpointer=saver)
        for chunk in graph.stream({"log": []}, config(), durability="sync"):
            if "n0" in chunk:
                break  # n0's update seen: its writes are saved, its step's checkpoint is not
        with SqliteSaver.from_conn_string(path) as other:
            latest = other.get_tuple(config())
            assert latest.checkpoint["channel_values"].get("log") in (None, [])
            assert ("log", [0]) in [(c, v) for _, c, v in latest.pending_writes]
        # resuming runs n0 no more: its saved writes are applied
        assert graph.invoke(None, config()) == {"log": [0, 1, 2]}


def test_a_finished_tasks_writes_are_committed_while_its_sibling_still_runs(tmp_path):
    path = str(tmp_path / "db.sqlite")
    seen = []

    def slow(state):
        time.sleep(0.05)
        with SqliteSaver.from_conn_string(path) as other:  # meanwhile, from elsewhere
            for _ in range(100):
                saved = other.get_tuple(config())
                if saved is not None and saved.pending_writes:
                    break
                time.sleep(0.02)
            seen.extend((c, v) for _, c, v in saved.pending_writes)
        return {"log": ["slow"]}

    b = StateGraph(State)
    b.add_node("fast", lambda s: {"log": ["fast"]})
    b.add_node("slow", slow)
    b.add_edge(START, "fast")
    b.add_edge(START, "slow")
    with SqliteSaver.from_conn_string(path) as saver:
        graph = b.compile(checkpointer=saver)
        assert graph.invoke({"log": []}, config(), durability="sync") == {"log": ["fast", "slow"]}
    assert ("log", ["fast"]) in seen


def test_a_failing_job_fails_alone_and_is_raised_for_its_own_thread():
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    conn.execute("CREATE TABLE t (v INTEGER PRIMARY KEY)")
    writer = GroupCommit(conn, threading.RLock())

    def insert(v):
        return lambda tx: tx.insert("INSERT INTO t VALUES (?)", [(v,)])

    def boom(tx):
        raise ValueError("thread 'b' was refused")

    writer.submit(("a", ""), [insert(1), insert(2)], urgent=False, background=False)
    writer.submit(("b", ""), [boom], urgent=False, background=False)
    writer.submit(("a", ""), [insert(3)], urgent=True, background=False)
    writer.flush("a")  # a's jobs went in; b's failure is not a's
    assert [v for (v,) in conn.execute("SELECT v FROM t ORDER BY v")] == [1, 2, 3]
    with pytest.raises(ValueError, match="'b' was refused"):
        writer.flush("b")
    writer.flush("b")  # raised once
    assert not writer.pending()


def test_one_transaction_checks_a_threads_lease_once_and_writes_each_table_in_one_statement(
    tmp_path,
):
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        saver._writer.linger = 60
        graph = chain(5).compile(checkpointer=saver)
        graph.invoke({"log": []}, config("warm"))  # (the schema and caches are in place)
        txns = transactions(saver)
        # the whole run's saves queued, then committed together at its end
        saver._writer.submit = _never_urgent(saver._writer.submit)
        assert graph.invoke({"log": []}, config()) == {"log": [0, 1, 2, 3, 4]}
        [txn] = [t for t in txns if any("INTO checkpoints" in s for s in t)]
        fences = [s for s in txn if s.startswith("SELECT token")]
        inserts = [s.split(" (")[0] for s in txn if s.startswith("INSERT")]
        assert len(fences) == 1, txn
        runs = [kind for i, kind in enumerate(inserts) if i == 0 or inserts[i - 1] != kind]
        assert len(runs) == len(set(runs)) == 3, runs  # each table's rows written together
        history = list(saver.list(config()))
        assert len(history) == 7 and history[0].checkpoint["channel_values"]["log"] == [
            0, 1, 2, 3, 4,
        ]  # fmt: skip
        assert all(t.pending_writes for t in history[1:])  # each step's writes are there


def _never_urgent(submit):
    def queued(where, jobs, urgent, background=True):
        return submit(where, jobs, False, background)

    return queued


def test_a_read_commits_what_is_queued_for_its_namespace_and_leaves_other_namespaces_queued(
    tmp_path,
):
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        saver._writer.linger = 60
        graph = chain(1).compile(checkpointer=saver)
        graph.invoke({"log": []}, config())
        saved = saver.get_tuple(config())
        ns_b = {"configurable": {**saved.config["configurable"], "checkpoint_ns": "b"}}
        saver.put(ns_b, saved.checkpoint, saved.metadata, {})
        # task writes on the root namespace, queued: no checkpoint asks for a commit soon
        saver.put_batch([(False, (saved.config, [("log", [9])], "task-1"))], wait=False)
        assert saver._writer.pending()
        other = saver.get_tuple({"configurable": {"thread_id": "t", "checkpoint_ns": "b"}})
        assert other is not None and other.pending_writes == []
        assert saver._writer.pending()  # still queued: the read did not wait for a commit
        mine = saver.get_tuple(config())
        assert [(c, v) for _, c, v in mine.pending_writes] == [("log", [9])]
        assert not saver._writer.pending()


def test_a_stale_lease_under_async_durability_is_refused_and_raised_by_the_run(tmp_path):
    path = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(path) as saver, SqliteSaver.from_conn_string(path) as other:
        graph = chain(3).compile(checkpointer=saver)
        lease = other.acquire_lease("t", bind=False)
        lease.release()
        newer = other.acquire_lease("t", bind=False)  # the older token is stale
        with pytest.raises(StaleLeaseError):
            graph.invoke({"log": []}, lease.config(config()), durability="async")
        assert other.get_tuple(config()) is None  # nothing stale was written
        newer.release()


@pytest.mark.anyio
@pytest.mark.parametrize("durability", ["sync", "async"])
async def test_the_async_saver_hops_to_a_thread_at_most_once_a_step(
    tmp_path, monkeypatch, durability
):
    hops = []
    real = anyio.to_thread.run_sync

    async def counted(fn, *args, **kwargs):
        hops.append(getattr(fn, "__name__", fn))
        return await real(fn, *args, **kwargs)

    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        graph = chain(10, is_async=True).compile(checkpointer=saver)
        monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
        assert await graph.ainvoke({"log": []}, config(), durability=durability) == {
            "log": list(range(10))
        }
        monkeypatch.undo()
        # 11 steps: both take the lease and read in one hop, commit the last saves and release
        # the lease in another; "sync" also waits for each save (12 checkpoints, 11 tasks'
        # writes)
        assert len(hops) <= (2 + 12 + 11 if durability == "sync" else 2), hops
        state = await graph.aget_state(config())
        assert state.values == {"log": list(range(10))}


def test_closing_the_saver_commits_what_is_queued_and_ends_its_writer_thread(tmp_path):
    path = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(path) as saver:
        saver._writer.linger = 60
        graph = chain(3).compile(checkpointer=saver)
        for _ in graph.stream({"log": []}, config(), durability="async"):
            pass
        saver.put_batch(
            [(False, (saver.get_tuple(config()).config, [("log", [7])], "x"))], wait=False
        )
        assert any(t.name == "langgraph_lite sqlite writer" for t in threading.enumerate())
    assert not any(t.name == "langgraph_lite sqlite writer" for t in threading.enumerate())
    with SqliteSaver.from_conn_string(path) as other:
        assert ("log", [7]) in [(c, v) for _, c, v in other.get_tuple(config()).pending_writes]
