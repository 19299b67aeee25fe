"""What a tool may have injected instead of filled by the model: the markers that say so and
the context a running tool call takes them from."""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, get_args, get_origin

from typing_extensions import TypeVar

from langgraph_lite.channels.base import MISSING
from langgraph_lite.tool_events import emit_output_delta
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
    order; ``execution_info`` and ``server_info`` are the node's (``Runtime``'s). It may be
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

    def emit_output_delta(self, delta: Any) -> None:
        """Stream ``delta`` as a piece of this tool call's output, on ``stream_mode="tools"``
        (a ``tool-output-delta`` event); does nothing when the run does not stream tools."""
        emit_output_delta(delta)


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


def tool_type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """``fn``'s type hints with their ``Annotated`` marks, as Python 3.11 reads them.

    Python 3.10's ``get_type_hints`` wraps the hint of a parameter defaulting to None in
    ``Optional[...]``, which hides an ``Annotated[..., InjectedState(...)]`` inside it; that
    wrapping is undone here, so injection works the same on every version."""
    hints = typing.get_type_hints(fn, include_extras=True)
    if sys.version_info < (3, 11):
        for name, hint in hints.items():
            if get_origin(hint) is typing.Union:
                marked = [a for a in get_args(hint) if get_origin(a) is Annotated]
                if len(marked) == 1 and len(get_args(hint)) == 2 and type(None) in get_args(hint):
                    hints[name] = marked[0]
    return hints


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
    execution_info: Any = None  # from a LangGraph runtime given in the config, if any
    server_info: Any = None
    # the AIMessage whose calls these are is LangChain's: ToolNode answers with LangChain's
    # ToolMessages (see langgraph_lite.interop.family)
    langchain: bool = False

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
            execution_info=self.execution_info,
            server_info=self.server_info,
        )

    @classmethod
    def current(cls, config: dict[str, Any] | None = None) -> ToolCallContext:
        """A context from the node running now (if any): its config, writer and run context."""
        from langgraph_lite.config import current_task

        task = current_task.get()
        if task is None:
            # ToolNode run by hand with LangGraph's runtime in its config (as LangGraph's own
            # tests do): the store, context and writer come from that runtime
            runtime = ((config or {}).get("configurable") or {}).get("__pregel_runtime")
            if runtime is None:
                return cls(config=config)
            return cls(
                config=config,
                writer=getattr(runtime, "stream_writer", None),
                context=getattr(runtime, "context", None),
                store=getattr(runtime, "store", None),
                execution_info=getattr(runtime, "execution_info", None),
                server_info=getattr(runtime, "server_info", None),
            )
        runtime = getattr(task, "runtime", None)  # (a stand-in task may have none)
        return cls(
            config=config if config is not None else task.config,
            writer=task.writer,
            context=getattr(task.run, "context", None),
            store=getattr(task.run, "store", None),
            execution_info=getattr(runtime, "execution_info", None),
            server_info=getattr(runtime, "server_info", None),
        )


# -- which parameters are injected ---------------------------------------------------------------


def _inspect_params(
    fn: Callable[..., Any], tool_name: str
) -> tuple[dict[str, _Injection], dict[str, tuple[Any, Any]], bool]:
    """Split ``fn``'s parameters into injected ones and the model's (annotation, default)."""
    try:
        hints = tool_type_hints(fn)
    except Exception as exc:  # an annotation that does not resolve
        raise TypeError(
            f"cannot read the type hints of tool {tool_name!r} ({exc}). Make every annotation "
            "importable at module level."
        ) from exc
    injected: dict[str, _Injection] = {}
    exposed: dict[str, tuple[Any, Any]] = {}
    takes_kwargs = False
    for param in inspect.signature(fn).parameters.values():
        if param.kind is param.VAR_KEYWORD:
            takes_kwargs = True
            continue
        if param.kind is param.VAR_POSITIONAL:
            continue
        annotation = hints.get(param.name, Any)
        how = _injection_for(param.name, annotation)
        if how is not None:
            if how.field is not None and param.default is not param.empty:
                how = dataclasses.replace(how, optional=True)
            injected[param.name] = how
            continue
        default = ... if param.default is param.empty else param.default
        exposed[param.name] = (annotation, default)
    return injected, exposed, takes_kwargs


def _has_field(state: Any, key: str) -> bool:
    return key in state if isinstance(state, dict) else hasattr(state, key)


def _state_field(state: Any, key: str, tool_name: str, param: str) -> Any:
    if isinstance(state, dict):
        if key in state:
            return state[key]
    elif hasattr(state, key):
        return getattr(state, key)
    keys = ", ".join(map(repr, state)) if isinstance(state, dict) else type(state).__name__
    raise KeyError(
        f"tool {tool_name!r} takes state[{key!r}] ({param!r}), but the state has no key "
        f"{key!r} (it has: {keys}). Add the key to the graph's state schema, or fix the name "
        f"in InjectedState({key!r})."
    )
