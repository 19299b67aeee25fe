"""Public value types shared by the builder and the engine."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Literal

__all__ = ["STREAM_MODES", "StreamMode", "StreamWriter"]

StreamMode = Literal["values", "updates", "custom", "messages", "checkpoints", "tasks", "debug"]
"""How ``stream`` / ``astream`` report a run.

- ``values``: the output channels' values after each step.
- ``updates``: per node, what it wrote in a step: ``{node: update}``.
- ``custom``: whatever nodes send through ``get_stream_writer()`` or their ``writer`` argument.
"""

STREAM_MODES: tuple[str, ...] = ("values", "updates", "custom")
"""The stream modes this version of the engine emits."""

StreamWriter = Callable[[Any], Any]
"""A function that sends one value to ``stream_mode="custom"``.

Called from sync code it returns when the value is queued, waiting while the stream's buffer is
full. From async code the call never blocks; ``await writer(value)`` additionally waits until
the buffer has room again, which is how a fast async producer gets backpressure.
"""


class _Ready:
    """The awaitable a writer returns when nothing needs waiting for."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # pragma: no cover - makes this a generator


READY: Any = _Ready()


def _drop_writes(value: Any) -> Any:
    """A writer for when nobody streams ``custom``: the value is dropped."""
    return READY
