"""One writer per thread: leases with fencing tokens, kept in the database.

A worker that means to run a thread takes its lease first (``saver.acquire_lease``) and only
then reads the thread's latest checkpoint. The lease row holds a token that grows by one each
time anyone takes the lease; every ``put`` / ``put_writes`` names the token it holds and is
refused, inside the same statement, when that token is no longer the current one. So a worker
that stalled past its lease's expiry and woke up after another took over writes nothing, and
gets ``StaleLeaseError``.

A write that names no token is refused (``ThreadBusyError``) while someone holds a live lease.
Lease rows are never deleted (not by ``delete_thread`` nor ``prune``): a token is never handed
out twice, so a stale holder can never match a newer lease by accident.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from langgraph_lite.checkpoint.postgres import PostgresSaver
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

__all__ = ["Lease", "LeaseError", "StaleLeaseError", "ThreadBusyError"]

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


# Take the lease if nobody holds a live one; the token grows by one on every take.
ACQUIRE = """
INSERT INTO lgl_thread_leases AS l (thread_id, token, holder, expires_at)
VALUES (%(thread_id)s, 1, %(holder)s, now() + make_interval(secs => %(ttl)s))
ON CONFLICT (thread_id) DO UPDATE SET token = l.token + 1, holder = EXCLUDED.holder,
    expires_at = EXCLUDED.expires_at
WHERE l.expires_at <= now()
RETURNING token, expires_at"""

RENEW = """
UPDATE lgl_thread_leases SET expires_at = now() + make_interval(secs => %(ttl)s)
WHERE thread_id = %(thread_id)s AND token = %(token)s
RETURNING token, expires_at"""

# Released leases stay as rows with a past expiry: the next take continues the token count.
RELEASE = """
UPDATE lgl_thread_leases SET expires_at = now()
WHERE thread_id = %(thread_id)s AND token = %(token)s AND expires_at > now()
RETURNING token"""

HOLDER = """
SELECT token, holder, expires_at, expires_at > now() FROM lgl_thread_leases
WHERE thread_id = %(thread_id)s"""


def new_holder() -> str:
    """A name for a new lease's holder, unique across machines."""
    return uuid.uuid4().hex


def check_ttl(ttl: float) -> float:
    """``ttl`` as seconds; a lease must last a while."""
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not ttl > 0:
        raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}.")
    return float(ttl)


def check_on_busy(on_busy: str) -> None:
    if on_busy not in ("fail", "wait"):
        raise ValueError(f"on_busy must be 'fail' or 'wait', got {on_busy!r}.")


def busy(thread_id: str, row: Any) -> ThreadBusyError:
    """The error for a lease that someone else holds (``row`` is ``HOLDER``'s)."""
    holder, expires = (row[1], row[2]) if row else ("?", "?")
    return ThreadBusyError(
        f"thread {thread_id!r} is busy: worker {holder!r} holds its lease until {expires}. "
        "Wait for it (acquire_lease(..., on_busy='wait')), or run another thread.",
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


@dataclasses.dataclass
class Lease:
    """A held lease: while it is current, writes naming ``token`` go through.

    ``saver.acquire_lease`` returns one; it also makes the saver name ``token`` in its writes
    to ``thread_id`` (unless a config names ``configurable.lease_token``) until released.
    Use it as a context manager (``with`` / ``async with``) to release it on exit.
    """

    saver: PostgresSaver | AsyncPostgresSaver = dataclasses.field(repr=False)
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

    def renew(self, ttl: float | None = None) -> None:
        """Extend the lease by ``ttl`` seconds from now; ``StaleLeaseError`` if it was lost."""
        self.saver._renew(self, ttl)

    def release(self) -> None:
        """Give the lease up now (another worker may take it at once)."""
        self.saver._release(self)

    async def arenew(self, ttl: float | None = None) -> None:
        """``renew`` for ``AsyncPostgresSaver``."""
        await self.saver._arenew(self, ttl)

    async def arelease(self) -> None:
        """``release`` for ``AsyncPostgresSaver``."""
        await self.saver._arelease(self)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    async def __aenter__(self) -> Lease:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.arelease()


def stale(lease: Lease, what: str) -> StaleLeaseError:
    return StaleLeaseError(
        f"cannot {what} the lease of thread {lease.thread_id!r}: token {lease.token} is no "
        "longer current (it expired and another worker took the thread, or it was released). "
        "Take the lease again and resume from the thread's latest checkpoint.",
        lease.thread_id,
    )
