"""PostgreSQL savers store list values as what they added (``checkpoint.increments``): reads
from a saver that never saw the thread, a base deleted behind a saver's back, retention that
keeps the blobs a kept delta builds on, and a chat graph whose history reads as on memory."""

import contextlib
import itertools
from typing import Any

import psycopg
import pytest
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures

from langgraph_lite.checkpoint.base import empty_checkpoint
from langgraph_lite.checkpoint.increments import SNAPSHOT_EVERY
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.postgres import PostgresSaver
from langgraph_lite.graph import END, START, MessagesState, StateGraph
from langgraph_lite.messages import AIMessage, HumanMessage

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"  # psycopg's async connections run on asyncio only


def item(i: int) -> dict[str, Any]:
    return {"i": i, "text": f"message {i} " + "x" * 80}


def put_chain(saver: PostgresSaver, lengths: list[int], thread: str = "t") -> list[dict]:
    """One checkpoint per length: channel "log" holding that many items, each the child of
    the last; their configs."""
    configs, parent, version = [], {"configurable": {"thread_id": thread}}, None
    for step, n in enumerate(lengths):
        version = saver.get_next_version(version, None)
        cp = empty_checkpoint()
        cp["channel_values"] = {"log": [item(i) for i in range(n)]}
        cp["channel_versions"] = {"log": version}
        meta = {"source": "loop", "step": step, "parents": {}, "run_id": f"run{step // 10}"}
        parent = saver.put(parent, cp, meta, {"log": version})
        configs.append(parent)
    return configs


def blob_rows(dsn: str, thread: str = "t", channel: str = "log") -> list[tuple]:
    """``(version, type, base)`` of the channel's blobs, oldest first."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(
            "SELECT version, type, base FROM lgl_checkpoint_blobs WHERE thread_id = %s "
            "AND channel = %s ORDER BY version",
            (thread, channel),
        ).fetchall()


@contextlib.contextmanager
def counted(saver: PostgresSaver):
    """The statements the saver sends meanwhile, by name."""
    sent: list[str] = []
    run = saver._run

    def counting(what, query, params, *, many=False):
        sent.append(what)
        return run(what, query, params, many=many)

    saver._run = counting
    try:
        yield sent
    finally:
        del saver._run


def test_a_long_list_is_stored_as_deltas_with_a_whole_value_every_few_versions(pg_dsn):  # noqa: F811
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        put_chain(saver, list(range(10, 50)))
    rows = blob_rows(pg_dsn)
    kinds = [kind for _, kind, _ in rows]
    assert kinds.count("delta") >= 30
    assert all(base is not None for _, kind, base in rows if kind == "delta")
    # each delta builds on the version before it; a whole value at most every SNAPSHOT_EVERY
    for (before, _, _), (_, kind, base) in itertools.pairwise(rows):
        assert kind != "delta" or base == before
    run = 0
    for kind in kinds:
        run = run + 1 if kind == "delta" else 0
        assert run <= SNAPSHOT_EVERY


def test_a_saver_that_never_saw_the_thread_reads_every_checkpoint_in_two_statements(pg_dsn):  # noqa: F811
    lengths = list(range(10, 50))
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        configs = put_chain(saver, lengths)
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        with counted(cold) as sent:
            latest = cold.get_tuple({"configurable": {"thread_id": "t"}})
        assert sent == ["get_tuple", "get_tuple"]  # the row, then the chain its delta needs
        assert latest.checkpoint["channel_values"]["log"] == [item(i) for i in range(49)]
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        for config, n in zip(configs, lengths, strict=True):
            found = cold.get_tuple(config)
            assert found.checkpoint["channel_values"]["log"] == [item(i) for i in range(n)]
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        history = [t.checkpoint["channel_values"]["log"] for t in cold.list(None)]
        assert history == [[item(i) for i in range(n)] for n in reversed(lengths)]


async def test_the_async_saver_reads_a_thread_another_saver_wrote(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    lengths = list(range(10, 40))
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        configs = put_chain(saver, lengths)
    async with AsyncPostgresSaver.from_conn_string(pg_dsn) as cold:
        latest = await cold.aget_tuple({"configurable": {"thread_id": "t"}})
        assert latest.checkpoint["channel_values"]["log"] == [item(i) for i in range(39)]
        found = await cold.aget_tuple(configs[5])
        assert found.checkpoint["channel_values"]["log"] == [item(i) for i in range(15)]
        history = [t.checkpoint["channel_values"]["log"] async for t in cold.alist(None)]
        assert history == [[item(i) for i in range(n)] for n in reversed(lengths)]


def test_a_delta_whose_base_was_deleted_meanwhile_is_stored_whole(pg_dsn):  # noqa: F811
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        configs = put_chain(saver, list(range(10, 14)))
        last_version = blob_rows(pg_dsn)[-1][0]
        with psycopg.connect(pg_dsn, autocommit=True) as conn:  # another worker's delete
            conn.execute("DELETE FROM lgl_checkpoint_blobs WHERE version = %s", (last_version,))
        version = saver.get_next_version(last_version, None)
        cp = empty_checkpoint()
        cp["channel_values"] = {"log": [item(i) for i in range(20)]}
        cp["channel_versions"] = {"log": version}
        with counted(saver) as sent:
            saved = saver.put(configs[-1], cp, {"step": 9}, {"log": version})
        assert sent == ["put", "put"]  # refused for its missing base, then sent whole
        row = [r for r in blob_rows(pg_dsn) if r[0] == version]
        assert row == [(version, "msgpack", None)]
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        found = cold.get_tuple(saved)
        assert found.checkpoint["channel_values"]["log"] == [item(i) for i in range(20)]


def test_prune_keep_latest_keeps_only_the_chain_the_latest_value_needs(pg_dsn):  # noqa: F811
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        put_chain(saver, list(range(10, 50)))
        saver.prune(["t"], strategy="keep_latest")
    rows = blob_rows(pg_dsn)
    assert 1 < len(rows) <= SNAPSHOT_EVERY + 1
    assert rows[0][1] != "delta"  # the chain ends on a whole value
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        latest = cold.get_tuple({"configurable": {"thread_id": "t"}})
        assert latest.checkpoint["channel_values"]["log"] == [item(i) for i in range(49)]
        assert len(list(cold.list(None))) == 1


def test_delete_for_runs_keeps_what_the_checkpoints_left_build_on(pg_dsn):  # noqa: F811
    lengths = list(range(10, 50))
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        configs = put_chain(saver, lengths)  # runs run0..run3, ten checkpoints each
        saver.delete_for_runs(["run0", "run2"])
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        left = [t.checkpoint["channel_values"]["log"] for t in cold.list(None)]
        kept = [n for step, n in enumerate(lengths) if step // 10 in (1, 3)]
        assert left == [[item(i) for i in range(n)] for n in reversed(kept)]
        assert cold.get_tuple(configs[15]).checkpoint["channel_values"]["log"] == [
            item(i) for i in range(25)
        ]


def test_a_copied_thread_reads_on_after_its_source_is_deleted(pg_dsn):  # noqa: F811
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        put_chain(saver, list(range(10, 40)))
        saver.copy_thread("t", "copy")
        saver.delete_thread("t")
        assert saver.get_tuple({"configurable": {"thread_id": "t"}}) is None
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        found = cold.get_tuple({"configurable": {"thread_id": "copy"}})
        assert found.checkpoint["channel_values"]["log"] == [item(i) for i in range(39)]
    assert any(kind == "delta" for _, kind, _ in blob_rows(pg_dsn, "copy"))


def chat(checkpointer):
    def model(state):
        return {"messages": [AIMessage(content=f"answer {len(state['messages'])}", id=None)]}

    builder = StateGraph(MessagesState)
    builder.add_node("model", model)
    builder.add_edge(START, "model")
    builder.add_edge("model", END)
    return builder.compile(checkpointer=checkpointer)


def turns(app, config, n, first=0):
    for i in range(first, first + n):
        app.invoke({"messages": [HumanMessage(content=f"question {i}", id=f"q{i}")]}, config)


def history(app, config):
    return [
        ([(m.type, m.content) for m in s.values["messages"]], s.next, s.metadata["step"])
        for s in app.get_state_history(config)
    ]


def test_a_chat_resumed_on_another_saver_has_the_history_it_has_on_memory(pg_dsn):  # noqa: F811
    config = {"configurable": {"thread_id": "chat"}}
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        turns(chat(saver), config, 12)
    with PostgresSaver.from_conn_string(pg_dsn) as cold:  # a new process, as it were
        app = chat(cold)
        turns(app, config, 12, first=12)
        got = history(app, config)
    assert any(kind == "delta" for _, kind, _ in blob_rows(pg_dsn, "chat", "messages"))
    memory = chat(InMemorySaver())
    turns(memory, config, 24)
    assert got == history(memory, config)


def test_a_retried_put_sends_every_delta_whole_and_saves_the_checkpoint(pg_dsn):  # noqa: F811
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        parent, version = {"configurable": {"thread_id": "t"}}, None
        for n in range(10, 13):  # two list channels, stored as deltas
            version = saver.get_next_version(version, None)
            cp = empty_checkpoint()
            cp["channel_values"] = {c: [item(i) for i in range(n)] for c in ("log", "other")}
            cp["channel_versions"] = {"log": version, "other": version}
            parent = saver.put(parent, cp, {"step": n}, {"log": version, "other": version})
        with psycopg.connect(pg_dsn, autocommit=True) as conn:  # only "log"'s base goes
            conn.execute("DELETE FROM lgl_checkpoint_blobs WHERE channel = 'log'")
        version = saver.get_next_version(version, None)
        cp = empty_checkpoint()
        cp["channel_values"] = {c: [item(i) for i in range(20)] for c in ("log", "other")}
        cp["channel_versions"] = {"log": version, "other": version}
        saved = saver.put(parent, cp, {"step": 20}, {"log": version, "other": version})
    assert [r[1] for r in blob_rows(pg_dsn, "t", "other") if r[0] == version] == ["msgpack"]
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        found = cold.get_tuple(saved)
        assert found.checkpoint["channel_values"] == cp["channel_values"]


def test_a_base_the_cache_dropped_before_its_delta_was_read_is_fetched(pg_dsn):  # noqa: F811
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        put_chain(saver, list(range(10, 30)))
    with PostgresSaver.from_conn_string(pg_dsn) as cold:
        cold._lists.holds = lambda where, version: True  # said held, then gone when read
        latest = cold.get_tuple({"configurable": {"thread_id": "t"}})
        assert latest.checkpoint["channel_values"]["log"] == [item(i) for i in range(29)]


@contextlib.contextmanager
def before_chain(saver: PostgresSaver, action):
    """Run ``action`` once, just before the saver's first ``CHAIN`` query."""
    from langgraph_lite.checkpoint.postgres import _core as sql

    run, pending = saver._run, [action]

    def racing(what, query, params, *, many=False):
        if query == sql.CHAIN and pending:
            pending.pop()()
        return run(what, query, params, many=many)

    saver._run = racing
    try:
        yield
    finally:
        del saver._run
    assert not pending, "the read sent no CHAIN query"


def test_a_read_that_races_a_thread_deletion_finds_nothing_rather_than_failing(pg_dsn):  # noqa: F811
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        put_chain(saver, list(range(10, 30)))
        with (
            PostgresSaver.from_conn_string(pg_dsn) as cold,
            before_chain(cold, lambda: saver.delete_thread("t")),
        ):
            assert cold.get_tuple({"configurable": {"thread_id": "t"}}) is None


def test_a_history_read_that_races_a_deletion_lists_what_the_deletion_left(pg_dsn):  # noqa: F811
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        put_chain(saver, list(range(10, 20)))  # all deltas after the first
        with (
            PostgresSaver.from_conn_string(pg_dsn) as cold,
            before_chain(cold, lambda: saver.delete_thread("t")),
        ):
            history = list(cold.list({"configurable": {"thread_id": "t"}}, limit=3))
    assert history == []


async def test_the_async_saver_reads_again_when_a_deletion_races_its_read(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import _core as sql
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        put_chain(saver, list(range(10, 26)))  # run0: 10 checkpoints, run1: 6
        async with AsyncPostgresSaver.from_conn_string(pg_dsn) as cold:
            arun, pending = cold._arun, [lambda: saver.delete_for_runs(["run1"])]

            async def racing(what, query, params, *, many=False):
                if query == sql.CHAIN and pending:
                    pending.pop()()
                return await arun(what, query, params, many=many)

            cold._arun = racing
            history = [t async for t in cold.alist({"configurable": {"thread_id": "t"}}, limit=3)]
            assert not pending
    # the newest three of run0, read whole after their younger siblings' bases went
    left = [t.checkpoint["channel_values"]["log"] for t in history]
    assert left == [[item(i) for i in range(n)] for n in (19, 18, 17)]


@pytest.mark.parametrize("retention", ["delete_thread", "prune", "delete_idle_threads"])
def test_retention_waits_for_a_put_in_flight_so_its_delta_stays_readable(pg_dsn, retention):  # noqa: F811
    import threading

    from langgraph_lite.checkpoint.postgres import _core as sql

    with (
        PostgresSaver.from_conn_string(pg_dsn) as saver,
        PostgresSaver.from_conn_string(pg_dsn) as other,
    ):
        configs = put_chain(saver, [10, 12])
        version = saver.get_next_version(blob_rows(pg_dsn)[-1][0], None)
        cp = empty_checkpoint()
        cp["channel_values"] = {"log": [item(i) for i in range(14)]}
        cp["channel_versions"] = {"log": version}
        put = sql.put_params(saver.serde, saver._lists, configs[-1], cp, {}, {"log": version}, None)
        assert put.params["bases"] == [blob_rows(pg_dsn)[-1][0]]
        with psycopg.connect(pg_dsn) as conn:  # the put, its transaction not yet committed
            assert conn.execute(sql.PUT, put.params).fetchone()[0]
            if retention == "delete_thread":
                worker = threading.Thread(target=other.delete_thread, args=("t",))
            elif retention == "delete_idle_threads":
                worker = threading.Thread(target=other.delete_idle_threads, args=(0,))
            else:
                worker = threading.Thread(target=other.prune, args=(["t"],))
            worker.start()
            worker.join(0.5)
            assert worker.is_alive()  # it waits for the put
        worker.join()  # (the put committed as its connection closed)
        found = other.get_tuple({"configurable": {"thread_id": "t"}})
    if retention != "prune":
        assert found is None
    else:
        assert found.checkpoint["id"] == cp["id"]
        assert found.checkpoint["channel_values"]["log"] == [item(i) for i in range(14)]
