"""The compiled graph a run reads: built once from ``Pregel``'s arguments, never changed.

``Pregel.__init__`` checks what it was given; this is what is left of it for the loop: the
nodes and channel specs, the index from a channel to the nodes it triggers, the channels that
act at the end of a run or when read, and how an input becomes writes. The loop reads only
this, never ``Pregel`` itself, so a graph can be run by anything that builds a spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.channels.base import BaseChannel
from langgraph_lite.channels.last_value import LastValue
from langgraph_lite.channels.untracked_value import UntrackedValue

if TYPE_CHECKING:
    from langgraph_lite.pregel.node import PregelNode

__all__ = ["GraphSpec"]


class GraphSpec:
    """What a run needs to know about its graph; the loop's only view of it."""

    __slots__ = (
        "calls_tasks",
        "channels",
        "consume_channels",
        "expiring_channels",
        "finish_channels",
        "map_input",
        "nodes",
        "trigger_index",
        "untracked",
    )

    def __init__(
        self,
        nodes: Mapping[str, PregelNode],
        channels: Mapping[str, BaseChannel],
        map_input: Callable[[Any], list[tuple[str, Any]]],
    ) -> None:
        self.nodes = nodes
        # The channel specs; each run makes its own instances from them.
        self.channels = channels
        # The run's input -> the writes it makes (raises on bad input, before any node runs).
        self.map_input = map_input
        # trigger_index[channel]: the nodes it triggers, sorted. Planning looks changed
        # channels up here instead of scanning every node.
        index: dict[str, list[str]] = {}
        for key in sorted(nodes):
            for chan in nodes[key].triggers:
                index.setdefault(chan, []).append(key)
        self.trigger_index: Mapping[str, Sequence[str]] = index
        # Whether a node's body starts tasks while it runs (an @entrypoint's, marked so by
        # langgraph_lite.func): their results stream mid-step, so such steps run live.
        self.calls_tasks = any(
            getattr(step.obj, "calls_tasks", False)
            for node in nodes.values()
            for step in node._steps
        )
        # Channels that do something when the run would end (finish) or when a node reads
        # them (consume); only these are visited for it, so most steps visit none.
        self.finish_channels = [
            k for k, ch in channels.items() if type(ch).finish is not BaseChannel.finish
        ]
        self.consume_channels = frozenset(
            k for k, ch in channels.items() if type(ch).consume is not BaseChannel.consume
        )
        # Channels that may change in a step that does not write them (ephemeral values
        # expire, topics clear): all but LastValue, whose empty update never changes it.
        self.expiring_channels = frozenset(
            k for k, ch in channels.items() if type(ch) is not LastValue
        )
        # Channels never saved: their writes are left out of the pending writes too.
        self.untracked = frozenset(
            k for k, ch in channels.items() if isinstance(ch, UntrackedValue)
        )

    def __repr__(self) -> str:
        return f"GraphSpec(nodes={list(self.nodes)!r}, channels={list(self.channels)!r})"
