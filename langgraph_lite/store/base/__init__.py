"""The store interface: items in namespaces, the operations on them, and ``BaseStore``.

A namespace is a tuple of labels, like a folder path: ``("users", "u1", "memories")``. Each
label is a non-empty string without a period or a NUL byte; ``put`` also refuses an empty
namespace and the reserved root label ``"langgraph"``. Values are dicts of JSON values.

Every method is one operation handed to ``batch`` / ``abatch``, which a store implements; in
one batch, reads see the store as it was before the batch's writes, and of two writes to one
key the last wins.

>>> from langgraph_lite.store.memory import InMemoryStore
>>> store = InMemoryStore()
>>> store.put(("users", "u1"), "prefs", {"theme": "dark"})
>>> store.get(("users", "u1"), "prefs").value
{'theme': 'dark'}
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, NamedTuple, TypedDict, Union

from langgraph_lite.store.base.embed import (
    AEmbeddingsFunc,
    Embeddings,
    EmbeddingsFunc,
    ensure_embeddings,
    get_text_at_path,
    tokenize_path,
)
from langgraph_lite.store.base.namespace import (
    InvalidNamespaceError,
    _validate_namespace,
    _validate_namespace_labels,
)

__all__ = [
    "NOT_PROVIDED",
    "BaseStore",
    "Embeddings",
    "GetOp",
    "IndexConfig",
    "InvalidNamespaceError",
    "Item",
    "ListNamespacesOp",
    "MatchCondition",
    "NamespaceMatchType",
    "NamespacePath",
    "NotProvided",
    "Op",
    "PutOp",
    "Result",
    "SearchItem",
    "SearchOp",
    "TTLConfig",
    "ensure_embeddings",
    "get_text_at_path",
    "tokenize_path",
    "validate_op_namespace",
]


class NotProvided:
    """The type of ``NOT_PROVIDED``: "argument not given", as distinct from ``None``."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_PROVIDED = NotProvided()


# -- items ---------------------------------------------------------------------------------


class Item:
    """A stored value with its namespace, key and timestamps (timezone-aware, UTC)."""

    __slots__ = ("created_at", "key", "namespace", "updated_at", "value")

    def __init__(
        self,
        *,
        value: dict[str, Any],
        key: str,
        namespace: tuple[str, ...],
        created_at: datetime,
        updated_at: datetime,
    ) -> None:
        self.value = value
        self.key = key
        self.namespace = tuple(namespace)
        # ISO strings are accepted so an item rebuilt from JSON (Item(**item.dict())) works
        self.created_at = _as_datetime(created_at)
        self.updated_at = _as_datetime(updated_at)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Item):
            return False
        return (
            self.value == other.value
            and self.key == other.key
            and self.namespace == other.namespace
            and self.created_at == other.created_at
            and self.updated_at == other.updated_at
        )

    def __hash__(self) -> int:
        return hash((self.namespace, self.key))

    def dict(self) -> dict[str, Any]:
        """The item as JSON-ready data (namespace as a list, timestamps as ISO strings)."""
        return {
            "namespace": list(self.namespace),
            "key": self.key,
            "value": self.value,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.dict().items())
        return f"Item({fields})"  # SearchItem too, as LangGraph prints it


class SearchItem(Item):
    """An item found by ``search``; ``score`` is its similarity to the query, if one was given."""

    __slots__ = ("score",)

    def __init__(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: dict[str, Any],
        created_at: datetime,
        updated_at: datetime,
        score: float | None = None,
    ) -> None:
        super().__init__(
            value=value,
            key=key,
            namespace=namespace,
            created_at=created_at,
            updated_at=updated_at,
        )
        self.score = score

    def dict(self) -> dict[str, Any]:
        return {**super().dict(), "score": self.score}


def _as_datetime(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# -- operations ----------------------------------------------------------------------------


class GetOp(NamedTuple):
    """Read the item at ``(namespace, key)``; ``refresh_ttl`` restarts its time to live."""

    namespace: tuple[str, ...]
    key: str
    refresh_ttl: bool = True


class SearchOp(NamedTuple):
    """Find items under ``namespace_prefix`` matching ``filter``, ranked by ``query`` if given.

    ``filter`` maps top-level keys of the value to a value (equality; a dict matches the keys
    it names, a list matches element by element) or to operators: ``{"$eq": v}``,
    ``{"$ne": v}``, ``{"$gt": v}``, ``{"$gte": v}``, ``{"$lt": v}``, ``{"$lte": v}``.
    """

    namespace_prefix: tuple[str, ...]
    filter: dict[str, Any] | None = None
    limit: int = 10
    offset: int = 0
    query: str | None = None
    refresh_ttl: bool = True


NamespacePath = tuple[Union[str, Literal["*"]], ...]  # noqa: UP007 - a runtime alias on 3.10
"""A namespace pattern; ``"*"`` stands for any one label."""

NamespaceMatchType = Literal["prefix", "suffix"]
"""Whether a ``MatchCondition`` anchors its path at the start or the end of a namespace."""


class MatchCondition(NamedTuple):
    """Namespaces that start (``"prefix"``) or end (``"suffix"``) with ``path``."""

    match_type: NamespaceMatchType
    path: NamespacePath


class ListNamespacesOp(NamedTuple):
    """List the namespaces that hold items, cut to ``max_depth`` labels, sorted."""

    match_conditions: tuple[MatchCondition, ...] | None = None
    max_depth: int | None = None
    limit: int = 100
    offset: int = 0


class PutOp(NamedTuple):
    """Write ``value`` at ``(namespace, key)``, or delete the item when ``value`` is ``None``.

    ``index`` says what to embed for semantic search: ``None`` the store's configured fields,
    ``False`` nothing, a list of paths those paths. ``ttl`` is in minutes (``None``: forever).
    """

    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any] | None
    index: Literal[False] | list[str] | None = None  # type: ignore[assignment]
    ttl: float | None = None


Op = Union[GetOp, SearchOp, PutOp, ListNamespacesOp]  # noqa: UP007 - a runtime alias on 3.10
Result = Union[Item, list[Item], list[SearchItem], list[tuple[str, ...]], None]  # noqa: UP007


class TTLConfig(TypedDict, total=False):
    """How items expire: ``default_ttl`` (minutes) for puts without ``ttl=``,
    ``refresh_on_read`` (default ``True``) for reads without ``refresh_ttl=``, and
    ``sweep_interval_minutes`` for ``start_ttl_sweeper()``. Expired items are never returned
    (as if ``omit_expired`` were always ``True``); sweeping frees their space."""

    refresh_on_read: bool
    omit_expired: bool
    default_ttl: float | None
    sweep_interval_minutes: int | None


class IndexConfig(TypedDict, total=False):
    """Semantic search: ``embed`` (a function or ``Embeddings``), ``dims`` (the vectors'
    length) and ``fields`` (paths of the text to embed; default ``["$"]``, the whole value)."""

    dims: int
    embed: Embeddings | EmbeddingsFunc | AEmbeddingsFunc | str
    fields: list[str] | None


# -- the interface -------------------------------------------------------------------------


class BaseStore(ABC):
    """A key-value store of dicts in namespaces. Subclasses implement ``batch`` and ``abatch``."""

    supports_ttl: bool = False
    ttl_config: TTLConfig | None = None

    __slots__ = ("__weakref__",)

    @abstractmethod
    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run ``ops`` together; one result per op, in order."""

    @abstractmethod
    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Run ``ops`` together without blocking the event loop; one result per op."""

    # -- ops from arguments (shared by the sync and async methods) -------------------------

    def _get_op(self, namespace: tuple[str, ...], key: str, refresh_ttl: bool | None) -> GetOp:
        _validate_namespace_labels(namespace)
        return GetOp(namespace, str(key), self._refresh_default(refresh_ttl))

    def _search_op(
        self,
        namespace_prefix: tuple[str, ...],
        query: str | None,
        filter: dict[str, Any] | None,
        limit: int,
        offset: int,
        refresh_ttl: bool | None,
    ) -> SearchOp:
        _validate_namespace_labels(namespace_prefix)
        return SearchOp(
            namespace_prefix, filter, limit, offset, query, self._refresh_default(refresh_ttl)
        )

    def _put_op(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Literal[False] | list[str] | None,
        ttl: float | NotProvided | None,
    ) -> PutOp:
        _validate_namespace(namespace)
        if ttl not in (NOT_PROVIDED, None) and not self.supports_ttl:
            raise NotImplementedError(
                f"TTL is not supported by {type(self).__name__}. "
                "Use a store implementation that supports TTL or set ttl=None."
            )
        if isinstance(ttl, NotProvided):
            ttl = (self.ttl_config or {}).get("default_ttl")
        return PutOp(namespace, str(key), value, index=index, ttl=ttl)  # type: ignore[arg-type]

    def _list_op(
        self,
        prefix: NamespacePath | None,
        suffix: NamespacePath | None,
        max_depth: int | None,
        limit: int,
        offset: int,
    ) -> ListNamespacesOp:
        _validate_namespace_labels(prefix or ())
        _validate_namespace_labels(suffix or ())
        conditions = []
        if prefix:
            conditions.append(MatchCondition("prefix", tuple(prefix)))
        if suffix:
            conditions.append(MatchCondition("suffix", tuple(suffix)))
        return ListNamespacesOp(tuple(conditions), max_depth, limit, offset)

    def _refresh_default(self, refresh_ttl: bool | None) -> bool:
        if refresh_ttl is not None:
            return refresh_ttl
        return (self.ttl_config or {}).get("refresh_on_read", True)

    # -- sync ------------------------------------------------------------------------------

    def get(
        self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None
    ) -> Item | None:
        """The item at ``(namespace, key)``, or ``None``."""
        result: Item | None = self.batch([self._get_op(namespace, key, refresh_ttl)])[0]  # type: ignore[assignment]
        return result

    def search(
        self,
        namespace_prefix: tuple[str, ...],
        /,
        *,
        query: str | None = None,
        filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[SearchItem]:
        """Items under ``namespace_prefix`` that match ``filter``; ranked by ``query`` when the
        store has an index, else in the order they were first put."""
        op = self._search_op(namespace_prefix, query, filter, limit, offset, refresh_ttl)
        result: list[SearchItem] = self.batch([op])[0]  # type: ignore[assignment]
        return result

    def put(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Literal[False] | list[str] | None = None,
        *,
        ttl: float | NotProvided | None = NOT_PROVIDED,
    ) -> None:
        """Store ``value`` (a dict of JSON values) at ``(namespace, key)``; ``ttl`` in minutes."""
        self.batch([self._put_op(namespace, key, value, index, ttl)])

    def delete(self, namespace: tuple[str, ...], key: str) -> None:
        """Remove the item at ``(namespace, key)``, if there is one."""
        _validate_namespace_labels(namespace)
        self.batch([PutOp(namespace, str(key), None, ttl=None)])

    def list_namespaces(
        self,
        *,
        prefix: NamespacePath | None = None,
        suffix: NamespacePath | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[str, ...]]:
        """Namespaces holding items, sorted; ``"*"`` in ``prefix``/``suffix`` matches one label."""
        op = self._list_op(prefix, suffix, max_depth, limit, offset)
        result: list[tuple[str, ...]] = self.batch([op])[0]  # type: ignore[assignment]
        return result

    # -- async -----------------------------------------------------------------------------

    async def aget(
        self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None
    ) -> Item | None:
        """``get`` without blocking the event loop."""
        result: Item | None = (await self.abatch([self._get_op(namespace, key, refresh_ttl)]))[0]  # type: ignore[assignment]
        return result

    async def asearch(
        self,
        namespace_prefix: tuple[str, ...],
        /,
        *,
        query: str | None = None,
        filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[SearchItem]:
        """``search`` without blocking the event loop."""
        op = self._search_op(namespace_prefix, query, filter, limit, offset, refresh_ttl)
        result: list[SearchItem] = (await self.abatch([op]))[0]  # type: ignore[assignment]
        return result

    async def aput(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Literal[False] | list[str] | None = None,
        *,
        ttl: float | NotProvided | None = NOT_PROVIDED,
    ) -> None:
        """``put`` without blocking the event loop."""
        await self.abatch([self._put_op(namespace, key, value, index, ttl)])

    async def adelete(self, namespace: tuple[str, ...], key: str) -> None:
        """``delete`` without blocking the event loop."""
        _validate_namespace_labels(namespace)
        await self.abatch([PutOp(namespace, str(key), None, ttl=None)])

    async def alist_namespaces(
        self,
        *,
        prefix: NamespacePath | None = None,
        suffix: NamespacePath | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[str, ...]]:
        """``list_namespaces`` without blocking the event loop."""
        op = self._list_op(prefix, suffix, max_depth, limit, offset)
        result: list[tuple[str, ...]] = (await self.abatch([op]))[0]  # type: ignore[assignment]
        return result


def validate_op_namespace(op: Op) -> None:
    """Check the labels an op carries; ops given straight to ``batch`` skip the methods' checks."""
    if isinstance(op, (GetOp, PutOp)):
        if isinstance(op, PutOp) and op.value is not None:
            _validate_namespace(op.namespace)
        else:
            _validate_namespace_labels(op.namespace)
    elif isinstance(op, SearchOp):
        _validate_namespace_labels(op.namespace_prefix)
    elif isinstance(op, ListNamespacesOp):
        for condition in op.match_conditions or ():
            _validate_namespace_labels(tuple(condition.path))
