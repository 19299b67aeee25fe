"""Topic: collects a step's writes into a list, flattening list writes (q6, q6b)."""

from collections.abc import Sequence

import pytest

from langgraph_lite.channels import MISSING, Topic
from langgraph_lite.errors import EmptyChannelError


@pytest.fixture(params=["constructed", "restored"])
def empty(request):
    ch = Topic(int)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


@pytest.fixture(params=["constructed", "restored"])
def accumulating(request):
    ch = Topic(int, accumulate=True)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


def test_topic_starts_empty_with_an_empty_list_checkpoint(empty):
    with pytest.raises(EmptyChannelError):
        empty.get()
    assert empty.is_available() is False
    assert empty.checkpoint() == []


def test_topic_update_without_writes_on_an_empty_topic_returns_false(empty):
    assert empty.update([]) is False
    assert empty.is_available() is False
    assert empty.checkpoint() == []


def test_topic_collects_a_single_write(empty):
    assert empty.update([1]) is True
    assert empty.get() == [1]
    assert empty.is_available() is True
    assert empty.checkpoint() == [1]


def test_topic_keeps_only_the_latest_steps_writes(empty):
    empty.update([1])
    assert empty.update([1, 2]) is True
    assert empty.get() == [1, 2]
    assert empty.checkpoint() == [1, 2]


def test_topic_is_cleared_by_a_step_without_writes(empty):
    empty.update([1, 2])
    assert empty.update([]) is True
    with pytest.raises(EmptyChannelError):
        empty.get()
    assert empty.is_available() is False
    assert empty.checkpoint() == []
    assert empty.update([]) is False


def test_topic_flattens_list_writes_into_its_items(empty):
    assert empty.update([[1, 2], 3]) is True
    assert empty.get() == [1, 2, 3]


def test_topic_writing_an_empty_list_adds_nothing(empty):
    assert empty.update([[]]) is False
    assert empty.is_available() is False
    empty.update([1])
    assert empty.update([[]]) is True
    assert empty.checkpoint() == []


def test_accumulating_topic_keeps_values_across_steps(accumulating):
    assert accumulating.update([]) is False
    assert accumulating.update([1]) is True
    assert accumulating.update([1, 2]) is True
    assert accumulating.get() == [1, 1, 2]
    assert accumulating.checkpoint() == [1, 1, 2]


def test_accumulating_topic_keeps_its_values_through_a_step_without_writes(accumulating):
    accumulating.update([1, [2, 3]])
    assert accumulating.update([]) is False
    assert accumulating.get() == [1, 2, 3]
    assert accumulating.checkpoint() == [1, 2, 3]


@pytest.mark.parametrize("accumulate", [False, True])
def test_topic_consume_and_finish_change_nothing(accumulate):
    ch = Topic(int, accumulate=accumulate).from_checkpoint(MISSING)
    assert ch.consume() is False
    assert ch.finish() is False
    ch.update([5])
    assert ch.consume() is False
    assert ch.consume() is False
    assert ch.finish() is False
    assert ch.get() == [5]
    assert ch.checkpoint() == [5]


@pytest.mark.parametrize("accumulate", [False, True])
def test_topic_restored_from_its_checkpoint_holds_the_same_values(accumulate):
    ch = Topic(int, accumulate=accumulate).from_checkpoint(MISSING)
    ch.update([5])
    restored = Topic(int, accumulate=accumulate).from_checkpoint(ch.checkpoint())
    assert restored.get() == [5]
    assert restored.is_available() is True
    assert restored.checkpoint() == [5]


def test_topic_from_checkpoint_keeps_accumulate_and_key():
    restored = Topic(int, accumulate=True, key="answer").from_checkpoint([1])
    assert restored.key == "answer"
    restored.update([2])
    assert restored.get() == [1, 2]


def test_reading_an_empty_topic_names_the_key():
    ch = Topic(int)
    ch.key = "answer"
    with pytest.raises(EmptyChannelError, match="answer"):
        ch.get()


def test_topic_value_type_is_a_sequence_and_update_type_allows_lists():
    ch = Topic(int)
    assert ch.ValueType == Sequence[int]
    assert ch.UpdateType == int | list[int]
