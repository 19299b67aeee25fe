"""run.messages: our chat messages as protocol events, MessagesTransformer, MessageStream."""

from __future__ import annotations

from typing import Any

import pytest

from langgraph_lite.graph import END, START, MessagesState, StateGraph
from langgraph_lite.message_events import MessageEvents, message_events
from langgraph_lite.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langgraph_lite.stream import StreamChannel
from langgraph_lite.stream.message_stream import AsyncMessageStream, MessageStream
from langgraph_lite.stream.transformers import MessagesTransformer
from langgraph_lite.stream.transformers import messages as messages_module
from langgraph_lite.testing import ScriptedChatModel

CHUNK_CASES = [
    [
        AIMessageChunk(content="hel", id="r1"),
        AIMessageChunk(content="lo", id="r1"),
        AIMessageChunk(
            content="",
            id="r1",
            response_metadata={"finish_reason": "stop", "model_name": "m", "model_provider": "p"},
            usage_metadata={"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
        ),
    ],
    [
        AIMessageChunk(
            content="",
            id="r2",
            tool_call_chunks=[{"name": "f", "args": '{"a"', "id": "c1", "index": 0}],
        ),
        AIMessageChunk(
            content="",
            id="r2",
            tool_call_chunks=[{"name": None, "args": ": 1}", "id": None, "index": 0}],
        ),
    ],
    [
        AIMessageChunk(content="x", id="r3"),
        AIMessageChunk(
            content="",
            id="r3",
            tool_call_chunks=[{"name": "f", "args": "{bad", "id": "c1", "index": 1}],
        ),
    ],
    [
        AIMessageChunk(content="", additional_kwargs={"reasoning_content": "think"}, id="r5"),
        AIMessageChunk(content="ans", id="r5"),
    ],
    [
        AIMessageChunk(content=[{"type": "text", "text": "a", "index": 0}], id="r4"),
        AIMessageChunk(content=[{"type": "text", "text": "b", "index": 0}], id="r4"),
    ],
    [AIMessageChunk(content="", id="r6", tool_calls=[{"name": "f", "args": {"q": 1}, "id": "c9"}])],
]

WHOLE_CASES = [
    AIMessage(
        content="hi",
        id="m1",
        tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}],
        usage_metadata={"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
        response_metadata={"finish_reason": "stop"},
    ),
    AIMessage(content="", id="m2"),
    AIMessage(content="x"),
    AIMessage(content=[{"type": "text", "text": "a"}, "b"], id="m3"),
    AIMessage(
        content="",
        id="m4",
        invalid_tool_calls=[{"name": "f", "args": "{x", "id": "c2", "error": "bad"}],
    ),
]


def _streamed(chunks: list[Any]) -> list[dict[str, Any]]:
    builder = MessageEvents()
    return [e for c in chunks for e in builder.chunk(c)] + builder.finish()


@pytest.mark.parametrize("chunks", CHUNK_CASES)
def test_our_chunks_make_the_events_langchains_bridge_makes_of_the_same_chunks(chunks: Any) -> None:
    bridge = pytest.importorskip("langchain_core.language_models._compat_bridge")
    from langchain_core.outputs import ChatGenerationChunk

    from langgraph_lite.interop.langchain import to_langchain

    theirs = bridge.chunks_to_events(
        iter(ChatGenerationChunk(message=to_langchain(c)) for c in chunks)
    )
    assert _streamed(chunks) == list(theirs)


@pytest.mark.parametrize("message", WHOLE_CASES)
def test_a_whole_message_replays_as_langchains_bridge_replays_it(message: Any) -> None:
    bridge = pytest.importorskip("langchain_core.language_models._compat_bridge")
    from langgraph_lite.interop.langchain import to_langchain

    assert message_events(message) == list(bridge.message_to_events(to_langchain(message)))


def test_a_stream_of_text_chunks_has_one_text_block() -> None:
    events = _streamed([AIMessageChunk(content="a", id="r"), AIMessageChunk(content="b", id="r")])
    assert [e["event"] for e in events] == [
        "message-start",
        "content-block-start",
        "content-block-delta",
        "content-block-delta",
        "content-block-finish",
        "message-finish",
    ]
    assert events[4]["content"] == {"type": "text", "text": "ab"}


def test_a_chunk_after_the_finish_is_refused() -> None:
    builder = MessageEvents()
    builder.chunk(AIMessageChunk(content="a", id="r"))
    builder.finish()
    with pytest.raises(RuntimeError, match="already finished"):
        builder.chunk(AIMessageChunk(content="b", id="r"))


def test_a_message_that_never_started_finishes_with_no_events() -> None:
    assert MessageEvents().finish() == []


# -- the transformer, fed by hand ------------------------------------------------------------


def _event(payload: Any, *, run_id: str = "run-1", node: str = "llm", ns: Any = ()) -> Any:
    data = (payload, {"langgraph_node": node, "run_id": run_id})
    return {
        "type": "event",
        "method": "messages",
        "params": {"namespace": list(ns), "timestamp": 0, "data": data},
    }


def _armed(*, ours: bool, monkeypatch: Any) -> tuple[MessagesTransformer, StreamChannel[Any]]:
    if ours:
        monkeypatch.setattr(messages_module, "_classes", (MessageStream, AsyncMessageStream))
    t = MessagesTransformer()
    log = t.init()["messages"]
    log._bind(is_async=False)
    log._subscribed = True
    t._bind_pump(lambda: False)
    return t, log


def _streams(log: StreamChannel[Any]) -> list[Any]:
    return [item for _stamp, item in log._items]


@pytest.mark.parametrize("ours", [True, False])
def test_a_streamed_message_becomes_one_stream_with_its_text(ours: bool, monkeypatch: Any) -> None:
    if not ours:
        pytest.importorskip("langchain_core.language_models.chat_model_stream")
    t, log = _armed(ours=ours, monkeypatch=monkeypatch)
    events = _streamed(
        [AIMessageChunk(content="hel", id="r1"), AIMessageChunk(content="lo", id="r1")]
    )
    t.process(_event(events[0]))
    (stream,) = _streams(log)  # pushed at its start, before it finished
    assert not stream.done
    for e in events[1:]:
        t.process(_event(e))
    assert stream.done and stream.node == "llm" and stream.message_id == "r1"
    assert "".join(stream.text) == "hello"
    assert stream.output.text == "hello"
    assert t._by_run == {}


def test_our_stream_assembles_our_message_with_tool_calls_and_usage(monkeypatch: Any) -> None:
    t, log = _armed(ours=True, monkeypatch=monkeypatch)
    message = WHOLE_CASES[0]
    t.process(_event(message))
    (stream,) = _streams(log)
    assert isinstance(stream, MessageStream)
    assert stream.output == AIMessage(
        content="hi",
        id="m1",
        tool_calls=message.tool_calls,
        usage_metadata=message.usage_metadata,
        response_metadata={"finish_reason": "stop"},
    )
    assert stream.tool_calls == message.tool_calls
    assert next(iter(stream))["event"] == "message-start"


@pytest.mark.parametrize(
    "payload",
    [
        ToolMessage(content="[]", tool_call_id="c1", id="t1"),  # tool results are not chat tokens
        AIMessageChunk(content="v1 chunk", id="x"),  # no lifecycle to follow
        {
            "event": "content-block-delta",
            "index": 0,
            "delta": {"type": "text-delta", "text": "orphan"},
        },
    ],
)
def test_what_is_not_a_chat_message_lifecycle_is_left_out(payload: Any, monkeypatch: Any) -> None:
    t, log = _armed(ours=True, monkeypatch=monkeypatch)
    assert t.process(_event(payload)) is True
    assert _streams(log) == []


def test_a_tool_role_lifecycle_is_dropped_to_its_end(monkeypatch: Any) -> None:
    t, log = _armed(ours=True, monkeypatch=monkeypatch)
    t.process(_event({"event": "message-start", "role": "tool", "id": "t"}, run_id="tool"))
    t.process(_event({"event": "message-finish"}, run_id="tool"))
    assert _streams(log) == [] and t._ignored_runs == set()


def test_other_levels_and_methods_pass_through(monkeypatch: Any) -> None:
    t, log = _armed(ours=True, monkeypatch=monkeypatch)
    assert t.process(_event(HumanMessage(content="x", id="h"), ns=["sub:1"])) is True
    assert (
        t.process({"type": "event", "method": "values", "params": {"namespace": [], "data": {}}})
        is True
    )
    assert _streams(log) == []


def test_a_malformed_messages_event_says_what_it_should_carry(monkeypatch: Any) -> None:
    t, _ = _armed(ours=True, monkeypatch=monkeypatch)
    bad = {
        "type": "event",
        "method": "messages",
        "params": {"namespace": [], "timestamp": 0, "data": "oops"},
    }
    with pytest.raises(ValueError, match=r"data=\(payload, metadata\)"):
        t.process(bad)


def test_a_failed_run_fails_the_streams_still_open(monkeypatch: Any) -> None:
    t, log = _armed(ours=True, monkeypatch=monkeypatch)
    t.process(_event({"event": "message-start", "role": "ai", "id": "r"}))
    (stream,) = _streams(log)
    err = RuntimeError("down")
    t.fail(err)
    with pytest.raises(RuntimeError, match="down"):
        stream.output  # noqa: B018


# -- end to end: our model in a graph ----------------------------------------------------------


def _graph(model: Any) -> Any:
    def call(state: MessagesState) -> dict[str, Any]:
        return {"messages": model.invoke(state["messages"])}

    def fixed(state: MessagesState) -> dict[str, Any]:
        return {
            "messages": [
                AIMessage(content="done", id="fixed"),
                ToolMessage(content="r", tool_call_id="c"),
            ]
        }

    builder = StateGraph(MessagesState).add_node("call", call).add_node("fixed", fixed)
    return (
        builder.add_edge(START, "call").add_edge("call", "fixed").add_edge("fixed", END).compile()
    )


@pytest.mark.parametrize("ours", [True, False])
def test_our_models_tokens_reach_run_messages_as_a_stream_per_message(
    ours: bool, monkeypatch: Any
) -> None:
    if ours:
        monkeypatch.setattr(messages_module, "_classes", (MessageStream, AsyncMessageStream))
    else:
        pytest.importorskip("langchain_core.language_models.chat_model_stream")
    run = _graph(ScriptedChatModel([["hello", " ", "world"]])).stream_events(
        {"messages": "hi"}, version="v3"
    )
    first, second = list(run.messages)  # the tool message is not among them
    assert (first.node, "".join(first.text)) == ("call", "hello world")
    assert first.output.text == "hello world"
    assert (second.node, second.message_id, second.output.text) == ("fixed", "fixed", "done")


def test_the_raw_events_are_the_protocol_events_with_the_calls_run_id() -> None:
    run = _graph(ScriptedChatModel([["a", "b"]])).stream_events({"messages": "hi"}, version="v3")
    parts = [e["params"]["data"] for e in run if e["method"] == "messages"]
    streamed = [(p, m) for p, m in parts if isinstance(p, dict)]
    assert [p["event"] for p, _ in streamed] == [
        "message-start",
        "content-block-start",
        "content-block-delta",
        "content-block-delta",
        "content-block-finish",
        "message-finish",
    ]
    run_ids = {m["run_id"] for _, m in streamed}
    assert run_ids == {streamed[0][0]["id"]}
    assert all(m["langgraph_node"] == "call" for _, m in streamed)


def test_a_plain_messages_stream_still_gets_chunks() -> None:
    parts = list(
        _graph(ScriptedChatModel([["a", "b"]])).stream({"messages": "hi"}, stream_mode="messages")
    )
    assert [type(p).__name__ for p, _ in parts][:2] == ["AIMessageChunk", "AIMessageChunk"]


@pytest.mark.anyio
async def test_an_async_run_gives_async_streams_of_our_models_tokens(monkeypatch: Any) -> None:
    monkeypatch.setattr(messages_module, "_classes", (MessageStream, AsyncMessageStream))
    model = ScriptedChatModel([["x", "y"]])

    async def call(state: MessagesState) -> dict[str, Any]:
        return {"messages": await model.ainvoke(state["messages"])}

    graph = StateGraph(MessagesState).add_node("call", call).add_edge(START, "call").compile()
    run = await graph.astream_events({"messages": "hi"}, version="v3")
    texts = []
    async for stream in run.messages:
        assert isinstance(stream, AsyncMessageStream)
        texts.append("".join([piece async for piece in stream.text]))
        assert (await stream.output).content == "xy"
    assert texts == ["xy"]


_WITHOUT_LANGCHAIN = """
import importlib.abc, sys

class NoLangChain(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "langchain_core":
            raise ImportError(name)

sys.meta_path.insert(0, NoLangChain())
from langgraph_lite.graph import START, MessagesState, StateGraph
from langgraph_lite.testing import ScriptedChatModel

model = ScriptedChatModel([["no ", "langchain"]])
graph = StateGraph(MessagesState).add_node("m", lambda s: {"messages": model.invoke(s["messages"])})
graph = graph.add_edge(START, "m").compile()
(stream,) = list(graph.stream_events({"messages": "hi"}, version="v3").messages)
assert type(stream).__name__ == "MessageStream", type(stream)
assert "".join(stream.text) == "no langchain" and stream.output.content == "no langchain"
assert not [m for m in sys.modules if m.startswith("langchain")]
"""


def test_run_messages_works_without_langchain_core_installed() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_LANGCHAIN], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_two_calls_in_one_node_and_two_nodes_in_one_step_make_a_stream_each(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(messages_module, "_classes", (MessageStream, AsyncMessageStream))
    twice = ScriptedChatModel([["one"], ["two"]])
    left, right = ScriptedChatModel([["l", "l"]]), ScriptedChatModel([["r", "r"]])

    def both(state: MessagesState) -> dict[str, Any]:
        return {"messages": [twice.invoke(state["messages"]), twice.invoke(state["messages"])]}

    graph = (
        StateGraph(MessagesState)
        .add_node("both", both)
        .add_node("left", lambda s: {"messages": left.invoke(s["messages"])})
        .add_node("right", lambda s: {"messages": right.invoke(s["messages"])})
        .add_edge(START, "both")
        .add_edge("both", "left")
        .add_edge("both", "right")
        .compile()
    )
    streams = list(graph.stream_events({"messages": "hi"}, version="v3").messages)
    got = sorted((s.node, s.output.content) for s in streams)
    assert got == [("both", "one"), ("both", "two"), ("left", "ll"), ("right", "rr")]
    assert all(s.done for s in streams)


def _langchain_graph(invoke: Any) -> Any:
    def call(state: MessagesState) -> dict[str, Any]:
        return {"messages": invoke(state["messages"])}

    return StateGraph(MessagesState).add_node("call", call).add_edge(START, "call").compile()


def test_a_langchain_model_in_a_v3_run_streams_protocol_events_once() -> None:
    fake = pytest.importorskip("langchain_core.language_models")
    model = fake.GenericFakeChatModel(messages=iter(["from langchain"]))
    run = _langchain_graph(model.invoke).stream_events({"messages": "hi"}, version="v3")
    (stream,) = list(run.messages)  # streamed, and not replayed again from the node's return
    assert type(stream).__name__ == "ChatModelStream"
    assert "".join(stream.text) == "from langchain" and stream.node == "call"


def test_a_langchain_model_in_a_plain_messages_stream_still_gives_chunks() -> None:
    fake = pytest.importorskip("langchain_core.language_models")
    model = fake.GenericFakeChatModel(messages=iter(["plain path"]))
    parts = list(_langchain_graph(model.invoke).stream({"messages": "hi"}, stream_mode="messages"))
    assert parts and all(type(p).__name__ == "AIMessageChunk" for p, _ in parts)


def test_the_events_handler_forwards_events_and_does_not_replay_a_streamed_message() -> None:
    pytest.importorskip("langchain_core")
    from uuid import uuid4

    from langchain_core.messages import AIMessage as LCAIMessage
    from langchain_core.outputs import ChatGeneration, LLMResult

    from langgraph_lite.pregel._messages import StreamMessagesHandlerV2

    parts: list[Any] = []
    handler = StreamMessagesHandlerV2(parts.append, subgraphs=False)
    streamed, whole = uuid4(), uuid4()
    for run_id in (streamed, whole):
        handler.metadata[run_id] = ((), {"langgraph_node": "n"})
    handler.on_llm_new_token("x", run_id=streamed)  # chunks are not this handler's business
    handler.on_stream_event({"event": "message-start", "id": "m1"}, run_id=streamed)
    result = LLMResult(generations=[[ChatGeneration(message=LCAIMessage(content="x", id="other"))]])
    handler.on_llm_end(result, run_id=streamed)
    handler.on_llm_end(
        LLMResult(generations=[[ChatGeneration(message=LCAIMessage(content="y"))]]), run_id=whole
    )
    assert [(ns, mode, type(p).__name__) for ns, mode, (p, _m) in parts] == [
        ((), "messages", "dict"),
        ((), "messages", "AIMessage"),  # a call that did not stream: its whole message
    ]
    assert parts[0][2][1]["run_id"] == str(streamed)
    assert {"m1", "other"} <= handler.seen and handler.metadata == {}


def test_a_pushed_message_goes_out_whole_and_reads_as_a_finished_stream(monkeypatch: Any) -> None:
    from langgraph_lite.graph.message import push_message

    monkeypatch.setattr(messages_module, "_classes", (MessageStream, AsyncMessageStream))
    model = ScriptedChatModel([["stre", "amed"]])

    def node(state: MessagesState) -> dict[str, Any]:
        reply = model.invoke(state["messages"])
        push_message(AIMessage(content="pushed", id="p1"))
        return {"messages": [reply]}

    graph = StateGraph(MessagesState).add_node("n", node).add_edge(START, "n").compile()
    raw = [
        e["params"]["data"][0]
        for e in graph.stream_events({"messages": "hi"}, version="v3")
        if e["method"] == "messages"
    ]
    assert [p["event"] for p in raw if isinstance(p, dict)][
        -1
    ] == "message-finish"  # closed before the push
    assert [(type(p).__name__, p.id) for p in raw if not isinstance(p, dict)] == [
        ("AIMessage", "p1")
    ]
    model = ScriptedChatModel([["stre", "amed"]])
    streams = list(graph.stream_events({"messages": "hi"}, version="v3").messages)
    assert [(s.output.content, s.done) for s in streams] == [("streamed", True), ("pushed", True)]
