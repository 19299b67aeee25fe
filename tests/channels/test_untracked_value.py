"""UntrackedValue: like LastValue, but never part of a checkpoint (q6)."""

import pytest

from langgraph_lite.channels import MISSING, UntrackedValue
from langgraph_lite.errors import EmptyChannelError, InvalidUpdateError


@pytest.fixture(params=["constructed", "restored"])
def empty(request):
    ch = UntrackedValue(int)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


@pytest.fixture(params=["constructed", "restored"])
def unguarded(request):
    ch = UntrackedValue(int, guard=False)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


def test_untracked_value_starts_empty_whether_constructed_or_restored_from_missing(empty):
    with pytest.raises(EmptyChannelError):
        empty.get()
    assert empty.is_available() is False
    assert empty.checkpoint() is MISSING


def test_untracked_value_update_without_writes_returns_false(empty):
    assert empty.update([]) is False
    assert empty.is_available() is False


def test_untracked_value_holds_a_write_but_checkpoints_nothing(empty):
    assert empty.update([1]) is True
    assert empty.get() == 1
    assert empty.is_available() is True
    assert empty.checkpoint() is MISSING


def test_untracked_value_rejects_two_writes_in_one_step(empty):
    empty.update([1])
    with pytest.raises(InvalidUpdateError):
        empty.update([1, 2])
    assert empty.get() == 1
    assert empty.checkpoint() is MISSING


def test_untracked_value_rejection_names_the_key():
    ch = UntrackedValue(int)
    ch.key = "answer"
    with pytest.raises(InvalidUpdateError, match="answer"):
        ch.update([1, 2])


def test_untracked_value_keeps_its_value_through_a_step_without_writes(empty):
    empty.update([1])
    assert empty.update([]) is False
    assert empty.get() == 1


def test_unguarded_untracked_value_keeps_the_last_of_several_writes(unguarded):
    assert unguarded.update([1]) is True
    assert unguarded.update([1, 2]) is True
    assert unguarded.get() == 2
    assert unguarded.checkpoint() is MISSING
    assert unguarded.update([]) is False
    assert unguarded.get() == 2


def test_untracked_value_consume_and_finish_change_nothing(empty):
    assert empty.consume() is False
    assert empty.finish() is False
    empty.update([5])
    assert empty.consume() is False
    assert empty.consume() is False
    assert empty.finish() is False
    assert empty.get() == 5
    assert empty.checkpoint() is MISSING


def test_untracked_value_restored_from_its_checkpoint_is_empty(empty):
    empty.update([5])
    restored = UntrackedValue(int).from_checkpoint(empty.checkpoint())
    assert restored.is_available() is False
    assert restored.checkpoint() is MISSING


def test_untracked_value_ignores_whatever_checkpoint_it_is_given():
    restored = UntrackedValue(int).from_checkpoint(5)
    assert restored.is_available() is False
    with pytest.raises(EmptyChannelError):
        restored.get()


def test_untracked_value_from_checkpoint_keeps_the_guard_and_key():
    restored = UntrackedValue(int, guard=False, key="answer").from_checkpoint(MISSING)
    assert restored.key == "answer"
    assert restored.update([1, 2]) is True
    assert restored.get() == 2
