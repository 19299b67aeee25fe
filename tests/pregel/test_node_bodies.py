"""What a node body is taken for: a callable is called, a Runnable is invoked."""

from typing import TypedDict
from unittest.mock import MagicMock, Mock

import pytest

from langgraph_lite.channels import LastValue
from langgraph_lite.graph import StateGraph
from langgraph_lite.pregel import NodeBuilder, Pregel


class State(TypedDict):
    x: int


def _pregel(body):
    return Pregel(
        nodes={"one": NodeBuilder().subscribe_only("input").do(body).write_to("output")},
        channels={"input": LastValue(int), "output": LastValue(int)},
        input_channels="input",
        output_channels="output",
    )


@pytest.mark.parametrize("kind", [Mock, MagicMock])
def test_a_mock_body_is_called_not_invoked(kind):
    add_one = kind(side_effect=lambda x: x + 1)
    assert _pregel(add_one).invoke(2) == 3
    assert add_one.call_count == 1
    assert not add_one.invoke.called


def test_a_mock_node_of_a_state_graph_gets_the_state():
    node = Mock(side_effect=lambda s: {"x": s["x"] * 10})
    builder = StateGraph(State)
    builder.add_node("a", node)
    builder.set_entry_point("a")
    builder.set_finish_point("a")
    assert builder.compile().invoke({"x": 4}) == {"x": 40}
    node.assert_called_once_with({"x": 4})


def test_a_users_callable_with_an_invoke_method_is_called():
    class Both:
        def __call__(self, x):
            return x + 1

        def invoke(self, x, config=None):
            raise AssertionError("a callable body is called, as LangGraph does")

    assert _pregel(Both()).invoke(1) == 2


def test_an_object_with_only_invoke_is_invoked():
    class OnlyInvoke:
        def invoke(self, x, config=None):
            return x * 2

    assert _pregel(OnlyInvoke()).invoke(3) == 6


def test_a_compiled_graph_is_still_a_subgraph_node():
    inner = StateGraph(State)
    inner.add_node("double", lambda s: {"x": s["x"] * 2})
    inner.set_entry_point("double")
    inner.set_finish_point("double")
    outer = StateGraph(State)
    outer.add_node("sub", inner.compile())
    outer.set_entry_point("sub")
    outer.set_finish_point("sub")
    assert outer.compile().invoke({"x": 5}) == {"x": 10}


@pytest.mark.anyio
async def test_a_mock_body_is_called_in_async_runs():
    add_one = Mock(side_effect=lambda x: x + 1)
    assert await _pregel(add_one).ainvoke(2) == 3
    assert add_one.call_count == 1
    assert not add_one.ainvoke.called


def test_a_langchain_runnable_body_is_invoked():
    runnables = pytest.importorskip("langchain_core.runnables")
    body = runnables.RunnableLambda(lambda x: x + 100)
    assert _pregel(body).invoke(1) == 101


@pytest.mark.anyio
async def test_a_callable_tool_node_still_runs_its_async_tools_in_async_runs():
    from langgraph_lite.messages import AIMessage
    from langgraph_lite.prebuilt import ToolNode
    from langgraph_lite.tools import tool

    @tool
    async def later(word: str) -> str:
        """Answers later."""
        return word * 2

    node = ToolNode([later])
    assert callable(node)  # ToolNode() can be called, and is still invoked as a Runnable
    call = {"name": "later", "args": {"word": "ab"}, "id": "c1"}
    out = await _pregel_any(node).ainvoke({"messages": [AIMessage("", tool_calls=[call])]})
    assert out["messages"][0].content == "abab"


def _pregel_any(body):
    return Pregel(
        nodes={"one": NodeBuilder().subscribe_only("input").do(body).write_to("output")},
        channels={"input": LastValue(object), "output": LastValue(object)},
        input_channels="input",
        output_channels="output",
    )
