"""Keys shared by several schemas: redeclared keys, routers' own schemas, Send, Overwrite.

Every expected value here was first observed by running the same program on LangGraph 1.2.22.
"""

import operator
from typing import Annotated

import pydantic
import pytest
from typing_extensions import TypedDict

from langgraph_lite.channels import Topic
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph, add_messages
from langgraph_lite.messages import AnyMessage
from langgraph_lite.types import Overwrite, Send


class State(TypedDict):
    q: str
    log: Annotated[list, operator.add]


def concat(a, b):
    return a + b


def log_graph(**schemas):
    builder = StateGraph(schemas.pop("state", State), **schemas)
    builder.add_node("a", lambda s: {"log": ["a"]})
    builder.add_node("b", lambda s: {"log": ["b"]})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    return builder.compile()


# -- a key declared in several schemas ----------------------------------------------------------


class PlainLog(TypedDict):
    log: list


class PlainLogAndQ(TypedDict):
    log: list
    q: str


def test_an_output_schema_may_redeclare_a_reducer_key_plainly():
    assert log_graph(output_schema=PlainLog).invoke({"q": "x", "log": ["i"]}) == {
        "log": ["i", "a", "b"]
    }


def test_an_input_schema_may_redeclare_a_reducer_key_plainly():
    assert log_graph(input_schema=PlainLogAndQ).invoke({"q": "x", "log": ["i"]}) == {
        "q": "x",
        "log": ["i", "a", "b"],
    }


def test_a_node_input_schema_may_redeclare_a_reducer_key_plainly():
    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"log": ["a"]}, input_schema=PlainLog)
    builder.add_node("b", lambda s: {"log": ["b"]})
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    assert builder.compile().invoke({"q": "x", "log": ["i"]}) == {"q": "x", "log": ["i", "a", "b"]}


class OtherReducer(TypedDict):
    log: Annotated[list, concat]


def test_another_reducer_for_the_same_key_is_refused_naming_both_reducers():
    with pytest.raises(
        ValueError,
        match=(
            r"^Channel 'log' already exists with a different type: the state schema declares it "
            r"with reducer add, the output schema with reducer concat"
        ),
    ):
        StateGraph(State, output_schema=OtherReducer)


def test_a_node_schema_with_another_reducer_is_refused_when_the_node_is_added():
    builder = StateGraph(State)
    with pytest.raises(ValueError, match=r"the input schema of node 'a' with reducer concat"):
        builder.add_node("a", lambda s: {}, input_schema=OtherReducer)


def test_a_reducer_on_a_key_the_state_declares_plainly_is_refused():
    class ReducedQ(TypedDict):
        q: Annotated[str, concat]

    builder = StateGraph(State)
    with pytest.raises(ValueError, match=r"'q'.*declares it plainly.*with reducer concat"):
        builder.add_node("a", lambda s: {}, input_schema=ReducedQ)


def test_a_channel_instead_of_the_reducer_is_refused():
    class TopicLog(TypedDict):
        log: Annotated[list, Topic(str)]

    builder = StateGraph(State)
    with pytest.raises(ValueError, match=r"'log'.*with reducer add.*as Topic"):
        builder.add_node("a", lambda s: {}, input_schema=TopicLog)


def test_a_lambda_reducer_is_taken_to_agree_with_any_other():
    class LambdaLog(TypedDict):
        log: Annotated[list, lambda a, b: a + b + ["never used"]]

    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"log": ["a"]}, input_schema=LambdaLog)
    builder.add_edge(START, "a")
    assert builder.compile().invoke({"q": "x", "log": ["i"]}) == {"q": "x", "log": ["i", "a"]}


# -- conditional edges read through their own schema --------------------------------------------


class Small(TypedDict):
    a: int


class WithSecret(TypedDict):
    a: int
    secret: str


def routed(route, *, x=lambda s: {"a": 1, "secret": "go"}, state=Small):
    builder = StateGraph(state)
    builder.add_node("x", x)
    builder.add_node("y", lambda s: {"a": s["a"] + 10})
    builder.add_node("z", lambda s: {"a": -1})
    builder.add_edge(START, "x")
    builder.add_conditional_edges("x", route)
    return builder.compile()


def test_keys_declared_only_in_a_routers_annotation_become_state_keys():
    seen = []

    def route(state: WithSecret):
        seen.append(dict(state))
        return "y" if state.get("secret") == "go" else "z"

    app = routed(route)
    assert app.invoke({"a": 0}) == {"a": 11}
    assert seen == [{"a": 1, "secret": "go"}]
    assert "secret" in app.channels
    assert list(app.stream({"a": 0}, stream_mode=["updates", "values"])) == [
        ("values", {"a": 0}),
        ("updates", {"x": {"a": 1, "secret": "go"}}),
        ("values", {"a": 1, "secret": "go"}),
        ("updates", {"y": {"a": 11}}),
        ("values", {"a": 11, "secret": "go"}),
    ]


def test_a_router_without_a_schema_also_sees_keys_the_node_returned_that_the_state_lacks():
    seen = []

    def route(state):
        seen.append(dict(state))
        return "y" if state.get("secret") == "go" else "z"

    assert routed(route).invoke({"a": 0}) == {"a": 11}
    assert seen == [{"a": 1, "secret": "go"}]


def test_a_router_reads_through_its_source_nodes_input_schema():
    class NodeIn(TypedDict):
        a: int
        other: str

    class Wide(TypedDict):
        a: int
        other: str
        more: int

    seen = []
    builder = StateGraph(Wide)
    builder.add_node("x", lambda s: {"a": 1}, input_schema=NodeIn)
    builder.add_node("y", lambda s: {"a": s["a"] + 10})
    builder.add_edge(START, "x")
    builder.add_conditional_edges("x", lambda s: seen.append(dict(s)) or "y")
    assert builder.compile().invoke({"a": 0, "other": "o", "more": 3}) == {
        "a": 11,
        "other": "o",
        "more": 3,
    }
    assert seen == [{"a": 1, "other": "o"}]


def test_a_router_annotated_with_a_pydantic_model_gets_an_instance():
    class Secret(pydantic.BaseModel):
        a: int
        secret: str = "none"

    seen = []

    def route(state: Secret):
        seen.append(state)
        return "y" if state.secret == "go" else "z"

    assert routed(route).invoke({"a": 0}) == {"a": 11}
    assert seen == [Secret(a=1, secret="go")]


@pytest.mark.anyio
async def test_a_router_with_its_own_schema_works_under_ainvoke():
    async def route(state: WithSecret):
        return "y" if state.get("secret") == "go" else "z"

    assert await routed(route).ainvoke({"a": 0}) == {"a": 11}


# -- Send ---------------------------------------------------------------------------------------


class Fan(TypedDict):
    items: list
    results: Annotated[list, operator.add]


class SubIn(pydantic.BaseModel):
    item: str


class SubState(pydantic.BaseModel):
    item: str
    results: Annotated[list, operator.add] = []


def upper_subgraph():
    builder = StateGraph(SubState, input_schema=SubIn)
    builder.add_node("work", lambda s: {"results": [s.item.upper()]})
    builder.add_edge(START, "work")
    return builder.compile()


@pytest.mark.parametrize("as_model", [False, True], ids=["dict", "model"])
def test_a_send_to_a_subgraph_with_a_pydantic_input_schema_validates_there(as_model):
    builder = StateGraph(Fan)
    builder.add_node("sub", upper_subgraph())
    builder.add_conditional_edges(
        START,
        lambda s: [Send("sub", SubIn(item=i) if as_model else {"item": i}) for i in s["items"]],
    )
    app = builder.compile()
    assert app.invoke({"items": ["a", "b"]}) == {"items": ["a", "b"], "results": ["A", "B"]}
    # the two Send tasks run in parallel: their updates stream in the order they finish
    chunks = list(app.stream({"items": ["a", "b"]}))
    assert sorted(c["sub"]["results"][0] for c in chunks) == ["A", "B"]
    assert all(list(c) == ["sub"] and list(c["sub"]) == ["results"] for c in chunks)


def test_a_send_argument_reaches_a_plain_node_as_given_whatever_its_schema():
    class NodeIn(pydantic.BaseModel):
        item: str

    def worker(state: NodeIn):
        return {"results": [type(state).__name__]}

    builder = StateGraph(Fan)
    builder.add_node("w", worker)
    builder.add_conditional_edges(START, lambda s: [Send("w", {"item": i}) for i in s["items"]])
    assert builder.compile().invoke({"items": ["a", "b"]})["results"] == ["dict", "dict"]


# -- Overwrite through a graph ------------------------------------------------------------------


def parallel(a_writes, b_writes, *, a_first=True):
    builder = StateGraph(State)
    names = [("a", a_writes), ("b", b_writes)]
    for name, value in names if a_first else names[::-1]:
        builder.add_node(name, lambda s, value=value: {"log": value})
        builder.add_edge(START, name)
    return builder.compile()


@pytest.mark.parametrize("a_first", [True, False])
def test_an_overwrite_wins_over_a_parallel_write_in_the_same_step(a_first):
    app = parallel(Overwrite(["over"]), ["b"], a_first=a_first)
    assert app.invoke({"q": "x", "log": ["i"]}) == {"q": "x", "log": ["over"]}


def test_the_json_form_of_overwrite_works_in_updates_and_in_the_input():
    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"log": {"__overwrite__": ["json"]}})
    builder.add_edge(START, "a")
    app = builder.compile()
    assert app.invoke({"q": "x", "log": ["i"]}) == {"q": "x", "log": ["json"]}
    seen = []
    builder = StateGraph(State)
    builder.add_node("a", lambda s: seen.append(s["log"]))
    builder.add_edge(START, "a")
    builder.compile().invoke({"q": "x", "log": {"__overwrite__": ["ji"]}})
    assert seen == [["ji"]]


def test_an_overwrite_of_a_plain_key_is_stored_as_the_object():
    class Plain(TypedDict):
        v: str

    builder = StateGraph(Plain)
    builder.add_node("a", lambda s: {"v": Overwrite("o1")})
    builder.add_edge(START, "a")
    assert builder.compile().invoke({"v": "x"}) == {"v": Overwrite("o1")}


# -- pydantic states and messages ---------------------------------------------------------------


class Chat(pydantic.BaseModel):
    messages: Annotated[list[AnyMessage], add_messages]
    n: int = 0


def chat_graph(seen):
    def node(state):
        seen.append([type(m).__name__ for m in state.messages])
        return {"messages": [("ai", "hello")], "n": state.n + 1}

    builder = StateGraph(Chat)
    builder.add_node("n", node)
    builder.add_edge(START, "n")
    return builder.compile()


@pytest.mark.parametrize(
    "given",
    [[("user", "hi")], [{"role": "user", "content": "hi"}], "hi"],
    ids=["tuples", "dicts", "str"],
)
def test_a_pydantic_state_takes_messages_as_tuples_dicts_or_a_string(given):
    seen = []
    out = chat_graph(seen).invoke({"messages": given})
    assert [(type(m).__name__, m.content) for m in out["messages"]] == [
        ("HumanMessage", "hi"),
        ("AIMessage", "hello"),
    ]
    assert seen == [["HumanMessage"]]


def test_a_pydantic_state_still_rejects_a_bad_plain_value_before_any_node_runs():
    seen = []
    with pytest.raises(pydantic.ValidationError, match="n"):
        chat_graph(seen).invoke({"messages": [], "n": "x"})
    assert seen == []


class Steps(pydantic.BaseModel):
    name: str
    n: int = 0


def test_a_pydantic_input_may_leave_out_what_the_thread_already_holds():
    builder = StateGraph(Steps)
    builder.add_node("x", lambda s: {"n": s.n + 1})
    builder.add_edge(START, "x")
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"name": "a"}, config) == {"name": "a", "n": 1}
    assert app.invoke({"n": 5}, config) == {"name": "a", "n": 6}
    with pytest.raises(pydantic.ValidationError, match="name"):
        app.invoke({"n": 5}, {"configurable": {"thread_id": "fresh"}})


def test_a_pydantic_reducer_key_left_out_of_the_input_starts_empty():
    class Info(pydantic.BaseModel):
        info: Annotated[list[str], operator.add]

    builder = StateGraph(Info)
    builder.add_node("v", lambda s: {"info": ["v"]})
    builder.add_edge(START, "v")
    app = builder.compile()
    assert app.invoke({"unknown": 1}) == {"info": ["v"]}
    assert app.invoke(Info(info=["hello"])) == {"info": ["hello", "v"]}
