"""What ToolNode never turns into an error message: interrupts, and resume values that do not fit.

Expected values were observed running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

import pydantic
import pytest

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, MessagesState, StateGraph
from langgraph_lite.messages import AIMessage
from langgraph_lite.prebuilt import ToolNode
from langgraph_lite.prebuilt.tool_errors import is_invalid_resume
from langgraph_lite.tools import tool
from langgraph_lite.types import Command, interrupt


def _handle_any(e):  # no annotation: handles every error
    return "handled"


HANDLERS = pytest.mark.parametrize(
    "handle_tool_errors",
    [True, (ValueError,), _handle_any, "sorry"],
    ids=["True", "ValueError", "a_function", "a_message"],  # (no addresses: same in every run)
)
WRAPPED = pytest.mark.parametrize("wrapped", [False, True], ids=["plain", "wrapped"])


def _graph(tool_fn, handle_tool_errors, wrapped, *, checkpointer=None):
    wrapper = (lambda request, handler: handler(request)) if wrapped else None
    node = ToolNode([tool_fn], handle_tool_errors=handle_tool_errors, wrap_tool_call=wrapper)
    builder = StateGraph(MessagesState).add_node("tools", node).add_edge(START, "tools")
    return builder.compile(checkpointer=checkpointer)


def _call(name):
    return {"messages": [AIMessage("", tool_calls=[{"name": name, "args": {}, "id": "c1"}])]}


@HANDLERS
@WRAPPED
def test_an_interrupt_in_a_tool_is_the_graphs_interrupt_whatever_the_handler(
    handle_tool_errors, wrapped
):
    @tool
    def ask_human() -> str:
        """Ask a human."""
        return f"got={interrupt('Approve?')}"

    graph = _graph(ask_human, handle_tool_errors, wrapped, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    [pending] = graph.invoke(_call("ask_human"), config)["__interrupt__"]
    assert pending.value == "Approve?"
    result = graph.invoke(Command(resume="yes"), config)
    assert result["messages"][-1].content == "got=yes"


def _bad_resume() -> pydantic.ValidationError:
    class Approval(pydantic.BaseModel):
        approved: bool

    try:
        Approval.model_validate({"approved": "maybe"})
    except pydantic.ValidationError as exc:
        exc._langgraph_invalid_resume = True  # type: ignore[attr-defined]  # interrupt()'s mark
        return exc
    raise AssertionError("unreachable")


@HANDLERS
@WRAPPED
def test_a_resume_value_that_does_not_fit_is_raised_whatever_the_handler(
    handle_tool_errors, wrapped
):
    error = _bad_resume()
    assert is_invalid_resume(error)

    @tool
    def ask_human() -> str:
        """Ask a human."""
        raise error

    with pytest.raises(pydantic.ValidationError, match="approved"):
        _graph(ask_human, handle_tool_errors, wrapped).invoke(_call("ask_human"))


def test_an_unmarked_validation_error_in_a_tool_is_reported_as_invalid_arguments():
    class Approval(pydantic.BaseModel):
        approved: bool

    @tool
    def check() -> str:
        """Check."""
        return str(Approval.model_validate({"approved": "maybe"}))

    assert not is_invalid_resume(ValueError("x"))
    invocation = (
        "Error invoking tool 'check' with kwargs {} with error:\n"
        " approved: Input should be a valid boolean, unable to interpret input\n"
        " Please fix the error and try again."
    )
    default = ToolNode([check])
    graph = StateGraph(MessagesState).add_node("tools", default).add_edge(START, "tools")
    answer = graph.compile().invoke(_call("check"))["messages"][-1]
    assert (answer.content, answer.status) == (invocation, "error")
    answer = _graph(check, True, False).invoke(_call("check"))["messages"][-1]
    assert (
        answer.content == f"Error: ToolInvocationError({invocation!r})\n Please fix your mistakes."
    )
