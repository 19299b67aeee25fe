"""LangChain tools, seen by ``ToolNode`` and ``create_react_agent`` as ours.

Like ``interop.langchain``, nothing here imports ``langchain_core``: a ``LangChainTool`` is only
made from a LangChain tool the program already holds.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pydantic

from langgraph_lite.tools import _LEFT_OUT, Tool, ToolCallContext

__all__ = ["LangChainTool"]


class LangChainTool(Tool):
    """A LangChain tool, seen by ``ToolNode`` and ``create_react_agent`` as one of ours.

    The model's arguments are validated against the tool's own schema (a mistake becomes
    ``ToolNode``'s error message, as for our tools); the tool then runs through its ``invoke``
    / ``ainvoke`` with the whole tool call, so LangChain's own features work as in LangGraph:
    ``InjectedToolCallId``, ``response_format="content_and_artifact"``, ``handle_tool_error``,
    a ``Command`` returned by the tool. ``langchain_tool`` is the original.
    """

    reports_own_calls = True  # LangChain's callbacks report each run on stream_mode="tools"

    def __init__(self, langchain_tool: Any) -> None:
        from langgraph_lite.interop.langchain import let_commands_through_langchain_tools

        # LangChain passes a Command (or a list of them) through only once it is a
        # ToolOutputMixin; a tool may run before anything else made us install that.
        let_commands_through_langchain_tools()
        self.langchain_tool = langchain_tool
        self.name = langchain_tool.name
        self.description = langchain_tool.description
        self.return_direct = bool(getattr(langchain_tool, "return_direct", False))
        self.func = self.coroutine = None
        self._injected = _graph_injections(langchain_tool)
        self._takes_kwargs = False
        schema = langchain_tool.tool_call_schema
        self._hidden = _hidden_args(langchain_tool, schema) | set(self._injected)
        if isinstance(schema, type) and issubclass(schema, pydantic.BaseModel):
            # LangChain shows the model our InjectedState / InjectedStore parameters (they are
            # not its InjectedToolArg): we leave them out, and fill them in when it runs
            self.args_schema = _without(schema, self._injected) if self._injected else schema
        else:  # a JSON schema given as a dict: LangChain checks the arguments itself
            self.args_schema = pydantic.create_model(
                self.name, __config__=pydantic.ConfigDict(extra="allow")
            )

    def __repr__(self) -> str:
        return f"LangChainTool({self.langchain_tool!r})"

    def validate(self, args: Any) -> dict[str, Any]:
        """Check ``args`` against the tool's schema; the tool gets them as the model sent them."""
        self.args_schema.model_validate(args if isinstance(args, dict) else {})
        return dict(args) if isinstance(args, dict) else {}

    def run(self, kwargs: dict[str, Any], ctx: ToolCallContext, given: Any = None) -> Any:
        """Run the LangChain tool on the call; what it returns (its ``ToolMessage``, a
        ``Command``) comes back as it is."""
        return self.langchain_tool.invoke(self._call(kwargs, ctx), ctx.config)

    async def arun(self, kwargs: dict[str, Any], ctx: ToolCallContext, given: Any = None) -> Any:
        """``run`` for async code (a sync LangChain tool runs in LangChain's executor)."""
        return await self.langchain_tool.ainvoke(self._call(kwargs, ctx), ctx.config)

    def invoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """The LangChain tool's own ``invoke``."""
        return self.langchain_tool.invoke(input, config, **kwargs)

    async def ainvoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """The LangChain tool's own ``ainvoke``."""
        return await self.langchain_tool.ainvoke(input, config, **kwargs)

    def _call(self, args: dict[str, Any], ctx: ToolCallContext) -> dict[str, Any]:
        if self._hidden:  # what the model may not fill in, even if it sends it (as LangGraph)
            args = {k: v for k, v in args.items() if k not in self._hidden}
        for param, how in self._injected.items():  # the state / store the graph fills in
            value = self._injected_value(param, how, ctx)
            if value is not _LEFT_OUT:  # a missing state key the parameter has a default for
                args = {**args, param: value}
        return {"name": self.name, "args": args, "id": ctx.tool_call_id, "type": "tool_call"}


def _hidden_args(langchain_tool: Any, shown: Any) -> set[str]:
    """The tool's parameters LangChain does not show the model (its ``InjectedToolArg`` ones)."""
    full = getattr(langchain_tool, "args_schema", None)
    if not (isinstance(full, type) and issubclass(full, pydantic.BaseModel)):
        return set()
    if not (isinstance(shown, type) and issubclass(shown, pydantic.BaseModel)):
        return set()
    return set(full.model_fields) - set(shown.model_fields)


def _without(schema: type[pydantic.BaseModel], names: Any) -> type[pydantic.BaseModel]:
    fields: Any = {
        name: (info.annotation, info)
        for name, info in schema.model_fields.items()
        if name not in names
    }
    model: type[pydantic.BaseModel] = pydantic.create_model(
        schema.__name__, __doc__=schema.__doc__, **fields
    )
    return model


def _graph_injections(langchain_tool: Any) -> dict[str, Any]:
    """The parameters of a LangChain tool's function marked ``InjectedState`` / ``InjectedStore``."""
    import typing

    from langgraph_lite.tool_injection import (
        InjectedState,
        InjectedStore,
        ToolRuntime,
        _injection_for,
        tool_type_hints,
    )

    fn = getattr(langchain_tool, "func", None) or getattr(langchain_tool, "coroutine", None)
    if fn is None:
        return {}
    try:
        hints = tool_type_hints(fn)
    except Exception:
        return {}
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    out = {}
    for param, annotation in hints.items():
        if annotation is ToolRuntime or typing.get_origin(annotation) is ToolRuntime:
            # LangChain hides it from the model (it takes ours as injected); we fill it in
            out[param] = _injection_for(param, annotation)
            continue
        marks = getattr(annotation, "__metadata__", ())
        if any(
            m in (InjectedState, InjectedStore) or isinstance(m, InjectedState | InjectedStore)
            for m in marks
        ):
            how = _injection_for(param, annotation)
            if how is None:
                continue
            has_default = param in params and params[param].default is not params[param].empty
            if how.field is not None and has_default:
                how = dataclasses.replace(how, optional=True)
            out[param] = how
    return out
