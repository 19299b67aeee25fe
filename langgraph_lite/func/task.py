"""``@task``: a function whose calls, made inside an entrypoint, run as tasks of the run.

Calling a task returns a ``TaskFuture`` at once; the call runs in parallel with its caller (a
thread for sync code, a task in the caller's task group for async code). The run keeps the
call's result as a pending write of its caller's step (``langgraph_lite.pregel.calls``), so when
the step runs again — resumed after an ``interrupt()`` or after a failure — a call that had
finished returns its saved result and does not run again. A call runs as a node would: with
its retry policy, its cache policy (in an entrypoint given ``cache=``), its updates streamed.
"""

from __future__ import annotations

import functools
import inspect
import threading
import warnings
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import CancelledError
from contextvars import copy_context
from dataclasses import replace
from typing import Any, Generic, TypeVar, overload

from typing_extensions import ParamSpec

from langgraph_lite.config import current_task
from langgraph_lite.func.futures import (
    TaskFuture,
    arun_in_scope,
    current_scope,
    run_in_scope,
)
from langgraph_lite.pregel.algo import PUSH
from langgraph_lite.pregel.attempt import arun_attempt, run_attempt
from langgraph_lite.pregel.calls import RETURN, result_of
from langgraph_lite.pregel.node import ChannelWriteEntry, PregelNode
from langgraph_lite.pregel.node_cache import cache_namespace
from langgraph_lite.timeout_policy import coerce_timeout
from langgraph_lite.types import CachePolicy, RetryPolicy
from langgraph_lite.warnings import LangGraphDeprecatedSinceV05

__all__ = ["TaskFunction", "task"]

P = ParamSpec("P")
T = TypeVar("T")


def _name_of(func: Any) -> str:
    while isinstance(func, functools.partial):
        func = func.func
    return getattr(func, "__name__", None) or type(func).__name__


def _is_async(func: Any) -> bool:
    while isinstance(func, functools.partial):
        func = func.func
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004 - async callable objects
    )


def _named_like(body: Any, func: Any, name: str) -> Any:
    # The node cache names a node's entries after its function: the user's, not this wrapper.
    # (No __wrapped__: the node must not see the user's parameters and inject into them.)
    body.__name__ = name
    body.__qualname__ = getattr(func, "__qualname__", None) or name
    body.__module__ = getattr(func, "__module__", None) or body.__module__
    body.calls = func  # (what a traced call's run shows: its arguments by parameter name)
    return body


def call_body(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    """The node body of a task: ``(args, kwargs)`` in, the function's return value out.

    Calls the body makes start in its own scope, and the body ends after they have all ended.
    """
    if _is_async(func):

        async def abody(value: tuple[tuple[Any, ...], dict[str, Any]]) -> Any:
            return await arun_in_scope(func, *value[0], **value[1])

        return _named_like(abody, func, name)

    def body(value: tuple[tuple[Any, ...], dict[str, Any]]) -> Any:
        return run_in_scope(func, *value[0], **value[1])

    return _named_like(body, func, name)


def _call_cache_policy(policy: CachePolicy | None) -> CachePolicy | None:
    # A task's key_func takes the call's arguments, as in LangGraph; the node cache hands a
    # node its input, which for a call is (args, kwargs).
    if policy is None or policy.key_func is None:
        return policy
    key_func = policy.key_func
    return replace(policy, key_func=lambda value: key_func(*value[0], **value[1]))


class TaskFunction(Generic[P, T]):
    """A function decorated with ``@task``: calling it inside an entrypoint returns a future.

    ``clear_cache(cache)`` / ``aclear_cache(cache)`` drop its cached results.
    """

    def __init__(
        self,
        func: Callable[P, T],
        *,
        name: str | None = None,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        cache_policy: CachePolicy | None = None,
        timeout: Any = None,
    ) -> None:
        if not callable(func):
            raise TypeError(
                f"@task needs a function (sync or async), got {func!r} "
                f"({type(func).__name__}). Decorate a def: @task\\ndef step(x): ..."
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"task(name=...) must be a str, got {type(name).__name__} {name!r}")
        if cache_policy is not None and not isinstance(cache_policy, CachePolicy):
            raise TypeError(
                f"task(cache_policy=...) must be a CachePolicy, got {type(cache_policy).__name__}"
                ". Pass cache_policy=CachePolicy(ttl=...) from langgraph_lite.types."
            )
        if isinstance(retry_policy, RetryPolicy):
            retry_policy = (retry_policy,)
        self.func = func
        self.name = name or _name_of(func)
        self.retry_policy = tuple(retry_policy) if retry_policy else None
        self.cache_policy = cache_policy
        self.timeout = coerce_timeout(timeout, f"task {self.name!r}")
        self.is_async = _is_async(func)
        self.node = PregelNode(
            channels=[],
            triggers=[PUSH],
            bound=[call_body(func, self.name)],
            writers=[ChannelWriteEntry(RETURN)],
            retry_policy=self.retry_policy,
            cache_policy=_call_cache_policy(cache_policy),
            name=self.name,
            timeout=self.timeout,
        )
        functools.update_wrapper(self, func)

    def __repr__(self) -> str:
        return f"<task {self.name!r}>"

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return functools.partial(self.__call__, instance)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> TaskFuture[T]:
        caller = current_task.get()
        if caller is None:
            raise RuntimeError(
                f"Called get_config outside of a runnable context: task {self.name!r} was "
                "called outside a running entrypoint or graph node. Call tasks from inside an "
                "@entrypoint function (or a task it calls)."
            )
        run = caller.run
        calls = getattr(run, "calls", None)
        future: TaskFuture[T] = TaskFuture(self.name)
        if calls is None:  # a node run alone (node.invoke): nothing to record it in
            return self._run_plainly(future, args, kwargs)
        call, saved = calls.plan(run, caller, self.node, (args, kwargs))
        if saved:
            future.set_result(result_of(call.writes))
            return future
        scope = current_scope.get()
        if _on_event_loop():
            runner = functools.partial(_arun_call, call, calls, future)
            if scope is not None and scope.group is not None:
                scope.group.start_soon(runner)
            else:
                future._lazy = runner  # no task group to start in: it runs when awaited
            return future
        thread = threading.Thread(
            target=copy_context().run,
            args=(_run_call, call, calls, future),
            name=f"langgraph_lite task {self.name}",
            daemon=True,
        )
        if scope is not None:
            scope.threads.append(thread)
        thread.start()
        return future

    def _run_plainly(self, future: TaskFuture[T], args: Any, kwargs: Any) -> TaskFuture[T]:
        if self.is_async:

            async def run() -> None:
                try:
                    future.set_result(await self.func(*args, **kwargs))  # type: ignore[misc]
                except BaseException as exc:
                    future.set_exception(exc)

            future._lazy = run
            return future
        try:
            future.set_result(self.func(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def clear_cache(self, cache: Any) -> None:
        """Drop this task's cached results from ``cache``."""
        cache.clear([cache_namespace(self.node)])

    async def aclear_cache(self, cache: Any) -> None:
        """``clear_cache`` without blocking the event loop."""
        await cache.aclear([cache_namespace(self.node)])


def _on_event_loop() -> bool:
    """Whether this thread runs an event loop (asyncio or trio) right now."""
    import asyncio
    import sys

    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")
    if trio is None:
        return False
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        return False
    return True


def _settle(call: Any, future: TaskFuture[Any]) -> None:
    if call.error is not None:
        future.set_exception(call.error)
    else:
        future.set_result(result_of(call.writes))


def _run_call(call: Any, calls: Any, future: TaskFuture[Any]) -> None:
    """Body of a call's thread."""
    try:
        run_attempt(call)
    except BaseException as exc:  # handed to the caller through its future
        call.error = exc
    saved = calls.finished(call)  # streamed, and saved before the caller hears of it
    if saved is not None:
        queue = getattr(getattr(call.run, "out", None), "queue", None)
        saved.wait(lambda: queue is None or queue.closed)
    _settle(call, future)


async def _arun_call(call: Any, calls: Any, future: TaskFuture[Any]) -> None:
    """A call on the event loop (sync task functions run in a worker thread)."""
    import anyio

    with anyio.CancelScope() as scope:
        future.scope = scope
        try:
            await arun_attempt(call)
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:  # handed to the caller through its future
            call.error = exc
    future.scope = None
    if scope.cancel_called:  # future.cancel(): nothing is saved, a resumed run calls it again
        future.set_exception(CancelledError(f"task {call.name!r} was cancelled"))
        return
    saved = calls.finished(call, in_async=True)  # streamed, and saved before the caller hears
    if saved is not None:
        await saved.wait_async()
    _settle(call, future)


@overload
def task(
    __func_or_none__: None = None,
    *,
    name: str | None = None,
    retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
    cache_policy: CachePolicy | None = None,
) -> Callable[[Callable[P, T]], TaskFunction[P, T]]: ...


@overload
def task(__func_or_none__: Callable[P, Awaitable[T]]) -> TaskFunction[P, T]: ...


@overload
def task(__func_or_none__: Callable[P, T]) -> TaskFunction[P, T]: ...


def task(
    __func_or_none__: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
    cache_policy: CachePolicy | None = None,
    timeout: Any = None,
    **kwargs: Any,
) -> Any:
    """Make a function a task: ``@task``, ``@task()``, or ``@task(name=, retry_policy=,
    cache_policy=, timeout=)``.

    Called inside an ``@entrypoint`` (or another task, or a graph node), a task returns a
    ``TaskFuture`` and runs in parallel; its result is saved, so a resumed run does not run it
    again. ``retry_policy`` retries it as a node's would; ``cache_policy`` caches its result by
    its arguments (``key_func`` gets the call's arguments) in an entrypoint given ``cache=``;
    ``timeout`` (a ``TimeoutPolicy`` or seconds) limits each attempt (docs/timeouts.md).
    """

    if "retry" in kwargs:  # LangGraph's old name still works, with a warning
        warnings.warn(
            "`retry` is deprecated and will be removed. Please use `retry_policy` instead.",
            LangGraphDeprecatedSinceV05,
            stacklevel=2,
        )
        retry = kwargs.pop("retry")
        retry_policy = retry if retry_policy is None else retry_policy
    if kwargs:
        raise TypeError(
            f"task() got unexpected keyword arguments {sorted(kwargs)}: it takes name, "
            "retry_policy, cache_policy and timeout."
        )

    def decorate(func: Callable[..., Any]) -> TaskFunction[Any, Any]:
        return TaskFunction(
            func, name=name, retry_policy=retry_policy, cache_policy=cache_policy, timeout=timeout
        )

    if __func_or_none__ is not None:
        return decorate(__func_or_none__)
    return decorate
