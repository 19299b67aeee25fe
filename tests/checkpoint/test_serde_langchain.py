"""LangChain's message classes in checkpoints: saved and read back as themselves.

A graph whose state keeps LangChain messages as they are (a key without ``add_messages``)
saves them; LangGraph 1.2.22 reads them back as the same classes (observed with this file's
graph), and so do we. Decoding still imports nothing: the classes are looked up only among the
modules already loaded, and a class LangChain's message modules do not define is refused.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from typing_extensions import TypedDict

lc = pytest.importorskip("langchain_core.messages")
documents = pytest.importorskip("langchain_core.documents")

from langgraph_lite.checkpoint.memory import InMemorySaver  # noqa: E402
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde  # noqa: E402
from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver  # noqa: E402
from langgraph_lite.graph import START, StateGraph  # noqa: E402

VALUES = [
    lc.HumanMessage("q", id="h1", name="bob"),
    lc.AIMessage(
        "",
        id="a1",
        tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}],
        usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
        response_metadata={"model": "m"},
    ),
    lc.AIMessage(content=[{"type": "text", "text": "hi"}]),
    lc.AIMessageChunk("a", tool_call_chunks=[{"name": "f", "args": "{", "id": "c", "index": 0}]),
    lc.SystemMessage("s"),
    lc.ToolMessage("r", tool_call_id="c1", artifact={"k": [1]}, status="error"),
    lc.ChatMessage("c", role="critic"),
    lc.FunctionMessage("f", name="fn"),
    lc.RemoveMessage(id="h1"),
    lc.HumanMessageChunk("h"),
    lc.ToolMessageChunk("t", tool_call_id="x"),
    documents.Document(page_content="p", metadata={"a": 1}, id="d"),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_each_class_comes_back_as_itself(value):
    serde = MsgpackSerde()
    back = serde.loads_typed(serde.dumps_typed({"v": [value]}))["v"][0]
    assert type(back) is type(value)
    assert back == value


def test_a_subclass_of_a_langchain_message_is_still_refused():
    class Sneaky(lc.HumanMessage):
        pass

    serde = MsgpackSerde()
    with pytest.raises(CheckpointDecodeError, match="not on the serializer's allowlist"):
        serde.loads_typed(serde.dumps_typed(Sneaky("x")))


def test_without_langchain_loaded_nothing_is_imported(tmp_path):
    serde = MsgpackSerde()
    (tmp_path / "value.bin").write_bytes(serde.dumps(lc.HumanMessage("q")))
    program = f"""
import sys
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde
data = open({str(tmp_path / "value.bin")!r}, "rb").read()
try:
    MsgpackSerde().loads(data)
except CheckpointDecodeError as exc:
    print("refused:", exc)
print("loaded:", any(m.startswith("langchain_core") for m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    assert "refused: checkpoint holds a LangChain HumanMessage" in out
    assert "Import langchain_core.messages before reading this thread" in out
    assert "loaded: False" in out


class State(TypedDict):
    msgs: list
    other: Any


def graph(saver):
    def node(state):
        return {
            "msgs": [*state["msgs"], lc.AIMessage("hi", id="a1")],
            "other": {"doc": documents.Document(page_content="p")},
        }

    return (
        StateGraph(State).add_node("node", node).add_edge(START, "node").compile(checkpointer=saver)
    )


def check(values):
    assert [type(m) for m in values["msgs"]] == [lc.HumanMessage, lc.AIMessage]
    assert values["msgs"][1] == lc.AIMessage("hi", id="a1")
    assert type(values["other"]["doc"]) is documents.Document


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_graph_keeps_langchain_messages_in_its_checkpoints(kind, tmp_path):
    config = {"configurable": {"thread_id": "t"}}
    if kind == "memory":
        app = graph(InMemorySaver())
        app.invoke({"msgs": [lc.HumanMessage("q", id="q")]}, config)
        check(app.get_state(config).values)
        return
    with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        app = graph(saver)
        app.invoke({"msgs": [lc.HumanMessage("q", id="q")]}, config)
        check(app.get_state(config).values)
        assert [s.metadata["source"] for s in app.get_state_history(config)] == ["loop", "loop", "input"]


@pytest.mark.anyio
async def test_and_with_the_async_sqlite_saver(tmp_path):
    config = {"configurable": {"thread_id": "t"}}
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        app = graph(saver)
        await app.ainvoke({"msgs": [lc.HumanMessage("q", id="q")]}, config)
        check((await app.aget_state(config)).values)
