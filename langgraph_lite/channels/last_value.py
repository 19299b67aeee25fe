"""LastValue: keeps the single value written in the latest step that wrote it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.errors import ErrorCode, InvalidUpdateError, create_error_message

__all__ = ["LastValue"]

Value = TypeVar("Value")


def _too_many_writes(channel: BaseChannel, n: int) -> InvalidUpdateError:
    return InvalidUpdateError(
        create_error_message(
            message=(
                f"channel {channel.key!r} ({type(channel).__name__}) got {n} writes in one step, "
                "and it keeps one value per step. Give the key a reducer, e.g. "
                f"{channel.key or 'key'}: Annotated[list, operator.add], or let one node write it."
            ),
            error_code=ErrorCode.INVALID_CONCURRENT_GRAPH_UPDATE,
        )
    )


class LastValue(BaseChannel[Value, Value, Value], Generic[Value]):
    """Stores the last value written; more than one write in a step is an error.

    >>> ch = LastValue(int).from_checkpoint(MISSING)
    >>> ch.update([1]), ch.get()
    (True, 1)
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
            return False
        if len(values) != 1:
            raise _too_many_writes(self, len(values))
        self.value = values[0]
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


class LastValueAfterFinish(BaseChannel[Value, Value, Value], Generic[Value]):
    """Like ``LastValue``, but readable only once the run has nothing else to do.

    ``finish()`` (called when no other node is due) makes the value available; reading it
    through ``consume()`` clears it. This is what ``add_node(..., defer=True)`` waits on.
    """

    __slots__ = ("finished", "value")

    def __init__(self, typ: Any, key: str = "") -> None:
        super().__init__(typ, key)
        self.value: Any = MISSING
        self.finished = False

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = type(self)(self.typ, self.key)
        if checkpoint is not MISSING:
            new.value, new.finished = checkpoint
        return new

    def checkpoint(self) -> Any:
        return MISSING if self.value is MISSING else (self.value, self.finished)

    def update(self, values: Sequence[Value]) -> bool:
        if not values:
            return False
        self.finished = False
        self.value = values[-1]
        return True

    def get(self) -> Value:
        if self.value is MISSING or not self.finished:
            raise self._empty_error()
        value: Value = self.value
        return value

    def is_available(self) -> bool:
        return self.finished and self.value is not MISSING

    def finish(self) -> bool:
        if not self.finished and self.value is not MISSING:
            self.finished = True
            return True
        return False

    def consume(self) -> bool:
        if self.finished:
            self.finished = False
            self.value = MISSING
            return True
        return False
