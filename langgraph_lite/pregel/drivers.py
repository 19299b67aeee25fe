"""The two drivers: each answers the effects of ``PregelLoop.run`` and knows nothing else.

A driver never decides what comes next in a run; it only answers. The sync driver answers with
blocking calls (a step's single task inline; several taken by its own thread and helper
threads, ``thread_step.py``, or on a thread pool while node code streams), the async one with
awaits (a single task inline; several, or any while node code streams, outside the consumer's
task: plain asyncio tasks, ``async_step.TaskHost``, or on trio a detached host task). They
mirror each other, ``await`` aside (``AsyncRun`` says why the async one is no generator).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio

from langgraph_lite.errors import GraphBubbleUp, is_invalid_resume
from langgraph_lite.pregel import effects as fx
from langgraph_lite.pregel import leases
from langgraph_lite.pregel.algo import Task
from langgraph_lite.pregel.async_step import TaskHost, limiter_of, run_limited
from langgraph_lite.pregel.attempt import arun_attempt, run_attempt
from langgraph_lite.pregel.checkpointing import aflush, aload, asave, flush, load, save
from langgraph_lite.pregel.detached import Detached
from langgraph_lite.pregel.effects import Load, Save
from langgraph_lite.pregel.failures import record_stopped
from langgraph_lite.pregel.loop import PregelLoop
from langgraph_lite.pregel.run_thread_loop import FINISHED, ThreadSteps, in_run_thread
from langgraph_lite.pregel.stream import ConsumerGone, StreamQueue
from langgraph_lite.pregel.thread_step import WAITED, ThreadStep, helpers
from langgraph_lite.pregel.worker_threads import RunThread

__all__ = ["AsyncRun", "drive_sync"]

log = logging.getLogger("langgraph_lite.drivers")


class _TaskDone:
    """Put in the queue by a task when it ends, so one wait covers events and completions."""

    __slots__ = ("ok", "task")

    def __init__(self, task: Task, ok: bool) -> None:
        self.task = task
        self.ok = ok

    def result(self) -> Task | None:
        """The answer to NEED_RESULT: the task, or None if it was cancelled (it wrote nothing)."""
        return self.task if self.ok or self.task.error is not None else None


# -- the sync driver ----------------------------------------------------------------------------


def _run_reporting(task: Task, queue: StreamQueue) -> None:
    """Body of a pool thread: run, then report through the queue (errors included)."""
    ok = False
    try:
        run_attempt(task)
        ok = True
    except BaseException as exc:
        task.error = exc
    finally:
        queue.push_from_thread(_TaskDone(task, ok))


def _run_saving(task: Task, queue: StreamQueue, loop: PregelLoop) -> None:
    """``_run_reporting``, and the task's writes saved here, as soon as it finishes: whichever
    thread runs a step's task saves it, so a crash while a sibling still runs does not run the
    finished ones again. A save that fails here is left to the loop (it saves, and raises)."""
    ok = False
    try:
        run_attempt(task)
        ok = True
        persistence: Any = loop.persistence  # (a Persistence: the run has a checkpointer)
        action = None if loop.calls.active else persistence.finished_writes(task)
        if action is not None:
            try:
                save(persistence.saver, (action,), persistence.durability)
                task.saved = True
            except Exception:
                pass
    except BaseException as exc:
        task.error = exc
    finally:
        queue.push_from_thread(_TaskDone(task, ok))


def drive_sync(loop: PregelLoop, queue: StreamQueue, input: Any) -> Iterator[Any]:
    """Run ``loop`` in the caller's thread, yielding every stream chunk as it is produced."""
    items = queue.items
    saver = loop.checkpointer
    pool: ThreadPoolExecutor | None = None  # a live step's (its tasks run while the consumer reads)
    step: ThreadStep | None = None  # a step's tasks the caller takes too, while some are left
    run = loop.run(input)
    send = run.send
    answer: Any = None
    lease = leases.for_run(loop)  # None: nothing to take (no saver with leases, or held)
    durability = loop.persistence.durability
    clock = loop.step_clock  # (None: no step_timeout)
    per_task = loop.out.per_task  # (a step's updates go out as each task ends: thread_step.py)
    ended = False  # the run ended by itself (no error, the consumer did not leave)
    # (the effect's type compared with locals, most frequent first: this runs once per effect
    # on the per-step hot path, where a match statement would look each name up again)
    RUN, DELIVER, NEED_RESULT, CALL_FINISHED = fx.Run, fx.DELIVER, fx.NEED_RESULT, fx.CALL_FINISHED
    try:
        if lease is not None:
            lease.enter()  # before the run's first read
        while True:
            try:
                effect: Any = send(answer)
            except StopIteration:
                ended = True
                return
            if type(effect) is RUN:
                tasks, live = effect
                if clock is not None:  # (timed: on the pool; this thread waits with a clock)
                    live = clock.start(tasks)
                if len(tasks) == 1 and not live:
                    answer = task = tasks[0]
                    try:
                        run_attempt(task)
                    except Exception as exc:
                        task.error = exc
                    continue
                answer = None
                # (writes saved by the thread that ran the task; a timed step's: even late ones)
                saving = saver is not None and durability != "exit" and (not live or clock)
                body = functools.partial(_run_saving, loop=loop) if saving else _run_reporting
                if not live:  # this thread takes tasks too (thread_step.py)
                    step = ThreadStep(tasks, functools.partial(body, queue=queue), per_task)
                    continue
                if pool is None:
                    pool = ThreadPoolExecutor(helpers() + 1, thread_name_prefix="langgraph_lite")
                for task in tasks:
                    pool.submit(contextvars.copy_context().run, body, task, queue)
            elif effect is DELIVER:
                answer = None
                while items:
                    yield items.popleft()
            elif effect is NEED_RESULT:
                while True:  # (results in go first: saved and streamed before it takes another)
                    if not items and step is not None and step.take():
                        continue  # its report is queued, after those of tasks done before
                    if clock is not None:
                        item = clock.get(queue)
                    elif (item := queue.get() if step is None else step.get(queue)) is WAITED:
                        continue  # (no helper free: this thread takes the step's tasks too)
                    if type(item) is _TaskDone or item is CALL_FINISHED:
                        answer = item if item is CALL_FINISHED else item.result()
                        break
                    yield item  # chunks node code streamed meanwhile
            elif type(effect) is Save:
                answer = None
                save(saver, effect.actions, durability)
            elif type(effect) is Load:
                answer = load(saver, effect, run=True)
            else:
                raise TypeError(f"cannot answer {effect!r} here")
    finally:
        run.close()
        queue.close()
        if step is not None:
            step.stop()  # (waits for the tasks helpers run)
        if pool is not None:
            # Threads cannot be killed: wait for running nodes, so none outlives the stream.
            pool.shutdown(wait=True, cancel_futures=True)
        try:
            if not ended:  # stopped from outside (an error's run has already ended)
                loop.end()  # (durability="exit": where it stood, as LangGraph saves it)
                if actions := loop.persistence.take():
                    save(saver, actions, durability)
            if _flushes(loop):  # (before the lease goes: the saves carry its token)
                flush(saver, loop.config)
        except Exception:
            if ended:  # else the run's own error (or the consumer leaving) goes on
                raise
        finally:
            if lease is not None:
                lease.exit()  # once no node (nor a subgraph sharing the lease) runs


def _flushes(loop: PregelLoop) -> bool:
    """Whether the run waits at its end for what it saved to be committed: not a subgraph's
    with ``durability="async"`` (its parent run's end waits for it)."""
    persistence = loop.persistence
    return persistence.active and (loop.parent_task is None or persistence.durability != "async")


# -- the async driver ---------------------------------------------------------------------------


async def _arun_reporting(
    task: Task, queue: StreamQueue, scope: anyio.CancelScope | TaskHost, limiter: Any = None
) -> None:
    ok = False
    try:
        await run_limited(task, limiter)
        ok = True
    except ConsumerGone:
        scope.cancel()  # the consumer left: the run is being stopped, quietly
    except GraphBubbleUp as exc:
        task.error = exc  # an interrupt: its siblings finish, and their writes are saved
    except Exception as exc:
        task.error = exc
        if not is_invalid_resume(exc):  # a bad answer fails the step once its siblings end
            scope.cancel()  # the step has failed: stop its siblings
    except anyio.get_cancelled_exc_class():
        # stopped: by a sibling's failure (then saved, as LangGraph saves it: an error, so it
        # runs again on resume), or with the whole run (then nothing more is saved)
        task.error = asyncio.CancelledError()
        raise
    except BaseException as exc:  # (KeyboardInterrupt...: the run raises it, as any error)
        task.error = exc
        scope.cancel()
    finally:
        queue.push_from_thread(_TaskDone(task, ok))


async def _save_stopped(
    host: Detached | TaskHost | None, tasks: list[Task], loop: PregelLoop, lease: Any = None
) -> None:
    """Wait for a stopped step's tasks to end, then save what they leave: an error for each
    one cancelled mid-way (``failures.record_stopped``), any writes not saved yet, and with
    durability="exit" where the run stood."""
    persistence = loop.persistence
    try:
        if host is not None:
            await host.wait()
            record_stopped(tasks, persistence)
        loop.end()
        actions = persistence.take()
        if actions:
            await asave(loop.checkpointer, actions, persistence.durability)
    except Exception as exc:  # the run's own outcome (its consumer left, or its error) goes on
        log.warning("could not save the tasks of a stopped run: %r", exc)
    finally:
        if lease is not None:
            lease.abandon()


_BACKGROUND: set[asyncio.Task[None]] = set()  # (the event loop keeps only weak references)


def _in_background(coro: Awaitable[None]) -> None:
    task = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


def _step_host(
    tasks: list[Task], queue: StreamQueue, limiter: Any
) -> Callable[[], Awaitable[None]]:
    finished = False

    async def close_when_cancelled() -> None:
        # The host cancelled from outside (the run stopped; on trio, also the end of
        # trio.run): close the queue at once, so sync nodes in threads stop at their next
        # writer call instead of the host waiting for them to run to their end.
        try:
            await anyio.sleep_forever()
        finally:
            if not finished:
                queue.close()

    async def run() -> None:
        nonlocal finished
        async with anyio.create_task_group() as outer:
            outer.start_soon(close_when_cancelled)
            async with anyio.create_task_group() as tg:
                for task in tasks:
                    tg.start_soon(_arun_reporting, task, queue, tg.cancel_scope, limiter)
            finished = True
            outer.cancel_scope.cancel()

    return run


class AsyncRun:
    """The async driver, as an async iterator whose ``__anext__`` runs the run until a chunk.

    Not an async generator on purpose: a generator suspended at ``yield`` inside a task group
    breaks when the consumer leaves without closing it (its cleanup then runs in another task:
    RuntimeError on asyncio, TrioInternalError on trio). Tasks that outlive one ``__anext__``
    (each finished task's update goes out while its siblings still run) are never in one.
    Here nothing is suspended between two ``__anext__`` calls but the loop's own (plain)
    generator: tasks that must outlive one call live in a detached host, and leaving is a plain
    method call (``aclose``, or ``__del__`` when the consumer just drops the stream).
    """

    def __init__(self, loop: PregelLoop, queue: StreamQueue, input: Any) -> None:
        self.loop = loop
        self.queue = queue
        self._run = loop.run(input)
        self._effect: Any = None  # the effect being answered; None: ask the loop for one
        self._answer: Any = None  # what to send the loop when asking it
        self._host: Detached | TaskHost | None = None  # the step's tasks, while they run
        self._hosted: list[Task] = []  # (those tasks)
        self._pending = 0  # how many of them have not reported yet
        self._done = False
        self._watched = False
        self._unwatch: Callable[[], object] | None = None  # forget the consumer's task
        # The thread's lease the run takes (None: nothing to take); _enter: not yet taken.
        self._lease = self._enter = leases.for_run(loop)
        # Where its steps of one sync task run, and how that thread runs on (on asyncio).
        self._steps = ThreadSteps(
            self._run, queue.items, loop.checkpointer, loop.persistence.durability
        )
        self._thread = RunThread(self._steps.stop)

    def __aiter__(self) -> AsyncRun:
        return self

    async def __anext__(self) -> Any:
        if self._done:
            raise StopAsyncIteration
        try:
            if self._enter is not None:  # before the run's first read (often in its hop)
                self._enter, self._effect = None, self._send(None)
                answered, self._answer = await self._lease.aenter_then_load(self._effect)  # type: ignore[union-attr]
                self._effect = None if answered else self._effect
            return await self._next()
        except StopAsyncIteration:
            if self._steps.stopping:
                raise  # (the run's thread saw it stopped meanwhile: whoever stopped it cleans up)
            self._done = True
            self._thread.release()
            self.queue.close()
            if self._unwatch is not None:
                self._unwatch()
            flushing = self.loop.config if _flushes(self.loop) else None
            if self._lease is not None:  # (flushed first: the saves carry its token)
                await self._lease.aexit(flushing)
            elif flushing is not None:
                await aflush(self.loop.checkpointer, flushing)
            raise
        except BaseException:
            self._done = True
            await self._shutdown()
            raise

    def _send(self, answer: Any) -> Any:
        try:
            return self._run.send(answer)
        except StopIteration:
            raise StopAsyncIteration from None

    async def _next(self) -> Any:
        items = self.queue.items
        saver = self.loop.checkpointer
        while True:
            effect = self._effect
            if effect is None:
                answer, self._answer = self._answer, None
                effect = self._effect = self._send(answer)
            match type(effect):
                case fx.Run:
                    self._effect = None
                    tasks, live = effect
                    clock = self.loop.step_clock
                    timed = clock is not None and clock.start(tasks)
                    if live or len(tasks) > 1 or timed:  # (each update goes out as it ends)
                        self._pending, self._hosted = len(tasks), tasks
                        self._host = self._start_host(tasks)
                        if live:  # (else its tasks may outlive one __anext__'s task: wait_for)
                            self._watch_consumer()
                    else:
                        task = tasks[0]
                        threaded = not task.node.is_async and in_run_thread(task)
                        if threaded and asyncio._get_running_loop() is not None:
                            # (not on trio: its threads are waited for, not told to stop)
                            effect = await self._thread.run(self._steps, task)
                            if effect is FINISHED:
                                raise StopAsyncIteration
                            self._effect = effect
                            continue
                        try:
                            if threaded:
                                await self._thread.run(run_attempt, task)
                            else:
                                await arun_attempt(task)
                        except Exception as exc:
                            task.error = exc
                        self._answer = task
                case fx.NeedResult:  # only while a step's host runs
                    assert self._host is not None
                    clock = self.loop.step_clock
                    item = await (self.queue.aget() if clock is None else clock.aget(self.queue))
                    if item is fx.CALL_FINISHED:
                        self._effect, self._answer = None, item
                        continue
                    if type(item) is not _TaskDone:
                        return item  # a chunk node code streamed
                    self._pending -= 1
                    if self._pending == 0:
                        await self._host.wait()
                        self._host = None
                    result = item.result()
                    if result is not None or self._pending == 0:
                        self._effect, self._answer = None, result
                case fx.Deliver:
                    if items:
                        return items.popleft()
                    self._effect = None
                case fx.Save:
                    self._effect = None
                    await asave(saver, effect.actions, self.loop.persistence.durability)
                case fx.Load:
                    self._effect = None
                    self._answer = await aload(saver, effect, run=True)

    def _start_host(self, tasks: list[Task]) -> Detached | TaskHost:
        """Start a step's tasks outside the consumer's task, reporting to the queue."""
        limiter = limiter_of(tasks)
        if asyncio._get_running_loop() is None:  # trio: a task group in a system task
            return Detached(_step_host(tasks, self.queue, limiter))
        host = TaskHost()
        return host.start([_arun_reporting(t, self.queue, host, limiter) for t in tasks])

    async def _shutdown(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        host, self._host = self._host, None
        if host is not None:
            host.cancel()  # before closing the queue: async producers stop by cancellation
        self.queue.close()  # wakes producers blocked in threads, with ConsumerGone
        self._steps.close()  # (waits for the run's thread, if a bare cancel left it in the loop)
        self._thread.release()
        with anyio.CancelScope(shield=True):
            await _save_stopped(host, self._hosted, self.loop)
        if _flushes(self.loop):
            with anyio.CancelScope(shield=True):  # what the run saved is committed first
                try:
                    await aflush(self.loop.checkpointer, self.loop.config)
                except Exception:
                    pass  # the run's own error (or the consumer leaving) goes on
        if self._lease is not None:
            await self._lease.aexit()  # (shielded)

    async def aclose(self) -> None:
        """Stop the run; returns once none of its nodes is running."""
        self._done = True
        await self._shutdown()

    def _watch_consumer(self) -> None:
        """Stop the run when the task consuming it ends without closing it (``break``).

        Python finalizes an abandoned async iterator only when it is collected, which may be
        after the event loop is gone; the consumer's task ending is the moment the run is
        known to be abandoned. (On trio the host is a system task, cancelled when the run's
        main task ends.)"""
        if self._watched:
            return
        self._watched = True
        try:
            consumer = asyncio.current_task()
        except RuntimeError:
            return  # not asyncio
        if consumer is not None:
            ref = weakref.ref(self)  # the stream may still be collected (and stopped) first

            def consumer_done(_: Any) -> None:
                run = ref()
                if run is not None:
                    run._abandon()

            consumer.add_done_callback(consumer_done)
            self._unwatch = lambda: consumer.remove_done_callback(consumer_done)

    def _abandon(self) -> None:
        if not self._done:
            self._done = True
            host, lease = self._host, self._lease
            if host is not None:
                host.cancel()
            self.queue.close()  # producers in threads stop at their next writer call
            self._steps.stop()
            self._thread.release()
            if host is not None and self.loop.persistence.active and asyncio._get_running_loop():
                # (nobody awaits here: a task saves what the stopped tasks leave, then lets go
                # of the lease, whose token those saves carry)
                self._lease = None
                _in_background(_save_stopped(host, self._hosted, self.loop, lease))
            elif lease is not None:
                lease.abandon()

    def __del__(self) -> None:
        # The consumer dropped the stream without closing it (``break``): stop what runs.
        try:
            self._abandon()
        except RuntimeError:
            pass  # the event loop is gone: its tasks were cancelled with it
