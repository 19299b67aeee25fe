"""A node that raises ``asyncio.CancelledError`` itself fails with ``NodeCancelledError``."""

from __future__ import annotations

import asyncio
import sys
from typing import TypedDict

import anyio
import pytest

from langgraph_lite.errors import NodeCancelledError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import RetryPolicy


class S(TypedDict, total=False):
    a: int


def one_node(fn, calls):
    def counted(state):
        calls.append(1)
        return fn(state)

    async def acounted(state):
        calls.append(1)
        return await fn(state)

    builder = StateGraph(S)
    retry = RetryPolicy(retry_on=lambda e: True, initial_interval=0.0, max_attempts=3)
    body = acounted if asyncio.iscoroutinefunction(fn) else counted
    builder.add_node("worker", body, retry_policy=retry)
    builder.add_edge(START, "worker")
    return builder.compile()


def sync_raises(state):
    raise asyncio.CancelledError("from the body")


async def async_raises(state):
    raise asyncio.CancelledError()


def test_a_sync_node_raising_cancelled_error_fails_the_run_naming_it():
    calls: list[int] = []
    with pytest.raises(NodeCancelledError, match="Node 'worker' raised") as info:
        one_node(sync_raises, calls).invoke({})
    assert info.value.node == "worker"
    assert isinstance(info.value.__cause__, asyncio.CancelledError)
    assert calls == [1]  # not retried


@pytest.mark.anyio
@pytest.mark.parametrize("fn", [sync_raises, async_raises])
async def test_under_an_event_loop_too(fn, anyio_backend):
    if anyio_backend[0] == "asyncio" and sys.version_info < (3, 11):
        pytest.skip("Python 3.10's asyncio cannot tell a node's CancelledError from a cancel")
    calls: list[int] = []
    with pytest.raises(NodeCancelledError) as info:
        await one_node(fn, calls).ainvoke({})
    assert info.value.node == "worker"
    assert calls == [1]


@pytest.mark.anyio
async def test_cancelling_the_run_is_still_a_cancel():
    started = anyio.Event()

    async def waits(state):
        started.set()
        await anyio.sleep(30)

    app = one_node(waits, [])
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(app.ainvoke, {})
            await started.wait()
            tg.cancel_scope.cancel()  # no NodeCancelledError escapes the group
