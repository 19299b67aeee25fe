"""Exceptions raised by langgraph_lite.

Errors are split by who must act:

    Exception
     ├── GraphRecursionError (RecursionError)   the run looped past recursion_limit
     ├── InvalidUpdateError                     a node wrote something the graph cannot take
     ├── EmptyChannelError                      a channel was read before anything was written
     ├── EmptyInputError                        a run was started with no input
     ├── UnknownInterruptError                  a strict resume named no waiting interrupt
     ├── TaskNotFound                           (LangGraph's distributed mode; not raised)
     ├── NodeTimeoutError                       a node attempt ran past its TimeoutPolicy
     ├── GraphBubbleUp                          control flow travelling up, never retried
     │    ├── ParentCommand                     Command(graph=PARENT) for the enclosing graph
     │    ├── GraphDrained                      RunControl.request_drain() stopped the run
     │    └── GraphInterrupt                    a node asked to stop for a human
     └── InternalError                          the engine broke its own rule: please report

Errors that have a LangGraph counterpart keep LangGraph's class and its error code; the code is
appended to the message in brackets (``[GRAPH_RECURSION_LIMIT]``) and each code has a section in
``docs/errors.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from langgraph_lite.warnings import LangGraphDeprecatedSinceV10

__all__ = [
    "EmptyChannelError",
    "EmptyInputError",
    "ErrorCode",
    "GraphBubbleUp",
    "GraphDrained",
    "GraphInterrupt",
    "GraphRecursionError",
    "InternalError",
    "InvalidUpdateError",
    "MessageCoercionError",
    "NodeCancelledError",
    "NodeError",
    "NodeInterrupt",
    "NodeTimeoutError",
    "ParentCommand",
    "TaskNotFound",
    "UnknownInterruptError",
    "create_error_message",
    "is_invalid_resume",
]


class ErrorCode(str, Enum):
    """Stable codes for errors a user can fix; each has a section in docs/errors.md."""

    GRAPH_RECURSION_LIMIT = "GRAPH_RECURSION_LIMIT"
    INVALID_CONCURRENT_GRAPH_UPDATE = "INVALID_CONCURRENT_GRAPH_UPDATE"
    INVALID_GRAPH_NODE_RETURN_VALUE = "INVALID_GRAPH_NODE_RETURN_VALUE"
    INVALID_GRAPH_DEFINITION = "INVALID_GRAPH_DEFINITION"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_NODE = "INVALID_NODE"
    INVALID_CHAT_HISTORY = "INVALID_CHAT_HISTORY"


def create_error_message(*, message: str, error_code: ErrorCode) -> str:
    """Append the error's code, which names its section in docs/errors.md."""
    return f"{message} [{error_code.value}]"


class GraphRecursionError(RecursionError):
    """The run reached ``recursion_limit`` supersteps with nodes still scheduled.

    Raise the limit with ``config={"recursion_limit": 100}`` when the loop is meant.
    """


class InvalidUpdateError(Exception):
    """A node's writes cannot be applied: two values for a one-value channel, an unknown key…"""


class EmptyChannelError(Exception):
    """A channel was read while it holds no value."""


class GraphBubbleUp(Exception):
    """Control flow that travels up through nodes and graphs; never retried."""


class ParentCommand(GraphBubbleUp):
    """A node returned ``Command(graph=Command.PARENT)``: the enclosing graph applies it.

    Reaches the caller only when there is no enclosing graph.
    """

    def __init__(self, command: Any) -> None:
        super().__init__(command)
        self.command = command

    def __str__(self) -> str:
        return repr(self.command)


class GraphDrained(GraphBubbleUp):
    """The run stopped at a superstep boundary because ``RunControl.request_drain()`` was
    called (for instance on SIGTERM). The step that was running finished and its checkpoint is
    saved: with a checkpointer, ``invoke(None, config)`` resumes the run where it stopped.
    """

    def __init__(self, reason: str = "shutdown") -> None:
        self.reason = reason
        super().__init__(f"Graph drained: {reason}")


class NodeCancelledError(Exception):
    """A node's own code raised ``asyncio.CancelledError`` (no one cancelled the run): it is
    reported as that node's failure, like any other error, instead of a silent cancellation.
    ``node`` names the node."""

    node: str

    def __init__(self, node: str, message: str | None = None) -> None:
        super().__init__(message or f"Node {node!r} raised asyncio.CancelledError")
        self.node = node


class GraphInterrupt(GraphBubbleUp):
    """Raised inside a run to stop it and hand control back to a human."""

    def __init__(self, interrupts: Any = ()) -> None:
        super().__init__(interrupts)
        self.interrupts = interrupts


class NodeInterrupt(GraphInterrupt):
    """Deprecated (LangGraph 1.0): raised by a node to stop the run with one interrupt.

    Call ``langgraph_lite.types.interrupt(value)`` instead: it can be resumed with an answer.
    A raised ``NodeInterrupt`` stops the run like an interrupt; resuming runs the node again.
    """

    def __init__(self, value: Any, id: str | None = None) -> None:
        warnings.warn(
            "NodeInterrupt is deprecated. Please use `langgraph_lite.types.interrupt` instead.",
            LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        from langgraph_lite.types import Interrupt

        # LangGraph gives an interrupt raised this way the id "placeholder-id".
        super().__init__([Interrupt(value=value, id="placeholder-id" if id is None else id)])


class EmptyInputError(Exception):
    """A run was started without input for any of its input channels."""


class TaskNotFound(Exception):
    """A distributed executor was asked to run a task the thread's checkpoint does not hold.

    Kept for LangGraph compatibility (its distributed mode raises it); nothing in this package
    raises it today.
    """


_RESUME_REASONS = ("not_pending", "empty_map", "ambiguous")


class UnknownInterruptError(Exception):
    """A strict resume did not match the interrupts waiting for an answer.

    Strict resume is turned on per run with ``{"configurable": {"__pregel_strict_resume":
    True}}`` (the key LangGraph's server and ``RemoteGraph`` send). ``reason`` says how the
    resume missed: ``"not_pending"`` (it answers ids that are not waiting, listed in
    ``interrupt_ids``), ``"empty_map"`` (``Command(resume={})``) or ``"ambiguous"`` (one value
    while several interrupts wait). ``pending_ids`` lists those still waiting, sorted. It is
    raised before anything is written, so the run can be resumed again with the right ids.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        interrupt_ids: Sequence[str] = (),
        pending_ids: Sequence[str] = (),
    ) -> None:
        if reason not in _RESUME_REASONS:
            raise ValueError(
                f"UnknownInterruptError: reason must be one of {', '.join(_RESUME_REASONS)}; "
                f"got {reason!r}."
            )
        super().__init__(message)
        self.reason = reason
        self.interrupt_ids = tuple(interrupt_ids)
        self.pending_ids = tuple(pending_ids)


class InternalError(RuntimeError):
    """The engine broke one of its own invariants. This is a bug; please report it."""


class MessageCoercionError(TypeError, NotImplementedError):
    """A value cannot be turned into a chat message.

    Also a ``NotImplementedError``, which LangGraph raises here, so existing handlers match.
    """


@dataclass(frozen=True, slots=True)
class NodeError:
    """What an error handler is told of the failure it handles.

    A handler added with ``add_node(..., error_handler=handler)`` (or
    ``set_node_defaults(error_handler=...)``) receives it through a parameter named ``error``
    annotated ``NodeError``::

        def handler(state: State, error: NodeError) -> Command:
            return Command(update={"status": f"{error.node} failed: {error.error}"}, goto="retry")

    Not an exception: it is a value handed to the handler. When the handler runs in a resumed
    run (it was interrupted or crashed the first time), ``error`` is rebuilt from the checkpoint
    as an ``Exception`` holding the original's ``repr``.
    """

    node: str
    """The name of the node that failed."""
    error: BaseException
    """What it raised (after its retries, if it had a retry policy)."""


# How interrupt() marks the pydantic ValidationError it raises when a resume value does not fit
# its response_schema. LangGraph's attribute name, so errors marked by either are recognised.
_INVALID_RESUME = "_langgraph_invalid_resume"


def _mark_invalid_resume(error: BaseException) -> None:
    setattr(error, _INVALID_RESUME, True)


def is_invalid_resume(error: BaseException) -> bool:
    """Whether ``error`` says a resume value did not fit an ``interrupt``'s ``response_schema``.

    ``interrupt()`` raises a ``pydantic.ValidationError`` marked this way. Nothing of the bad
    answer is saved, so the interrupt can be answered again; ``ToolNode`` uses this to tell the
    error from a tool called with bad arguments and never turns it into a ToolMessage.
    """
    return getattr(error, _INVALID_RESUME, False) is True


class NodeTimeoutError(Exception):
    """An attempt of a node (or task) ran past its ``TimeoutPolicy``.

    ``kind`` says which limit passed (``"run"`` or ``"idle"``) and ``timeout`` its seconds;
    ``run_timeout`` / ``idle_timeout`` are the policy's (None when not set), ``elapsed`` the
    attempt's seconds so far, ``node`` its name. Not a ``TimeoutError`` (an ``OSError``), so
    the default ``RetryPolicy`` retries it, as LangGraph's does.
    """

    def __init__(
        self,
        node: str,
        elapsed: float,
        *,
        kind: str,
        idle_timeout: float | None = None,
        run_timeout: float | None = None,
    ) -> None:
        if kind not in ("run", "idle"):
            raise ValueError(f"NodeTimeoutError: kind must be 'idle' or 'run', got {kind!r}.")
        timeout = run_timeout if kind == "run" else idle_timeout
        if timeout is None:
            raise ValueError(f"NodeTimeoutError: {kind}_timeout is required when kind={kind!r}.")
        if kind == "run":
            message = (
                f"Node '{node}' exceeded its run timeout of {timeout:.3f}s "
                f"(elapsed: {elapsed:.3f}s)."
            )
        else:
            message = (
                f"Node '{node}' exceeded its idle timeout of {timeout:.3f}s without making "
                f"progress (elapsed: {elapsed:.3f}s)."
            )
        super().__init__(message)
        self.node = node
        self.elapsed = elapsed
        self.kind = kind
        self.timeout = timeout
        self.run_timeout = run_timeout
        self.idle_timeout = idle_timeout
