"""Every store, driven through its sync or its async methods, behind one interface.

A test asks for ``open_store`` and calls ``await s.put(...)`` etc. on what it returns; the
fixture runs it against InMemoryStore, SqliteStore on a file and on ":memory:" and
PostgresStore (each store opened on a new schema; the ``postgres`` cases need
``LANGGRAPH_LITE_POSTGRES_DSN``), each through the sync methods and through the async ones (on
asyncio and on trio).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checkpoint"))
from pg_fixtures import drop_schema, in_schema, new_schema, require_dsn

from langgraph_lite.store.memory import InMemoryStore
from langgraph_lite.store.sqlite import SqliteStore


class Clock:
    """A settable clock, so expiry is tested without sleeping."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60.0


class Driven:
    """A store whose methods are all awaited: the async ones, or the sync ones called inline."""

    def __init__(self, store: Any, mode: str) -> None:
        self.store = store
        self.mode = mode
        self.clock = Clock()
        store._clock = self.clock

    def __getattr__(self, name: str) -> Any:
        if self.mode == "async":
            return getattr(self.store, "a" + name)
        method = getattr(self.store, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return call


KINDS = ["memory", "sqlite-file", "sqlite-memory", "postgres"]
# PostgreSQL opened as from_conn_string's options open it: a connection in pipeline mode (each
# result arrives only at a sync) and a pool of its own
POSTGRES_OPTIONS = {
    "postgres": {},
    "postgres-pipeline": {"pipeline": True},
    "postgres-pool": {"pool_config": {"min_size": 1, "max_size": 2}},
}
# sync methods behave the same whatever loop the test runs on, so they run on asyncio only
CASES = [
    (k, m, b)
    for k in KINDS
    for m, b in (("sync", "asyncio"), ("async", "asyncio"), ("async", "trio"))
] + [(k, m, "asyncio") for k in ("postgres-pipeline", "postgres-pool") for m in ("sync", "async")]
BACKENDS = {"asyncio": ("asyncio", {"debug": True}), "trio": ("trio", {})}


@pytest.fixture(params=CASES, ids=lambda p: "-".join(p))
def store_case(request):
    return request.param


@pytest.fixture
def anyio_backend(store_case):
    return BACKENDS[store_case[2]]


@pytest.fixture
def open_store(store_case, tmp_path):
    """``open_store(index=..., ttl=...)`` -> a ``Driven`` store, closed after the test."""
    kind, mode, _ = store_case
    stack = contextlib.ExitStack()
    opened = []
    server = require_dsn() if kind.startswith("postgres") else None

    def open_(**config: Any) -> Driven:
        if kind == "memory":
            store: Any = InMemoryStore(**config)
        elif kind.startswith("postgres"):
            from langgraph_lite.store.postgres import PostgresStore

            schema = new_schema(server)
            stack.callback(drop_schema, server, schema)
            store = stack.enter_context(
                PostgresStore.from_conn_string(
                    in_schema(server, schema), **POSTGRES_OPTIONS[kind], **config
                )
            )
            store.setup()
        else:
            where = (
                str(tmp_path / f"store{len(opened)}.db") if kind == "sqlite-file" else ":memory:"
            )
            store = stack.enter_context(SqliteStore.from_conn_string(where, **config))
        opened.append(store)
        return Driven(store, mode)

    with stack:
        yield open_


def embed_words(texts):
    """A deterministic embedding: counts of 'cat', 'dog' and 'fish', the last plus 0.5."""
    return [
        [
            float(t.lower().count("cat")),
            float(t.lower().count("dog")),
            t.lower().count("fish") + 0.5,
        ]
        for t in texts
    ]


async def aembed_words(texts):
    return embed_words(texts)
