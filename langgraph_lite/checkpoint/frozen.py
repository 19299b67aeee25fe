"""Read-only dicts for the skeleton of a checkpoint the engine hands to a saver.

A saver must keep what it was given safe from later in-place changes by whoever holds the
checkpoint. For plain dicts that takes a copy, or a comparison with the last copy, of every
channel version and every node's ``versions_seen`` entry at each step: O(channels + nodes) on
every superstep of a wide graph. The engine instead builds a checkpoint's ``channel_versions``
and ``versions_seen`` (and each entry of it) as the types here, which refuse every change, so a
saver may keep them as they are. Each map also says what it was built from: ``base`` (the
``serial`` of the map it copied and updated, 0 if none) and ``changed`` (the keys it added or
replaced then, in an order that rebuilds it: the map ``base`` names, updated with these entries
in this order, is this one, keys in the same order; it never drops one; None: not known), so a
saver storing deltas need not compare the whole map.

They are dicts for every reader (``isinstance``, ``==``, iteration), and their copies
(``dict(...)``, ``.copy()``, ``copy.copy``/``deepcopy``, pickle, ``|``) are plain dicts; the
serializer encodes them as plain dicts, so what a saver stores and hands back is plain.

A step's maps are built from the previous step's as *pending* maps (see ``_Tracked``): the
entries the step changed on top of the previous map, filled only when something reads them,
so taking a checkpoint costs what the step changed, not a copy of every channel and node.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from itertools import count, islice
from typing import Any

__all__ = [
    "FrozenDict",
    "FrozenSeen",
    "FrozenVersions",
    "PendingSeen",
    "PendingVersions",
    "fill_checkpoint",
    "flat",
    "known_len",
    "plain",
]

_serials = count(1).__next__


class FrozenDict(dict):
    """A dict that refuses changes: one node's ``versions_seen`` entry in a checkpoint."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"this {type(self).__name__} belongs to a checkpoint and is read-only; "
            "change a copy of it (dict(...)) instead."
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        return copy.deepcopy(dict(self), memo)

    @classmethod
    def fromkeys(cls, keys: Iterable[Any], value: Any = None) -> dict[Any, Any]:
        return dict.fromkeys(keys, value)


class _Tracked(FrozenDict):
    """A read-only map that knows the map it was built from (see the module's docstring).

    A map derived from another (``FrozenVersions.of`` with a base, ``with_entries``) is first
    *pending*: an instance of a subclass (``PendingVersions``, ``PendingSeen``) whose own dict
    storage is empty, holding only the map it was derived from and its ``delta``, so that
    taking it costs what the step changed. Every way of reading it (item, ``in``, iteration,
    ``==``, ``repr``, views, copies, ``len``) fills its storage first (once; ``fill``) and
    turns it into the whole type, with no parent, so a reader sees a dict. Code that reads
    dicts below their methods (C encoders reading a dict's storage) must get filled maps:
    ``fill_checkpoint`` is what the engine does before it hands a checkpoint to a saver that
    is not known to read them through their methods. Chains stay short: a map is built whole
    when the chain under it would be ``FLAT_AFTER`` deep or its deltas a quarter of the map.
    """

    __slots__ = (
        "_changes", "_depth", "_parent", "_size", "_width", "base", "changed", "delta", "serial",
    )  # fmt: skip
    base: int
    changed: tuple[str, ...] | None
    delta: dict[str, Any] | None  # the entries ``changed`` names, in that order (read-only)
    serial: int
    _parent: _Tracked | None  # pending: the map this one is ``delta`` on; None: whole
    _depth: int  # pending maps down to a whole one (0: whole)
    _changes: int  # the entries of the deltas down to a whole map
    _size: int  # len(): the number of keys (-1: not known until filled)
    _width: int  # the number of keys of the whole map at the bottom of the chain

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"build a {type(self).__name__} with its classmethods.")

    @classmethod
    def _build(
        cls, items: Mapping[str, Any], base: _Tracked | None, delta: dict[str, Any] | None
    ) -> Any:
        out = dict.__new__(cls)
        dict.update(out, flat(items) if isinstance(items, _Tracked) else items)
        out.serial = _serials()
        out.base = 0 if base is None else base.serial
        out.delta = delta
        out.changed = None if delta is None else tuple(delta)
        out._parent, out._depth, out._changes = None, 0, 0
        out._size = out._width = dict.__len__(out)
        return out

    def _derive(self, pending: type, delta: dict[str, Any], size: int) -> Any:
        """A ``pending`` map: this one updated with ``delta`` (``size`` keys in all, -1: not
        known), or None when it would make the chain too long."""
        if self._parent is None:
            depth, changes, width = 1, len(delta), dict.__len__(self)
        else:
            depth, changes, width = self._depth + 1, self._changes + len(delta), self._width
        if depth > FLAT_AFTER or changes * 4 > width:
            return None
        out: Any = dict.__new__(pending)
        out.serial = _serials()
        out.base = self.serial
        out.delta = delta
        out.changed = tuple(delta)
        out._parent, out._depth, out._changes, out._size = self, depth, changes, size
        out._width = width
        return out

    def _flat(self) -> dict[str, Any]:
        deltas: list[dict[str, Any]] = []
        node = self
        while node._parent is not None:
            deltas.append(node.delta)  # type: ignore[arg-type]  # (a pending map has one)
            node = node._parent
        out = dict.copy(node)
        for delta in reversed(deltas):
            out.update(delta)
        return out

    def fill(self) -> None:
        """Fill a pending map's storage (nothing for a whole one): it is then its whole type."""
        if self._parent is None:
            return
        deltas: list[dict[str, Any]] = []
        node = self
        while node._parent is not None:
            deltas.append(node.delta)  # type: ignore[arg-type]
            node = node._parent
        dict.update(self, node)  # (a whole map: a copy in C)
        for delta in reversed(deltas):
            dict.update(self, delta)
        self.__class__ = self._whole
        self._parent, self._depth, self._changes = None, 0, 0
        self._size = self._width = dict.__len__(self)

    _whole: type


FLAT_AFTER = 64
"""The longest chain of pending maps (see ``_Tracked``)."""


def flat(value: Mapping[str, Any]) -> dict[str, Any]:
    """A map of this module (or any mapping) as a new plain dict, a pending map left as it
    is (its entries as they are: a ``versions_seen``'s are ``FrozenDict``)."""
    if isinstance(value, _Tracked):
        return value._flat() if value._parent is not None else dict.copy(value)
    return dict(value)


class FrozenVersions(_Tracked):
    """A checkpoint's ``channel_versions``: channel -> version (str, int or float)."""

    __slots__ = ()

    @classmethod
    def of(
        cls,
        versions: Mapping[str, Any],
        base: FrozenVersions | None = None,
        changed: Iterable[str] = (),
        pending: bool = True,
    ) -> FrozenVersions:
        """A copy of ``versions``; with ``base``, the claim that it differs from ``base``
        only at the keys ``changed`` names, and that the keys it adds come after the others
        (the caller's word: the engine's changed set; its ``versions`` only ever grows).

        ``changed`` is then ordered so that ``base`` updated with those entries, in that order,
        is this map in its order too: the keys it added come last, in this map's order. When
        the keys added are not what ``changed`` says, nothing is claimed (``changed`` None).
        The copy is then pending (see ``_Tracked``) when the chain allows and ``pending``."""
        if base is None:
            return cls._build(versions, None, None)
        size = len(versions)
        added = size - len(base)
        if added == 0:
            delta = {k: versions[k] for k in changed if k in versions}
        elif added < 0:  # a key went: the claim cannot hold
            return cls._build(versions, base, None)
        else:
            if isinstance(versions, dict):
                tail = list(islice(reversed(versions.keys()), added))
                tail.reverse()
            else:
                tail = list(versions)[-added:]
            named = changed if isinstance(changed, set | frozenset) else set(changed)
            new = set(tail)
            if not named.issuperset(new):
                return cls._build(versions, base, None)
            delta = {k: versions[k] for k in named if k in versions and k not in new}
            for k in tail:
                delta[k] = versions[k]
        if pending and cls is FrozenVersions:
            derived = base._derive(PendingVersions, delta, size)
            if derived is not None:
                return derived
        return cls._build(versions, base, delta)


class FrozenSeen(_Tracked):
    """A checkpoint's ``versions_seen``: node -> ``FrozenDict`` of channel -> version."""

    __slots__ = ()

    @classmethod
    def of(cls, seen: Mapping[str, Mapping[str, Any]]) -> FrozenSeen:
        """A read-only copy of every entry of ``seen``."""
        return cls._build({node: _frozen(s) for node, s in seen.items()}, None, None)

    def with_entries(
        self,
        entries: Mapping[str, Mapping[str, Any]],
        names: Iterable[str] | None = None,
        pending: bool = True,
    ) -> FrozenSeen:
        """This map with ``entries`` added or replaced (each copied read-only); ``names``:
        only those of them (the ones ``entries`` has), in that order. Pending (see
        ``_Tracked``) when the chain allows and ``pending``."""
        if names is None:
            names = entries
        updates = {
            node: s if type(s) is FrozenDict else FrozenDict(s)
            for node in names
            if (s := entries.get(node)) is not None
        }
        if pending:
            derived = self._derive(PendingSeen, updates, -1)
            if derived is not None:
                return derived
        out = dict.__new__(FrozenSeen)
        dict.update(out, self if self._parent is None else self._flat())
        dict.update(out, updates)
        out.serial = _serials()
        out.base = self.serial
        out.delta = updates
        out.changed = tuple(updates)
        out._parent, out._depth, out._changes = None, 0, 0
        out._size = dict.__len__(out)
        return out


def _reading(name: str) -> Any:
    method = getattr(dict, name)

    def read(self: _Tracked, *args: Any, **kwargs: Any) -> Any:
        self.fill()
        return method(self, *args, **kwargs)

    read.__name__ = read.__qualname__ = name
    return read


_READERS = (
    "__getitem__", "__contains__", "__iter__", "__reversed__", "__eq__", "__ne__", "__repr__",
    "__or__", "__ror__", "__sizeof__", "keys", "values", "items", "get", "copy",
)  # fmt: skip


def _pending_type(whole: type) -> type:
    def reduce(self: _Tracked) -> Any:
        return (dict, (flat(self),))

    def copy_(self: _Tracked) -> dict[str, Any]:
        return flat(self)

    def deepcopy(self: _Tracked, memo: dict[int, Any]) -> dict[str, Any]:
        self.fill()
        return copy.deepcopy(dict(self), memo)

    def length(self: _Tracked) -> int:
        if self._size < 0:
            self.fill()
        return self._size

    namespace: dict[str, Any] = {name: _reading(name) for name in _READERS}
    namespace.update(
        __slots__=(), __reduce__=reduce, __copy__=copy_, __deepcopy__=deepcopy, __len__=length,
        __doc__=f"A pending {whole.__name__} (see ``_Tracked``): read, it becomes one.",
    )  # fmt: skip
    return type(f"Pending{whole.__name__[len('Frozen') :]}", (whole,), namespace)


PendingVersions: type[FrozenVersions] = _pending_type(FrozenVersions)
PendingSeen: type[FrozenSeen] = _pending_type(FrozenSeen)
FrozenVersions._whole = PendingVersions._whole = FrozenVersions
FrozenSeen._whole = PendingSeen._whole = FrozenSeen


def _frozen(entry: Mapping[str, Any]) -> FrozenDict:
    return entry if type(entry) is FrozenDict else FrozenDict(entry)


def known_len(value: Mapping[str, Any]) -> int:
    """``len(value)``, without filling a pending map whose length is not known yet: for one,
    the length of the whole map its chain starts from (pending maps only ever add keys)."""
    if isinstance(value, _Tracked) and value._parent is not None and value._size < 0:
        return value._width
    return len(value)


def plain(value: Any) -> Any:
    """A read-only map of this module as a plain dict (entries too), for an encoder."""
    if isinstance(value, FrozenSeen):
        out = flat(value)
        return dict(zip(out.keys(), map(dict, out.values()), strict=True))
    return flat(value)


def fill_checkpoint(checkpoint: Mapping[str, Any]) -> None:
    """Fill a checkpoint's pending maps (see ``_Tracked``), for a reader of dicts' storage."""
    for key in ("channel_versions", "versions_seen"):
        value = checkpoint.get(key)
        if isinstance(value, _Tracked):
            value.fill()


FROZEN_TYPES = frozenset({FrozenDict, FrozenVersions, FrozenSeen, PendingVersions, PendingSeen})
"""The types ``plain`` turns into plain dicts."""
