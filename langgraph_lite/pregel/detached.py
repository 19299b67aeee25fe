"""A host task for the async driver: the tasks of a step that must outlive one ``__anext__``."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

__all__ = ["Detached"]


class Detached:
    """A host task that outlives any single ``__anext__`` of the consumer.

    Started outside the consumer's task (asyncio: a plain task; trio: a system task), so the
    consumer holds no cancel scope across its ``yield``; the consumer cancels it and waits for
    it when it leaves.
    """

    def __init__(self, fn: Callable[[], Awaitable[None]]) -> None:
        self._fn = fn
        self._scope: anyio.CancelScope | None = None
        self._cancelled = False
        self._done = anyio.Event()
        self._ref: Any = None
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            self._ref = running.create_task(self._host())
        else:
            import trio

            trio.lowlevel.spawn_system_task(
                self._host, name="langgraph_lite step", context=contextvars.copy_context()
            )

    async def _host(self) -> None:
        try:
            with anyio.CancelScope() as scope:
                self._scope = scope
                if self._cancelled:
                    scope.cancel()
                await self._fn()
        finally:
            self._done.set()

    def cancel(self) -> None:
        self._cancelled = True
        if self._scope is not None:
            self._scope.cancel()

    async def wait(self) -> None:
        await self._done.wait()
