"""Topic: a pub/sub list that collects every value written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING, BaseChannel

__all__ = ["Topic"]

Value = TypeVar("Value")


def _flatten(values: Sequence[Value | list[Value]]) -> Iterator[Value]:
    for value in values:
        if isinstance(value, list):
            yield from value
        else:
            yield value


class Topic(BaseChannel[Sequence[Value], "Value | list[Value]", list[Value]], Generic[Value]):
    """Collects the values written in a step into a list (a write that is a list adds each item).

    With ``accumulate=False`` (the default) each step starts a new list, so readers see only
    the previous step's values; with ``accumulate=True`` values pile up across steps.

    >>> t = Topic(str).from_checkpoint(MISSING)
    >>> t.update(["a", ["b", "c"]]), t.get()
    (True, ['a', 'b', 'c'])
    """

    __slots__ = ("accumulate", "values")

    def __init__(self, typ: Any, accumulate: bool = False, key: str = "") -> None:
        super().__init__(typ, key)
        self.accumulate = accumulate
        self.values: list[Value] = []

    @property
    def ValueType(self) -> Any:
        return Sequence[self.typ]  # type: ignore[name-defined]

    @property
    def UpdateType(self) -> Any:
        return self.typ | list[self.typ]  # type: ignore[name-defined]

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = type(self)(self.typ, self.accumulate, self.key)
        if checkpoint is not MISSING:
            new.values = list(checkpoint)
        return new

    def update(self, values: Sequence[Value | list[Value]]) -> bool:
        changed = False
        if not self.accumulate:
            changed = bool(self.values)
            self.values = []
        new = list(_flatten(values))
        if new:
            self.values.extend(new)
            changed = True
        return changed

    def get(self) -> Sequence[Value]:
        if not self.values:
            raise self._empty_error()
        return list(self.values)

    def is_available(self) -> bool:
        return bool(self.values)

    def checkpoint(self) -> Any:
        return list(self.values)
