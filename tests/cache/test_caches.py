"""Every node cache, through its sync and its async methods: the same behaviour.

LangGraph 1.2.22's InMemoryCache and SqliteCache give the same hits, misses, expiry and
clearing for these programs; where ours differ (tuples stay tuples, a negative ttl or a value
that could not be read back is refused) the test says so. The ``postgres`` cases run
PostgresCache on a new schema per test (they need ``LANGGRAPH_LITE_POSTGRES_DSN``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from langgraph_lite.cache.memory import InMemoryCache
from langgraph_lite.cache.sqlite import SqliteCache
from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.messages import AIMessage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checkpoint"))
from pg_fixtures import drop_schema, in_schema, new_schema, require_dsn

pytestmark = pytest.mark.anyio

CASES = [
    (kind, mode, backend)
    for kind in ("memory", "sqlite-file", "sqlite-memory", "postgres", "redis")
    for mode, backend in (("sync", "asyncio"), ("async", "asyncio"), ("async", "trio"))
]
BACKENDS = {"asyncio": ("asyncio", {"debug": True}), "trio": ("trio", {})}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Driven:
    """A cache whose methods are all awaited: the async ones, or the sync ones inline."""

    def __init__(self, cache: Any, mode: str) -> None:
        self.cache = cache
        self.mode = mode
        self.clock = cache._clock = Clock()

    def __getattr__(self, name: str) -> Any:
        if self.mode == "async":
            return getattr(self.cache, "a" + name)
        method = getattr(self.cache, name)

        async def call(*args: Any) -> Any:
            return method(*args)

        return call


def redis_client() -> Any:
    """A client of the server ``LANGGRAPH_LITE_REDIS_URL`` names; skips (under CI: fails)
    without one."""
    url = os.environ.get("LANGGRAPH_LITE_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI is set but LANGGRAPH_LITE_REDIS_URL is not: the Redis cache must run")
        pytest.skip("set LANGGRAPH_LITE_REDIS_URL to run the Redis cache tests")
    import redis

    return redis.Redis.from_url(url)


@pytest.fixture(params=CASES, ids=lambda p: "-".join(p))
def case(request):
    return request.param


@pytest.fixture
def anyio_backend(case):
    return BACKENDS[case[2]]


@pytest.fixture
def open_cache(case, tmp_path):
    kind, mode, _ = case
    opened: list[Any] = []
    redis_caches: list[Any] = []
    server = require_dsn() if kind == "postgres" else None
    schema = new_schema(server) if server else None

    def open_(**kwargs: Any) -> Driven:
        if kind == "memory":
            cache: Any = InMemoryCache(**kwargs)
        elif kind == "redis":
            from langgraph_lite.cache.redis import RedisCache

            cache = RedisCache(redis_client(), prefix=f"test:{uuid.uuid4().hex}:", **kwargs)
            redis_caches.append(cache)
        elif kind == "postgres":
            import psycopg

            from langgraph_lite.cache.postgres import PostgresCache

            conn = psycopg.connect(in_schema(server, schema), autocommit=True)
            cache = PostgresCache(conn, **kwargs)
            opened.append(cache)
        else:
            path = str(tmp_path / "cache.db") if kind == "sqlite-file" else ":memory:"
            cache = SqliteCache(path=path, **kwargs)
            opened.append(cache)
        return Driven(cache, mode)

    yield open_
    for cache in redis_caches:
        cache.clear()
    for cache in opened:
        cache.close()
    if schema:
        drop_schema(server, schema)


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Answer(BaseModel):
    text: str
    score: float


async def test_set_values_come_back_for_their_keys_and_misses_are_absent(open_cache):
    c = open_cache()
    await c.set(
        {
            (("a", "b"), "k1"): ({"x": (1, 2), "s": {1}}, None),
            (("a",), "k2"): (5, 60),
            (("c",), "k3"): ("v", None),
        }
    )
    found = await c.get([(("a", "b"), "k1"), (("a",), "k2"), (("a",), "zz"), (["c"], "k3")])
    # LangGraph's serializer turns the tuple into [1, 2]; ours keeps it a tuple
    assert found == {
        (("a", "b"), "k1"): {"x": (1, 2), "s": {1}},
        (("a",), "k2"): 5,
        (("c",), "k3"): "v",
    }
    assert await c.get([]) == {}


async def test_values_keep_their_types_and_hits_are_copies(open_cache):
    c = open_cache()
    when = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
    value = {"when": when, "msg": AIMessage(content="hi", id="1"), "items": [1, 2]}
    await c.set({(("n",), "k"): (value, None)})
    hit = (await c.get([(("n",), "k")]))[(("n",), "k")]
    assert hit == value and type(hit["msg"]) is AIMessage
    hit["items"].append(3)
    assert (await c.get([(("n",), "k")]))[(("n",), "k")]["items"] == [1, 2]


async def test_allowed_classes_round_trip(open_cache):
    c = open_cache(serde=MsgpackSerde(allowed=[Point, Answer]))
    await c.set(
        {(("n",), "p"): (Point(1, 2), None), (("n",), "a"): (Answer(text="t", score=0.5), None)}
    )
    assert await c.get([(("n",), "p"), (("n",), "a")]) == {
        (("n",), "p"): Point(1, 2),
        (("n",), "a"): Answer(text="t", score=0.5),
    }


async def test_an_entry_expires_ttl_seconds_after_it_was_set(open_cache):
    c = open_cache()
    await c.set(
        {(("n",), "short"): (1, 10), (("n",), "forever"): (2, None), (("n",), "zero"): (3, 0)}
    )
    c.clock.now += 9.9
    assert await c.get([(("n",), "short"), (("n",), "forever"), (("n",), "zero")]) == {
        (("n",), "short"): 1,
        (("n",), "forever"): 2,
    }
    c.clock.now += 0.2
    assert await c.get([(("n",), "short"), (("n",), "forever")]) == {(("n",), "forever"): 2}
    c.clock.now -= 5  # an expired entry read once is gone, even with the clock turned back
    assert await c.get([(("n",), "short")]) == {}


async def test_setting_again_replaces_the_value_and_its_ttl(open_cache):
    c = open_cache()
    await c.set({(("n",), "k"): (1, 10)})
    await c.set({(("n",), "k"): (2, None)})
    c.clock.now += 100
    assert await c.get([(("n",), "k")]) == {(("n",), "k"): 2}


async def test_clear_drops_exactly_the_namespaces_named_or_everything(open_cache):
    c = open_cache()
    await c.set(
        {
            (("a", "b"), "k1"): (1, None),
            (("a",), "k2"): (2, None),
            (("a,b",), "k3"): (3, None),  # LangGraph's SqliteCache joins labels with ','
            (("c",), "k4"): (4, None),
        }
    )
    keys = [(("a", "b"), "k1"), (("a",), "k2"), (("a,b",), "k3"), (("c",), "k4")]
    await c.clear([("a", "b")])
    assert sorted(v for v in (await c.get(keys)).values()) == [2, 3, 4]
    await c.clear([["c"], ("nothing",)])
    assert sorted(v for v in (await c.get(keys)).values()) == [2, 3]
    await c.clear()
    assert await c.get(keys) == {}


@pytest.mark.parametrize("ttl", [-1, -0.5])
async def test_a_negative_ttl_is_refused_and_nothing_is_set(open_cache, ttl):
    c = open_cache()
    with pytest.raises(
        ValueError, match=r"the ttl for \(\('n',\), 'bad'\) is -.*; a ttl is zero or more seconds"
    ):
        await c.set({(("n",), "ok"): (1, None), (("n",), "bad"): (2, ttl)})
    assert await c.get([(("n",), "ok")]) == {}


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (
            {(("n",), "k"): (1, "60")},
            r"the ttl for \(\('n',\), 'k'\) is a number of seconds or None, got '60'",
        ),
        ({(("n",), "k"): 1}, r"must be a \(value, ttl_seconds\) pair, got 1"),
        ({("n", "k"): (1, None)}, r"a namespace is a tuple of str such as \('my_node',\), got 'n'"),
        ({(("n",), 5): (1, None)}, r"a cache key's key is a str, got int 5"),
        ({(("n", 1), "k"): (1, None)}, r"namespace labels are str"),
        ({"just-a-key": (1, None)}, r"a cache key is a \(namespace, key\) pair"),
    ],
)
async def test_malformed_keys_and_entries_are_refused_naming_them(open_cache, pairs, message):
    with pytest.raises(TypeError, match=message):
        await open_cache().set(pairs)


async def test_get_and_clear_refuse_malformed_arguments(open_cache):
    c = open_cache()
    with pytest.raises(TypeError, match="takes a list of \\(namespace, key\\) pairs"):
        await c.get("k")
    with pytest.raises(TypeError, match="a cache key is a \\(namespace, key\\) pair"):
        await c.get([("n",)])
    with pytest.raises(TypeError, match=r"cache\.clear\(\) takes a list of namespaces"):
        await c.clear("n")


@pytest.mark.parametrize("value", [object(), lambda: 1, {"nested": [1, object()]}])
async def test_a_value_the_serializer_cannot_encode_is_refused_naming_its_key(open_cache, value):
    c = open_cache()
    with pytest.raises(
        TypeError, match=r"cannot cache the value for \(\('n',\), 'k'\): cannot save a builtins"
    ):
        await c.set({(("n",), "k"): (value, None)})
    assert await c.get([(("n",), "k")]) == {}


async def test_a_value_that_could_not_be_read_back_is_refused_until_its_class_is_allowed(
    open_cache,
):
    c = open_cache()
    with pytest.raises(
        TypeError, match=r"would refuse to read it back .*Point.*cache.serde.allow\(TheClass\)"
    ):
        await c.set({(("n",), "k"): (Point(1, 2), None)})
    c.cache.serde.allow(Point)
    await c.set({(("n",), "k"): (Point(1, 2), None)})
    assert await c.get([(("n",), "k")]) == {(("n",), "k"): Point(1, 2)}


async def test_many_keys_at_once(open_cache):
    c = open_cache()
    await c.set({(("n", str(i % 3)), f"k{i}"): (i, None) for i in range(1000)})
    found = await c.get([(("n", str(i % 3)), f"k{i}") for i in range(1000)])
    assert len(found) == 1000 and found[(("n", "2"), "k998")] == 998
