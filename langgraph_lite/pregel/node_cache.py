"""The node cache: where a cached node's writes are kept, under which key, and clearing them.

A node with a ``cache_policy``, in a graph with a cache, is looked up before it runs: the key
is its namespace (``("__pregel_ns_writes", <its function>, <node name>)``, as LangGraph's) and a
hash of what ``key_func`` makes of its input. On a hit its writes are the cached ones and the
node does not run; after a run that succeeds its writes are cached for ``ttl`` seconds. Only
``attempt.py`` calls the lookups; nothing here waits except through the cache itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.cache.base import BaseCache, default_cache_key

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task
    from langgraph_lite.pregel.node import PregelNode

__all__ = ["CACHE_NS_WRITES", "CacheMethods", "cache_namespace", "check_cache"]

CACHE_NS_WRITES = "__pregel_ns_writes"
"""The first label of every namespace a node's cached writes live under."""


def check_cache(cache: Any) -> Any:
    """``cache`` if it is a ``BaseCache`` (or ``None``); raises naming the fix otherwise."""
    if cache is None or isinstance(cache, BaseCache):
        return cache
    raise TypeError(
        f"cache must be a BaseCache such as InMemoryCache() from langgraph_lite.cache.memory, "
        f"got {type(cache).__name__}. Pass it as compile(cache=InMemoryCache())."
    )


def cache_namespace(node: PregelNode) -> tuple[str, str, str]:
    """Where ``node``'s cached writes live: stable across processes for the same function."""
    steps = node._steps
    obj = steps[0].obj if steps else None
    qualname = getattr(obj, "__qualname__", None) or getattr(type(obj), "__qualname__", None)
    ident = f"{getattr(obj, '__module__', '')}.{qualname}" if obj is not None else "__dynamic__"
    return (CACHE_NS_WRITES, ident, node.name or "")


def cache_key(task: Task) -> tuple[tuple[str, ...], str]:
    """The full cache key of ``task``'s writes; raises naming the node if none can be made."""
    policy = task.node.cache_policy
    assert policy is not None
    key_func = policy.key_func or default_cache_key
    try:
        made = key_func(task.input)
    except Exception as exc:
        raise ValueError(
            f"the cache key of node {task.name!r} could not be made: its cache_policy.key_func "
            f"({getattr(key_func, '__name__', key_func)!r}) raised {type(exc).__name__}: {exc}. "
            "Give a key_func that turns the node's input into a str or bytes."
        ) from exc
    if isinstance(made, str):
        made = made.encode()
    if not isinstance(made, (bytes, bytearray)):
        raise TypeError(
            f"the cache key of node {task.name!r} must be a str or bytes, but its "
            f"cache_policy.key_func returned {type(made).__name__} {made!r:.60}. Return a "
            "string (e.g. a hash of the fields that matter)."
        )
    digest = hashlib.blake2b(bytes(made), digest_size=16).hexdigest()
    return (cache_namespace(task.node), digest)


def _as_writes(values: Any) -> list[tuple[str, Any]]:
    return [(chan, value) for chan, value in values]


def lookup(task: Task, cache: BaseCache[Any]) -> Any:
    """The cache key of ``task``; on a hit its writes are set and it is marked cached."""
    key = cache_key(task)
    hit = cache.get([key])
    if key in hit:
        task.writes = _as_writes(hit[key])
        task.cached = True
    return key


async def alookup(task: Task, cache: BaseCache[Any]) -> Any:
    """``lookup`` without blocking the event loop."""
    key = cache_key(task)
    hit = await cache.aget([key])
    if key in hit:
        task.writes = _as_writes(hit[key])
        task.cached = True
    return key


def _entry(task: Task, key: Any) -> dict[Any, Any]:
    policy = task.node.cache_policy
    assert policy is not None
    return {key: (list(task.writes), policy.ttl)}


def save(task: Task, cache: BaseCache[Any], key: Any) -> None:
    """Cache the writes of ``task``, which just ran and succeeded."""
    cache.set(_entry(task, key))


async def asave(task: Task, cache: BaseCache[Any], key: Any) -> None:
    """``save`` without blocking the event loop."""
    await cache.aset(_entry(task, key))


class CacheMethods:
    """``clear_cache`` / ``aclear_cache`` of a compiled graph."""

    cache: BaseCache[Any] | None
    nodes: dict[str, PregelNode]

    def _cache_namespaces(self, nodes: Sequence[str] | None) -> list[tuple[str, ...]]:
        if not self.cache:
            raise ValueError(
                "No cache is set for this graph. Cannot clear cache. Compile it with a cache: "
                "compile(cache=InMemoryCache())."
            )
        names = nodes or list(self.nodes)
        return [cache_namespace(self.nodes[n]) for n in names if n in self.nodes]

    def clear_cache(self, nodes: Sequence[str] | None = None) -> None:
        """Drop the cached writes of ``nodes`` (default: every node)."""
        namespaces = self._cache_namespaces(nodes)
        assert self.cache is not None
        self.cache.clear(namespaces)

    async def aclear_cache(self, nodes: Sequence[str] | None = None) -> None:
        """``clear_cache`` without blocking the event loop."""
        namespaces = self._cache_namespaces(nodes)
        assert self.cache is not None
        await self.cache.aclear(namespaces)
