"""``InMemorySaver`` keeps plain values as pickles of plain data (``checkpoint.held``): what is
read is what was put, whatever happens to the objects after, and nothing else is rebuilt."""

import copy
import operator
import os
import pickle
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_savers import checkpoint, thread

from langgraph_lite.checkpoint.held import HELD, HELD_DELTA, dumps_plain, loads_plain
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.graph.message import add_messages
from langgraph_lite.messages import HumanMessage


def put(saver: InMemorySaver, parent: dict, values: dict, step: int, versions: dict) -> dict:
    cp = checkpoint(values, versions)
    return saver.put(parent, cp, {"source": "loop", "step": step, "parents": {}}, versions)


plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary(),
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=5)
        | st.frozensets(st.integers(), max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(plain)
def test_a_plain_value_reads_back_equal_and_of_the_same_types(value):
    saver = InMemorySaver()
    config = put(saver, thread(), {"v": value}, 0, {"v": "1"})
    assert saver.blobs[("t1", "", "v", "1")][0] == HELD
    got = saver.get_tuple(config).checkpoint["channel_values"]["v"]
    assert got == value
    assert shape(got) == shape(value)  # tuples stay tuples, ints ints, etc.


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return (dict, sorted((repr(k), shape(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value), [shape(v) for v in value])
    if isinstance(value, frozenset):
        return (frozenset, sorted(map(repr, value)))
    return (type(value), repr(value))


def test_what_was_put_is_what_is_read_after_the_objects_change_in_place():
    saver = InMemorySaver()
    shared = {"n": 0, "tags": ["a"]}
    value = [shared, shared, {"x": [1, 2]}] * 4
    want = copy.deepcopy(value)
    config = put(saver, thread(), {"v": value}, 0, {"v": "1"})
    saver.put_writes(config, [("v", value)], "task-1")
    shared["n"] = 99
    shared["tags"].append("b")
    value.append("more")
    found = saver.get_tuple(config)
    assert found.checkpoint["channel_values"]["v"] == want
    assert found.pending_writes == [("task-1", "v", want)]
    # each read is a new copy, with the sharing the value had
    again = saver.get_tuple(config).checkpoint["channel_values"]["v"]
    read = found.checkpoint["channel_values"]["v"]
    assert again is not read and again[0] is not read[0]
    assert read[0] is read[1]


def test_a_list_that_grows_is_stored_as_what_it_added_and_every_version_reads_back():
    saver = InMemorySaver()
    value = [{"i": i, "text": f"{i}" * 20} for i in range(10)]
    configs, wants = [], []
    parent = thread()
    for step in range(40):
        value = [*value, {"i": 100 + step}]
        if step == 7:
            value[3]["text"] = "changed in place"  # the same object as in the list stored
        if step == 12:
            value = value[:4] + value[5:]  # a removal
        if step == 20:
            value = value[-9:]
        parent = put(saver, parent, {"v": value}, step, {"v": str(step + 1)})
        configs.append(parent)
        wants.append(copy.deepcopy(value))
    kinds = [saver.blobs[("t1", "", "v", str(s + 1))][0] for s in range(40)]
    assert kinds.count(HELD_DELTA) > 25 and HELD in kinds
    for config, want in zip(configs, wants, strict=True):
        assert saver.get_tuple(config).checkpoint["channel_values"]["v"] == want
    # a delta holds the added item only
    assert len(saver.blobs[("t1", "", "v", "3")][1]) < 100


def test_an_item_the_list_holds_many_times_changed_in_place_is_stored_again():
    saver = InMemorySaver()
    shared = {"n": 0, "rows": [[1, 2]] * 3}
    value = [shared] * 20
    parent = put(saver, thread(), {"v": value}, 0, {"v": "1"})
    first = parent
    value = [*value, shared]
    parent = put(saver, parent, {"v": value}, 1, {"v": "2"})
    assert saver.blobs[("t1", "", "v", "2")][0] == HELD_DELTA
    shared["rows"][0].append(3)  # deep inside, through every reference at once
    value = [*value, "end"]
    last = put(saver, parent, {"v": value}, 2, {"v": "3"})
    assert saver.blobs[("t1", "", "v", "3")][0] == HELD  # nothing kept: item 0 changed
    got = saver.get_tuple(last).checkpoint["channel_values"]["v"]
    assert got == value and got[0]["rows"][0] == [1, 2, 3]
    assert saver.get_tuple(first).checkpoint["channel_values"]["v"][5]["rows"][1] == [1, 2]


def test_a_resumed_run_stores_what_it_adds_to_a_long_plain_list():
    class State(TypedDict):
        log: Annotated[list, operator.add]

    def node(state: State) -> dict:
        return {"log": [{"turn": len(state["log"]), "text": "x" * 50}]}

    saver = InMemorySaver()
    app = StateGraph(State).add_node("n", node).add_edge(START, "n").add_edge("n", END)
    app = app.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "long"}}
    app.invoke({"log": [{"seed": i, "text": f"{i}" * 40} for i in range(500)]}, config)
    app.invoke({"log": []}, config)  # the next delta builds on what the run read back
    before = sum(len(b[1]) for b in saver.blobs.values())
    app.invoke({"log": []}, config)
    added = sum(len(b[1]) for b in saver.blobs.values()) - before
    assert added < 2_000  # the whole list is ~30 KB
    log = app.get_state(config).values["log"]
    assert len(log) == 503 and log[-1] == {"turn": 502, "text": "x" * 50}


def test_values_that_are_not_plain_are_stored_by_the_serializer():
    @dataclass
    class Point:
        x: int

    saver = InMemorySaver()
    saver.serde.allow(Point)
    messages = add_messages([], [HumanMessage(content=f"m{i}", id=str(i)) for i in range(10)])
    config = put(
        saver,
        thread(),
        {"m": messages, "p": Point(1), "mixed": [1, Point(2)], "sub": _Sub(a=1)},
        0,
        {"m": "1", "p": "1", "mixed": "1", "sub": "1"},
    )
    kinds = {c: saver.blobs[("t1", "", c, "1")][0] for c in ("m", "p", "mixed", "sub")}
    assert kinds == dict.fromkeys(kinds, "msgpack")
    values = saver.get_tuple(config).checkpoint["channel_values"]
    assert values["p"] == Point(1) and values["mixed"] == [1, Point(2)]
    assert values["m"] == messages
    assert type(values["sub"]) is dict  # a dict subclass is stored as a plain dict, as before


class _Sub(dict):
    pass


def test_a_serializer_of_ones_own_stores_every_value():
    class Counting(MsgpackSerde):
        calls = 0

        def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
            Counting.calls += 1
            return super().dumps_typed(obj)

    saver = InMemorySaver(serde=Counting())
    config = put(saver, thread(), {"v": [1, 2, 3]}, 0, {"v": "1"})
    saver.put_writes(config, [("v", {"a": 1})], "task")
    assert Counting.calls == 3  # the value, the metadata and the write
    assert {b[0] for b in saver.blobs.values()} == {"msgpack"}


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo should-not-run",))


@pytest.mark.parametrize("where", ["value", "write"])
def test_bytes_that_name_a_class_or_function_are_refused_and_nothing_runs(where, monkeypatch):
    evil = pickle.dumps([_Boom()])  # os.system("echo ...") when unpickled
    ran = []
    monkeypatch.setattr(os, "system", lambda *a: ran.append(a))
    saver = InMemorySaver()
    config = put(saver, thread(), {"v": [1]}, 0, {"v": "1"})
    saver.put_writes(config, [("v", 2)], "task")
    if where == "value":
        saver.blobs[("t1", "", "v", "1")] = (HELD, evil)
    else:
        ((key, row),) = saver.writes[("t1", "", config["configurable"]["checkpoint_id"])].items()
        saver.writes[("t1", "", config["configurable"]["checkpoint_id"])][key] = (
            row[0],
            row[1],
            (HELD, evil),
            row[3],
        )
    with pytest.raises(CheckpointDecodeError, match=r"could not be read.*names"):
        saver.get_tuple(config)
    assert ran == []
    with pytest.raises(CheckpointDecodeError):
        loads_plain(b"not a pickle")


def test_a_value_too_deep_for_pickle_gets_the_serializers_error():
    deep: list = []
    inner = deep
    for _ in range(5000):
        inner.append([])
        inner = inner[0]
    assert dumps_plain(deep) is None
    saver = InMemorySaver()
    with pytest.raises(TypeError, match=r"nests deeper.*channel 'v'"):
        put(saver, thread(), {"v": deep}, 0, {"v": "1"})


def test_the_lists_remembered_are_bounded_and_a_forgotten_one_is_stored_whole(monkeypatch):
    from langgraph_lite.checkpoint import held

    monkeypatch.setattr(held, "HELD_ITEMS", 50)
    saver = InMemorySaver()
    configs = {}
    for t in range(10):
        value = list(range(t, t + 20))
        configs[t] = put(saver, thread(f"t{t}"), {"v": value}, 0, {"v": "1"})
    assert sum(len(e.items) for e in saver._held._latest.values()) <= 50
    # t0 was forgotten: its next version is whole; t9 is remembered: a delta
    for t, kind in ((0, HELD), (9, HELD_DELTA)):
        value = [*range(t, t + 20), "next"]
        put(saver, configs[t], {"v": value}, 1, {"v": "2"})
        assert saver.blobs[(f"t{t}", "", "v", "2")][0] == kind
        got = saver.get_tuple(thread(f"t{t}")).checkpoint["channel_values"]["v"]
        assert got == value
