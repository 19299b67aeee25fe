"""A graph with DeltaChannel keys on every saver: chunks, state, history, resume, forks, and
each saver's get_delta_channel_history."""

import contextlib
from typing import Annotated

import pytest
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures
from typing_extensions import TypedDict

from langgraph_lite.channels import DeltaChannel
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.graph.message import _messages_delta_reducer
from langgraph_lite.messages import AIMessage, RemoveMessage
from langgraph_lite.types import Overwrite


def extend(state, writes):
    out = list(state)
    for w in writes:
        out.extend(w if isinstance(w, list) else [w])
    return out


class S(TypedDict):
    items: Annotated[list[str], DeltaChannel(extend, snapshot_frequency=2)]
    messages: Annotated[list, DeltaChannel(_messages_delta_reducer)]
    n: int


def a(s):
    return {"items": ["a"], "n": s.get("n", 0) + 1}


def b(s):
    return {"items": ["b"], "messages": [AIMessage(f"b{s['n']}")]}


def c(s):
    return {"items": ["c"]}


def build(saver, **kw):
    g = StateGraph(S)
    g.add_node("a", a).add_node("b", b).add_node("c", c)
    g.add_edge(START, "a").add_edge("a", "b").add_edge("a", "c").add_edge(["b", "c"], END)
    return g.compile(checkpointer=saver, **kw)


def contents(values):
    return {**values, "messages": [m.content for m in values.get("messages", [])]}


@contextlib.contextmanager
def memory(_tmp):
    yield InMemorySaver()


@contextlib.contextmanager
def sqlite(tmp):
    with SqliteSaver.from_conn_string(str(tmp / "d.sqlite")) as saver:
        yield saver


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def sync_saver(request, tmp_path):
    if request.param == "postgres":
        from langgraph_lite.checkpoint.postgres import PostgresSaver

        dsn = request.getfixturevalue("pg_dsn")
        with PostgresSaver.from_conn_string(dsn) as saver:
            yield saver
        return
    with {"memory": memory, "sqlite": sqlite}[request.param](tmp_path) as saver:
        yield saver


def test_run_state_history_resume_and_fork(sync_saver):
    app = build(sync_saver)
    cfg = {"configurable": {"thread_id": "t"}}
    chunks = list(app.stream({"items": ["x"], "messages": [("user", "hi")]}, cfg))
    assert chunks[0] == {"a": {"items": ["a"], "n": 1}}
    assert {k for ch in chunks[1:] for k in ch} == {"b", "c"}
    state = app.get_state(cfg)
    assert contents(state.values) == {
        "items": ["x", "a", "b", "c"],
        "messages": ["hi", "b1"],
        "n": 1,
    }
    assert all(m.id for m in state.values["messages"])

    history = list(app.get_state_history(cfg))
    assert [h.metadata["step"] for h in history] == [2, 1, 0, -1]
    assert [h.values["items"] for h in history] == [
        ["x", "a", "b", "c"],
        ["x", "a"],
        ["x"],
        [],
    ]
    assert history[1].next == ("b", "c")

    # a second turn builds on the stored value
    out = app.invoke({"items": ["y"]}, cfg)
    assert out["items"] == ["x", "a", "b", "c", "y", "a", "b", "c"]
    assert [m.content for m in out["messages"]] == ["hi", "b1", "b2"]

    # resume from an earlier checkpoint: replays b and c on that step's value
    replay = app.invoke(None, history[1].config)
    assert replay["items"] == ["x", "a", "b", "c"]

    # fork: update an old checkpoint, run on from it; the main line is untouched
    forked = app.update_state(history[2].config, {"items": ["f"]})
    assert app.get_state(forked).values["items"] == ["x", "f"]
    assert app.invoke(None, forked)["items"] == ["x", "f", "a", "b", "c"]

    # overwrite and remove through update_state, on the thread's latest (the fork's end)
    first = app.get_state(cfg).values["messages"][0]
    app.update_state(
        cfg, {"items": Overwrite(["o"]), "messages": [RemoveMessage(id=first.id)]}, as_node="b"
    )
    now = app.get_state(cfg).values
    assert now["items"] == ["o"] and [m.content for m in now["messages"]] == ["b1"]

    # a fresh saver object on the same storage reads the same values (nothing kept in memory)
    if not isinstance(sync_saver, InMemorySaver):
        again = type(sync_saver)(sync_saver.conn)
        assert build(again).get_state(cfg).values["items"] == ["o"]


def test_an_interrupted_run_resumes_with_the_value(sync_saver):
    app = build(sync_saver, interrupt_before=["b"])
    cfg = {"configurable": {"thread_id": "i"}}
    app.invoke({"items": ["x"]}, cfg)
    assert app.get_state(cfg).next == ("b", "c")
    assert app.invoke(None, cfg)["items"] == ["x", "a", "b", "c"]


def test_get_delta_channel_history(sync_saver):
    app = build(sync_saver)
    cfg = {"configurable": {"thread_id": "h"}}
    app.invoke({"items": ["x"]}, cfg)
    history = list(app.get_state_history(cfg))
    got = sync_saver.get_delta_channel_history(config=history[1].config, channels=["items"])
    # the parent (step 0) stored the value: it is the seed, and the path's writes after it
    assert got["items"]["seed"] == ["x"]
    assert [w[1:] for w in got["items"]["writes"]] == [("items", ["a"])]
    # a channel nothing stored walks to the first checkpoint: no seed, no writes
    none = sync_saver.get_delta_channel_history(config=history[0].config, channels=["nope"])
    assert none == {"nope": {"writes": []}}
    assert sync_saver.get_delta_channel_history(config=cfg, channels=[]) == {}
    with pytest.raises(TypeError, match="list of channel names"):
        sync_saver.get_delta_channel_history(config=cfg, channels="items")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def async_saver(request, tmp_path, anyio_backend):
    if request.param == "postgres":
        if anyio_backend[0] != "asyncio":
            pytest.skip("psycopg's async connections need asyncio")
        from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

        dsn = request.getfixturevalue("pg_dsn")
        async with AsyncPostgresSaver.from_conn_string(dsn) as saver:
            yield saver
        return
    if request.param == "memory":
        yield InMemorySaver()
        return
    from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver

    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "a.sqlite")) as saver:
        yield saver


@pytest.mark.anyio
async def test_async_run_history_fork_and_history_walk(async_saver):
    app = build(async_saver)
    cfg = {"configurable": {"thread_id": "a"}}
    chunks = [ch async for ch in app.astream({"items": ["x"]}, cfg, stream_mode="values")]
    assert [ch["items"] for ch in chunks] == [["x"], ["x", "a"], ["x", "a", "b", "c"]]
    assert (await app.aget_state(cfg)).values["items"] == ["x", "a", "b", "c"]
    history = [h async for h in app.aget_state_history(cfg)]
    assert [h.values["items"] for h in history][-2:] == [["x"], []]
    forked = await app.aupdate_state(history[2].config, {"items": ["f"]})
    assert (await app.ainvoke(None, forked))["items"] == ["x", "f", "a", "b", "c"]
    got = await async_saver.aget_delta_channel_history(
        config=history[1].config, channels=["items", "messages"]
    )
    assert got["items"]["seed"] == ["x"]
    assert [w[2] for w in got["items"]["writes"]] == [["a"]]
    assert got["messages"] == {"writes": []}  # never written: nothing stored on the path


class CountingSaver(InMemorySaver):
    def __init__(self):
        super().__init__()
        self.reads = 0

    def get_tuple(self, config):
        self.reads += 1
        return super().get_tuple(config)


def test_the_history_walk_is_bounded_on_a_long_thread():
    saver = CountingSaver()
    app = build(saver)
    cfg = {"configurable": {"thread_id": "long"}}
    for i in range(15):
        app.invoke({"items": [str(i)]}, cfg)
    # "messages" is first written by the last run's input
    app.invoke({"messages": [("user", "late")]}, cfg)
    head = app.get_state(cfg).config
    saver.reads = 0
    got = saver.get_delta_channel_history(config=head, channels=["items", "messages"])
    assert saver.reads <= 4  # the target, its parent, at most two more: not 60 checkpoints
    assert got["items"]["seed"][-3:] == ["14", "a", "b", "c", "a"][-3:]
    assert [w[2] for w in got["items"]["writes"]] == [["b"], ["c"]]
    saver.reads = 0
    assert saver.get_delta_channel_history(config=head, channels=["never"]) == {
        "never": {"writes": []}
    }
    assert saver.reads == 1  # the target alone: it has no version of the channel
