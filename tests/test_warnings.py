"""``langgraph_lite.warnings`` and the deprecated names and keywords that emit them, each with the
class and the words LangGraph 1.2.22 uses (checked there)."""

import importlib
import sys
import warnings
from typing import Any, Optional

import pytest
from typing_extensions import TypedDict

from langgraph_lite.channels import LastValue
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, MessageGraph, StateGraph
from langgraph_lite.messages import AIMessage, HumanMessage
from langgraph_lite.pregel import NodeBuilder, Pregel
from langgraph_lite.types import GraphOutput, Interrupt, RetryPolicy
from langgraph_lite.warnings import (
    LangGraphDeprecatedSinceV05,
    LangGraphDeprecatedSinceV10,
    LangGraphDeprecatedSinceV11,
    LangGraphDeprecationWarning,
)


class S(TypedDict):
    x: int


class Ctx(TypedDict):
    model: str


# -- the classes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "since", "until"),
    [
        (LangGraphDeprecatedSinceV05, (0, 5), (2, 0)),
        (LangGraphDeprecatedSinceV10, (1, 0), (2, 0)),
        (LangGraphDeprecatedSinceV11, (1, 1), (3, 0)),
    ],
)
def test_each_vintage_knows_when_it_started_and_when_it_goes(cls, since, until):
    w = cls("`old` is gone.")
    assert isinstance(w, LangGraphDeprecationWarning)
    assert isinstance(w, DeprecationWarning)
    assert (w.since, w.expected_removal) == (since, until)
    assert w.message == "`old` is gone"
    assert str(w) == (
        f"`old` is gone. Deprecated in LangGraph V{since[0]}.{since[1]} "
        f"to be removed in V{until[0]}.{until[1]}."
    )


def test_the_base_class_expects_removal_in_the_next_major_version_by_default():
    w = LangGraphDeprecationWarning("x", since=(3, 4))
    assert w.expected_removal == (4, 0)
    assert str(w) == "x. Deprecated in LangGraph V3.4 to be removed in V4.0."


# -- who emits which ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "cls"),
    [
        ("input", "input_schema", LangGraphDeprecatedSinceV05),
        ("output", "output_schema", LangGraphDeprecatedSinceV05),
        ("config_schema", "context_schema", LangGraphDeprecatedSinceV10),
    ],
)
def test_state_graphs_old_keywords(old, new, cls):
    with pytest.warns(cls, match=f"`{old}` is deprecated and will be removed. Please use `{new}`"):
        builder = StateGraph(S, **{old: S})
    assert getattr(builder, new) is S


@pytest.mark.parametrize(("old", "new"), [("retry", "retry_policy"), ("input", "input_schema")])
def test_add_nodes_old_keywords_are_from_v05(old, new):
    value = RetryPolicy() if old == "retry" else S
    with pytest.warns(LangGraphDeprecatedSinceV05, match=f"Please use `{new}` instead"):
        StateGraph(S).add_node("n", lambda s: s, **{old: value})


def test_reading_a_graph_output_like_a_dict_is_from_v11():
    out = GraphOutput(value={"x": 1}, interrupts=(Interrupt("q", id="i"),))
    with pytest.warns(LangGraphDeprecatedSinceV11, match=r"via `result\[key\]` is deprecated"):
        assert out["x"] == 1
    with pytest.warns(LangGraphDeprecatedSinceV11, match="via `key in result` is deprecated"):
        assert "x" in out
    with pytest.warns(LangGraphDeprecatedSinceV11):
        assert out["__interrupt__"] == out.interrupts


def test_interrupt_id_is_the_id_with_a_warning():
    with pytest.warns(LangGraphDeprecatedSinceV10, match="`interrupt_id` is deprecated. Use `id`"):
        assert Interrupt("q", id="abc").interrupt_id == "abc"


@pytest.mark.parametrize("name", ["Send", "Interrupt"])
def test_send_and_interrupt_from_constants_are_from_v10(name):
    from langgraph_lite import constants, types

    with pytest.warns(
        LangGraphDeprecatedSinceV10,
        match=f"Importing {name} from langgraph_lite.constants is deprecated. Please use "
        f"'from langgraph_lite.types import {name}' instead.",
    ):
        assert getattr(constants, name) is getattr(types, name)


@pytest.mark.parametrize(
    ("name", "value"),
    [("PREVIOUS", "__previous__"), ("INTERRUPT", "__interrupt__"), ("NS_SEP", "|")],
)
def test_private_constants_still_import_from_constants_with_a_warning(name, value):
    from langgraph_lite import constants

    with pytest.warns(LangGraphDeprecatedSinceV10, match=f"Importing {name} .* now private"):
        assert getattr(constants, name) == value


def test_importing_pregel_types_warns_and_gives_the_types():
    sys.modules.pop("langgraph_lite.pregel.types", None)
    with pytest.warns(LangGraphDeprecatedSinceV10, match="langgraph_lite.pregel.types is deprec"):
        module = importlib.import_module("langgraph_lite.pregel.types")
    from langgraph_lite import types

    assert module.StateSnapshot is types.StateSnapshot
    assert module.RetryPolicy is types.RetryPolicy


def test_pregels_config_type_is_its_context_schema():
    node = NodeBuilder().subscribe_only("a").do(lambda x: x * 2).write_to("b")
    with pytest.warns(LangGraphDeprecatedSinceV10, match="`config_type` is deprecated"):
        graph = Pregel(
            nodes={"n": node},
            channels={"a": LastValue(int), "b": LastValue(int)},
            input_channels="a",
            output_channels="b",
            config_type=Ctx,
        )
    assert graph.context_schema is Ctx
    assert graph.invoke(2) == 4


def test_pregel_still_rejects_keywords_it_does_not_know():
    with pytest.raises(TypeError, match="Pregel\\(\\) got unexpected keyword arguments \\['x'\\]"):
        Pregel(nodes={}, channels={}, input_channels="a", output_channels="a", x=1)


def compiled(context_schema=None, name=None):
    builder = StateGraph(S, context_schema).add_node("n", lambda s: s).add_edge(START, "n")
    return builder.compile(name=name) if name else builder.compile()


def test_config_schema_is_a_model_of_the_context_under_configurable():
    graph = compiled(Ctx)
    with pytest.warns(LangGraphDeprecatedSinceV10, match="Use `get_context_jsonschema`"):
        model = graph.config_schema(include=["tags", "recursion_limit"])
    schema = model.model_json_schema()
    assert schema["title"] == "LangGraphConfig"
    assert schema["properties"]["configurable"] == {"$ref": "#/$defs/Ctx", "default": None}
    assert schema["properties"]["recursion_limit"] == {
        "default": None,
        "title": "Recursion Limit",
        "type": "integer",
    }
    assert set(schema["properties"]) == {"configurable", "tags", "recursion_limit"}


def test_get_config_jsonschema_warns_once_with_its_own_words():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schema = compiled(name="mine").get_config_jsonschema()
    assert schema == {"properties": {}, "title": "mine_config", "type": "object"}
    assert [str(w.message).split(".")[0] for w in caught] == [
        "`get_config_jsonschema` is deprecated"
    ]


def test_message_graph_is_a_list_of_messages_state():
    with pytest.warns(LangGraphDeprecatedSinceV10, match="MessageGraph is deprecated in LangGraph"):
        builder = MessageGraph()
    builder.add_node("reply", lambda msgs: AIMessage(f"{len(msgs)} so far", id="r"))
    builder.add_edge(START, "reply")
    out = builder.compile().invoke([HumanMessage("hi", id="h")])
    assert [(type(m).__name__, m.content) for m in out] == [
        ("HumanMessage", "hi"),
        ("AIMessage", "1 so far"),
    ]


def test_a_raised_node_interrupt_stops_the_run_like_an_interrupt():
    from langgraph_lite.errors import GraphInterrupt, NodeInterrupt

    def check(s):
        if s["x"] < 5:
            raise NodeInterrupt("too small")
        return {"x": s["x"] + 1}

    with pytest.warns(LangGraphDeprecatedSinceV10, match="NodeInterrupt is deprecated"):
        assert isinstance(NodeInterrupt("v"), GraphInterrupt)
    builder = StateGraph(S).add_node("check", check).add_edge(START, "check")
    graph = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LangGraphDeprecatedSinceV10)
        out = graph.invoke({"x": 1}, config)
    assert out == {"x": 1, "__interrupt__": [Interrupt("too small", id="placeholder-id")]}
    assert graph.get_state(config).next == ("check",)


def test_create_react_agents_config_schema_is_its_context_schema():
    from langgraph_lite.prebuilt import create_react_agent
    from langgraph_lite.testing import ScriptedChatModel

    with pytest.warns(LangGraphDeprecatedSinceV10, match="`config_schema` is deprecated"):
        agent = create_react_agent(ScriptedChatModel(["ok"]), [], config_schema=Ctx)
    assert agent.context_schema is Ctx


# -- a config parameter annotated with something else than RunnableConfig ----------------------


def test_a_config_parameter_typed_otherwise_warns_but_still_gets_the_config():
    def node(s, config: dict):
        return {"x": config["configurable"]["n"]}

    builder = StateGraph(S)
    with pytest.warns(
        UserWarning,
        match="The 'config' parameter should be typed as 'RunnableConfig' or "
        "'RunnableConfig \\| None', not '.*dict.*'. ",
    ):
        builder.add_node(node)
    graph = builder.add_edge(START, "node").compile()
    assert graph.invoke({"x": 0}, {"configurable": {"n": 7}}) == {"x": 7}


def test_runnable_config_annotations_and_none_do_not_warn():
    from langchain_core.runnables import RunnableConfig

    def typed(s, config: RunnableConfig):
        return s

    def optional(s, config: Optional[RunnableConfig]):  # noqa: UP045 - the old spelling
        return s

    def as_text(s, config: "RunnableConfig | None"):
        return s

    def untyped(s, config):
        return s

    async def async_typed(s, config: RunnableConfig):
        return s

    builder = StateGraph(S)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (typed, optional, as_text, untyped, async_typed):
            builder.add_node(fn)


def test_an_any_config_warns_too():
    def node(s, config: Any = None):
        return s

    with pytest.warns(UserWarning, match="not 'typing.Any'"):
        StateGraph(S).add_node(node)
