"""ToolNode: runs every call of the last AIMessage, answers each in call order, and turns the
model's mistakes into error messages.

Expected shapes (message type, name, tool_call_id, status; whether the node raises) were taken
from LangGraph 1.2.22's ``langgraph.prebuilt.ToolNode`` running the same calls in the same
one-node graph, for every ``handle_tool_errors`` variant below. Error texts are LangGraph's,
checked byte for byte.
"""

import inspect
import threading
import time
import typing
from typing import Annotated, Any

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.config import get_stream_writer
from langgraph_lite.graph import END, START, MessagesState, StateGraph, add_messages
from langgraph_lite.messages import AIMessage, HumanMessage, ToolMessage
from langgraph_lite.prebuilt import (
    InjectedState,
    InjectedToolCallId,
    ToolCallRequest,
    ToolInvocationError,
    ToolNode,
    ToolRuntime,
    tools_condition,
)
from langgraph_lite.tools import tool
from langgraph_lite.types import Command, StreamWriter

# -- tools and helpers ---------------------------------------------------------------------------


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def boom(x: str) -> str:
    """Explode."""
    raise ValueError(f"bad {x}")


@tool
def data(kind: str) -> Any:
    """Return some data."""
    return {
        "dict": {"a": "é"},
        "list": [1, 2],
        "none": None,
        "blocks": [{"type": "text", "text": "hi"}],
        "strs": ["a", "b"],
        "float": 1.5,
        "bool": True,
        "tuple": (1, 2),
        "object": object,
    }[kind]


TOOLS = [add, boom, data]


def ai(*calls: tuple[str, dict, str]) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": n, "args": a, "id": i} for n, a, i in calls])


def state(*calls: tuple[str, dict, str]) -> dict:
    return {"messages": [ai(*calls)]}


def shape(messages: list[ToolMessage]) -> list[tuple[str, str | None, str, str]]:
    return [(m.type, m.name, m.tool_call_id, m.status) for m in messages]


def in_a_graph(node: ToolNode, *calls: tuple[str, dict, str]) -> list[ToolMessage]:
    """The node's messages, from the updates a one-node graph streams (as LangGraph's test)."""
    builder = StateGraph(MessagesState)
    builder.add_node(node)  # named after the node: "tools"
    builder.add_edge(START, "tools")
    graph = builder.compile()
    return [
        m
        for chunk in graph.stream(state(*calls), stream_mode="updates")
        for m in chunk["tools"]["messages"]
    ]


# -- running calls -------------------------------------------------------------------------------


def test_answers_every_call_in_call_order():
    out = ToolNode(TOOLS).invoke(
        state(("add", {"a": 1, "b": 2}, "1"), ("add", {"a": 3, "b": 4}, "2"))
    )
    assert out == {
        "messages": [
            ToolMessage(content="3", name="add", tool_call_id="1"),
            ToolMessage(content="7", name="add", tool_call_id="2"),
        ]
    }


def test_calls_run_in_parallel_threads_and_keep_call_order():
    seen: list[str] = []
    barrier = threading.Barrier(3, timeout=5)  # passes only if all three run at once

    @tool
    def wait(n: int) -> int:
        """Wait for the others."""
        barrier.wait()
        time.sleep(0.03 * (3 - n))  # the first call finishes last
        seen.append(str(n))
        return n

    out = ToolNode([wait]).invoke(state(*[("wait", {"n": n}, f"c{n}") for n in range(3)]))
    assert [m.content for m in out["messages"]] == ["0", "1", "2"]
    assert seen == ["2", "1", "0"]


def test_add_node_names_the_node_after_the_tool_node():
    assert ToolNode(TOOLS).name == "tools"
    builder = StateGraph(MessagesState).add_node(ToolNode(TOOLS, name="run_tools"))
    assert "run_tools" in builder.nodes


def test_a_list_of_messages_gives_a_list_of_tool_messages():
    out = ToolNode(TOOLS).invoke([ai(("add", {"a": 1, "b": 2}, "1"))])
    assert out == [ToolMessage(content="3", name="add", tool_call_id="1")]


def test_a_list_of_tool_calls_gives_a_messages_update():
    call = {"name": "add", "args": {"a": 1, "b": 1}, "id": "c9", "type": "tool_call"}
    assert ToolNode(TOOLS).invoke([call]) == {
        "messages": [ToolMessage(content="2", name="add", tool_call_id="c9")]
    }


def test_the_last_ai_message_is_found_behind_later_messages():
    messages = [ai(("add", {"a": 1, "b": 2}, "1")), HumanMessage("later")]
    assert shape(ToolNode(TOOLS).invoke({"messages": messages})["messages"]) == [
        ("tool", "add", "1", "success")
    ]


def test_an_ai_message_without_calls_gives_no_messages():
    assert ToolNode(TOOLS).invoke({"messages": [AIMessage("no calls")]}) == {"messages": []}


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"messages": [HumanMessage("h")]}, "found no AIMessage"),
        ({"messages": []}, "found no messages"),
        ({"other": 1}, "found no messages"),
        ("text", "takes the state"),
    ],
)
def test_input_without_tool_calls_is_refused_with_a_reason(given, match):
    with pytest.raises(ValueError, match=match):
        ToolNode(TOOLS).invoke(given)


def test_a_custom_messages_key():
    node = ToolNode(TOOLS, messages_key="chat")
    out = node.invoke({"chat": [ai(("add", {"a": 1, "b": 2}, "1"))]})
    assert list(out) == ["chat"]


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("dict", '{"a": "é"}'),
        ("list", "[1, 2]"),
        ("none", "null"),
        ("blocks", [{"type": "text", "text": "hi"}]),
        ("strs", '["a", "b"]'),
        ("float", "1.5"),
        ("bool", "true"),
        ("tuple", "[1, 2]"),
        ("object", "<class 'object'>"),
    ],
)
def test_return_values_become_content_as_in_langgraph(kind, content):
    (message,) = in_a_graph(ToolNode(TOOLS), ("data", {"kind": kind}, "1"))
    assert message.content == content


def test_a_tool_may_answer_with_its_own_tool_message():
    @tool
    def custom(x: int) -> ToolMessage:
        """Custom."""
        return ToolMessage(content="mine", tool_call_id="own", artifact={"raw": x})

    (message,) = ToolNode([custom]).invoke(state(("custom", {"x": 1}, "1")))["messages"]
    assert (message.content, message.tool_call_id, message.artifact) == ("mine", "own", {"raw": 1})


# -- the model's mistakes ------------------------------------------------------------------------


def test_invalid_arguments_become_an_error_message_naming_the_argument():
    (message,) = in_a_graph(ToolNode(TOOLS), ("add", {"a": "x", "b": 2}, "1"))
    assert shape([message]) == [("tool", "add", "1", "error")]
    assert message.content == (  # LangGraph 1.2.22's text, byte for byte
        "Error invoking tool 'add' with kwargs {'a': 'x', 'b': 2} with error:\n"
        " a: Input should be a valid integer, unable to parse string as an integer\n"
        " Please fix the error and try again."
    )


def test_missing_arguments_are_named_too():
    (message,) = in_a_graph(ToolNode(TOOLS), ("add", {}, "1"))
    assert message.content == (
        "Error invoking tool 'add' with kwargs {} with error:\n a: Field required\n"
        "b: Field required\n Please fix the error and try again."
    )


def test_an_unknown_tool_becomes_an_error_message_listing_the_tools():
    (message,) = in_a_graph(ToolNode(TOOLS), ("nope", {}, "1"))
    assert shape([message]) == [("tool", "nope", "1", "error")]
    assert message.content == "Error: nope is not a valid tool, try one of [add, boom, data]."


def test_one_bad_call_does_not_stop_the_others():
    messages = in_a_graph(
        ToolNode(TOOLS),
        ("add", {"a": 1, "b": 2}, "1"),
        ("nope", {}, "2"),
        ("add", {}, "3"),
    )
    assert shape(messages) == [
        ("tool", "add", "1", "success"),
        ("tool", "nope", "2", "error"),
        ("tool", "add", "3", "error"),
    ]


def test_an_exception_inside_a_tool_propagates_by_default():
    with pytest.raises(ValueError, match="bad y"):
        in_a_graph(ToolNode(TOOLS), ("boom", {"x": "y"}, "1"))


def handle_value_errors(e: ValueError) -> str:
    return "value error handled"


def handle_type_errors(e: TypeError) -> str:
    return "type error handled"


def handle_anything(e):
    return f"handled {type(e).__name__}"


# handle_tool_errors -> what a tool raising ValueError gives, what invalid arguments give.
# "raise" / "raise ToolInvocationError": the node raises; otherwise the error message content
# (None: LangGraph's texts, BOOM and INVALID_ADD below).
VARIANTS = [
    ("True", True, None, None),
    ("a message", "oops", "oops", "oops"),
    (
        "a function of anything",
        handle_anything,
        "handled ValueError",
        "handled ToolInvocationError",
    ),
    (
        "a function of ValueError",
        handle_value_errors,
        "value error handled",
        "raise ToolInvocationError",
    ),
    ("a function of TypeError", handle_type_errors, "raise", "raise ToolInvocationError"),
    ("a tuple with ValueError", (ValueError,), None, "raise ToolInvocationError"),
    ("a tuple with TypeError", (TypeError,), "raise", "raise ToolInvocationError"),
    ("the type ValueError", ValueError, None, "raise ToolInvocationError"),
    ("Exception", Exception, None, None),
    ("False", False, "raise", "raise ToolInvocationError"),
]


# What LangGraph 1.2.22's ToolNode answers, observed on the same calls.
BOOM = "Error: ValueError('bad y')\n Please fix your mistakes."
INVALID_ADD = (
    "Error invoking tool 'add' with kwargs {'a': 'x'} with error:\n"
    " a: Input should be a valid integer, unable to parse string as an integer\n"
    "b: Field required\n Please fix the error and try again."
)


@pytest.mark.parametrize(
    ("handle", "when_raised"),
    [pytest.param(h, r, id=label) for label, h, r, _ in VARIANTS],
)
def test_handle_tool_errors_decides_which_exceptions_become_messages(handle, when_raised):
    node = ToolNode(TOOLS, handle_tool_errors=handle)
    if when_raised == "raise":
        with pytest.raises(ValueError, match="bad y"):
            in_a_graph(node, ("boom", {"x": "y"}, "1"))
        return
    (message,) = in_a_graph(node, ("boom", {"x": "y"}, "1"))
    assert shape([message]) == [("tool", "boom", "1", "error")]
    if when_raised is None:
        assert message.content == BOOM
    else:
        assert message.content == when_raised


@pytest.mark.parametrize(
    ("handle", "when_invalid"),
    [pytest.param(h, i, id=label) for label, h, _, i in VARIANTS],
)
def test_handle_tool_errors_also_covers_invalid_arguments(handle, when_invalid):
    node = ToolNode(TOOLS, handle_tool_errors=handle)
    if when_invalid == "raise ToolInvocationError":
        with pytest.raises(ToolInvocationError) as info:
            in_a_graph(node, ("add", {"a": "x"}, "1"))
        assert info.value.tool_name == "add"
        assert info.value.tool_kwargs == {"a": "x"}
        assert str(info.value) == info.value.message == INVALID_ADD
        return
    (message,) = in_a_graph(node, ("add", {"a": "x"}, "1"))
    assert shape([message]) == [("tool", "add", "1", "error")]
    if when_invalid is None:  # True or Exception: the exception's repr, as for any other
        assert message.content == f"Error: {ToolInvocationError.__name__}({INVALID_ADD!r})" + (
            "\n Please fix your mistakes."
        )
    else:
        assert message.content == when_invalid


@pytest.mark.parametrize("handle", [h for _, h, _, _ in VARIANTS])
def test_an_unknown_tool_is_an_error_message_whatever_handle_tool_errors_says(handle):
    (message,) = in_a_graph(ToolNode(TOOLS, handle_tool_errors=handle), ("nope", {}, "1"))
    assert shape([message]) == [("tool", "nope", "1", "error")]
    assert message.content == "Error: nope is not a valid tool, try one of [add, boom, data]."


def test_a_handler_annotated_with_a_union_covers_each_type():
    def handler(e: KeyError | ValueError) -> str:
        return "union"

    (message,) = in_a_graph(ToolNode(TOOLS, handle_tool_errors=handler), ("boom", {"x": "y"}, "1"))
    assert message.content == "union"


def test_an_unsupported_handle_tool_errors_is_refused():
    with pytest.raises(TypeError, match="handle_tool_errors=42"):
        ToolNode(TOOLS, handle_tool_errors=42)  # type: ignore[arg-type]


def test_two_tools_with_one_name_are_refused():
    with pytest.raises(ValueError, match="two tools are named 'add'"):
        ToolNode([add, add])


def test_with_several_failing_calls_the_first_in_call_order_is_raised():
    @tool
    def fail(n: int) -> int:
        """Fail."""
        time.sleep(0.01 * (3 - n))
        raise RuntimeError(f"call {n}")

    with pytest.raises(RuntimeError, match="call 0"):
        ToolNode([fail]).invoke(state(*[("fail", {"n": n}, f"c{n}") for n in range(3)]))


class NamedState(TypedDict):
    messages: Annotated[list, add_messages]
    user: str


# -- injection -----------------------------------------------------------------------------------


def test_state_config_writer_runtime_and_call_id_are_injected():
    @tool
    def everything(
        greeting: str,
        state: dict,
        user: Annotated[str, InjectedState("user")],
        config: dict,
        writer: StreamWriter,
        runtime: ToolRuntime,
        call_id: Annotated[str, InjectedToolCallId],
    ) -> str:
        """Greet."""
        writer(f"greeting {user}")
        get_stream_writer()("via get_stream_writer")
        assert runtime.state is state and runtime.tool_call_id == call_id
        assert [t.name for t in runtime.tools] == ["everything"]
        assert runtime.config is config
        return f"{greeting} {user} ({len(state['messages'])} messages, {call_id}, {config['metadata']['langgraph_node']})"

    builder = StateGraph(NamedState)
    builder.add_node(ToolNode([everything]))
    builder.add_edge(START, "tools")
    graph = builder.compile()
    inputs = {"messages": [ai(("everything", {"greeting": "hi"}, "c1"))], "user": "ada"}
    chunks = list(graph.stream(inputs, stream_mode=["custom", "updates"]))
    assert chunks[:2] == [("custom", "greeting ada"), ("custom", "via get_stream_writer")]
    (message,) = chunks[2][1]["tools"]["messages"]
    assert message.content == "hi ada (1 messages, c1, tools)"


def test_the_runtime_carries_the_runs_context():
    from dataclasses import dataclass

    @dataclass
    class Ctx:
        user_id: str

    @tool
    def whoami(runtime: ToolRuntime) -> str:
        """Who is calling."""
        return runtime.context.user_id

    builder = StateGraph(MessagesState, context_schema=Ctx)
    builder.add_node(ToolNode([whoami]))
    builder.add_edge(START, "tools")
    result = builder.compile().invoke(state(("whoami", {}, "c1")), context=Ctx("u-7"))
    assert result["messages"][-1].content == "u-7"


def test_a_missing_state_key_is_named():
    @tool
    def who(user: Annotated[str, InjectedState("user")]) -> str:
        """Who."""
        return user

    with pytest.raises(KeyError, match=r"state\['user'\].*has no key 'user'"):
        ToolNode([who]).invoke(state(("who", {}, "1")))


# -- commands ------------------------------------------------------------------------------------


@tool
def set_user(name: str, call_id: Annotated[str, InjectedToolCallId]) -> Command:
    """Remember the user's name."""
    return Command(
        update={"user": name, "messages": [ToolMessage(content="saved", tool_call_id=call_id)]}
    )


def test_a_tool_returning_a_command_updates_the_state():
    # LangGraph 1.2.22 returns [{"messages": [plain answers]}, Command(...)] for this input
    node = ToolNode([set_user, add])
    out = node.invoke(state(("add", {"a": 1, "b": 1}, "c0"), ("set_user", {"name": "bob"}, "c1")))
    assert isinstance(out, list) and len(out) == 2
    assert shape(out[0]["messages"]) == [("tool", "add", "c0", "success")]
    assert isinstance(out[1], Command) and out[1].update["user"] == "bob"
    assert out[1].update["messages"][0].name == "set_user"  # filled in, as LangGraph does

    builder = StateGraph(NamedState)
    builder.add_node(node)
    builder.add_edge(START, "tools")
    result = builder.compile().invoke(
        {"messages": [ai(("add", {"a": 1, "b": 1}, "c0"), ("set_user", {"name": "bob"}, "c1"))]}
    )
    assert result["user"] == "bob"
    assert [m.content for m in result["messages"][1:]] == ["2", "saved"]


def test_a_command_must_answer_its_tool_call():
    @tool
    def bad(x: str) -> Command:
        """Bad."""
        return Command(update={"user": x})

    with pytest.raises(ValueError, match=r"tool 'bad' returned a Command .* no ToolMessage"):
        ToolNode([bad]).invoke(state(("bad", {"x": "1"}, "c1")))


# -- async ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_calls_run_concurrently_and_keep_call_order():
    running = 0
    most = 0

    @tool
    async def slow(n: int) -> int:
        """Slow."""
        nonlocal running, most
        running += 1
        most = max(most, running)
        await anyio.sleep(0.01 * (3 - n))
        running -= 1
        return n

    out = await ToolNode([slow]).ainvoke(state(*[("slow", {"n": n}, f"c{n}") for n in range(3)]))
    assert [m.content for m in out["messages"]] == ["0", "1", "2"]
    assert most == 3


@pytest.mark.anyio
async def test_async_max_concurrency_limits_the_calls_at_once():
    running = 0
    most = 0

    @tool
    async def slow(n: int) -> int:
        """Slow."""
        nonlocal running, most
        running += 1
        most = max(most, running)
        await anyio.sleep(0.005)
        running -= 1
        return n

    calls = [("slow", {"n": n}, f"c{n}") for n in range(4)]
    out = await ToolNode([slow]).ainvoke(state(*calls), {"max_concurrency": 2})
    assert len(out["messages"]) == 4 and most == 2


@pytest.mark.anyio
async def test_async_errors_as_in_sync_runs():
    node = ToolNode(TOOLS)
    out = await node.ainvoke(state(("add", {"a": "x", "b": 1}, "1"), ("nope", {}, "2")))
    assert shape(out["messages"]) == [("tool", "add", "1", "error"), ("tool", "nope", "2", "error")]
    with pytest.raises(ValueError, match="bad y"):
        await node.ainvoke(state(("boom", {"x": "y"}, "1"), ("add", {"a": 1, "b": 1}, "2")))


@pytest.mark.anyio
async def test_an_async_failure_cancels_the_other_calls():
    finished = []

    @tool
    async def sleeper(n: int) -> int:
        """Sleep."""
        await anyio.sleep(5)
        finished.append(n)
        return n

    @tool
    async def crash(n: int) -> int:
        """Crash."""
        raise RuntimeError("crashed")

    with anyio.fail_after(2), pytest.raises(RuntimeError, match="crashed"):
        await ToolNode([sleeper, crash]).ainvoke(
            state(("sleeper", {"n": 1}, "c1"), ("crash", {"n": 2}, "c2"))
        )
    assert finished == []


@pytest.mark.anyio
async def test_sync_tools_under_astream_send_custom_events():
    def lookup(city: str) -> str:
        """Look up a city."""
        get_stream_writer()(f"looking up {city}")
        return city.upper()

    builder = StateGraph(MessagesState)
    builder.add_node(ToolNode([lookup]))
    builder.add_edge(START, "tools")
    graph = builder.compile()
    inputs = state(("lookup", {"city": "sf"}, "1"), ("lookup", {"city": "ny"}, "2"))
    seen = [chunk async for chunk in graph.astream(inputs, stream_mode=["custom", "updates"])]
    assert sorted(c for m, c in seen if m == "custom") == ["looking up ny", "looking up sf"]
    assert [m.content for m in seen[-1][1]["tools"]["messages"]] == ["SF", "NY"]


# -- tools_condition -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"messages": [AIMessage("x")]}, END),
        ({"messages": [ai(("add", {}, "1"))]}, "tools"),
        ([ai(("add", {}, "1"))], "tools"),
        ({"messages": [HumanMessage("x")]}, END),
    ],
)
def test_tools_condition_routes_on_the_last_message(given, expected):
    assert tools_condition(given) == expected


def test_tools_condition_reads_an_object_state_and_a_custom_key():
    class Obj:
        messages = [ai(("add", {}, "1"))]

    assert tools_condition(Obj()) == "tools"
    assert tools_condition({"chat": [AIMessage("done")]}, messages_key="chat") == END


@pytest.mark.parametrize("given", [{"messages": []}, {}, []])
def test_tools_condition_without_messages_says_so(given):
    with pytest.raises(ValueError, match="found no messages"):
        tools_condition(given)


def test_tools_condition_and_tool_node_make_a_loop():
    replies = iter([ai(("add", {"a": 2, "b": 2}, "c1")), AIMessage("four")])

    def model(state: MessagesState) -> dict:
        return {"messages": [next(replies)]}

    builder = StateGraph(MessagesState)
    builder.add_node("llm", model)
    builder.add_node(ToolNode([add]))
    builder.add_edge(START, "llm")
    builder.add_conditional_edges("llm", tools_condition)
    builder.add_edge("tools", "llm")
    graph = builder.compile()
    updates = list(graph.stream({"messages": [("user", "2+2?")]}, stream_mode="updates"))
    assert [list(u) for u in updates] == [["llm"], ["tools"], ["llm"]]
    assert updates[1]["tools"]["messages"][0].content == "4"


def test_tools_condition_is_annotated_with_its_destinations_as_langgraphs_is():
    assert inspect.signature(tools_condition).return_annotation == "Literal['tools', '__end__']"
    hints = typing.get_type_hints(tools_condition)
    assert typing.get_args(hints["return"]) == ("tools", "__end__")


def test_a_drawing_shows_both_edges_tools_condition_may_take():
    builder = StateGraph(MessagesState)
    builder.add_node("agent", lambda s: {"messages": [AIMessage("x")]})
    builder.add_node("tools", ToolNode([add]))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    mermaid = builder.compile().get_graph().draw_mermaid()
    # as LangGraph 1.2.22 draws it
    for edge in ("agent -.-> __end__;", "agent -.-> tools;", "tools --> agent;"):
        assert f"\t{edge}\n" in mermaid


# -- wrap_tool_call ------------------------------------------------------------------------------
# Each expected answer below was observed on LangGraph 1.2.22's ToolNode with the same wrapper.


def passthrough(request, execute):
    return execute(request)


def a_is_ten(request, execute):
    call = request.tool_call
    return execute(request.override(tool_call={**call, "args": {**call["args"], "a": 10}}))


def cached(request, execute):
    return ToolMessage("cached", tool_call_id=request.tool_call["id"])


def twice(request, execute):
    first, second = execute(request), execute(request)
    return ToolMessage(f"{first.content}+{second.content}", tool_call_id=request.tool_call["id"])


def broken(request, execute):
    raise ValueError("wrapper broke")


ADD_1_2 = ("add", {"a": 1, "b": 2}, "c1")


@pytest.mark.parametrize(
    ("wrapper", "answer"),
    [
        (passthrough, ("3", "add")),
        (a_is_ten, ("12", "add")),
        (cached, ("cached", None)),
        (twice, ("3+3", None)),
    ],
)
def test_a_wrapper_may_run_the_call_changed_several_times_or_not_at_all(wrapper, answer):
    (message,) = in_a_graph(ToolNode(TOOLS, wrap_tool_call=wrapper), ADD_1_2)
    assert (message.content, message.name, message.status) == (*answer, "success")


@pytest.mark.anyio
async def test_async_runs_use_awrap_tool_call_or_else_the_sync_wrapper():
    async def apassthrough(request, execute):
        return await execute(request)

    answers = []
    for node in (
        ToolNode(TOOLS, awrap_tool_call=apassthrough),
        ToolNode(TOOLS, wrap_tool_call=a_is_ten),
    ):
        builder = StateGraph(MessagesState)
        builder.add_node(node)
        builder.add_edge(START, "tools")
        out = await builder.compile().ainvoke(state(ADD_1_2))
        answers.append(out["messages"][-1].content)
    assert answers == ["3", "12"]
    (message,) = in_a_graph(ToolNode(TOOLS, awrap_tool_call=apassthrough), ADD_1_2)
    assert message.content == "3"  # a sync run ignores the async wrapper


@pytest.mark.parametrize(
    ("handle", "answer"),
    [
        (True, "Error: ValueError('wrapper broke')\n Please fix your mistakes."),
        ((KeyError,), "Error: ValueError('wrapper broke')\n Please fix your mistakes."),
        ("s", "s"),
    ],
)
def test_what_a_wrapper_raises_is_answered_whatever_its_type_when_errors_are_handled(
    handle, answer
):
    node = ToolNode(TOOLS, wrap_tool_call=broken, handle_tool_errors=handle)
    (message,) = in_a_graph(node, ADD_1_2)
    assert (message.content, message.name, message.status) == (answer, "add", "error")


@pytest.mark.parametrize("handle", [False, None])
def test_what_a_wrapper_raises_propagates_by_default_or_when_errors_are_not_handled(handle):
    kwargs = {} if handle is None else {"handle_tool_errors": handle}
    with pytest.raises(ValueError, match="wrapper broke"):
        in_a_graph(ToolNode(TOOLS, wrap_tool_call=broken, **kwargs), ADD_1_2)


def test_a_wrapper_sees_the_request_and_an_unknown_tool_as_none():
    seen = []

    def look(request, execute):
        seen.append((request.tool_call, request.tool is not None, type(request.runtime)))
        return execute(request)

    (message,) = in_a_graph(ToolNode(TOOLS, wrap_tool_call=look), ("nope", {}, "c1"))
    assert seen == [
        ({"name": "nope", "args": {}, "id": "c1", "type": "tool_call"}, False, ToolRuntime)
    ]
    assert message.content == "Error: nope is not a valid tool, try one of [add, boom, data]."


def test_a_wrapper_may_give_the_tool_another_state():
    @tool
    def count(x: str, state: Annotated[dict, InjectedState]) -> str:
        """Count the messages."""
        return str(len(state["messages"]))

    def more(request, execute):
        return execute(request.override(state={"messages": [1, 2, 3, 4, 5]}))

    (message,) = in_a_graph(ToolNode([count], wrap_tool_call=more), ("count", {"x": "a"}, "c1"))
    assert message.content == "5"


def test_setting_a_request_attribute_warns_override_returns_a_new_request():
    request = ToolCallRequest(
        tool_call={"name": "a", "args": {}, "id": "1"}, tool=None, state={}, runtime=ToolRuntime()
    )
    changed = request.override(state={"k": 1})
    assert (request.state, changed.state, changed.runtime.state) == ({}, {"k": 1}, {"k": 1})
    with pytest.warns(
        DeprecationWarning, match="^Setting attribute 'tool_call' on ToolCallRequest is deprecated"
    ):
        request.tool_call = {}


def test_a_commands_answer_is_named_after_the_call_in_a_copy_of_its_update():
    made: list[ToolMessage] = []

    @tool
    def named(tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
        """Answer with a Command."""
        answer = ToolMessage("ok", tool_call_id=tool_call_id, name="other")
        made.append(answer)
        other = {"role": "tool", "content": "d", "tool_call_id": "zz"}
        return Command(update={"messages": [answer, other]})

    builder = StateGraph(MessagesState).add_node("tools", ToolNode([named]))
    graph = builder.add_edge(START, "tools").compile()
    call = {"name": "named", "args": {}, "id": "c1"}
    result = graph.invoke({"messages": [AIMessage("", tool_calls=[call])]})
    assert [(m.type, m.name, m.tool_call_id) for m in result["messages"][1:]] == [
        ("tool", "named", "c1"),
        ("tool", None, "zz"),
    ]
    assert made[0].name == "other"  # the tool's own message is left as it made it
