"""BinaryOperatorAggregate: folds each write into the value with a reducer (q6, q6b)."""

import operator
from collections.abc import Sequence

import pytest

from langgraph_lite.channels import MISSING, BinaryOperatorAggregate
from langgraph_lite.errors import EmptyChannelError, InvalidUpdateError
from langgraph_lite.types import Overwrite


@pytest.fixture(params=["constructed", "restored"])
def adder(request):
    ch = BinaryOperatorAggregate(int, operator.add)
    return ch if request.param == "constructed" else ch.from_checkpoint(MISSING)


@pytest.mark.parametrize(
    ("typ", "initial"),
    [
        (int, 0),
        (float, 0.0),
        (list, []),
        (dict, {}),
        (str, ""),
        (list[int], []),
        (Sequence, []),
        (Sequence[int], []),
    ],
    ids=repr,
)
@pytest.mark.parametrize("restored", [False, True], ids=["constructed", "restored"])
def test_binop_starts_from_the_empty_value_of_its_type(typ, initial, restored):
    ch = BinaryOperatorAggregate(typ, operator.add)
    if restored:
        ch = ch.from_checkpoint(MISSING)
    assert ch.get() == initial
    assert type(ch.get()) is type(initial)
    assert ch.is_available() is True
    assert ch.checkpoint() == initial


@pytest.mark.parametrize("restored", [False, True], ids=["constructed", "restored"])
def test_binop_over_a_type_it_cannot_instantiate_starts_empty(restored):
    ch = BinaryOperatorAggregate("notatype", operator.add)
    if restored:
        ch = ch.from_checkpoint(MISSING)
    with pytest.raises(EmptyChannelError):
        ch.get()
    assert ch.is_available() is False
    assert ch.checkpoint() is MISSING


def test_binop_that_starts_empty_takes_its_first_write_as_the_value():
    ch = BinaryOperatorAggregate("notatype", operator.add).from_checkpoint(MISSING)
    assert ch.update([]) is False
    assert ch.is_available() is False
    assert ch.update([1, 2]) is True
    assert ch.get() == 3


def test_binop_folds_every_write_into_the_value(adder):
    assert adder.update([]) is False
    assert adder.get() == 0
    assert adder.update([1]) is True
    assert adder.get() == 1
    assert adder.update([1, 2]) is True
    assert adder.get() == 4
    assert adder.checkpoint() == 4


def test_binop_keeps_its_value_through_a_step_without_writes(adder):
    adder.update([4])
    assert adder.update([]) is False
    assert adder.get() == 4
    assert adder.checkpoint() == 4


def test_binop_reports_a_change_for_any_write_even_one_that_leaves_the_value(adder):
    assert adder.update([0]) is True
    assert adder.get() == 0


def test_binop_over_lists_concatenates_writes_in_order():
    ch = BinaryOperatorAggregate(list, operator.add).from_checkpoint(MISSING)
    assert ch.update([[1], [2]]) is True
    assert ch.get() == [1, 2]


def test_binop_over_an_abstract_sequence_concatenates_into_a_list():
    ch = BinaryOperatorAggregate(Sequence, operator.add).from_checkpoint(MISSING)
    assert ch.update([[1]]) is True
    assert ch.get() == [1]


def test_binop_consume_and_finish_change_nothing(adder):
    assert adder.consume() is False
    assert adder.finish() is False
    adder.update([5])
    assert adder.consume() is False
    assert adder.consume() is False
    assert adder.finish() is False
    assert adder.get() == 5
    assert adder.checkpoint() == 5


def test_binop_restored_from_its_checkpoint_holds_the_same_value(adder):
    adder.update([5])
    restored = adder.from_checkpoint(adder.checkpoint())
    assert restored is not adder
    assert restored.get() == 5
    assert restored.checkpoint() == 5


def test_binop_restored_from_missing_starts_over_from_the_empty_value(adder):
    adder.update([5])
    assert adder.from_checkpoint(MISSING).get() == 0
    assert adder.get() == 5


def test_binop_from_checkpoint_keeps_the_reducer_and_key():
    ch = BinaryOperatorAggregate(int, operator.mul, key="answer")
    restored = ch.from_checkpoint(3)
    assert restored.key == "answer"
    assert restored.operator is operator.mul
    restored.update([4])
    assert restored.get() == 12


def test_binop_needs_a_callable_reducer():
    with pytest.raises(TypeError, match="callable"):
        BinaryOperatorAggregate(int, 5)


def test_reading_an_empty_binop_names_the_key():
    ch = BinaryOperatorAggregate("notatype", operator.add, key="answer")
    with pytest.raises(EmptyChannelError, match="answer"):
        ch.get()


# -- Overwrite (expected values observed on LangGraph 1.2.22) ------------------------------------


def overwrite_forms(value):
    return [
        Overwrite(value),
        {"__overwrite__": value},
        {"type": "__overwrite__", "value": value},
    ]


@pytest.mark.parametrize("form", range(3), ids=["Overwrite", "json-key", "json-dataclass"])
def test_an_overwrite_in_any_of_its_forms_replaces_the_value(form):
    ch = BinaryOperatorAggregate(list, operator.add)
    ch.update([[1, 2]])
    assert ch.update([overwrite_forms([9])[form]]) is True
    assert ch.get() == [9]


@pytest.mark.parametrize("at", [0, 1, 2])
def test_an_overwrite_wins_over_the_other_writes_of_its_step_wherever_it_stands(at):
    ch = BinaryOperatorAggregate(list, operator.add)
    ch.update([["old"]])
    writes = [["x"], ["y"]]
    writes.insert(at, Overwrite(["over"]))
    ch.update(writes)
    assert ch.get() == ["over"]


def test_an_overwrite_into_an_empty_channel_without_a_start_value_is_unwrapped():
    class NoDefault:
        def __init__(self, required): ...

    ch = BinaryOperatorAggregate(NoDefault, operator.add)
    ch.update([Overwrite("v")])
    assert ch.get() == "v"


def test_two_overwrites_in_one_step_raise_with_langgraphs_words():
    ch = BinaryOperatorAggregate(list, operator.add, key="log")
    ch.update([["a"]])
    with pytest.raises(
        InvalidUpdateError, match=r"^Can receive only one Overwrite value per super-step.*'log'"
    ):
        ch.update([Overwrite([1]), {"__overwrite__": [2]}])
    assert ch.get() == ["a"]


def test_a_dict_that_is_not_an_overwrite_is_reduced_as_usual():
    ch = BinaryOperatorAggregate(dict, lambda a, b: {**a, **b})
    ch.update([{"__overwrite__": 1, "other": 2}])
    assert ch.get() == {"__overwrite__": 1, "other": 2}


def test_overwrite_carries_langgraphs_type_discriminator():
    assert Overwrite([1]) == Overwrite(value=[1], type="__overwrite__")
    assert repr(Overwrite("v")) == "Overwrite(value='v', type='__overwrite__')"
