"""``RetryPolicy``: how a failing node is retried (re-exported by ``langgraph_lite.types``)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["RetryPolicy", "default_retry_on"]


def default_retry_on(exc: Exception) -> bool:
    """Retry errors that may go away on their own; not ones caused by the code or its input.

    Connection problems and timeouts are retried; programming errors (``ValueError``,
    ``TypeError``, ``KeyError``…) are not. An exception with an HTTP ``status_code`` (or a
    ``response.status_code``) is retried for 5xx only.
    """
    if isinstance(exc, ConnectionError):
        return True
    if isinstance(
        exc,
        (
            ValueError,
            TypeError,
            ArithmeticError,
            ImportError,
            LookupError,
            NameError,
            SyntaxError,
            RuntimeError,
            ReferenceError,
            StopIteration,
            StopAsyncIteration,
            OSError,
        ),
    ):
        return False
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int):
        return status >= 500
    return True


@dataclass(frozen=True)
class RetryPolicy:
    """How a failing node is retried: attempts, waits between them, and which errors qualify.

    The wait before attempt ``n + 1`` is ``initial_interval * backoff_factor ** (n - 1)``,
    capped at ``max_interval``, plus up to one second of random jitter.

    >>> from langgraph_lite.types import RetryPolicy
    >>> policy = RetryPolicy(max_attempts=5, retry_on=TimeoutError)
    """

    initial_interval: float = 0.5
    backoff_factor: float = 2.0
    max_interval: float = 128.0
    max_attempts: int = 3
    jitter: bool = True
    retry_on: type[Exception] | Sequence[type[Exception]] | Callable[[Exception], bool] = field(
        default=default_retry_on
    )

    def matches(self, exc: BaseException) -> bool:
        """Whether ``retry_on`` covers ``exc``."""
        if not isinstance(exc, Exception):
            return False
        on = self.retry_on
        if isinstance(on, type) and issubclass(on, BaseException):
            return isinstance(exc, on)
        if isinstance(on, Sequence):
            return isinstance(exc, tuple(on))
        return bool(on(exc))  # type: ignore[call-arg]

    def should_retry(self, exc: BaseException, attempt: int) -> bool:
        """Whether to try again after ``exc`` ended attempt number ``attempt`` (from 1)."""
        return attempt < self.max_attempts and self.matches(exc)

    def wait_after(self, attempt: int) -> float:
        """Seconds to wait after attempt number ``attempt`` failed."""
        wait = min(self.max_interval, self.initial_interval * self.backoff_factor ** (attempt - 1))
        if self.jitter:
            wait += random.uniform(0, 1)
        return wait
