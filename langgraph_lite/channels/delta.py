"""DeltaChannel: a reducer channel whose reducer folds a whole batch of writes at once.

``BinaryOperatorAggregate`` calls its operator once per write, ``operator(value, write)``.
``DeltaChannel`` calls its reducer once per step with every write of that step,
``reducer(value, [write, ...])``, which lets a reducer such as the messages one index the
current value once per step instead of once per write. The reducer must be deterministic and
give the same result however the writes are batched::

    reducer(reducer(state, xs), ys) == reducer(state, xs + ys)

so that stored writes can be replayed in one call (``replay_writes``).

What a checkpoint keeps: the channel's value, like any other channel. The savers store only
new versions of a channel and store a list that grew as what it added
(``checkpoint.increments``), so a thread's long message list costs each step its new items,
and reading any checkpoint reads a bounded number of blobs. ``snapshot_frequency`` is kept
for compatibility and validated; with values stored in every checkpoint there is nothing to
replay, so it does not change what is stored.
"""

from __future__ import annotations

import collections.abc
import copy as _copy
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.channels.delta_ids import stamp_message_objects
from langgraph_lite.errors import ErrorCode, InvalidUpdateError, create_error_message
from langgraph_lite.types import Overwrite, overwrite_value

__all__ = ["DeltaChannel"]

Value = TypeVar("Value")

_CONCRETE: dict[Any, type] = {
    collections.abc.Sequence: list,
    collections.abc.MutableSequence: list,
    collections.abc.Set: set,
    collections.abc.MutableSet: set,
    collections.abc.Mapping: dict,
    collections.abc.MutableMapping: dict,
}


def _concrete(typ: Any) -> Any:
    """The class to build an empty value from: ``list`` for ``list[str]`` or ``Sequence``."""
    while hasattr(typ, "__metadata__") and hasattr(typ, "__origin__"):  # Annotated[...]
        typ = typ.__origin__
    origin = getattr(typ, "__origin__", None) or typ
    return _CONCRETE.get(origin, origin)


def _same_reducer(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    # Every lambda is named "<lambda>": two of them cannot be told apart, so take them on trust.
    return a is b or "<lambda>" in (getattr(a, "__name__", ""), getattr(b, "__name__", ""))


class DeltaChannel(BaseChannel[Any, Any, Any], Generic[Value]):
    """Folds each step's writes into the value with ``reducer(value, [writes...])``.

    Parameters:
        reducer: ``(value, list_of_writes) -> new_value``; deterministic, and batching one
            step's writes with the next step's must not change the result.
        typ: the value's type, whose ``typ()`` is the empty value (``list`` when not given;
            ``Annotated[list[str], DeltaChannel(...)]`` in a state schema sets it).
        snapshot_frequency: a positive int (default 100), accepted for compatibility.

    An ``Overwrite(value)`` write replaces the value (``Overwrite(None)``: the empty value);
    one step may carry one ``Overwrite``, and then the step's other writes are dropped.

    >>> def extend(state, writes):
    ...     return state + [x for w in writes for x in w]
    >>> ch = DeltaChannel(extend).from_checkpoint(MISSING)
    >>> ch.update([[1], [2, 3]]), ch.get()
    (True, [1, 2, 3])
    """

    __slots__ = ("reducer", "snapshot_frequency", "value")

    def __init__(
        self,
        reducer: Callable[[Any, Sequence[Any]], Any],
        typ: type[Value] | None = None,
        *,
        snapshot_frequency: int = 100,
        key: str = "",
    ) -> None:
        if not callable(reducer):
            raise TypeError(
                f"DeltaChannel needs a callable reducer (value, list_of_writes) -> new_value, "
                f"got {reducer!r}"
            )
        if (
            isinstance(snapshot_frequency, bool)
            or not isinstance(snapshot_frequency, int)
            or snapshot_frequency <= 0
        ):
            raise ValueError(
                f"snapshot_frequency must be a positive int, got {snapshot_frequency!r}"
            )
        super().__init__(_concrete(list if typ is None else typ), key)
        self.reducer = reducer
        self.snapshot_frequency = snapshot_frequency
        self.value: Any = MISSING

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DeltaChannel)
            and self.snapshot_frequency == other.snapshot_frequency
            and _same_reducer(self.reducer, other.reducer)
        )

    __hash__ = BaseChannel.__hash__

    def with_type(self, typ: Any) -> Self:
        """A copy of this spec whose value type is ``typ`` (what a state schema declares)."""
        new = self._empty()
        new.typ = _concrete(typ)
        return new

    def _empty(self) -> Self:
        new = type(self).__new__(type(self))
        new.typ = self.typ
        new.key = self.key
        new.reducer = self.reducer
        new.snapshot_frequency = self.snapshot_frequency
        new.value = MISSING
        return new

    def _new_value(self) -> Any:
        try:
            return self.typ()
        except Exception as exc:
            raise TypeError(
                f"DeltaChannel {self.key!r}: cannot build an empty value from its type "
                f"{self.typ!r} ({exc}). Pass a type whose call with no arguments gives the "
                "empty value, e.g. DeltaChannel(reducer, list)."
            ) from exc

    def copy(self) -> Self:
        new = self._empty()
        new.value = self.value if self.value is MISSING else _copy.copy(self.value)
        return new

    def from_checkpoint(self, checkpoint: Any) -> Self:
        """Restore from what a checkpoint stored: nothing (the empty value) or the value
        (also what a ``BinaryOperatorAggregate`` stored, so a key can change from one to the
        other on an existing thread)."""
        new = self._empty()
        if checkpoint is MISSING:
            new.value = new._new_value()
        else:
            new.value = checkpoint
        return new

    def replay_writes(self, writes: Sequence[tuple[str, str, Any]]) -> None:
        """Fold stored writes ``(task_id, channel, value)``, oldest first, in one reducer call.

        The last ``Overwrite`` among them resets the value; only the writes after it are folded.
        """
        values = [w[2] for w in writes]
        if not values:
            return
        base = self._new_value() if self.value is MISSING else self.value
        start = 0
        for i, v in enumerate(values):
            found, replacement = overwrite_value(v)
            if found:
                base = self._replacement(replacement)
                start = i + 1
        rest = values[start:]
        self.value = self.reducer(base, rest) if rest else base

    def _replacement(self, replacement: Any) -> Any:
        return self._new_value() if replacement is None else _copy.copy(replacement)

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        stamp = getattr(self.reducer, "prepare_writes", None) or stamp_message_objects
        values = stamp(list(values))
        at = None
        for i, v in enumerate(values):
            if isinstance(v, (Overwrite, dict)) and overwrite_value(v)[0]:
                if at is not None:
                    raise InvalidUpdateError(
                        create_error_message(
                            message=(
                                "Can receive only one Overwrite value per super-step: channel "
                                f"{self.key!r} got two. Let one node overwrite it per step."
                            ),
                            error_code=ErrorCode.INVALID_CONCURRENT_GRAPH_UPDATE,
                        )
                    )
                at = i
        if at is not None:
            self.value = self._replacement(overwrite_value(values[at])[1])
            return True
        base = self._new_value() if self.value is MISSING else self.value
        self.value = self.reducer(base, values)
        return True

    def get(self) -> Any:
        if self.value is MISSING:
            raise self._empty_error()
        return self.value

    def is_available(self) -> bool:
        return self.value is not MISSING

    def checkpoint(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        name = getattr(self.reducer, "__name__", repr(self.reducer))
        return (
            f"DeltaChannel({name}, {getattr(self.typ, '__name__', self.typ)!s}, key={self.key!r})"
        )
