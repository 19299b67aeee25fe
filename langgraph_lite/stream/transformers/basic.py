"""The three transformers that copy one stream mode, at the run's own level, into a channel:
``values`` (state after each step), ``updates`` (what each node returned) and ``custom``
(what nodes wrote with ``get_stream_writer()``).

"Own level" is the transformer's scope: ``()`` for a root run, the caller's checkpoint
namespace for a v3 run started inside a node, a subgraph's namespace for a subgraph handle.
Events of deeper graphs stay in the main log and show up on their subgraph's handle instead.
"""

from __future__ import annotations

from typing import Any

from langgraph_lite.stream._types import ProtocolEvent, StreamTransformer
from langgraph_lite.stream.stream_channel import StreamChannel

__all__ = ["CustomTransformer", "UpdatesTransformer", "ValuesTransformer"]


class _OwnLevelTransformer(StreamTransformer):
    """Pushes the data of every event of one method, at this scope, onto one channel."""

    _native = True
    _method: str

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        super().__init__(scope)
        self._log: StreamChannel[Any] = StreamChannel()
        # A list, because that is what the event's namespace is: == with no conversion.
        self._scope_list = list(scope)

    def init(self) -> dict[str, Any]:
        return {self._method: self._log}

    def _take(self, params: Any) -> None:
        self._log.push(params["data"])

    def process(self, event: ProtocolEvent) -> bool:
        if event["method"] == self._method:
            params = event["params"]
            if params["namespace"] == self._scope_list:
                self._take(params)
        return True


class ValuesTransformer(_OwnLevelTransformer):
    """``run.values``: the graph's state after each step, at the run's own level.

    It also remembers the last state and any interrupts; ``run.output`` and ``run.interrupts``
    do not depend on it (the run stream tracks them itself).
    """

    _method = "values"
    required_stream_modes = ("values",)

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        """Watch ``values`` events of ``scope``."""
        super().__init__(scope)
        self._latest: dict[str, Any] | None = None
        self._interrupted = False
        self._interrupts: list[Any] = []

    @property
    def error(self) -> BaseException | None:
        """What ended the run, once it failed; ``None`` while it runs or when it succeeded."""
        return self._log._error

    def _take(self, params: Any) -> None:
        self._latest = params["data"]
        interrupts = params.get("interrupts", ())
        if interrupts:
            self._interrupted = True
            self._interrupts.extend(interrupts)
        self._log.push(params["data"])


class UpdatesTransformer(_OwnLevelTransformer):
    """``run.updates``: ``{node: update}`` after each node ran, at the run's own level."""

    _method = "updates"
    required_stream_modes = ("updates",)


class CustomTransformer(_OwnLevelTransformer):
    """``run.custom``: the values nodes wrote with ``get_stream_writer()``, at the run's level."""

    _method = "custom"
    required_stream_modes = ("custom",)
