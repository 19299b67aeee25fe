"""``StreamProtocol``: where a graph run inside a node sends chunks for its parent's consumer.

LangGraph hands one to a subgraph under the private configurable key ``"__pregel_stream"``
(``CONFIG_KEY_STREAM``): a callable taking ``(namespace, mode, chunk)`` tuples and the set of
modes the parent's consumer takes. This engine streams its own subgraphs another way (see
``pregel/output.py``); ``RemoteGraph`` accepts one given this way, and otherwise finds the
stream of the node it runs in. ``PregelProtocol`` marks a graph that is not a ``Pregel``
(``RemoteGraph``) as a subgraph when it is a node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CONFIG_KEY_STREAM", "PregelProtocol", "StreamProtocol"]

CONFIG_KEY_STREAM = "__pregel_stream"
"""The configurable key LangGraph passes a parent's ``StreamProtocol`` under."""


class StreamProtocol:
    """A parent's stream: call it with ``(namespace, mode, chunk)``; ``modes`` are the modes
    its consumer takes (a chunk of another mode is not sent)."""

    __slots__ = ("__call__", "modes")

    modes: set[str]
    __call__: Callable[[tuple[tuple[str, ...], str, Any]], Any]

    def __init__(
        self, __call__: Callable[[tuple[tuple[str, ...], str, Any]], Any], modes: set[str]
    ) -> None:
        self.__call__ = __call__
        self.modes = modes

    def __repr__(self) -> str:
        return f"StreamProtocol(modes={sorted(self.modes)!r})"


class PregelProtocol:
    """What a graph that runs elsewhere (``RemoteGraph``) declares itself as, as LangGraph's
    ``PregelProtocol``: used as a node, it counts as that node's subgraph (its task's state
    points at its checkpoints, ``get_subgraphs`` lists it)."""

    __slots__ = ()
