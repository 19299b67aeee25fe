"""Tools: schemas from type hints, validation before the call, injected parameters, async.

Schemas were compared with langchain-core 1.7.2's ``@tool`` on the same functions: same
``properties``, ``required``, ``title`` (the tool's name) and ``description``.
"""

import dataclasses
from typing import Annotated, Any

import pydantic
import pytest
from typing_extensions import TypedDict

from langgraph_lite import prebuilt
from langgraph_lite.config import get_config, get_stream_writer
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.messages import AIMessage, ToolMessage
from langgraph_lite.prebuilt import InjectedStore, ToolNode
from langgraph_lite.prebuilt.tool_node import msg_content_output
from langgraph_lite.tools import (
    InjectedConfig,
    InjectedState,
    InjectedToolCallId,
    Tool,
    ToolRuntime,
    convert_to_openai_tool,
    make_tool,
    tool,
)
from langgraph_lite.types import StreamWriter

# -- building tools ------------------------------------------------------------------------------


def test_bare_decorator_takes_name_and_description_from_the_function():
    @tool
    def add(a: int, b: int) -> int:
        """Add two integers.

        Both may be negative.
        """
        return a + b

    assert isinstance(add, Tool)
    assert add.name == "add"
    assert add.description == "Add two integers.\n\nBoth may be negative."


def test_schema_is_the_one_langchain_builds_for_the_same_function():
    @tool
    def search(query: str, limit: int = 5, tags: list[str] | None = None) -> str:
        """Search the web."""
        return query

    assert search.args_schema.model_json_schema() == {
        "description": "Search the web.",
        "properties": {
            "query": {"title": "Query", "type": "string"},
            "limit": {"default": 5, "title": "Limit", "type": "integer"},
            "tags": {
                "anyOf": [{"items": {"type": "string"}, "type": "array"}, {"type": "null"}],
                "default": None,
                "title": "Tags",
            },
        },
        "required": ["query"],
        "title": "search",
        "type": "object",
    }
    assert search.tool_call_schema is search.args_schema
    assert list(search.args) == ["query", "limit", "tags"]


def test_decorator_with_a_name_and_a_description():
    @tool("lookup-user", description="Find a user by id.")
    def find(user_id: int) -> dict:
        return {"id": user_id}

    assert (find.name, find.description) == ("lookup-user", "Find a user by id.")
    schema = find.args_schema.model_json_schema()
    assert schema["title"] == "lookup-user"
    assert schema["description"] == "Find a user by id."


def test_decorator_with_keyword_name_and_return_direct():
    @tool(name="final_answer", return_direct=True)
    def answer(text: str) -> str:
        """Give the final answer."""
        return text

    assert answer.name == "final_answer"
    assert answer.return_direct is True


def test_make_tool_turns_a_plain_function_into_a_tool_and_leaves_a_tool_alone():
    def ping(host: str) -> str:
        """Ping a host."""
        return "pong"

    made = make_tool(ping)
    assert made.name == "ping" and made.invoke({"host": "h"}) == "pong"
    assert make_tool(made) is made


def test_a_tool_needs_a_description():
    def nodoc(a: int) -> int:
        return a

    with pytest.raises(ValueError, match=r"tool 'nodoc' has no description.*docstring"):
        make_tool(nodoc)
    assert make_tool(nodoc, description="Echo.").description == "Echo."


def test_a_given_args_schema_is_used_as_is():
    class Point(pydantic.BaseModel):
        """A point."""

        x: int
        y: int = 0

    @tool(args_schema=Point)
    def norm(x: int, y: int) -> int:
        """Manhattan norm."""
        return abs(x) + abs(y)

    assert norm.args_schema is Point
    assert norm.invoke({"x": -3}) == 3


def test_parameters_named_like_pydantic_internals_do_not_warn():
    @tool
    def pick(model_name: str) -> str:
        """Pick a model."""
        return model_name

    assert pick.invoke({"model_name": "m"}) == "m"


def test_convert_to_openai_tool():
    @tool
    def ping(host: str) -> str:
        """Ping a host."""
        return "pong"

    assert convert_to_openai_tool(ping) == {
        "type": "function",
        "function": {
            "name": "ping",
            "description": "Ping a host.",
            "parameters": {
                "properties": {"host": {"title": "Host", "type": "string"}},
                "required": ["host"],
                "type": "object",
            },
        },
    }


# -- validation ----------------------------------------------------------------------------------


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def test_invoke_validates_and_coerces_arguments_as_pydantic_does():
    assert add.invoke({"a": "2", "b": 3.0}) == 5


def test_invalid_arguments_raise_a_validation_error_naming_each_argument():
    with pytest.raises(pydantic.ValidationError) as info:
        add.invoke({"a": "x"})
    problems = {(e["loc"], e["type"]) for e in info.value.errors()}
    assert problems == {(("a",), "int_parsing"), (("b",), "missing")}


def test_unknown_arguments_are_ignored_unless_the_function_takes_kwargs():
    assert add.invoke({"a": 1, "b": 2, "c": 3}) == 3

    @tool
    def collect(a: int, **rest: Any) -> dict:
        """Collect."""
        return rest

    assert collect.invoke({"a": 1, "c": 3}) == {"c": 3}


def test_nested_models_reach_the_function_as_models():
    class Address(pydantic.BaseModel):
        city: str

    @tool
    def ship(to: Address) -> str:
        """Ship."""
        assert isinstance(to, Address)
        return to.city

    assert ship.invoke({"to": {"city": "Oslo"}}) == "Oslo"


def test_invoking_with_a_whole_tool_call_returns_a_tool_message():
    message = add.invoke({"name": "add", "args": {"a": 1, "b": 2}, "id": "c1", "type": "tool_call"})
    assert message == ToolMessage(content="3", name="add", tool_call_id="c1")


# -- injection -----------------------------------------------------------------------------------


def test_injected_parameters_are_not_in_the_schema():
    @tool
    def everything(
        query: str,
        state: dict,
        config: dict,
        writer: StreamWriter,
        runtime: ToolRuntime,
        user: Annotated[str, InjectedState("user")],
        whole: Annotated[dict, InjectedState],
        cfg: Annotated[dict, InjectedConfig],
        call_id: Annotated[str, InjectedToolCallId],
        rt: ToolRuntime,
    ) -> str:
        """Everything."""
        return query

    assert list(everything.args_schema.model_fields) == ["query"]
    assert everything.injected_args == {
        "state": "state",
        "config": "config",
        "writer": "writer",
        "runtime": "runtime",
        "user": "state['user']",
        "whole": "state",
        "cfg": "config",
        "call_id": "tool_call_id",
        "rt": "runtime",
    }


def test_injected_values_may_be_passed_by_hand_and_skip_validation():
    @tool
    def greet(greeting: str, user: Annotated[str, InjectedState("user")]) -> str:
        """Greet the user."""
        return f"{greeting}, {user}"

    assert greet.invoke({"greeting": "hi", "user": 42}) == "hi, 42"


def test_a_tool_needing_state_says_so_when_called_without_it():
    @tool
    def count(state: dict) -> int:
        """Count messages."""
        return len(state["messages"])

    with pytest.raises(ValueError, match=r"tool 'count' takes the graph state \('state'\)"):
        count.invoke({})
    assert count.invoke({"state": {"messages": [1, 2]}}) == 2


def test_a_tool_needing_the_call_id_takes_it_from_a_whole_tool_call():
    @tool
    def echo_id(call_id: Annotated[str, InjectedToolCallId]) -> str:
        """Echo the call id."""
        return call_id

    call = {"name": "echo_id", "args": {}, "id": "call-7", "type": "tool_call"}
    assert echo_id.invoke(call).content == "call-7"
    with pytest.raises(ValueError, match="tool call's id"):
        echo_id.invoke({})


def test_outside_a_graph_config_is_empty_and_the_writer_drops_values():
    @tool
    def probe(config: dict, writer: StreamWriter) -> str:
        """Probe."""
        writer("dropped")
        return f"{config}"

    assert probe.invoke({}) == "{}"
    assert probe.invoke({}, {"configurable": {"x": 1}}) == "{'configurable': {'x': 1}}"


class _State(TypedDict):
    out: Any


def _graph_running(node):
    builder = StateGraph(_State)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    return builder.compile()


def test_inside_a_node_a_tool_gets_the_nodes_config_and_writer():
    @tool
    def probe(config: dict, writer: StreamWriter) -> str:
        """Probe."""
        writer(f"from the writer in {config['metadata']['langgraph_node']}")
        get_stream_writer()("from get_stream_writer")
        assert get_config() is config
        return "ok"

    graph = _graph_running(lambda state: {"out": probe.invoke({})})
    assert list(graph.stream({"out": None}, stream_mode="custom")) == [
        "from the writer in node",
        "from get_stream_writer",
    ]


# -- async ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_tool_awaits_the_coroutine():
    @tool
    async def slow_add(a: int, b: int) -> int:
        """Add, slowly."""
        import anyio

        await anyio.sleep(0)
        return a + b

    assert slow_add.func is None
    assert await slow_add.ainvoke({"a": "1", "b": 2}) == 3


@pytest.mark.anyio
async def test_sync_tool_runs_in_a_worker_thread_under_ainvoke():
    import threading

    main = threading.get_ident()

    @tool
    def where() -> bool:
        """Which thread."""
        return threading.get_ident() == main

    assert await where.ainvoke({}) is False


def test_async_tool_refuses_sync_invoke_and_says_what_to_do():
    @tool
    async def later(a: int) -> int:
        """Later."""
        return a

    with pytest.raises(NotImplementedError, match=r"tool 'later' is async.*ainvoke"):
        later.invoke({"a": 1})


# -- InjectedStore and ToolRuntime ---------------------------------------------------------------


def test_an_injected_store_is_hidden_from_the_model_and_required_when_the_tool_runs():
    @tool
    def remember(fact: str, store: Annotated[Any, InjectedStore()]) -> str:
        """Remember a fact."""
        return f"{fact} in {type(store).__name__}"

    assert list(remember.args) == ["fact"]
    assert remember.invoke({"fact": "f", "store": {}}) == "f in dict"
    # LangGraph's words when no store was compiled into the graph
    with pytest.raises(
        ValueError,
        match=r"^Cannot inject store into tools with InjectedStore annotations - please "
        r"compile your graph with a store",
    ):
        remember.invoke({"fact": "f"})


def test_tool_runtime_has_langgraphs_fields_in_its_order():
    assert prebuilt.ToolRuntime is ToolRuntime
    assert [f.name for f in dataclasses.fields(ToolRuntime)] == [
        "state", "context", "config", "stream_writer", "tool_call_id", "store", "tools",
        "execution_info", "server_info",
    ]  # fmt: skip


def test_injected_state_of_a_list_input_is_the_messages_and_a_missing_optional_key_is_left_out():
    # Observed on LangGraph 1.2.22 with the same tools and inputs.
    @tool
    def count(x: str, m: Annotated[list, InjectedState("messages")]) -> str:
        """Count the messages."""
        return str(len(m))

    @tool
    def keys(x: str, s: Annotated[dict, InjectedState]) -> str:
        """The state's keys."""
        return str(sorted(s))

    @tool
    def user(x: str, u: Annotated[str, InjectedState("user")] = "nobody") -> str:
        """The user."""
        return u

    @tool
    def state_kind(x: str, runtime: ToolRuntime[None, dict]) -> str:
        """The runtime's state type."""
        return type(runtime.state).__name__

    node = ToolNode([count, keys, user, state_kind])
    calls = [
        {"name": n, "args": {"x": "a"}, "id": str(i)}
        for i, n in enumerate(["count", "keys", "user", "state_kind"])
    ]
    message = AIMessage("", tool_calls=calls)
    no_user = AIMessage("", tool_calls=[calls[0], calls[1], calls[3]])
    as_list = node.invoke([no_user])
    assert [m.content for m in as_list] == ["1", "['messages']", "list"]
    with pytest.raises(
        ValueError,
        match=r"^Invalid input to ToolNode\. Tool user requires graph state dict as input\. "
        r"State should contain fields user\.",
    ):
        node.invoke([message])
    with_user = node.invoke({"messages": [message], "user": "ann"})["messages"]
    assert [m.content for m in with_user] == ["1", "['messages', 'user']", "ann", "dict"]


# -- response_format and tool output -------------------------------------------------------------
# Observed on LangGraph 1.2.22 / langchain-core 1.8.3 with the same tools.


@tool(response_format="content_and_artifact")
def search(q: str):
    """Search."""
    return f"found {q}", {"raw": [1, 2]}


@tool(response_format="content_and_artifact")
def no_artifact(q: str):
    """Forgets the artifact."""
    return "only"


def test_a_content_and_artifact_tool_answers_with_both_and_returns_the_content_alone():
    assert search.invoke({"q": "x"}) == "found x"
    call = {"name": "search", "args": {"q": "x"}, "id": "1", "type": "tool_call"}
    assert search.invoke(call) == ToolMessage(
        "found x", name="search", tool_call_id="1", artifact={"raw": [1, 2]}
    )


def test_a_content_and_artifact_tool_that_returns_no_pair_is_a_tool_error():
    node = ToolNode([search, no_artifact], handle_tool_errors=True)
    calls = [
        {"name": n, "args": {"q": "y"}, "id": str(i)}
        for i, n in enumerate(["search", "no_artifact"])
    ]
    found, failed = node.invoke({"messages": [AIMessage("", tool_calls=calls)]})["messages"]
    assert (found.content, found.artifact) == ("found y", {"raw": [1, 2]})
    assert failed.status == "error"
    assert failed.content == (
        "Error: ValueError(\"Since response_format='content_and_artifact' a two-tuple of the "
        "message content and raw tool output is expected. Instead, generated response is of "
        "type: <class 'str'>.\")\n Please fix your mistakes."
    )


@pytest.mark.parametrize(
    ("output", "content"),
    [
        (["星期一", "a"], '["星期一", "a"]'),
        (
            [{"type": "custom_tool_call_output", "x": 1}],
            [{"type": "custom_tool_call_output", "x": 1}],
        ),
        ([{"type": "audio", "x": 1}], '[{"type": "audio", "x": 1}]'),
        ({"é": 1}, '{"é": 1}'),
        (5, "5"),
        (None, "null"),
        ([], []),
        ("s", "s"),
    ],
)
def test_tool_output_becomes_message_content_as_in_langgraph(output, content):
    assert msg_content_output(output) == content


def test_a_pydantic_schema_with_a_tool_runtime_field_can_be_built():
    # LangChain builds such schemas for tools that take a ToolRuntime parameter
    model = pydantic.create_model("Args", x=(str, ...), runtime=(ToolRuntime, None))
    assert model(x="a").runtime is None
