"""What ``ToolNode`` answers when a call goes wrong, and which errors ``handle_tool_errors``
turns into answers.

The texts are LangGraph's, word for word: the model reads them, and prompts and evals written
against LangGraph's agents depend on them.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from types import UnionType as _UnionType
from typing import Any, Union

import pydantic

from langgraph_lite.errors import is_invalid_resume

__all__ = [
    "INVALID_TOOL_NAME_ERROR_TEMPLATE",
    "TOOL_CALL_ERROR_TEMPLATE",
    "TOOL_INVOCATION_ERROR_TEMPLATE",
    "HandleToolErrors",
    "ToolInvocationError",
    "is_invalid_resume",
]

# The texts the model reads when a call goes wrong. They are LangGraph's, word for word:
# prompts and evals written against LangGraph's agents depend on them.
INVALID_TOOL_NAME_ERROR_TEMPLATE = (
    "Error: {requested_tool} is not a valid tool, try one of [{available_tools}]."
)
TOOL_CALL_ERROR_TEMPLATE = "Error: {error}\n Please fix your mistakes."
TOOL_INVOCATION_ERROR_TEMPLATE = (
    "Error invoking tool '{tool_name}' with kwargs {tool_kwargs} with error:\n"
    " {error}\n"
    " Please fix the error and try again."
)


class ToolInvocationError(Exception):
    """The model called a tool with arguments that do not fit its schema.

    ``tool_name``, ``tool_kwargs`` (what the model sent), ``source`` (pydantic's
    ``ValidationError``) and ``filtered_errors`` (its errors, one per argument the model fills
    in) say what was wrong; ``message`` names each argument, as the model is shown it.
    """

    def __init__(
        self,
        tool_name: str,
        source: pydantic.ValidationError,
        tool_kwargs: dict[str, Any],
        filtered_errors: list[Any] | None = None,
    ) -> None:
        self.tool_name = tool_name
        self.tool_kwargs = tool_kwargs
        self.source = source
        self.filtered_errors = filtered_errors
        if filtered_errors is None:
            shown = str(source)
        else:
            shown = "\n".join(
                f"{'.'.join(str(part) for part in e.get('loc', ()))}: "
                f"{e.get('msg', 'Unknown error')}"
                for e in filtered_errors
            )
        self.message = TOOL_INVOCATION_ERROR_TEMPLATE.format(
            tool_name=tool_name, tool_kwargs=tool_kwargs, error=shown
        )
        super().__init__(self.message)


def _default_handle_tool_errors(e: Exception) -> str:
    """The default: invalid arguments become an error message; other errors propagate."""
    if isinstance(e, ToolInvocationError):
        return e.message
    raise e


def _error_content(exc: BaseException, tool_name: str) -> str:
    return TOOL_CALL_ERROR_TEMPLATE.format(error=repr(exc))


def _handled_types(handler: Callable[..., Any]) -> tuple[type[BaseException], ...]:
    """The exception types a handler function takes, from its first parameter's annotation."""
    try:
        params = list(inspect.signature(handler).parameters.values())
    except (TypeError, ValueError):
        return (Exception,)
    if not params:
        return (Exception,)
    try:
        hints = typing.get_type_hints(handler)
    except Exception:
        return (Exception,)
    ann = hints.get(params[0].name)
    if ann is None:
        return (Exception,)
    options = typing.get_args(ann) if typing.get_origin(ann) in (Union, _UnionType) else (ann,)
    found = tuple(t for t in options if isinstance(t, type) and issubclass(t, BaseException))
    return found or (Exception,)


HandleToolErrors = bool | str | Callable[..., str] | type[Exception] | tuple[type[Exception], ...]


def _handler(option: Any) -> Callable[[Exception, str], str | None]:
    """From ``handle_tool_errors``: (exception, tool name) -> the message, or None to raise."""
    if option is False:
        return lambda exc, name: None
    if option is _default_handle_tool_errors:  # only invalid arguments; the rest propagates
        return lambda exc, name: exc.message if isinstance(exc, ToolInvocationError) else None
    if option is True:
        return _error_content
    if isinstance(option, str):
        return lambda exc, name: option
    if isinstance(option, tuple) or (
        isinstance(option, type) and issubclass(option, BaseException)
    ):
        return lambda exc, name: _error_content(exc, name) if isinstance(exc, option) else None
    if callable(option):
        types = _handled_types(option)
        return lambda exc, name: str(option(exc)) if isinstance(exc, types) else None
    raise TypeError(
        f"handle_tool_errors={option!r} is not supported. Give True, False, a message, an "
        "exception type or a tuple of them, or a function taking the exception and returning "
        "a message."
    )


def _as_invocation_error(
    tool: Any, call: dict[str, Any], exc: pydantic.ValidationError
) -> ToolInvocationError:
    """A ValidationError from inside a tool is reported as invalid arguments, as LangGraph
    reports it."""
    injected = set(tool.injected_args)
    errors = [e for e in exc.errors() if not (e.get("loc") and e["loc"][0] in injected)]
    return ToolInvocationError(tool.name, exc, call.get("args", {}), errors)
