"""Tools: Python functions a chat model may call, with a schema of their arguments.

A tool has a ``name``, a ``description`` (the function's docstring) and an ``args_schema``: a
pydantic model built from the function's type hints, which the model is shown and which
validates the arguments it sends before the function runs.

>>> from langgraph_lite.tools import tool
>>> @tool
... def add(a: int, b: int) -> int:
...     '''Add two integers.'''
...     return a + b
>>> add.name, add.description
('add', 'Add two integers.')
>>> sorted(add.args_schema.model_json_schema()["properties"])
['a', 'b']
>>> add.invoke({"a": 2, "b": "3"})  # validated (and coerced) first
5

Some parameters are not the model's to fill: they are *injected* when the tool runs. A
parameter is injected when it is named ``state`` (the graph state), ``config`` (the run's
config), ``writer`` (the stream writer) or ``runtime`` (a ``ToolRuntime`` with all of these),
or when its annotation carries a marker: ``Annotated[dict, InjectedState]`` (the state),
``Annotated[str, InjectedState("user")]`` (one key of it), ``Annotated[dict, InjectedConfig]``,
``Annotated[str, InjectedToolCallId]``, ``Annotated[BaseStore, InjectedStore()]``, or
``ToolRuntime``. Injected parameters are left out
of ``args_schema``, so the model never sees them. ``ToolNode`` fills them in; when a tool is
called directly, pass them in the arguments (``tool.invoke({"x": 1, "state": {...}})``).

Inside a tool, ``get_stream_writer()`` and ``get_config()`` work as in any node: a tool runs
inside the node that calls it.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Awaitable, Callable
from typing import Any, Literal, overload

import pydantic

from langgraph_lite.channels.base import MISSING
from langgraph_lite.interop import family
from langgraph_lite.message_parts import TOOL_MESSAGE_BLOCK_TYPES, tool_output_content
from langgraph_lite.messages import ToolMessage
from langgraph_lite.tool_events import ToolCallReport
from langgraph_lite.tool_injection import (
    InjectedConfig,
    InjectedState,
    InjectedStore,
    InjectedToolCallId,
    ToolCallContext,
    ToolRuntime,
    _has_field,
    _Injection,
    _inspect_params,
    _state_field,
)
from langgraph_lite.types import Command, _drop_writes

__all__ = [
    "TOOL_MESSAGE_BLOCK_TYPES",
    "InjectedConfig",
    "InjectedState",
    "InjectedStore",
    "InjectedToolCallId",
    "Tool",
    "ToolRuntime",
    "convert_to_openai_tool",
    "make_tool",
    "tool",
]


# -- the tool ------------------------------------------------------------------------------------


class Tool:
    """A function a chat model may call: ``name``, ``description``, ``args_schema`` and the code.

    Build one with ``@tool`` or ``make_tool(fn)``. ``invoke(args)`` / ``await ainvoke(args)``
    validate ``args`` against ``args_schema`` (raising ``pydantic.ValidationError`` when they
    do not fit) and call the function; given a whole tool call (``{"name", "args", "id",
    "type": "tool_call"}``) they return a ``ToolMessage`` answering it.
    """

    def __init__(
        self,
        name: str,
        description: str,
        *,
        func: Callable[..., Any] | None = None,
        coroutine: Callable[..., Awaitable[Any]] | None = None,
        args_schema: type[pydantic.BaseModel] | None = None,
        return_direct: bool = False,
        response_format: Literal["content", "content_and_artifact"] = "content",
    ) -> None:
        if func is None and coroutine is None:
            raise TypeError(f"tool {name!r} needs a function (func=) or a coroutine function.")
        self.name = name
        self.description = description
        self.func = func
        self.coroutine = coroutine
        self.return_direct = return_direct
        if response_format not in ("content", "content_and_artifact"):
            raise ValueError(
                f"tool {name!r}: response_format={response_format!r} is not one of 'content', "
                "'content_and_artifact'."
            )
        self.response_format = response_format
        target = coroutine if coroutine is not None else func
        assert target is not None
        self._injected, exposed, self._takes_kwargs = _inspect_params(target, name)
        if args_schema is None:
            args_schema = _schema_model(name, description, exposed, self._takes_kwargs)
        self.args_schema: type[pydantic.BaseModel] = args_schema

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r})"

    @property
    def tool_call_schema(self) -> type[pydantic.BaseModel]:
        """The arguments the model fills in, as a pydantic model (``.model_json_schema()``)."""
        return self.args_schema

    @property
    def args(self) -> dict[str, Any]:
        """The JSON schema of each argument the model fills in, by name."""
        props: dict[str, Any] = self.args_schema.model_json_schema().get("properties", {})
        return props

    @property
    def injected_args(self) -> dict[str, str]:
        """The parameters filled in when the tool runs, and what they receive."""
        return {
            p: inj.kind + (f"[{inj.field!r}]" if inj.field else "")
            for p, inj in self._injected.items()
        }

    # -- calling -------------------------------------------------------------------------------

    def invoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Validate ``input`` and call the tool; a tool call as input gives a ``ToolMessage``."""
        args, ctx, call = self._parse(input, config)
        report = ToolCallReport.start(self.name, ctx.tool_call_id, args)  # stream_mode="tools"
        try:
            output = self.run(self.validate(args), ctx, given=args)
            result = self.answer(output, call) if call is not None else self.content_of(output)
        except BaseException as exc:
            if report is not None:
                report.failed(exc)
            raise
        if report is not None:
            report.finished(result)
        return result

    async def ainvoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """``invoke`` for async code; a sync tool runs in a worker thread."""
        args, ctx, call = self._parse(input, config)
        report = ToolCallReport.start(self.name, ctx.tool_call_id, args)
        try:
            output = await self.arun(self.validate(args), ctx, given=args)
            result = self.answer(output, call) if call is not None else self.content_of(output)
        except BaseException as exc:
            if report is not None:
                report.failed(exc)
            raise
        if report is not None:
            report.finished(result)
        return result

    def validate(self, args: Any) -> dict[str, Any]:
        """The keyword arguments for the function: ``args`` checked against ``args_schema``.

        Keys naming injected parameters are left out (they are passed as given). Raises
        ``pydantic.ValidationError``, which names each argument that does not fit.
        """
        if isinstance(args, str):
            fields = list(self.args_schema.model_fields)
            if len(fields) == 1:
                args = {fields[0]: args}
        if isinstance(args, dict) and self._injected:
            args = {k: v for k, v in args.items() if k not in self._injected}
        model = self.args_schema.model_validate(args)
        # attribute access keeps nested models as models (model_dump would make them dicts)
        values = {name: getattr(model, name) for name in type(model).model_fields}
        extra = model.model_extra or {}
        if self._takes_kwargs:
            values.update(extra)
        return values

    def content_of(self, output: Any) -> Any:
        """What the function returned, less the artifact (``response_format``)."""
        return self._split(output)[0]

    def answer(self, output: Any, call: dict[str, Any]) -> Any:
        """The ``ToolMessage`` answering ``call`` with ``output`` (a ``ToolMessage`` or
        ``Command`` the function returned is its own answer)."""
        if isinstance(output, Command) or family.is_tool_message(output):
            return output
        content, artifact = self._split(output)
        return ToolMessage(
            content=tool_output_content(content),
            name=self.name,
            tool_call_id=str(call.get("id") or ""),
            artifact=artifact,
        )

    def _split(self, output: Any) -> tuple[Any, Any]:
        if self.response_format == "content":
            return output, None
        if not isinstance(output, tuple) or len(output) != 2:
            raise ValueError(
                "Since response_format='content_and_artifact' a two-tuple of the message "
                "content and raw tool output is expected. Instead, generated response is of "
                f"type: {type(output)}."
            )
        return output

    def run(self, kwargs: dict[str, Any], ctx: ToolCallContext, given: Any = None) -> Any:
        """Call the function with validated ``kwargs`` and the injected values from ``ctx``."""
        if self.func is None:
            raise NotImplementedError(
                f"tool {self.name!r} is async (async def), so it cannot run in sync code. Call "
                "await tool.ainvoke(...), or run the graph with ainvoke()/astream()."
            )
        return self.func(**kwargs, **self._inject(ctx, given))

    async def arun(self, kwargs: dict[str, Any], ctx: ToolCallContext, given: Any = None) -> Any:
        """``run`` for async code: a sync function runs in a worker thread."""
        injected = self._inject(ctx, given)
        if self.coroutine is not None:
            return await self.coroutine(**kwargs, **injected)
        import functools

        import anyio.to_thread

        assert self.func is not None
        call = functools.partial(self.func, **kwargs, **injected)
        return await anyio.to_thread.run_sync(call)  # the context (and so the writer) goes along

    # -- helpers -------------------------------------------------------------------------------

    def _parse(
        self, input: Any, config: dict[str, Any] | None
    ) -> tuple[Any, ToolCallContext, dict[str, Any] | None]:
        ctx = ToolCallContext.current(config)
        if _is_tool_call(input):
            ctx.tool_call_id = input.get("id")
            return input.get("args", {}), ctx, input
        return input, ctx, None

    def _inject(self, ctx: ToolCallContext, given: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        given = given if isinstance(given, dict) else {}
        for param, inj in self._injected.items():
            if param in given:
                out[param] = given[param]
                continue
            value = self._injected_value(param, inj, ctx)
            if value is not _LEFT_OUT:
                out[param] = value
        return out

    def _injected_value(self, param: str, inj: _Injection, ctx: ToolCallContext) -> Any:
        try:
            return self._find_injected(param, inj, ctx)
        except Exception as exc:
            # the call could not be set up (a missing state key or store): no tool error, so
            # ToolNode raises it whatever handle_tool_errors says, as LangGraph does
            exc._langgraph_lite_injection = True  # type: ignore[attr-defined]
            raise

    def _find_injected(self, param: str, inj: _Injection, ctx: ToolCallContext) -> Any:
        kind = inj.kind
        if kind == "config":
            return ctx.config if ctx.config is not None else {}
        if kind == "writer":
            return ctx.writer if ctx.writer is not None else _drop_writes
        if kind == "store":
            if ctx.store is None:
                raise ValueError(
                    "Cannot inject store into tools with InjectedStore annotations - please "
                    f"compile your graph with a store (tool {self.name!r}, parameter "
                    f"{param!r}): builder.compile(store=InMemoryStore()), or pass it in the "
                    "arguments when calling the tool directly."
                )
            return ctx.store
        if kind == "tool_call_id":
            if ctx.tool_call_id is None:
                raise ValueError(
                    f"tool {self.name!r} takes the tool call's id ({param!r}), so call it with a "
                    "whole tool call: tool.invoke({'name': ..., 'args': {...}, 'id': 'call-1', "
                    "'type': 'tool_call'}), or pass the id in the arguments."
                )
            return ctx.tool_call_id
        if kind == "runtime":
            return ctx.make_runtime()
        # state
        if ctx.state is MISSING:
            raise ValueError(
                f"tool {self.name!r} takes the graph state ({param!r}), which only ToolNode "
                f"knows. Run it through ToolNode, or pass it: tool.invoke({{..., {param!r}: "
                "state}})."
            )
        state = ctx.state
        if isinstance(state, list):  # ToolNode was given the messages alone
            if inj.field not in (None, ctx.messages_key):
                raise ValueError(
                    f"Invalid input to ToolNode. Tool {self.name} requires graph state dict as "
                    f"input. State should contain fields {inj.field}. Give ToolNode the graph "
                    f"state (a dict with {ctx.messages_key!r} and {inj.field!r}), not the "
                    "list of messages."
                )
            state = {ctx.messages_key: state}
        if inj.field is None:
            return state
        if inj.optional and not _has_field(state, inj.field):
            return _LEFT_OUT  # the parameter's default applies, as in LangGraph
        return _state_field(state, inj.field, self.name, param)


_LEFT_OUT = object()  # an injected parameter left to its default


def _is_tool_call(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "tool_call" and "args" in value


def _schema_model(
    name: str, description: str, fields: dict[str, tuple[Any, Any]], allow_extra: bool
) -> type[pydantic.BaseModel]:
    config = pydantic.ConfigDict(
        arbitrary_types_allowed=True,
        protected_namespaces=(),  # a parameter may be called model_name
        extra="allow" if allow_extra else "ignore",  # like the function: **kwargs takes the rest
    )
    model = pydantic.create_model(  # type: ignore[call-overload]
        name,
        __config__=config,
        __doc__=description,
        **fields,
    )
    return typing.cast("type[pydantic.BaseModel]", model)


# -- building tools ------------------------------------------------------------------------------


def make_tool(
    fn: Callable[..., Any] | Tool,
    *,
    name: str | None = None,
    description: str | None = None,
    args_schema: type[pydantic.BaseModel] | None = None,
    return_direct: bool = False,
    response_format: Literal["content", "content_and_artifact"] = "content",
) -> Tool:
    """A ``Tool`` from a function (sync or ``async def``); a ``Tool`` is returned as is.

    The name defaults to the function's name and the description to its docstring, which is
    then required: it is what the model reads to decide when to call the tool.
    """
    if isinstance(fn, Tool):
        return fn
    if "langchain_core" in sys.modules:  # a LangChain tool is taken as it is
        from langgraph_lite.interop.langchain import is_langchain_tool
        from langgraph_lite.interop.langchain_tools import LangChainTool

        if is_langchain_tool(fn):
            return LangChainTool(fn)
    if not callable(fn):
        raise TypeError(
            f"make_tool() needs a function, got {fn!r} ({type(fn).__name__}). Pass a function "
            "with type hints and a docstring, or a Tool."
        )
    tool_name = name or getattr(fn, "__name__", None)
    if not tool_name or tool_name == "<lambda>":
        raise ValueError(
            f"cannot name a tool after {fn!r}: pass name=..., e.g. make_tool(fn, name='lookup')."
        )
    if description is None:
        doc = inspect.getdoc(fn)
        if not doc:
            raise ValueError(
                f"tool {tool_name!r} has no description: give the function a docstring saying "
                f"what it does (the model reads it), or pass description='...'."
            )
        description = doc
    is_async = inspect.iscoroutinefunction(fn)
    return Tool(
        tool_name,
        description,
        func=None if is_async else fn,
        coroutine=fn if is_async else None,
        args_schema=args_schema,
        return_direct=return_direct,
        response_format=response_format,
    )


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    name: str,
    /,
    *,
    description: str | None = ...,
    args_schema: type[pydantic.BaseModel] | None = ...,
    return_direct: bool = ...,
    response_format: Literal["content", "content_and_artifact"] = ...,
) -> Callable[[Callable[..., Any]], Tool]: ...


@overload
def tool(
    *,
    name: str | None = ...,
    description: str | None = ...,
    args_schema: type[pydantic.BaseModel] | None = ...,
    return_direct: bool = ...,
    response_format: Literal["content", "content_and_artifact"] = ...,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn_or_name: Callable[..., Any] | str | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    args_schema: type[pydantic.BaseModel] | None = None,
    return_direct: bool = False,
    response_format: Literal["content", "content_and_artifact"] = "content",
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Make a function a ``Tool``: ``@tool``, ``@tool("name")`` or ``@tool(description=...)``.

    >>> from langgraph_lite.tools import tool
    >>> @tool("lookup", description="Find a user by id.")
    ... async def find(user_id: int) -> dict:
    ...     return {"id": user_id}
    >>> find.name, find.description
    ('lookup', 'Find a user by id.')
    """
    if callable(fn_or_name):
        return make_tool(
            fn_or_name,
            name=name,
            description=description,
            args_schema=args_schema,
            return_direct=return_direct,
            response_format=response_format,
        )
    if isinstance(fn_or_name, str):
        name = fn_or_name

    def decorate(fn: Callable[..., Any]) -> Tool:
        return make_tool(
            fn,
            name=name,
            description=description,
            args_schema=args_schema,
            return_direct=return_direct,
            response_format=response_format,
        )

    return decorate


def convert_to_openai_tool(t: Tool | Callable[..., Any] | dict[str, Any]) -> dict[str, Any]:
    """The tool in the OpenAI function-calling format, for chat models that take that.

    >>> from langgraph_lite.tools import convert_to_openai_tool, tool
    >>> @tool
    ... def ping(host: str) -> str:
    ...     '''Ping a host.'''
    ...     return "pong"
    >>> convert_to_openai_tool(ping)["function"]["parameters"]["required"]
    ['host']
    """
    if isinstance(t, dict):
        return t
    t = make_tool(t)
    schema = t.args_schema.model_json_schema()
    parameters = {k: v for k, v in schema.items() if k not in ("title", "description")}
    return {
        "type": "function",
        "function": {"name": t.name, "description": t.description, "parameters": parameters},
    }
