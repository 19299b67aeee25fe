"""The two shapes every part of ``langgraph_lite.stream`` speaks: the event envelope
(``ProtocolEvent``) and the plug-in that watches events (``StreamTransformer``).

Rules of this file: it imports nothing from ``pregel`` (the arrow is pregel -> stream), and it
knows nothing about which transformers exist.

Theory of operation. A v3 run turns every v2 stream part of a graph into a ``ProtocolEvent`` and
hands it to a ``StreamMux``. The mux offers the event to each registered transformer in turn;
a transformer builds its own projection (usually ``StreamChannel``s) from what it sees and says
whether the event stays in the main log. Transformers are built per scope (the root, and again
for every subgraph a ``SubgraphTransformer`` discovers), which is why they are registered as
factories ``factory(scope) -> transformer`` and never as instances.

Two lanes. Under ``stream_events`` the mux calls ``process`` / ``finalize`` / ``fail``; under
``astream_events`` it awaits ``aprocess`` / ``afinalize`` / ``afail``, whose defaults call the
sync hooks. A transformer that overrides an async hook (or sets ``requires_async``) cannot run
on the sync lane unless it also sets ``supports_sync``; the mux refuses it at registration.

Scheduled work (``schedule``). On asyncio the coroutine starts at once as an ``asyncio.Task``,
as in LangGraph. trio has no free-standing tasks, so there the coroutine is kept and started
when the run finishes, concurrently with the other scheduled coroutines, inside the mux's
``aclose`` (one task group); ``afail`` closes the coroutines without running them. Either way
``afinalize`` runs only after every scheduled coroutine has finished.
"""

from __future__ import annotations

import logging
import weakref
from abc import ABC, abstractmethod
from collections.abc import Coroutine
from typing import Any, ClassVar, Literal

from typing_extensions import NotRequired, TypedDict

from langgraph_lite._async_library import current_async_library

__all__ = [
    "ProtocolEvent",
    "ScheduledCoroutine",
    "StreamTransformer",
    "transformer_requires_async",
]

_log = logging.getLogger(__name__)


class _ProtocolEventParams(TypedDict):
    """The body of a ``ProtocolEvent``.

    ``namespace`` is the checkpoint namespace of the graph that emitted the part, as a list of
    ``"node:task_id"`` segments (``[]`` for the root). ``timestamp`` is wall-clock milliseconds;
    order events by ``seq``, which only goes up. ``interrupts`` is present on ``values`` events
    of a step that interrupted.
    """

    namespace: list[str]
    timestamp: int
    data: Any
    interrupts: NotRequired[tuple[Any, ...]]


class ProtocolEvent(TypedDict):
    """One event of a v3 run: a v2 stream part (or a transformer's own push) in an envelope.

    ``method`` is the stream mode the part came from (``"values"``, ``"updates"``, ``"custom"``,
    ``"messages"``, ``"tasks"``, ...) or the name of a named ``StreamChannel``. ``seq`` numbers the
    events of the root main log 1, 2, 3, ... in the order they entered it.
    """

    type: Literal["event"]
    event_id: NotRequired[str]
    seq: NotRequired[int]
    method: str
    params: _ProtocolEventParams


class ScheduledCoroutine:
    """What ``StreamTransformer.schedule`` returns on trio: the coroutine, waiting for ``aclose``.

    ``done()`` tells whether it has run; ``result()`` gives its value once it has (or raises what
    it raised when scheduled with ``on_error="raise"``).
    """

    __slots__ = ("_coro", "_done", "_error", "_result", "on_error")

    def __init__(self, coro: Coroutine[Any, Any, Any], on_error: str) -> None:
        self._coro = coro
        self.on_error = on_error
        self._done = False
        self._result: Any = None
        self._error: BaseException | None = None

    def done(self) -> bool:
        """True once the coroutine has run to its end (or was dropped by a failed run)."""
        return self._done

    def result(self) -> Any:
        """The coroutine's return value; raises if it has not run yet or raised."""
        if not self._done:
            raise RuntimeError("this scheduled coroutine has not run yet; it runs at aclose")
        if self._error is not None:
            raise self._error
        return self._result

    async def _run(self) -> None:
        try:
            self._result = await self._coro
        except Exception as exc:
            if self.on_error == "raise":
                self._error = exc
            else:
                _log.exception("a coroutine scheduled by a StreamTransformer failed")
        finally:
            self._done = True

    def _drop(self) -> None:
        if not self._done:
            self._coro.close()
            self._done = True


class StreamTransformer(ABC):
    """A plug-in that watches a v3 run's events and builds a projection from them.

    Subclass it, implement ``init`` (return a dict of what the run exposes: usually
    ``StreamChannel``s) and ``process`` (or ``aprocess``). Register the class, or a factory
    ``lambda scope: MyTransformer(scope, ...)``, with ``compile(transformers=[...])`` or
    ``stream_events(..., version="v3", transformers=[...])``; the run calls it once per scope.

    Every key of the projection appears in ``run.extensions``; with ``_native = True`` the keys
    are also attributes of the run (``run.values``). A named ``StreamChannel`` in the projection
    also forwards each item it gets into the main log, as method ``custom:<name>`` (or plain
    ``<name>`` for a native transformer). The mux closes (or fails) the projection's channels when
    the run ends, so ``finalize`` / ``fail`` are needed only for other teardown.

    Class attributes:
        requires_async: needs a running event loop though it overrides no async hook (e.g. it
            calls ``schedule`` from ``process``); the sync lane refuses it.
        supports_sync: overrides async hooks yet works on the sync lane too.
        required_stream_modes: the graph stream modes it needs; a run asks the graph for the
            union over all its transformers, and nothing else.
        before_builtins: register it ahead of the built-in transformers, so that changes it
            makes to an event (redaction, filtering) are what the built-ins see. Do not change
            the namespace or the task fields of ``tasks`` events: the lifecycle and subgraph
            transformers read them.
        _native: expose the projection's keys as attributes of the run stream.
    """

    requires_async: ClassVar[bool] = False
    supports_sync: ClassVar[bool] = False
    required_stream_modes: ClassVar[tuple[str, ...]] = ()
    before_builtins: ClassVar[bool] = False
    _native: ClassVar[bool] = False

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        """Remember the namespace this transformer watches (``()`` for the run's own graph)."""
        self.scope: tuple[str, ...] = scope

    @abstractmethod
    def init(self) -> dict[str, Any]:
        """Return the projection: name -> value (a ``StreamChannel``, a promise, anything)."""

    def _on_register(self, mux: Any) -> None:  # noqa: B027 (an optional hook)
        """Called once the mux has wired this transformer in; override to keep the mux."""

    def process(self, event: ProtocolEvent) -> bool:
        """Look at one event (sync lane); return False to keep it out of the main log."""
        raise NotImplementedError(
            f"{type(self).__name__} implements neither process() nor aprocess(); a "
            "StreamTransformer must override one of them"
        )

    async def aprocess(self, event: ProtocolEvent) -> bool:
        """Look at one event (async lane); the next transformer waits for it. Calls ``process``."""
        return self.process(event)

    def finalize(self) -> None:  # noqa: B027 (an optional hook)
        """The run ended normally (sync lane)."""

    async def afinalize(self) -> None:
        """The run ended normally (async lane); scheduled work has finished. Calls ``finalize``."""
        self.finalize()

    def fail(self, err: BaseException) -> None:  # noqa: B027 (an optional hook)
        """The run ended with ``err`` (sync lane)."""

    async def afail(self, err: BaseException) -> None:
        """The run ended with ``err`` (async lane); scheduled work was cancelled. Calls ``fail``."""
        self.fail(err)

    def schedule(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        on_error: Literal["log", "raise"] = "log",
    ) -> Any:
        """Run ``coro`` alongside the run; the mux waits for it before ``afinalize``.

        ``on_error="log"`` logs an exception the coroutine raises; ``"raise"`` lets it end the
        run through the fail path when the mux joins its scheduled work. On asyncio this
        returns the ``asyncio.Task``; on trio a ``ScheduledCoroutine`` that starts at the end of
        the run (see the module docstring). Needs a running event loop (``astream_events``).
        """
        if on_error not in ("log", "raise"):
            coro.close()
            raise ValueError(f"on_error must be 'log' or 'raise', got {on_error!r}")
        library = current_async_library()
        if library is None:
            coro.close()
            raise RuntimeError(
                f"{type(self).__name__}.schedule() requires a running event loop, so this "
                "transformer only works under astream_events(..., version='v3'). Set "
                "requires_async = True on the class so that stream_events refuses it up front."
            )
        work = _scheduled_work(self)
        if library == "asyncio":
            import asyncio

            # The coroutine itself is the task (no wrapper), so cancelling it before it starts
            # closes it cleanly; a "log" task's error is logged and taken by its callback.
            task = asyncio.ensure_future(coro)
            if on_error == "log":
                task.add_done_callback(_log_failure)
                _QUIET.add(task)
            work.append(task)
            return task
        handle = ScheduledCoroutine(coro, on_error)
        work.append(handle)
        return handle


def _scheduled_work(transformer: StreamTransformer) -> list[Any]:
    # Kept on the instance lazily, so that subclasses need not call super().__init__().
    work: list[Any] | None = transformer.__dict__.get("_scheduled")
    if work is None:
        work = transformer.__dict__["_scheduled"] = []
    return work


# asyncio tasks scheduled with on_error="log": their callback logs a failure, so joining them
# must not raise it.
# Weak, so that a task is forgotten with its transformer.
_QUIET: weakref.WeakSet[Any] = weakref.WeakSet()


def _log_failure(task: Any) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.error("a coroutine scheduled by a StreamTransformer failed", exc_info=task.exception())


def transformer_requires_async(transformer: StreamTransformer) -> bool:
    """True if ``transformer`` cannot run on the sync lane (``stream_events``)."""
    if transformer.requires_async:
        return True
    if transformer.supports_sync:
        return False
    cls = type(transformer)
    return any(
        getattr(cls, name) is not getattr(StreamTransformer, name)
        for name in ("aprocess", "afinalize", "afail")
    )
