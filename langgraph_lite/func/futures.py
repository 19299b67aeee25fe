"""What calling a ``@task`` returns, and who waits for the calls a body made.

A ``TaskFuture`` is settled once, by whoever ran its call (a thread, a task in a task group, or
the coroutine that awaits it). ``.result()`` waits from sync code; ``await`` from async code.

A body that makes calls (an entrypoint's, a task's) runs inside a ``CallScope``: calls it
makes are started in it, and the body does not return before every one of them has ended, so
no call outlives the task that made it (and a call's result is saved before its caller's).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from concurrent.futures import CancelledError
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

__all__ = ["CallScope", "TaskFuture", "arun_in_scope", "current_scope", "run_in_scope"]

T = TypeVar("T")

_UNSET: Any = object()


class TaskFuture(Generic[T]):
    """The result of a ``@task`` call: ``.result()`` in sync code, ``await`` in async code.

    >>> from langgraph_lite.func import entrypoint, task
    >>> @task
    ... def double(x: int) -> int:
    ...     return 2 * x
    >>> @entrypoint()
    ... def main(xs: list[int]) -> list[int]:
    ...     futures = [double(x) for x in xs]  # they run in parallel
    ...     return [f.result() for f in futures]
    >>> main.invoke([1, 2])
    [2, 4]
    """

    __slots__ = ("_aevent", "_error", "_event", "_lazy", "_name", "_value", "scope")

    def __init__(self, name: str, lazy: Callable[[], Any] | None = None) -> None:
        self._name = name
        self._event = threading.Event()
        self._value: Any = _UNSET
        self._error: BaseException | None = None
        self._aevent: Any = None  # an anyio Event, made when an async caller waits
        # An async call with no task group to start in: it runs when first awaited.
        self._lazy = lazy
        self.scope: Any = None  # the cancel scope an async call runs in, while it runs

    def __repr__(self) -> str:
        state = "done" if self.done() else "pending"
        return f"<TaskFuture of task {self._name!r}: {state}>"

    # -- settling (by whoever ran the call) ----------------------------------------------------

    def set_result(self, value: Any) -> None:
        """The call returned ``value``."""
        self._value = value
        self._settled()

    def set_exception(self, error: BaseException) -> None:
        """The call raised ``error`` (or stopped at an unanswered ``interrupt()``)."""
        self._error = error
        self._settled()

    def _settled(self) -> None:
        self._event.set()
        if self._aevent is not None:
            self._aevent.set()

    # -- waiting -------------------------------------------------------------------------------

    def cancel(self) -> bool:
        """Stop the call if it is async and has not ended; returns whether it was stopped.

        A cancelled call saves nothing, so a resumed run makes it again. A sync call runs on
        a thread, which cannot be stopped: for it this returns False, as
        ``concurrent.futures.Future.cancel`` does for a running call."""
        if self.done():
            return False
        if self._lazy is not None:
            self._lazy = None
            self.set_exception(CancelledError(f"task {self._name!r} was cancelled"))
            return True
        if self.scope is None:
            return False
        self.scope.cancel()
        return True

    def cancelled(self) -> bool:
        """Whether ``cancel`` stopped the call."""
        return isinstance(self._error, CancelledError)

    def done(self) -> bool:
        """Whether the call has ended."""
        return self._event.is_set()

    def result(self, timeout: float | None = None) -> T:
        """Wait for the call to end and return its result (or raise what it raised)."""
        if not self._event.is_set():
            if self._lazy is not None:
                raise RuntimeError(
                    f"task {self._name!r} was called from async code, so its result is awaited: "
                    f"write `await {self._name}(...)` (or await the future) instead of .result()."
                )
            if not self._event.wait(timeout):
                raise TimeoutError(f"task {self._name!r} did not end within {timeout} seconds")
        return self._outcome()

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """Wait for the call to end; what it raised, or None."""
        try:
            self.result(timeout)
        except TimeoutError:
            raise
        except BaseException as exc:
            return exc
        return None

    def __await__(self) -> Generator[Any, None, T]:
        return self._wait().__await__()

    async def _wait(self) -> T:
        if not self._event.is_set():
            lazy, self._lazy = self._lazy, None
            if lazy is not None:
                await lazy()  # runs the call here and settles this future
            else:
                import anyio

                if self._aevent is None:
                    self._aevent = anyio.Event()
                    if self._event.is_set():  # settled while the event was being made
                        self._aevent.set()
                await self._aevent.wait()
        return self._outcome()

    def _outcome(self) -> T:
        if self._error is not None:
            raise self._error
        value: T = self._value
        return value


class CallScope:
    """The calls one body made; ``close`` / the task group wait for them all to end.

    ``group``: the anyio task group async calls start in (None for a sync body).
    """

    __slots__ = ("group", "threads")

    def __init__(self, group: Any = None) -> None:
        self.group = group
        self.threads: list[threading.Thread] = []

    def close(self) -> None:
        """Wait for every call started on a thread by this body."""
        for thread in self.threads:
            thread.join()


current_scope: ContextVar[CallScope | None] = ContextVar("langgraph_lite_call_scope", default=None)
"""The scope of the body running in this context (None outside an entrypoint or task)."""


def run_in_scope(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``func`` with calls it makes started in a new scope; return once they all ended."""
    scope = CallScope()
    token = current_scope.set(scope)
    try:
        return func(*args, **kwargs)
    finally:
        current_scope.reset(token)
        scope.close()  # no call outlives its caller


async def arun_in_scope(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``run_in_scope`` for an async ``func``: its calls start in a task group it holds open."""
    import anyio

    error: Exception | None = None
    async with anyio.create_task_group() as group:
        token = current_scope.set(CallScope(group))
        try:
            result = await func(*args, **kwargs)
        except Exception as exc:
            # Raised after the group (which lets running calls end): raised inside it, the
            # caller would get it wrapped in an ExceptionGroup.
            error = exc
        finally:
            current_scope.reset(token)
    if error is not None:
        raise error
    return result
