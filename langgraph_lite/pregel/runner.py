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
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import anyio

from langgraph_lite.config import current_task
from langgraph_lite.errors import GraphBubbleUp, GraphInterrupt, ParentCommand
from langgraph_lite.pregel.algo import Task
from langgraph_lite.pregel.checkpointing import Put
from langgraph_lite.pregel.loop import PregelLoop
from langgraph_lite.pregel.stream import ConsumerGone, StreamQueue

__all__ = ["AsyncRun", "drive_sync"]


class _TaskDone:
    """Put in the queue by a task when it ends, so one wait covers events and completions."""

    __slots__ = ("ok", "task")

    def __init__(self, task: Task, ok: bool) -> None:
        self.task = task
        self.ok = ok


def _note(exc: BaseException, task: Task) -> None:
    if isinstance(exc, GraphBubbleUp):
        return  # control flow, not an error: nothing to explain
    note = f"raised by node {task.name!r} in step {task.step} (task {task.id})"
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]


# -- running one task ---------------------------------------------------------------------------


def _run_task(task: Task, alone: bool = False) -> Any:
    token = current_task.set(task)
    node = task.node
    attempt = 1
    try:
        while True:
            try:
                try:
                    output = node.run(task.input, task)
                except ParentCommand as bubbled:
                    # a subgraph run by this node sent a command to its parent: this graph
                    output = replace(bubbled.command, graph=None)
                if alone:
                    return output
                task.writes = node.writes_for(output, task)
                return None
            except GraphBubbleUp:
                raise
            except Exception as exc:
                wait = node.retry_wait(exc, attempt) if node.retry_policy else None
                if wait is None:
                    raise
                attempt += 1
                time.sleep(wait)
    except Exception as exc:
        _note(exc, task)
        raise
    finally:
        current_task.reset(token)


async def _arun_task(task: Task, alone: bool = False) -> Any:
    token = current_task.set(task)
    node = task.node
    attempt = 1
    try:
        while True:
            try:
                try:
                    output = await node.arun(task.input, task)
                except ParentCommand as bubbled:
                    # a subgraph run by this node sent a command to its parent: this graph
                    output = replace(bubbled.command, graph=None)
                if alone:
                    return output
                task.writes = await node.awrites_for(output, task)
                return None
            except GraphBubbleUp:
                raise
            except Exception as exc:
                wait = node.retry_wait(exc, attempt) if node.retry_policy else None
                if wait is None:
                    raise
                attempt += 1
                await anyio.sleep(wait)
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
    except ConsumerGone:
        scope.cancel()  # the consumer left: the run is being stopped, quietly
    except Exception as exc:
        task.error = exc
        scope.cancel()  # the step has failed: stop its siblings
    finally:
        queue.push_from_thread(_TaskDone(task, ok))


# -- the sync driver ----------------------------------------------------------------------------


def _pool_size() -> int:
    return min(32, (os.cpu_count() or 1) + 4)


def _persist(loop: PregelLoop) -> None:
    """Carry out the loop's persistence actions, in order, with the sync saver methods."""
    saver = loop.checkpointer
    outbox = loop.outbox
    while outbox:
        action = outbox.pop(0)
        if type(action) is Put:
            saver.put(*action)
        else:
            saver.put_writes(*action)


async def _apersist(loop: PregelLoop) -> None:
    """``_persist`` with the saver's async methods."""
    saver = loop.checkpointer
    outbox = loop.outbox
    while outbox:  # tasks of one step may persist concurrently: each takes the next action
        action = outbox.pop(0)
        if type(action) is Put:
            await saver.aput(*action)
        else:
            await saver.aput_writes(*action)


def _failed(loop: PregelLoop, failures: list[Task]) -> BaseException | None:
    """Record the step's failed tasks; the error to raise, or None if all were interrupts."""
    errors = [t for t in failures if not isinstance(t.error, GraphInterrupt)]
    for task in failures:
        assert task.error is not None
        if isinstance(task.error, GraphInterrupt):
            loop.task_interrupted(task, task.error)
        else:
            loop.task_failed(task, task.error)
    if errors:
        loop.abort()
        return errors[0].error
    loop.step_interrupted()
    return None


def drive_sync(loop: PregelLoop, queue: StreamQueue, input: Any) -> Iterator[Any]:
    """Run ``loop`` in the caller's thread, yielding every stream chunk as it is produced."""
    items = queue.items
    pool: ThreadPoolExecutor | None = None
    try:
        if loop.checkpointer is not None:
            loop.restore(loop.checkpointer.get_tuple(loop.config))
        loop.start(input)
        if loop.outbox:
            _persist(loop)
        while True:
            tasks = loop.tick()
            if loop.outbox:
                _persist(loop)
            if tasks is None:
                while items:
                    yield items.popleft()
                break
            if len(tasks) == 1 and not loop.streams_from_nodes:
                task = tasks[0]
                try:
                    _run_task(task)
                except Exception as exc:
                    task.error = exc
                    error = _failed(loop, [task])
                    if loop.outbox:
                        _persist(loop)
                    while items:  # what the step reported (its error too) goes out first
                        yield items.popleft()
                    if error is not None:
                        raise
                    continue
                loop.task_done(task)
            elif tasks:
                if pool is None:
                    pool = ThreadPoolExecutor(_pool_size(), thread_name_prefix="langgraph_lite")
                for task in tasks:
                    pool.submit(contextvars.copy_context().run, _run_task_reporting, task, queue)
                pending = len(tasks)
                failures: list[Task] = []
                while pending:
                    item = queue.get()
                    if type(item) is _TaskDone:
                        pending -= 1
                        if item.ok:
                            loop.task_done(item.task)
                            if loop.outbox:  # a finished task's writes survive a crash
                                _persist(loop)
                        else:
                            failures.append(item.task)
                        continue
                    yield item
                if failures:
                    error = _failed(loop, failures)
                    if loop.outbox:
                        _persist(loop)
                    while items:
                        yield items.popleft()
                    if error is not None:
                        raise error
                    continue
            if loop.outbox:
                _persist(loop)
            while items:  # the step's updates go out even if applying its writes fails
                yield items.popleft()
            loop.step_done()
            if loop.outbox:
                _persist(loop)
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


async def _run_group(tasks: list[Task], loop: PregelLoop) -> list[Task]:
    """Run a step's tasks in one task group inside the consumer's task; return those that failed."""
    failures: list[Task] = []

    async def one(task: Task, scope: anyio.CancelScope) -> None:
        try:
            await _arun_task(task)
        except Exception as exc:
            task.error = exc
            failures.append(task)
            scope.cancel()
            return
        loop.task_done(task)
        if loop.outbox:  # a finished task's writes survive a crash
            await _apersist(loop)

    async with anyio.create_task_group() as tg:
        for task in tasks:
            tg.start_soon(one, task, tg.cancel_scope)
    return failures


class AsyncRun:
    """The async driver, as an async iterator whose ``__anext__`` runs the run until a chunk.

    Not an async generator on purpose: a generator suspended at ``yield`` inside a task group
    breaks when the consumer leaves without closing it (its cleanup then runs in another task).
    Here nothing is suspended between two ``__anext__`` calls: the state lives on this object,
    tasks that must outlive one call live in a detached host, and leaving is a plain method
    call (``aclose``, or ``__del__`` when the consumer just drops the stream after ``break``).
    """

    def __init__(self, loop: PregelLoop, queue: StreamQueue, input: Any) -> None:
        self.loop = loop
        self.queue = queue
        self._input = input
        self._started = False
        self._done = False
        self._tasks_finished = False  # the step's tasks are done; its writes are not applied
        self._host: _Detached | None = None
        self._pending = 0
        self._failures: list[Task] = []
        self._error: BaseException | None = None
        self._over = False

    def __aiter__(self) -> AsyncRun:
        return self

    async def __anext__(self) -> Any:
        if self._done:
            raise StopAsyncIteration
        try:
            return await self._next()
        except StopAsyncIteration:
            self._done = True
            self.queue.close()
            raise
        except BaseException:
            self._done = True
            await self._shutdown()
            raise

    async def _next(self) -> Any:
        items = self.queue.items
        loop = self.loop
        while True:
            if loop.outbox:
                await _apersist(loop)
            if self._host is None:
                if items:
                    return items.popleft()
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
            else:  # items may hold the host's _TaskDone reports, so take them one by one
                item = await self.queue.aget()
                if type(item) is not _TaskDone:
                    return item
                self._pending -= 1
                if item.ok:
                    loop.task_done(item.task)
                elif item.task.error is not None:
                    self._failures.append(item.task)
                if self._pending == 0:
                    await self._host.wait()
                    self._host = None
                    await self._after_tasks()
                continue
            if self._tasks_finished:
                # the step's updates went out first, even if applying its writes fails
                self._tasks_finished = False
                loop.step_done()
                continue
            if not self._started:
                self._started = True
                if loop.checkpointer is not None:
                    loop.restore(await loop.checkpointer.aget_tuple(loop.config))
                loop.start(self._input)
                continue
            if self._over:
                raise StopAsyncIteration
            tasks = loop.tick()
            if tasks is None:
                self._over = True  # once what the last tick reported has gone out
                continue
            if not tasks:
                self._tasks_finished = True
            elif loop.streams_from_nodes:
                self._pending = len(tasks)
                self._host = _Detached(_step_host(tasks, self.queue))
            elif len(tasks) == 1:
                task = tasks[0]
                try:
                    await _arun_task(task)
                except Exception as exc:
                    task.error = exc
                    self._failures.append(task)
                else:
                    loop.task_done(task)
                await self._after_tasks()
            else:
                self._failures = await _run_group(tasks, loop)
                await self._after_tasks()

    async def _after_tasks(self) -> None:
        failures, self._failures = self._failures, []
        if failures:
            error = _failed(self.loop, failures)
            if self.loop.outbox:
                await _apersist(self.loop)
            self._error = error  # raised once what the step reported has gone out
            return
        self._tasks_finished = True

    async def _shutdown(self) -> None:
        host, self._host = self._host, None
        if host is not None:
            host.cancel()  # before closing the queue: async producers stop by cancellation
        self.queue.close()  # wakes producers blocked in threads, with ConsumerGone
        if host is not None:
            with anyio.CancelScope(shield=True):
                await host.wait()

    async def aclose(self) -> None:
        """Stop the run; returns once none of its nodes is running."""
        self._done = True
        await self._shutdown()

    def __del__(self) -> None:
        # The consumer dropped the stream without closing it (``break``): stop what runs.
        if not self._done:
            self._done = True
            if self._host is not None:
                self._host.cancel()
            self.queue.close()


def _step_host(tasks: list[Task], queue: StreamQueue) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        async with anyio.create_task_group() as tg:
            for task in tasks:
                tg.start_soon(_arun_task_reporting, task, queue, tg.cancel_scope)

    return run
