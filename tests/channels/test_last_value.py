"""LastValue: one write per step, kept until the next write (LangGraph 1.2.22, q6)."""

import pytest

from langgraph_lite.channels import MISSING, LastValue
from langgraph_lite.errors import EmptyChannelError, InvalidUpdateError


@pytest.fixture(params=["constructed", "restored"])
def empty(request):
    ch = LastValue(int)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


def test_last_value_starts_empty_whether_constructed_or_restored_from_missing(empty):
    with pytest.raises(EmptyChannelError):
        empty.get()
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING


def test_last_value_update_without_writes_returns_false_and_stays_empty(empty):
    assert empty.update([]) is False
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING


def test_last_value_keeps_the_single_write_of_a_step(empty):
    assert empty.update([1]) is True
    assert empty.get() == 1
    assert empty.is_available() is True
    assert empty.checkpoint() == 1


def test_last_value_rejects_two_writes_in_one_step(empty):
    empty.update([1])
    with pytest.raises(InvalidUpdateError):
        empty.update([1, 2])
    assert empty.get() == 1
    assert empty.checkpoint() == 1


def test_last_value_rejects_two_writes_even_when_empty(empty):
    with pytest.raises(InvalidUpdateError):
        empty.update([1, 2])
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING


def test_last_value_rejection_names_the_key_and_the_error_code():
    ch = LastValue(int)
    ch.key = "answer"
    with pytest.raises(InvalidUpdateError) as info:
        ch.update([1, 2])
    assert "answer" in str(info.value)
    assert "INVALID_CONCURRENT_GRAPH_UPDATE" in str(info.value)


def test_last_value_keeps_its_value_through_a_step_without_writes(empty):
    empty.update([1])
    assert empty.update([]) is False
    assert empty.get() == 1
    assert empty.checkpoint() == 1


def test_last_value_reports_a_change_even_when_the_same_value_is_written_again(empty):
    empty.update([1])
    assert empty.update([1]) is True
    assert empty.get() == 1


def test_last_value_consume_and_finish_change_nothing(empty):
    assert empty.consume() is False
    assert empty.finish() is False
    empty.update([5])
    assert empty.consume() is False
    assert empty.consume() is False
    assert empty.finish() is False
    assert empty.get() == 5
    assert empty.checkpoint() == 5


def test_last_value_restored_from_its_checkpoint_holds_the_same_value(empty):
    empty.update([5])
    restored = LastValue(int).from_checkpoint(empty.checkpoint())
    assert restored.get() == 5
    assert restored.is_available() is True
    assert restored.checkpoint() == 5


def test_last_value_holds_none_as_a_value():
    ch = LastValue(int).from_checkpoint(None)
    assert ch.get() is None
    assert ch.is_available() is True


def test_last_value_from_checkpoint_returns_a_new_channel_and_leaves_the_original_alone():
    original = LastValue(int)
    restored = original.from_checkpoint(MISSING)
    assert restored is not original
    restored.update([3])
    assert original.is_available() is False
    assert restored.copy().get() == 3


def test_last_value_from_checkpoint_keeps_the_key():
    ch = LastValue(int, key="answer")
    assert ch.from_checkpoint(MISSING).key == "answer"


def test_reading_an_empty_last_value_names_the_key():
    ch = LastValue(int)
    ch.key = "answer"
    with pytest.raises(EmptyChannelError, match="answer"):
        ch.get()


def test_last_value_value_and_update_types_are_its_type():
    ch = LastValue(int)
    assert ch.key == ""
    assert ch.ValueType is int
    assert ch.UpdateType is int
