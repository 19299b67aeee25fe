"""A run holds its thread's lease: one writer per thread, without the caller asking.

A saver that has leases (``acquire_lease``: the SQLite and PostgreSQL savers) lets one worker
at a time write a thread (``checkpoint/lease.py``). Here the engine uses it for every run:

- a run takes the thread's lease before it reads the thread's latest checkpoint (the drivers
  enter a ``RunLease`` before the loop's first ``Load``), so of two workers resuming one
  paused thread at once, exactly one runs its next node; the other gets ``ThreadBusyError``
  naming the thread, or, with ``configurable.on_busy="wait"``, waits and continues after;
- every write of the run names the lease's token (``Persistence.lease_token``): a worker that
  lost its lease (stalled past its ttl while another took the thread) writes nothing and gets
  ``StaleLeaseError``;
- a background thread renews the lease every third of its ttl while the run lasts, so a long
  node does not lose it; a worker that stalls stops renewing too, which is the point;
- the run gives the lease up when it stops, however it stops (finished, interrupted, failed,
  cancelled, a stream closed or dropped).

A caller that holds the lease itself (``configurable.lease_token``, or a lease its saver took
with ``acquire_lease``) keeps it: the run uses that token and neither takes nor releases one.
A graph run inside a node on the same thread and saver (a subgraph) shares its parent's lease.
Savers without leases (``InMemorySaver``) are left as they are: ``for_run`` returns None and
nothing here runs.

Options, in ``configurable`` (named as ``acquire_lease``'s arguments): ``on_busy`` ("fail",
the default, or "wait"), ``lease_ttl`` (seconds, 30 by default), ``lease_timeout`` (seconds
``on_busy="wait"`` waits at most; None: no limit).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import anyio
import anyio.to_thread

from langgraph_lite.checkpoint.lease import check_on_busy, check_token, check_ttl
from langgraph_lite.config import current_task
from langgraph_lite.pregel.checkpointing import aflush, flush, load, saves_alike
from langgraph_lite.pregel.effects import Load

__all__ = ["KEYS", "RunLease", "aupdating", "for_run", "updating", "with_token"]

KEYS = frozenset(("lease_token", "on_busy", "lease_ttl", "lease_timeout"))
"""The ``configurable`` keys about leases (kept out of checkpoint metadata)."""

DEFAULT_TTL = 30.0

log = logging.getLogger("langgraph_lite.leases")


def with_token(config: Mapping[str, Any], token: int) -> dict[str, Any]:
    """``config`` (a checkpoint's) naming the lease ``token`` its write carries."""
    return {"configurable": {**config["configurable"], "lease_token": token}}


def _options(configurable: Mapping[str, Any]) -> tuple[str, float, float | None]:
    on_busy = configurable.get("on_busy", "fail")
    try:
        check_on_busy(on_busy)
    except ValueError as exc:
        raise ValueError(f"configurable.{exc}") from None
    ttl = configurable.get("lease_ttl")
    try:
        ttl = DEFAULT_TTL if ttl is None else check_ttl(ttl)
    except ValueError:
        raise ValueError(
            f"configurable.lease_ttl must be a positive number of seconds, got {ttl!r}."
        ) from None
    timeout = configurable.get("lease_timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0
    ):
        raise ValueError(
            f"configurable.lease_timeout must be seconds (>= 0) or None, got {timeout!r}."
        )
    return on_busy, ttl, timeout


def _held_token(saver: Any, configurable: Mapping[str, Any]) -> int | None:
    """The token of a lease the caller holds on the thread: in the config, or bound to the
    saver (``acquire_lease`` without ``bind=False``)."""
    token = check_token(configurable.get("lease_token"))
    return token if token is not None else saver.lease_token({"configurable": configurable})


def _parent_token(saver: Any, thread_id: Any) -> int | None:
    """The token of the run of the node this code runs in, when it is of the same thread and
    saver (a subgraph, or ``update_state`` from inside a node)."""
    task = current_task.get()
    persistence = getattr(getattr(task, "run", None), "persistence", None)
    if persistence is None or getattr(persistence, "saver", None) is not saver:
        return None
    parent_thread = (persistence.config.get("configurable") or {}).get("thread_id")
    return persistence.lease_token if parent_thread == thread_id else None


def for_run(loop: Any) -> RunLease | None:
    """The lease ``loop``'s run must take (and later release), or None when there is none to
    take: no saver, a saver without leases, a lease the caller or the parent run holds (its
    token is then set on the run's persistence here)."""
    saver = loop.checkpointer
    if saver is None or not hasattr(saver, "acquire_lease"):
        return None
    persistence = loop.persistence
    configurable = loop.config.get("configurable") or {}
    thread_id = configurable.get("thread_id")
    token = _parent_token(saver, thread_id) if loop.parent_task is not None else None
    if token is None:
        token = _held_token(saver, configurable)
    if token is not None:
        persistence.lease_token = token
        return None
    return RunLease(saver, persistence, str(thread_id), *_options(configurable))


class RunLease:
    """The lease one run takes: entered before its first read, exited once it stopped.

    ``exit`` / ``aexit`` / ``abandon`` may be called in any number and order, before or
    after ``enter``: only the first after a successful enter releases."""

    __slots__ = ("lease", "on_busy", "persistence", "saver", "thread_id", "timeout", "ttl")

    def __init__(
        self,
        saver: Any,
        persistence: Any,
        thread_id: str,
        on_busy: str,
        ttl: float,
        timeout: float | None,
    ) -> None:
        self.saver = saver
        self.persistence = persistence
        self.thread_id = thread_id
        self.on_busy = on_busy
        self.ttl = ttl
        self.timeout = timeout
        self.lease: Any = None

    def _kwargs(self) -> dict[str, Any]:
        return {
            "ttl": self.ttl,
            "on_busy": self.on_busy,
            "timeout": self.timeout,
            "bind": False,
        }

    def _taken(self, lease: Any) -> None:
        self.lease = lease
        self.persistence.lease_token = lease.token
        KEEPER.watch(lease)

    def enter(self) -> None:
        """Take the lease (``ThreadBusyError``, or wait, when another worker holds it)."""
        self._taken(self.saver.acquire_lease(self.thread_id, **self._kwargs()))

    async def aenter(self) -> None:
        """``enter`` with the saver's async methods."""
        self._taken(await self.saver.aacquire_lease(self.thread_id, **self._kwargs()))

    def _one_hop(self) -> bool:
        """Whether the saver's async calls are its sync ones run in a worker thread
        (``checkpointing.saves_alike``, and bound to no event loop): then taking or releasing
        the lease and the read or commit next to it share one thread hop."""
        return _on_loop(self.saver) is None and saves_alike(self.saver)

    async def aenter_then_load(self, effect: Any) -> tuple[bool, Any]:
        """``aenter``, then answer ``effect``, the run's first, if a ``Load``: one thread hop
        for both when ``_one_hop`` and a busy thread fails at once (no waiting to cancel).
        Returns whether ``effect`` was answered, and the answer."""
        if type(effect) is not Load or self.on_busy != "fail" or not self._one_hop():
            await self.aenter()
            return False, None

        def both() -> Any:
            self.enter()
            return load(self.saver, effect, run=True)

        return True, await anyio.to_thread.run_sync(both)

    def exit(self) -> None:
        """Stop renewing and release the lease."""
        lease, self.lease = self.lease, None
        if lease is not None:
            KEEPER.forget(lease)
            _quietly(lease.release, lease)

    async def aexit(self, flushing: Mapping[str, Any] | None = None) -> None:
        """``exit`` with the saver's async methods (shielded: it runs while cancelled too);
        ``flushing``: first wait for what the run with that config saved to be committed
        (``checkpointing.aflush``), in the same thread hop when ``_one_hop``."""
        lease, self.lease = self.lease, None
        if flushing is not None and lease is not None and self._one_hop():

            def both() -> None:
                try:
                    flush(self.saver, flushing)
                finally:
                    KEEPER.forget(lease)
                    _quietly(lease.release, lease)

            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(both)
            return
        try:
            if flushing is not None:
                await aflush(self.saver, flushing)
        finally:
            await self._areleased(lease)

    async def _areleased(self, lease: Any) -> None:
        if lease is not None:
            with anyio.CancelScope(shield=True):
                await KEEPER.aforget(lease)
                try:
                    await lease.arelease()
                except Exception as exc:
                    _not_released(lease, exc)

    def abandon(self) -> None:
        """``exit`` from code that may not wait (a dropped stream's finalizer, a callback):
        the keeper's thread releases the lease."""
        lease, self.lease = self.lease, None
        if lease is not None:
            KEEPER.forget(lease, then_release=True)


def _quietly(release: Any, lease: Any) -> None:
    try:
        release()
    except Exception as exc:
        _not_released(lease, exc)


def _not_released(lease: Any, exc: Exception) -> None:
    # The run's own outcome matters more than the release: the lease then expires after its
    # ttl (nobody renews it), and the thread is free again.
    log.warning(
        "could not release the lease of thread %r (token %s): %s; it expires in at most %ss",
        lease.thread_id, lease.token, exc, lease.ttl,
    )  # fmt: skip


def _on_loop(saver: Any) -> asyncio.AbstractEventLoop | None:
    """The event loop a saver's connection is bound to (``AsyncPostgresSaver``'s), if any:
    its calls are handed to that loop, never made from another thread's blocking call."""
    loop = getattr(saver, "loop", None)
    return loop if isinstance(loop, asyncio.AbstractEventLoop) else None


# -- the keeper: renews the leases of running runs ----------------------------------------------


class _Watched:
    __slots__ = ("busy", "due", "gone", "lease", "pending", "release")

    def __init__(self, lease: Any) -> None:
        self.lease = lease
        self.due = time.monotonic() + lease.ttl / 3
        self.busy = False  # the keeper is renewing it now
        self.gone = False
        self.release = False  # the keeper releases it (an abandoned run's)
        self.pending: Any = None  # a renewal handed to the saver's event loop


class _Keeper:
    """One daemon thread for the whole process, renewing each watched lease every third of
    its ttl (one thread, not one per run: a run only adds an entry to a heap).

    A renewal is never in flight when ``forget`` returns: a renewal that landed after the
    release would hold the thread for another ttl."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Watched]] = []
        self._watched: dict[int, _Watched] = {}
        self._thread: threading.Thread | None = None

    def watch(self, lease: Any) -> None:
        entry = _Watched(lease)
        with self._cond:
            self._watched[id(lease)] = entry
            heapq.heappush(self._heap, (entry.due, id(entry), entry))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="lgl-lease-keeper", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _drop(self, lease: Any, then_release: bool) -> _Watched | None:
        with self._cond:
            entry = self._watched.pop(id(lease), None)
            if entry is None:
                return None
            entry.gone = True
            if then_release:
                entry.release = True
                entry.due = 0.0
                heapq.heappush(self._heap, (0.0, id(entry), entry))
                self._cond.notify()
                return None
            return entry

    def forget(self, lease: Any, then_release: bool = False) -> None:
        """Stop renewing ``lease``; with ``then_release``, the keeper also releases it."""
        entry = self._drop(lease, then_release)
        if entry is None:
            return
        with self._cond:
            while entry.busy:
                self._cond.wait()
        pending = entry.pending
        if pending is not None and _on_loop(lease.saver) is not _running_loop():
            try:
                pending.result(timeout=lease.ttl)
            except Exception:
                pass  # a failed renewal changes nothing to the release that follows

    async def aforget(self, lease: Any) -> None:
        """``forget`` without blocking the event loop."""
        entry = self._drop(lease, False)
        if entry is None:
            return
        if entry.busy:
            await anyio.to_thread.run_sync(self._wait_idle, entry)
        if entry.pending is not None:
            try:
                await asyncio.wrap_future(entry.pending)
            except Exception:
                pass  # a failed renewal changes nothing to the release that follows

    def _wait_idle(self, entry: _Watched) -> None:
        with self._cond:
            while entry.busy:
                self._cond.wait()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._cond.wait(None if not self._heap else self._heap[0][0] - time.monotonic())
                _, _, entry = heapq.heappop(self._heap)
                if entry.gone and not entry.release:
                    continue
                entry.busy = True
            try:
                self._serve(entry)
            finally:
                with self._cond:
                    entry.busy = False
                    if not entry.gone:
                        entry.due = time.monotonic() + entry.lease.ttl / 3
                        heapq.heappush(self._heap, (entry.due, id(entry), entry))
                    self._cond.notify_all()

    def _serve(self, entry: _Watched) -> None:
        lease = entry.lease
        loop = _on_loop(lease.saver)
        try:
            if entry.release:
                entry.release = False  # once, though the entry may still be in the heap
                if loop is not None:
                    _submit(loop, lease.arelease)
                else:
                    lease.release()
            elif loop is not None:
                entry.pending = _submit(loop, lease.arenew)
            else:
                lease.renew()
        except Exception as exc:
            # lost (StaleLeaseError: the run's next write fails on its own), or the database
            # is unreachable now: the next round tries again while the lease is watched
            log.warning("lease of thread %r: %s", lease.thread_id, exc)


def _submit(loop: asyncio.AbstractEventLoop, call: Any) -> Any:
    """Run ``call()`` (a coroutine) on ``loop``; its future, or None if the loop is gone
    (the lease then expires by itself)."""
    if loop.is_closed():
        return None
    coro = call()
    try:
        return asyncio.run_coroutine_threadsafe(coro, loop)
    except RuntimeError:  # closed meanwhile
        coro.close()
        return None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


KEEPER = _Keeper()


# -- update_state ---------------------------------------------------------------------------


def _for_update(saver: Any, config: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """``(config, taker)``: the config to update with (naming the token the caller or the
    enclosing run holds), or the arguments to take a lease with when none is held."""
    configurable = dict(config.get("configurable") or {})
    token = _parent_token(saver, configurable.get("thread_id"))
    if token is None:
        token = _held_token(saver, configurable)
    if token is not None:
        configurable["lease_token"] = token
        return {**config, "configurable": configurable}, None
    on_busy, ttl, timeout = _options(configurable)
    kwargs = {"ttl": ttl, "on_busy": on_busy, "timeout": timeout, "bind": False}
    return dict(config), (str(configurable.get("thread_id")), kwargs)


@contextmanager
def updating(saver: Any, config: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Hold the thread's lease around ``update_state``: yields the config to update with."""
    if not hasattr(saver, "acquire_lease"):
        yield config
        return
    config, taker = _for_update(saver, config)
    if taker is None:
        yield config
        return
    lease = saver.acquire_lease(taker[0], **taker[1])
    try:
        yield lease.config(config)
    finally:
        _quietly(lease.release, lease)


@asynccontextmanager
async def aupdating(saver: Any, config: Mapping[str, Any]) -> AsyncIterator[Mapping[str, Any]]:
    """``updating`` with the saver's async methods."""
    if not hasattr(saver, "acquire_lease"):
        yield config
        return
    config, taker = _for_update(saver, config)
    if taker is None:
        yield config
        return
    lease = await saver.aacquire_lease(taker[0], **taker[1])
    try:
        yield lease.config(config)
    finally:
        with anyio.CancelScope(shield=True):
            try:
                await lease.arelease()
            except Exception as exc:
                _not_released(lease, exc)
