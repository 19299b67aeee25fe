"""Pending frozen maps (checkpoint.frozen): a step's checkpoint maps cost what the step changed.

A map derived from the previous checkpoint's is first pending: its dict storage is empty and it
holds the map it was derived from and the entries it changed. Every reader sees the dict all
the same (reading fills it once); InMemorySaver keeps pending maps as they are and reads them
back without filling them, the SQLite savers encode a skeleton from what its maps changed
without filling them; any other saver is handed them filled (a C encoder reads a dict's
storage, not its methods).
"""

import asyncio
import copy
import json
import pickle
from typing import Any

import pytest
from test_frozen_skeleton import Recording, chain

from langgraph_lite.checkpoint import frozen
from langgraph_lite.checkpoint.frozen import (
    FrozenSeen,
    FrozenVersions,
    PendingSeen,
    PendingVersions,
    flat,
)
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.skeleton import SkeletonKeeper


def _pending() -> tuple[Any, dict[str, str]]:
    base = FrozenVersions.of({f"c{i}": "1" for i in range(40)})
    live = dict(base)
    live["c3"] = "2"
    live["new"] = "1"
    return FrozenVersions.of(live, base, {"c3", "new"}), live


READERS = {
    "item": lambda m: m["c3"],
    "in": lambda m: ("new" in m, "nope" in m),
    "iter": lambda m: list(m),
    "reversed": lambda m: list(reversed(m)),
    "eq": lambda m: m == _pending()[1],
    "eq reflected": lambda m: _pending()[1] == m,
    "ne": lambda m: m != {},
    "repr": lambda m: repr(m) == repr(_pending()[1]),
    "keys": lambda m: list(m.keys()),
    "values": lambda m: list(m.values()),
    "items": lambda m: list(m.items()),
    "get": lambda m: (m.get("new"), m.get("nope", 0)),
    "copy": lambda m: m.copy(),
    "dict": lambda m: dict(m),
    "unpack": lambda m: {**m},
    "update a dict": lambda m: {"z": "0"} | m,
    "or": lambda m: m | {"z": "0"},
    "pickle": lambda m: pickle.loads(pickle.dumps(m)),
    "copy.copy": lambda m: copy.copy(m),
    "deepcopy": lambda m: copy.deepcopy(m),
    "len": lambda m: len(m),
    "bool": lambda m: bool(m),
    "sorted": lambda m: sorted(m),
    "set": lambda m: set(m.keys()) - {"c0"},
}


# (not json.dumps of a pending map: the C encoder reads a dict's storage, as msgpack's does with
# strict_types off; such readers are handed filled maps, see the last test)
@pytest.mark.parametrize("read", READERS.values(), ids=READERS.keys())
def test_every_reader_of_a_pending_map_sees_the_map(read):
    pending, live = _pending()
    assert type(pending) is PendingVersions
    expected = read(dict(live))
    assert read(pending) == expected
    assert read(pending) == expected  # and again, filled or not
    if type(pending) is FrozenVersions:  # a reader that filled it: a whole map now
        assert dict.__len__(pending) == len(live) and list(dict.keys(pending)) == list(live)


def test_a_pending_map_is_read_only_and_copies_of_it_are_plain():
    pending, live = _pending()
    for change in (lambda m: m.__setitem__("k", "1"), lambda m: m.pop("c0"), dict.clear):
        with pytest.raises(TypeError):
            change(pending) if change is not dict.clear else pending.clear()
    for copied in (pending.copy(), copy.copy(pending), dict(pending), pending | {}):
        assert type(copied) is dict and copied == live
    assert isinstance(pending, dict) and isinstance(pending, FrozenVersions)


def test_flat_and_plain_read_a_pending_map_without_filling_it():
    pending, live = _pending()
    assert flat(pending) == live and list(flat(pending)) == list(live)
    assert frozen.plain(pending) == live and type(frozen.plain(pending)) is dict
    assert len(pending) == len(live)  # known without filling
    assert type(pending) is PendingVersions and dict.__len__(pending) == 0
    seen = FrozenSeen.of({f"n{i}": {"c": "1"} for i in range(40)})
    later = seen.with_entries({"n3": {"c": "2"}, "m": {"c": "1"}})
    assert type(later) is PendingSeen
    as_plain = frozen.plain(later)
    assert as_plain["m"] == {"c": "1"} and type(as_plain["m"]) is dict
    assert type(later) is PendingSeen
    assert len(later) == 41 and later["n3"] == {"c": "2"}  # len fills a pending versions_seen


def test_a_chain_of_pending_maps_is_bounded():
    live = {f"c{i}": "1" for i in range(1000)}
    current = FrozenVersions.of(live)
    depths = []
    for step in range(300):
        live[f"c{step}"] = "2"
        current = FrozenVersions.of(live, current, {f"c{step}"})
        depths.append(current._depth)
        assert current._depth <= frozen.FLAT_AFTER
    assert max(depths) == frozen.FLAT_AFTER and depths.count(0) >= 4  # built whole every so often
    assert flat(current) == live


class RecordingKeeper(SkeletonKeeper):
    """Keeps, next to what it keeps, the maps it was given as plain lists (read with flat)."""

    def __init__(self) -> None:
        super().__init__()
        self.given: dict[str, Any] = {}

    def keep(self, key, checkpoint):
        self.given[checkpoint["id"]] = (
            list(flat(checkpoint["channel_versions"]).items()),
            [(n, dict(s)) for n, s in flat(checkpoint["versions_seen"]).items()],
        )
        return super().keep(key, checkpoint)


def _read_back(saver: InMemorySaver, config: dict[str, Any]) -> dict[str, Any]:
    return {
        t.checkpoint["id"]: (
            list(t.checkpoint["channel_versions"].items()),
            list(t.checkpoint["versions_seen"].items()),
        )
        for t in saver.list(config)
    }


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_in_memory_saver_keeps_pending_maps_and_reads_them_back_as_put(is_async):
    saver = InMemorySaver()
    keeper = saver._skeletons = RecordingKeeper()
    graph = chain(300, saver)
    config = {"configurable": {"thread_id": "t"}}
    if is_async:
        asyncio.run(graph.ainvoke({"n": 0}, config))
    else:
        graph.invoke({"n": 0}, config)
    kept = [e[0] for e in saver.storage["t"][""].values()]
    pending = [k for k in kept if type(k["channel_versions"]) is PendingVersions]
    assert len(pending) > 0.8 * len(kept)
    assert all(dict.__len__(k["channel_versions"]) == 0 for k in pending)
    assert _read_back(saver, config) == keeper.given
    # reading them back (list, get_state) leaves them pending
    assert all(dict.__len__(k["channel_versions"]) == 0 for k in pending)
    assert graph.get_state(config).values == {"n": 300}


def test_a_saver_not_known_to_read_pending_maps_is_handed_them_filled():
    saver = Recording()  # its own put
    chain(100, saver).invoke({"n": 0}, {"configurable": {"thread_id": "t"}})
    for given in saver.given:
        versions, seen = given["channel_versions"], given["versions_seen"]
        assert type(versions) is FrozenVersions and type(seen) is FrozenSeen
        assert dict.__len__(versions) == len(versions) and dict.__len__(seen) == len(seen)
        # a C encoder reads the dict's storage
        assert json.loads(json.dumps(given["channel_versions"])) == dict(versions)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_sqlite_savers_encode_pending_maps_without_filling_them(tmp_path, monkeypatch, is_async):
    from langgraph_lite.checkpoint.skeleton_deltas import SkeletonDeltas
    from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver

    given: dict[str, tuple[Any, Any]] = {}  # checkpoint id -> its maps, as they were put
    left_pending = []
    encode = SkeletonDeltas.encode

    def recording(self, where, checkpoint):
        versions, seen = checkpoint["channel_versions"], checkpoint["versions_seen"]
        pending = [m for m in (versions, seen) if type(m) in (PendingVersions, PendingSeen)]
        kinds = [type(m) for m in pending]
        blob = encode(self, where, checkpoint)
        # still pending once encoded (filling one makes it its whole type)
        left_pending.extend(
            type(m) is kind and dict.__len__(m) == 0 for m, kind in zip(pending, kinds, strict=True)
        )
        given[checkpoint["id"]] = (flat(versions), {n: dict(s) for n, s in flat(seen).items()})
        return blob

    monkeypatch.setattr(SkeletonDeltas, "encode", recording)
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    if is_async:

        async def run() -> None:
            async with AsyncSqliteSaver.from_conn_string(path) as saver:
                await chain(300, saver).ainvoke({"n": 0}, config)

        asyncio.run(run())
    else:
        with SqliteSaver.from_conn_string(path) as saver:
            chain(300, saver).invoke({"n": 0}, config)
    assert len(left_pending) > 0.8 * len(given) and all(left_pending)
    with SqliteSaver.from_conn_string(path) as reader:  # what is stored, read back afresh
        stored = list(reader.list(config))
        assert len(stored) == len(given) == 302
        for saved in stored:
            versions, seen = given[saved.checkpoint["id"]]
            assert saved.checkpoint["channel_versions"] == versions
            assert saved.checkpoint["versions_seen"] == seen
        assert chain(300, reader).get_state(config).values == {"n": 300}
