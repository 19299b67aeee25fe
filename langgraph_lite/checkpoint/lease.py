"""One writer per thread: leases with fencing tokens, kept in the saver's database.

A worker that means to run a thread takes its lease first (``saver.acquire_lease``) and only
then reads the thread's latest checkpoint. The lease row holds a token that grows by one each
time anyone takes the lease; every ``put`` / ``put_writes`` names the token it holds and is
refused, in the same transaction as the write, when that token is no longer the current one.
So a worker that stalled past its lease's expiry and woke up after another took over writes
nothing, and gets ``StaleLeaseError``.

A write that names no token is refused (``ThreadBusyError``) while someone holds a live lease.
Lease rows are never deleted (not by ``delete_thread`` nor ``prune``): a token is never handed
out twice, so a stale holder can never match a newer lease by accident.

This module holds what the savers share (the errors, ``Lease``, argument checks); each saver
keeps its own statements (``checkpoint/postgres/lease.py``, ``checkpoint/sqlite/lease.py``).
The engine takes leases by itself for each run (``pregel/leases.py``).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import anyio

__all__ = ["Lease", "LeaseError", "OnBusy", "StaleLeaseError", "ThreadBusyError"]

OnBusy = Literal["fail", "wait"]


class LeaseError(RuntimeError):
    """A write or lease call on a thread that another worker owns."""

    def __init__(self, message: str, thread_id: str) -> None:
        super().__init__(message)
        self.thread_id = thread_id


class ThreadBusyError(LeaseError):
    """Another worker holds the thread's lease: it is running the thread now."""


class StaleLeaseError(LeaseError):
    """The lease this writer holds was taken over (or released); nothing was written."""


def new_holder() -> str:
    """A name for a new lease's holder, unique across machines: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def holder_is_dead(holder: Any) -> bool:
    """Whether ``holder`` (a ``new_holder`` name) was a process of this machine that is gone.

    Its lease can be taken at once instead of after its ttl: a killed worker's thread is
    resumable right away on the same machine. A wrong answer (a pid reused, or another pid
    namespace under the same host name) only ever takes a lease early, and the fencing token
    still refuses the old holder's writes.
    """
    parts = str(holder).rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        # this process: alive while a Lease object here holds it; one whose release failed
        # (the connection broke) is free for the run that resumes the thread
        return holder not in _HELD_HERE
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's process)
        return False
    return _is_zombie(pid)


_HELD_HERE: set[str] = set()
"""The holders of the leases this process took and has not released (or tried to)."""


def _is_zombie(pid: int) -> bool:
    """A child killed but not yet waited for still has its pid; it is dead all the same."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def check_ttl(ttl: float) -> float:
    """``ttl`` as seconds; a lease must last a while."""
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not ttl > 0:
        raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}.")
    return float(ttl)


def check_on_busy(on_busy: str) -> None:
    """Raise, naming the choices, unless ``on_busy`` is ``"fail"`` or ``"wait"``."""
    if on_busy not in ("fail", "wait"):
        raise ValueError(f"on_busy must be 'fail' or 'wait', got {on_busy!r}.")


def check_token(token: Any) -> int | None:
    """``token`` (None or an int), or a ValueError naming ``configurable.lease_token``."""
    if token is not None and (isinstance(token, bool) or not isinstance(token, int)):
        raise ValueError(f"configurable.lease_token must be an int, got {token!r}.")
    return token


def token_of(config: Mapping[str, Any], held: Mapping[str, int]) -> int | None:
    """The token a write with ``config`` names: ``configurable.lease_token``, else the one of
    the lease the saver holds on the thread (``held``, by thread id), else None."""
    conf = config.get("configurable") or {}
    token = conf.get("lease_token")
    if token is None:
        token = held.get(str(conf.get("thread_id")))
    return check_token(token)


def busy(thread_id: str, row: Any) -> ThreadBusyError:
    """The error for a lease that someone else holds (``row``: token, holder, expiry)."""
    holder, expires = (row[1], row[2]) if row else ("?", "?")
    return ThreadBusyError(
        f"thread {thread_id!r} is busy: worker {holder!r} holds its lease until {expires}. "
        "Wait for it (acquire_lease(..., on_busy='wait'), or configurable.on_busy='wait' for "
        "a run), or run another thread.",
        thread_id,
    )


def refused(thread_id: str, token: int | None, verdict: Any, what: str) -> LeaseError:
    """The error for a write the fence refused; ``verdict`` is ``(ok, token, holder, live)``."""
    _, current, holder, live = verdict
    if token is None:
        return ThreadBusyError(
            f"{what} of thread {thread_id!r} was refused: worker {holder!r} holds the thread's "
            "lease. Take the lease first (saver.acquire_lease) or let that worker finish.",
            thread_id,
        )
    now = f"token {current} held by {holder!r}" if live else "no live lease"
    return StaleLeaseError(
        f"{what} of thread {thread_id!r} was refused: its lease token {token} is stale "
        f"(the thread now has {now}). Nothing was written; take the lease again and resume "
        "from the thread's latest checkpoint.",
        thread_id,
    )


def stale(lease: Lease, what: str) -> StaleLeaseError:
    """The error for renewing a lease that is no longer current."""
    return StaleLeaseError(
        f"cannot {what} the lease of thread {lease.thread_id!r}: token {lease.token} is no "
        "longer current (it expired and another worker took the thread, or it was released). "
        "Take the lease again and resume from the thread's latest checkpoint.",
        lease.thread_id,
    )


def lease_args(
    thread_id: Any, ttl: float, on_busy: str, timeout: Any, holder: str | None
) -> tuple[dict[str, Any], float | None]:
    """``acquire_lease``'s arguments checked: ``(params, deadline)``; params hold
    ``thread_id``, ``holder`` and ``ttl``, the deadline is ``time.monotonic()``'s or None."""
    check_on_busy(on_busy)
    if thread_id is None or thread_id == "":
        raise ValueError("acquire_lease needs a thread_id.")
    if isinstance(timeout, timedelta):
        timeout = timeout.total_seconds()
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0
    ):
        raise ValueError(f"timeout must be seconds (>= 0) or None, got {timeout!r}.")
    params = {"thread_id": str(thread_id), "holder": holder or new_holder(), "ttl": check_ttl(ttl)}
    return params, None if timeout is None else time.monotonic() + timeout


# Waiting for a lease: try, and while someone else holds it, poll with a growing pause.
_FIRST_PAUSE, _LONGEST_PAUSE = 0.01, 0.5


def _gave_up(on_busy: str, deadline: float | None) -> bool:
    return on_busy == "fail" or (deadline is not None and time.monotonic() >= deadline)


def take(attempt: Callable[[], Any], thread_id: str, on_busy: str, deadline: float | None) -> Lease:
    """Call ``attempt`` (a ``Lease``, or the busy lease's row) until it returns a lease;
    ``busy`` at once (``"fail"``) or at the deadline (``"wait"``)."""
    pause = _FIRST_PAUSE
    while True:
        got = attempt()
        if isinstance(got, Lease):
            return got
        if _gave_up(on_busy, deadline):
            raise busy(thread_id, got)
        time.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)


async def atake(
    attempt: Callable[[], Awaitable[Any]], thread_id: str, on_busy: str, deadline: float | None
) -> Lease:
    """``take`` for async code: it sleeps without blocking the event loop."""
    pause = _FIRST_PAUSE
    while True:
        got = await attempt()
        if isinstance(got, Lease):
            return got
        if _gave_up(on_busy, deadline):
            raise busy(thread_id, got)
        await anyio.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)


@dataclasses.dataclass
class Lease:
    """A held lease: while it is current, writes naming ``token`` go through.

    ``saver.acquire_lease`` returns one; unless taken with ``bind=False`` it also makes the
    saver name ``token`` in its writes to ``thread_id`` (unless a config names
    ``configurable.lease_token``) until released. Use it as a context manager (``with`` /
    ``async with``) to release it on exit.
    """

    saver: Any = dataclasses.field(repr=False)
    thread_id: str
    token: int
    holder: str
    expires_at: datetime
    ttl: float

    def config(self, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """``config`` (or a config of this thread) with ``configurable.lease_token`` set."""
        config = dict(config or {})
        configurable = {"thread_id": self.thread_id, **(config.get("configurable") or {})}
        configurable["lease_token"] = self.token
        config["configurable"] = configurable
        return config

    def __post_init__(self) -> None:
        _HELD_HERE.add(self.holder)

    def renew(self, ttl: float | None = None) -> None:
        """Extend the lease by ``ttl`` seconds from now; ``StaleLeaseError`` if it was lost."""
        self.saver._renew(self, ttl)

    def release(self) -> None:
        """Give the lease up now (another worker may take it at once)."""
        try:
            self.saver._release(self)
        finally:
            _HELD_HERE.discard(self.holder)

    async def arenew(self, ttl: float | None = None) -> None:
        """``renew`` for async code."""
        await self.saver._arenew(self, ttl)

    async def arelease(self) -> None:
        """``release`` for async code."""
        try:
            await self.saver._arelease(self)
        finally:
            _HELD_HERE.discard(self.holder)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    async def __aenter__(self) -> Lease:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.arelease()
