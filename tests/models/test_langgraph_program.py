"""A LangGraph program with ChatOpenAI, LangChain tools and messages, only its imports renamed.

ChatOpenAI (langchain-openai) talks to the local chat-completions test server, so the whole
path is real: LangChain builds the request from the state's messages, streams the reply, and
its tokens reach ``stream_mode="messages"``. The program is LangGraph's usual tool-calling
assistant; the ``langchain_core`` / ``langchain_openai`` imports are as a LangGraph user writes
them.
"""

import pytest

pytest.importorskip("langchain_openai")

from chat_server import text_reply, tool_reply
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, MessagesState, StateGraph
from langgraph_lite.prebuilt import ToolNode, tools_condition


@tool
def multiply(a: int, b: int) -> int:
    """Multiply a and b."""
    return a * b


def build(base_url):
    llm = ChatOpenAI(model="gpt-4o-mini", base_url=base_url, api_key="k", max_retries=0)
    llm_with_tools = llm.bind_tools([multiply])
    sys_msg = SystemMessage(content="You are a helpful assistant tasked with arithmetic.")

    def assistant(state: MessagesState):
        return {"messages": [llm_with_tools.invoke([sys_msg, *state["messages"]])]}

    builder = StateGraph(MessagesState)
    builder.add_node("assistant", assistant)
    builder.add_node("tools", ToolNode([multiply]))
    builder.add_edge(START, "assistant")
    builder.add_conditional_edges("assistant", tools_condition)
    builder.add_edge("tools", "assistant")
    return builder.compile(checkpointer=InMemorySaver())


def test_openai_chatopenai_program_runs_with_only_langgraph_imports_renamed(chat_server):
    chat_server.script(
        tool_reply(("call-1", "multiply", '{"a": 6, "b": 7}')),
        text_reply("6", " times 7 is", " 42.", id="chatcmpl-3"),
    )
    graph = build(chat_server.base_url)
    config = {"configurable": {"thread_id": "1"}}
    tokens = [
        (token.content, metadata["langgraph_node"])
        for token, metadata in graph.stream(
            {"messages": [HumanMessage(content="What is 6 times 7?")]},
            config,
            stream_mode="messages",
        )
        if token.content
    ]
    assert tokens == [
        ("42", "tools"),
        ("6", "assistant"),
        (" times 7 is", "assistant"),
        (" 42.", "assistant"),
    ]
    messages = graph.get_state(config).values["messages"]
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"]
    assert messages[1].tool_calls == [
        {"name": "multiply", "args": {"a": 6, "b": 7}, "id": "call-1", "type": "tool_call"}
    ]
    assert messages[-1].content == "6 times 7 is 42."
    assert messages[-1].usage_metadata["total_tokens"] == 8
    # LangChain built the second request from the state: system prompt, question, call, answer
    second = chat_server.requests[1]["body"]
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "tool"]
    assert second["messages"][2]["tool_calls"][0]["function"]["arguments"] == '{"a": 6, "b": 7}'
    assert second["messages"][3] == {"role": "tool", "tool_call_id": "call-1", "content": "42"}
    assert second["tools"][0]["function"]["name"] == "multiply"
