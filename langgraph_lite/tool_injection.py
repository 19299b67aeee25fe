"""What a tool may have injected instead of filled by the model: the markers that say so and
the context a running tool call takes them from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, get_args, get_origin

from typing_extensions import TypeVar

from langgraph_lite.channels.base import MISSING
from langgraph_lite.types import StreamWriter, _drop_writes

__all__ = [
    "InjectedConfig",
    "InjectedState",
    "InjectedStore",
    "InjectedToolCallId",
    "ToolCallContext",
    "ToolRuntime",
]


class InjectedState:
    """Marks a tool parameter that receives the graph state (or one key of it).

    ``Annotated[dict, InjectedState]`` gets the whole state; ``Annotated[str,
    InjectedState("user")]`` gets ``state["user"]``.
    """

    def __init__(self, field: str | None = None) -> None:
        self.field = field

    def __repr__(self) -> str:
        return f"InjectedState({self.field!r})" if self.field else "InjectedState()"


class InjectedConfig:
    """Marks a tool parameter that receives the run's config (as ``get_config()`` returns it)."""


class InjectedToolCallId:
    """Marks a tool parameter that receives the id of the tool call being answered."""


class InjectedStore:
    """Marks a tool parameter that receives the graph's store (``compile(store=...)``):
    ``Annotated[BaseStore, InjectedStore()]``. It is ``None`` when the graph has none."""


ContextT = TypeVar("ContextT", default=None)
StateT = TypeVar("StateT", default=dict)


@dataclass
class ToolRuntime(Generic[ContextT, StateT]):
    """Everything a tool may ask for at once, given to a parameter annotated ``ToolRuntime``
    (or named ``runtime``): the graph ``state``, the run's ``context`` (as passed to
    ``invoke(..., context=...)``), its ``config``, ``stream_writer``, the ``tool_call_id``,
    the ``store``, and the ``tools`` of the node running it. The fields are LangGraph's, in its
    order; ``execution_info`` and ``server_info`` stay ``None`` here. It may be
    parametrised, as LangGraph's: ``ToolRuntime[MyContext, MyState]``.
    """

    state: Any = None
    context: Any = None
    config: dict[str, Any] = field(default_factory=dict)
    stream_writer: StreamWriter = field(default=_drop_writes)
    tool_call_id: str | None = None
    store: Any = None
    tools: list[Any] = field(
        default_factory=list
    )  # Tool objects; Any keeps pydantic schemas of it buildable
    execution_info: Any = None
    server_info: Any = None


# What an injected parameter receives. ``field`` is only used for ``state``.
@dataclass(frozen=True)
class _Injection:
    kind: str  # "state" | "config" | "writer" | "runtime" | "tool_call_id" | "store"
    field: str | None = None
    optional: bool = False  # a state key the parameter has a default for: left out if missing


_BY_NAME = {
    "state": _Injection("state"),
    "config": _Injection("config"),
    "writer": _Injection("writer"),
    "runtime": _Injection("runtime"),
}


def _injection_for(name: str, annotation: Any) -> _Injection | None:
    """How parameter ``name`` with ``annotation`` is injected, or None if the model fills it."""
    if annotation is ToolRuntime or get_origin(annotation) is ToolRuntime:
        return _Injection("runtime")
    if get_origin(annotation) is Annotated:
        base, *extras = get_args(annotation)
        for extra in extras:
            if extra is InjectedState:
                return _Injection("state")
            if isinstance(extra, InjectedState):
                return _Injection("state", extra.field)
            if extra is InjectedConfig or isinstance(extra, InjectedConfig):
                return _Injection("config")
            if extra is InjectedToolCallId or isinstance(extra, InjectedToolCallId):
                return _Injection("tool_call_id")
            if extra is InjectedStore or isinstance(extra, InjectedStore):
                return _Injection("store")
        if base is ToolRuntime or get_origin(base) is ToolRuntime:
            return _Injection("runtime")
    return _BY_NAME.get(name)


@dataclass
class ToolCallContext:
    """What a running tool call may have injected. ``ToolNode`` builds one per call."""

    state: Any = MISSING
    tool_call_id: str | None = None
    config: dict[str, Any] | None = None
    writer: StreamWriter | None = None
    context: Any = None
    store: Any = None
    tools: list[Any] = field(
        default_factory=list
    )  # Tool objects; Any keeps pydantic schemas of it buildable
    runtime: ToolRuntime | None = None  # given as is when set (a wrap_tool_call's own)
    messages_key: str = "messages"  # a list given as the state is the messages under this key

    def make_runtime(self) -> ToolRuntime:
        """The ``ToolRuntime`` a tool of this call is given."""
        if self.runtime is not None:
            return self.runtime
        return ToolRuntime(
            state=None if self.state is MISSING else self.state,
            context=self.context,
            config=self.config if self.config is not None else {},
            stream_writer=self.writer if self.writer is not None else _drop_writes,
            tool_call_id=self.tool_call_id,
            store=self.store,
            tools=list(self.tools),
        )

    @classmethod
    def current(cls, config: dict[str, Any] | None = None) -> ToolCallContext:
        """A context from the node running now (if any): its config, writer and run context."""
        from langgraph_lite.config import current_task

        task = current_task.get()
        if task is None:
            return cls(config=config)
        return cls(
            config=config if config is not None else task.config,
            writer=task.writer,
            context=getattr(task.run, "context", None),
            store=getattr(task.run, "store", None),
        )
