"""push_message: a whole message sent to stream_mode="messages" mid-node and written to the
state before what the node returns (chunks and state observed on LangGraph 1.2.22)."""

from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph, add_messages
from langgraph_lite.graph.message import push_message
from langgraph_lite.messages import AIMessage, HumanMessage
from langgraph_lite.types import RetryPolicy


class S(TypedDict):
    messages: Annotated[list, add_messages]
    n: int


def chat(state: S) -> dict:
    push_message(AIMessage("First", id="1"))
    push_message(HumanMessage("Second", id="2"), state_key=None)  # streamed, not stored
    return {"messages": [AIMessage("Last", id="4")], "n": 1}


def graph(node=chat, **kw):
    return StateGraph(S).add_node("chat", node, **kw).add_edge(START, "chat").compile()


def test_pushed_messages_stream_once_and_go_to_the_state_first():
    chunks = list(graph().stream({"messages": [], "n": 0}, stream_mode=["messages", "updates"]))
    streamed = [(c[0].content, c[1]["langgraph_node"]) for mode, c in chunks if mode == "messages"]
    assert streamed == [("First", "chat"), ("Second", "chat"), ("Last", "chat")]
    updates = [c for mode, c in chunks if mode == "updates"]
    assert updates == [
        {
            "chat": [
                {"messages": AIMessage("First", id="1")},
                {"messages": [AIMessage("Last", id="4")]},
                {"n": 1},
            ]
        }
    ]


@pytest.mark.anyio
async def test_pushed_messages_are_saved_with_the_nodes_writes():
    app = StateGraph(S).add_node("chat", chat).add_edge(START, "chat")
    app = app.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    out = await app.ainvoke({"messages": [], "n": 0}, config)
    assert [m.content for m in out["messages"]] == ["First", "Last"]
    assert [m.id for m in app.get_state(config).values["messages"]] == ["1", "4"]


def test_a_message_without_an_id_is_refused():
    def node(state):
        push_message(AIMessage("no id"))

    with pytest.raises(ValueError, match=r"^Message ID is required"):
        graph(node).invoke({"messages": [], "n": 0})


def test_a_failed_attempts_pushed_messages_are_dropped():
    attempts = []

    def flaky(state):
        attempts.append(1)
        push_message(AIMessage(f"try {len(attempts)}", id=f"t{len(attempts)}"))
        if len(attempts) == 1:
            raise ValueError("boom")
        return {"n": len(attempts)}

    app = graph(
        flaky, retry_policy=RetryPolicy(initial_interval=0.0, jitter=False, retry_on=ValueError)
    )
    out = app.invoke({"messages": [], "n": 0})
    assert out == {"messages": [AIMessage("try 2", id="t2")], "n": 2}


def test_outside_a_node_it_says_where_to_call_it():
    with pytest.raises(RuntimeError, match="outside a running node"):
        push_message(AIMessage("x", id="x"))
