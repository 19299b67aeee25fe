"""The builder's public surface as LangGraph 1.2.22 has it: names, attributes, arguments.

Every expected value here was first observed by running the same program on LangGraph.
"""

import functools
import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.graph.state import CompiledStateGraph
from langgraph_lite.managed import RemainingSteps
from langgraph_lite.types import RetryPolicy


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


# -- errors start with LangGraph's words -----------------------------------------------------


def test_a_reducer_that_does_not_take_two_values_is_refused_when_the_schema_is_given():
    def bad(a):
        return a

    class Bad(TypedDict):
        hello: Annotated[str, bad]

    with pytest.raises(ValueError, match=r"^Invalid reducer signature\. Expected \(a, b\) -> c"):
        StateGraph(Bad)


def test_a_callable_that_is_not_the_last_extra_is_not_taken_for_a_reducer():
    class Documented(TypedDict):
        log: Annotated[list, operator.add, "the steps so far"]

    builder = StateGraph(Documented)
    builder.add_node("n", lambda s: {"log": ["n"]})
    builder.add_edge(START, "n")
    assert builder.compile().invoke({"log": ["i"]}) == {"log": ["n"]}


def test_a_graph_without_an_entry_point_is_refused():
    builder = StateGraph(State).add_node("n", lambda s: s)
    with pytest.raises(ValueError, match=r"^Graph must have an entrypoint"):
        builder.compile()


def test_a_path_map_to_an_unknown_node_names_the_branch():
    def route(state):
        return "x"

    builder = StateGraph(State).add_node("n", lambda s: s).set_entry_point("n")
    builder.add_conditional_edges("n", route, {"x": "nowhere"})
    with pytest.raises(ValueError, match=r"^At 'n' node, 'route' branch found unknown target"):
        builder.compile()


def test_an_interrupt_at_an_unknown_node_is_refused():
    builder = StateGraph(State).add_node("n", lambda s: s).set_entry_point("n")
    with pytest.raises(ValueError, match=r"^Interrupt node `nope` not found"):
        builder.compile(interrupt_before=["nope"])


def test_a_second_conditional_edge_of_the_same_name_is_refused():
    def route(state):
        return "n"

    builder = StateGraph(State).add_node("n", lambda s: s).add_conditional_edges("n", route)
    with pytest.raises(ValueError, match=r"^Branch with name `route` already exists for node `n`"):
        builder.add_conditional_edges("n", route)


def test_a_sequence_of_two_callables_of_one_name_is_refused():
    with pytest.raises(ValueError, match=r"^Node names must be unique: node with the name"):
        StateGraph(State).add_sequence([lambda s: s, lambda s: s])


def test_reserved_names_and_characters_are_refused_in_langgraphs_words():
    with pytest.raises(ValueError, match=r"^Node `__start__` is reserved"):
        StateGraph(State).add_node("__start__", lambda s: s)
    with pytest.raises(ValueError, match=r"^':' is a reserved character"):
        StateGraph(State).add_node("a:b", lambda s: s)


def test_edges_at_the_wrong_end_of_start_and_end_are_refused():
    with pytest.raises(ValueError, match=r"^END cannot be a start node"):
        StateGraph(State).add_edge(END, "n")
    with pytest.raises(ValueError, match=r"^START cannot be an end node"):
        StateGraph(State).add_edge("n", START)


@pytest.mark.parametrize(
    ("old", "new"),
    [("input", "input_schema"), ("output", "output_schema"), ("config_schema", "context_schema")],
)
def test_deprecated_keywords_warn_in_langgraphs_words(old, new):
    with pytest.warns(
        DeprecationWarning,
        match=rf"^`{old}` is deprecated and will be removed\. Please use `{new}` instead\.",
    ):
        StateGraph(Wider, **{old: State})


# -- node defaults and the add_node keywords of 1.2.22 --------------------------------------


def flaky(counter, fails):
    def node(state):
        counter.append(1)
        if len(counter) <= fails:
            raise ConnectionError("flaky")
        return {"a": len(counter)}

    return node


def test_set_node_defaults_gives_nodes_without_their_own_a_retry_policy():
    calls = []
    builder = StateGraph(State).set_node_defaults(
        retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.0, jitter=False)
    )
    builder.add_node("n", flaky(calls, fails=2)).set_entry_point("n")
    assert builder.compile().invoke({"a": 0}) == {"a": 3}
    assert len(calls) == 3


def test_a_nodes_own_retry_policy_wins_over_the_default():
    calls = []
    builder = StateGraph(State).set_node_defaults(
        retry_policy=RetryPolicy(max_attempts=5, initial_interval=0.0, jitter=False)
    )
    builder.add_node(
        "n", flaky(calls, fails=2), retry_policy=RetryPolicy(max_attempts=1)
    ).set_entry_point("n")
    with pytest.raises(ConnectionError):
        builder.compile().invoke({"a": 0})
    assert len(calls) == 1


def test_the_deprecated_retry_and_input_keywords_of_add_node_still_work():
    calls = []
    builder = StateGraph(Wider)
    with pytest.warns(DeprecationWarning, match=r"^`retry` is deprecated"):
        builder.add_node("n", flaky(calls, fails=1), retry=RetryPolicy(initial_interval=0.0))
    with pytest.warns(DeprecationWarning, match=r"^`input` is deprecated"):
        builder.add_node("m", lambda s: {"extra": str(sorted(s))}, input=State)
    builder.set_entry_point("n").add_edge("n", "m")
    assert builder.compile().invoke({"a": 0}) == {"a": 2, "extra": "['a']"}

