"""Whether the items of a list still hold what was stored, told without encoding them again.

A saver that stored a conversation keeps, per version, the item objects it was given and a
*snapshot* of each: a copy of the item's fields, containers copied all the way down, immutable
leaves (strings, numbers, dates, ...) shared. The next version's items are compared with those
snapshots by ``==`` in C (no Python frame per item; the item must also be the same object,
and a model's field dicts are the ones it had, held by the snapshot): an item changed in place since it was stored
no longer equals its snapshot and is encoded again; an unchanged one reuses its stored bytes.
The same comparison lets a run resume from the objects the saver holds (see
``increments.ListIncrements.decode``) instead of decoding the whole history.

Only pydantic models (messages) whose fields hold ``dict``/``list``/``tuple`` of immutable
leaves get snapshots, all models in a list. Any other list is compared by its bytes: for plain
values (dicts, lists, strings) msgpack's encoder, in C, costs less than a copy made in Python
(or decoded: it allocates as many objects), five times less on ``wide_state_15x600``. "Unchanged" means equal:
a field replaced in place by an equal value of another type (``1`` by ``1.0``) counts as
unchanged, and the stored value then still compares equal to the live one; and a model
whose ``__dict__`` itself is replaced by low-level code (``object.__setattr__``) is not
compared by its new fields.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import operator
import uuid
from collections.abc import Sequence
from itertools import chain, islice
from typing import Any, NamedTuple

from pydantic import BaseModel

__all__ = ["Snapshots", "first_changed", "snapshot", "unchanged"]

_LEAVES = frozenset(
    {str, int, float, bool, type(None), bytes}
    | {dt.datetime, dt.date, dt.time, dt.timedelta, uuid.UUID, decimal.Decimal}
)
MODELS = "models"
_extra = operator.attrgetter("__pydantic_extra__")
_eq, _is = operator.eq, operator.is_


class _NotPlain(Exception):
    pass


class Snapshots(NamedTuple):
    """Snapshots of a list's ``n`` items, in ``chunks`` shared between versions (a version
    that appends copies none of the others'). A chunk is parallel tuples, one entry per item:
    for ``kind`` MODELS ``(items, classes, field dicts, their copies, extra-field dicts, their
    copies)``. The dicts are the items' own (as they are
    compared, no attribute of an item is read)."""

    kind: str
    chunks: tuple[tuple[tuple[Any, ...], ...], ...]
    n: int

    def column(self, i: int) -> Any:
        """The ``i``-th entry of every item, in order."""
        return chain.from_iterable(c[i] for c in self.chunks)

    def items(self) -> list[Any]:
        """The items snapshotted, a new list."""
        return list(self.column(0))

    def head(self, n: int) -> Snapshots:
        """The snapshots of the first ``n`` items."""
        if n == self.n:
            return self
        width = len(self.chunks[0])
        return Snapshots(
            self.kind, (tuple(tuple(islice(self.column(i), n)) for i in range(width)),), n
        )

    def join(self, more: Snapshots) -> Snapshots | None:
        """These items' snapshots, then ``more``'s (None if they are of different kinds)."""
        if more.kind != self.kind:
            return None
        return Snapshots(self.kind, self.chunks + more.chunks, self.n + more.n)

    def flat(self) -> Snapshots:
        """The same snapshots in one chunk."""
        if len(self.chunks) < 2:
            return self
        width = len(self.chunks[0])
        return Snapshots(self.kind, (tuple(tuple(self.column(i)) for i in range(width)),), self.n)


def _copy(value: Any) -> Any:
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is dict:
        out = {}
        for k, v in value.items():
            if type(k) not in _LEAVES:
                raise _NotPlain
            out[k] = _copy(v)
        return out
    if kind is list:
        return [_copy(v) for v in value]
    if kind is tuple:
        return tuple(_copy(v) for v in value)
    if isinstance(value, enum.Enum):
        return value
    raise _NotPlain


def snapshot(items: Sequence[Any]) -> Snapshots | None:
    """Snapshots of ``items`` as they are now, or None if they are not all models made of
    plain data (then the list is compared by its bytes)."""
    if not items:
        return None
    kinds = set(map(type, items))
    objs = tuple(items)
    try:
        if all(issubclass(k, BaseModel) for k in kinds):
            dicts = tuple(map(vars, objs))
            extras = tuple(map(_extra, objs))
            if not all(type(e) is dict or e is None for e in extras):
                return None
            chunk = (
                objs,
                tuple(map(type, objs)),
                dicts,
                tuple(map(_copy, dicts)),
                extras,
                tuple(map(_copy, extras)),
            )
            return Snapshots(MODELS, (chunk,), len(objs))
        return None
    except (_NotPlain, RecursionError):
        return None


def unchanged(items: Sequence[Any], snaps: Snapshots) -> bool:
    """Whether the first ``snaps.n`` of ``items`` are the items snapshotted and still equal
    their snapshots (False if ``items`` is shorter): C loops, no Python frame per item."""
    if len(items) < snaps.n or not all(map(_is, items, snaps.column(0))):
        return False
    # whole tuples compared: one C loop each (classes compare by identity, dicts by value)
    chunks = snaps.chunks
    return (
        all(tuple(map(type, c[0])) == c[1] for c in chunks)
        and all(c[2] == c[3] for c in chunks)
        and all(c[4] == c[5] for c in chunks)
    )


def first_changed(items: Sequence[Any], snaps: Snapshots) -> int:
    """The index of the first of ``items`` that is not its snapshot's item or no longer
    equals it (or ``min(len(items), snaps.n)`` if there is none)."""
    width = len(snaps.chunks[0]) if snaps.chunks else 0
    rows = zip(*(snaps.column(i) for i in range(width)), strict=False)
    for i, (item, row) in enumerate(zip(items, rows, strict=False)):
        if item is not row[0]:
            return i
        if not (type(item) is row[1] and row[2] == row[3] and row[4] == row[5]):
            return i
    return min(len(items), snaps.n)
