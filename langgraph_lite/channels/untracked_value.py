"""UntrackedValue: run-local state that is never written to a checkpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.channels.last_value import _too_many_writes

__all__ = ["UntrackedValue"]

Value = TypeVar("Value")


class UntrackedValue(BaseChannel[Value, Value, Value], Generic[Value]):
    """Like ``LastValue``, but ``checkpoint()`` is always empty: a resumed run starts without it.

    Use it for handles that cannot or should not be saved (clients, caches).
    """

    __slots__ = ("guard", "value")

    def __init__(self, typ: Any, guard: bool = True, key: str = "") -> None:
        super().__init__(typ, key)
        self.guard = guard
        self.value: Any = MISSING

    def from_checkpoint(self, checkpoint: Any) -> Self:
        # Whatever the checkpoint says, an untracked value starts empty.
        return type(self)(self.typ, self.guard, self.key)

    def update(self, values: Sequence[Value]) -> bool:
        if not values:
            return False
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
        return MISSING
