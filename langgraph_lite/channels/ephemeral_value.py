"""EphemeralValue: a value that lives for the one step after it was written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.channels.last_value import _too_many_writes

__all__ = ["EphemeralValue"]

Value = TypeVar("Value")


class EphemeralValue(BaseChannel[Value, Value, Value], Generic[Value]):
    """Holds a write for the next step only: a step that does not write it clears it.

    With ``guard=True`` (the default) more than one write in a step is an error; with
    ``guard=False`` the last write wins.
    """

    __slots__ = ("guard", "value")

    def __init__(self, typ: Any, guard: bool = True, key: str = "") -> None:
        super().__init__(typ, key)
        self.guard = guard
        self.value: Any = MISSING

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = type(self)(self.typ, self.guard, self.key)
        new.value = checkpoint
        return new

    def update(self, values: Sequence[Value]) -> bool:
        if not values:
            if self.value is MISSING:
                return False
            self.value = MISSING
            return True
        if len(values) != 1 and self.guard:
            raise _too_many_writes(self, len(values))
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
