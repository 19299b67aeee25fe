"""The channel protocol: a typed cell that nodes write to and read from between supersteps."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.errors import EmptyChannelError

__all__ = ["MISSING", "BaseChannel"]


class _Missing:
    """Sentinel for "holds no value" — distinct from a stored ``None``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

Value = TypeVar("Value")
Update = TypeVar("Update")
C = TypeVar("C")


class BaseChannel(Generic[Value, Update, C], ABC):
    """A channel holds one piece of run state and decides how a step's writes combine.

    The engine calls ``update`` once per step with every write the channel got in that step
    (in task-path order, possibly none), and bumps the channel's version when it returns True.
    Channel objects given to ``Pregel`` are specs: each run builds its own instances through
    ``from_checkpoint``, so a run never changes the spec.
    """

    __slots__ = ("key", "typ")

    def __init__(self, typ: Any, key: str = "") -> None:
        self.typ = typ
        self.key = key

    @property
    def ValueType(self) -> Any:
        """The type of the value ``get`` returns."""
        return self.typ

    @property
    def UpdateType(self) -> Any:
        """The type of one write."""
        return self.typ

    def copy(self) -> Self:
        """An independent channel holding the same state."""
        return self.from_checkpoint(self.checkpoint())

    def checkpoint(self) -> C | Any:
        """A serializable snapshot of the state, or ``MISSING`` when empty."""
        try:
            return self.get()
        except EmptyChannelError:
            return MISSING

    @abstractmethod
    def from_checkpoint(self, checkpoint: C | Any) -> Self:
        """A new channel of the same kind and key, restored from ``checkpoint``."""

    @abstractmethod
    def get(self) -> Value:
        """The current value; raises ``EmptyChannelError`` when there is none."""

    def is_available(self) -> bool:
        """True when ``get`` would return a value."""
        try:
            self.get()
        except EmptyChannelError:
            return False
        return True

    @abstractmethod
    def update(self, values: Sequence[Update]) -> bool:
        """Apply one step's writes; return True when the state changed."""

    def consume(self) -> bool:
        """Called after a node that this channel triggered has run; True when state changed."""
        return False

    def finish(self) -> bool:
        """Called when the run is about to end; True when state changed (and may trigger)."""
        return False

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({getattr(self.typ, '__name__', self.typ)!s}, key={self.key!r})"
        )

    def _empty_error(self) -> EmptyChannelError:
        return EmptyChannelError(
            f"channel {self.key!r} ({type(self).__name__}) holds no value yet: nothing has "
            "written to it. Write to it first (from the input or a node), or read it only "
            "when it is available."
        )
