"""LangChain tools in ToolNode: what they are given, what the model may not fill in, and what
they may return. Each expectation was first observed running the same program on LangGraph
1.2.22 (with LangChain's messages there).
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Annotated, Any

import pytest
from langchain_core.tools import BaseTool, InjectedToolArg, tool

from langgraph_lite.graph import START, MessagesState, StateGraph
from langgraph_lite.messages import AIMessage, ToolMessage
from langgraph_lite.prebuilt import InjectedStore, ToolNode
from langgraph_lite.prebuilt.tool_node import ToolRuntime
from langgraph_lite.store.memory import InMemoryStore
from langgraph_lite.types import Command


@dataclasses.dataclass
class Who:
    user: str


@tool
def whoami(rt: ToolRuntime[Who]) -> str:
    """Say who is asking."""
    return f"{rt.context.user} via {rt.tool_call_id}"


@tool
def secret(query: str, auth: Annotated[dict | None, InjectedToolArg()] = None) -> str:
    """Read with the caller's rights."""
    return f"auth={auth}"


class Both(BaseTool):
    """A LangChain tool class that answers with a state update and a message."""

    name: str = "both"
    description: str = "Update the state and answer."

    def _run(self, **kwargs: Any) -> Any:
        return [Command(update={"foo": 1}), ToolMessage("done", tool_call_id="c0")]


def _ask(*calls: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    tool_calls = [
        {"name": name, "args": args, "id": f"c{i}", "type": "tool_call"}
        for i, (name, args) in enumerate(calls)
    ]
    return {"messages": [AIMessage("", tool_calls=tool_calls)]}


def test_a_toolruntime_parameter_is_hidden_from_the_model_and_given_the_run():
    assert whoami.tool_call_schema.model_json_schema().get("properties") == {}
    graph = StateGraph(MessagesState, context_schema=Who).add_node("tools", ToolNode([whoami]))
    graph = graph.add_edge(START, "tools").compile()
    out = graph.invoke(_ask(("whoami", {})), context=Who("ada"))
    assert out["messages"][-1].content == "ada via c0"


@pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="on 3.10 LangChain itself shows the model an InjectedToolArg that defaults to None "
    "(get_type_hints wraps it in Optional), so it is not hidden there, as in LangGraph",
)
def test_a_value_the_model_sends_for_a_hidden_parameter_is_dropped():
    node = ToolNode([secret])
    out = node.invoke(_ask(("secret", {"query": "q", "auth": {"role": "admin"}})))
    assert out["messages"][-1].content == "auth=None"


def test_a_langchain_tool_may_answer_with_a_list_of_a_command_and_our_message():
    assert ToolNode([Both()]).invoke(_ask(("both", {}))) == [
        Command(update={"foo": 1}),
        {"messages": [ToolMessage("done", tool_call_id="c0")]},
    ]


def test_toolnode_run_by_hand_takes_the_store_from_a_langgraph_runtime_in_its_config():
    store = InMemoryStore()
    store.put(("ns",), "k", {"v": 7})

    def read(key: str, store: Annotated[Any, InjectedStore()]) -> str:
        """Read a value."""
        return str(store.get(("ns",), key).value["v"])

    runtime = type("Runtime", (), {"store": store, "context": None, "stream_writer": None})()
    config = {"configurable": {"__pregel_runtime": runtime}}
    out = ToolNode([read]).invoke(_ask(("read", {"key": "k"})), config)
    assert out["messages"][-1].content == "7"


def test_toolnode_run_by_hand_hands_that_runtimes_execution_and_server_info_to_tools():
    from langgraph_lite.runtime import ExecutionInfo, ServerInfo

    seen: dict[str, Any] = {}

    def info(x: int, runtime: ToolRuntime) -> str:
        """Look at the run."""
        seen.update(execution=runtime.execution_info, server=runtime.server_info)
        return "ok"

    execution = ExecutionInfo(checkpoint_id="cp", checkpoint_ns="", task_id="tk")
    server = ServerInfo(assistant_id="a", graph_id="g")
    runtime = type(
        "Runtime",
        (),
        {"store": None, "context": None, "stream_writer": None},
    )()
    runtime.execution_info, runtime.server_info = execution, server
    config = {"configurable": {"__pregel_runtime": runtime}}
    assert ToolNode([info]).invoke(_ask(("info", {"x": 1})), config)["messages"][-1].content == "ok"
    assert seen["execution"] is execution and seen["server"] is server
