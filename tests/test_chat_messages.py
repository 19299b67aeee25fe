"""Our message classes print, compare, dump and add up as LangChain's do.

Every expected value here was observed by running the same code on langchain-core 1.8.3 (the
version LangGraph 1.2.22 installs with).
"""

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from langgraph_lite.message_parts import parse_partial_json
from langgraph_lite.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
    convert_to_messages,
    message_chunk_to_message,
)

CALL = {"name": "add", "args": {"a": 1}, "id": "c1"}

# -- repr and model_dump ----------------------------------------------------------------------


def test_repr_leaves_out_the_fields_still_at_their_plain_default():
    assert repr(HumanMessage("hi")) == (
        "HumanMessage(content='hi', additional_kwargs={}, response_metadata={})"
    )
    assert repr(HumanMessage("hi", id="1", name="bob")) == (
        "HumanMessage(content='hi', additional_kwargs={}, response_metadata={}, name='bob', id='1')"
    )
    assert repr(SystemMessage("sys")) == (
        "SystemMessage(content='sys', additional_kwargs={}, response_metadata={})"
    )
    assert repr(RemoveMessage(id="1")) == (
        "RemoveMessage(content='', additional_kwargs={}, response_metadata={}, id='1')"
    )


def test_ai_message_repr_shows_its_tool_call_lists_and_usage_when_given():
    assert repr(AIMessage("", tool_calls=[CALL])) == (
        "AIMessage(content='', additional_kwargs={}, response_metadata={}, "
        "tool_calls=[{'name': 'add', 'args': {'a': 1}, 'id': 'c1', 'type': 'tool_call'}], "
        "invalid_tool_calls=[])"
    )
    usage = {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}
    assert repr(AIMessage("x", usage_metadata=usage)) == (
        "AIMessage(content='x', additional_kwargs={}, response_metadata={}, tool_calls=[], "
        "invalid_tool_calls=[], usage_metadata={'input_tokens': 1, 'output_tokens': 1, "
        "'total_tokens': 2})"
    )
    assert repr(AIMessageChunk(content="x")) == (
        "AIMessageChunk(content='x', additional_kwargs={}, response_metadata={}, "
        "tool_calls=[], invalid_tool_calls=[], tool_call_chunks=[])"
    )


def test_tool_message_repr_hides_its_unused_metadata_dicts():
    assert (
        repr(ToolMessage("res", tool_call_id="c1"))
        == "ToolMessage(content='res', tool_call_id='c1')"
    )
    message = ToolMessage(
        "x", tool_call_id="1", artifact={"a": 1}, id="m", additional_kwargs={"a": 1}
    )
    assert repr(message) == "ToolMessage(content='x', id='m', tool_call_id='1', artifact={'a': 1})"
    assert repr(ToolMessage("r", tool_call_id="c1", name="add", status="error")) == (
        "ToolMessage(content='r', name='add', tool_call_id='c1', status='error')"
    )


def test_extra_fields_show_in_repr_and_dump_after_the_fields():
    message = HumanMessage("a", foo=1)
    assert repr(message) == (
        "HumanMessage(content='a', additional_kwargs={}, response_metadata={}, foo=1)"
    )
    assert message.model_dump() == {
        "content": "a",
        "additional_kwargs": {},
        "response_metadata": {},
        "type": "human",
        "name": None,
        "id": None,
        "foo": 1,
    }
    assert str(HumanMessage("x", id="1")) == (
        "content='x' additional_kwargs={} response_metadata={} id='1'"
    )


def test_model_dump_lists_every_field_in_langchains_order():
    assert list(ToolMessage("r", tool_call_id="1").model_dump()) == [
        "content", "additional_kwargs", "response_metadata", "type", "name", "id",
        "tool_call_id", "artifact", "status",
    ]  # fmt: skip
    assert list(AIMessageChunk(content="x").model_dump()) == [
        "content", "additional_kwargs", "response_metadata", "type", "name", "id",
        "tool_calls", "invalid_tool_calls", "usage_metadata", "tool_call_chunks",
        "chunk_position",
    ]  # fmt: skip


# -- pretty_repr ------------------------------------------------------------------------------


def test_pretty_repr_centres_the_title_and_prints_the_content_as_is():
    assert HumanMessage("x").pretty_repr() == (
        "================================ Human Message =================================\n\nx"
    )
    assert HumanMessage([{"type": "text", "text": "x"}, "y"]).pretty_repr() == (
        "================================ Human Message =================================\n\n"
        "[{'type': 'text', 'text': 'x'}, 'y']"
    )
    assert ToolMessage("r", tool_call_id="1", name="add").pretty_repr() == (
        "================================= Tool Message =================================\n"
        "Name: add\n\nr"
    )
    assert HumanMessage("x", name="").pretty_repr().splitlines()[1] == "Name: "
    assert AIMessageChunk(content="x").pretty_repr().splitlines()[0] == (
        "============================ Aimessagechunk Message ============================"
    )
    assert RemoveMessage(id="x").pretty_repr() == (
        "================================ Remove Message ================================\n\n"
    )


def test_pretty_repr_of_an_ai_message_lists_its_tool_calls():
    call = {"name": "s", "args": {"q": "x", "n": [1, 2]}, "id": "c"}
    assert AIMessage("thinking", tool_calls=[call]).pretty_repr() == (
        "================================== Ai Message ==================================\n\n"
        "thinking\nTool Calls:\n  s (c)\n Call ID: c\n  Args:\n    q: x\n    n: [1, 2]"
    )
    assert AIMessage("", tool_calls=[CALL]).pretty_repr() == (
        "================================== Ai Message ==================================\n"
        "Tool Calls:\n  add (c1)\n Call ID: c1\n  Args:\n    a: 1"
    )
    bad = {"name": "f", "args": "{x", "id": "1", "error": "bad"}
    assert AIMessage("", invalid_tool_calls=[bad]).pretty_repr() == (
        "================================== Ai Message ==================================\n"
        "Invalid Tool Calls:\n  f (1)\n Call ID: 1\n  Error: bad\n  Args:\n    {x"
    )
    assert AIMessage("yo").pretty_repr() == (
        "================================== Ai Message ==================================\n\nyo"
    )


def test_pretty_print_prints_pretty_repr(capsys):
    AIMessage("hi", name="bot").pretty_print()
    assert capsys.readouterr().out == (
        "================================== Ai Message ==================================\n"
        "Name: bot\n\nhi\n"
    )


# -- fields -----------------------------------------------------------------------------------


def test_messages_compare_by_class_and_every_field():
    assert HumanMessage("a") == HumanMessage("a")
    assert HumanMessage("a", id="1") != HumanMessage("a")
    assert HumanMessage("a") != AIMessage("a")
    assert AIMessageChunk(content="a") != AIMessage("a")


def test_content_is_required_and_ids_may_be_numbers():
    with pytest.raises(ValueError, match="content"):
        HumanMessage()
    assert HumanMessage("a", id=1).id == "1"


def test_text_is_a_string_that_may_still_be_called_with_a_deprecation_warning():
    message = AIMessage([{"type": "text", "text": "hi"}, {"type": "image_url"}, " there"])
    assert message.text == "hi there"
    assert isinstance(message.text, str)
    with pytest.warns(DeprecationWarning, match=r"Use \.text as a property"):
        assert message.text() == "hi there"


def test_tool_message_content_and_call_id_are_coerced_to_text():
    assert ToolMessage(5, tool_call_id=1).content == "5"
    assert ToolMessage(5, tool_call_id=1).tool_call_id == "1"
    assert ToolMessage([1, {"type": "text", "text": "x"}], tool_call_id="1").content == [
        "1",
        {"type": "text", "text": "x"},
    ]
    assert ToolMessage(("a", "b"), tool_call_id="1").content == ["a", "b"]
    call_id = uuid.UUID(int=1)
    assert ToolMessage("x", tool_call_id=call_id).tool_call_id == str(call_id)


def test_remove_message_refuses_content():
    with pytest.raises(ValueError, match=r"RemoveMessage does not support 'content' field\."):
        RemoveMessage(id="1", content="x")


def test_tool_calls_drop_keys_they_do_not_have():
    message = AIMessage("", tool_calls=[{**CALL, "extras": {"x": 1}, "type": "tool_call"}])
    assert message.tool_calls == [{**CALL, "type": "tool_call"}]


def test_a_providers_raw_tool_calls_are_read_when_no_tool_calls_are_given():
    raw = [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}},
        {"id": "d", "function": {"name": "g", "arguments": "{bad"}},
    ]
    message = AIMessage("", additional_kwargs={"tool_calls": raw})
    assert message.tool_calls == [{"name": "f", "args": {"a": 1}, "id": "c", "type": "tool_call"}]
    assert message.invalid_tool_calls == [
        {"type": "invalid_tool_call", "id": "d", "name": "g", "args": "{bad", "error": None}
    ]


# -- chunks -----------------------------------------------------------------------------------


def test_a_chunk_made_with_tool_calls_streams_each_as_one_piece():
    chunk = AIMessageChunk(content="", tool_calls=[{"name": "a", "args": {"x": 1}, "id": "1"}])
    assert chunk.tool_call_chunks == [
        {"name": "a", "args": '{"x": 1}', "id": "1", "index": None, "type": "tool_call_chunk"}
    ]


def test_a_chunk_reads_its_tool_calls_from_partial_json_pieces():
    piece = {"name": "a", "args": '{"x": 1', "id": "1", "index": 0}
    chunk = AIMessageChunk(content="", tool_call_chunks=[piece])
    assert chunk.tool_calls == [{"name": "a", "args": {"x": 1}, "id": "1", "type": "tool_call"}]
    bad = AIMessageChunk(content="", tool_call_chunks=[{**piece, "args": "[1"}])
    assert bad.tool_calls == []
    assert bad.invalid_tool_calls == [
        {"name": "a", "args": "[1", "id": "1", "error": None, "type": "invalid_tool_call"}
    ]


def test_chunks_add_up_content_tool_call_pieces_usage_and_metadata():
    left = AIMessageChunk(
        content="Hel",
        id="lc_run-1",
        tool_call_chunks=[{"name": "add", "args": '{"a":', "id": "c1", "index": 0}],
        usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
        response_metadata={"model_name": "x"},
    )
    right = AIMessageChunk(
        content="lo",
        id="run-abc",
        tool_call_chunks=[
            {"name": None, "args": " 1}", "id": None, "index": 0},
            {"name": "mul", "args": "{}", "id": "c2", "index": 1},
        ],
        usage_metadata={
            "input_tokens": 0,
            "output_tokens": 3,
            "total_tokens": 3,
            "output_token_details": {"reasoning": 1},
        },
        response_metadata={"finish_reason": "stop"},
    )
    total = left + right
    assert repr(total) == (
        "AIMessageChunk(content='Hello', additional_kwargs={}, response_metadata={'model_name': "
        "'x', 'finish_reason': 'stop'}, id='run-abc', tool_calls=[{'name': 'add', 'args': {'a': "
        "1}, 'id': 'c1', 'type': 'tool_call'}, {'name': 'mul', 'args': {}, 'id': 'c2', 'type': "
        "'tool_call'}], invalid_tool_calls=[], usage_metadata={'input_tokens': 1, "
        "'output_tokens': 5, 'total_tokens': 6, 'output_token_details': {'reasoning': 1}}, "
        "tool_call_chunks=[{'name': 'add', 'args': '{\"a\": 1}', 'id': 'c1', 'index': 0, "
        "'type': 'tool_call_chunk'}, {'name': 'mul', 'args': '{}', 'id': 'c2', 'index': 1, "
        "'type': 'tool_call_chunk'}])"
    )
    last = AIMessageChunk(content=" world", chunk_position="last")
    expected = total.model_copy(update={"content": "Hello world", "chunk_position": "last"})
    assert left + [right, last] == expected  # noqa: RUF005 (a chunk plus a list of chunks)


def test_adding_chunks_merges_content_blocks_by_index():
    text = AIMessageChunk(content="a") + AIMessageChunk(
        content=[{"type": "text", "text": "b", "index": 0}]
    )
    assert text.content == ["a", {"type": "text", "text": "b", "index": 0}]
    blocks = AIMessageChunk(content=[{"type": "text", "text": "a", "index": 0}]) + AIMessageChunk(
        content=[{"type": "text", "text": "b", "index": 0}]
    )
    assert blocks.content == [{"type": "text", "text": "ab", "index": 0}]


def test_adding_chunks_prefers_a_providers_id_then_a_runs_id():
    assert (
        AIMessageChunk(content="", id="lc_abc") + AIMessageChunk(content="", id="lc_run-x")
    ).id == "lc_run-x"
    assert (
        AIMessageChunk(content="", id="lc_run-x") + AIMessageChunk(content="", id="p")
    ).id == "p"
    assert (AIMessageChunk(content="", name="x") + AIMessageChunk(content="")).name is None


def test_adding_chunks_concatenates_strings_and_sums_numbers_in_additional_kwargs():
    total = AIMessageChunk(content="", additional_kwargs={"a": "x", "n": 1}) + AIMessageChunk(
        content="", additional_kwargs={"a": "y", "n": 2}
    )
    assert total.additional_kwargs == {"a": "xy", "n": 3}
    with pytest.raises(TypeError, match=r'additional_kwargs\["a"\] already exists'):
        _ = AIMessageChunk(content="", additional_kwargs={"a": "x"}) + AIMessageChunk(
            content="", additional_kwargs={"a": 1}
        )


def test_a_chunk_adds_only_to_chunks():
    with pytest.raises(TypeError, match=r'unsupported operand type.*"AIMessageChunk" and "int"'):
        _ = AIMessageChunk(content="") + 1
    with pytest.raises(TypeError, match='"AIMessageChunk" and "AIMessage"'):
        _ = AIMessageChunk(content="") + AIMessage("x")


def test_a_finished_chunk_becomes_the_whole_message():
    chunk = AIMessageChunk(
        content="hi", id="m", tool_call_chunks=[{"name": "f", "args": "{}", "id": "c", "index": 0}]
    )
    assert message_chunk_to_message(chunk) == AIMessage(
        "hi", id="m", tool_calls=[{"name": "f", "args": {}, "id": "c"}]
    )
    human = HumanMessage("x")
    assert message_chunk_to_message(human) is human


def test_partial_json_closes_what_is_open_and_drops_what_cannot_be_completed():
    assert parse_partial_json('{"city": "Par') == {"city": "Par"}
    assert parse_partial_json('{"a": [1, 2') == {"a": [1, 2]}
    assert parse_partial_json('{"a": 1, "b') == {"a": 1}
    assert parse_partial_json('{"a": "x\\') == {"a": "x"}
    assert parse_partial_json('{"a": ]') is None


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.recursive(
            st.none() | st.integers() | st.text(max_size=5),
            lambda c: st.lists(c, max_size=3),
            max_leaves=5,
        ),
        max_size=4,
    )
)
def test_partial_json_of_a_whole_object_is_the_object_and_prefixes_never_crash(obj):
    text = json.dumps(obj)
    assert parse_partial_json(text) == obj
    for end in range(1, len(text)):
        try:
            parse_partial_json(text[:end])
        except json.JSONDecodeError:
            pass


# -- convert_to_messages ----------------------------------------------------------------------


def test_dict_keys_that_are_no_fields_go_to_additional_kwargs():
    [message] = convert_to_messages(
        [
            {
                "role": "user",
                "content": "x",
                "foo": 1,
                "additional_kwargs": {"bar": 2},
                "response_metadata": {"m": 1},
                "id": 3,
            }
        ]
    )
    assert repr(message) == (
        "HumanMessage(content='x', additional_kwargs={'foo': 1, 'bar': 2}, "
        "response_metadata={'m': 1}, id='3')"
    )


def test_dicts_of_each_role_become_langchains_messages():
    developer, tool, remove, serialised = convert_to_messages(
        [
            {"role": "developer", "content": "x"},
            {"role": "tool", "content": "x", "tool_call_id": "1", "artifact": {"a": 1},
             "status": "error", "name": "t"},
            {"type": "remove", "id": "x", "content": ""},
            {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "AIMessage"],
             "kwargs": {"content": "hi", "id": "1"}},
        ]
    )  # fmt: skip
    assert developer == SystemMessage("x", additional_kwargs={"__openai_role__": "developer"})
    assert repr(tool) == (
        "ToolMessage(content='x', name='t', tool_call_id='1', artifact={'a': 1}, status='error')"
    )
    assert remove == RemoveMessage(id="x")
    assert serialised == AIMessage("hi", id="1")
    openai = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
        ],
    }
    assert convert_to_messages([openai]) == [
        AIMessage("", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c"}])
    ]


def test_bad_message_likes_get_langchains_errors_and_a_fix():
    with pytest.raises(ValueError, match=r"^Unexpected message type: 'bad'\. Use one of"):
        convert_to_messages([{"role": "bad", "content": "x"}])
    with pytest.raises(ValueError, match=r"^Message dict must contain 'role' and 'content' keys"):
        convert_to_messages([{"role": "user"}])
    with pytest.raises(NotImplementedError, match=r"^Message as a sequence must be \(role"):
        convert_to_messages([("a", "b", "c")])
    with pytest.raises(NotImplementedError, match=r"^Unsupported message type: <class 'int'>"):
        convert_to_messages([5])
