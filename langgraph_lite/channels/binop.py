"""BinaryOperatorAggregate: folds every write into the value with a reducer."""

from __future__ import annotations

import collections.abc
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.errors import ErrorCode, InvalidUpdateError, create_error_message
from langgraph_lite.types import Overwrite, overwrite_value

__all__ = ["BinaryOperatorAggregate"]

Value = TypeVar("Value")

# Abstract collection types cannot be instantiated; start from their everyday concrete type.
_CONCRETE: dict[Any, type] = {
    collections.abc.Sequence: list,
    collections.abc.MutableSequence: list,
    collections.abc.Set: set,
    collections.abc.MutableSet: set,
    collections.abc.Mapping: dict,
    collections.abc.MutableMapping: dict,
}


def _initial_value(typ: Any) -> Any:
    origin = getattr(typ, "__origin__", None) or typ
    origin = _CONCRETE.get(origin, origin)
    try:
        return origin()
    except Exception:
        return MISSING


class BinaryOperatorAggregate(BaseChannel[Value, Value, Value], Generic[Value]):
    """Combines each write with the current value: ``value = operator(value, write)``.

    The value starts as ``typ()`` when that works (``0`` for int, ``[]`` for list); otherwise
    the first write becomes the value.

    >>> import operator
    >>> ch = BinaryOperatorAggregate(int, operator.add).from_checkpoint(MISSING)
    >>> ch.update([1, 2]), ch.get()
    (True, 3)
    """

    __slots__ = ("operator", "value")

    def __init__(self, typ: Any, operator: Callable[[Value, Value], Value], key: str = "") -> None:
        super().__init__(typ, key)
        if not callable(operator):
            raise TypeError(
                f"BinaryOperatorAggregate needs a callable reducer (old, new) -> merged, "
                f"got {operator!r}"
            )
        self.operator = operator
        self.value: Any = _initial_value(typ)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, BinaryOperatorAggregate)
            and self.operator is other.operator
            and self.key == other.key
        )

    __hash__ = BaseChannel.__hash__

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = type(self).__new__(type(self))
        new.typ = self.typ
        new.key = self.key
        new.operator = self.operator
        new.value = _initial_value(self.typ) if checkpoint is MISSING else checkpoint
        return new

    def update(self, values: Sequence[Value]) -> bool:
        if not values:
            return False
        for i, v in enumerate(values):
            if isinstance(v, (Overwrite, dict)):
                found, replacement = overwrite_value(v)
                if found:
                    self._overwrite(values, i, replacement)
                    return True
        it = iter(values)
        if self.value is MISSING:
            self.value = next(it)
        reduce = self.operator
        value = self.value
        for write in it:
            value = reduce(value, write)
        self.value = value
        return True

    def _overwrite(self, values: Sequence[Value], at: int, replacement: Any) -> None:
        # An Overwrite wins over every other write of its step, whatever their order: the
        # step's value is the replacement. Two in one step cannot both win.
        for v in values[at + 1 :]:
            if isinstance(v, (Overwrite, dict)) and overwrite_value(v)[0]:
                raise InvalidUpdateError(
                    create_error_message(
                        message=(
                            "Can receive only one Overwrite value per super-step: channel "
                            f"{self.key!r} got two. Let one node overwrite it per step."
                        ),
                        error_code=ErrorCode.INVALID_CONCURRENT_GRAPH_UPDATE,
                    )
                )
        self.value = replacement

    def get(self) -> Value:
        if self.value is MISSING:
            raise self._empty_error()
        value: Value = self.value
        return value

    def is_available(self) -> bool:
        return self.value is not MISSING

    def checkpoint(self) -> Any:
        return self.value
