"""create_react_agent: the model → tools → model loop, as LangGraph's prebuilt agent runs it.

Expected ``updates`` chunks, snapshots and errors were taken from LangGraph 1.2.22's
``langgraph.prebuilt.create_react_agent`` driven by langchain-core's ``GenericFakeChatModel``
with the same scripted replies (a ``bind_tools`` that returns the model): same nodes per
chunk, same messages (type, name, content, tool calls, tool_call_id, status), same
``get_state().next``, and the same recursion limits at which the agent gives up politely or
raises ``GraphRecursionError``. The "need more steps" reply is LangGraph's.
"""

from typing import Annotated, Any

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.config import get_stream_writer
from langgraph_lite.errors import GraphRecursionError
from langgraph_lite.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph_lite.prebuilt import (
    AgentState,
    InjectedState,
    ToolNode,
    create_react_agent,
)
from langgraph_lite.prebuilt.chat_agent import NEED_MORE_STEPS
from langgraph_lite.testing import ScriptedChatModel
from langgraph_lite.tools import tool
from langgraph_lite.types import Command, interrupt

QUESTION = {"messages": [{"role": "user", "content": "what is the weather in sf"}]}
ANSWER = ["It's", " always", " sunny", " in", " sf!"]


def get_weather(city: str) -> str:
    """Get the weather for a given city."""
    get_stream_writer()(f"Looking up data for city: {city}")
    return f"It's always sunny in {city}!"


def calls(*specs: tuple[str, dict, str], id: str | None = None) -> AIMessage:
    return AIMessage(
        content="", id=id, tool_calls=[{"name": n, "args": a, "id": i} for n, a, i in specs]
    )


def weather_call(city: str = "sf", call_id: str = "call-1") -> AIMessage:
    return calls(("get_weather", {"city": city}, call_id))


def summary(chunk: dict) -> dict:
    """An updates chunk with each message as (type, name, content, calls / call id, status)."""
    out: dict[str, Any] = {}
    for node, update in chunk.items():
        if node == "__interrupt__":
            out[node] = tuple(update)
            continue
        rows = []
        for m in update["messages"]:
            if m.type == "ai":
                rows.append(
                    (
                        "ai",
                        m.name,
                        m.content,
                        [(c["name"], c["args"], c["id"]) for c in m.tool_calls],
                    )
                )
            elif m.type == "tool":
                content = m.content if m.status == "success" else "<error>"
                rows.append(("tool", m.name, content, m.tool_call_id, m.status))
            else:
                rows.append((m.type, m.name, m.content))
        out[node] = rows
    return out


SEED_UPDATES = [
    {"agent": [("ai", None, "", [("get_weather", {"city": "sf"}, "call-1")])]},
    {"tools": [("tool", "get_weather", "It's always sunny in sf!", "call-1", "success")]},
    {"agent": [("ai", None, "It's always sunny in sf!", [])]},
]


def seed_agent(**kwargs: Any) -> tuple[Any, ScriptedChatModel]:
    model = ScriptedChatModel([weather_call(), ANSWER])
    return create_react_agent(model, [get_weather], **kwargs), model


# -- the seed example ----------------------------------------------------------------------------


def test_the_graph_has_agent_and_tools_nodes_and_loops_between_them():
    agent, _ = seed_agent()
    assert list(agent.nodes) == ["__start__", "agent", "tools"]
    assert agent.name == "LangGraph"
    mermaid = agent.get_graph().draw_mermaid()
    for edge in (
        "__start__ --> agent;",
        "agent -.-> __end__;",
        "agent -.-> tools;",
        "tools --> agent;",
    ):
        assert edge in mermaid


def test_sync_stream_of_updates_is_langgraphs(capsys):
    agent, model = seed_agent()
    for chunk in agent.stream(QUESTION, stream_mode="updates"):
        print(chunk)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("{'agent': {'messages': [AIMessage(")
    assert lines[1].startswith("{'tools': {'messages': [ToolMessage(")
    assert lines[2].startswith("{'agent': {'messages': [AIMessage(")
    assert model.replies_left == 0

    agent, _ = seed_agent()
    assert [summary(c) for c in agent.stream(QUESTION, stream_mode="updates")] == SEED_UPDATES


@pytest.mark.anyio
async def test_async_stream_of_updates_is_the_same():
    agent, model = seed_agent()
    chunks = [c async for c in agent.astream(QUESTION, stream_mode="updates")]
    assert [summary(c) for c in chunks] == SEED_UPDATES
    assert model.replies_left == 0


@pytest.mark.anyio
async def test_async_runs_call_the_models_ainvoke():
    used: list[str] = []

    class Recording(ScriptedChatModel):
        def invoke(self, messages: Any, config: Any = None, **kwargs: Any) -> AIMessage:
            used.append("invoke")
            return super().invoke(messages, config, **kwargs)

        async def ainvoke(self, messages: Any, config: Any = None, **kwargs: Any) -> AIMessage:
            used.append("ainvoke")
            return await super().ainvoke(messages, config, **kwargs)

        def bind_tools(self, tools: Any, **kwargs: Any) -> "Recording":
            self.tools = list(tools)
            return self

    agent = create_react_agent(Recording([weather_call(), "sunny"]), [get_weather])
    await agent.ainvoke(QUESTION)
    assert used == ["ainvoke", "ainvoke"]


@pytest.mark.anyio
async def test_a_model_without_ainvoke_runs_in_a_worker_thread_in_async_runs():
    class SyncOnly:
        def __init__(self) -> None:
            self.replies = iter([weather_call(), AIMessage("sunny")])
            self.tools: list[Any] = []

        def bind_tools(self, tools: Any) -> "SyncOnly":
            self.tools = list(tools)
            return self

        def invoke(self, messages: Any) -> AIMessage:
            return next(self.replies)

    result = await create_react_agent(SyncOnly(), [get_weather]).ainvoke(QUESTION)
    assert [m.type for m in result["messages"]] == ["human", "ai", "tool", "ai"]


def test_messages_mode_streams_the_answer_token_by_token():
    agent, _ = seed_agent()
    tokens = [
        token.content
        for token, metadata in agent.stream(QUESTION, stream_mode="messages")
        if metadata["langgraph_node"] == "agent" and token.content
    ]
    assert tokens == ANSWER


def test_custom_mode_shows_what_tools_send():
    agent, _ = seed_agent()
    assert list(agent.stream(QUESTION, stream_mode="custom")) == ["Looking up data for city: sf"]


# -- parallel tool calls -------------------------------------------------------------------------


def two_cities() -> ScriptedChatModel:
    both = calls(("get_weather", {"city": "sf"}, "c1"), ("get_weather", {"city": "ny"}, "c2"))
    return ScriptedChatModel([both, "both sunny"])


def test_each_tool_call_is_its_own_tools_update():
    updates = [
        summary(c)
        for c in create_react_agent(two_cities(), [get_weather]).stream(
            QUESTION, stream_mode="updates"
        )
    ]
    assert [list(u) for u in updates] == [["agent"], ["tools"], ["tools"], ["agent"]]
    answered = sorted(u["tools"][0][3] for u in updates[1:3])
    assert answered == ["c1", "c2"]


def test_version_v1_answers_all_calls_in_one_tools_update():
    agent = create_react_agent(two_cities(), [get_weather], version="v1")
    updates = [summary(c) for c in agent.stream(QUESTION, stream_mode="updates")]
    assert updates[1] == {
        "tools": [
            ("tool", "get_weather", "It's always sunny in sf!", "c1", "success"),
            ("tool", "get_weather", "It's always sunny in ny!", "c2", "success"),
        ]
    }


@pytest.mark.anyio
async def test_parallel_calls_in_async_runs():
    agent = create_react_agent(two_cities(), [get_weather])
    result = await agent.ainvoke(QUESTION)
    assert sorted(m.tool_call_id for m in result["messages"] if m.type == "tool") == ["c1", "c2"]
    assert result["messages"][-1].content == "both sunny"


# -- the model's mistakes ------------------------------------------------------------------------


def test_invalid_arguments_and_unknown_tools_are_answered_and_the_loop_goes_on():
    model = ScriptedChatModel(
        [
            calls(("get_weather", {"town": "sf"}, "c1")),
            calls(("nope", {}, "c2")),
            "sorry, I could not check",
        ]
    )
    updates = [
        summary(c)
        for c in create_react_agent(model, [get_weather]).stream(QUESTION, stream_mode="updates")
    ]
    assert updates == [
        {"agent": [("ai", None, "", [("get_weather", {"town": "sf"}, "c1")])]},
        {"tools": [("tool", "get_weather", "<error>", "c1", "error")]},
        {"agent": [("ai", None, "", [("nope", {}, "c2")])]},
        {"tools": [("tool", "nope", "<error>", "c2", "error")]},
        {"agent": [("ai", None, "sorry, I could not check", [])]},
    ]
    sent_back = model.calls[1][-1]
    assert sent_back.type == "tool" and "\n city: Field required\n" in sent_back.content


def test_an_exception_in_a_tool_stops_the_run_by_default():
    def broken(x: str) -> str:
        """Broken."""
        raise ConnectionError("backend down")

    model = ScriptedChatModel([calls(("broken", {"x": "1"}, "c1")), "never"])
    with pytest.raises(ConnectionError, match="backend down"):
        create_react_agent(model, [broken]).invoke(QUESTION)


def test_a_tool_node_with_error_handling_lets_the_model_read_the_error():
    def broken(x: str) -> str:
        """Broken."""
        raise ConnectionError("backend down")

    model = ScriptedChatModel([calls(("broken", {"x": "1"}, "c1")), "the backend is down"])
    agent = create_react_agent(model, ToolNode([broken], handle_tool_errors=True))
    result = agent.invoke(QUESTION)
    assert result["messages"][2].status == "error"
    assert "backend down" in result["messages"][2].content
    assert result["messages"][-1].content == "the backend is down"


# -- prompt and name -----------------------------------------------------------------------------


def test_a_string_prompt_is_sent_first_as_a_system_message():
    model = ScriptedChatModel(["hi"])
    create_react_agent(model, [get_weather], prompt="You are terse.").invoke(QUESTION)
    sent = model.calls[0]
    assert sent[0] == SystemMessage(content="You are terse.")
    assert [m.type for m in sent] == ["system", "human"]


def test_a_system_message_prompt_is_sent_first():
    model = ScriptedChatModel(["hi"])
    create_react_agent(model, [], prompt=SystemMessage(content="sys")).invoke(QUESTION)
    assert [m.content for m in model.calls[0]] == ["sys", "what is the weather in sf"]


def test_a_callable_prompt_chooses_what_the_model_sees():
    model = ScriptedChatModel(["hi"])

    def only_the_last(state: dict) -> list:
        return [SystemMessage(content="sys"), *state["messages"][-1:]]

    create_react_agent(model, [], prompt=only_the_last).invoke(
        {"messages": [("user", "one"), ("ai", "two"), ("user", "three")]}
    )
    assert [m.content for m in model.calls[0]] == ["sys", "three"]


@pytest.mark.anyio
async def test_an_async_prompt_needs_an_async_run():
    async def prompt(state: dict) -> list:
        return [SystemMessage(content="async sys"), *state["messages"]]

    model = ScriptedChatModel(["hi"])
    agent = create_react_agent(model, [], prompt=prompt)
    await agent.ainvoke(QUESTION)
    assert model.calls[0][0].content == "async sys"
    with pytest.raises(RuntimeError, match="prompt is an async function"):
        agent.invoke(QUESTION)


def test_the_name_names_the_graph_and_the_models_messages():
    agent = create_react_agent(ScriptedChatModel(["hi"]), [get_weather], name="helper")
    assert agent.name == "helper"
    assert agent.invoke(QUESTION)["messages"][-1].name == "helper"


def test_no_tools_means_no_tools_node():
    agent = create_react_agent(ScriptedChatModel(["hi"]), [])
    assert list(agent.nodes) == ["__start__", "agent"]
    assert agent.invoke(QUESTION)["messages"][-1].content == "hi"


class Spy(ScriptedChatModel):
    """Records the tools it is bound to."""

    bound: list[Any] = []

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:
        Spy.bound = list(tools)
        return super().bind_tools(tools, **kwargs)


def test_the_model_is_bound_to_the_tools():
    create_react_agent(Spy(["hi"]), [get_weather])
    assert [t.name for t in Spy.bound] == ["get_weather"]


def test_provider_tool_dicts_are_bound_but_not_run():
    spec = {"type": "function", "function": {"name": "srv", "description": "d", "parameters": {}}}
    agent = create_react_agent(Spy(["hi"]), [spec])
    assert Spy.bound == [spec]
    assert list(agent.nodes) == ["__start__", "agent"]


def test_an_already_bound_model_is_used_as_is():
    bound = ScriptedChatModel(["hi"]).bind_tools([get_weather])
    Spy.bound = []
    agent = create_react_agent(bound, [get_weather])
    assert agent.invoke(QUESTION)["messages"][-1].content == "hi"


def test_a_model_without_bind_tools_is_refused_with_the_fix():
    class Plain:
        def invoke(self, messages: Any) -> AIMessage:
            return AIMessage("hi")

    with pytest.raises(TypeError, match=r"has no bind_tools\(\).*get_weather"):
        create_react_agent(Plain(), [get_weather])


# -- limits and return_direct --------------------------------------------------------------------

# recursion_limit -> what LangGraph's agent does with a script of three tool calls then an
# answer: "sorry" (the agent's polite give-up as its last update), a number of completed
# tool rounds before it, or a GraphRecursionError.
LIMITS = {
    1: "error",
    2: ("sorry", 0),
    3: "error",
    4: ("sorry", 1),
    5: "error",
    6: ("sorry", 2),
    7: "error",
    8: "answer",
    9: "answer",
}


@pytest.mark.parametrize("limit", list(LIMITS))
def test_the_agent_gives_up_politely_when_steps_run_out(limit):
    script = [weather_call(c, c) for c in "abc"] + ["done"]
    agent = create_react_agent(ScriptedChatModel(script), [get_weather])
    expected = LIMITS[limit]
    if expected == "error":
        with pytest.raises(GraphRecursionError):
            list(agent.stream(QUESTION, {"recursion_limit": limit}, stream_mode="updates"))
        return
    updates = list(agent.stream(QUESTION, {"recursion_limit": limit}, stream_mode="updates"))
    last = updates[-1]["agent"]["messages"][0]
    if expected == "answer":
        assert last.content == "done"
        return
    _, rounds = expected
    assert last.content == NEED_MORE_STEPS and last.tool_calls == []
    assert sum("tools" in u for u in updates) == rounds


@tool(return_direct=True)
def final_answer(text: str) -> str:
    """Give the final answer."""
    return f"FINAL: {text}"


def test_a_return_direct_tool_ends_the_run():
    model = ScriptedChatModel([calls(("final_answer", {"text": "42"}, "c1")), "never used"])
    agent = create_react_agent(model, [final_answer, get_weather])
    updates = [summary(c) for c in agent.stream(QUESTION, stream_mode="updates")]
    assert updates == [
        {"agent": [("ai", None, "", [("final_answer", {"text": "42"}, "c1")])]},
        {"tools": [("tool", "final_answer", "FINAL: 42", "c1", "success")]},
    ]
    assert model.replies_left == 1
    mermaid = agent.get_graph().draw_mermaid()
    assert "tools -.-> agent;" in mermaid and "tools -.-> __end__;" in mermaid


def test_return_direct_beside_another_call_still_ends_the_run():
    model = ScriptedChatModel(
        [
            calls(("get_weather", {"city": "x"}, "c0"), ("final_answer", {"text": "1"}, "c1")),
            "never",
        ]
    )
    updates = list(
        create_react_agent(model, [final_answer, get_weather]).stream(
            QUESTION, stream_mode="updates"
        )
    )
    assert [list(u) for u in updates] == [["agent"], ["tools"], ["tools"]]


# -- memory and human in the loop ----------------------------------------------------------------


def test_a_checkpointer_keeps_the_conversation_across_turns():
    model = ScriptedChatModel([weather_call(), "sunny", "you asked about sf"])
    agent = create_react_agent(model, [get_weather], checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    agent.invoke(QUESTION, config)
    result = agent.invoke({"messages": [("user", "what did I ask?")]}, config)
    assert [m.type for m in result["messages"]] == ["human", "ai", "tool", "ai", "human", "ai"]
    assert [m.type for m in model.calls[-1]] == ["human", "ai", "tool", "ai", "human"]
    assert result["messages"][-1].content == "you asked about sf"


def test_interrupt_before_tools_shows_the_pending_call_and_resumes():
    agent, model = seed_agent(checkpointer=InMemorySaver(), interrupt_before=["tools"])
    config = {"configurable": {"thread_id": "t1"}}
    first = [summary(c) for c in agent.stream(QUESTION, config, stream_mode="updates")]
    assert first == [SEED_UPDATES[0], {"__interrupt__": ()}]
    snapshot = agent.get_state(config)
    assert snapshot.next == ("tools",)
    assert [t.name for t in snapshot.tasks] == ["tools"]
    assert snapshot.values["messages"][-1].tool_calls == [
        {"name": "get_weather", "args": {"city": "sf"}, "id": "call-1", "type": "tool_call"}
    ]
    assert sorted(snapshot.values) == ["messages"]
    rest = [summary(c) for c in agent.stream(None, config, stream_mode="updates")]
    assert rest == SEED_UPDATES[1:]
    assert model.replies_left == 0


def test_interrupt_before_tools_with_two_calls_pauses_both():
    agent = create_react_agent(
        two_cities(), [get_weather], checkpointer=InMemorySaver(), interrupt_before=["tools"]
    )
    config = {"configurable": {"thread_id": "t1"}}
    agent.invoke(QUESTION, config)
    assert agent.get_state(config).next == ("tools", "tools")
    result = agent.invoke(None, config)
    assert result["messages"][-1].content == "both sunny"


def test_interrupt_before_tools_persists_in_sqlite():
    with SqliteSaver.from_conn_string(":memory:") as saver:
        agent, _ = seed_agent(checkpointer=saver, interrupt_before=["tools"])
        config = {"configurable": {"thread_id": "t1"}}
        agent.invoke(QUESTION, config)
        assert agent.get_state(config).next == ("tools",)
        assert agent.invoke(None, config)["messages"][-1].content == "It's always sunny in sf!"


def test_interrupt_after_tools_stops_before_the_model_reads_the_answer():
    agent, _ = seed_agent(checkpointer=InMemorySaver(), interrupt_after=["tools"])
    config = {"configurable": {"thread_id": "t1"}}
    first = [summary(c) for c in agent.stream(QUESTION, config, stream_mode="updates")]
    assert first == [*SEED_UPDATES[:2], {"__interrupt__": ()}]


# after a step that consumed Send packets, resuming and reading the state work (a bug once)
def test_interrupt_after_tools_resumes_with_the_model():
    agent, _ = seed_agent(checkpointer=InMemorySaver(), interrupt_after=["tools"])
    config = {"configurable": {"thread_id": "t1"}}
    agent.invoke(QUESTION, config)
    rest = [summary(c) for c in agent.stream(None, config, stream_mode="updates")]
    assert rest == SEED_UPDATES[2:]


def test_get_state_after_the_tools_step():
    agent, _ = seed_agent(checkpointer=InMemorySaver(), interrupt_after=["tools"])
    config = {"configurable": {"thread_id": "t1"}}
    agent.invoke(QUESTION, config)
    assert agent.get_state(config).next == ("agent",)


def test_get_state_after_a_finished_run():
    agent, _ = seed_agent(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    agent.invoke(QUESTION, config)
    snapshot = agent.get_state(config)
    assert snapshot.next == ()
    assert [m.type for m in snapshot.values["messages"]] == ["human", "ai", "tool", "ai"]


def test_sending_a_new_message_while_a_tool_call_waits_is_refused():
    agent, _ = seed_agent(checkpointer=InMemorySaver(), interrupt_before=["tools"])
    config = {"configurable": {"thread_id": "t1"}}
    agent.invoke(QUESTION, config)
    with pytest.raises(ValueError, match=r"no ToolMessage answering.*invoke\(None, config\)"):
        agent.invoke({"messages": [("user", "never mind")]}, config)


def test_a_tool_may_ask_a_human_with_interrupt():
    def ask_human(question: str) -> str:
        """Ask the user a question."""
        return interrupt(question)

    model = ScriptedChatModel([calls(("ask_human", {"question": "which city?"}, "c1")), "ok, sf"])
    agent = create_react_agent(model, [ask_human], checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    paused = agent.invoke(QUESTION, config)
    assert [i.value for i in paused["__interrupt__"]] == ["which city?"]
    assert agent.get_state(config).next == ("tools",)
    result = agent.invoke(Command(resume="sf"), config)
    assert [(m.type, m.content) for m in result["messages"][2:]] == [
        ("tool", "sf"),
        ("ai", "ok, sf"),
    ]


# -- state -----------------------------------------------------------------------------------------


class WithUser(AgentState):
    user: str


def test_a_custom_state_schema_reaches_injected_state():
    @tool
    def whoami(user: Annotated[str, InjectedState("user")]) -> str:
        """Who is asking."""
        return user

    model = ScriptedChatModel([calls(("whoami", {}, "c1")), "you are ada"])
    agent = create_react_agent(model, [whoami], state_schema=WithUser)
    result = agent.invoke({**QUESTION, "user": "ada"})
    assert result["messages"][2].content == "ada"
    assert result["user"] == "ada"


def test_a_state_schema_needs_messages():
    class NoMessages(TypedDict):
        user: str

    with pytest.raises(ValueError, match="has no 'messages' key"):
        create_react_agent(ScriptedChatModel([]), [get_weather], state_schema=NoMessages)


def test_agent_node_runs_alone_with_node_invoke():
    agent, _ = seed_agent()
    update = agent.nodes["agent"].invoke({"messages": [HumanMessage("weather?")]})
    assert update["messages"][0].tool_calls[0]["name"] == "get_weather"


def test_agent_node_runs_alone_with_run_node():
    from langgraph_lite.testing import run_node

    agent, _ = seed_agent()
    result = run_node(agent, "agent", {"messages": [HumanMessage("weather?")]})
    assert result.update["messages"][0].tool_calls[0]["name"] == "get_weather"


@pytest.mark.anyio
async def test_astream_stops_cleanly_when_the_consumer_leaves():
    agent, model = seed_agent()
    async with agent.astream(QUESTION, stream_mode="updates") as stream:
        async for chunk in stream:
            assert "agent" in chunk
            break
    await anyio.sleep(0)
    assert model.replies_left == 1  # the second model call never happened


def test_tool_messages_in_the_history_are_fine():
    history = [
        HumanMessage("q"),
        weather_call("x", "old"),
        ToolMessage(content="sunny", tool_call_id="old"),
        HumanMessage("again"),
    ]
    agent = create_react_agent(ScriptedChatModel(["hi"]), [get_weather])
    assert agent.invoke({"messages": history})["messages"][-1].content == "hi"


def test_an_agent_with_a_store_hands_it_to_tools_that_inject_it():
    from langgraph_lite.prebuilt import InjectedStore
    from langgraph_lite.store.memory import InMemoryStore

    def remember(fact: str, store: Annotated[Any, InjectedStore()]) -> str:
        """Remember a fact."""
        store.put(("facts",), "f1", {"fact": fact})
        return "saved"

    call = {"name": "remember", "args": {"fact": "otters hold hands"}, "id": "c1"}
    model = ScriptedChatModel([AIMessage(content="", tool_calls=[call]), "done"])
    store = InMemoryStore()
    agent = create_react_agent(model, [remember], store=store)
    out = agent.invoke({"messages": [("user", "remember this")]})
    assert [m.content for m in out["messages"][-2:]] == ["saved", "done"]
    assert store.get(("facts",), "f1").value == {"fact": "otters hold hands"}


def test_an_unknown_keyword_is_named_in_langgraphs_words():
    with pytest.raises(TypeError) as raised:
        create_react_agent(ScriptedChatModel(["hi"]), [], extra="x", other=1)
    assert str(raised.value).startswith(
        "create_react_agent() got unexpected keyword arguments: {'extra': 'x', 'other': 1}"
    )
