"""Channels: the typed cells that hold a run's state between supersteps.

Each decides how one step's writes combine (``update``), when it can be read (``is_available``)
and what survives a checkpoint.
"""

from langgraph_lite.channels.any_value import AnyValue
from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.channels.binop import BinaryOperatorAggregate
from langgraph_lite.channels.delta import DeltaChannel
from langgraph_lite.channels.ephemeral_value import EphemeralValue
from langgraph_lite.channels.last_value import LastValue, LastValueAfterFinish
from langgraph_lite.channels.named_barrier_value import (
    NamedBarrierValue,
    NamedBarrierValueAfterFinish,
)
from langgraph_lite.channels.topic import Topic
from langgraph_lite.channels.untracked_value import UntrackedValue

__all__ = [
    "MISSING",
    "AnyValue",
    "BaseChannel",
    "BinaryOperatorAggregate",
    "DeltaChannel",
    "EphemeralValue",
    "LastValue",
    "LastValueAfterFinish",
    "NamedBarrierValue",
    "NamedBarrierValueAfterFinish",
    "Topic",
    "UntrackedValue",
]
