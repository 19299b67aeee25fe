"""Time to live on every store: expiry, refresh on read, default TTLs and sweeping."""

from __future__ import annotations

import time

import pytest

from langgraph_lite.store.base import GetOp

pytestmark = pytest.mark.anyio


async def test_an_item_expires_ttl_minutes_after_it_was_put(open_store):
    s = open_store()
    await s.put(("n",), "k", {"v": 1}, ttl=10)
    await s.put(("n",), "forever", {"v": 2})
    s.clock.advance(9.9)
    assert (await s.get(("n",), "k", refresh_ttl=False)).value == {"v": 1}
    s.clock.advance(0.2)
    assert await s.get(("n",), "k") is None
    assert [i.key for i in await s.search(("n",))] == ["forever"]


async def test_a_read_restarts_the_clock_unless_told_not_to(open_store):
    s = open_store()
    await s.put(("n",), "k", {"v": 1}, ttl=10)
    s.clock.advance(8)
    assert await s.get(("n",), "k") is not None  # refreshes: now expires at 18
    s.clock.advance(8)
    assert await s.get(("n",), "k", refresh_ttl=False) is not None  # 16 < 18, no refresh
    s.clock.advance(3)
    assert await s.get(("n",), "k") is None


async def test_search_refreshes_the_items_it_returns_only(open_store):
    s = open_store()
    for key in ("a", "b"):
        await s.put(("n",), key, {"v": key}, ttl=10)
    s.clock.advance(8)
    assert [i.key for i in await s.search(("n",), limit=1)] == ["a"]
    s.clock.advance(8)
    assert [i.key for i in await s.search(("n",), refresh_ttl=False)] == ["a"]


async def test_refresh_on_read_false_in_the_ttl_config_turns_refreshing_off(open_store):
    s = open_store(ttl={"refresh_on_read": False})
    await s.put(("n",), "k", {"v": 1}, ttl=10)
    s.clock.advance(8)
    assert await s.get(("n",), "k") is not None
    s.clock.advance(3)
    assert await s.get(("n",), "k") is None
    await s.put(("n",), "j", {"v": 1}, ttl=10)
    s.clock.advance(8)
    assert await s.get(("n",), "j", refresh_ttl=True) is not None  # asked for explicitly
    s.clock.advance(8)
    assert await s.get(("n",), "j") is not None


async def test_default_ttl_applies_to_puts_without_ttl_and_none_means_forever(open_store):
    s = open_store(ttl={"default_ttl": 5})
    await s.put(("n",), "default", {"v": 1})
    await s.put(("n",), "forever", {"v": 1}, ttl=None)
    s.clock.advance(6)
    assert [i.key for i in await s.search(("n",))] == ["forever"]


async def test_putting_over_an_expired_item_creates_it_anew(open_store):
    s = open_store()
    await s.put(("n",), "k", {"v": 1}, ttl=1)
    await s.put(("n",), "j", {"v": 1})
    s.clock.advance(2)
    await s.put(("n",), "k", {"v": 2})
    item = await s.get(("n",), "k")
    assert item.value == {"v": 2} and item.created_at == item.updated_at
    assert [i.key for i in await s.search(("n",))] == ["j", "k"]


async def test_a_namespace_with_only_expired_items_is_not_listed(open_store):
    s = open_store()
    await s.put(("old",), "k", {}, ttl=1)
    await s.put(("new",), "k", {})
    s.clock.advance(2)
    assert await s.list_namespaces() == [("new",)]


async def test_a_ttl_of_zero_expires_at_once(open_store):
    s = open_store()
    await s.put(("n",), "k", {"v": 1}, ttl=0)
    assert await s.get(("n",), "k") is None


async def test_sweeping_deletes_expired_items_and_counts_them(open_store):
    s = open_store()
    await s.put(("n",), "a", {}, ttl=1)
    await s.put(("n",), "b", {}, ttl=1)
    await s.put(("n",), "c", {}, ttl=100)
    s.clock.advance(2)
    assert s.store.sweep_ttl() == 2
    assert s.store.sweep_ttl() == 0
    s.clock.advance(-2)  # even with the clock turned back, swept items are gone
    assert [i.key for i in await s.search(("n",))] == ["c"]
    assert await s.batch([GetOp(("n",), "a")]) == [None]


async def test_the_sweeper_thread_sweeps_until_stopped(open_store):
    s = open_store(ttl={"sweep_interval_minutes": 1})
    await s.put(("n",), "k", {}, ttl=1)
    s.clock.advance(2)
    future = s.store.start_ttl_sweeper(sweep_interval_minutes=0.0005)  # every 30 ms

    async def still_stored():
        # seen from before it expired, an item is there until something deletes it
        s.clock.advance(-2)
        try:
            return await s.get(("n",), "k", refresh_ttl=False) is not None
        finally:
            s.clock.advance(2)

    deadline = time.monotonic() + 10
    while await still_stored() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not await still_stored()
    assert s.store.stop_ttl_sweeper(timeout=5) is True
    assert future.result(timeout=5) is None
    assert s.store.stop_ttl_sweeper() is True  # stopping twice is fine
