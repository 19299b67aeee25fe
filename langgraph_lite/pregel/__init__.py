"""The engine: ``Pregel`` runs nodes over channels in supersteps; ``NodeBuilder`` describes nodes."""

from langgraph_lite.pregel.main import AsyncRunStream, Pregel, RunStream
from langgraph_lite.pregel.node import ChannelWriteEntry, NodeBuilder, PregelNode

__all__ = [
    "AsyncRunStream",
    "ChannelWriteEntry",
    "NodeBuilder",
    "Pregel",
    "PregelNode",
    "RunStream",
]
