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
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from itertools import count, islice
from typing import Any

__all__ = ["FrozenDict", "FrozenSeen", "FrozenVersions", "plain"]

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
    """A read-only map that knows the map it was built from (see the module's docstring)."""

    __slots__ = ("base", "changed", "delta", "serial")
    base: int
    changed: tuple[str, ...] | None
    delta: dict[str, Any] | None  # the entries ``changed`` names, in that order (read-only)
    serial: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"build a {type(self).__name__} with its classmethods.")

    @classmethod
    def _build(
        cls, items: Mapping[str, Any], base: _Tracked | None, delta: dict[str, Any] | None
    ) -> Any:
        out = dict.__new__(cls)
        dict.update(out, items)
        out.serial = _serials()
        out.base = 0 if base is None else base.serial
        out.delta = delta
        out.changed = None if delta is None else tuple(delta)
        return out


class FrozenVersions(_Tracked):
    """A checkpoint's ``channel_versions``: channel -> version (str, int or float)."""

    __slots__ = ()

    @classmethod
    def of(
        cls,
        versions: Mapping[str, Any],
        base: FrozenVersions | None = None,
        changed: Iterable[str] = (),
    ) -> FrozenVersions:
        """A copy of ``versions``; with ``base``, the claim that it differs from ``base``
        only at the keys ``changed`` names, and that the keys it adds come after the others
        (the caller's word: the engine's changed set; its ``versions`` only ever grows).

        ``changed`` is then ordered so that ``base`` updated with those entries, in that order,
        is this map in its order too: the keys it added come last, in this map's order. When
        the keys added are not what ``changed`` says, nothing is claimed (``changed`` None)."""
        if base is None:
            return cls._build(versions, None, None)
        added = len(versions) - len(base)
        if added == 0:
            return cls._build(versions, base, {k: versions[k] for k in changed if k in versions})
        if added < 0:  # a key went: the claim cannot hold
            return cls._build(versions, base, None)
        if isinstance(versions, dict):
            tail = list(islice(reversed(versions.keys()), added))
            tail.reverse()
        else:
            tail = list(versions)[-added:]
        named = changed if isinstance(changed, set | frozenset) else set(changed)
        if any(k in base or k not in named for k in tail):
            return cls._build(versions, base, None)
        delta = {k: versions[k] for k in named if k in base and k in versions}
        for k in tail:
            delta[k] = versions[k]
        return cls._build(versions, base, delta)


class FrozenSeen(_Tracked):
    """A checkpoint's ``versions_seen``: node -> ``FrozenDict`` of channel -> version."""

    __slots__ = ()

    @classmethod
    def of(cls, seen: Mapping[str, Mapping[str, Any]]) -> FrozenSeen:
        """A read-only copy of every entry of ``seen``."""
        return cls._build(
            {node: _frozen(s) for node, s in seen.items()}, None, None
        )

    def with_entries(
        self, entries: Mapping[str, Mapping[str, Any]], names: Iterable[str] | None = None
    ) -> FrozenSeen:
        """This map with ``entries`` added or replaced (each copied read-only); ``names``:
        only those of them (the ones ``entries`` has), in that order."""
        if names is None:
            names = entries
        updates = {
            node: s if type(s) is FrozenDict else FrozenDict(s)
            for node in names
            if (s := entries.get(node)) is not None
        }
        out = dict.__new__(FrozenSeen)
        dict.update(out, self)
        dict.update(out, updates)
        out.serial = _serials()
        out.base = self.serial
        out.delta = updates
        out.changed = tuple(updates)
        return out


def _frozen(entry: Mapping[str, Any]) -> FrozenDict:
    return entry if type(entry) is FrozenDict else FrozenDict(entry)


def plain(value: Any) -> Any:
    """A read-only map of this module as a plain dict (entries too), for an encoder."""
    if type(value) is FrozenSeen:
        return dict(zip(value.keys(), map(dict, value.values()), strict=True))
    return dict(value)


FROZEN_TYPES = frozenset({FrozenDict, FrozenVersions, FrozenSeen})
"""The types ``plain`` turns into plain dicts."""
