"""The batch pipeline both bundled stores run: check, plan, embed, execute.

``batch`` and ``abatch`` differ only in how they wait for the embedding function and the
storage; everything that does not wait lives here, once:

    ops --plan()--> Plan --embed (sync or async)--> Plan with vectors --_execute()--> results

A store subclass implements ``_execute(plan)`` (and ``_aexecute`` when its storage blocks).
In one batch every read sees the store as it was before the batch's writes, and of two writes
to one key the last wins.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import anyio.to_thread

from langgraph_lite.store._values import check_filter, cosine, encode_value
from langgraph_lite.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
    validate_op_namespace,
)
from langgraph_lite.store.base.embed import ensure_embeddings, get_text_at_path, tokenize_path

__all__ = ["LocalStore", "Plan", "Stored", "Write"]

logger = logging.getLogger("langgraph_lite.store")


@dataclass(slots=True)
class Stored:
    """One item as a store keeps it: its JSON text, that text decoded, and its clock."""

    namespace: tuple[str, ...]
    key: str
    text: str
    tree: dict[str, Any]
    created: float  # seconds since the epoch
    updated: float
    expires: float | None  # None: never
    ttl: float | None  # minutes; reads restart the clock from now

    def search_item(self, score: float | None = None, value: Any = None) -> SearchItem:
        return SearchItem(
            self.namespace,
            self.key,
            self.tree if value is None else value,
            _utc(self.created),
            _utc(self.updated),
            score,
        )

    def item(self, value: Any = None) -> Item:
        """The item as ``get`` returns it, holding ``value`` (default: the decoded JSON)."""
        return Item(
            value=self.tree if value is None else value,
            key=self.key,
            namespace=self.namespace,
            created_at=_utc(self.created),
            updated_at=_utc(self.updated),
        )


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


@dataclass(slots=True)
class Write:
    """A put (``text`` set) or a delete (``text`` None) of one key, with what to embed."""

    namespace: tuple[str, ...]
    key: str
    text: str | None
    tree: dict[str, Any] | None
    ttl: float | None
    texts: list[tuple[str, str]] = field(default_factory=list)  # (field name, text)
    vectors: list[tuple[str, list[float]]] = field(default_factory=list)


@dataclass(slots=True)
class Search:
    slot: int
    op: SearchOp
    filter: dict[str, Any] | None
    query_vector: list[float] | None = None


@dataclass
class Plan:
    """A checked batch: the reads, the deduplicated writes, and what needs embedding."""

    results: list[Result]
    gets: list[tuple[int, GetOp]] = field(default_factory=list)
    searches: list[Search] = field(default_factory=list)
    lists: list[tuple[int, ListNamespacesOp]] = field(default_factory=list)
    writes: dict[tuple[tuple[str, ...], str], Write] = field(default_factory=dict)
    now: float = 0.0

    def documents(self) -> list[str]:
        """The distinct texts of the writes to embed, in order."""
        return list(dict.fromkeys(t for w in self.writes.values() for _, t in w.texts))

    def queries(self) -> list[str]:
        """The distinct search queries to embed, in order."""
        return list(dict.fromkeys(s.op.query for s in self.searches if s.op.query))


class LocalStore(BaseStore):
    """A store whose ``batch``/``abatch`` run the pipeline above; TTL and sweeping included."""

    supports_ttl = True

    def __init__(self, *, index: IndexConfig | None = None, ttl: TTLConfig | None = None) -> None:
        self.index_config, self.embeddings, self._fields = _index(index)
        self.ttl_config = _ttl_config(ttl)
        self._clock: Callable[[], float] = time.time
        self._sweeper: threading.Thread | None = None
        self._sweeper_stop = threading.Event()

    # -- the pipeline ----------------------------------------------------------------------

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        plan = self._plan(ops)
        if self.embeddings is not None:
            docs, queries = plan.documents(), plan.queries()
            doc_vectors = self.embeddings.embed_documents(docs) if docs else []
            query_vectors = [self.embeddings.embed_query(q) for q in queries]
            self._attach(plan, docs, doc_vectors, queries, query_vectors)
        return self._execute(plan)

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        plan = self._plan(ops)
        if self.embeddings is not None:
            docs, queries = plan.documents(), plan.queries()
            doc_vectors = await self._aembed_documents(docs) if docs else []
            query_vectors = [await self._aembed_query(q) for q in queries]
            self._attach(plan, docs, doc_vectors, queries, query_vectors)
        return await self._aexecute(plan)

    def _execute(self, plan: Plan) -> list[Result]:
        raise NotImplementedError

    async def _aexecute(self, plan: Plan) -> list[Result]:
        return self._execute(plan)

    async def _aembed_documents(self, texts: list[str]) -> list[list[float]]:
        if _native_async(self.embeddings, "aembed_documents"):
            return list(await self.embeddings.aembed_documents(texts))
        return list(await anyio.to_thread.run_sync(self.embeddings.embed_documents, texts))

    async def _aembed_query(self, text: str) -> list[float]:
        if _native_async(self.embeddings, "aembed_query"):
            return list(await self.embeddings.aembed_query(text))
        return list(await anyio.to_thread.run_sync(self.embeddings.embed_query, text))

    # -- planning --------------------------------------------------------------------------

    def _plan(self, ops: Iterable[Op]) -> Plan:
        ops = list(ops)
        plan = Plan(results=[None] * len(ops), now=self._clock())
        for slot, op in enumerate(ops):
            if not isinstance(op, (GetOp, SearchOp, ListNamespacesOp, PutOp)):
                raise ValueError(
                    f"Unknown operation type: {type(op)}. A store runs GetOp, SearchOp, "
                    "ListNamespacesOp and PutOp."
                )
            validate_op_namespace(op)
            if isinstance(op, GetOp):
                plan.gets.append((slot, op._replace(key=str(op.key))))
            elif isinstance(op, SearchOp):
                plan.searches.append(Search(slot, _checked_search(op), check_filter(op.filter)))
            elif isinstance(op, ListNamespacesOp):
                plan.lists.append((slot, _checked_list(op)))
            else:
                write = self._write(op)
                plan.writes.pop((write.namespace, write.key), None)  # last write wins
                plan.writes[(write.namespace, write.key)] = write
        return plan

    def _write(self, op: PutOp) -> Write:
        key = str(op.key)
        if op.value is None:
            return Write(op.namespace, key, None, None, None)
        tree, text = encode_value(op.value, op.namespace, key)
        ttl = _checked_ttl(op.ttl)
        write = Write(op.namespace, key, text, tree, ttl)
        if self.embeddings is not None and op.index is not False:
            if op.index is None:
                paths = self._fields
            elif isinstance(op.index, list) and all(isinstance(p, str) for p in op.index):
                paths = [(p, tokenize_path(p) if p != "$" else p) for p in op.index]
            else:
                raise TypeError(
                    f"put(..., index=...) takes None (the store's fields), False (do not "
                    f"index) or a list of paths such as ['text'], got {op.index!r}"
                )
            for path, tokens in paths:
                texts = get_text_at_path(tree, tokens)
                for i, text in enumerate(texts):
                    write.texts.append((f"{path}.{i}" if len(texts) > 1 else path, text))
        return write

    def _attach(
        self,
        plan: Plan,
        docs: list[str],
        doc_vectors: list[list[float]],
        queries: list[str],
        query_vectors: list[list[float]],
    ) -> None:
        if len(doc_vectors) != len(docs):
            raise ValueError(
                f"the store's embed function returned {len(doc_vectors)} vectors for "
                f"{len(docs)} texts; it must return one vector per text, in order."
            )
        by_text = {t: self._vector(v, t) for v, t in zip(doc_vectors, docs, strict=True)}
        for write in plan.writes.values():
            write.vectors = [(name, by_text[text]) for name, text in write.texts]
        by_query = {q: self._vector(v, q) for v, q in zip(query_vectors, queries, strict=True)}
        for search in plan.searches:
            if search.op.query:
                search.query_vector = by_query[search.op.query]

    def _vector(self, vector: Any, text: str) -> list[float]:
        values = [float(x) for x in vector]
        dims = self.index_config["dims"]
        if len(values) != dims:
            raise ValueError(
                f"the store's embed function returned a vector of {len(values)} numbers for "
                f"{text[:60]!r}, but the index says dims={dims}. Make index['dims'] the length "
                "of the vectors your embedding model returns."
            )
        return values

    # -- shared by the stores' _execute ----------------------------------------------------

    def _expires(self, ttl: float | None, now: float) -> float | None:
        return None if ttl is None else now + ttl * 60.0

    @staticmethod
    def _rank(
        search: Search, candidates: list[tuple[Stored, list[list[float]]]]
    ) -> list[tuple[float | None, Stored]]:
        """One page of the candidates: by score when there is a query vector (items without
        vectors after the scored ones), else in the order given."""
        op = search.op
        if search.query_vector is None:
            ordered: list[tuple[float | None, Stored]] = [(None, s) for s, _ in candidates]
        else:
            qv = search.query_vector
            scored = [
                (max(cosine(qv, v) for v in vectors), i, stored)
                for i, (stored, vectors) in enumerate(candidates)
                if vectors
            ]
            scored.sort(key=lambda t: (-t[0], t[1]))
            ordered = [(score, stored) for score, _, stored in scored]
            ordered += [(None, stored) for stored, vectors in candidates if not vectors]
        return ordered[op.offset : op.offset + op.limit]

    # -- TTL sweeping ----------------------------------------------------------------------

    def sweep_ttl(self) -> int:
        """Delete expired items now; returns how many were deleted."""
        return self._sweep()

    def _sweep(self) -> int:
        raise NotImplementedError

    def start_ttl_sweeper(
        self, sweep_interval_minutes: int | None = None
    ) -> concurrent.futures.Future[None]:
        """Sweep expired items every ``sweep_interval_minutes`` (default: the TTL config's, or 5)
        in a daemon thread, until ``stop_ttl_sweeper()``; cancelling the future stops it too."""
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        future.add_done_callback(lambda f: self._sweeper_stop.set() if f.cancelled() else None)
        if self._sweeper is not None and self._sweeper.is_alive():
            return future
        minutes = sweep_interval_minutes or (self.ttl_config or {}).get("sweep_interval_minutes")
        interval = float(minutes or 5) * 60.0
        self._sweeper_stop.clear()

        def loop() -> None:
            while not self._sweeper_stop.wait(interval):
                try:
                    swept = self._sweep()
                    if swept:
                        logger.info("store TTL sweep deleted %d expired items", swept)
                except Exception:
                    logger.exception("store TTL sweep failed; the sweeper keeps running")
            if not future.done():
                future.set_result(None)

        self._sweeper = threading.Thread(target=loop, name="store-ttl-sweeper", daemon=True)
        self._sweeper.start()
        return future

    def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:
        """Stop the sweeper; ``False`` if it did not stop within ``timeout`` seconds."""
        thread = self._sweeper
        if thread is None or not thread.is_alive():
            return True
        self._sweeper_stop.set()
        thread.join(timeout)
        if thread.is_alive():
            return False
        self._sweeper = None
        return True


def _native_async(embeddings: Any, name: str) -> bool:
    """Whether ``embeddings`` has an async method of its own (not one that only runs the sync
    method in asyncio's executor, as LangChain's default does, which fails under trio)."""
    method = getattr(type(embeddings), name, None)
    if method is None:
        return False
    qualname = getattr(method, "__qualname__", "")
    module = getattr(method, "__module__", "") or ""
    return not (module.startswith("langchain_core.") and qualname.startswith("Embeddings."))


# -- checks --------------------------------------------------------------------------------


def _index(index: IndexConfig | None) -> tuple[Any, Any, list[tuple[str, Any]]]:
    if not index:
        return None, None, []
    if not isinstance(index, dict):
        raise TypeError(
            f"index= takes a dict such as {{'embed': fn, 'dims': 3}}, got {type(index).__name__}"
        )
    config: dict[str, Any] = dict(index)
    embeddings = ensure_embeddings(config.get("embed"))
    dims = config.get("dims")
    if isinstance(dims, bool) or not isinstance(dims, int) or dims < 1:
        raise ValueError(
            f"dims must be provided: index['dims'] is the length of the embedding vectors "
            f"(a positive int), got {dims!r}. E.g. index={{'embed': fn, 'dims': 1536}}."
        )
    fields = config.get("fields") or ["$"]
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise TypeError(f"index['fields'] is a list of paths such as ['text'], got {fields!r}")
    config["fields"] = fields
    return config, embeddings, [(p, p if p == "$" else tokenize_path(p)) for p in fields]


def _ttl_config(ttl: TTLConfig | None) -> TTLConfig | None:
    if ttl is None:
        return None
    if not isinstance(ttl, dict):
        raise TypeError(f"ttl= takes a TTLConfig dict such as {{'default_ttl': 60}}, got {ttl!r}")
    _checked_ttl(ttl.get("default_ttl"), "TTLConfig default_ttl")
    return ttl


def _checked_ttl(ttl: Any, name: str = "ttl") -> float | None:
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
        raise TypeError(f"{name} is a number of minutes or None, got {ttl!r}")
    if ttl < 0 or ttl != ttl:
        raise ValueError(f"{name} must be zero or more minutes (None: never expires), got {ttl!r}.")
    return float(ttl)


def _checked_count(value: Any, name: str, op: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{op}: {name} must be an int of 0 or more, got {value!r}")


def _checked_search(op: SearchOp) -> SearchOp:
    _checked_count(op.limit, "limit", "search")
    _checked_count(op.offset, "offset", "search")
    if op.query is not None and not isinstance(op.query, str):
        raise TypeError(f"search: query is a str or None, got {op.query!r}")
    return op


def _checked_list(op: ListNamespacesOp) -> ListNamespacesOp:
    _checked_count(op.limit, "limit", "list_namespaces")
    _checked_count(op.offset, "offset", "list_namespaces")
    depth = op.max_depth
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise ValueError(
            f"list_namespaces: max_depth must be an int of 1 or more (or None), got {depth!r}"
        )
    for condition in op.match_conditions or ():
        if condition.match_type not in ("prefix", "suffix"):
            raise ValueError(
                f"Unsupported match type: {condition.match_type!r}; a MatchCondition's "
                "match_type is 'prefix' or 'suffix'."
            )
    return op
