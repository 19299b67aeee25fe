"""Messages and the add_messages reducer, and MessagesState graphs, as LangGraph has them."""

import re

import pytest

from langgraph_lite.graph import END, START, MessagesState, StateGraph, add_messages
from langgraph_lite.graph.message import REMOVE_ALL_MESSAGES
from langgraph_lite.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def shape(messages):
    """(class name, type, content) of each message: what survives ids made up on the way."""
    return [(type(m).__name__, m.type, m.content) for m in messages]


# -- message types ------------------------------------------------------------------------------


def test_each_message_class_has_langgraphs_type_string():
    assert [
        HumanMessage("x").type,
        AIMessage("x").type,
        SystemMessage("x").type,
        ToolMessage("x", tool_call_id="1").type,
        AIMessageChunk(content="x").type,
        RemoveMessage(id="1").type,
    ] == ["human", "ai", "system", "tool", "AIMessageChunk", "remove"]


def test_ai_message_chunks_add_up_content_metadata_and_usage():
    total = AIMessageChunk(content="Hel", id="m1") + AIMessageChunk(content="lo")
    assert type(total) is AIMessageChunk
    assert (total.content, total.id, total.type) == ("Hello", "m1", "AIMessageChunk")
    usage = AIMessageChunk(
        content="x", usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}
    ) + AIMessageChunk(
        content="y", usage_metadata={"input_tokens": 0, "output_tokens": 5, "total_tokens": 5}
    )
    assert usage.usage_metadata == {"input_tokens": 1, "output_tokens": 7, "total_tokens": 8}
    meta = AIMessageChunk(content="a", response_metadata={"k": 1}) + AIMessageChunk(
        content="b", response_metadata={"z": 2}
    )
    assert meta.response_metadata == {"k": 1, "z": 2}


def test_tool_calls_are_normalized_with_a_type():
    message = AIMessage("", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}])
    assert message.tool_calls == [{"name": "f", "args": {"a": 1}, "id": "c1", "type": "tool_call"}]


def test_text_joins_the_text_blocks_of_the_content():
    message = AIMessage(
        content=[{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": "u"}, " there"]
    )
    assert message.text == "hi there"


# -- add_messages -------------------------------------------------------------------------------


def test_add_messages_turns_role_dicts_into_messages_with_fresh_ids():
    merged = add_messages(
        [],
        [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "a"},
            {"role": "system", "content": "s"},
            {"role": "tool", "content": "t", "tool_call_id": "tc1"},
            {"type": "human", "content": "h"},
            {"role": "ai", "content": "x", "name": "bob", "id": "given"},
        ],
    )
    assert shape(merged) == [
        ("HumanMessage", "human", "hi"),
        ("AIMessage", "ai", "a"),
        ("SystemMessage", "system", "s"),
        ("ToolMessage", "tool", "t"),
        ("HumanMessage", "human", "h"),
        ("AIMessage", "ai", "x"),
    ]
    assert all(UUID.match(m.id) for m in merged[:-1])
    assert (merged[-1].id, merged[-1].name) == ("given", "bob")
    assert merged[3].tool_call_id == "tc1"


def test_add_messages_turns_role_content_tuples_into_messages():
    merged = add_messages(
        [], [("user", "hi"), ("ai", "yo"), ("human", "h"), ("assistant", "as"), ("system", "sy")]
    )
    assert shape(merged) == [
        ("HumanMessage", "human", "hi"),
        ("AIMessage", "ai", "yo"),
        ("HumanMessage", "human", "h"),
        ("AIMessage", "ai", "as"),
        ("SystemMessage", "system", "sy"),
    ]


def test_add_messages_turns_a_string_into_a_human_message():
    [message] = add_messages([], "plain string")
    assert shape([message]) == [("HumanMessage", "human", "plain string")]
    assert UUID.match(message.id)


def test_add_messages_accepts_one_message_not_in_a_list():
    merged = add_messages([HumanMessage("a", id="1")], AIMessage("b", id="2"))
    assert merged == [HumanMessage("a", id="1"), AIMessage("b", id="2")]


def test_add_messages_normalizes_openai_tool_calls_in_dicts():
    [message] = add_messages(
        [],
        [
            {
                "role": "assistant",
                "content": "",
                "id": "x",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "f", "arguments": '{"a": 1}'},
                    }
                ],
            }
        ],
    )
    assert message.tool_calls == [{"name": "f", "args": {"a": 1}, "id": "c1", "type": "tool_call"}]


def test_add_messages_replaces_a_message_with_the_same_id_in_place():
    left = [HumanMessage("a", id="1"), AIMessage("b", id="2")]
    merged = add_messages(left, [AIMessage("B2", id="2"), HumanMessage("c", id="3")])
    assert merged == [HumanMessage("a", id="1"), AIMessage("B2", id="2"), HumanMessage("c", id="3")]
    assert left == [HumanMessage("a", id="1"), AIMessage("b", id="2")]


def test_add_messages_keeps_the_last_of_two_new_messages_with_one_id():
    merged = add_messages([], [HumanMessage("x", id="d"), HumanMessage("y", id="d")])
    assert merged == [HumanMessage("y", id="d")]


def test_remove_message_deletes_the_message_with_its_id():
    left = [HumanMessage("a", id="1"), AIMessage("b", id="2")]
    assert add_messages(left, [RemoveMessage(id="1")]) == [AIMessage("b", id="2")]


def test_remove_message_of_an_unknown_id_raises_a_value_error_naming_it():
    with pytest.raises(ValueError, match="nope"):
        add_messages([HumanMessage("a", id="1")], [RemoveMessage(id="nope")])


def test_removing_and_re_adding_an_id_in_one_update_keeps_its_place():
    left = [HumanMessage("a", id="1"), AIMessage("b", id="2")]
    merged = add_messages(left, [RemoveMessage(id="2"), AIMessage("again", id="2")])
    assert merged == [HumanMessage("a", id="1"), AIMessage("again", id="2")]


def test_remove_all_messages_drops_everything_before_it():
    assert REMOVE_ALL_MESSAGES == "__remove_all__"
    left = [HumanMessage("a", id="1"), AIMessage("b", id="2")]
    merged = add_messages(
        left,
        [HumanMessage("pre", id="8"), RemoveMessage(id=REMOVE_ALL_MESSAGES), HumanMessage("new")],
    )
    assert shape(merged) == [("HumanMessage", "human", "new")]
    assert UUID.match(merged[0].id)
    assert add_messages(left, [RemoveMessage(id=REMOVE_ALL_MESSAGES)]) == []


def test_add_messages_of_nothing_to_nothing_is_empty():
    assert add_messages([], []) == []


def test_add_messages_stores_an_ai_message_chunk_as_an_ai_message():
    merged = add_messages([HumanMessage("q", id="1")], [AIMessageChunk(content="ans", id="2")])
    assert [(type(m).__name__, m.type) for m in merged] == [
        ("HumanMessage", "human"),
        ("AIMessage", "ai"),
    ]


def test_add_messages_rejects_an_unknown_role_with_a_value_error_naming_it():
    with pytest.raises(ValueError, match="weird"):
        add_messages([], [{"role": "weird", "content": "x"}])


def test_add_messages_rejects_a_value_that_is_no_message_like_langgraph():
    with pytest.raises(NotImplementedError):
        add_messages([], [5])


def test_a_remove_message_of_an_unknown_id_gets_langgraphs_words():
    with pytest.raises(
        ValueError, match=r"^Attempting to delete a message with an ID that doesn't exist \('x'\)"
    ):
        add_messages([HumanMessage("a", id="1")], [RemoveMessage(id="x")])


def test_add_messages_with_options_only_is_the_reducer_with_those_options():
    reducer = add_messages(format="langchain-openai")
    assert reducer([], [HumanMessage("x", id="1")]) == [HumanMessage("x")]
    with pytest.raises(ValueError, match=r"Unrecognized format='weird'\. Expected one of"):
        add_messages([], [], format="weird")


def test_add_messages_needs_both_sides_or_neither():
    with pytest.raises(
        ValueError,
        match=r"^Must specify non-null arguments for both 'left' and 'right'\. Only received: "
        r"'right'\.",
    ):
        add_messages(None, [HumanMessage("x")])


def test_add_messages_converts_message_likes_and_chunks_on_both_sides():
    left = [AIMessageChunk(content="a", id="1"), {"role": "assistant", "content": "b", "id": "2"}]
    merged = add_messages(left, [AIMessageChunk(content="c", id="3"), ("user", "d")])
    assert merged[:3] == [AIMessage("a", id="1"), AIMessage("b", id="2"), AIMessage("c", id="3")]
    assert type(merged[3]) is HumanMessage
    assert "chunk_position" not in merged[2].model_dump()


def test_add_messages_returns_a_new_list_and_gives_ids_to_the_given_messages_in_place():
    left = [HumanMessage("a", id="1")]
    assert add_messages(left, []) is not left
    new = AIMessage("b")
    add_messages(left, [new])
    assert UUID.match(new.id)


def test_the_openai_format_turns_blocks_into_openai_content_tool_calls_and_tool_messages():
    # Observed on LangGraph 1.2.22: ids are dropped, Anthropic blocks become OpenAI ones.
    image = {"type": "base64", "media_type": "image/png", "data": "QUJD"}
    merged = add_messages(
        [("user", "look")],
        [
            HumanMessage(
                [
                    {"type": "text", "text": "A picture:", "cache_control": {"type": "ephemeral"}},
                    {"type": "image", "source": image},
                ]
            ),
            AIMessage([{"type": "tool_use", "name": "zoom", "input": {"x": 2}, "id": "t1"}]),
            HumanMessage(
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "is_error": True,
                        "content": [{"type": "text", "text": "too far"}],
                    }
                ]
            ),
            HumanMessage([{"type": "text", "text": "one"}, "two", {"type": "json", "json": [1]}]),
        ],
        format="langchain-openai",
    )
    url = {"type": "image_url", "image_url": {"url": "data:image/png;base64,QUJD"}}
    assert merged == [
        HumanMessage("look"),
        HumanMessage([{"type": "text", "text": "A picture:"}, url]),
        AIMessage("", tool_calls=[{"name": "zoom", "args": {"x": 2}, "id": "t1"}]),
        ToolMessage("too far", tool_call_id="t1"),
        HumanMessage("one\ntwo\n[1]"),
    ]


def test_the_openai_format_names_a_malformed_block_by_its_place():
    with pytest.raises(
        ValueError,
        match=r"^Unrecognized content block at messages\[0\]\.content\[1\] has 'type': "
        r"'tool_use', but is missing expected key\(s\) \['id'\]",
    ):
        add_messages(
            [],
            [AIMessage(["hi", {"type": "tool_use", "name": "f", "input": {}}])],
            format="langchain-openai",
        )


# -- MessagesState graphs -----------------------------------------------------------------------


def echo_graph():
    def bot(state):
        return {
            "messages": [AIMessage(content=f"echo: {state['messages'][-1].content}", id="ai-1")]
        }

    builder = StateGraph(MessagesState)
    builder.add_node("bot", bot)
    builder.add_edge(START, "bot")
    builder.add_edge("bot", END)
    return builder.compile()


HI = HumanMessage("hi", id="h-1")
ECHO = AIMessage(content="echo: hi", id="ai-1")
ECHO_RUN = {
    "invoke": {"messages": [HI, ECHO]},
    "values": [{"messages": [HI]}, {"messages": [HI, ECHO]}],
    "updates": [{"bot": {"messages": [ECHO]}}],
    "values+updates": [
        ("values", {"messages": [HI]}),
        ("updates", {"bot": {"messages": [ECHO]}}),
        ("values", {"messages": [HI, ECHO]}),
    ],
}


def test_a_messages_state_graph_appends_the_nodes_messages(every_way):
    assert every_way(echo_graph(), {"messages": [HumanMessage("hi", id="h-1")]}) == ECHO_RUN


def test_a_messages_state_graph_turns_input_dicts_into_messages():
    app = echo_graph()
    chunks = list(app.stream({"messages": [{"role": "user", "content": "hi", "id": "h-1"}]}))
    assert chunks == [{"bot": {"messages": [ECHO]}}]
    assert app.invoke({"messages": [("user", "hi")]})["messages"][1] == ECHO


def test_updates_mode_reports_what_the_node_returned_before_the_reducer_ran():
    builder = StateGraph(MessagesState)
    builder.add_node("n", lambda s: {"messages": [("ai", "hello")]})
    builder.add_edge(START, "n")
    app = builder.compile()
    assert list(app.stream({"messages": [("user", "hi")]}, stream_mode="updates")) == [
        {"n": {"messages": [("ai", "hello")]}}
    ]
    [values] = list(app.stream({"messages": [("user", "hi")]}, stream_mode="values"))[1:]
    assert shape(values["messages"]) == [
        ("HumanMessage", "human", "hi"),
        ("AIMessage", "ai", "hello"),
    ]


def test_a_node_can_edit_and_remove_messages_by_id():
    builder = StateGraph(MessagesState)
    builder.add_node(
        "edit",
        lambda s: {"messages": [HumanMessage("edited", id="h-1"), RemoveMessage(id="h-2")]},
    )
    builder.add_edge(START, "edit")
    history = [
        HumanMessage("a", id="h-1"),
        HumanMessage("b", id="h-2"),
        HumanMessage("c", id="h-3"),
    ]
    assert builder.compile().invoke({"messages": history}) == {
        "messages": [HumanMessage("edited", id="h-1"), HumanMessage("c", id="h-3")]
    }


def test_a_node_can_clear_the_history_with_remove_all_messages():
    builder = StateGraph(MessagesState)
    builder.add_node(
        "clear",
        lambda s: {"messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES), AIMessage("fresh", id="f")]},
    )
    builder.add_edge(START, "clear")
    result = builder.compile().invoke({"messages": [HumanMessage("a", id="h-1")]})
    assert result == {"messages": [AIMessage("fresh", id="f")]}


@pytest.mark.anyio
async def test_a_messages_state_graph_gives_the_same_chunks_through_astream(aevery_way):
    assert await aevery_way(echo_graph(), {"messages": [HumanMessage("hi", id="h-1")]}) == ECHO_RUN
