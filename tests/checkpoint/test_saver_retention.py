"""``prune``, ``delete_for_runs`` and ``copy_thread`` (and their async twins) on every saver:
memory, SQLite (sync and async), PostgreSQL (sync and async; ``-k postgres`` selects them,
they need ``LANGGRAPH_LITE_POSTGRES_DSN``).

The threads are long enough that the savers store list values and skeletons as deltas against
earlier checkpoints: deleting checkpoints must never leave a kept one unreadable.
"""

import contextlib
import operator
from typing import Annotated, Any

import pytest
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.held import HELD_DELTA
from langgraph_lite.checkpoint.lease import ThreadBusyError
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command, interrupt

pytestmark = pytest.mark.anyio

KINDS = ["memory", "sqlite", "async-sqlite", "postgres", "async-postgres"]


@contextlib.asynccontextmanager
async def open_saver(kind: str, request: Any, tmp_path: Any):
    if kind == "memory":
        yield InMemorySaver()
    elif kind == "sqlite":
        with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
            yield saver
    elif kind == "async-sqlite":
        async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
            yield saver
    elif kind == "postgres":
        from langgraph_lite.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(request.getfixturevalue("pg_dsn")) as saver:
            yield saver
    else:
        from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

        dsn = request.getfixturevalue("pg_dsn")
        async with AsyncPostgresSaver.from_conn_string(dsn) as saver:
            yield saver


@pytest.fixture(params=KINDS)
def kind(request, anyio_backend):
    if request.param == "async-postgres" and anyio_backend[0] != "asyncio":
        pytest.skip("psycopg's async connections run on asyncio only")
    return request.param


@pytest.fixture
async def saver(kind, request, tmp_path):
    async with open_saver(kind, request, tmp_path) as made:
        yield made


@pytest.fixture(params=["sync", "async"])
def call(request, kind):
    """``await call(saver, "prune", ...)``: the sync method, or its async twin."""
    if request.param == "sync" and kind == "async-postgres":
        pytest.skip("AsyncPostgresSaver's sync methods are for other threads")

    async def run(saver: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if request.param == "sync":
            return getattr(saver, name)(*args, **kwargs)
        return await getattr(saver, "a" + name)(*args, **kwargs)

    return run


# -- a graph whose checkpoints the savers store as deltas ----------------------------------

EXTRA = [f"k{i}" for i in range(64)]  # enough channels for skeleton deltas


class State(TypedDict, total=False):
    log: Annotated[list, operator.add]
    todo: int


for _key in EXTRA:
    State.__annotations__[_key] = int


def work(state: State) -> dict[str, Any]:
    n = len(state.get("log") or [])
    return {"log": [f"entry {n:04d} " + "x" * 80], "todo": state["todo"] - 1, EXTRA[n % 64]: n}


def graph(saver: Any) -> Any:
    builder = StateGraph(State)
    builder.add_node("work", work)
    builder.add_edge(START, "work")
    builder.add_conditional_edges("work", lambda s: "work" if s["todo"] > 0 else END)
    return builder.compile(checkpointer=saver)


def cfg(thread: str, run: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"configurable": {"thread_id": thread}}
    if run is not None:
        config["metadata"] = {"run_id": run}
    return config


async def fill(app: Any, thread: str, runs: int = 4, steps: int = 9) -> None:
    for r in range(runs):
        start = {"todo": steps, **{key: -1 for key in EXTRA}} if r == 0 else {"todo": steps}
        await app.ainvoke(start, cfg(thread, f"run-{r}"))


async def history(app: Any, thread: str) -> dict[str, Any]:
    return {
        s.config["configurable"]["checkpoint_id"]: (s.values, s.next, s.metadata)
        async for s in app.aget_state_history(cfg(thread))
    }


def stored_deltas(saver: Any) -> int:
    """How many values and skeletons the saver stores as deltas (0 where it stores none)."""
    if isinstance(saver, InMemorySaver):
        return sum(1 for blob in saver.blobs.values() if blob[0] in ("delta", HELD_DELTA))
    if isinstance(saver, SqliteSaver):
        return saver.conn.execute(
            "SELECT count(*) FROM (SELECT type FROM blobs UNION ALL SELECT type FROM "
            "checkpoints) WHERE type IN ('delta', 'skeleton-delta')"
        ).fetchone()[0]
    return 0


@contextlib.asynccontextmanager
async def fresh_reader(kind: str, saver: Any, request: Any, tmp_path: Any):
    """A saver on the same storage with nothing cached: what it reads is what is stored."""
    if kind == "memory":
        from langgraph_lite.checkpoint.increments import ListIncrements

        saver._lists = ListIncrements(saver.serde)  # the storage stays, the cache goes
        yield saver
    else:
        async with open_saver(kind, request, tmp_path) as other:
            yield other


async def stored_history(kind, saver, request, tmp_path, thread):
    async with fresh_reader(kind, saver, request, tmp_path) as reader:
        return await history(graph(reader), thread)


# -- prune ---------------------------------------------------------------------------------


async def test_prune_keep_latest_leaves_the_latest_checkpoint_readable_resumable_and_forkable(
    kind, saver, call, request, tmp_path
):
    app = graph(saver)
    await fill(app, "t")
    await fill(app, "twin")
    before = await history(app, "t")
    assert len(before) >= 40
    if isinstance(saver, InMemorySaver | SqliteSaver):
        assert stored_deltas(saver) > 0  # the test exercises the delta formats
    latest = max(before)
    await call(saver, "prune", ["t"])
    after = await history(app, "t")
    assert list(after) == [latest]
    assert after[latest] == before[latest]
    assert await stored_history(kind, saver, request, tmp_path, "t") == after
    state = await app.aget_state(cfg("t"))
    assert state.values == before[latest][0] and state.parent_config is None
    assert len(await history(app, "twin")) == len(before)  # other threads untouched
    # resume: the pruned thread and an unpruned twin go on alike
    assert await app.ainvoke({"todo": 3}, cfg("t")) == await app.ainvoke({"todo": 3}, cfg("twin"))
    # fork the kept checkpoint
    kept = {"configurable": {"thread_id": "t", "checkpoint_id": latest}}
    forked = await app.aupdate_state(kept, {"todo": 1})
    result = await app.ainvoke(None, forked)
    assert result["log"][:-1] == before[latest][0]["log"]
    assert len(result["log"]) == len(before[latest][0]["log"]) + 1


async def test_prune_delete_removes_the_threads_and_only_them(saver, call):
    app = graph(saver)
    for thread in ("a", "b", "c"):
        await fill(app, thread, runs=1, steps=2)
    await call(saver, "prune", ["a", "c"], strategy="delete")
    assert [await history(app, t) == {} for t in ("a", "b", "c")] == [True, False, True]
    await call(saver, "prune", [])  # nothing to do


async def test_prune_keeps_an_interrupted_subgraph_call_and_drops_a_finished_one(saver, call):
    class S(TypedDict):
        x: Annotated[list, operator.add]

    def ask(state: S) -> dict[str, Any]:
        return {"x": [interrupt("q")]}

    sub = StateGraph(S)
    sub.add_node("s1", lambda s: {"x": ["s1"]})
    sub.add_node("s2", ask)
    sub.add_edge(START, "s1")
    sub.add_edge("s1", "s2")
    sub.add_edge("s2", END)
    builder = StateGraph(S)
    builder.add_node("a", lambda s: {"x": ["a"]})
    builder.add_node("sub", sub.compile())
    builder.add_edge(START, "a")
    builder.add_edge("a", "sub")
    builder.add_edge("sub", END)
    app = builder.compile(checkpointer=saver)
    await app.ainvoke({"x": []}, cfg("t"))
    await app.ainvoke({"x": []}, cfg("twin"))
    await call(saver, "prune", ["t"])
    namespaces = {t.config["configurable"]["checkpoint_ns"] async for t in saver.alist(cfg("t"))}
    assert len(namespaces) == 2  # the root's latest, and the call it waits on
    assert await app.ainvoke(Command(resume="r"), cfg("t")) == await app.ainvoke(
        Command(resume="r"), cfg("twin")
    )
    await call(saver, "prune", ["t"])
    left = [t async for t in saver.alist(cfg("t"))]
    assert [t.config["configurable"]["checkpoint_ns"] for t in left] == [""]
    assert (await app.aget_state(cfg("t"))).values == (await app.aget_state(cfg("twin"))).values


async def test_prune_names_bad_arguments(saver, call):
    with pytest.raises(TypeError, match=r"^thread_ids must be a sequence of thread IDs, not a str"):
        await call(saver, "prune", "t")
    with pytest.raises(ValueError, match=r"^Unknown prune strategy: 'oldest'"):
        await call(saver, "prune", ["t"], strategy="oldest")


# -- delete_for_runs -----------------------------------------------------------------------


async def test_delete_for_runs_deletes_those_runs_checkpoints_and_the_rest_read_as_before(
    kind, saver, call, request, tmp_path
):
    app = graph(saver)
    await fill(app, "t")
    await fill(app, "u", runs=2)
    before = await history(app, "t")
    await call(saver, "delete_for_runs", ["run-1", "run-3"])
    after = await history(app, "t")
    assert sorted(after) == sorted(
        c for c, (_, _, meta) in before.items() if meta["run_id"] in ("run-0", "run-2")
    )
    for checkpoint_id, (values, nxt, meta) in after.items():
        assert (values, nxt) == before[checkpoint_id][:2]
        assert meta == before[checkpoint_id][2]
    assert await stored_history(kind, saver, request, tmp_path, "t") == after
    runs = {m["run_id"] for _, _, m in (await history(app, "u")).values()}
    assert runs == {"run-0"}  # run-1 of thread u went too
    for state in [s async for s in app.aget_state_history(cfg("t"))]:
        parent = state.parent_config
        assert parent is None or parent["configurable"]["checkpoint_id"] in after
    # the thread goes on from its latest checkpoint left
    result = await app.ainvoke({"todo": 2}, cfg("t"))
    assert len(result["log"]) == len(before[max(after)][0]["log"]) + 2


async def test_delete_for_runs_of_no_known_run_changes_nothing(saver, call):
    app = graph(saver)
    await fill(app, "t", runs=1, steps=2)
    before = await history(app, "t")
    await call(saver, "delete_for_runs", ["nope"])
    await call(saver, "delete_for_runs", [])
    assert await history(app, "t") == before
    with pytest.raises(TypeError, match=r"run_ids must be a sequence of run IDs"):
        await call(saver, "delete_for_runs", "run-0")


# -- copy_thread ---------------------------------------------------------------------------


async def test_copy_thread_copies_history_and_pending_writes_and_the_copy_resumes(saver, call):
    class S(TypedDict):
        x: Annotated[list, operator.add]

    def ask(state: S) -> dict[str, Any]:
        return {"x": [interrupt("name?")]}

    builder = StateGraph(S)
    builder.add_node("a", lambda s: {"x": ["a"]})
    builder.add_node("b", lambda s: {"x": ["b"]})
    builder.add_node("ask", ask)
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_edge("a", "ask")
    builder.add_edge("b", "ask")
    builder.add_edge("ask", END)
    app = builder.compile(checkpointer=saver)
    await app.ainvoke({"x": ["in"]}, cfg("src"))
    await call(saver, "copy_thread", "src", "dst")
    src = [t async for t in saver.alist(cfg("src"))]
    dst = [t async for t in saver.alist(cfg("dst"))]
    assert [t.checkpoint for t in dst] == [t.checkpoint for t in src]
    assert [t.metadata for t in dst] == [t.metadata for t in src]
    assert [t.pending_writes for t in dst] == [t.pending_writes for t in src]
    assert dst[0].pending_writes  # the interrupt waits in the copy too
    assert dst[0].parent_config["configurable"]["thread_id"] == "dst"
    assert await app.ainvoke(Command(resume="ada"), cfg("dst")) == {"x": ["in", "a", "b", "ada"]}
    assert (await app.aget_state(cfg("src"))).next == ("ask",)  # the source is as it was
    # a fork of an older checkpoint of the copy
    old = [s async for s in app.aget_state_history(cfg("dst"))][-2]
    forked = await app.aupdate_state(old.config, {"x": ["forked"]})
    assert "forked" in (await app.aget_state(forked)).values["x"]


async def test_copy_thread_refuses_a_target_with_checkpoints_and_itself(saver, call):
    app = graph(saver)
    await fill(app, "a", runs=1, steps=1)
    await fill(app, "b", runs=1, steps=1)
    with pytest.raises(ValueError, match=r"thread 'b' already has checkpoints"):
        await call(saver, "copy_thread", "a", "b")
    with pytest.raises(ValueError, match=r"same thread 'a'"):
        await call(saver, "copy_thread", "a", "a")
    await call(saver, "copy_thread", "missing", "c")  # nothing to copy
    assert await history(app, "c") == {}


# -- leases --------------------------------------------------------------------------------


async def test_a_thread_another_worker_leases_is_neither_pruned_deleted_nor_copied_onto(
    kind, saver, call, request, tmp_path
):
    if kind == "memory":
        pytest.skip("InMemorySaver has no leases")
    app = graph(saver)
    await fill(app, "t", runs=2, steps=2)
    await fill(app, "u", runs=1, steps=1)
    before = await history(app, "t")
    async with open_saver(kind, request, tmp_path) as other:
        lease = await other.aacquire_lease("t", ttl=30)
        for name, args, kwargs in [
            ("prune", (["u", "t"],), {}),
            ("prune", (["t"],), {"strategy": "delete"}),
            ("delete_for_runs", (["run-0"],), {}),
            ("copy_thread", ("u", "t"), {}),
        ]:
            with pytest.raises(ThreadBusyError, match=r"thread 't'"):
                await call(saver, name, *args, **kwargs)
        with pytest.raises(ThreadBusyError, match=r"thread 't'"):
            await saver.adelete_thread("t")
        assert await history(app, "t") == before
        assert len(await history(app, "u")) > 1  # refused whole: u was not pruned either
        await call(saver, "copy_thread", "t", "v")  # reading a leased thread is fine
        await lease.arelease()
    # the holder of the lease may prune its own thread
    async with await saver.aacquire_lease("t", ttl=30):
        await call(saver, "prune", ["t"])
    assert list(await history(app, "t")) == [max(before)]
