"""``InMemoryStore``: the store in a dict, for tests, notebooks and one-process programs.

Values are kept as the JSON text they encode to, so what ``get`` returns is a fresh copy that
the caller may change freely, and the same data a database-backed store would return.

>>> from langgraph_lite.store.memory import InMemoryStore
>>> store = InMemoryStore()
>>> store.put(("notes",), "n1", {"text": "buy milk"})
>>> [item.key for item in store.search(("notes",))]
['n1']
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable

from langgraph_lite.store._engine import LocalStore, Plan, Stored, Write
from langgraph_lite.store._values import matches, namespace_matches
from langgraph_lite.store.base import IndexConfig, ListNamespacesOp, Result, TTLConfig

__all__ = ["InMemoryStore"]


class InMemoryStore(LocalStore):
    """A store in this process's memory, with optional semantic search and TTL.

    ``index={"embed": fn, "dims": n, "fields": ["text"]}`` enables ``search(query=...)``;
    ``ttl={"default_ttl": minutes, "refresh_on_read": True}`` sets how items expire.
    """

    def __init__(self, *, index: IndexConfig | None = None, ttl: TTLConfig | None = None) -> None:
        super().__init__(index=index, ttl=ttl)
        # namespace -> key -> item; both dicts keep the order of first put, which is the
        # order search returns (a namespace keeps its place even while it is empty)
        self._data: dict[tuple[str, ...], dict[str, Stored]] = {}
        self._vectors: dict[tuple[tuple[str, ...], str], list[list[float]]] = {}
        self._lock = threading.RLock()

    def _execute(self, plan: Plan) -> list[Result]:
        now = plan.now
        results = plan.results
        with self._lock:
            for slot, op in plan.gets:
                stored = self._live(op.namespace, op.key, now)
                if stored is not None and op.refresh_ttl:
                    self._refresh(stored, now)
                results[slot] = None if stored is None else stored.item(json.loads(stored.text))
            for search in plan.searches:
                candidates = [
                    (stored, self._vectors.get((stored.namespace, stored.key), []))
                    for stored in self._under(search.op.namespace_prefix, now)
                    if matches(stored.tree, search.filter)
                ]
                page = self._rank(search, candidates)
                if search.op.refresh_ttl:
                    for _, stored in page:
                        self._refresh(stored, now)
                results[search.slot] = [
                    stored.search_item(score, json.loads(stored.text)) for score, stored in page
                ]
            for slot, listing in plan.lists:
                results[slot] = self._namespaces(listing, now)
            for write in plan.writes.values():
                self._apply(write, now)
        return results

    # -- reading ---------------------------------------------------------------------------

    def _live(self, namespace: tuple[str, ...], key: str, now: float) -> Stored | None:
        stored = self._data.get(namespace, {}).get(key)
        if stored is not None and stored.expires is not None and stored.expires <= now:
            return None
        return stored

    def _under(self, prefix: tuple[str, ...], now: float) -> Iterable[Stored]:
        n = len(prefix)
        for namespace, items in self._data.items():
            if namespace[:n] == prefix:
                for stored in items.values():
                    if stored.expires is None or stored.expires > now:
                        yield stored

    def _refresh(self, stored: Stored, now: float) -> None:
        if stored.ttl is not None:
            stored.expires = self._expires(stored.ttl, now)

    def _namespaces(self, op: ListNamespacesOp, now: float) -> list[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        for namespace, items in self._data.items():
            if not any(s.expires is None or s.expires > now for s in items.values()):
                continue
            if all(namespace_matches(c, namespace) for c in op.match_conditions or ()):
                found.add(namespace if op.max_depth is None else namespace[: op.max_depth])
        return sorted(found)[op.offset : op.offset + op.limit]

    # -- writing ---------------------------------------------------------------------------

    def _apply(self, write: Write, now: float) -> None:
        items = self._data.get(write.namespace)
        if write.text is None:
            if items is not None:
                items.pop(write.key, None)
            self._vectors.pop((write.namespace, write.key), None)
            return
        if items is None:
            items = self._data[write.namespace] = {}
        old = self._live(write.namespace, write.key, now)
        if old is None:
            items.pop(write.key, None)  # an expired item makes way: the new one goes last
        assert write.tree is not None
        items[write.key] = Stored(
            write.namespace,
            write.key,
            write.text,
            write.tree,
            created=now if old is None else old.created,
            updated=now,
            expires=self._expires(write.ttl, now),
            ttl=write.ttl,
        )
        if write.vectors:
            self._vectors[(write.namespace, write.key)] = [v for _, v in write.vectors]
        else:
            self._vectors.pop((write.namespace, write.key), None)

    def _sweep(self) -> int:
        now = self._clock()
        swept = 0
        with self._lock:
            for namespace, items in self._data.items():
                for key in [
                    k for k, s in items.items() if s.expires is not None and s.expires <= now
                ]:
                    del items[key]
                    self._vectors.pop((namespace, key), None)
                    swept += 1
        return swept

    def __repr__(self) -> str:
        return f"InMemoryStore(items={sum(len(i) for i in self._data.values())})"
