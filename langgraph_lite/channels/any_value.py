"""AnyValue: keeps the last value written, accepting several equal writes in one step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING, BaseChannel

__all__ = ["AnyValue"]

Value = TypeVar("Value")


class AnyValue(BaseChannel[Value, Value, Value], Generic[Value]):
    """Stores the last of a step's writes, assuming they agree; a step without writes clears it.

    Use it when several nodes may write the same value in one step.
    """

    __slots__ = ("value",)

    def __init__(self, typ: Any, key: str = "") -> None:
        super().__init__(typ, key)
        self.value: Any = MISSING

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = type(self)(self.typ, self.key)
        new.value = checkpoint
        return new

    def update(self, values: Sequence[Value]) -> bool:
        if not values:
            if self.value is MISSING:
                return False
            self.value = MISSING
            return True
        self.value = values[-1]
        return True

    def get(self) -> Value:
        if self.value is MISSING:
            raise self._empty_error()
        value: Value = self.value
        return value

    def is_available(self) -> bool:
        return self.value is not MISSING

    def checkpoint(self) -> Any:
        return self.value
