"""PostgresSaver's own behaviour: setup and migrations, round trips, metadata filters bound as
parameters, retention, and graphs run on it end to end."""

import asyncio
import functools
import itertools
import operator
import socket
import subprocess
import sys
import threading
import time
from typing import Annotated

import pytest
from pg_fixtures import (  # noqa: F401 - fixtures
    child_env,
    fresh_schema,
    pg_dsn,
    pg_server,
    pg_session_dsn,
)
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.base import empty_checkpoint
from langgraph_lite.graph import END, START, StateGraph


def saver_on(dsn):
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    return PostgresSaver.from_conn_string(dsn)


def put(saver, thread="t", metadata=None, values=None, parent=None, ns=""):
    cp = empty_checkpoint()
    values = values or {}
    cp["channel_values"] = dict(values)
    cp["channel_versions"] = {k: saver.get_next_version(None) for k in values}
    config = parent or {"configurable": {"thread_id": thread, "checkpoint_ns": ns}}
    return saver.put(config, cp, metadata or {}, dict(cp["channel_versions"]))


class State(TypedDict):
    log: Annotated[list, operator.add]


def chain(n=3):
    builder = StateGraph(State)
    names = [f"n{i}" for i in range(n)]
    for name in names:
        builder.add_node(name, lambda state, name=name: {"log": [name]})
    builder.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], END)
    return builder


# -- setup and migrations --------------------------------------------------------------------


def test_setup_creates_the_tables_and_records_each_migration_once(fresh_schema):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import _core

    with saver_on(fresh_schema) as saver:
        saver.setup()
        saver.setup()
        rows = saver.conn.execute("SELECT v FROM lgl_checkpoint_migrations ORDER BY v").fetchall()
        assert [r[0] for r in rows] == list(range(len(_core.MIGRATIONS)))
        assert saver.get_tuple({"configurable": {"thread_id": "t"}}) is None


def test_setup_and_a_graph_run_on_connections_in_pipeline_mode(fresh_schema):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresSaver
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    config = {"configurable": {"thread_id": "t"}}
    with PostgresSaver.from_conn_string(fresh_schema) as saver, saver.conn.pipeline() as pipe:
        saver.pipe = pipe
        saver.setup()  # its migrations, one command at a time
        graph = chain(2).compile(checkpointer=saver)
        assert graph.invoke({"log": []}, config) == {"log": ["n0", "n1"]}
        assert len(list(graph.get_state_history(config))) == 4

    async def main():
        async with (
            AsyncPostgresSaver.from_conn_string(fresh_schema) as saver,
            saver.conn.pipeline(),
        ):
            await saver.setup()
            graph = chain(2).compile(checkpointer=saver)
            # the thread the sync saver wrote, continued
            assert await graph.ainvoke({"log": ["x"]}, config) == {
                "log": ["n0", "n1", "x", "n0", "n1"]
            }
            await saver.adelete_thread("t")
            assert await saver.aget_tuple(config) is None

    asyncio.run(main())


def test_setup_in_many_processes_at_once_migrates_once(fresh_schema):  # noqa: F811
    code = (
        "import sys\n"
        "from langgraph_lite.checkpoint.postgres import PostgresSaver\n"
        "with PostgresSaver.from_conn_string(sys.argv[1]) as s:\n"
        "    s.setup()\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, fresh_schema], env=child_env())
        for _ in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    with saver_on(fresh_schema) as saver:
        rows = saver.conn.execute("SELECT v, count(*) FROM lgl_checkpoint_migrations GROUP BY v")
        assert all(count == 1 for _, count in rows.fetchall())
        assert put(saver)["configurable"]["thread_id"] == "t"


def test_a_database_without_setup_gets_an_error_saying_to_call_setup(fresh_schema):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import SchemaNotReadyError

    with (
        saver_on(fresh_schema) as saver,
        pytest.raises(SchemaNotReadyError, match=r"Call saver\.setup\(\)"),
    ):
        saver.get_tuple({"configurable": {"thread_id": "t"}})


def test_setup_migrates_a_database_of_an_older_schema_version_keeping_its_checkpoints(
    fresh_schema,  # noqa: F811
):
    from langgraph_lite.checkpoint.postgres import SchemaNotReadyError, _core

    with saver_on(fresh_schema) as saver:
        # the database as the first schema version left it, with one checkpoint in it
        saver.conn.execute(_core.SETUP_TABLE)
        saver.conn.execute(_core.MIGRATIONS[0], prepare=False)
        saver.conn.execute(_core.SETUP_RECORD, (0,))
        cp = empty_checkpoint()
        cp["channel_values"] = {"log": ["old"]}
        cp["channel_versions"] = {"log": "1"}
        params = _core.put_params(
            saver.serde,
            saver._lists,
            {"configurable": {"thread_id": "old"}},
            cp,
            {"step": 7},
            {"log": "1"},
            None,
        ).params
        saver.conn.execute(
            "INSERT INTO lgl_checkpoints (thread_id, checkpoint_ns, checkpoint_id, type, "
            "checkpoint, metadata_type, metadata, metadata_json, versions) VALUES "
            "(%(thread_id)s, '', %(checkpoint_id)s, %(kind)s, %(data)s, %(meta_kind)s, "
            "%(meta)s, %(meta_json)s, %(versions_json)s)",
            params,
        )
        saver.conn.execute(
            "INSERT INTO lgl_checkpoint_blobs VALUES ('old', '', 'log', '1', %s, %s)",
            saver.serde.dumps_typed(["old"]),
        )
        with pytest.raises(SchemaNotReadyError):  # the lease table came later
            put(saver, "old")
        saver.setup()
        found = saver.get_tuple({"configurable": {"thread_id": "old"}})
        assert found.checkpoint["channel_values"] == {"log": ["old"]}
        assert found.metadata == {"step": 7}
        assert next(iter(saver.list(None, filter={"step": 7}))).config == found.config
        with saver.acquire_lease("old"):
            put(saver, "old")
        assert len(list(saver.list({"configurable": {"thread_id": "old"}}))) == 2


# -- round trips -----------------------------------------------------------------------------


class RoundTripProxy:
    """A TCP proxy to the server that counts round trips: every burst of bytes from the client
    that follows a reply from the server (or opens the conversation) is one."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.trips = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            state = {"last": None}
            for src, dst, way in ((client, server, "up"), (server, client, "down")):
                threading.Thread(
                    target=self._pump, args=(src, dst, way, state), daemon=True
                ).start()

    def _pump(self, src, dst, way, state) -> None:
        try:
            while data := src.recv(65536):
                with self.lock:
                    if way == "up" and state["last"] != "up":
                        self.trips += 1
                    state["last"] = way
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def count(self, action, *args) -> int:
        """The round trips ``action(*args)`` makes (draining it when it is an iterator)."""
        with self.lock:
            self.trips = 0
        result = action(*args)
        if hasattr(result, "__next__"):
            list(result)
        with self.lock:
            return self.trips

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def proxied(pg_dsn):  # noqa: F811
    """``(dsn, proxy)``: the test schema, reached through a round-trip counting proxy."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(pg_dsn)
    proxy = RoundTripProxy(info.get("host", "127.0.0.1"), int(info.get("port", 5432)))
    yield make_conninfo(pg_dsn, host="127.0.0.1", port=proxy.port, sslmode="disable"), proxy
    proxy.close()


def test_each_saver_call_is_one_round_trip(proxied):
    dsn, proxy = proxied
    with saver_on(dsn) as saver:
        config = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
        # the first call of each statement prepares it: one extra round trip, once
        for step in range(8):
            cp = empty_checkpoint()
            cp["channel_values"] = {"a": step, "b": [step]}
            cp["channel_versions"] = {"a": str(step), "b": str(step)}
            versions = dict(cp["channel_versions"])
            once = 2 if step == 0 else 1
            # steps from 2: a filter on 0 or 1 is another statement (it matches booleans too)
            meta = {"step": step + 2}
            assert proxy.count(saver.put, config, cp, meta, versions) == once
            config = {"configurable": {**config["configurable"], "checkpoint_id": cp["id"]}}
            writes = [("a", 1), ("b", 2), ("__error__", "boom")]
            assert proxy.count(saver.put_writes, config, writes, f"task{step}") == once
            assert proxy.count(saver.get_tuple, config) == once
            listing = functools.partial(saver.list, None, filter=meta, limit=3)
            assert proxy.count(listing) == once
        assert saver.get_tuple(config).pending_writes[0] == ("task7", "__error__", "boom")


def test_a_graph_step_costs_one_round_trip_per_saver_call(proxied):
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    calls = []

    class Counting(PostgresSaver):
        def _run(self, what, *args, **kwargs):
            calls.append(what)
            return super()._run(what, *args, **kwargs)

    dsn, proxy = proxied
    with Counting.from_conn_string(dsn) as saver:
        graph = chain(5).compile(checkpointer=saver)
        graph.invoke({"log": []}, {"configurable": {"thread_id": "warm-up"}})
        calls.clear()
        config = {"configurable": {"thread_id": "g"}}
        trips = proxy.count(lambda: graph.invoke({"log": []}, config))
        made = list(calls)
        assert graph.get_state(config).values == {"log": ["n0", "n1", "n2", "n3", "n4"]}
    # the thread's lease, one read, then per step: the task's writes and the checkpoint;
    # the lease is given back at the end
    assert made[0] == "acquire_lease" and made[-1] == "release"
    assert made.count("get_tuple") == 1
    assert made.count("put") == 7  # the input (step -1), then steps 0 (__start__) to 5
    assert made.count("put_writes") == 6
    assert trips == len(made) == 16


# -- list filters ----------------------------------------------------------------------------


def test_list_filters_bind_every_key_and_value(pg_dsn):  # noqa: F811
    hostile = "x'); DROP TABLE lgl_checkpoints; --"
    with saver_on(pg_dsn) as saver:
        put(saver, "a", {hostile: hostile, "step": 1})
        put(saver, "b", {"source": "loop", "step": 2, "who": 'a"b'})
        assert [t.metadata["step"] for t in saver.list(None, filter={hostile: hostile})] == [1]
        assert [t.metadata["step"] for t in saver.list(None, filter={"who": 'a"b'})] == [2]
        assert list(saver.list(None, filter={hostile: "other"})) == []
        assert len(list(saver.list(None))) == 2  # the table is still there


def test_list_filters_on_values_jsonb_cannot_hold_compare_after_decoding(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        put(saver, "a", {"name": "nul\x00here", "score": float("nan"), "tags": ["x", "y"]})
        put(saver, "b", {"name": "plain", "tags": ["x"]})
        assert [t.config["configurable"]["thread_id"] for t in saver.list(None)] == ["b", "a"]
        found = list(saver.list(None, filter={"name": "nul\x00here"}))
        assert [t.config["configurable"]["thread_id"] for t in found] == ["a"]
        # equality, not containment: ["x"] does not match ["x", "y"]
        found = list(saver.list(None, filter={"tags": ["x"]}))
        assert [t.config["configurable"]["thread_id"] for t in found] == ["b"]
        assert list(saver.list(None, filter={"name": None})) == []


def test_list_limit_applies_after_filters_decided_in_python(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        for i in range(5):
            put(saver, "t", {"tags": ["even"] if i % 2 == 0 else ["odd"], "i": i})
        found = list(saver.list(None, filter={"tags": ["even"]}, limit=2))
        assert [t.metadata["i"] for t in found] == [4, 2]
        found = list(saver.list(None, filter={"i": 3}, before=None, limit=5))
        assert [t.metadata["i"] for t in found] == [3]


# -- retention -------------------------------------------------------------------------------


def test_prune_keep_latest_keeps_each_namespaces_newest_checkpoint_and_its_writes(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        for thread in ("a", "b", "keep"):
            for ns in ("", "child"):
                for i in range(3):
                    config = put(saver, thread, {"i": i}, values={"v": i}, ns=ns)
                    saver.put_writes(config, [("v", i)], f"task{i}")
        saver.prune(["a", "b"])
        for thread in ("a", "b"):
            for ns in ("", "child"):
                left = list(
                    saver.list({"configurable": {"thread_id": thread, "checkpoint_ns": ns}})
                )
                assert [(t.metadata["i"], t.checkpoint["channel_values"]) for t in left] == [
                    (2, {"v": 2})
                ]
                assert left[0].pending_writes == [("task2", "v", 2)]
        assert len(list(saver.list({"configurable": {"thread_id": "keep"}}))) == 6
        blobs = saver.conn.execute(
            "SELECT thread_id, count(*) FROM lgl_checkpoint_blobs GROUP BY thread_id ORDER BY 1"
        ).fetchall()
        assert blobs == [("a", 2), ("b", 2), ("keep", 6)]


def test_prune_delete_removes_the_threads(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        for thread in ("a", "b", "c"):
            put(saver, thread)
        saver.prune(["a", "c"], strategy="delete")
        assert [t.config["configurable"]["thread_id"] for t in saver.list(None)] == ["b"]


def test_prune_names_bad_arguments(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        # LangGraph's words first (langgraph-checkpoint-postgres 3.2.0)
        with pytest.raises(
            TypeError, match=r"^thread_ids must be a sequence of thread IDs, not a str"
        ):
            saver.prune("a")
        with pytest.raises(ValueError, match=r"^Unknown prune strategy: 'oldest'"):
            saver.prune(["a"], strategy="oldest")


def test_delete_idle_threads_deletes_threads_untouched_for_that_long(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        put(saver, "old")
        put(saver, "leased")
        time.sleep(0.3)
        put(saver, "new")
        with saver.acquire_lease("leased", ttl=30):
            assert saver.delete_idle_threads(0.2) == ["old"]
        assert sorted(t.config["configurable"]["thread_id"] for t in saver.list(None)) == [
            "leased",
            "new",
        ]
        with pytest.raises(ValueError, match="idle_for"):
            saver.delete_idle_threads(-1)


# -- graphs on it ----------------------------------------------------------------------------


def test_a_graph_resumes_its_thread_in_another_process(pg_dsn, isolated):  # noqa: F811
    code = (
        "import sys, operator\n"
        "from typing import Annotated\n"
        "from typing_extensions import TypedDict\n"
        "from langgraph_lite.checkpoint.postgres import PostgresSaver\n"
        "from langgraph_lite.graph import StateGraph, START, END\n"
        "from langgraph_lite.types import interrupt, Command\n"
        "class S(TypedDict):\n"
        "    log: Annotated[list, operator.add]\n"
        "def ask(state):\n"
        "    return {'log': [interrupt('name?')]}\n"
        "b = StateGraph(S)\n"
        "b.add_node('ask', ask)\n"
        "b.add_edge(START, 'ask')\n"
        "b.add_edge('ask', END)\n"
        "with PostgresSaver.from_conn_string(sys.argv[1]) as saver:\n"
        "    g = b.compile(checkpointer=saver)\n"
        "    config = {'configurable': {'thread_id': 'resume'}}\n"
        "    if sys.argv[2] == 'start':\n"
        "        print(g.invoke({'log': ['hi']}, config)['__interrupt__'][0].value)\n"
        "    else:\n"
        "        print(g.invoke(Command(resume='ada'), config)['log'])\n"
    )
    first = isolated(code, pg_dsn, "start")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "name?"
    second = isolated(code, pg_dsn, "resume")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "['hi', 'ada']"


def test_a_graph_runs_on_the_async_saver_and_its_history_reads_back(pg_dsn):  # noqa: F811
    import asyncio

    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    async def main():
        async with AsyncPostgresSaver.from_conn_string(pg_dsn) as saver:
            graph = chain(3).compile(checkpointer=saver)
            config = {"configurable": {"thread_id": "async"}}
            assert await graph.ainvoke({"log": ["in"]}, config) == {"log": ["in", "n0", "n1", "n2"]}
            history = [s async for s in graph.aget_state_history(config)]
            return [s.metadata["step"] for s in history], [s.next for s in history]

    steps, nexts = asyncio.run(main())
    # as LangGraph 1.2.22 on its AsyncPostgresSaver (langgraph-checkpoint-postgres 3.2.0)
    assert steps == [3, 2, 1, 0, -1]
    assert nexts == [(), ("n2",), ("n1",), ("n0",), ("__start__",)]


def test_the_async_saver_under_trio_says_to_use_postgres_saver(pg_dsn):  # noqa: F811
    import trio

    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    async def main():
        with pytest.raises(RuntimeError, match=r"asyncio.*use PostgresSaver"):
            async with AsyncPostgresSaver.from_conn_string(pg_dsn):
                pass

    trio.run(main)


def test_sync_calls_on_the_async_saver_from_its_loop_are_refused(pg_dsn):  # noqa: F811
    import asyncio

    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    async def main():
        async with AsyncPostgresSaver.from_conn_string(pg_dsn) as saver:
            with pytest.raises(asyncio.InvalidStateError, match=r"^Synchronous calls to"):
                saver.get_tuple({"configurable": {"thread_id": "t"}})

    asyncio.run(main())


def test_copy_thread_copies_checkpoints_blobs_and_writes_under_the_new_id(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        first = put(saver, "src", {"i": 0}, values={"v": "a"})
        second = put(saver, "src", {"i": 1}, values={"v": "b"}, parent=first)
        saver.put_writes(second, [("v", "c")], "task")
        saver.copy_thread("src", "dst")
        copied = list(saver.list({"configurable": {"thread_id": "dst"}}))
        assert [t.checkpoint["channel_values"] for t in copied] == [{"v": "b"}, {"v": "a"}]
        assert copied[0].pending_writes == [("task", "v", "c")]
        assert copied[0].parent_config["configurable"]["thread_id"] == "dst"
        assert len(list(saver.list({"configurable": {"thread_id": "src"}}))) == 2


@pytest.mark.anyio
async def test_the_sync_savers_async_twins_work_under_any_event_loop(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import ThreadBusyError

    with saver_on(pg_dsn) as saver, saver_on(pg_dsn) as other:
        lease = await saver.aacquire_lease("t", ttl=30)
        with pytest.raises(ThreadBusyError):
            await other.aacquire_lease("t")
        await lease.arenew(60)
        await saver.aput({"configurable": {"thread_id": "t"}}, empty_checkpoint(), {}, {})
        await lease.arelease()
        await saver.acopy_thread("t", "u")
        await saver.aprune(["t", "u"], strategy="delete")
        assert await saver.adelete_idle_threads(0) == []
        assert list(saver.list(None)) == []


def test_a_connection_in_transaction_mode_or_with_dict_rows_works_and_commits(pg_dsn):  # noqa: F811
    import psycopg
    from psycopg.rows import dict_row

    from langgraph_lite.checkpoint.postgres import PostgresSaver

    with psycopg.connect(pg_dsn, row_factory=dict_row) as conn:  # not autocommit
        saver = PostgresSaver(conn)
        config = put(saver, "tx", {"step": 1}, values={"v": 1})
        assert saver.get_tuple(config).checkpoint["channel_values"] == {"v": 1}
        with saver_on(pg_dsn) as other:  # committed: another connection sees it
            assert other.get_tuple(config).metadata == {"step": 1}
