"""The engine hands savers read-only ``channel_versions`` / ``versions_seen`` (checkpoint.frozen).

Savers keep them as they are (InMemorySaver) or store what they say changed (SQLite's skeleton
deltas), so these tests check the promise that makes that safe: nothing can change them in
place, every copy and every encoding of them is a plain dict, and what a saver hands back is
plain dicts that the reader may change without touching what is stored.
"""

import copy
import pickle
from typing import Any

import pytest
from test_savers import SAVERS
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.frozen import FrozenDict, FrozenSeen, FrozenVersions
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.graph import START, StateGraph


class State(TypedDict, total=False):
    n: int


def _bump(state: State) -> dict[str, Any]:
    return {"n": state.get("n", 0) + 1}


def chain(length: int, saver: Any) -> Any:
    """``length`` nodes in a chain: wider than the size skeleton deltas start at."""
    builder = StateGraph(State)
    prev = START
    for i in range(length):
        builder.add_node(f"n{i}", _bump)
        builder.add_edge(prev, f"n{i}")
        prev = f"n{i}"
    return builder.compile(checkpointer=saver)


class Recording(InMemorySaver):
    """An InMemorySaver that keeps the checkpoints the engine put, as it was given them."""

    def __init__(self) -> None:
        super().__init__()
        self.given: list[dict[str, Any]] = []

    def put(self, config, checkpoint, metadata, new_versions):
        self.given.append(checkpoint)
        return super().put(config, checkpoint, metadata, new_versions)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("k", "9"),
        lambda d: d.__delitem__("a"),
        lambda d: d.update(k="9"),
        lambda d: d.setdefault("k", "9"),
        lambda d: d.pop("a"),
        lambda d: d.popitem(),
        lambda d: d.clear(),
        lambda d: d.__ior__({"k": "9"}),
    ],
    ids=["setitem", "delitem", "update", "setdefault", "pop", "popitem", "clear", "ior"],
)
def test_a_frozen_map_refuses_every_change_in_place(change):
    for made in (
        FrozenDict({"a": "1"}),
        FrozenVersions.of({"a": "1"}),
        FrozenSeen.of({"a": {"c": "1"}}),
    ):
        before = dict(made)
        with pytest.raises(TypeError, match="read-only"):
            change(made)
        assert made == before


def test_copies_of_a_frozen_map_are_plain_dicts():
    seen = FrozenSeen.of({"node": {"chan": "1"}})
    for copied in (
        dict(seen),
        seen.copy(),
        copy.copy(seen),
        seen | {},
        {**seen},
        pickle.loads(pickle.dumps(seen)),
    ):
        assert type(copied) is dict and copied == {"node": {"chan": "1"}}
    deep = copy.deepcopy(seen)
    assert type(deep) is dict and type(deep["node"]) is dict
    deep["node"]["chan"] = "2"  # a deep copy is the reader's own
    assert seen == {"node": {"chan": "1"}}
    assert type(FrozenDict.fromkeys(["a"])) is dict


def test_a_frozen_map_is_built_only_by_its_classmethods():
    with pytest.raises(TypeError, match="classmethods"):
        FrozenSeen({"node": {"chan": "1"}})
    # entries given as plain dicts are copied read-only
    entry = {"chan": "1"}
    seen = FrozenSeen.of({"node": entry})
    entry["chan"] = "2"
    assert type(seen["node"]) is FrozenDict and seen == {"node": {"chan": "1"}}


def test_a_derived_map_says_what_it_changed_since_the_map_it_was_built_from():
    first = FrozenVersions.of({"a": "1", "b": "1"})
    second = FrozenVersions.of({"a": "2", "b": "1", "c": "1"}, first, {"a", "c", "gone"})
    assert first.changed is None and first.base == 0
    assert second.base == first.serial and set(second.changed) == {"a", "c"}
    seen = FrozenSeen.of({"x": {"a": "1"}, "y": {"a": "1"}})
    later = seen.with_entries({"y": {"a": "2"}})
    assert later.base == seen.serial and later.changed == ("y",)
    assert later["x"] is seen["x"]  # unchanged entries are shared
    assert later == {"x": {"a": "1"}, "y": {"a": "2"}} and seen["y"] == {"a": "1"}


def test_the_serializer_encodes_frozen_maps_as_plain_dicts():
    serde = MsgpackSerde()
    seen = FrozenSeen.of({"node": {"chan": "1"}})
    versions = FrozenVersions.of({"chan": "1"})
    value = {"versions_seen": seen, "channel_versions": versions}
    back = serde.loads_typed(serde.dumps_typed(value))
    assert back == {"versions_seen": {"node": {"chan": "1"}}, "channel_versions": {"chan": "1"}}
    assert type(back["versions_seen"]) is dict and type(back["versions_seen"]["node"]) is dict
    plain = {"versions_seen": {"node": {"chan": "1"}}, "channel_versions": {"chan": "1"}}
    assert serde.dumps_typed(value) == serde.dumps_typed(plain)  # the same bytes


def test_the_engine_hands_a_saver_read_only_skeletons_it_can_keep_as_they_are():
    saver = Recording()
    graph = chain(5, saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"n": 0}, config)
    assert saver.given
    for given in saver.given:
        assert type(given["channel_versions"]) is FrozenVersions
        assert type(given["versions_seen"]) is FrozenSeen
        for entry in given["versions_seen"].values():
            with pytest.raises(TypeError):
                entry["n"] = "x"  # whoever holds the checkpoint cannot change what is kept
    # what is read back is plain dicts, the reader's own
    for _ in range(2):
        found = saver.get_tuple(config).checkpoint
        assert type(found["channel_versions"]) is dict
        assert type(found["versions_seen"]) is dict
        assert all(type(e) is dict for e in found["versions_seen"].values())
        found["channel_versions"]["n"] = "changed"
        for entry in found["versions_seen"].values():
            entry["n"] = "changed"
    found = saver.get_tuple(config).checkpoint
    assert "changed" not in found["channel_versions"].values()
    assert all("changed" not in e.values() for e in found["versions_seen"].values())
    assert graph.get_state(config).values == {"n": 5}


@pytest.mark.parametrize("make", SAVERS)
def test_every_checkpoint_of_a_wide_chain_reads_back_as_the_engine_put_it(make, tmp_path):
    """100 nodes: SQLite stores skeleton deltas built from what the frozen maps say changed."""
    reference = Recording()
    chain(100, reference).invoke({"n": 0}, {"configurable": {"thread_id": "t"}})
    expected = {
        given["id"]: (dict(given["channel_versions"]), copy.deepcopy(given["versions_seen"]))
        for given in reference.given
    }
    with make(tmp_path) as saver:
        graph = chain(100, saver)
        config = {"configurable": {"thread_id": "t"}}
        graph.invoke({"n": 0}, config)
        history = list(saver.list(config))
        assert len(history) == len(expected) == 102
        got = [(t.checkpoint["channel_versions"], t.checkpoint["versions_seen"]) for t in history]
        for versions, seen in got:
            assert type(versions) is dict and type(seen) is dict
            assert all(type(e) is dict for e in seen.values())
        # the same shapes as the reference run (versions are random, so compare the keys and
        # which channel each node saw, step by step)
        ref = sorted(expected.values(), key=lambda vs: len(vs[1]))
        mine = sorted(got, key=lambda vs: len(vs[1]))
        for (rv, rs), (mv, ms) in zip(ref, mine, strict=True):
            assert rv.keys() == mv.keys()
            assert {k: set(v) for k, v in rs.items()} == {k: set(v) for k, v in ms.items()}
        # and each checkpoint's versions_seen is what the engine saw then: node i saw its
        # trigger at the version the step before it gave that channel
        latest = history[0].checkpoint
        assert graph.get_state(config).values == {"n": 100}
        for i in range(100):
            assert latest["versions_seen"][f"n{i}"] == {
                f"branch:to:n{i}": next(
                    t.checkpoint["channel_versions"][f"branch:to:n{i}"]
                    for t in reversed(history)
                    if f"branch:to:n{i}" in t.checkpoint["channel_versions"]
                )
            }


def test_task_ids_are_uuid5_of_the_task_s_seed_step_and_path():
    import random
    import uuid

    from langgraph_lite.checkpoint.base import uuid5

    namespace = uuid.UUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8")
    rng = random.Random(7)
    for _ in range(500):
        name = "".join(rng.choice("ab|~é日0:") for _ in range(rng.randint(0, 40)))
        assert uuid5(namespace.bytes, name) == str(uuid.uuid5(namespace, name))
