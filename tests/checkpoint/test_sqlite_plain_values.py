"""``SqliteSaver`` stores values of plain data as pickles (``sqlite/rows.plain_blob``), as
``InMemorySaver`` keeps them: an object the state refers to many times is written once. What
is read back is a new copy with the same sharing; bytes in the file that name a class or a
function (a file written by hand, or tampered with) are refused, and nothing is called."""

import operator
import os
import pickle
import sqlite3
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.held import HELD, HELD_DELTA
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.messages import HumanMessage


class State(TypedDict):
    shared: list[Any]
    log: Annotated[list[Any], operator.add]
    note: Any


ROW = {"k" * 10: ["hi?" * 10, True, 1, 6327816386138, None] * 5}


def graph(saver):
    def fan(state):
        # 300 references to one nested dict, written as the update and kept in the state
        return {"shared": [ROW] * 300, "log": [ROW], "note": {"a": (1, 2), "b": frozenset({3})}}

    builder = StateGraph(State)
    builder.add_node("fan", fan)
    builder.add_edge(START, "fan")
    return builder.compile(checkpointer=saver)


def kinds(path):
    with sqlite3.connect(path) as conn:
        blobs = dict(conn.execute("SELECT channel, type FROM blobs WHERE type != 'empty'"))
        writes = dict(conn.execute("SELECT channel, type FROM writes"))
        size = conn.execute("SELECT sum(length(blob)) FROM blobs").fetchone()[0]
    return blobs, writes, size


def test_plain_values_are_stored_once_per_object_and_read_back_with_their_sharing(tmp_path):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        graph(saver).invoke({"shared": [], "log": [], "note": None}, config)
    blobs, _, size = kinds(path)
    assert {blobs[k] for k in ("shared", "log", "note")} == {HELD}
    assert size < 3_000  # msgpack writes the row at each of its 300 references: about 100 KB

    with SqliteSaver.from_conn_string(path) as saver:
        values = graph(saver).get_state(config).values
    assert values["shared"] == [ROW] * 300
    assert all(item is values["shared"][0] for item in values["shared"])  # one object again
    assert values["shared"][0] is not ROW  # a copy
    assert values["note"] == {"a": (1, 2), "b": frozenset({3})}
    assert type(values["note"]["a"]) is tuple


def test_pending_writes_of_plain_values_are_pickles_and_resume_as_they_were(tmp_path):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        app = graph(saver)
        app.update_state(config, {"log": [ROW, ROW]})  # a checkpoint, then writes to it
        saver.put_writes(
            app.get_state(config).config, [("log", [ROW] * 3)], "task-1", "~__pregel_pull, fan"
        )
    _, writes, _ = kinds(path)
    assert writes == {"log": HELD}
    with SqliteSaver.from_conn_string(path) as saver:
        (written,) = [w for w in saver.get_tuple(config).pending_writes if w[0] == "task-1"]
    assert written[1:] == ("log", [ROW] * 3)


def test_values_that_are_not_plain_data_keep_the_serializer(tmp_path):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        app = graph(saver)
        app.update_state(config, {"note": HumanMessage("hi"), "shared": [1.5, "x"]})
        assert app.get_state(config).values["note"] == HumanMessage("hi")
    blobs, _, _ = kinds(path)
    assert blobs["note"] == "msgpack" and blobs["shared"] == HELD


def test_a_serializer_of_ones_own_stores_everything(tmp_path):
    path = str(tmp_path / "db.sqlite")

    class Mine(MsgpackSerde):
        pass

    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    saver = SqliteSaver(conn, serde=Mine())
    graph(saver).invoke(
        {"shared": [], "log": [], "note": None}, {"configurable": {"thread_id": "t"}}
    )
    conn.close()
    blobs, writes, _ = kinds(path)
    assert blobs["shared"] == "msgpack"
    assert HELD not in {*blobs.values(), *writes.values()}


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize("table", ["blobs", "writes"])
def test_a_pickle_in_the_file_that_names_a_function_is_refused_and_nothing_runs(
    tmp_path, monkeypatch, table
):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        app = graph(saver)
        app.invoke({"shared": [], "log": [], "note": None}, config)
        saver.put_writes(app.get_state(config).config, [("log", [1])], "task-1")
    hostile = pickle.dumps(_Boom(), protocol=5)
    called = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a))
    column = "blob" if table == "blobs" else "value"
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE {table} SET type = ?, {column} = ?", (HELD, hostile))
    with (
        SqliteSaver.from_conn_string(path) as saver,
        pytest.raises(CheckpointDecodeError, match=r"names (posix|nt)\.system"),
    ):
        saver.get_tuple(config)
    assert called == []


@pytest.mark.parametrize(
    "data",
    [b"\x80\x05\x95", b"not a pickle", pickle.dumps([1, 2])[:-3], b"\x80\x05P0\n."],
    ids=["truncated frame", "garbage", "cut short", "persistent id"],
)
def test_a_broken_pickle_in_the_file_is_a_clear_error(tmp_path, data):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        graph(saver).invoke({"shared": [], "log": [], "note": None}, config)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE blobs SET blob = ? WHERE channel = 'note'", (data,))
    with (
        SqliteSaver.from_conn_string(path) as saver,
        pytest.raises(CheckpointDecodeError, match="thread 't'"),
    ):
        saver.get_tuple(config)


def chat(saver):
    def turn(state):
        return {"log": [{"turn": len(state["log"]), "row": ROW}]}

    builder = StateGraph(State)
    builder.add_node("turn", turn)
    builder.add_edge(START, "turn")
    return builder.compile(checkpointer=saver)


def log_blobs(path):
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT type, length(blob) FROM blobs WHERE channel = 'log' ORDER BY rowid"
        ).fetchall()


def test_a_long_plain_list_is_stored_as_what_each_turn_added_and_reads_back_whole(tmp_path):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        app = chat(saver)
        for _ in range(30):
            app.invoke({"shared": [], "log": [], "note": None}, config)
    stored = log_blobs(path)
    assert sum(kind == HELD_DELTA for kind, _ in stored) > len(stored) // 2
    assert max(size for kind, size in stored if kind == HELD_DELTA) < 500

    def expected(n):
        return [{"turn": i, "row": ROW} for i in range(n)]

    with SqliteSaver.from_conn_string(path) as saver:  # a new saver: nothing cached
        app = chat(saver)
        logs = [s.values["log"] for s in app.get_state_history(config)]
        assert [len(log) for log in logs][:3] == [30, 29, 29]
        assert all(log == expected(len(log)) for log in logs)
        app.invoke({"shared": [], "log": [], "note": None}, config)  # resumed: builds on it
        assert app.get_state(config).values["log"] == expected(31)
    assert log_blobs(path)[-1][0] == HELD_DELTA


def test_pruning_keeps_a_plain_lists_latest_value_readable(tmp_path):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        app = chat(saver)
        for _ in range(20):
            app.invoke({"shared": [], "log": [], "note": None}, config)
        saver.prune(["t"])
    with SqliteSaver.from_conn_string(path) as saver:
        app = chat(saver)
        assert len(list(app.get_state_history(config))) == 1
        assert app.get_state(config).values["log"] == [{"turn": i, "row": ROW} for i in range(20)]
        app.invoke({"shared": [], "log": [], "note": None}, config)
        assert len(app.get_state(config).values["log"]) == 21


def test_a_pickle_naming_a_copyreg_extension_is_refused_even_once_the_extension_is_loaded(
    tmp_path,
):
    # the unpickler answers an EXT opcode from copyreg's cache without asking find_class
    import copyreg

    from langgraph_lite.checkpoint.held import loads_plain

    called = []
    code = 0x7E
    copyreg.add_extension(__name__, "_record", code)
    try:
        pickle.loads(b"\x80\x02\x82" + bytes([code]) + b".")  # loaded once: now in the cache
        hostile = b"\x80\x02\x82" + bytes([code]) + b"X\x02\x00\x00\x00hi\x85R."
        with pytest.raises(CheckpointDecodeError, match="extension"):
            loads_plain(hostile)
        with pytest.raises(CheckpointDecodeError, match="extension"):
            loads_plain(hostile[:-1])  # cut short after the call: not read at all
    finally:
        copyreg.remove_extension(__name__, "_record", code)
        copyreg.clear_extension_cache()
    assert called == []
    assert _RECORDED == []


_RECORDED: list = []


def _record(*args):
    _RECORDED.append(args)


def test_a_delta_stored_whole_at_commit_holds_the_list_as_it_was_put(tmp_path):
    # The base of a delta can be gone when the writer commits (deleted by another connection):
    # the job stores the whole list then, and it must be the list as put, not as it is later.
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from test_savers import checkpoint, thread

    from langgraph_lite.checkpoint.sqlite import rows
    from langgraph_lite.checkpoint.sqlite.writer import Transaction

    path = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(path) as saver:
        items = [{"n": i} for i in range(10)]
        first = saver.put(
            thread(), checkpoint({"log": items}, {"log": "1"}), {"step": 0}, {"log": "1"}
        )
        items = [*items, {"n": 10}]
        second = checkpoint({"log": items}, {"log": "2"})
        job = rows.put_job(saver, first, second, {"step": 1}, {"log": "2"})
        items.append({"n": "later"})  # the run goes on changing its list
        items[0]["n"] = "changed"
        saver.conn.execute("DELETE FROM blobs WHERE version = '1'")  # the base goes
        cur = saver.conn.cursor()
        cur.execute("BEGIN")
        transaction = Transaction(cur)
        job(transaction)
        transaction.write()
        cur.execute("COMMIT")
        kind = saver.conn.execute("SELECT type FROM blobs WHERE version = '2'").fetchone()[0]
    assert kind == HELD
    with SqliteSaver.from_conn_string(path) as saver:
        stored = saver.get_tuple({"configurable": {"thread_id": "t1", "checkpoint_ns": ""}})
    assert stored.checkpoint["channel_values"]["log"] == [{"n": i} for i in range(11)]


def test_a_serializer_set_on_the_saver_later_stores_everything_too(tmp_path):
    class Mine(MsgpackSerde):
        pass

    path = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(path) as saver:
        saver.serde = Mine()
        graph(saver).invoke(
            {"shared": [], "log": [], "note": None}, {"configurable": {"thread_id": "t"}}
        )
    blobs, writes, _ = kinds(path)
    assert HELD not in {*blobs.values(), *writes.values()}
