"""PostgreSQL's statements for leases (see ``langgraph_lite.checkpoint.lease``).

Taking, renewing and releasing a lease are one statement each; the fence every write starts
with is in ``_core.py``. The errors and ``Lease`` are shared with the other savers and
re-exported here.
"""

from __future__ import annotations

from langgraph_lite.checkpoint.lease import (  # noqa: F401 - the savers use them as leases.*
    Lease,
    LeaseError,
    OnBusy,
    StaleLeaseError,
    ThreadBusyError,
    atake,
    busy,
    check_on_busy,
    check_ttl,
    holder_is_dead,
    lease_args,
    new_holder,
    refused,
    stale,
    take,
    token_of,
)

__all__ = ["Lease", "LeaseError", "StaleLeaseError", "ThreadBusyError"]


# Take the lease if nobody holds a live one; the token grows by one on every take.
ACQUIRE = """
INSERT INTO lgl_thread_leases AS l (thread_id, token, holder, expires_at)
VALUES (%(thread_id)s, 1, %(holder)s, now() + make_interval(secs => %(ttl)s))
ON CONFLICT (thread_id) DO UPDATE SET token = l.token + 1, holder = EXCLUDED.holder,
    expires_at = EXCLUDED.expires_at
WHERE l.expires_at <= now()
RETURNING token, expires_at"""

# A live lease whose holder is a process of this machine that died (holder_is_dead).
TAKE_FROM_DEAD = """
UPDATE lgl_thread_leases SET token = token + 1, holder = %(holder)s,
    expires_at = now() + make_interval(secs => %(ttl)s)
WHERE thread_id = %(thread_id)s AND token = %(dead_token)s AND holder = %(dead_holder)s
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
