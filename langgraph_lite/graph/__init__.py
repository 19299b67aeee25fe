"""The builder API: define a graph of functions over a shared state, compile it, run it."""

from langgraph_lite.graph.branch import END, START
from langgraph_lite.graph.message import MessageGraph, MessagesState, add_messages
from langgraph_lite.graph.state import CompiledStateGraph, StateGraph

__all__ = [
    "END",
    "START",
    "CompiledStateGraph",
    "MessageGraph",
    "MessagesState",
    "StateGraph",
    "add_messages",
]
