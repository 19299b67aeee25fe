"""``TimeoutPolicy``: how long one attempt of a node (or task) may take.

Lives in its own module so that ``types`` (which re-exports it) stays small; import it from
``langgraph_lite.types``, as ``TimeoutPolicy`` is imported from ``langgraph.types``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

__all__ = ["TimeoutPolicy", "coerce_timeout"]

_REFRESH_ON = ("auto", "heartbeat")


@dataclass(frozen=True)
class TimeoutPolicy:
    """Time limits for each attempt of a node or task (a retry starts the clocks again).

    ``run_timeout``: seconds (or a ``timedelta``) an attempt may run in all; nothing extends
    it. ``idle_timeout``: seconds an attempt may go without showing progress — a call of
    ``runtime.heartbeat()``, and under ``refresh_on="auto"`` (the default) also a
    ``custom`` stream write or ``push_message``. ``refresh_on="heartbeat"``: only heartbeats
    count. When a limit passes, the attempt fails with ``NodeTimeoutError``, which the
    default ``RetryPolicy`` retries.

    >>> from langgraph_lite.types import TimeoutPolicy
    >>> TimeoutPolicy(run_timeout=30, idle_timeout=5)
    TimeoutPolicy(run_timeout=30, idle_timeout=5, refresh_on='auto')

    Where a timeout is taken (``add_node(timeout=)``, ``set_node_defaults(timeout=)``,
    ``@task(timeout=)``, ``@entrypoint(timeout=)``) a number or ``timedelta`` means
    ``TimeoutPolicy(run_timeout=that)``.
    """

    run_timeout: float | timedelta | None = None
    """The most one attempt may take in all, in seconds; never refreshed."""
    idle_timeout: float | timedelta | None = None
    """The most one attempt may go without progress, in seconds."""
    refresh_on: Literal["auto", "heartbeat"] = "auto"
    """What counts as progress for ``idle_timeout``: ``"auto"`` (heartbeats, custom stream
    writes, pushed messages) or ``"heartbeat"`` (``runtime.heartbeat()`` only)."""

    @classmethod
    def coerce(cls, value: float | timedelta | TimeoutPolicy | None) -> TimeoutPolicy | None:
        """``value`` as a policy with both limits in float seconds (None: no limit)."""
        return coerce_timeout(value, "timeout")


def _seconds(value: Any, where: str, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise TypeError(
            f"{where}: {field} must be a number of seconds or a timedelta, got "
            f"{type(value).__name__} {value!r:.60}."
        )
    if not seconds > 0:  # (also catches NaN)
        raise ValueError(
            f"{where}: {field} must be greater than 0 seconds, got {value!r}. Leave the "
            "timeout out for no limit."
        )
    return seconds


def coerce_timeout(value: Any, where: str) -> TimeoutPolicy | None:
    """Check a ``timeout=`` argument and return it as a policy in float seconds.

    ``where`` names what was given it (``"add_node('fetch')"``), for the error. A number or
    ``timedelta`` is a ``run_timeout``; a policy with neither limit is no timeout (None).
    """
    if value is None:
        return None
    if not isinstance(value, TimeoutPolicy):
        if not isinstance(value, int | float | timedelta) or isinstance(value, bool):
            raise TypeError(
                f"{where}: timeout must be a TimeoutPolicy, a number of seconds or a "
                f"timedelta, got {type(value).__name__} {value!r:.60}. For example "
                "timeout=30 or timeout=TimeoutPolicy(run_timeout=30, idle_timeout=5)."
            )
        return TimeoutPolicy(run_timeout=_seconds(value, where, "timeout"))
    if value.refresh_on not in _REFRESH_ON:
        raise ValueError(
            f"{where}: TimeoutPolicy.refresh_on must be 'auto' or 'heartbeat', got "
            f"{value.refresh_on!r}."
        )
    run = _seconds(value.run_timeout, where, "run_timeout")
    idle = _seconds(value.idle_timeout, where, "idle_timeout")
    if run is None and idle is None:
        return None
    if run is value.run_timeout and idle is value.idle_timeout:  # already in float seconds
        return value
    return TimeoutPolicy(run_timeout=run, idle_timeout=idle, refresh_on=value.refresh_on)
