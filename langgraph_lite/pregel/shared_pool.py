"""Thread pools shared by every run of the process, each made on first use.

Starting threads costs more than a short node, so the drivers keep their worker threads
between runs. A forked child (a Celery prefork worker) has none of its parent's threads: a pool
it inherited would take jobs and never run them, so every pool is forgotten in the child and
made again there on first use.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["SharedPool"]


class SharedPool:
    """One process-wide ``ThreadPoolExecutor`` of ``size`` threads named ``prefix``-N."""

    def __init__(self, size: int, prefix: str) -> None:
        self.size = size
        self.prefix = prefix
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        _pools.append(self)

    def get(self) -> ThreadPoolExecutor:
        """The pool, made now if this process has none yet."""
        pool = self._pool
        if pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.size, thread_name_prefix=self.prefix)
                pool = self._pool
        return pool

    def reset(self) -> None:
        """End the pool's threads (waiting for their jobs); the next ``get`` makes a new one."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def forget(self) -> None:
        """Drop the pool without waiting for its threads (in a forked child: they are gone)."""
        self._pool, self._lock = None, threading.Lock()


_pools: list[SharedPool] = []


def _forget_all() -> None:
    for pool in _pools:
        pool.forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_all)
