"""The shapes of ``stream(..., version="v2")`` parts and of their payloads, as TypedDicts.

Each part is ``{"type": <mode>, "ns": <namespace>, "data": ...}`` (``values`` parts also carry
``interrupts``); narrow a ``StreamPart`` on ``part["type"]``. Re-exported from
``langgraph_lite.types``, where LangGraph keeps them. Types only: nothing here runs.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from typing_extensions import NotRequired, TypeAliasType, TypedDict

__all__ = [
    "CheckpointPayload",
    "CheckpointStreamPart",
    "CheckpointTask",
    "CustomStreamPart",
    "DebugPayload",
    "DebugStreamPart",
    "MessagesStreamPart",
    "StreamPart",
    "TaskPayload",
    "TaskResultPayload",
    "TasksStreamPart",
    "UpdatesStreamPart",
    "ValuesStreamPart",
]

StateT = TypeVar("StateT")
OutputT = TypeVar("OutputT")


class TaskPayload(TypedDict):
    """A ``tasks`` part when a task starts: its id, node name, input and triggers."""

    id: str
    name: str
    input: Any
    triggers: list[str]
    metadata: NotRequired[dict[str, Any]]  # the task's config metadata, when it has any


class TaskResultPayload(TypedDict):
    """A ``tasks`` part when a task ends: its writes (``result``), error text or interrupts."""

    id: str
    name: str
    error: str | None
    interrupts: list[dict]
    result: dict[str, Any]


class CheckpointTask(TypedDict):
    """One task of a ``CheckpointPayload``; which keys are present depends on how it ended."""

    id: str
    name: str
    error: NotRequired[str]
    result: NotRequired[Any]
    interrupts: NotRequired[list[dict]]
    state: Any  # a subgraph's StateSnapshot or the config naming it; None for a plain node


class CheckpointPayload(TypedDict, Generic[StateT]):
    """A ``checkpoints`` part: the saved checkpoint's config, metadata, values, next nodes."""

    config: dict[str, Any] | None
    metadata: dict[str, Any]
    values: StateT
    next: list[str]
    parent_config: dict[str, Any] | None
    tasks: list[CheckpointTask]


class _DebugCheckpoint(TypedDict, Generic[StateT]):
    step: int
    timestamp: str
    type: Literal["checkpoint"]
    payload: CheckpointPayload[StateT]


class _DebugTask(TypedDict):
    step: int
    timestamp: str
    type: Literal["task"]
    payload: TaskPayload


class _DebugTaskResult(TypedDict):
    step: int
    timestamp: str
    type: Literal["task_result"]
    payload: TaskResultPayload


DebugPayload = TypeAliasType(
    "DebugPayload",
    _DebugCheckpoint[StateT] | _DebugTask | _DebugTaskResult,
    type_params=(StateT,),
)
"""A ``debug`` part's data: a checkpoint, task or task result event; narrow on ``type``."""


class ValuesStreamPart(TypedDict, Generic[OutputT]):
    """``values``: the state after a step, and the interrupts that step raised."""

    type: Literal["values"]
    ns: tuple[str, ...]
    data: OutputT
    interrupts: tuple[Any, ...]


class UpdatesStreamPart(TypedDict):
    """``updates``: ``{node: what it returned}`` (or ``{"__interrupt__": ...}``)."""

    type: Literal["updates"]
    ns: tuple[str, ...]
    data: dict[str, Any]


class MessagesStreamPart(TypedDict):
    """``messages``: ``(message or chunk, metadata)`` from a chat model in a node."""

    type: Literal["messages"]
    ns: tuple[str, ...]
    data: tuple[Any, dict[str, Any]]


class CustomStreamPart(TypedDict):
    """``custom``: a value a node wrote with ``get_stream_writer()``."""

    type: Literal["custom"]
    ns: tuple[str, ...]
    data: Any


class CheckpointStreamPart(TypedDict, Generic[StateT]):
    """``checkpoints``: a checkpoint as it is saved."""

    type: Literal["checkpoints"]
    ns: tuple[str, ...]
    data: CheckpointPayload[StateT]


class TasksStreamPart(TypedDict):
    """``tasks``: a task starting or ending."""

    type: Literal["tasks"]
    ns: tuple[str, ...]
    data: TaskPayload | TaskResultPayload


class DebugStreamPart(TypedDict, Generic[StateT]):
    """``debug``: checkpoints and tasks, each with its step and a timestamp."""

    type: Literal["debug"]
    ns: tuple[str, ...]
    data: DebugPayload[StateT]


StreamPart = TypeAliasType(
    "StreamPart",
    ValuesStreamPart[OutputT]
    | UpdatesStreamPart
    | MessagesStreamPart
    | CustomStreamPart
    | CheckpointStreamPart[StateT]
    | TasksStreamPart
    | DebugStreamPart[StateT],
    type_params=(StateT, OutputT),
)
"""Any v2 part; ``part["type"]`` tells which."""
