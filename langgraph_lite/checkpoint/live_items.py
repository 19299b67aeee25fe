"""Whether the items of a list still hold what was stored, told without encoding them again.

A saver that stored a conversation keeps, per version, the item objects it was given and a
*snapshot* of each: a copy of the item's fields, containers copied all the way down, immutable
leaves (strings, numbers, dates, ...) shared. The next version's items are compared with those
snapshots by ``==`` in C (``map`` over ``vars``): an item changed in place since it was stored
no longer equals its snapshot and is encoded again; an unchanged one reuses its stored bytes.
The same comparison lets a run resume from the objects the saver holds (see
``increments.ListIncrements.decode``) instead of decoding the whole history.

Only items made of plain data get snapshots: pydantic models (messages) whose fields hold
``dict``/``list``/``tuple`` of immutable leaves, or such plain values themselves, all of one
kind in a list. Any other list is compared by its bytes, as before. "Unchanged" means equal:
a field replaced in place by an equal value of another type (``1`` by ``1.0``) counts as
unchanged, and the stored value then still compares equal to the live one.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import operator
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from pydantic import BaseModel

__all__ = ["Snapshots", "first_changed", "snapshot", "unchanged"]

_LEAVES = frozenset(
    {str, int, float, bool, type(None), bytes}
    | {dt.datetime, dt.date, dt.time, dt.timedelta, uuid.UUID, decimal.Decimal}
)
MODELS, PLAIN = "models", "plain"
_extra = operator.attrgetter("__pydantic_extra__")
_eq, _is = operator.eq, operator.is_


class _NotPlain(Exception):
    pass


class Snapshots(NamedTuple):
    """Snapshots of a list's items: ``kind`` MODELS (``types``, ``fields``, ``extras``, one
    each per item) or PLAIN (``fields``: a copy of each item; the others empty)."""

    kind: str
    types: tuple[type, ...]
    fields: tuple[Any, ...]
    extras: tuple[Any, ...]

    def head(self, n: int) -> Snapshots:
        """The snapshots of the first ``n`` items."""
        return Snapshots(self.kind, self.types[:n], self.fields[:n], self.extras[:n])

    def join(self, more: Snapshots) -> Snapshots | None:
        """These items' snapshots, then ``more``'s (None if they are of different kinds)."""
        if more.kind != self.kind:
            return None
        return Snapshots(
            self.kind,
            self.types + more.types,
            self.fields + more.fields,
            self.extras + more.extras,
        )


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
    """Snapshots of ``items`` as they are now, or None if they are not all plain data of one
    kind (then the list is compared by its bytes)."""
    if not items:
        return None
    kinds = set(map(type, items))
    try:
        if all(issubclass(k, BaseModel) for k in kinds):
            return Snapshots(
                MODELS,
                tuple(map(type, items)),
                tuple(_copy(vars(m)) for m in items),
                tuple(_copy(e) for e in map(_extra, items)),
            )
        if any(issubclass(k, BaseModel) for k in kinds):
            return None
        return Snapshots(PLAIN, (), tuple(_copy(v) for v in items), ())
    except (_NotPlain, RecursionError):
        return None


def unchanged(items: Sequence[Any], snaps: Snapshots) -> bool:
    """Whether the first ``len(snaps.fields)`` of ``items`` (it has at least that many) still
    equal their snapshots. C loops only: no Python frame per item."""
    if snaps.kind is PLAIN:
        return all(map(_eq, items, snaps.fields))
    return (
        all(map(_is, map(type, items), snaps.types))
        and all(map(_eq, map(vars, items), snaps.fields))
        and all(map(_eq, map(_extra, items), snaps.extras))
    )


def first_changed(items: Sequence[Any], snaps: Snapshots) -> int:
    """The index of the first of ``items`` that no longer equals its snapshot (or the number
    of snapshots, if they all do, or ``len(items)`` if it is shorter)."""
    n = min(len(items), len(snaps.fields))
    for i in range(n):
        item = items[i]
        if snaps.kind is PLAIN:
            same = item == snaps.fields[i]
        else:
            same = (
                type(item) is snaps.types[i]
                and vars(item) == snaps.fields[i]
                and _extra(item) == snaps.extras[i]
            )
        if not same:
            return i
    return n
