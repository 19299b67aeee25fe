"""DeltaChannel on its own: batch reducer calls, Overwrite, replay, copies, bad input."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.channels import MISSING, BinaryOperatorAggregate, DeltaChannel
from langgraph_lite.errors import EmptyChannelError, InvalidUpdateError
from langgraph_lite.graph import StateGraph
from langgraph_lite.graph.message import _messages_delta_reducer
from langgraph_lite.messages import AIMessage, HumanMessage, RemoveMessage
from langgraph_lite.types import Overwrite


def extend(state, writes):
    out = list(state)
    for w in writes:
        out.extend(w if isinstance(w, list) else [w])
    return out


def test_the_reducer_gets_each_step_whole():
    calls = []

    def spy(state, writes):
        calls.append((list(state), list(writes)))
        return extend(state, writes)

    ch = DeltaChannel(spy).from_checkpoint(MISSING)
    assert ch.update([["a"], "b", ["c", "d"]]) is True
    assert ch.update([]) is False
    assert ch.update(["e"]) is True
    assert ch.get() == ["a", "b", "c", "d", "e"]
    assert calls == [([], [["a"], "b", ["c", "d"]]), (["a", "b", "c", "d"], ["e"])]


def test_empty_value_from_the_type_and_unavailable_spec():
    spec = DeltaChannel(lambda s, ws: {**s, **{k: v for w in ws for k, v in w.items()}}, dict)
    assert not spec.is_available()
    with pytest.raises(EmptyChannelError):
        spec.get()
    ch = spec.from_checkpoint(MISSING)
    assert ch.is_available() and ch.get() == {}
    ch.update([{"a": 1}, {"b": 2}])
    assert ch.get() == {"a": 1, "b": 2}
    assert ch.checkpoint() == {"a": 1, "b": 2}
    assert spec.from_checkpoint(ch.checkpoint()).get() == {"a": 1, "b": 2}


def test_a_plain_stored_value_is_read_as_is():
    # what a BinaryOperatorAggregate stored: a thread can switch a key to DeltaChannel
    old = BinaryOperatorAggregate(list, operator.add).from_checkpoint(MISSING)
    old.update([[1], [2]])
    ch = DeltaChannel(extend).from_checkpoint(old.checkpoint())
    ch.update([[3]])
    assert ch.get() == [1, 2, 3]


def test_overwrite_replaces_and_drops_the_steps_other_writes():
    ch = DeltaChannel(extend).from_checkpoint(["x"])
    assert ch.update(["a", Overwrite(["o"]), "b"])
    assert ch.get() == ["o"]
    ch.update([Overwrite(None)])
    assert ch.get() == []
    ch.update([{"__overwrite__": ["j"]}])  # the JSON form
    assert ch.get() == ["j"]


def test_two_overwrites_in_one_step_are_refused_naming_the_channel():
    spec = DeltaChannel(extend)
    spec.key = "items"
    ch = spec.from_checkpoint(MISSING)
    with pytest.raises(InvalidUpdateError, match=r"'items'.*got two"):
        ch.update([Overwrite([1]), Overwrite([2])])


def test_replay_writes_folds_once_from_the_last_overwrite():
    calls = []

    def spy(state, writes):
        calls.append(len(writes))
        return extend(state, writes)

    ch = DeltaChannel(spy).from_checkpoint(["seed"])
    ch.replay_writes([("t1", "k", ["a"]), ("t2", "k", Overwrite(["o"])), ("t3", "k", "b")])
    assert ch.get() == ["o", "b"] and calls == [1]
    ch.replay_writes([])
    assert ch.get() == ["o", "b"] and calls == [1]
    only = DeltaChannel(spy).from_checkpoint(["s"])
    only.replay_writes([("t", "k", Overwrite(["z"]))])
    assert only.get() == ["z"] and calls == [1]  # nothing after the overwrite: no call


def test_batching_invariance_of_the_messages_reducer():
    xs = [[HumanMessage("a", id="1")], AIMessage("b", id="2")]
    ys = [[AIMessage("b2", id="2"), RemoveMessage(id="1")], HumanMessage("c", id="3")]
    once = _messages_delta_reducer([], xs + ys)
    twice = _messages_delta_reducer(_messages_delta_reducer([], xs), ys)
    assert once == twice
    assert [(m.id, m.content) for m in once] == [("2", "b2"), ("3", "c")]


def test_messages_reducer_ignores_an_unknown_removal_and_coerces_input():
    out = _messages_delta_reducer([], [[("user", "hi")], RemoveMessage(id="nope")])
    assert len(out) == 1 and isinstance(out[0], HumanMessage)
    with pytest.raises(TypeError, match="list of messages"):
        _messages_delta_reducer("oops", [])


def test_written_messages_get_ids_through_the_channel():
    ch = DeltaChannel(_messages_delta_reducer).from_checkpoint(MISSING)
    mine = AIMessage("yo")
    ch.update([[("user", "hi")], mine])
    assert all(m.id for m in ch.get())
    assert mine.id == ch.get()[1].id  # given in place, as add_messages does
    ch.update([Overwrite([("user", "again")])])
    assert [m.content for m in ch.get()] == ["again"] and ch.get()[0].id


def test_copy_is_independent():
    ch = DeltaChannel(extend).from_checkpoint(["a"])
    other = ch.copy()
    other.update(["b"])
    assert ch.get() == ["a"] and other.get() == ["a", "b"]


def test_equality_compares_reducer_and_frequency():
    assert DeltaChannel(extend) == DeltaChannel(extend)
    assert DeltaChannel(extend) != DeltaChannel(extend, snapshot_frequency=3)
    assert DeltaChannel(extend) != DeltaChannel(_messages_delta_reducer)
    assert DeltaChannel(extend) != BinaryOperatorAggregate(list, operator.add)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_snapshot_frequency_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="snapshot_frequency must be a positive int"):
        DeltaChannel(extend, snapshot_frequency=bad)


def test_a_reducer_must_be_callable():
    with pytest.raises(TypeError, match="callable reducer"):
        DeltaChannel([1, 2])


def test_a_type_without_an_empty_value_is_named():
    ch = DeltaChannel(extend, int.__class__)  # type(): needs arguments
    ch.key = "k"
    with pytest.raises(TypeError, match=r"'k'.*empty value"):
        ch.from_checkpoint(MISSING)


def test_state_graph_takes_the_channel_and_its_type_from_annotated():
    class S(TypedDict):
        tags: Annotated[set[str], DeltaChannel(lambda s, ws: s.union(*ws))]
        log: Annotated[list[str], DeltaChannel(extend, snapshot_frequency=5)]

    app = StateGraph(S).add_node("n", lambda s: {"tags": {"b"}, "log": ["n"]})
    app = app.set_entry_point("n").compile()
    ch = app.channels["tags"]
    assert isinstance(ch, DeltaChannel) and ch.typ is set and ch.key == "tags"
    assert app.channels["log"].snapshot_frequency == 5 and app.channels["log"].typ is list
    assert app.invoke({"tags": {"a"}}) == {"tags": {"a", "b"}, "log": ["n"]}


def test_two_schemas_declaring_a_key_with_different_reducers_are_refused():
    class A(TypedDict):
        log: Annotated[list, DeltaChannel(extend)]

    class B(TypedDict):
        log: Annotated[list, DeltaChannel(_messages_delta_reducer)]

    with pytest.raises(ValueError, match="DeltaChannel with reducer extend"):
        StateGraph(A, input_schema=B)
