"""``BaseCache``: what a node cache does, and the checks every cache shares.

Keys are ``(namespace, key)`` pairs — a namespace is a tuple of strings, a key a string.
``set`` takes ``{(namespace, key): (value, ttl_seconds)}`` (``None``: never expires), ``get``
returns the live values among the keys asked for, ``clear`` drops whole namespaces (or
everything). Values are encoded with ``MsgpackSerde``: never pickle, and a value that could
not be read back is refused when it is set, not when it is needed.

>>> from langgraph_lite.cache.memory import InMemoryCache
>>> cache = InMemoryCache()
>>> cache.set({(("node", "v1"), "abc"): ({"answer": 42}, 60)})
>>> cache.get([(("node", "v1"), "abc"), (("node", "v1"), "other")])
{(('node', 'v1'), 'abc'): {'answer': 42}}
"""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde

__all__ = ["BaseCache", "FullKey", "Namespace", "ValueT", "default_cache_key"]

ValueT = TypeVar("ValueT")
Namespace = tuple[str, ...]
FullKey = tuple[Namespace, str]


class BaseCache(ABC, Generic[ValueT]):
    """A cache of values by ``(namespace, key)``, each with an optional TTL in seconds."""

    serde: MsgpackSerde

    def __init__(self, *, serde: MsgpackSerde | None = None) -> None:
        self.serde = serde if serde is not None else MsgpackSerde()

    @abstractmethod
    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        """The cached, unexpired values among ``keys``."""

    @abstractmethod
    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        """``get`` without blocking the event loop."""

    @abstractmethod
    def set(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        """Cache each value under its key for ``ttl`` seconds (``None``: until cleared)."""

    @abstractmethod
    async def aset(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        """``set`` without blocking the event loop."""

    @abstractmethod
    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        """Drop the values in ``namespaces``, or every value when ``None``."""

    @abstractmethod
    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        """``clear`` without blocking the event loop."""

    # -- shared by the bundled caches ------------------------------------------------------

    def _encode(self, key: FullKey, value: Any) -> tuple[str, bytes]:
        """``value`` as the serializer stores it; refused now if it could not be read back."""
        try:
            encoded = self.serde.dumps_typed(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise TypeError(f"cannot cache the value for {key!r}: {exc}") from None
        try:
            self.serde.loads_typed(encoded)
        except CheckpointDecodeError as exc:
            raise TypeError(
                f"cannot cache the value for {key!r}: the serializer would refuse to read it "
                f"back ({exc}). Allow its class first: cache.serde.allow(TheClass), or make the "
                "cache with serde=MsgpackSerde(allowed=[TheClass])."
            ) from None
        return encoded


def check_keys(keys: Sequence[Any]) -> list[FullKey]:
    """The keys as ``(tuple_of_str, str)`` pairs; raises naming a malformed one."""
    if isinstance(keys, (str, bytes)) or not isinstance(keys, Sequence):
        raise TypeError(
            f"cache.get() takes a list of (namespace, key) pairs, got {type(keys).__name__}"
        )
    return [_full_key(k) for k in keys]


def check_pairs(pairs: Mapping[Any, Any]) -> list[tuple[FullKey, Any, float | None]]:
    """``(key, value, ttl)`` for each entry of a ``set`` mapping; raises naming a bad one."""
    if not isinstance(pairs, Mapping):
        raise TypeError(
            "cache.set() takes a dict {(namespace, key): (value, ttl_seconds)}, got "
            f"{type(pairs).__name__}"
        )
    checked = []
    for raw_key, entry in pairs.items():
        key = _full_key(raw_key)
        if not isinstance(entry, tuple) or len(entry) != 2:
            raise TypeError(
                f"cache.set(): the entry for {key!r} must be a (value, ttl_seconds) pair, got "
                f"{entry!r:.80}. Use (value, None) for no expiry."
            )
        value, ttl = entry
        if ttl is not None:
            if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or math.isnan(ttl):
                raise TypeError(
                    f"cache.set(): the ttl for {key!r} is a number of seconds or None, got {ttl!r}"
                )
            if ttl < 0:
                raise ValueError(
                    f"cache.set(): the ttl for {key!r} is {ttl!r}; a ttl is zero or more "
                    "seconds (None: never expires)."
                )
        checked.append((key, value, ttl))
    return checked


def check_namespaces(namespaces: Sequence[Any] | None) -> list[Namespace] | None:
    if namespaces is None:
        return None
    if isinstance(namespaces, (str, bytes)) or not isinstance(namespaces, Sequence):
        raise TypeError(
            f"cache.clear() takes a list of namespaces (tuples of str) or None, got {namespaces!r}"
        )
    return [_namespace(ns, "cache.clear()") for ns in namespaces]


def _full_key(raw: Any) -> FullKey:
    if not isinstance(raw, (tuple, list)) or len(raw) != 2:
        raise TypeError(
            f"a cache key is a (namespace, key) pair such as (('my_node',), 'input-hash'), got "
            f"{raw!r:.80}"
        )
    namespace, key = raw
    if not isinstance(key, str):
        raise TypeError(f"a cache key's key is a str, got {type(key).__name__} {key!r:.40}")
    return (_namespace(namespace, "a cache key"), key)


def _namespace(raw: Any, where: str) -> Namespace:
    if isinstance(raw, str) or not isinstance(raw, (tuple, list)):
        raise TypeError(
            f"{where}: a namespace is a tuple of str such as ('my_node',), got {raw!r:.60}"
        )
    if not all(isinstance(label, str) for label in raw):
        raise TypeError(f"{where}: namespace labels are str, got {tuple(raw)!r:.60}")
    return tuple(raw)


# -- the default key of a cached node ------------------------------------------------------

_KEY_SERDE: MsgpackSerde | None = None


def default_cache_key(*args: Any, **kwargs: Any) -> str:
    """A key for a node's input: a hash of its encoding, the same for equal inputs.

    Dicts count as equal whatever their key order. Encoding uses the checkpoint serializer,
    so an input it cannot encode raises ``TypeError``; nothing is pickled.
    """
    global _KEY_SERDE
    if _KEY_SERDE is None:  # made on first use: the serializer imports the message types
        _KEY_SERDE = MsgpackSerde()
    data = _KEY_SERDE.dumps([_canonical(args), _canonical(kwargs)])
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _canonical(obj: Any, depth: int = 0) -> Any:
    if depth > 50:
        return obj
    if isinstance(obj, Mapping):
        items = [(_canonical(k, depth + 1), _canonical(v, depth + 1)) for k, v in obj.items()]
        return ("__dict__", sorted(items, key=lambda kv: (type(kv[0]).__name__, repr(kv[0]))))
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return [_canonical(v, depth + 1) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return ("__set__", sorted((_canonical(v, depth + 1) for v in obj), key=repr))
    return obj
