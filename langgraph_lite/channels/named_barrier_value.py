"""NamedBarrierValue: a gate that opens once every named source has written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.errors import EmptyChannelError, InvalidUpdateError

__all__ = ["NamedBarrierValue"]

Value = TypeVar("Value")


class NamedBarrierValue(BaseChannel[Value, Value, set[Value]], Generic[Value]):
    """Available (with value ``None``) only after each name in ``names`` has been written.

    A write names its source; once all sources are in, the node the barrier triggers runs, and
    ``consume()`` (called after that node ran) closes the gate again. This is how
    ``add_edge(["a", "b"], "c")`` waits for both ``a`` and ``b``.
    """

    __slots__ = ("names", "seen")

    def __init__(self, typ: Any, names: Iterable[Value], key: str = "") -> None:
        super().__init__(typ, key)
        self.names: frozenset[Value] = frozenset(names)
        self.seen: set[Value] = set()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NamedBarrierValue) and self.names == other.names

    __hash__ = BaseChannel.__hash__

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = type(self)(self.typ, self.names, self.key)
        if checkpoint is not MISSING:
            new.seen = set(checkpoint)
        return new

    def update(self, values: Sequence[Value]) -> bool:
        for name in values:
            if name not in self.names:
                # checked before any name is recorded: a rejected batch changes nothing
                raise InvalidUpdateError(
                    f"barrier channel {self.key!r} got a write from {name!r}, which is not one "
                    f"of the sources it waits for ({', '.join(map(repr, sorted(self.names, key=repr)))}). "
                    "Write one of those names, or add the source to the barrier."
                )
        changed = False
        for name in values:
            if name not in self.seen:
                self.seen.add(name)
                changed = True
        return changed

    def get(self) -> Value:
        if self.seen != self.names:
            missing = sorted(self.names - self.seen, key=repr)
            raise EmptyChannelError(
                f"barrier channel {self.key!r} is still waiting for {', '.join(map(repr, missing))}."
            )
        return None  # type: ignore[return-value]

    def is_available(self) -> bool:
        return self.seen == self.names

    def checkpoint(self) -> Any:
        return set(self.seen)

    def consume(self) -> bool:
        if self.seen == self.names:
            self.seen = set()
            return True
        return False


class NamedBarrierValueAfterFinish(NamedBarrierValue[Value], Generic[Value]):
    """A ``NamedBarrierValue`` that opens only once the run has nothing else to do."""

    __slots__ = ("finished",)

    def __init__(self, typ: Any, names: Iterable[Value], key: str = "") -> None:
        super().__init__(typ, names, key)
        self.finished = False

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = type(self)(self.typ, self.names, self.key)
        if checkpoint is not MISSING:
            seen, new.finished = checkpoint
            new.seen = set(seen)
        return new

    def checkpoint(self) -> Any:
        return (set(self.seen), self.finished)

    def get(self) -> Value:
        if not self.finished:
            raise EmptyChannelError(f"barrier channel {self.key!r} waits for the run to finish.")
        return super().get()

    def is_available(self) -> bool:
        return self.finished and self.seen == self.names

    def finish(self) -> bool:
        if not self.finished and self.seen == self.names:
            self.finished = True
            return True
        return False

    def consume(self) -> bool:
        if self.finished and self.seen == self.names:
            self.finished = False
            self.seen = set()
            return True
        return False
