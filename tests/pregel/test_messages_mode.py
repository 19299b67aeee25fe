"""stream_mode="messages": chat-model tokens as ``(chunk, metadata)``, as LangGraph streams them.

Reference behaviour is LangGraph 1.2.22 with langchain-core's ``GenericFakeChatModel`` running
the same graphs; where a test states a LangGraph result, it was observed there.
"""

import asyncio
import contextlib
import gc
import operator
import re
import time
from typing import Annotated

import anyio
import pytest

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.config import get_stream_writer
from langgraph_lite.graph import END, START, MessagesState, StateGraph
from langgraph_lite.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langgraph_lite.testing import ScriptedChatModel

HI = {"messages": [{"role": "user", "content": "hi"}]}


def chain(*nodes, state=MessagesState, **compile_kwargs):
    """A graph running ``nodes`` (name, function) one after the other."""
    builder = StateGraph(state)
    previous = START
    for name, fn in nodes:
        builder.add_node(name, fn)
        builder.add_edge(previous, name)
        previous = name
    return builder.compile(**compile_kwargs)


def caller(model):
    """A node that calls ``model`` on the conversation and returns its reply."""

    def call(state):
        return {"messages": [model.invoke(state["messages"])]}

    return call


async def collect(stream):
    return [chunk async for chunk in stream]


def strip_ids(text):
    return re.sub(r":[0-9a-f-]{36}", ":<id>", text)


# -- metadata ------------------------------------------------------------------------------------


def test_token_metadata_names_the_node_step_triggers_path_and_checkpoint_ns():
    model = ScriptedChatModel([["Hel", "lo"]])
    app = chain(("first", lambda s: {}), ("call", caller(model)))
    chunks = list(app.stream(HI, stream_mode="messages"))
    assert [c.content for c, _ in chunks] == ["Hel", "lo"]
    for chunk, metadata in chunks:
        assert isinstance(chunk, AIMessageChunk)
        assert metadata["langgraph_node"] == "call"
        assert metadata["langgraph_step"] == 2
        assert metadata["langgraph_triggers"] == ("branch:to:call",)
        assert metadata["langgraph_path"] == ("__pregel_pull", "call")
        assert re.fullmatch(r"call:[0-9a-f-]{36}", metadata["langgraph_checkpoint_ns"])
        assert metadata["checkpoint_ns"] == metadata["langgraph_checkpoint_ns"]
        assert metadata["ls_provider"] == "scripted"  # what the model adds is kept
    assert chunks[0][1] == chunks[1][1]  # one task: the same metadata for each of its tokens


def test_token_metadata_carries_the_metadata_of_the_runs_config():
    model = ScriptedChatModel(["ok"])
    app = chain(("call", caller(model)))
    [(_, metadata)] = app.stream(HI, {"metadata": {"user_id": "u1"}}, stream_mode="messages")
    assert metadata["user_id"] == "u1"


def test_token_metadata_carries_the_runs_ids_but_not_its_other_configurable_values():
    # LangGraph 1.2.22 copies only thread_id, checkpoint_id/ns, task_id, run_id, assistant_id
    # and graph_id from configurable into the metadata; other values (here "user", "api_key")
    # are not there: they may be secrets.
    model = ScriptedChatModel(["ok"])
    app = chain(("call", caller(model)), checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t-1", "user": "u1", "api_key": "k", "run_id": "r"}}
    [(_, metadata)] = app.stream(HI, config, stream_mode="messages")
    assert metadata.get("thread_id") == "t-1"
    assert metadata.get("run_id") == "r"
    assert "user" not in metadata and "api_key" not in metadata


def test_token_metadata_carries_the_tags_of_the_run():
    # LangGraph 1.2.22: the run's tags are in every token's metadata (metadata["tags"]).
    model = ScriptedChatModel(["ok"])
    app = chain(("call", caller(model)))
    [(_, metadata)] = app.stream(HI, {"tags": ["t1"]}, stream_mode="messages")
    assert metadata.get("tags") == ["t1"]


def test_token_metadata_in_a_subgraph_names_the_whole_checkpoint_namespace():
    # LangGraph 1.2.22: langgraph_checkpoint_ns == "sub:<id>|call:<id>", the namespace of
    # the chunk followed by the task that made it (get_config() in the node says the same).
    model = ScriptedChatModel([["a", "b"]])
    outer = chain(("sub", chain(("call", caller(model)))))
    chunks = list(outer.stream(HI, stream_mode="messages", subgraphs=True))
    assert len(chunks) == 2
    for ns, (_, metadata) in chunks:
        assert metadata["langgraph_node"] == "call"
        assert strip_ids(metadata["langgraph_checkpoint_ns"]) == "sub:<id>|call:<id>"
        assert metadata["langgraph_checkpoint_ns"].startswith(ns[0] + "|")


# -- which messages come out -------------------------------------------------------------------


def test_a_message_returned_whole_comes_out_once_whole_marked_as_langgraphs():
    def whole(state):
        return {"messages": [AIMessage(content="whole", id="w1")]}

    app = chain(("whole", whole), ("next", lambda s: {}))
    chunks = list(app.stream(HI, stream_mode="messages"))
    assert len(chunks) == 1
    message, metadata = chunks[0]
    assert type(message) is AIMessage and message.content == "whole" and message.id == "w1"
    assert metadata["ls_integration"] == "langgraph"
    assert metadata["langgraph_node"] == "whole"
    assert metadata["langgraph_step"] == 1
    assert metadata["langgraph_triggers"] == ("branch:to:whole",)


def test_a_message_returned_whole_without_an_id_comes_out_with_the_id_it_has_in_the_state():
    # LangGraph 1.2.22 gives the message an id as it streams it, and the state keeps that
    # id: a consumer can match the streamed message with the saved one.
    def tool(state):
        return {"messages": [ToolMessage(content="sunny", tool_call_id="call-1")]}

    app = chain(("tools", tool), checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    [(message, _)] = app.stream(HI, config, stream_mode="messages")
    saved = app.get_state(config).values["messages"][-1]
    assert message.id is not None
    assert message.id == saved.id


def test_a_streamed_message_is_not_emitted_again_when_its_node_returns_it():
    model = ScriptedChatModel([["a", "b", "c"]])
    app = chain(("call", caller(model)))
    chunks = list(app.stream(HI, stream_mode="messages"))
    assert [(type(m).__name__, m.content) for m, _ in chunks] == [
        ("AIMessageChunk", "a"),
        ("AIMessageChunk", "b"),
        ("AIMessageChunk", "c"),
    ]


def test_a_node_using_model_stream_reports_each_chunk_once():
    model = ScriptedChatModel([["a", "b"]])

    def call(state):
        message = None
        for chunk in model.stream(state["messages"]):
            message = chunk if message is None else message + chunk
        return {"messages": [message]}

    chunks = list(chain(("call", call)).stream(HI, stream_mode="messages"))
    assert [m.content for m, _ in chunks] == ["a", "b"]


def test_input_messages_are_not_emitted_again_by_nodes_that_pass_them_on():
    def echo(state):
        return {"messages": state["messages"]}

    app = chain(("echo", echo), ("echo_again", echo))
    given = {"messages": [HumanMessage(content="hi", id="h1"), AIMessage(content="yo", id="a1")]}
    assert list(app.stream(given, stream_mode="messages")) == []


def test_a_message_one_node_returned_is_not_emitted_again_by_the_next():
    def whole(state):
        return {"messages": [AIMessage(content="whole", id="w1")]}

    def echo(state):
        return {"messages": state["messages"][-1:]}

    chunks = list(chain(("whole", whole), ("echo", echo)).stream(HI, stream_mode="messages"))
    assert [(m.id, meta["langgraph_node"]) for m, meta in chunks] == [("w1", "whole")]


def test_nodes_that_return_no_messages_stream_nothing():
    app = chain(("a", lambda s: {}), ("b", lambda s: None))
    assert list(app.stream(HI, stream_mode="messages")) == []


def test_without_subgraphs_a_subgraphs_reply_comes_out_whole_from_the_parent_node():
    # As LangGraph 1.2.22: the subgraph's tokens are not streamed; its reply is emitted once,
    # whole, as the message the parent's node returned.
    model = ScriptedChatModel([["a", "b"]])
    outer = chain(("sub", chain(("call", caller(model)))))
    chunks = list(outer.stream(HI, stream_mode="messages"))
    assert len(chunks) == 1
    message, metadata = chunks[0]
    assert type(message) is AIMessage and message.content == "ab"
    assert metadata["langgraph_node"] == "sub"
    assert metadata["ls_integration"] == "langgraph"


def test_with_subgraphs_the_subgraphs_tokens_come_out_once_with_its_namespace():
    model = ScriptedChatModel([["a", "b"]])
    outer = chain(("sub", chain(("call", caller(model)))))
    chunks = list(outer.stream(HI, stream_mode="messages", subgraphs=True))
    assert [(strip_ids(ns[0]), m.content) for ns, (m, _) in chunks] == [
        ("sub:<id>", "a"),
        ("sub:<id>", "b"),
    ]  # the parent's node returned the same message: not emitted again


def test_version_v2_gives_messages_as_typed_parts():
    model = ScriptedChatModel([["a", "b"]])
    app = chain(("call", caller(model)))
    parts = list(app.stream(HI, stream_mode=["messages", "updates"], version="v2"))
    assert [(p["type"], p["ns"]) for p in parts] == [
        ("messages", ()),
        ("messages", ()),
        ("updates", ()),
    ]
    chunk, metadata = parts[0]["data"]
    assert chunk.content == "a" and metadata["langgraph_node"] == "call"


# -- ordering ------------------------------------------------------------------------------------


class LogState(MessagesState):
    log: Annotated[list, operator.add]


def talker(name, model):
    """A node that says something, streams its model's reply, then says something again."""

    def node(state):
        writer = get_stream_writer()
        writer(f"{name}:before")
        message = model.invoke(state["messages"])
        writer(f"{name}:after")
        return {"messages": [message], "log": [name]}

    return node


def fan_out_and_in():
    """Step 1 runs 'a' and 'b' in parallel, each streaming tokens; step 2 runs 'c'."""
    builder = StateGraph(LogState)
    builder.add_node("a", talker("a", ScriptedChatModel([["a1", "a2", "a3"]])))
    builder.add_node("b", talker("b", ScriptedChatModel([["b1", "b2", "b3"]])))
    builder.add_node("c", talker("c", ScriptedChatModel([["c1"]])))
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_edge(["a", "b"], "c")
    builder.add_edge("c", END)
    return builder.compile()


STEP_OF = {"a": 1, "b": 1, "c": 2}


def events(chunks):
    """Each chunk as (step, node, what): node None for values (the state after a step)."""
    out = []
    for mode, chunk in chunks:
        if mode == "values":
            out.append((len(chunk["log"]) and 1 + (len(chunk["log"]) > 2), None, "values"))
        elif mode == "updates":
            [node] = chunk
            out.append((STEP_OF[node], node, "updates"))
        elif mode == "custom":
            node = chunk.split(":")[0]
            out.append((STEP_OF[node], node, chunk))
        else:
            message, metadata = chunk
            node = metadata["langgraph_node"]
            assert metadata["langgraph_step"] == STEP_OF[node]
            out.append((STEP_OF[node], node, message.content))
    return out


def check_order(chunks):
    got = events(chunks)
    # within a step, each task's events keep their order, its update last
    for node, tokens in (("a", ["a1", "a2", "a3"]), ("b", ["b1", "b2", "b3"]), ("c", ["c1"])):
        mine = [what for _, n, what in got if n == node]
        assert mine == [f"{node}:before", *tokens, f"{node}:after", "updates"], mine
    # the values of step N come after every event of step N and before any of step N+1
    steps = [step for step, _, _ in got]
    assert steps == sorted(steps), got
    values = [i for i, (_, n, _) in enumerate(got) if n is None]
    assert values == [0, 13, 18], got  # the input; after the 12 events of a and b; after c


MODES = ["values", "updates", "custom", "messages"]


def test_events_keep_their_order_within_a_task_and_steps_never_overlap():
    check_order(list(fan_out_and_in().stream({"messages": [], "log": []}, stream_mode=MODES)))


@pytest.mark.anyio
async def test_events_keep_their_order_within_a_task_and_steps_never_overlap_in_astream():
    stream = fan_out_and_in().astream({"messages": [], "log": []}, stream_mode=MODES)
    check_order(await collect(stream))


# -- ScriptedChatModel ---------------------------------------------------------------------------


def test_scripted_model_replies_with_a_str_as_one_message_and_one_chunk():
    model = ScriptedChatModel(["Hello!", "again"])
    reply = model.invoke([("user", "hi")])
    assert type(reply) is AIMessage and reply.content == "Hello!" and reply.id
    chunks = list(model.stream([("user", "hi")]))
    assert [(type(c).__name__, c.content) for c in chunks] == [("AIMessageChunk", "again")]


def test_scripted_model_streams_a_list_of_str_one_piece_per_chunk_sharing_an_id():
    model = ScriptedChatModel([["Stream", "ed"], ["Stream", "ed"]])
    chunks = list(model.stream("hi"))
    assert [c.content for c in chunks] == ["Stream", "ed"]
    assert chunks[0].id == chunks[1].id
    assert (chunks[0] + chunks[1]).content == "Streamed"
    assert model.invoke("hi").content == "Streamed"


def test_scripted_model_returns_an_ai_message_as_is_with_its_tool_calls():
    call = {"name": "get_weather", "args": {"city": "sf"}, "id": "call-1"}
    model = ScriptedChatModel(
        [AIMessage(content="", tool_calls=[call]), AIMessage(content="x", id="mine")]
    )
    reply = model.invoke("hi")
    assert reply.tool_calls == [{**call, "type": "tool_call"}]
    assert reply.id  # given one when the script's message has none
    [chunk] = model.stream("hi")
    assert chunk.id == "mine" and chunk.content == "x"


def test_scripted_model_rejects_a_reply_of_another_type_naming_it():
    with pytest.raises(TypeError, match=r"reply 1 is 42"):
        ScriptedChatModel(["ok", 42])


def test_bind_tools_returns_a_model_that_shares_the_script():
    def get_weather(city: str) -> str:
        return "sunny"

    model = ScriptedChatModel(["one", "two", "three"])
    bound = model.bind_tools([get_weather])
    assert bound.tools == [get_weather] and model.tools == []
    assert bound.invoke("hi").content == "one"
    assert model.invoke("hi").content == "two"
    assert bound.invoke("hi").content == "three"
    assert model.replies_left == bound.replies_left == 0
    assert len(model.calls) == 3  # the calls are shared too, for assertions


def test_running_out_of_replies_says_how_many_were_scripted():
    model = ScriptedChatModel(["one", "two"])
    model.invoke("hi")
    model.invoke("hi")
    with pytest.raises(RuntimeError, match=r"scripted with 2 and asked for reply number 3"):
        model.invoke("hi")


def test_running_out_of_replies_in_a_graph_reaches_the_caller_naming_the_node():
    model = ScriptedChatModel([])
    with pytest.raises(RuntimeError, match="scripted with 0") as info:
        list(chain(("call", caller(model))).stream(HI, stream_mode="messages"))
    assert "'call'" in info.value.__notes__[0]


def test_scripted_model_records_the_messages_of_each_call():
    model = ScriptedChatModel(["ok"])
    model.invoke([("user", "hi"), {"role": "assistant", "content": "yo"}])
    assert [[m.type for m in call] for call in model.calls] == [["human", "ai"]]


@pytest.mark.anyio
async def test_scripted_model_ainvoke_and_astream_follow_the_same_script():
    model = ScriptedChatModel(["one", ["t", "wo"]])
    assert (await model.ainvoke("hi")).content == "one"
    assert [c.content async for c in model.astream("hi")] == ["t", "wo"]
    with pytest.raises(RuntimeError, match="scripted with 2"):
        await model.ainvoke("hi")


@pytest.mark.anyio
@pytest.mark.parametrize("call", ["invoke", "stream", "ainvoke", "astream"])
async def test_every_way_of_calling_the_model_streams_its_tokens(call):
    model = ScriptedChatModel([["x", "y", "z"]])

    def sync_node(state):
        if call == "invoke":
            return {"messages": [model.invoke(state["messages"])]}
        chunks = list(model.stream(state["messages"]))
        return {"messages": [AIMessage(content="xyz", id=chunks[0].id)]}

    async def async_node(state):
        if call == "ainvoke":
            return {"messages": [await model.ainvoke(state["messages"])]}
        chunks = [c async for c in model.astream(state["messages"])]
        return {"messages": [AIMessage(content="xyz", id=chunks[0].id)]}

    node = sync_node if call in ("invoke", "stream") else async_node
    chunks = await collect(chain(("call", node)).astream(HI, stream_mode="messages"))
    assert [(m.content, meta["langgraph_node"]) for m, meta in chunks] == [
        ("x", "call"),
        ("y", "call"),
        ("z", "call"),
    ]


# -- stopping early ------------------------------------------------------------------------------


def long_reply(n=10_000):
    return ScriptedChatModel([["t"] * n])


def test_breaking_out_of_a_token_stream_mid_message_stops_the_run():
    ran = []
    model = long_reply()

    def call(state):
        ran.append("call")
        message = model.invoke(state["messages"])
        ran.append("model returned")  # not reached: the model stops at its next token
        return {"messages": [message]}

    app = chain(("call", call), ("after", lambda s: ran.append("after")))
    for got, _chunk in enumerate(app.stream(HI, stream_mode="messages", stream_buffer_size=16)):
        if got == 2:
            break  # after the third token
    time.sleep(0.1)
    assert ran == ["call"]


@contextlib.contextmanager
def background_errors():
    """Errors no one awaited: asyncio reports those of its tasks to the loop's handler.

    (Under trio such an error in a system task crashes the whole run instead.)
    """
    errors = []
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        yield errors
        return
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: errors.append(context.get("exception")))
    try:
        yield errors
    finally:
        loop.set_exception_handler(previous)


async def leave_after_three(app, leave, **kwargs):
    """Read three chunks slowly, then stop reading: by ``aclose`` or by a bare ``break``."""
    got = 0
    if leave == "aclose":
        async with app.astream(HI, **kwargs) as stream:
            async for _chunk in stream:
                got += 1
                await anyio.sleep(0.001)  # a slow consumer: the model waits for room
                if got == 3:
                    break
    else:
        async for _chunk in app.astream(HI, **kwargs):
            got += 1
            await anyio.sleep(0.001)
            if got == 3:
                break
    gc.collect()
    await anyio.sleep(0.2)
    gc.collect()  # an asyncio task's unretrieved error is reported when it is collected


@pytest.mark.anyio
@pytest.mark.parametrize("leave", ["aclose", "break"])
async def test_breaking_out_of_astream_mid_message_cancels_the_model_call(leave):
    ran = []
    model = long_reply()

    async def call(state):
        ran.append("call")
        message = await model.ainvoke(state["messages"])
        ran.append("model returned")
        return {"messages": [message]}

    app = chain(("call", call), ("after", lambda s: ran.append("after")))
    with background_errors() as errors:
        await leave_after_three(app, leave, stream_mode="messages", stream_buffer_size=16)
    assert ran == ["call"]
    assert errors == []


@pytest.mark.anyio
@pytest.mark.parametrize("leave", ["aclose", "break"])
async def test_breaking_out_of_astream_stops_a_sync_model_waiting_for_room_quietly(leave):
    ran = []
    model = long_reply()

    def call(state):
        ran.append("call")
        message = model.invoke(state["messages"])  # in a worker thread, blocked on a full queue
        ran.append("model returned")
        return {"messages": [message]}

    app = chain(("call", call), ("after", lambda s: ran.append("after")))
    with background_errors() as errors:
        await leave_after_three(app, leave, stream_mode="messages", stream_buffer_size=16)
    assert ran == ["call"]
    assert errors == []


# -- backpressure --------------------------------------------------------------------------------

N_TOKENS = 20_000


def token_app():
    return chain(("call", caller(long_reply(N_TOKENS))))


def test_a_fast_model_never_makes_stream_buffer_more_than_its_bound():
    stream = token_app().stream(HI, stream_mode="messages", stream_buffer_size=32)
    count = 0
    for chunk, _ in stream:
        assert chunk.content == "t"
        count += 1
        if count % 2_000 == 0:
            time.sleep(0.005)  # a slow-ish consumer: the model must wait
    stats = stream.statistics()
    assert count == N_TOKENS
    assert stats.max_size == 32
    assert 0 < stats.peak <= 32
    assert stats.overflowed == 0


@pytest.mark.anyio
async def test_a_fast_model_in_a_sync_node_never_makes_astream_buffer_more_than_its_bound():
    stream = token_app().astream(HI, stream_mode="messages", stream_buffer_size=32)
    count = 0
    async for _chunk in stream:
        count += 1
        if count % 2_000 == 0:
            await anyio.sleep(0.005)
    stats = stream.statistics()
    assert count == N_TOKENS
    assert 0 < stats.peak <= 32
    assert stats.overflowed == 0


@pytest.mark.anyio
async def test_a_fast_async_model_waits_for_room_in_astream():
    model = long_reply(5_000)

    async def call(state):
        return {"messages": [await model.ainvoke(state["messages"])]}

    stream = chain(("call", call)).astream(HI, stream_mode="messages", stream_buffer_size=32)
    count = 0
    async for _chunk in stream:
        count += 1
        assert stream.statistics().size <= 32
        if count % 500 == 0:
            await anyio.sleep(0.005)
    assert count == 5_000
    assert stream.statistics().overflowed == 0


# -- errors --------------------------------------------------------------------------------------


def failing_subgraph_app():
    model = ScriptedChatModel([["a", "b"]])

    def call(state):
        model.invoke(state["messages"])
        raise KeyError("inside")

    return chain(("sub", chain(("call", call))))


def test_an_error_in_a_subgraph_reaches_the_caller_once_after_its_tokens():
    stream = failing_subgraph_app().stream(HI, stream_mode="messages", subgraphs=True)
    got = []
    with pytest.raises(KeyError) as info:
        for _ns, (chunk, _) in stream:
            got.append(chunk.content)
    assert got == ["a", "b"]
    notes = info.value.__notes__
    assert len(notes) == 2  # raised in 'call', inside the parent's node 'sub'
    assert "'call'" in notes[0] and "'sub'" in notes[1]
    assert list(stream) == []  # raised once: the stream is over


@pytest.mark.anyio
async def test_an_error_in_a_subgraph_reaches_the_astream_caller_once_after_its_tokens():
    stream = failing_subgraph_app().astream(HI, stream_mode="messages", subgraphs=True)
    got = []
    with pytest.raises(KeyError) as info:
        async for _ns, (chunk, _) in stream:
            got.append(chunk.content)
    assert got == ["a", "b"]
    assert len(info.value.__notes__) == 2
    assert await collect(stream) == []
