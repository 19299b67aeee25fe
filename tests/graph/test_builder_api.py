"""The builder's public surface as LangGraph 1.2.22 has it: names, attributes, arguments.

Every expected value here was first observed by running the same program on LangGraph.
"""

import functools
import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.graph.state import CompiledStateGraph
from langgraph_lite.managed import RemainingSteps


class State(TypedDict):
    a: int


class Wider(TypedDict):
    a: int
    extra: str


def test_state_graph_and_compiled_state_graph_can_be_subscripted_for_type_checkers():
    builder: StateGraph[State] = StateGraph(State)
    assert StateGraph[State, None, State, State] is not None
    compiled: CompiledStateGraph[State] = (
        builder.add_node("n", lambda s: s).set_entry_point("n").compile()
    )
    assert isinstance(compiled, CompiledStateGraph)


def test_a_callable_object_is_named_after_its_class_and_read_through_its_call_annotation():
    class Bump:
        def __call__(self, state: Wider):
            return {"a": state["a"] + 1, "extra": f"saw {sorted(state)}"}

    builder = StateGraph(State)
    builder.add_node(Bump())
    builder.add_edge(START, "Bump")
    assert list(builder.nodes) == ["Bump"]
    assert builder.compile().invoke({"a": 1}) == {"a": 2}
    assert "extra" in builder.channels


def test_a_partial_is_named_partial():
    def set_a(state, value):
        return {"a": value}

    builder = StateGraph(State)
    builder.add_node(functools.partial(set_a, value=3))
    assert list(builder.nodes) == ["partial"]


@pytest.mark.parametrize("bad", [object(), "x", 5], ids=["object", "str", "int"])
def test_compile_refuses_what_is_not_a_checkpointer_naming_what_it_takes(bad):
    builder = StateGraph(State).add_node("n", lambda s: s).set_entry_point("n")
    with pytest.raises(
        TypeError,
        match=(
            r"^Invalid checkpointer provided\. Expected an instance of `BaseCheckpointSaver`, "
            rf"`True`, `False`, or `None`\. Received {type(bad).__name__}\."
        ),
    ):
        builder.compile(checkpointer=bad)


@pytest.mark.parametrize("ok", [None, False, InMemorySaver()], ids=["None", "False", "saver"])
def test_compile_takes_none_false_or_a_saver(ok):
    builder = StateGraph(State).add_node("n", lambda s: {"a": 2}).set_entry_point("n")
    config = {"configurable": {"thread_id": "1"}}
    assert builder.compile(checkpointer=ok).invoke({"a": 1}, config) == {"a": 2}


def test_the_builder_lists_its_channels_managed_values_and_schemas():
    class Steps(TypedDict):
        log: Annotated[list, operator.add]
        remaining_steps: RemainingSteps

    builder = StateGraph(Steps)
    assert sorted(builder.channels) == ["log"]
    assert list(builder.managed) == ["remaining_steps"]
    assert list(builder.schemas) == [Steps]
    assert sorted(builder.schemas[Steps]) == ["log", "remaining_steps"]


@pytest.mark.parametrize(
    ("old", "new"),
    [("input", "input_schema"), ("output", "output_schema"), ("config_schema", "context_schema")],
)
def test_the_old_schema_keywords_still_work_with_a_deprecation_warning(old, new):
    with pytest.warns(DeprecationWarning, match=old):
        builder = StateGraph(Wider, **{old: State})
    assert getattr(builder, new) is State


def test_an_unknown_keyword_is_ignored_as_langgraph_ignores_it():
    assert StateGraph(State, schema=Wider).input_schema is State
