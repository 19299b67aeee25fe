"""``PersistentDict``: a dict an ``InMemorySaver`` can keep its storage in, written to a file.

``InMemorySaver(factory=partial(PersistentDict, filename=path))`` keeps its three tables in
PersistentDicts, as in LangGraph: they work as dicts in memory, and ``sync()`` (or ``close()``,
which the saver's ``with`` block calls at its end) writes a table's contents to ``filename``,
atomically (a temporary file, then a rename). Given one filename, as there, the three tables
write the same file in turn and the last closed (the checkpoints) is what it holds. The file is never read back: it is a pickle, and
unpickling runs code, so this library does not do it. To keep threads across processes, use
``SqliteSaver``.
"""

from __future__ import annotations

import os
import pickle
from collections import defaultdict
from typing import Any

__all__ = ["PersistentDict"]


class PersistentDict(defaultdict):  # type: ignore[type-arg]
    """A ``defaultdict`` written to ``filename`` by ``sync()`` and ``close()``."""

    def __init__(self, *args: Any, filename: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filename = filename

    def sync(self) -> None:
        """Write the contents to ``filename`` (a temporary file renamed over it)."""
        temporary = f"{self.filename}.tmp"
        try:
            with open(temporary, "wb") as file:
                pickle.dump(dict(self), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.filename)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    def close(self) -> None:
        """``sync()``, then empty the dict."""
        self.sync()
        self.clear()

    def __enter__(self) -> PersistentDict:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
