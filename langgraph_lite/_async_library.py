"""Which async library is running, without depending on sniffio.

anyio no longer requires sniffio, and it is not one of our dependencies. trio does require it,
so when sniffio cannot be imported, the only event loop that can be running is asyncio's.
"""

from __future__ import annotations

import asyncio


def current_async_library() -> str | None:
    """``"asyncio"``, ``"trio"``, …, or None outside an event loop."""
    try:
        import sniffio
    except ImportError:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return None
        return "asyncio"
    try:
        return sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return None
