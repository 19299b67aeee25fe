"""``ToolNode``: the graph node that runs the tool calls of the model's last message.

It takes the graph state (a dict with ``"messages"``), a list of messages, a list of tool
calls, or one tool call sent to it with ``Send`` (as ``create_react_agent`` does), runs every
call — in parallel: a thread pool in sync runs, one anyio task group in async ones — and
answers each with a ``ToolMessage``, in the order of the calls.

What can go wrong, and what happens then:

    the model named a tool that does not exist   ToolMessage(status="error") naming the tools
    the model sent arguments that do not fit     ToolMessage(status="error") naming the
                                                 arguments (ToolInvocationError, handled by
                                                 default)
    the tool itself raised                       re-raised by default; handle_tool_errors says
                                                 which errors become a ToolMessage(status="error")
    the tool called interrupt()                  always passes through: the run stops for a human
    a resume value did not fit interrupt()'s     always raised, whatever handle_tool_errors says:
    response_schema                              the human answers the interrupt again

The model reads the error messages and may try again, so the agent's loop goes on.
"""

from __future__ import annotations

import contextvars
import dataclasses
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pydantic

from langgraph_lite.errors import GraphBubbleUp
from langgraph_lite.interop import family
from langgraph_lite.messages import ToolMessage
from langgraph_lite.prebuilt.tool_call_request import (
    AsyncToolCallWrapper,
    ToolCallRequest,
    ToolCallWrapper,
)
from langgraph_lite.prebuilt.tool_errors import (
    INVALID_TOOL_NAME_ERROR_TEMPLATE,
    TOOL_CALL_ERROR_TEMPLATE,
    TOOL_INVOCATION_ERROR_TEMPLATE,
    HandleToolErrors,
    ToolInvocationError,
    _as_invocation_error,
    _default_handle_tool_errors,
    _error_content,
    _handler,
    is_invalid_resume,
)
from langgraph_lite.prebuilt.tool_outputs import checked_command, checked_list, combine
from langgraph_lite.prebuilt.tool_reports import report_failed, report_finished, report_start
from langgraph_lite.prebuilt.tool_routing import last_ai_message, messages_of, tools_condition
from langgraph_lite.tool_injection import InjectedStore, InjectedToolCallId, ToolRuntime
from langgraph_lite.tools import (
    TOOL_MESSAGE_BLOCK_TYPES,
    InjectedState,
    Tool,
    ToolCallContext,
    make_tool,
    tool_output_content,
)
from langgraph_lite.types import Command

msg_content_output = tool_output_content  # LangGraph's name for it
TOOL_EXECUTION_ERROR_TEMPLATE = (  # LangGraph exports it (its ToolNode no longer uses it)
    "Error executing tool '{tool_name}' with kwargs {tool_kwargs} with error:\n"
    " {error}\n"
    " Please fix the error and try again."
)

__all__ = [
    "INVALID_TOOL_NAME_ERROR_TEMPLATE",
    "TOOL_CALL_ERROR_TEMPLATE",
    "TOOL_EXECUTION_ERROR_TEMPLATE",
    "TOOL_INVOCATION_ERROR_TEMPLATE",
    "TOOL_MESSAGE_BLOCK_TYPES",
    "InjectedState",
    "InjectedStore",
    "InjectedToolCallId",
    "ToolCallRequest",
    "ToolInvocationError",
    "ToolNode",
    "ToolRuntime",
    "msg_content_output",
    "tools_condition",
]

ToolCallWithContext = dict[str, Any]
"""What ``create_react_agent`` sends to its tools node for one call:
``{"__type": "tool_call_with_context", "tool_call": call, "state": state}``."""

_WITH_CONTEXT = "tool_call_with_context"


class ToolNode:
    """Run the tool calls of the last ``AIMessage``; answer each with a ``ToolMessage``.

    ``tools`` are ``Tool`` objects or plain functions (made tools with ``make_tool``).
    ``handle_tool_errors`` decides which exceptions a tool raises become a
    ``ToolMessage(status="error")`` for the model instead of stopping the run:

    - default: only ``ToolInvocationError`` (the model sent arguments that do not fit);
    - ``True``: every exception, with a message naming it;
    - a string: every exception, with that message;
    - an exception type or a tuple of them: those, with a message naming the exception;
    - a function of the exception returning the message: the exception types its first
      parameter is annotated with (every exception if it is not annotated);
    - ``False``: none (invalid arguments then raise ``ToolInvocationError``).

    A call naming a tool that does not exist is always answered with an error message.

    >>> from langgraph_lite.prebuilt import ToolNode
    >>> from langgraph_lite.messages import AIMessage
    >>> def add(a: int, b: int) -> int:
    ...     '''Add two integers.'''
    ...     return a + b
    >>> call = {"name": "add", "args": {"a": 1, "b": 2}, "id": "call-1"}
    >>> ToolNode([add]).invoke({"messages": [AIMessage("", tool_calls=[call])]})["messages"][0].content
    '3'
    """

    __name__: str  # so that add_node(ToolNode(tools)) names the node after it

    def __init__(
        self,
        tools: Sequence[Tool | Callable[..., Any]],
        *,
        name: str = "tools",
        tags: list[str] | None = None,
        handle_tool_errors: HandleToolErrors = _default_handle_tool_errors,
        messages_key: str = "messages",
        wrap_tool_call: ToolCallWrapper | None = None,
        awrap_tool_call: AsyncToolCallWrapper | None = None,
    ) -> None:
        self.tools_by_name = tools_by_name(tools)
        self.name = name
        self.__name__ = name
        self.tags = list(tags or [])
        self.handle_tool_errors = handle_tool_errors
        self.messages_key = messages_key
        self._handles = _handler(handle_tool_errors)
        self.wrap_tool_call = wrap_tool_call
        self.awrap_tool_call = awrap_tool_call

    def __repr__(self) -> str:
        return f"ToolNode(name={self.name!r}, tools={list(self.tools_by_name)!r})"

    @property
    def tools(self) -> list[Tool]:
        return list(self.tools_by_name.values())

    # -- running ---------------------------------------------------------------------------------

    def invoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Run the calls (in a thread pool when there are several) and return the answers."""
        calls, state, shape, langchain = self._parse(input)
        base = dataclasses.replace(ToolCallContext.current(config), langchain=langchain)
        jobs = [self._job(call, state, base, shape) for call in calls]
        if len(jobs) <= 1:
            outputs = [self._run_one(*job) for job in jobs]
        else:
            limit = (config or {}).get("max_concurrency") or len(jobs)
            with ThreadPoolExecutor(max_workers=min(limit, len(jobs))) as pool:
                # each call runs in a copy of this context: get_stream_writer() works inside
                futures = [
                    pool.submit(_in_context(contextvars.copy_context(), self._run_one, *job))
                    for job in jobs
                ]
                outputs = [f.result() for f in futures]  # the first failure, in call order
        return self._combine(outputs, shape)

    async def ainvoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """``invoke`` for async runs: the calls run concurrently in one anyio task group."""
        import anyio

        calls, state, shape, langchain = self._parse(input)
        base = dataclasses.replace(ToolCallContext.current(config), langchain=langchain)
        jobs = [self._job(call, state, base, shape) for call in calls]
        if len(jobs) <= 1:
            outputs = [await self._arun_one(*job) for job in jobs]
            return self._combine(outputs, shape)
        results: list[Any] = [None] * len(jobs)
        failures: dict[int, Exception] = {}
        limit = (config or {}).get("max_concurrency")
        limiter = anyio.CapacityLimiter(limit) if limit else None

        async def run(i: int, tg: anyio.abc.TaskGroup) -> None:
            try:
                if limiter is None:
                    results[i] = await self._arun_one(*jobs[i])
                else:
                    async with limiter:
                        results[i] = await self._arun_one(*jobs[i])
            except Exception as exc:
                failures[i] = exc
                tg.cancel_scope.cancel()  # the node fails: stop the other calls

        async with anyio.create_task_group() as tg:
            for i in range(len(jobs)):
                tg.start_soon(run, i, tg)
        if failures:
            raise failures[min(failures)]
        return self._combine(results, shape)

    __call__ = invoke

    # -- one call --------------------------------------------------------------------------------

    def _job(
        self, call: dict[str, Any], state: Any, base: ToolCallContext, shape: str
    ) -> tuple[dict[str, Any], ToolCallContext, str]:
        ctx = ToolCallContext(
            state=state,
            tool_call_id=_call_id(call),
            config=base.config,
            writer=base.writer,
            context=base.context,
            store=base.store,
            tools=self.tools,
            messages_key=self.messages_key,
            execution_info=base.execution_info,
            server_info=base.server_info,
            langchain=base.langchain,
        )
        return call, ctx, shape

    def _request(self, call: dict[str, Any], ctx: ToolCallContext) -> ToolCallRequest:
        tool = self.tools_by_name.get(call["name"])
        return ToolCallRequest(call, tool, ctx.state, ctx.make_runtime())

    @staticmethod
    def _for_request(request: ToolCallRequest, ctx: ToolCallContext) -> ToolCallContext:
        """The call context as the request now says (a wrapper may have changed it)."""
        return dataclasses.replace(
            ctx,
            state=request.state,
            tool_call_id=_call_id(request.tool_call),
            runtime=request.runtime,
        )

    def _run_one(self, call: dict[str, Any], ctx: ToolCallContext, shape: str) -> Any:
        request = self._request(call, ctx)
        if self.wrap_tool_call is None:
            return self._execute(request, ctx, shape)
        try:
            return self.wrap_tool_call(request, lambda req: self._execute(req, ctx, shape))
        except GraphBubbleUp:
            raise
        except Exception as exc:
            return self._wrapper_failed(request, exc, ctx)

    async def _arun_one(self, call: dict[str, Any], ctx: ToolCallContext, shape: str) -> Any:
        request = self._request(call, ctx)
        if self.awrap_tool_call is None and self.wrap_tool_call is None:
            return await self._aexecute(request, ctx, shape)

        async def execute(req: ToolCallRequest) -> Any:
            return await self._aexecute(req, ctx, shape)

        try:
            if self.awrap_tool_call is not None:
                return await self.awrap_tool_call(request, execute)
            assert self.wrap_tool_call is not None
            # a sync wrapper in an async run gets the sync execute, as in LangGraph
            return self.wrap_tool_call(request, lambda req: self._execute(req, ctx, shape))
        except GraphBubbleUp:
            raise
        except Exception as exc:
            return self._wrapper_failed(request, exc, ctx)

    def _wrapper_failed(
        self, request: ToolCallRequest, exc: Exception, ctx: ToolCallContext
    ) -> Any:
        # What escapes a wrapper is answered whatever its type, unless errors are not handled
        # at all (LangGraph does the same; the default handler still lets only invalid
        # arguments through).
        option = self.handle_tool_errors
        if option is False or _never_handled(exc):
            raise exc
        if option is _default_handle_tool_errors:
            if not isinstance(exc, ToolInvocationError):
                raise exc
            content = exc.message
        elif isinstance(option, str):
            content = option
        elif isinstance(option, (bool, tuple, type)):
            content = _error_content(exc, request.tool_call["name"])
        else:
            content = str(option(exc))
        return self._error(request.tool_call, content, ctx)

    def _execute(self, request: ToolCallRequest, ctx: ToolCallContext, shape: str) -> Any:
        call = request.tool_call
        if request.tool is None:
            return self._unknown_tool(call, ctx)
        tool = make_tool(request.tool)
        report = report_start(tool, call)  # stream_mode="tools"
        try:
            kwargs = self._validate(tool, call)
            try:
                output = tool.run(kwargs, self._for_request(request, ctx))
            except pydantic.ValidationError as exc:
                if is_invalid_resume(exc):
                    raise  # a human must answer the interrupt again
                raise _as_invocation_error(tool, call, exc) from exc
            answer = self._answer(tool, call, output, shape, ctx)
        except Exception as exc:
            report_failed(report, tool, call, exc)
            if isinstance(exc, GraphBubbleUp):
                raise  # interrupt() or a command for the parent graph: never an error message
            content = None if _never_handled(exc) else self._handles(exc, tool.name)
            if content is None:
                raise
            return self._error(call, content, ctx)
        return report_finished(report, answer)

    async def _aexecute(self, request: ToolCallRequest, ctx: ToolCallContext, shape: str) -> Any:
        call = request.tool_call
        if request.tool is None:
            return self._unknown_tool(call, ctx)
        tool = make_tool(request.tool)
        report = report_start(tool, call)  # stream_mode="tools"
        try:
            kwargs = self._validate(tool, call)
            try:
                output = await tool.arun(kwargs, self._for_request(request, ctx))
            except pydantic.ValidationError as exc:
                if is_invalid_resume(exc):
                    raise  # a human must answer the interrupt again
                raise _as_invocation_error(tool, call, exc) from exc
            answer = self._answer(tool, call, output, shape, ctx)
        except Exception as exc:
            report_failed(report, tool, call, exc)
            if isinstance(exc, GraphBubbleUp):
                raise  # interrupt() or a command for the parent graph: never an error message
            content = None if _never_handled(exc) else self._handles(exc, tool.name)
            if content is None:
                raise
            return self._error(call, content, ctx)
        return report_finished(report, answer)

    @staticmethod
    def _validate(tool: Tool, call: dict[str, Any]) -> dict[str, Any]:
        try:
            return tool.validate(call.get("args", {}))
        except pydantic.ValidationError as exc:
            args = call.get("args", {})
            raise ToolInvocationError(tool.name, exc, args, list(exc.errors())) from exc

    def _unknown_tool(self, call: dict[str, Any], ctx: ToolCallContext) -> Any:
        content = INVALID_TOOL_NAME_ERROR_TEMPLATE.format(
            requested_tool=call["name"], available_tools=", ".join(self.tools_by_name)
        )
        return self._error(call, content, ctx)

    @staticmethod
    def _error(call: dict[str, Any], content: str, ctx: ToolCallContext) -> Any:
        message = ToolMessage(
            content=content, name=call["name"], tool_call_id=_call_id(call), status="error"
        )
        return family.as_family(message, langchain=ctx.langchain)

    def _answer(
        self, tool: Tool, call: dict[str, Any], output: Any, shape: str, ctx: ToolCallContext
    ) -> Any:
        if isinstance(output, Command):
            return checked_command(output, call, self.messages_key, shape)
        if (
            isinstance(output, list)
            and output
            and all(isinstance(o, Command) or family.is_tool_message(o) for o in output)
        ):
            return checked_list(output, call, self.messages_key, shape)
        answer = tool.answer(output, call)
        if family.is_tool_message(answer):  # a list of strings becomes JSON text, as in LangGraph
            answer.content = tool_output_content(answer.content)
            # the answer takes the family of the AIMessage it answers
            answer = family.as_family(answer, langchain=ctx.langchain)
        return answer

    # -- input and output ------------------------------------------------------------------------

    def _parse(self, input: Any) -> tuple[list[dict[str, Any]], Any, str, bool]:
        """The tool calls to run, the state tools may have injected, the output shape, and
        whether to answer with LangChain's messages (the calls' AIMessage is LangChain's)."""
        if isinstance(input, dict) and input.get("__type") == _WITH_CONTEXT:
            state = input.get("state")
            messages = messages_of(state, self.messages_key)
            last = last_ai_message(messages) if isinstance(messages, list) else None
            return [input["tool_call"]], state, "dict", family.langchain_in(last)
        if isinstance(input, list):
            if input and all(isinstance(c, dict) and c.get("type") == "tool_call" for c in input):
                return list(input), _state_as_by_edge(), "dict", False
            messages, shape = input, "list"
        elif isinstance(input, dict):
            messages, shape = input.get(self.messages_key, []), "dict"
        elif hasattr(input, self.messages_key):
            messages, shape = getattr(input, self.messages_key), "dict"
        else:
            raise ValueError(
                f"ToolNode {self.name!r} got {type(input).__name__} {_short(input)}; it takes "
                f"the state (a dict with {self.messages_key!r}), a list of messages, or a list "
                "of tool calls."
            )
        if not messages:
            raise ValueError(
                f"ToolNode {self.name!r} found no messages in its input ({_short(input)}). It "
                "runs the tool calls of the last AIMessage: route to it only after the model "
                "has answered (see tools_condition)."
            )
        last_ai = last_ai_message(messages)
        if last_ai is None:
            raise ValueError(
                f"ToolNode {self.name!r} found no AIMessage in its input, so no tool calls to "
                f"run (the last message is a {type(messages[-1]).__name__}). Route to it only "
                "after the model has answered (see tools_condition)."
            )
        calls = [dict(c) for c in last_ai.tool_calls]
        return calls, input, shape, family.langchain_in(last_ai)

    def _combine(self, outputs: list[Any], shape: str) -> Any:
        return combine(outputs, shape, self.messages_key)


def _state_as_by_edge() -> Any:
    """The state a node given only tool calls (by ``Send``) sees: the graph's channels as the
    step began, as a dict (LangGraph 1.2 reads them raw, not shaped by the state schema);
    outside a graph, an empty dict."""
    from langgraph_lite.config import current_task
    from langgraph_lite.pregel.algo import read_input

    task = current_task.get()
    channels = getattr(getattr(task, "run", None), "channels", None)
    if task is None or not channels:
        return {}
    value = read_input(task.node, channels)
    return value if isinstance(value, dict) else {}


def _never_handled(exc: BaseException) -> bool:
    """A bad answer to an interrupt, or a call that could not be given its injected values."""
    return is_invalid_resume(exc) or getattr(exc, "_langgraph_lite_injection", False) is True


def _in_context(
    context: contextvars.Context, fn: Callable[..., Any], *args: Any
) -> Callable[[], Any]:
    return lambda: context.run(fn, *args)


def _call_id(call: dict[str, Any]) -> str:
    return str(call.get("id") or "")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


if "langchain_core" in sys.modules:
    # A LangChain tool decorated after this import may take a ToolRuntime parameter: LangChain
    # must know it as injected before it builds the tool's schema, not only once a ToolNode is.
    from langgraph_lite.interop.langchain import let_commands_through_langchain_tools

    let_commands_through_langchain_tools()


def tools_by_name(tools: Sequence[Tool | Callable[..., Any]]) -> dict[str, Tool]:
    """Tools keyed by name; two tools with one name are refused."""
    out: dict[str, Tool] = {}
    for t in tools:
        made = make_tool(t)
        if made.name in out:
            raise ValueError(
                f"two tools are named {made.name!r}. Tool names must be unique: rename one, "
                f"e.g. @tool('{made.name}_2')."
            )
        out[made.name] = made
    return out
