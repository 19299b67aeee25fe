"""One test body for the saver interface, run against every saver, sync and async.

Each test is an ``async`` body that talks to the saver through ``api``: ``SyncApi`` calls
``put`` / ``get_tuple`` / ``list`` / ``put_writes`` / ``delete_thread``; ``AsyncApi`` calls
``aput`` / ``aget_tuple`` / ``alist`` / ``aput_writes`` / ``adelete_thread``. Expected results
follow LangGraph's InMemorySaver (langgraph-checkpoint 4.3.2).

To add a saver, append a factory to ``SAVERS``: it takes pytest's ``tmp_path`` and returns a
context manager that yields a fresh, empty saver.
"""

import contextlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from langgraph_lite.checkpoint.base import (
    BaseCheckpointSaver,
    CheckpointTuple,
    empty_checkpoint,
)
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.types import Interrupt

SaverFactory = Callable[[Path], contextlib.AbstractContextManager[BaseCheckpointSaver]]

SAVERS: list[Any] = [
    pytest.param(lambda tmp_path: contextlib.nullcontext(InMemorySaver()), id="memory"),
    pytest.param(
        lambda tmp_path: SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")), id="sqlite"
    ),
    pytest.param(lambda tmp_path: SqliteSaver.from_conn_string(":memory:"), id="sqlite-memory"),
]


class SyncApi:
    """The saver's sync methods, behind the async signatures the test bodies await."""

    def __init__(self, saver: BaseCheckpointSaver) -> None:
        self.saver = saver

    async def put(self, config, checkpoint, metadata, new_versions):
        return self.saver.put(config, checkpoint, metadata, new_versions)

    async def put_writes(self, config, writes, task_id, task_path=""):
        return self.saver.put_writes(config, writes, task_id, task_path)

    async def get_tuple(self, config):
        return self.saver.get_tuple(config)

    async def list(self, config, **kwargs):
        return list(self.saver.list(config, **kwargs))

    async def delete_thread(self, thread_id):
        return self.saver.delete_thread(thread_id)


class AsyncApi(SyncApi):
    """The saver's async twins."""

    async def put(self, config, checkpoint, metadata, new_versions):
        return await self.saver.aput(config, checkpoint, metadata, new_versions)

    async def put_writes(self, config, writes, task_id, task_path=""):
        return await self.saver.aput_writes(config, writes, task_id, task_path)

    async def get_tuple(self, config):
        return await self.saver.aget_tuple(config)

    async def list(self, config, **kwargs):
        return [t async for t in self.saver.alist(config, **kwargs)]

    async def delete_thread(self, thread_id):
        return await self.saver.adelete_thread(thread_id)


@pytest.fixture(params=SAVERS)
def saver(request, tmp_path):
    with request.param(tmp_path) as made:
        yield made


@pytest.fixture(params=[SyncApi, AsyncApi], ids=["sync", "async"])
def api(request, saver):
    return request.param(saver)


pytestmark = pytest.mark.anyio


def thread(thread_id: str = "t1", ns: str = "") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns}}


def named(config: dict[str, Any]) -> dict[str, Any]:
    return {"configurable": dict(config["configurable"])}


def checkpoint(values: dict[str, Any], versions: dict[str, Any]) -> Any:
    cp = empty_checkpoint()
    cp["channel_values"] = dict(values)
    cp["channel_versions"] = dict(versions)
    cp["versions_seen"] = {"node": {k: v for k, v in versions.items()}}
    cp["updated_channels"] = sorted(versions)
    return cp


async def save_chain(api, thread_id="t1", steps=3, ns=""):
    """Save an input checkpoint and ``steps`` loop checkpoints, each the child of the last;
    return their configs, oldest first."""
    saver = api.saver
    configs = []
    parent = thread(thread_id, ns)
    version = None
    for step in range(-1, steps):
        version = saver.get_next_version(version, None)
        cp = checkpoint({"count": step, "log": list(range(step + 2))}, {"count": version})
        cp["channel_versions"]["log"] = version
        metadata = {"source": "input" if step == -1 else "loop", "step": step, "parents": {}}
        parent = await api.put(parent, cp, metadata, {"count": version, "log": version})
        configs.append(parent)
    return configs


# -- put / get_tuple -----------------------------------------------------------------------


async def test_put_returns_the_config_naming_the_saved_checkpoint(api):
    cp = checkpoint({"a": 1}, {"a": "1"})
    config = await api.put(thread(), cp, {"source": "input", "step": -1, "parents": {}}, {"a": "1"})
    assert config == {
        "configurable": {"thread_id": "t1", "checkpoint_ns": "", "checkpoint_id": cp["id"]}
    }
    assert list(config["configurable"]) == ["thread_id", "checkpoint_ns", "checkpoint_id"]


async def test_get_tuple_returns_the_checkpoint_its_metadata_and_no_parent(api):
    cp = checkpoint({"a": 1, "b": [1, 2]}, {"a": "1", "b": "1"})
    metadata = {"source": "input", "step": -1, "parents": {}, "user": "u1"}
    config = await api.put(thread(), cp, metadata, {"a": "1", "b": "1"})

    found = await api.get_tuple(config)

    assert isinstance(found, CheckpointTuple)
    assert found.config == config
    assert found.checkpoint == cp
    assert found.metadata == metadata
    assert found.parent_config is None
    assert found.pending_writes == []


async def test_get_tuple_without_checkpoint_id_returns_the_latest(api):
    configs = await save_chain(api)
    latest = await api.get_tuple(thread())
    assert latest.config == configs[-1]
    assert latest.metadata["step"] == 2
    assert latest.checkpoint["channel_values"] == {"count": 2, "log": [0, 1, 2, 3]}


async def test_get_tuple_with_checkpoint_id_returns_that_checkpoint(api):
    configs = await save_chain(api)
    found = await api.get_tuple(configs[1])
    assert found.config == configs[1]
    assert found.metadata == {"source": "loop", "step": 0, "parents": {}}
    assert found.checkpoint["channel_values"] == {"count": 0, "log": [0, 1]}


async def test_get_tuple_of_an_unknown_thread_or_checkpoint_is_none(api):
    await save_chain(api)
    assert await api.get_tuple(thread("nope")) is None
    assert (
        await api.get_tuple({"configurable": {**thread()["configurable"], "checkpoint_id": "x"}})
        is None
    )
    assert await api.get_tuple(thread("t1", ns="other")) is None


async def test_each_checkpoint_names_its_parent(api):
    configs = await save_chain(api)
    parents = [(await api.get_tuple(c)).parent_config for c in configs]
    assert parents == [None, *configs[:-1]]


async def test_namespaces_of_one_thread_are_kept_apart(api):
    root = await save_chain(api, steps=1)
    sub = await save_chain(api, steps=0, ns="sub:1")
    assert (await api.get_tuple(thread())).config == root[-1]
    assert (await api.get_tuple(thread(ns="sub:1"))).config == sub[-1]


# -- blobs: what is stored, and when --------------------------------------------------------


async def test_a_value_mutated_after_put_does_not_change_what_was_saved(api):
    value = {"items": [1, 2]}
    metadata = {"source": "input", "step": -1, "parents": {}, "tags": ["a"]}
    cp = checkpoint({"state": value}, {"state": "1"})
    config = await api.put(thread(), cp, metadata, {"state": "1"})

    value["items"].append(3)
    metadata["tags"].append("b")
    cp["channel_values"]["state"] = "replaced"

    found = await api.get_tuple(config)
    assert found.checkpoint["channel_values"] == {"state": {"items": [1, 2]}}
    assert found.metadata["tags"] == ["a"]


async def test_a_value_mutated_after_get_does_not_change_what_was_saved(api):
    config = await api.put(
        thread(), checkpoint({"state": [1]}, {"state": "1"}), {"step": -1}, {"state": "1"}
    )
    (await api.get_tuple(config)).checkpoint["channel_values"]["state"].append(2)
    assert (await api.get_tuple(config)).checkpoint["channel_values"] == {"state": [1]}


async def test_only_channels_in_new_versions_get_new_blobs(api):
    first = await api.put(
        thread(),
        checkpoint({"a": "a1", "b": "b1"}, {"a": "1", "b": "1"}),
        {"source": "input", "step": -1, "parents": {}},
        {"a": "1", "b": "1"},
    )
    # The second checkpoint moves "b" to version 2; "a" keeps version 1, so its value is the one
    # already stored for version 1, whatever the checkpoint dict carries for it.
    second = await api.put(
        first,
        checkpoint({"a": "ignored", "b": "b2"}, {"a": "1", "b": "2"}),
        {"source": "loop", "step": 0, "parents": {}},
        {"b": "2"},
    )
    assert (await api.get_tuple(second)).checkpoint["channel_values"] == {"a": "a1", "b": "b2"}
    assert (await api.get_tuple(first)).checkpoint["channel_values"] == {"a": "a1", "b": "b1"}


async def test_a_channel_with_a_version_but_no_value_is_left_out_of_channel_values(api):
    # A consumed trigger keeps its version and loses its value (LangGraph's q1: channel_values
    # holds only channels that have a value).
    config = await api.put(
        thread(),
        checkpoint({"a": 1}, {"a": "1", "branch:to:x": "1"}),
        {"step": 0},
        {"a": "1", "branch:to:x": "1"},
    )
    found = await api.get_tuple(config)
    assert found.checkpoint["channel_values"] == {"a": 1}
    assert found.checkpoint["channel_versions"] == {"a": "1", "branch:to:x": "1"}


# -- list ----------------------------------------------------------------------------------


async def test_list_returns_a_threads_checkpoints_newest_first(api):
    configs = await save_chain(api)
    await save_chain(api, thread_id="t2")
    listed = await api.list(thread())
    assert [t.config for t in listed] == configs[::-1]
    assert [t.metadata["step"] for t in listed] == [2, 1, 0, -1]
    assert [t.parent_config for t in listed] == [*configs[::-1][1:], None]


async def test_list_filters_on_metadata(api):
    await save_chain(api)
    assert [t.metadata["step"] for t in await api.list(thread(), filter={"source": "loop"})] == [
        2,
        1,
        0,
    ]
    assert [t.metadata["step"] for t in await api.list(thread(), filter={"step": 1})] == [1]
    assert [
        t.metadata["step"] for t in await api.list(thread(), filter={"source": "input", "step": -1})
    ] == [-1]
    assert await api.list(thread(), filter={"source": "update"}) == []
    assert await api.list(thread(), filter={"missing_key": 1}) == []


async def test_list_before_returns_only_older_checkpoints(api):
    configs = await save_chain(api)
    older = await api.list(thread(), before=configs[2])
    assert [t.config for t in older] == [configs[1], configs[0]]


async def test_list_limit_keeps_the_newest(api):
    configs = await save_chain(api)
    assert [t.config for t in await api.list(thread(), limit=2)] == [configs[3], configs[2]]
    assert [t.config for t in await api.list(thread(), limit=1, before=configs[3])] == [configs[2]]
    assert [t.config for t in await api.list(thread(), limit=1, filter={"source": "input"})] == [
        configs[0]
    ]


async def test_list_with_a_checkpoint_id_returns_only_that_checkpoint(api):
    configs = await save_chain(api)
    assert [t.config for t in await api.list(configs[1])] == [configs[1]]


async def test_list_of_none_lists_every_thread(api):
    first = await save_chain(api, steps=0)
    second = await save_chain(api, thread_id="t2", steps=0)
    listed = {t.config["configurable"]["checkpoint_id"] for t in await api.list(None)}
    assert listed == {c["configurable"]["checkpoint_id"] for c in first + second}


async def test_list_with_a_thread_id_of_none_lists_nothing(api):
    # LangGraph 1.2.22: InMemorySaver and SqliteSaver both list nothing for thread_id None
    await save_chain(api, steps=0)
    assert await api.list({"configurable": {"thread_id": None}}) == []
    assert await api.list({"configurable": {"thread_id": None}}, filter={"step": -1}) == []


async def test_list_with_a_namespace_of_none_lists_every_namespace_of_the_thread(api):
    await save_chain(api, steps=0)
    await save_chain(api, steps=0, ns="child:1")
    listed = await api.list({"configurable": {"thread_id": "t1", "checkpoint_ns": None}})
    assert sorted(t.config["configurable"]["checkpoint_ns"] for t in listed) == ["", "child:1"]


async def test_a_metadata_filter_matches_values_of_its_own_type_only(api):
    # what LangGraph's savers match, observed on InMemorySaver and SqliteSaver
    await save_chain(api, steps=0)
    await api.put(
        thread("t2"),
        checkpoint({}, {}),
        {"source": "input", "step": -1, "x": {"x": 1}, "s": '{"x": 1}', "n": 1, "b": True},
        {},
    )
    t2 = ["t2"]

    async def threads(**filter: Any) -> list[str]:
        return [t.config["configurable"]["thread_id"] for t in await api.list(None, filter=filter)]

    assert await threads(x='{"x": 1}') == []
    assert await threads(x='{"x":1}') == []
    assert await threads(x={"x": 1}) == t2
    assert await threads(s='{"x": 1}') == t2
    assert await threads(s={"x": 1}) == []
    assert await threads(n=1) == t2
    assert await threads(n=1.0) == t2
    assert await threads(n="1") == []
    assert await threads(b=True) == t2
    assert await threads(b=1) == t2
    assert await threads(b="true") == []
    assert await threads(x=[1]) == []
    assert await threads(n=2**70) == []


async def test_list_of_an_unknown_thread_is_empty(api):
    await save_chain(api)
    assert await api.list(thread("nope")) == []


async def test_listed_tuples_carry_their_pending_writes(api):
    configs = await save_chain(api, steps=1)
    await api.put_writes(configs[0], [("count", 5)], "task-1")
    listed = await api.list(thread())
    assert [t.pending_writes for t in listed] == [[], [("task-1", "count", 5)]]


# -- put_writes ----------------------------------------------------------------------------


async def test_put_writes_are_pending_writes_of_that_checkpoint_in_order(api):
    configs = await save_chain(api, steps=1)
    await api.put_writes(configs[0], [("x", 1), ("log", ["a"]), ("branch:to:b", None)], "t-a")
    await api.put_writes(configs[0], [("x", 2)], "t-b", "path")

    assert (await api.get_tuple(configs[0])).pending_writes == [
        ("t-a", "x", 1),
        ("t-a", "log", ["a"]),
        ("t-a", "branch:to:b", None),
        ("t-b", "x", 2),
    ]
    assert (await api.get_tuple(configs[1])).pending_writes == []


async def test_put_writes_of_a_task_is_idempotent(api):
    configs = await save_chain(api, steps=0)
    await api.put_writes(configs[0], [("x", 1), ("y", 2)], "task")
    await api.put_writes(configs[0], [("x", 10), ("y", 20)], "task")
    assert (await api.get_tuple(configs[0])).pending_writes == [("task", "x", 1), ("task", "y", 2)]


async def test_special_channels_replace_the_previous_write_of_the_task(api):
    configs = await save_chain(api, steps=0)
    await api.put_writes(configs[0], [("__error__", "ValueError('one')")], "task")
    await api.put_writes(configs[0], [("__error__", "ValueError('two')")], "task")
    first, second = Interrupt("first", id="1"), Interrupt("second", id="2")
    await api.put_writes(configs[0], [("__interrupt__", [first])], "task")
    await api.put_writes(configs[0], [("__interrupt__", [second])], "task")
    await api.put_writes(configs[0], [("__resume__", ["a"])], "task")
    await api.put_writes(configs[0], [("__resume__", ["a", "b"])], "task")

    writes = (await api.get_tuple(configs[0])).pending_writes
    assert sorted(writes) == sorted(
        [
            ("task", "__error__", "ValueError('two')"),
            ("task", "__interrupt__", [second]),
            ("task", "__resume__", ["a", "b"]),
        ]
    )


async def test_a_special_write_does_not_replace_a_normal_one(api):
    configs = await save_chain(api, steps=0)
    await api.put_writes(configs[0], [("x", 1)], "a")
    await api.put_writes(configs[0], [("__error__", "boom")], "b")
    await api.put_writes(configs[0], [("log", ["b"])], "b")
    assert (await api.get_tuple(configs[0])).pending_writes == [
        ("a", "x", 1),
        ("b", "__error__", "boom"),
        ("b", "log", ["b"]),
    ]


async def test_written_values_are_copied_when_saved(api):
    configs = await save_chain(api, steps=0)
    value = ["a"]
    await api.put_writes(configs[0], [("log", value)], "task")
    value.append("b")
    assert (await api.get_tuple(configs[0])).pending_writes == [("task", "log", ["a"])]


# -- delete_thread -------------------------------------------------------------------------


async def test_delete_thread_removes_its_checkpoints_and_writes_only(api):
    mine = await save_chain(api)
    theirs = await save_chain(api, thread_id="t2")
    await api.put_writes(mine[0], [("x", 1)], "task")
    await api.put_writes(theirs[0], [("x", 2)], "task")

    assert await api.delete_thread("t1") is None

    assert await api.get_tuple(thread()) is None
    assert await api.list(thread()) == []
    assert [t.config for t in await api.list(thread("t2"))] == theirs[::-1]
    assert (await api.get_tuple(theirs[0])).pending_writes == [("task", "x", 2)]


async def test_delete_thread_of_an_unknown_thread_does_nothing(api):
    configs = await save_chain(api, steps=0)
    assert await api.delete_thread("nope") is None
    assert (await api.get_tuple(thread())).config == configs[-1]


async def test_a_deleted_thread_starts_afresh(api):
    await save_chain(api)
    await api.delete_thread("t1")
    configs = await save_chain(api, steps=0)
    listed = await api.list(thread())
    assert [t.config for t in listed] == configs[::-1]
    assert listed[-1].pending_writes == []


# -- versions ------------------------------------------------------------------------------

VERSION = re.compile(r"^(\d{32})\.(\S+)$")


def counter(version: str) -> int:
    match = VERSION.match(version)
    assert match, version
    float(match.group(2))  # the random part is a float's text
    return int(match.group(1))


@pytest.mark.parametrize("factory", SAVERS)
def test_get_next_version_counts_up_in_langgraphs_format(factory, tmp_path):
    with factory(tmp_path) as saver:
        v1 = saver.get_next_version(None, None)
        v2 = saver.get_next_version(v1, None)
        v3 = saver.get_next_version(v2, None)
        assert isinstance(v1, str)
        assert v1.startswith("00000000000000000000000000000001.")
        assert [counter(v) for v in (v1, v2, v3)] == [1, 2, 3]
        assert v1 < v2 < v3  # string order is counter order
        assert counter(saver.get_next_version(5, None)) == 6
        assert counter(saver.get_next_version("00000000000000000000000000000007.0.5", None)) == 8


@pytest.mark.parametrize("factory", SAVERS)
def test_get_next_version_has_a_random_part(factory, tmp_path):
    with factory(tmp_path) as saver:
        firsts = {saver.get_next_version(None, None) for _ in range(5)}
        assert len(firsts) > 1
        assert {counter(v) for v in firsts} == {1}


@pytest.mark.parametrize("factory", SAVERS)
def test_versions_stay_ordered_past_ten(factory, tmp_path):
    with factory(tmp_path) as saver:
        versions = [saver.get_next_version(None, None)]
        for _ in range(120):
            versions.append(saver.get_next_version(versions[-1], None))
        assert versions == sorted(versions)
        assert counter(versions[-1]) == 121


async def test_a_saver_stores_any_value_under_the_engines_channels(api):
    # as LangGraph's conformance suite asks of every saver: what the engine's own channels must
    # hold is checked by the engine when it restores (tests/checkpoint/test_base.py)
    configs = await save_chain(api, steps=0)
    writes = [("__error__", "something went wrong"), ("__interrupt__", {"reason": "human_input"})]
    await api.put_writes(configs[0], writes, "task")
    assert sorted((await api.get_tuple(configs[0])).pending_writes) == sorted(
        [("task", chan, value) for chan, value in writes]
    )
