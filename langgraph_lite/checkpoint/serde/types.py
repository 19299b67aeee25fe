"""LangGraph's ``langgraph.checkpoint.serde.types`` names, for code that imports them.

The special channel names of saved writes (``ERROR``, ``INTERRUPT``, ``RESUME``, ``TASKS``,
``SCHEDULED``), the protocols a channel and a ``Send`` meet, and ``_DeltaSnapshot``:
LangGraph's blob for the full value of a ``DeltaChannel`` stored every so many versions. Our
``DeltaChannel`` (``channels/delta.py``) keeps its value in each checkpoint like any other
channel (the savers store a list that grew as what it added), so a checkpoint here never holds
a ``_DeltaSnapshot``; the type is here so that code naming it imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

from typing_extensions import Self

__all__ = [
    "ERROR",
    "INTERRUPT",
    "RESUME",
    "SCHEDULED",
    "TASKS",
    "ChannelProtocol",
    "SendProtocol",
]

ERROR = "__error__"
SCHEDULED = "__scheduled__"
INTERRUPT = "__interrupt__"
RESUME = "__resume__"
TASKS = "__pregel_tasks"

Value = TypeVar("Value", covariant=True)
Update = TypeVar("Update", contravariant=True)
C = TypeVar("C")


class _DeltaSnapshot(NamedTuple):
    """LangGraph's stored full value of a ``DeltaChannel`` (never written here, see above)."""

    value: Any


class ChannelProtocol(Protocol[Value, Update, C]):
    """What the engine needs of a channel (``channels.base.BaseChannel`` implements it)."""

    @property
    def ValueType(self) -> Any: ...

    @property
    def UpdateType(self) -> Any: ...

    def checkpoint(self) -> C | None: ...

    def from_checkpoint(self, checkpoint: C | None) -> Self: ...

    def update(self, values: Sequence[Update]) -> bool: ...

    def get(self) -> Value: ...

    def consume(self) -> bool: ...


@runtime_checkable
class SendProtocol(Protocol):
    """What a ``Send`` is to the engine: a node name and its argument."""

    node: str
    arg: Any

    def __hash__(self) -> int: ...

    def __repr__(self) -> str: ...

    def __eq__(self, value: object) -> bool: ...
