"""Laws every channel keeps, stated with Hypothesis over all channel kinds."""

import copy
import itertools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langgraph_lite.channels import (
    MISSING,
    AnyValue,
    BaseChannel,
    BinaryOperatorAggregate,
    EphemeralValue,
    LastValue,
    NamedBarrierValue,
    Topic,
    UntrackedValue,
)
from langgraph_lite.errors import InvalidUpdateError

LAWS = settings(max_examples=100, deadline=None)

ints = st.integers(min_value=-1000, max_value=1000)
int_lists = st.lists(ints, max_size=3)


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[], BaseChannel]
    writes: st.SearchStrategy
    tracked: bool = True  # False when checkpoint() never holds the value

    def __repr__(self) -> str:
        return self.name


KINDS = [
    Kind("LastValue", lambda: LastValue(int), ints),
    Kind("AnyValue", lambda: AnyValue(int), ints),
    Kind("EphemeralValue", lambda: EphemeralValue(int), ints),
    Kind("EphemeralValue-unguarded", lambda: EphemeralValue(int, guard=False), ints),
    Kind("UntrackedValue", lambda: UntrackedValue(int), ints, tracked=False),
    Kind(
        "UntrackedValue-unguarded",
        lambda: UntrackedValue(int, guard=False),
        ints,
        tracked=False,
    ),
    Kind("Topic", lambda: Topic(int), ints | int_lists),
    Kind("Topic-accumulate", lambda: Topic(int, accumulate=True), ints | int_lists),
    Kind("BinOp-int-add", lambda: BinaryOperatorAggregate(int, operator.add), ints),
    Kind("BinOp-list-add", lambda: BinaryOperatorAggregate(list, operator.add), int_lists),
    Kind(
        "NamedBarrierValue",
        lambda: NamedBarrierValue(str, {"a", "b", "c"}),
        st.sampled_from(["a", "b", "c", "zzz"]),
    ),
]

by_kind = pytest.mark.parametrize("kind", KINDS, ids=repr)


def batches(kind: Kind, max_steps: int = 4) -> st.SearchStrategy:
    """A run's history: one list of writes per step."""
    return st.lists(st.lists(kind.writes, max_size=3), max_size=max_steps)


def state(ch: BaseChannel) -> tuple[Any, bool, Any]:
    """Everything a reader can observe, deep-copied so later updates cannot alter it."""
    available = ch.is_available()
    return copy.deepcopy((ch.checkpoint(), available, ch.get() if available else MISSING))


def run(ch: BaseChannel, history: list[list[Any]]) -> BaseChannel:
    """Apply each step's writes, skipping steps the channel rejects."""
    for writes in history:
        try:
            ch.update(writes)
        except InvalidUpdateError:
            pass
    return ch


def flatten(writes: list[Any]) -> list[Any]:
    return list(itertools.chain.from_iterable(w if isinstance(w, list) else [w] for w in writes))


@by_kind
@pytest.mark.parametrize("restored", [False, True], ids=["constructed", "restored"])
def test_update_without_writes_on_a_fresh_channel_returns_false(kind, restored):
    ch = kind.make()
    if restored:
        ch = ch.from_checkpoint(MISSING)
    before = state(ch)
    assert ch.update([]) is False
    assert state(ch) == before


@by_kind
@given(data=st.data())
@LAWS
def test_a_channel_restored_from_its_checkpoint_is_equal_and_independent(kind, data):
    ch = run(kind.make().from_checkpoint(MISSING), data.draw(batches(kind)))
    before = state(ch)
    checkpoint = ch.checkpoint()
    saved = copy.deepcopy(checkpoint)
    later = data.draw(st.lists(kind.writes, max_size=3))
    for restored in (ch.from_checkpoint(checkpoint), ch.copy()):
        assert restored is not ch
        assert restored.checkpoint() == checkpoint
        if kind.tracked:
            assert state(restored) == before
        else:
            assert restored.is_available() is False
        run(restored, [later])
        restored.consume()
        assert state(ch) == before
        assert checkpoint == saved


@by_kind
@given(data=st.data())
@LAWS
def test_an_update_that_is_rejected_or_returns_false_leaves_the_channel_as_it_was(kind, data):
    ch = run(kind.make().from_checkpoint(MISSING), data.draw(batches(kind)))
    before = state(ch)
    try:
        changed = ch.update(data.draw(st.lists(kind.writes, max_size=4)))
    except InvalidUpdateError:
        changed = False
    if not changed:
        assert state(ch) == before


@given(history=st.lists(st.lists(ints, max_size=4), max_size=6))
@LAWS
def test_last_value_update_returns_true_exactly_when_it_accepts_a_write(history):
    ch = LastValue(int).from_checkpoint(MISSING)
    for writes in history:
        try:
            changed = ch.update(writes)
        except InvalidUpdateError:
            assert len(writes) > 1
            continue
        assert changed is (len(writes) == 1)
        if writes:
            assert ch.get() == writes[0]


@given(history=st.lists(st.lists(ints | int_lists, max_size=3), max_size=6))
@LAWS
def test_accumulating_topic_update_returns_true_exactly_when_its_checkpoint_changes(history):
    ch = Topic(int, accumulate=True).from_checkpoint(MISSING)
    for writes in history:
        before = ch.checkpoint()
        assert ch.update(writes) is (ch.checkpoint() != before)


@given(history=st.lists(st.lists(ints | int_lists, max_size=3), max_size=6))
@LAWS
def test_topic_update_returns_true_exactly_when_it_held_or_now_holds_values(history):
    ch = Topic(int).from_checkpoint(MISSING)
    for writes in history:
        before = ch.checkpoint()
        assert ch.update(writes) is (before != [] or ch.checkpoint() != [])


@given(history=st.lists(st.lists(st.sampled_from("abc"), max_size=3), max_size=6))
@LAWS
def test_barrier_update_returns_true_exactly_when_its_checkpoint_changes(history):
    ch = NamedBarrierValue(str, set("abc")).from_checkpoint(MISSING)
    for writes in history:
        before = ch.checkpoint()
        assert ch.update(writes) is (ch.checkpoint() != before)


@given(history=st.lists(st.lists(ints | int_lists, max_size=3), max_size=6))
@LAWS
def test_accumulating_topic_holds_every_write_in_order(history):
    ch = run(Topic(int, accumulate=True).from_checkpoint(MISSING), history)
    everything = flatten([w for writes in history for w in writes])
    assert ch.checkpoint() == everything
    assert ch.is_available() is bool(everything)
    if everything:
        assert ch.get() == everything


@given(history=st.lists(st.lists(ints | int_lists, max_size=3), min_size=1, max_size=6))
@LAWS
def test_topic_holds_only_the_last_steps_writes_in_order(history):
    ch = run(Topic(int).from_checkpoint(MISSING), history)
    last = flatten(history[-1])
    assert ch.checkpoint() == last
    assert ch.is_available() is bool(last)


@given(history=st.lists(st.lists(ints, max_size=4), max_size=6), data=st.data())
@LAWS
def test_binop_sum_does_not_depend_on_how_writes_are_split_into_steps(history, data):
    writes = [w for batch in history for w in batch]
    shuffled = data.draw(st.permutations(writes))
    splits = [history, [writes], [[w] for w in writes], [shuffled]]
    for split in splits:
        ch = run(BinaryOperatorAggregate(int, operator.add).from_checkpoint(MISSING), split)
        assert ch.get() == sum(writes)


@given(
    names=st.lists(st.sampled_from("abc"), max_size=8),
    data=st.data(),
)
@LAWS
def test_barrier_state_does_not_depend_on_the_order_of_writes(names, data):
    shuffled = data.draw(st.permutations(names))
    one = run(NamedBarrierValue(str, set("abc")).from_checkpoint(MISSING), [names])
    other = run(
        NamedBarrierValue(str, set("abc")).from_checkpoint(MISSING), [[n] for n in shuffled]
    )
    assert state(one) == state(other)
    assert one.is_available() is (set(names) == set("abc"))
