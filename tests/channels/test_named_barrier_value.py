"""NamedBarrierValue: a gate that opens once every named source has written (q6)."""

import pytest

from langgraph_lite.channels import MISSING, NamedBarrierValue
from langgraph_lite.errors import EmptyChannelError, InvalidUpdateError


@pytest.fixture(params=["constructed", "restored"])
def barrier(request):
    ch = NamedBarrierValue(str, {"a", "b"})
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


def test_barrier_starts_closed_with_an_empty_set_checkpoint(barrier):
    with pytest.raises(EmptyChannelError):
        barrier.get()
    assert barrier.is_available() is False
    assert barrier.checkpoint() == set()


def test_barrier_update_without_writes_returns_false(barrier):
    assert barrier.update([]) is False
    assert barrier.checkpoint() == set()


def test_barrier_stays_closed_until_every_name_has_written(barrier):
    assert barrier.update(["a"]) is True
    assert barrier.is_available() is False
    with pytest.raises(EmptyChannelError):
        barrier.get()
    assert barrier.checkpoint() == {"a"}


def test_barrier_repeated_name_is_not_a_change(barrier):
    barrier.update(["a"])
    assert barrier.update(["a"]) is False
    assert barrier.checkpoint() == {"a"}


def test_barrier_opens_with_value_none_once_every_name_has_written(barrier):
    barrier.update(["a"])
    assert barrier.update(["b"]) is True
    assert barrier.is_available() is True
    assert barrier.get() is None
    assert barrier.checkpoint() == {"a", "b"}


def test_barrier_opens_when_every_name_writes_in_one_step(barrier):
    assert barrier.update(["a", "b"]) is True
    assert barrier.is_available() is True


def test_open_barrier_stays_open_through_a_step_without_writes(barrier):
    barrier.update(["a", "b"])
    assert barrier.update([]) is False
    assert barrier.get() is None
    assert barrier.checkpoint() == {"a", "b"}


def test_barrier_rejects_a_name_it_does_not_wait_for(barrier):
    barrier.update(["a", "b"])
    with pytest.raises(InvalidUpdateError):
        barrier.update(["zzz"])
    assert barrier.get() is None
    assert barrier.checkpoint() == {"a", "b"}


def test_barrier_rejected_batch_leaves_the_seen_names_as_they_were(barrier):
    with pytest.raises(InvalidUpdateError):
        barrier.update(["a", "zzz"])
    assert barrier.checkpoint() == set()


def test_barrier_rejection_names_the_key_the_value_and_the_expected_names():
    ch = NamedBarrierValue(str, {"a", "b"})
    ch.key = "answer"
    with pytest.raises(InvalidUpdateError) as info:
        ch.update(["zzz"])
    message = str(info.value)
    assert "answer" in message
    assert "zzz" in message
    assert "'a'" in message
    assert "'b'" in message


def test_consuming_an_open_barrier_closes_it(barrier):
    barrier.update(["a", "b"])
    assert barrier.consume() is True
    assert barrier.is_available() is False
    with pytest.raises(EmptyChannelError):
        barrier.get()
    assert barrier.checkpoint() == set()
    assert barrier.consume() is False


def test_consuming_a_closed_barrier_keeps_the_names_seen_so_far(barrier):
    assert barrier.consume() is False
    barrier.update(["a"])
    assert barrier.consume() is False
    assert barrier.checkpoint() == {"a"}


def test_closed_barrier_reopens_after_every_name_writes_again(barrier):
    barrier.update(["a", "b"])
    barrier.consume()
    barrier.update(["b"])
    assert barrier.is_available() is False
    barrier.update(["a"])
    assert barrier.is_available() is True


def test_barrier_finish_changes_nothing(barrier):
    assert barrier.finish() is False
    barrier.update(["a", "b"])
    assert barrier.finish() is False
    assert barrier.get() is None
    assert barrier.checkpoint() == {"a", "b"}


def test_barrier_restored_from_its_checkpoint_is_in_the_same_state(barrier):
    barrier.update(["a", "b"])
    restored = NamedBarrierValue(str, {"a", "b"}).from_checkpoint(barrier.checkpoint())
    assert restored.get() is None
    assert restored.is_available() is True
    assert restored.checkpoint() == {"a", "b"}


def test_barrier_restored_half_way_still_waits_for_the_rest():
    restored = NamedBarrierValue(str, {"a", "b"}).from_checkpoint({"a"})
    assert restored.is_available() is False
    assert restored.update(["b"]) is True
    assert restored.is_available() is True


def test_reading_a_closed_barrier_names_what_it_still_waits_for():
    ch = NamedBarrierValue(str, {"a", "b"}, key="answer")
    ch.update(["a"])
    with pytest.raises(EmptyChannelError) as info:
        ch.get()
    assert "answer" in str(info.value)
    assert "'b'" in str(info.value)
