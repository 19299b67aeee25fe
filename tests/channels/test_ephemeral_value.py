"""EphemeralValue: a write lives for the next step only (q6)."""

import pytest

from langgraph_lite.channels import MISSING, EphemeralValue
from langgraph_lite.errors import EmptyChannelError, InvalidUpdateError


@pytest.fixture(params=["constructed", "restored"])
def empty(request):
    ch = EphemeralValue(int)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


@pytest.fixture(params=["constructed", "restored"])
def unguarded(request):
    ch = EphemeralValue(int, guard=False)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


def test_ephemeral_value_starts_empty_whether_constructed_or_restored_from_missing(empty):
    with pytest.raises(EmptyChannelError):
        empty.get()
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING


def test_ephemeral_value_update_without_writes_on_an_empty_channel_returns_false(empty):
    assert empty.update([]) is False
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING


def test_ephemeral_value_keeps_a_single_write(empty):
    assert empty.update([1]) is True
    assert empty.get() == 1
    assert empty.is_available() is True
    assert empty.checkpoint() == 1


def test_ephemeral_value_rejects_two_writes_in_one_step(empty):
    empty.update([1])
    with pytest.raises(InvalidUpdateError):
        empty.update([1, 2])
    assert empty.get() == 1
    assert empty.checkpoint() == 1


def test_ephemeral_value_rejection_names_the_key():
    ch = EphemeralValue(int)
    ch.key = "answer"
    with pytest.raises(InvalidUpdateError, match="answer"):
        ch.update([1, 2])


def test_ephemeral_value_is_cleared_by_a_step_without_writes(empty):
    empty.update([1])
    assert empty.update([]) is True
    with pytest.raises(EmptyChannelError):
        empty.get()
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING
    assert empty.update([]) is False


def test_unguarded_ephemeral_value_keeps_the_last_of_several_writes(unguarded):
    assert unguarded.update([1]) is True
    assert unguarded.update([1, 2]) is True
    assert unguarded.get() == 2
    assert unguarded.checkpoint() == 2
    assert unguarded.update([]) is True
    assert unguarded.is_available() is False


def test_ephemeral_value_consume_and_finish_change_nothing(empty):
    assert empty.consume() is False
    assert empty.finish() is False
    empty.update([5])
    assert empty.consume() is False
    assert empty.consume() is False
    assert empty.finish() is False
    assert empty.get() == 5
    assert empty.checkpoint() == 5


def test_ephemeral_value_restored_from_its_checkpoint_holds_the_same_value(empty):
    empty.update([5])
    restored = EphemeralValue(int).from_checkpoint(empty.checkpoint())
    assert restored is not empty
    assert restored.get() == 5
    assert restored.checkpoint() == 5


def test_ephemeral_value_from_checkpoint_keeps_the_guard():
    restored = EphemeralValue(int, guard=False).from_checkpoint(3)
    assert restored.get() == 3
    assert restored.update([1, 2]) is True
    assert restored.get() == 2
