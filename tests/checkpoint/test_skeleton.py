"""InMemorySaver keeps the engine's checkpoint maps as what each step changed (checkpoint.skeleton).

A 1,000-node chain puts 1,000 checkpoints, each with ~1,000 channel versions and ~1,000 nodes'
``versions_seen``: kept whole, that is a million entries for the garbage collector to walk.
``SkeletonKeeper.keep`` keeps a frozen map as a ``SharedMap`` (the entries it changed, on top
of what was kept for the previous put) and, every so often, the map itself. These tests check
that what is read back is what the engine put, keys in the same order, whatever way the
checkpoints are reached (latest, list, by id, after a fork, after retention).
"""

import copy
import pickle
from typing import Any

import pytest
from test_frozen_skeleton import Recording, chain

from langgraph_lite.checkpoint.frozen import FrozenSeen, FrozenVersions
from langgraph_lite.checkpoint.skeleton import SharedMap, SkeletonKeeper, copy_out


def _as_put(given: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """A checkpoint's maps as ordered lists (entries as plain dicts), to compare order too."""
    return (
        list(given["channel_versions"].items()),
        [(node, dict(seen)) for node, seen in given["versions_seen"].items()],
    )


def _read(saver: Recording, config: dict[str, Any]) -> dict[str, Any]:
    return {t.checkpoint["id"]: _as_put(t.checkpoint) for t in saver.list(config)}


def test_every_checkpoint_of_a_long_chain_reads_back_as_put_keys_in_order():
    saver = Recording()
    graph = chain(300, saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"n": 0}, config)
    expected = {given["id"]: _as_put(given) for given in saver.given}
    assert _read(saver, config) == expected
    for tup in saver.list(config, limit=3):
        assert type(tup.checkpoint["channel_versions"]) is dict
        assert all(type(e) is dict for e in tup.checkpoint["versions_seen"].values())
    # by id too (get_tuple), and what a reader changes stays its own
    some = saver.given[150]["id"]
    found = saver.get_tuple({"configurable": {"thread_id": "t", "checkpoint_id": some}})
    assert _as_put(found.checkpoint) == expected[some]
    found.checkpoint["channel_versions"].clear()
    next(iter(found.checkpoint["versions_seen"].values()))["x"] = "changed"
    again = saver.get_tuple({"configurable": {"thread_id": "t", "checkpoint_id": some}})
    assert _as_put(again.checkpoint) == expected[some]


def test_a_long_chain_keeps_most_checkpoints_as_what_they_changed():
    saver = Recording()
    chain(300, saver).invoke({"n": 0}, {"configurable": {"thread_id": "t"}})
    # (the versions map grows by a channel a step: while it is small it is often kept whole)
    kept = [saver.storage["t"][""][given["id"]] for given in saver.given[100:]]
    shared = [e for e in kept if type(e[0]["channel_versions"]) is SharedMap]
    shared_seen = [e for e in kept if type(e[0]["versions_seen"]) is SharedMap]
    assert len(shared) > 0.9 * len(kept) and len(shared_seen) > 0.9 * len(kept)
    for entry in shared + shared_seen:  # the chains stay bounded
        for name in ("channel_versions", "versions_seen"):
            kept_map = entry[0][name]
            if type(kept_map) is SharedMap:
                assert kept_map.depth <= SharedMap.flat_after
                assert kept_map.changes * 4 <= len(kept_map)


def test_a_fork_and_retention_read_back_as_put():
    saver = Recording()
    graph = chain(120, saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"n": 0}, config)
    history = list(graph.get_state_history(config))
    middle = history[60].config
    forked = graph.update_state(middle, {"n": 1000})  # a child of an older checkpoint
    graph.invoke(None, forked)
    expected = {given["id"]: _as_put(given) for given in saver.given}
    assert _read(saver, config) == expected
    saver.copy_thread("t", "copy")
    copied = _read(saver, {"configurable": {"thread_id": "copy"}})
    assert copied == expected
    saver.prune(["t"])
    (latest,) = saver.list(config)
    assert _as_put(latest.checkpoint) == expected[latest.checkpoint["id"]]
    assert _read(saver, {"configurable": {"thread_id": "copy"}}) == expected


def _versions(n: int) -> dict[str, str]:
    return {f"c{i}": "1" for i in range(n)}


def _skeleton(checkpoint_id: str, versions: Any, seen: Any) -> dict[str, Any]:
    return {
        "v": 4,
        "id": checkpoint_id,
        "ts": "",
        "channel_versions": versions,
        "versions_seen": seen,
        "updated_channels": [],
    }


def test_a_shared_map_reads_as_the_map_it_stands_for():
    keeper = SkeletonKeeper()
    seen = FrozenSeen.of({})
    first = FrozenVersions.of(_versions(100))
    keeper.keep(("t", ""), _skeleton("0", first, seen))
    live = dict(first)
    whole = first
    for step in range(8):
        live[f"c{step}"] = "2"
        live[f"new{step}"] = "1"
        whole = FrozenVersions.of(live, whole, {f"new{step}", f"c{step}"})
        whole.fill()  # (as a saver not known to read pending maps gets it)
        kept = keeper.keep(("t", ""), _skeleton(str(step + 1), whole, seen))["channel_versions"]
    assert type(kept) is SharedMap and kept.depth == 8
    assert list(kept) == list(live) and list(kept.items()) == list(live.items())
    assert kept == live and len(kept) == len(live) and kept.flat() == live
    assert kept["c3"] == "2" and kept["c90"] == "1" and "new7" in kept and "nope" not in kept
    assert kept.get("nope") is None
    assert type(copy_out({"channel_versions": kept})["channel_versions"]) is dict
    assert pickle.loads(pickle.dumps(kept)) == live
    assert copy.deepcopy(kept) == live


def test_the_keys_a_derived_map_adds_come_last_in_changed_in_the_map_s_order():
    base = FrozenVersions.of({"a": "1", "b": "1"})
    live = {"a": "1", "b": "2", "z": "1", "m": "1", "q": "1"}
    derived = FrozenVersions.of(live, base, {"q", "b", "m", "z"})
    assert derived.changed[-3:] == ("z", "m", "q") and set(derived.changed) == {"b", "z", "m", "q"}
    assert list({**base, **{k: derived[k] for k in derived.changed}}) == list(live)
    # keys added that ``changed`` does not name: nothing is claimed
    assert FrozenVersions.of(live, base, {"b", "q"}).changed is None
    assert FrozenVersions.of({"a": "1"}, base, {"a"}).changed is None  # a key went


def test_the_keeper_keeps_a_map_whole_when_it_was_not_built_from_the_last_put():
    keeper = SkeletonKeeper()
    versions = FrozenVersions.of(_versions(100))
    seen = FrozenSeen.of({f"n{i}": {f"c{i}": "1"} for i in range(100)})
    first = keeper.keep(("t", ""), _skeleton("1", versions, seen))
    assert first["channel_versions"] is versions and first["versions_seen"] is seen
    later = FrozenVersions.of({**versions, "c1": "2"}, versions, {"c1"})
    later_seen = seen.with_entries({"n1": {"c1": "2"}})
    later.fill()
    later_seen.fill()
    second = keeper.keep(("t", ""), _skeleton("2", later, later_seen))
    assert type(second["channel_versions"]) is SharedMap
    assert second["channel_versions"].delta == {"c1": "2"}
    assert type(second["versions_seen"]) is SharedMap
    # a fork of the first: built from it, not from the last put
    fork = FrozenVersions.of({**versions, "c2": "2"}, versions, {"c2"})
    fork.fill()
    third = keeper.keep(("t", ""), _skeleton("3", fork, later_seen))
    assert third["channel_versions"] is fork
    assert third["versions_seen"] is second["versions_seen"]  # the same map put again
    out = copy_out(third)
    assert out["channel_versions"] == fork and out["versions_seen"] == later_seen


@pytest.mark.parametrize("width", [1, 2, 3])
def test_small_maps_are_kept_whole(width):
    keeper = SkeletonKeeper()
    versions = FrozenVersions.of(_versions(width))
    seen = FrozenSeen.of({})
    keeper.keep(("t", ""), _skeleton("1", versions, seen))
    later = FrozenVersions.of({**versions, "c0": "2"}, versions, {"c0"})
    kept = keeper.keep(("t", ""), _skeleton("2", later, seen))["channel_versions"]
    assert kept is later  # one change is a quarter of the map or more
