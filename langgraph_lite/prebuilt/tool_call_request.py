"""What a ``wrap_tool_call`` interceptor of ``ToolNode`` receives, and what it may change.

``ToolNode(tools, wrap_tool_call=wrapper)`` calls ``wrapper(request, execute)`` for each tool
call instead of running it: ``request`` is a ``ToolCallRequest`` (the call, the tool, the state
and the tool's ``ToolRuntime``) and ``execute(request)`` runs it, returning the
``ToolMessage`` (or ``Command``) that answers it. A wrapper may run it once, several times
(retries), with a changed request (``request.override(tool_call=...)``), or not at all (a
cached answer). ``awrap_tool_call`` is the same for async runs, with an async ``execute``.

>>> from langgraph_lite.prebuilt import ToolNode
>>> from langgraph_lite.messages import AIMessage
>>> def add(a: int, b: int) -> int:
...     '''Add two integers.'''
...     return a + b
>>> def double_a(request, execute):
...     args = {**request.tool_call["args"], "a": request.tool_call["args"]["a"] * 2}
...     return execute(request.override(tool_call={**request.tool_call, "args": args}))
>>> call = {"name": "add", "args": {"a": 1, "b": 2}, "id": "call-1"}
>>> node = ToolNode([add], wrap_tool_call=double_a)
>>> node.invoke({"messages": [AIMessage("", tool_calls=[call])]})["messages"][0].content
'4'
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langgraph_lite.messages import ToolMessage
from langgraph_lite.tool_injection import ToolRuntime
from langgraph_lite.types import Command

__all__ = ["AsyncToolCallWrapper", "ToolCallRequest", "ToolCallWrapper"]


@dataclass
class ToolCallRequest:
    """One tool call about to run: ``tool_call`` (``name``, ``args``, ``id``), the ``tool``
    (``None`` when no tool of that name is registered), the graph ``state`` and the
    ``runtime`` the tool would be given.

    Change it with ``override(...)``, which returns a new request; setting an attribute still
    works but warns, as in LangGraph.
    """

    tool_call: dict[str, Any]
    tool: Any
    state: Any
    runtime: ToolRuntime

    def __setattr__(self, name: str, value: Any) -> None:
        if name in getattr(self, "__dict__", {}):
            warnings.warn(
                f"Setting attribute '{name}' on ToolCallRequest is deprecated. Use the "
                "override() method instead to create a new instance with modified values.",
                DeprecationWarning,
                stacklevel=2,
            )
        object.__setattr__(self, name, value)

    def override(self, **overrides: Any) -> ToolCallRequest:
        """A copy with ``tool_call``, ``tool`` or ``state`` replaced (``state`` also becomes
        ``runtime.state``, so ``InjectedState`` and ``ToolRuntime`` parameters agree)."""
        unknown = set(overrides) - {"tool_call", "tool", "state", "runtime"}
        if unknown:
            raise TypeError(
                f"ToolCallRequest.override() got {', '.join(map(repr, sorted(unknown)))}; it "
                "replaces 'tool_call', 'tool', 'state' or 'runtime'."
            )
        request = dataclasses.replace(self, **overrides)
        if "state" in overrides and isinstance(request.runtime, ToolRuntime):
            runtime = dataclasses.replace(request.runtime, state=request.state)
            object.__setattr__(request, "runtime", runtime)
        return request


ToolCallWrapper = Callable[
    [ToolCallRequest, Callable[[ToolCallRequest], "ToolMessage | Command"]],
    "ToolMessage | Command",
]
"""``wrap_tool_call``: ``(request, execute) -> ToolMessage | Command``."""

AsyncToolCallWrapper = Callable[
    [ToolCallRequest, Callable[[ToolCallRequest], Awaitable["ToolMessage | Command"]]],
    Awaitable["ToolMessage | Command"],
]
"""``awrap_tool_call``: ``async (request, execute) -> ToolMessage | Command``."""
