"""AnyValue: several writes in a step are fine, a step without writes clears it (q6)."""

import pytest

from langgraph_lite.channels import MISSING, AnyValue
from langgraph_lite.errors import EmptyChannelError


@pytest.fixture(params=["constructed", "restored"])
def empty(request):
    ch = AnyValue(int)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


def test_any_value_starts_empty_whether_constructed_or_restored_from_missing(empty):
    with pytest.raises(EmptyChannelError):
        empty.get()
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING


def test_any_value_update_without_writes_on_an_empty_channel_returns_false(empty):
    assert empty.update([]) is False
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING


def test_any_value_keeps_a_single_write(empty):
    assert empty.update([1]) is True
    assert empty.get() == 1
    assert empty.checkpoint() == 1


def test_any_value_keeps_the_last_of_several_writes_in_one_step(empty):
    empty.update([1])
    assert empty.update([1, 2]) is True
    assert empty.get() == 2
    assert empty.is_available() is True
    assert empty.checkpoint() == 2


def test_any_value_is_cleared_by_a_step_without_writes(empty):
    empty.update([1, 2])
    assert empty.update([]) is True
    with pytest.raises(EmptyChannelError):
        empty.get()
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING
    assert empty.update([]) is False


def test_any_value_consume_and_finish_change_nothing(empty):
    assert empty.consume() is False
    assert empty.finish() is False
    empty.update([5])
    assert empty.consume() is False
    assert empty.consume() is False
    assert empty.finish() is False
    assert empty.get() == 5
    assert empty.checkpoint() == 5


def test_any_value_restored_from_its_checkpoint_holds_the_same_value(empty):
    empty.update([5])
    restored = AnyValue(int).from_checkpoint(empty.checkpoint())
    assert restored is not empty
    assert restored.get() == 5
    assert restored.is_available() is True
    assert restored.checkpoint() == 5


def test_reading_an_empty_any_value_names_the_key():
    ch = AnyValue(int)
    ch.key = "answer"
    with pytest.raises(EmptyChannelError, match="answer"):
        ch.get()
