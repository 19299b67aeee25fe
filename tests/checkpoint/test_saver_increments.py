"""Savers store what changed since the previous checkpoint, and hand out the same state.

The engine builds each checkpoint from the previous one: unchanged ``versions_seen`` entries are
the same dict objects, list channels (messages, ``operator.add``) grow at the end. Savers use
that to store less; these tests check they never give back anything but what was put, whatever
the caller does to its objects in between. Run against every saver, sync and async, as
``test_savers.py``.
"""

import inspect
import itertools
import shutil
import sys
from pathlib import Path
from typing import Any

import msgpack
import pytest
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures
from test_savers import SAVERS, AsyncApi, SyncApi, checkpoint, thread

pytestmark = pytest.mark.anyio

POSTGRES = [pytest.param("postgres", id="postgres"), pytest.param("async-postgres", id="apg")]


@pytest.fixture(params=[*SAVERS, *POSTGRES])
async def saver(request, tmp_path, anyio_backend):
    if request.param == "postgres":
        from langgraph_lite.checkpoint.postgres import PostgresSaver

        dsn = request.getfixturevalue("pg_dsn")
        with PostgresSaver.from_conn_string(dsn) as made:
            made.test_dsn = dsn  # (stored_bytes reads the tables on a connection of its own)
            yield made
    elif request.param == "async-postgres":
        if anyio_backend[0] != "asyncio":
            pytest.skip("psycopg's async connections run on asyncio only")
        from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

        dsn = request.getfixturevalue("pg_dsn")
        async with AsyncPostgresSaver.from_conn_string(dsn) as made:
            made.test_dsn = dsn
            yield made
    else:
        with request.param(tmp_path) as made:
            yield made


@pytest.fixture(params=[SyncApi, AsyncApi], ids=["sync", "async"])
def api(request, saver):
    if request.param is SyncApi and type(saver).__name__ == "AsyncPostgresSaver":
        pytest.skip("AsyncPostgresSaver's sync methods are for other threads")
    return request.param(saver)


def skeleton(found: Any) -> dict[str, Any]:
    return {k: v for k, v in found.checkpoint.items() if k != "channel_values"}


def loop_meta(step: int) -> dict[str, Any]:
    return {"source": "loop", "step": step, "parents": {}}


async def test_a_seen_entry_shared_with_the_previous_put_and_changed_in_place_is_saved_as_it_is(
    api,
):
    first = checkpoint({"a": 1}, {"a": "1"})
    first["versions_seen"] = {"x": {"a": "1"}, "y": {"a": "1"}}
    c1 = await api.put(thread(), first, loop_meta(0), {"a": "1"})

    second = checkpoint({"a": 2}, {"a": "2"})
    # the same inner dicts as the first put, one of them changed in place since
    second["versions_seen"] = dict(first["versions_seen"])
    second["versions_seen"]["x"]["a"] = "2"
    c2 = await api.put(c1, second, loop_meta(1), {"a": "2"})

    assert (await api.get_tuple(c1)).checkpoint["versions_seen"] == {
        "x": {"a": "1"},
        "y": {"a": "1"},
    }
    assert (await api.get_tuple(c2)).checkpoint["versions_seen"] == {
        "x": {"a": "2"},
        "y": {"a": "1"},
    }


async def test_a_skeleton_changed_after_put_or_get_is_not_changed_in_the_saver(api):
    cp = checkpoint({"a": 1}, {"a": "1"})
    cp["versions_seen"] = {"x": {"a": "1"}}
    config = await api.put(thread(), cp, loop_meta(0), {"a": "1"})
    saved = {k: v for k, v in cp.items() if k != "channel_values"}
    expected = {
        "v": saved["v"],
        "id": saved["id"],
        "ts": saved["ts"],
        "channel_versions": {"a": "1"},
        "versions_seen": {"x": {"a": "1"}},
        "updated_channels": ["a"],
    }
    cp["channel_versions"]["a"] = "9"
    cp["versions_seen"]["x"]["a"] = "9"
    cp["updated_channels"].append("b")
    got = await api.get_tuple(config)
    assert skeleton(got) == expected

    got.checkpoint["channel_versions"]["a"] = "7"
    got.checkpoint["versions_seen"]["x"]["b"] = "7"
    got.checkpoint["updated_channels"].clear()
    assert skeleton(await api.get_tuple(config)) == expected
    assert [skeleton(t) for t in await api.list(thread())] == [expected]


async def test_a_node_dropped_from_versions_seen_is_dropped_from_the_saved_checkpoint(api):
    first = checkpoint({"a": 1}, {"a": "1"})
    first["versions_seen"] = {"x": {"a": "1"}, "y": {"a": "1"}}
    c1 = await api.put(thread(), first, loop_meta(0), {"a": "1"})
    second = checkpoint({"a": 1}, {"a": "1"})
    second["versions_seen"] = {"y": first["versions_seen"]["y"]}
    c2 = await api.put(c1, second, loop_meta(1), {})
    assert (await api.get_tuple(c2)).checkpoint["versions_seen"] == {"y": {"a": "1"}}


# -- list values: stored as what changed ------------------------------------------------------


def item(i: int, prefix: str = "m") -> str:
    """A list item big enough that lists of ten are stored as deltas (see MIN_BYTES)."""
    return f"{prefix}{i}: " + "x" * 60


def stored_bytes(saver: Any) -> int:
    """The bytes of every channel value the saver holds."""
    if hasattr(saver, "blobs"):
        return sum(len(data) for _, data in saver.blobs.values())
    if type(saver).__name__.endswith("PostgresSaver"):
        import psycopg

        with psycopg.connect(saver.test_dsn, autocommit=True) as conn:
            query = "SELECT COALESCE(SUM(octet_length(blob)), 0) FROM lgl_checkpoint_blobs"
            return conn.execute(query).fetchone()[0]
    return saver.conn.execute("SELECT COALESCE(SUM(LENGTH(blob)), 0) FROM blobs").fetchone()[0]


async def put_lists(api, lists: list[list[Any]], thread_id: str = "t1") -> list[dict[str, Any]]:
    """Save one checkpoint per list (channel "log", a new version each), each the child of the
    last; return their configs."""
    configs = []
    parent = thread(thread_id)
    version = None
    for step, value in enumerate(lists):
        version = api.saver.get_next_version(version, None)
        cp = checkpoint({"log": value}, {"log": version})
        parent = await api.put(parent, cp, loop_meta(step), {"log": version})
        configs.append(parent)
    return configs


async def test_every_version_of_a_list_that_grows_shrinks_and_changes_reads_back_as_it_was(api):
    import copy

    value: list[Any] = [item(i) for i in range(10)]
    shared = {"n": 0}
    value.append(shared)
    expected = []
    for step in range(60):
        value = [*value, {"step": step, "text": "y" * 60}]
        if step % 7 == 3:
            value = value[:5] + value[6:]  # a removal in the middle
        if step % 11 == 5:
            value = [*value[:-2], "replaced", value[-1]]
        if step % 13 == 8:
            shared["n"] += 1  # changed in place: the same object as in the previous list
        if step == 40:
            value = value[-3:]  # most of it dropped
        expected.append(copy.deepcopy(value))
        # put as we go: what was saved is what the list held then
        if step == 0:
            configs = await put_lists(api, [value])
        else:
            configs.append(
                await _put_next(api, configs[-1], value, step),
            )
    for config, want in zip(configs, expected, strict=True):
        assert (await api.get_tuple(config)).checkpoint["channel_values"]["log"] == want
    history = [t.checkpoint["channel_values"]["log"] for t in await api.list(thread())]
    assert history == expected[::-1]


async def _put_next(api, parent: dict[str, Any], value: list[Any], step: int) -> dict[str, Any]:
    before = (await api.get_tuple(parent)).checkpoint["channel_versions"]["log"]
    version = api.saver.get_next_version(before, None)
    cp = checkpoint({"log": value}, {"log": version})
    return await api.put(parent, cp, loop_meta(step), {"log": version})


async def test_a_list_that_grows_by_one_item_a_step_stores_about_that_item(api):
    # (texts of their own: a saver that stores a shared object once would make ``one`` small)
    start = [{"text": f"{i:03}" + "x" * 100, "i": i} for i in range(200)]
    await put_lists(api, [start])
    one = stored_bytes(api.saver)
    lists = [start]
    for i in range(100):
        lists.append(lists[-1] + [{"text": f"{i:03}" + "y" * 100, "i": 200 + i}])
    await put_lists(api, lists[1:], thread_id="t2")
    # whole lists would be ~100 x the first; what changed is 100 small items (plus a full
    # value every SNAPSHOT_EVERY versions)
    assert stored_bytes(api.saver) - one < 10 * one
    found = await api.get_tuple(thread("t2"))
    assert found.checkpoint["channel_values"]["log"] == lists[-1]


async def test_a_thread_deleted_and_saved_again_reads_back(api):
    lists = [[item(i) for i in range(n)] for n in range(10, 14)]
    await put_lists(api, lists)
    await api.delete_thread("t1")
    configs = await put_lists(api, [lists[-1] + ["again"]])
    assert (await api.get_tuple(configs[-1])).checkpoint["channel_values"]["log"] == [
        *lists[-1],
        "again",
    ]


# -- SQLite: files and connections -------------------------------------------------------------

FIXTURE = Path(__file__).parent / "fixtures" / "before-increments.sqlite"


def chat_graph(saver):
    from langgraph_lite.graph import START, MessagesState, StateGraph
    from langgraph_lite.messages import AIMessage

    def model(state):
        n = len(state["messages"])
        return {"messages": [AIMessage(content=f"answer {n}", id=f"a{n}")]}

    builder = StateGraph(MessagesState)
    builder.add_node("model", model)
    builder.add_edge(START, "model")
    return builder.compile(checkpointer=saver)


def test_a_file_written_before_list_deltas_reads_the_same_and_takes_new_turns(tmp_path):
    """The fixture was written by the saver before list deltas (whole values only): twelve
    questions h0..h11 in one input, then turns t0..t2, each answered a<length>."""
    from langgraph_lite.checkpoint.sqlite import SqliteSaver
    from langgraph_lite.messages import HumanMessage

    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    first = [f"h{i}" for i in range(12)] + ["a12"]
    turns = [first, [*first, "t0", "a14"], [*first, "t0", "a14", "t1", "a16"]]
    turns.append(turns[-1] + ["t2", "a18"])
    with SqliteSaver.from_conn_string(str(path)) as saver:
        app = chat_graph(saver)
        config = {"configurable": {"thread_id": "old"}}
        before = [
            [m.id for m in s.values.get("messages", [])] for s in app.get_state_history(config)
        ]
        # each turn: the input checkpoint (last answer only), the question added, the answer
        expected = [[], first[:-1], first]
        for prev, turn in itertools.pairwise(turns):
            expected += [prev, turn[:-1], turn]
        assert before == expected[::-1]

        app.invoke({"messages": [HumanMessage(content="new", id="n")]}, config)
        app.invoke({"messages": [HumanMessage(content="newer", id="m")]}, config)
        now = [m.id for m in app.get_state(config).values["messages"]]
        assert now == turns[-1] + ["n", "a20", "m", "a22"]
        after = [
            [m.id for m in s.values.get("messages", [])] for s in app.get_state_history(config)
        ]
        assert after[6:] == before
    with SqliteSaver.from_conn_string(str(path)) as reopened:  # no cache: read from the file
        assert [
            [m.id for m in s.values.get("messages", [])]
            for s in chat_graph(reopened).get_state_history(config)
        ] == after


def test_a_thread_deleted_by_another_connection_meanwhile_is_saved_whole(tmp_path):
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    path = str(tmp_path / "db.sqlite")
    lists = [[item(i) for i in range(n)] for n in range(10, 13)]
    with SqliteSaver.from_conn_string(path) as one, SqliteSaver.from_conn_string(path) as two:
        configs = [one.put(thread(), checkpoint({"log": lists[0]}, {"log": "1"}), {}, {"log": "1"})]
        two.delete_thread("t1")
        # one still has version "1" cached as the last list stored; the blob is gone
        configs.append(
            one.put(configs[0], checkpoint({"log": lists[1]}, {"log": "2"}), {}, {"log": "2"})
        )
        assert two.get_tuple(configs[1]).checkpoint["channel_values"]["log"] == lists[1]


# -- deltas that are not what the saver wrote ---------------------------------------------------


BAD_DELTAS = {
    "not msgpack": b"\xc1\xc1",
    "a base that is not stored": msgpack.packb(["nope", 1]) + msgpack.packb(["x"]),
    "a base that is itself": msgpack.packb(["2", 1]) + msgpack.packb(["x"]),
    "more items kept than the base has": msgpack.packb(["1", 99]) + msgpack.packb(["x"]),
    "a tail that is no list": msgpack.packb(["1", 1]) + msgpack.packb({"x": 1}),
    "a head of the wrong shape": msgpack.packb({"base": "1"}) + msgpack.packb(["x"]),
}


@pytest.mark.parametrize("data", list(BAD_DELTAS.values()), ids=list(BAD_DELTAS))
def test_a_delta_that_cannot_be_read_is_a_decode_error_naming_the_checkpoint(data):
    from langgraph_lite.checkpoint.memory import InMemorySaver
    from langgraph_lite.checkpoint.serde import CheckpointDecodeError

    saver = InMemorySaver()
    base = [item(i) for i in range(10)]
    c1 = saver.put(thread(), checkpoint({"log": base}, {"log": "1"}), {}, {"log": "1"})
    c2 = saver.put(c1, checkpoint({"log": [*base, "x"]}, {"log": "2"}), {}, {"log": "2"})
    saver.put(thread("other"), checkpoint({"log": base}, {"log": "1"}), {}, {"log": "1"})
    saver.blobs[("t1", "", "log", "2")] = ("delta", data)
    saver._lists.forget("t1")  # read from what is stored, not from the cache
    with pytest.raises(CheckpointDecodeError, match="could not be read") as caught:
        saver.get_tuple(c2)
    assert c2["configurable"]["checkpoint_id"] in str(caught.value)
    assert saver.get_tuple(c1).checkpoint["channel_values"]["log"] == base
    assert saver.get_tuple(thread("other")).checkpoint["channel_values"]["log"] == base


# -- SQLite: skeletons stored as what changed -----------------------------------------------------


def wide_chain(steps: int, nodes: int = 50) -> list[Any]:
    """Checkpoints of a graph of ``nodes`` nodes, one node running a step: each the previous
    with one channel version and one node's versions_seen entry new (as the engine builds them:
    unchanged entries are the same dicts)."""
    versions = {f"c{i}": "1" for i in range(nodes)}
    seen = {f"n{i}": {f"c{i}": "1"} for i in range(nodes)}
    out = []
    for step in range(steps):
        versions = {**versions, f"c{step % nodes}": str(step + 2)}
        seen = {**seen, f"n{step % nodes}": {f"c{step % nodes}": str(step + 2), "x": "1"}}
        if step == 20:
            versions = {k: v for k, v in versions.items() if k != "c49"}  # a channel goes
            seen = {k: v for k, v in seen.items() if k != "n49"}
        cp = checkpoint({}, {})
        cp["channel_versions"], cp["versions_seen"] = versions, seen
        cp["updated_channels"] = [f"c{step % nodes}"]
        out.append(cp)
    return out


def skeletons_of(chain: list[Any]) -> list[dict[str, Any]]:
    """Deep copies of the checkpoints' skeletons (without values), as they are now."""
    import copy

    return [{k: copy.deepcopy(v) for k, v in cp.items() if k != "channel_values"} for cp in chain]


def put_chain(saver: Any, chain: list[Any]) -> list[dict[str, Any]]:
    """Put the checkpoints one after another in a thread; their configs."""
    configs, parent = [], thread()
    for step, cp in enumerate(chain):
        parent = saver.put(parent, cp, loop_meta(step), {})
        configs.append(parent)
    return configs


def skeletons_on_file(path: str, configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(path) as fresh:  # nothing cached: all from the file
        return [skeleton(fresh.get_tuple(c)) for c in configs]


def test_every_checkpoint_of_a_long_chain_reads_back_from_the_file_as_it_was_put(tmp_path):
    import copy

    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    path = str(tmp_path / "db.sqlite")
    chain = wide_chain(60)
    expected = skeletons_of(chain)
    with SqliteSaver.from_conn_string(path) as saver:
        configs = put_chain(saver, chain)
        # a fork: a child of an early checkpoint, after the later ones
        fork = copy.deepcopy(chain[5])
        fork["id"] = checkpoint({}, {})["id"]
        fork["versions_seen"]["n0"] = {"c0": "fork"}
        configs.append(saver.put(configs[5], fork, loop_meta(6), {}))
        expected.append({k: v for k, v in fork.items() if k != "channel_values"})
        assert [skeleton(saver.get_tuple(c)) for c in configs] == expected
        rows = saver.conn.execute("SELECT SUM(LENGTH(checkpoint)) FROM checkpoints").fetchone()[0]
        whole = saver.conn.execute(
            "SELECT LENGTH(checkpoint) FROM checkpoints ORDER BY checkpoint_id LIMIT 1"
        ).fetchone()[0]
    assert skeletons_on_file(path, configs) == expected
    assert rows < 20 * whole  # whole skeletons would be 61 x; deltas, and one in 16 whole


def test_a_big_skeleton_is_stored_whole_less_often_and_every_checkpoint_reads_back(tmp_path):
    # 600 channels and 600 nodes: whole once in 1,200 // 16 = 75 checkpoints, not once in 16

    from langgraph_lite.checkpoint.skeleton_deltas import SKELETON_DELTA
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    path = str(tmp_path / "db.sqlite")
    chain = wide_chain(160, nodes=600)
    expected = skeletons_of(chain)
    with SqliteSaver.from_conn_string(path) as saver:
        configs = put_chain(saver, chain)
        kinds = [
            kind
            for (kind,) in saver.conn.execute("SELECT type FROM checkpoints ORDER BY checkpoint_id")
        ]
    wholes = [i for i, kind in enumerate(kinds) if kind != SKELETON_DELTA]
    assert len(wholes) <= 4 and any(b - a > 16 for a, b in itertools.pairwise(wholes)), wholes
    assert skeletons_on_file(path, configs) == expected

    # a chain of 70-odd deltas is read in a loop, not a call per delta: from deep in a stack
    def deep(n):
        if n:
            return deep(n - 1)
        return skeletons_on_file(path, configs[-1:])

    headroom = 60  # frames: enough for the read itself, not for a call per delta
    assert deep(sys.getrecursionlimit() - len(inspect.stack()) - headroom) == expected[-1:]


SKELETON_ROWS = {
    "not msgpack": b"\xc1",
    "a delta of the wrong shape": msgpack.packb({"base": 1}),
    "a base that is not stored": msgpack.packb(
        {"base": "nope", "cv": {}, "cv_drop": [], "vs": {}, "vs_drop": [], "rest": {}}
    ),
}


@pytest.mark.parametrize("data", list(SKELETON_ROWS.values()), ids=list(SKELETON_ROWS))
def test_a_skeleton_delta_that_cannot_be_read_is_a_decode_error_naming_the_checkpoint(
    tmp_path, data
):
    from langgraph_lite.checkpoint.serde import CheckpointDecodeError
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    path = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(path) as saver:
        c1 = saver.put(thread(), wide_chain(1)[0], loop_meta(0), {})
        c2 = saver.put(c1, wide_chain(2)[1], loop_meta(1), {})
        saver.conn.execute(
            "UPDATE checkpoints SET type = 'skeleton-delta', checkpoint = ? WHERE checkpoint_id = ?",
            (data, c2["configurable"]["checkpoint_id"]),
        )
        with pytest.raises(CheckpointDecodeError, match="could not be read") as caught:
            saver.get_tuple(c2)
        assert c2["configurable"]["checkpoint_id"] in str(caught.value)
        assert saver.get_tuple(c1) is not None


def test_threads_put_in_turn_beyond_what_is_kept_read_back_as_put(tmp_path, monkeypatch):
    import copy

    from langgraph_lite.checkpoint import increments, skeleton_deltas
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    monkeypatch.setattr(skeleton_deltas, "THREADS", 2)
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        saver._lists = increments.ListIncrements(saver.serde, cache_bytes=200)
        saver._skeletons = skeleton_deltas.SkeletonDeltas(saver.serde)
        chain = wide_chain(12)
        parents = {t: thread(t) for t in ("a", "b", "c")}
        expected, configs = [], []
        for step, cp in enumerate(chain):
            for t in parents:  # each thread's last skeleton is dropped before its next put
                mine = copy.deepcopy(cp)
                mine["id"] = checkpoint({}, {})["id"]
                mine["channel_values"] = {"log": [item(i, t) for i in range(10 + step)]}
                mine["channel_versions"]["log"] = str(step + 1)
                parents[t] = saver.put(parents[t], mine, loop_meta(step), {"log": str(step + 1)})
                configs.append(parents[t])
                expected.append(copy.deepcopy(mine))
        for config, want in zip(configs, expected, strict=True):
            assert saver.get_tuple(config).checkpoint == want
