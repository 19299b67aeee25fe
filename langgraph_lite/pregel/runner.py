"""The two drivers: the waiting around ``PregelLoop``. They mirror each other, ``await`` aside.

Both run a step's single task inline (no pool, no task group) unless nodes stream mid-step;
several tasks run concurrently (threads / one task group). While nodes stream (``custom``), the
tasks must run while the consumer reads, so they run on a thread pool (sync) or in a host task
detached from the consumer (async) — never in a task group held open across a ``yield``, which
would break when the consumer leaves without closing the stream.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio

from langgraph_lite.config import current_task
from langgraph_lite.pregel.algo import Task
from langgraph_lite.pregel.loop import PregelLoop
from langgraph_lite.pregel.stream import StreamQueue

__all__ = ["drive_async", "drive_sync"]


class _TaskDone:
    """Put in the queue by a task when it ends, so one wait covers events and completions."""

    __slots__ = ("ok", "task")

    def __init__(self, task: Task, ok: bool) -> None:
        self.task = task
        self.ok = ok


def _note(exc: BaseException, task: Task) -> None:
    note = f"raised by node {task.name!r} in step {task.step} (task {task.id})"
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]


# -- running one task ---------------------------------------------------------------------------


def _run_task(task: Task) -> None:
    token = current_task.set(task)
    try:
        node = task.node
        task.writes = node.writes_for(node.run(task.input, task))
    except Exception as exc:
        _note(exc, task)
        raise
    finally:
        current_task.reset(token)


async def _arun_task(task: Task) -> None:
    token = current_task.set(task)
    try:
        node = task.node
        task.writes = node.writes_for(await node.arun(task.input, task))
    except Exception as exc:
        _note(exc, task)
        raise
    finally:
        current_task.reset(token)


def _run_task_reporting(task: Task, queue: StreamQueue) -> None:
    """Body of a pool thread: run, then report through the queue (errors included)."""
    ok = False
    try:
        _run_task(task)
        ok = True
    except BaseException as exc:
        task.error = exc
    finally:
        queue.push_from_thread(_TaskDone(task, ok))


async def _arun_task_reporting(task: Task, queue: StreamQueue, scope: anyio.CancelScope) -> None:
    ok = False
    try:
        await _arun_task(task)
        ok = True
    except Exception as exc:
        task.error = exc
        scope.cancel()  # the step has failed: stop its siblings
    finally:
        queue.push_from_thread(_TaskDone(task, ok))


# -- the sync driver ----------------------------------------------------------------------------


def _pool_size() -> int:
    return min(32, (os.cpu_count() or 1) + 4)


def drive_sync(loop: PregelLoop, queue: StreamQueue, input: Any) -> Iterator[Any]:
    """Run ``loop`` in the caller's thread, yielding every stream chunk as it is produced."""
    items = queue.items
    pool: ThreadPoolExecutor | None = None
    try:
        loop.start(input)
        while True:
            tasks = loop.tick()
            if tasks is None:
                break
            if len(tasks) == 1 and not loop.streams_from_nodes:
                task = tasks[0]
                _run_task(task)
                loop.task_done(task)
            else:
                if pool is None:
                    pool = ThreadPoolExecutor(_pool_size(), thread_name_prefix="langgraph_lite")
                for task in tasks:
                    pool.submit(contextvars.copy_context().run, _run_task_reporting, task, queue)
                pending = len(tasks)
                failed: BaseException | None = None
                while pending:
                    item = queue.get()
                    if type(item) is _TaskDone:
                        pending -= 1
                        if item.ok:
                            loop.task_done(item.task)
                        elif failed is None:
                            failed = item.task.error
                        continue
                    yield item
                if failed is not None:
                    loop.abort()
                    raise failed
            loop.step_done()
            while items:
                yield items.popleft()
    finally:
        queue.close()
        if pool is not None:
            # Threads cannot be killed: wait for running nodes, so none outlives the stream.
            pool.shutdown(wait=True, cancel_futures=True)


# -- the async driver ---------------------------------------------------------------------------


class _Detached:
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


async def _run_group(tasks: list[Task], loop: PregelLoop, queue: StreamQueue) -> BaseException | None:
    """Run a step's tasks in one task group inside the consumer's task; return the first error."""
    failed: list[BaseException] = []

    async def one(task: Task, scope: anyio.CancelScope) -> None:
        try:
            await _arun_task(task)
        except Exception as exc:
            failed.append(exc)
            scope.cancel()
            return
        loop.task_done(task)

    async with anyio.create_task_group() as tg:
        for task in tasks:
            tg.start_soon(one, task, tg.cancel_scope)
    return failed[0] if failed else None


async def drive_async(loop: PregelLoop, queue: StreamQueue, input: Any) -> AsyncIterator[Any]:
    """Run ``loop`` on the event loop, yielding every stream chunk as it is produced."""
    items = queue.items
    host: _Detached | None = None
    try:
        loop.start(input)
        while True:
            tasks = loop.tick()
            if tasks is None:
                break
            if not loop.streams_from_nodes:
                if len(tasks) == 1:
                    task = tasks[0]
                    await _arun_task(task)
                    loop.task_done(task)
                else:
                    error = await _run_group(tasks, loop, queue)
                    if error is not None:
                        loop.abort()
                        raise error
            else:
                host = _Detached(_step_host(tasks, queue))
                pending = len(tasks)
                failed: BaseException | None = None
                while pending:
                    item = await queue.aget()
                    if type(item) is _TaskDone:
                        pending -= 1
                        if item.ok:
                            loop.task_done(item.task)
                        elif failed is None and item.task.error is not None:
                            failed = item.task.error
                        continue
                    yield item
                await host.wait()
                host = None
                if failed is not None:
                    loop.abort()
                    raise failed
            loop.step_done()
            while items:
                yield items.popleft()
    finally:
        queue.close()
        if host is not None:
            host.cancel()
            with anyio.CancelScope(shield=True):
                await host.wait()


def _step_host(tasks: list[Task], queue: StreamQueue) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        async with anyio.create_task_group() as tg:
            for task in tasks:
                tg.start_soon(_arun_task_reporting, task, queue, tg.cancel_scope)

    return run
