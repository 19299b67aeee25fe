"""Public value types shared by the builder and the engine."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Generic, Literal, NamedTuple, TypeVar

from langgraph_lite.retry_policy import RetryPolicy, default_retry_on
from langgraph_lite.stream_parts import (
    CheckpointPayload,
    CheckpointStreamPart,
    CheckpointTask,
    CustomStreamPart,
    DebugPayload,
    DebugStreamPart,
    MessagesStreamPart,
    StreamPart,
    TaskPayload,
    TaskResultPayload,
    TasksStreamPart,
    UpdatesStreamPart,
    ValuesStreamPart,
)
from langgraph_lite.timeout_policy import TimeoutPolicy, coerce_timeout
from langgraph_lite.trace_policy import TracePolicy, omit_payload
from langgraph_lite.warnings import LangGraphDeprecatedSinceV10, LangGraphDeprecatedSinceV11

__all__ = [
    "STREAM_MODES",
    "All",
    "CachePolicy",
    "CheckpointPayload",
    "CheckpointStreamPart",
    "CheckpointTask",
    "Command",
    "CustomStreamPart",
    "DebugPayload",
    "DebugStreamPart",
    "Durability",
    "GraphOutput",
    "Interrupt",
    "MessagesStreamPart",
    "Overwrite",
    "PregelTask",
    "RetryPolicy",
    "Send",
    "StateSnapshot",
    "StateUpdate",
    "StreamMode",
    "StreamPart",
    "StreamWriter",
    "TaskPayload",
    "TaskResultPayload",
    "TasksStreamPart",
    "TimeoutPolicy",
    "TracePolicy",
    "UpdatesStreamPart",
    "ValuesStreamPart",
    "default_retry_on",
    "interrupt",
    "omit_payload",
]

Durability = Literal["sync", "async", "exit"]
"""When a run saves its checkpoints: ``sync`` before the next step starts, ``async`` while it
runs (the default), ``exit`` only when the run ends."""

StreamMode = Literal["values", "updates", "custom", "messages", "checkpoints", "tasks", "debug"]
"""How ``stream`` / ``astream`` report a run.

- ``values``: the output channels' values after each step.
- ``updates``: per node, what it wrote in a step: ``{node: update}``.
- ``custom``: whatever nodes send through ``get_stream_writer()`` or their ``writer`` argument.
"""

STREAM_MODES: tuple[str, ...] = (
    "values",
    "updates",
    "custom",
    "messages",
    "tasks",
    "checkpoints",
    "debug",
    "tools",
)
"""The stream modes this version of the engine emits (``"tools"``: tool calls starting, streaming
output, finishing or failing; LangGraph streams it too, though its ``StreamMode`` omits it)."""

All = Literal["*"]
"""``interrupt_before="*"`` / ``interrupt_after="*"``: stop at every node."""

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


_PLACEHOLDER_ID = "placeholder-id"
# Keywords Interrupt took before LangGraph 0.6; saved checkpoints and old code still pass them.
_LEGACY_INTERRUPT_KEYWORDS = frozenset({"ns", "when", "resumable", "interrupt_id"})


def _ns_interrupt_id(ns: str) -> str:
    """The id of an interrupt known by its task namespace (``"node:task_id|..."``)."""
    return hashlib.sha256(ns.encode()).hexdigest()[:32]


ResponseT = TypeVar("ResponseT")


@dataclass(init=False, slots=True)
class Interrupt(Generic[ResponseT]):
    """A question a node asked with ``interrupt(value)``; resume with ``Command(resume=...)``.

    ``value`` is what the node showed; ``id`` names the question in
    ``Command(resume={id: answer})``; ``response_schema`` is the JSON Schema of the answer the
    node expects (``None`` if it gave none). As LangGraph's, it compares by its fields and is
    not hashable. ``ns``, ``when`` and ``resumable`` (keywords of LangGraph before 0.6) are
    accepted and ignored, except that ``ns`` without ``id`` gives the id.
    """

    value: Any
    id: str
    response_schema: type[ResponseT] | dict[str, Any] | None

    def __init__(
        self,
        value: Any,
        id: str = _PLACEHOLDER_ID,
        *,
        response_schema: type[ResponseT] | dict[str, Any] | None = None,
        **legacy: Any,
    ) -> None:
        unknown = sorted(set(legacy) - _LEGACY_INTERRUPT_KEYWORDS)
        if unknown:
            raise TypeError(
                f"Interrupt() got unexpected keyword argument(s) {', '.join(unknown)}: it takes "
                "value, id and response_schema (and the pre-0.6 ns, when, resumable)."
            )
        self.value = value
        self.response_schema = response_schema
        ns = legacy.get("ns")
        if id == _PLACEHOLDER_ID and isinstance(ns, Sequence) and not isinstance(ns, str):
            id = _ns_interrupt_id("|".join(ns))
        self.id = id

    @classmethod
    def from_ns(
        cls,
        value: Any,
        ns: str,
        *,
        response_schema: type[ResponseT] | dict[str, Any] | None = None,
    ) -> Interrupt[ResponseT]:
        """The interrupt a task in namespace ``ns`` (``"node:task_id|..."``) raised first."""
        return cls(value=value, id=_ns_interrupt_id(ns), response_schema=response_schema)

    @property
    def interrupt_id(self) -> str:
        """Deprecated (LangGraph 1.0): the interrupt's ``id``."""
        warnings.warn(
            "`interrupt_id` is deprecated. Use `id` instead.",
            LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        return self.id


def interrupt(value: Any, *, response_schema: Any = None) -> Any:
    """Stop the run here and ask a human: ``value`` is shown to the caller.

    The run's result (and ``stream``) carries ``Interrupt(value, id, response_schema)`` under
    ``__interrupt__``; ``get_state(config).interrupts`` lists it. Resuming with
    ``Command(resume=answer)`` runs the node again from its start, and this call returns
    ``answer``. A node may ask several times; answers are matched in order. Needs a
    checkpointer to resume.

    ``response_schema`` says what answer the node expects. A JSON Schema ``dict`` is shown to
    the client as it is and the answer is not checked. A type (a pydantic model, TypedDict,
    dataclass, or any annotation pydantic validates, such as ``int`` or ``list[str]``) is shown
    as its JSON Schema, and the answer is validated and converted: this call returns the
    model, dataclass or value pydantic made of it. An answer that does not fit raises
    ``pydantic.ValidationError`` (``errors.is_invalid_resume`` tells it apart) and nothing of
    it is saved, so the same interrupt can be answered again.

    >>> from langgraph_lite.types import interrupt
    >>> def review(state):
    ...     verdict = interrupt({"draft": state["draft"], "question": "ship it?"})
    ...     return {"approved": verdict == "yes"}
    """
    from langgraph_lite.config import current_task
    from langgraph_lite.response_schema import ResponseSchema

    task = current_task.get()
    if task is None:
        raise RuntimeError(
            "interrupt() was called outside a running node. Call it from a node function (or "
            "code a node calls) while the graph runs."
        )
    if response_schema is None:
        return task.run.interrupt(task, value)
    schema = ResponseSchema.of(response_schema)
    # an answer made of the schema's classes is saved with the run: its saver may rebuild them
    allow = getattr(getattr(task.run, "checkpointer", None), "serde", None)
    if schema.types and hasattr(allow, "allow"):
        allow.allow(*schema.types)
    return task.run.interrupt(task, value, schema)


class Send:
    """A packet for one run of ``node`` with ``arg`` as its input, in the next superstep.

    Return a list of them from a conditional edge to map over items: the node runs once per
    packet, in parallel, each run seeing only its own ``arg``.

    >>> from langgraph_lite.types import Send
    >>> def fan_out(state):
    ...     return [Send("summarize", {"doc": d}) for d in state["docs"]]
    """

    __slots__ = ("arg", "node", "timeout")

    def __init__(
        self, node: str, arg: Any, *, timeout: float | timedelta | TimeoutPolicy | None = None
    ) -> None:
        self.node = node
        self.arg = arg
        # This packet's task runs under this policy instead of its node's (a number or
        # timedelta: a run_timeout), e.g. a tighter limit for one expensive item.
        self.timeout = None if timeout is None else coerce_timeout(timeout, f"Send({node!r}, ...)")

    def __repr__(self) -> str:
        if self.timeout is None:
            return f"Send(node={self.node!r}, arg={self.arg!r})"
        return f"Send(node={self.node!r}, arg={self.arg!r}, timeout={self.timeout!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Send) and (self.node, self.arg, self.timeout) == (
            other.node,
            other.arg,
            other.timeout,
        )

    def __hash__(self) -> int:
        return hash((self.node, repr(self.arg), self.timeout))


N = TypeVar("N")


@dataclass
class Command(Generic[N]):
    """What a node returns to update state and choose where to go next, in one value.

    ``update`` is applied like a returned dict; ``goto`` names the next node(s) or ``Send``
    packets; ``graph=Command.PARENT`` sends the command to the graph enclosing this subgraph;
    ``resume`` answers an interrupt.

    >>> from langgraph_lite.types import Command
    >>> def route(state):
    ...     return Command(update={"seen": True}, goto="answer")
    """

    graph: str | None = None
    update: Any | None = None
    resume: Any | None = None
    goto: Send | str | Sequence[Send | str] = ()

    PARENT: ClassVar[str] = "__parent__"

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{k}={v!r}"
            for k, v in (
                ("graph", self.graph),
                ("update", self.update),
                ("resume", self.resume),
                ("goto", self.goto),
            )
            if v
        )
        return f"Command({shown})"


@dataclass(slots=True)
class Overwrite:
    """Write ``value`` to a reducer key as is, replacing what it holds instead of merging.

    Its JSON form, ``{"__overwrite__": value}`` (or ``{"type": "__overwrite__", "value":
    value}``, what serialising the dataclass gives), means the same, so an update that came
    through JSON keeps its meaning."""

    value: Any
    type: Literal["__overwrite__"] = "__overwrite__"
    """Tells an ``Overwrite`` apart once JSON has turned it into a dict."""


OVERWRITE = "__overwrite__"
"""The key of ``Overwrite``'s JSON form."""


def overwrite_value(value: Any) -> tuple[bool, Any]:
    """``(True, replacement)`` when ``value`` is an ``Overwrite`` or its JSON form, else
    ``(False, None)``."""
    if isinstance(value, Overwrite):
        return True, value.value
    if isinstance(value, dict):
        if len(value) == 1 and OVERWRITE in value:
            return True, value[OVERWRITE]
        if value.get("type") == OVERWRITE and "value" in value:
            return True, value["value"]
    return False, None


@dataclass(frozen=True, kw_only=True, slots=True)
class CachePolicy:
    """How a node's results are cached: ``add_node(..., cache_policy=CachePolicy(ttl=60))``.

    A node with a cache policy, in a graph compiled with ``cache=``, is not run again for an
    input it has seen within ``ttl`` seconds (``None``: until the cache is cleared); its
    writes are taken from the cache. ``key_func`` turns the node's input into a ``str`` or
    ``bytes`` key; ``None`` means ``langgraph_lite.cache.base.default_cache_key`` (a hash of
    the input's encoding by the checkpoint serializer, never pickle).

    >>> from langgraph_lite.types import CachePolicy
    >>> policy = CachePolicy(ttl=120)
    """

    key_func: Callable[..., str | bytes] | None = None
    ttl: int | None = None


@dataclass(frozen=True)
class GraphOutput(Generic[N]):
    """What ``invoke`` / ``ainvoke`` return with ``version="v2"``: the output, and the
    interrupts that stopped the run (empty if it finished).

    ``result["key"]`` and ``"key" in result`` still work (``"__interrupt__"`` reads the
    interrupts) but warn: read ``result.value`` and ``result.interrupts`` instead."""

    value: N
    interrupts: tuple[Interrupt, ...] = ()

    def __getitem__(self, key: str) -> Any:
        _warn_item_access("result[key]")
        if key == "__interrupt__":
            return self.interrupts
        if isinstance(self.value, dict):
            return self.value[key]
        try:
            return getattr(self.value, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        _warn_item_access("key in result")
        if key == "__interrupt__":
            return bool(self.interrupts)
        if isinstance(self.value, dict):
            return key in self.value
        return isinstance(key, str) and hasattr(self.value, key)


def _warn_item_access(how: str) -> None:
    warnings.warn(
        f"Accessing GraphOutput via `{how}` is deprecated. Use `result.value` to access the "
        "output value directly, or `result.interrupts` for interrupts.",
        LangGraphDeprecatedSinceV11,
        stacklevel=3,
    )


class PregelTask(NamedTuple):
    """A task of a saved step, as ``get_state().tasks`` shows it."""

    id: str
    name: str
    path: tuple[Any, ...]
    error: Any = None
    interrupts: tuple[Interrupt, ...] = ()
    state: Any = None
    result: Any = None


class StateUpdate(NamedTuple):
    """One update of a superstep given to ``bulk_update_state``: ``values`` as if node
    ``as_node`` returned them. ``task_id`` names the task the writes are saved under (by
    default the id of the task of ``as_node`` that was due, so the history shows them as its
    result)."""

    values: dict[str, Any] | Any | None
    as_node: str | None = None
    task_id: str | None = None


class StateSnapshot(NamedTuple):
    """A thread's state at one checkpoint, as ``get_state`` / ``get_state_history`` give it."""

    values: dict[str, Any] | Any
    """The state's values."""
    next: tuple[str, ...]
    """The nodes the next step would run (empty when the run is over)."""
    config: dict[str, Any]
    """The config naming this checkpoint."""
    metadata: dict[str, Any] | None
    """Why the checkpoint exists: source, step, parents, user metadata."""
    created_at: str | None
    """When the checkpoint was saved (ISO 8601)."""
    parent_config: dict[str, Any] | None
    """The config naming the checkpoint before this one."""
    tasks: tuple[PregelTask, ...]
    """The next step's tasks, with errors and interrupts of the step that did not finish."""
    interrupts: tuple[Interrupt, ...] = ()
    """Interrupts waiting for an answer."""
