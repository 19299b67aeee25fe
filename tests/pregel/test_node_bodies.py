"""What a node body is taken for: a callable is called, a Runnable is invoked."""

import functools
import inspect
import types
import warnings
from typing import TypedDict
from unittest.mock import MagicMock, Mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langgraph_lite.channels import LastValue
from langgraph_lite.errors import NodeError
from langgraph_lite.graph import StateGraph
from langgraph_lite.graph.schema import first_param_schema, warn_config_annotation
from langgraph_lite.pregel import NodeBuilder, Pregel
from langgraph_lite.pregel.node_body import _keyword_parameters


class State(TypedDict):
    x: int


def _pregel(body):
    return Pregel(
        nodes={"one": NodeBuilder().subscribe_only("input").do(body).write_to("output")},
        channels={"input": LastValue(int), "output": LastValue(int)},
        input_channels="input",
        output_channels="output",
    )


@pytest.mark.parametrize("kind", [Mock, MagicMock])
def test_a_mock_body_is_called_not_invoked(kind):
    add_one = kind(side_effect=lambda x: x + 1)
    assert _pregel(add_one).invoke(2) == 3
    assert add_one.call_count == 1
    assert not add_one.invoke.called


def test_a_mock_node_of_a_state_graph_gets_the_state():
    node = Mock(side_effect=lambda s: {"x": s["x"] * 10})
    builder = StateGraph(State)
    builder.add_node("a", node)
    builder.set_entry_point("a")
    builder.set_finish_point("a")
    assert builder.compile().invoke({"x": 4}) == {"x": 40}
    node.assert_called_once_with({"x": 4})


def test_a_users_callable_with_an_invoke_method_is_called():
    class Both:
        def __call__(self, x):
            return x + 1

        def invoke(self, x, config=None):
            raise AssertionError("a callable body is called, as LangGraph does")

    assert _pregel(Both()).invoke(1) == 2


def test_an_object_with_only_invoke_is_invoked():
    class OnlyInvoke:
        def invoke(self, x, config=None):
            return x * 2

    assert _pregel(OnlyInvoke()).invoke(3) == 6


def test_a_compiled_graph_is_still_a_subgraph_node():
    inner = StateGraph(State)
    inner.add_node("double", lambda s: {"x": s["x"] * 2})
    inner.set_entry_point("double")
    inner.set_finish_point("double")
    outer = StateGraph(State)
    outer.add_node("sub", inner.compile())
    outer.set_entry_point("sub")
    outer.set_finish_point("sub")
    assert outer.compile().invoke({"x": 5}) == {"x": 10}


@pytest.mark.anyio
async def test_a_mock_body_is_called_in_async_runs():
    add_one = Mock(side_effect=lambda x: x + 1)
    assert await _pregel(add_one).ainvoke(2) == 3
    assert add_one.call_count == 1
    assert not add_one.ainvoke.called


def test_a_langchain_runnable_body_is_invoked():
    runnables = pytest.importorskip("langchain_core.runnables")
    body = runnables.RunnableLambda(lambda x: x + 100)
    assert _pregel(body).invoke(1) == 101


@pytest.mark.anyio
async def test_a_callable_tool_node_still_runs_its_async_tools_in_async_runs():
    from langgraph_lite.messages import AIMessage
    from langgraph_lite.prebuilt import ToolNode
    from langgraph_lite.tools import tool

    @tool
    async def later(word: str) -> str:
        """Answers later."""
        return word * 2

    node = ToolNode([later])
    assert callable(node)  # ToolNode() can be called, and is still invoked as a Runnable
    call = {"name": "later", "args": {"word": "ab"}, "id": "c1"}
    out = await _pregel_any(node).ainvoke({"messages": [AIMessage("", tool_calls=[call])]})
    assert out["messages"][0].content == "abab"


def _pregel_any(body):
    return Pregel(
        nodes={"one": NodeBuilder().subscribe_only("input").do(body).write_to("output")},
        channels={"input": LastValue(object), "output": LastValue(object)},
        input_channels="input",
        output_channels="output",
    )


# -- which graphs a node's function is seen to run (node.subgraphs, get_subgraphs) ---------------


class Log(TypedDict):
    x: int


def _named_graph(name, **compile_kwargs):
    builder = StateGraph(Log)
    builder.add_node("step", lambda s: {"x": s["x"] + 1})
    builder.set_entry_point("step")
    builder.set_finish_point("step")
    graph = builder.compile(**compile_kwargs)
    graph.name = name
    return graph


def _found_for(fn):
    builder = StateGraph(Log)
    builder.add_node("n", fn)
    builder.set_entry_point("n")
    builder.set_finish_point("n")
    graph = builder.compile()
    return [g.name for g in graph.nodes["n"].subgraphs], graph


class _Holder:
    def __init__(self, inner):
        self.inner = inner


GLOBAL_GRAPH = _named_graph("global")
HOLDERS = _Holder(_Holder(_named_graph("chained")))


def test_a_graph_the_node_closes_over_is_its_subgraph():
    inner = _named_graph("captured")

    def node(state):
        return inner.invoke(state)

    names, outer = _found_for(node)
    assert names == ["captured"]
    assert [ns for ns, _ in outer.get_subgraphs()] == ["n"]


def test_a_global_graph_and_an_attribute_chain_are_found():
    def uses_global(state):
        return GLOBAL_GRAPH.invoke(state)

    def uses_chain(state):
        return HOLDERS.inner.inner.invoke(state)

    assert _found_for(uses_global)[0] == ["global"]
    assert _found_for(uses_chain)[0] == ["chained"]


def test_a_captured_holder_is_followed_from_nested_code():
    holder = _Holder(_named_graph("deep"))

    def node(state):
        def run():
            return holder.inner.invoke(state)

        return run()

    assert _found_for(node)[0] == ["deep"]


def test_a_wrapper_is_seen_through_its_wrapped_function():
    inner = _named_graph("wrapped")

    def real(state):
        return inner.invoke(state)

    def wrapper(state):
        return {}

    wrapper.__wrapped__ = real
    assert _found_for(wrapper)[0] == ["wrapped"]


def test_what_the_node_cannot_reach_is_not_a_subgraph():
    def nothing(state):
        return {"x": len("abc")}

    def global_only_in_nested_code(state):
        def run():
            return GLOBAL_GRAPH.invoke(state)

        return run()

    no_state = _named_graph("stateless", checkpointer=False)

    def stateless(state):
        return no_state.invoke(state)

    assert _found_for(nothing)[0] == []
    assert _found_for(global_only_in_nested_code)[0] == []  # LangGraph's reach, too
    assert _found_for(stateless)[0] == []  # keeps no state to read


def test_a_node_that_calls_a_graph_still_runs_it():
    inner = _named_graph("runs")

    def node(state):
        return inner.invoke(state)

    assert _found_for(node)[1].invoke({"x": 1}) == {"x": 2}


# -- which parameters a node gets: read from a plain function's code, as inspect.signature says

_NAMES = ["state", "config", "writer", "runtime", "store", "error", "other"]


@st.composite
def _signatures(draw):
    names = draw(st.lists(st.sampled_from(_NAMES), unique=True, max_size=6))
    cuts = sorted(draw(st.lists(st.integers(0, len(names)), min_size=2, max_size=2)))
    posonly, plain, kwonly = names[: cuts[0]], names[cuts[0] : cuts[1]], names[cuts[1] :]
    star = draw(st.booleans())
    parts = [*posonly, *(["/"] if posonly else []), *plain]
    if star or kwonly:
        parts.append("*args" if star else "*")
    parts += [f"{n}=None" for n in kwonly]
    if draw(st.booleans()):
        parts.append("**kwargs")
    annotate = draw(st.booleans())
    return ", ".join(p + (": NodeError" if annotate and p == "error" else "") for p in parts)


class Keys(TypedDict):
    k: int


@settings(max_examples=300, deadline=None)
@given(_signatures(), st.sampled_from(["", ": Keys", ": dict"]), st.sampled_from(["", "int"]))
def test_a_plain_functions_parameters_are_read_as_inspect_signature_says(params, state, config):
    """What is read from a plain function's code (the parameters a node gets, the schema its
    first parameter names, the warning for a ``config`` typed wrong) is what
    ``inspect.signature`` says."""
    params = params.replace("state", f"state{state}", 1).replace("config", f"config: {config}")
    params = params.replace("config: ", "config") if not config else params
    namespace = {"NodeError": NodeError, "Keys": Keys}
    exec(f"def node({params}):\n    local = 1\n    return local", namespace)
    node = namespace["node"]
    by_name = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    signature = inspect.signature(node).parameters
    named = frozenset(n for n, p in signature.items() if p.kind in by_name)
    error = signature["error"].annotation if "error" in named else None
    error = None if error is inspect.Parameter.empty else error
    assert _keyword_parameters(node) == (named, error)

    # the same function, read through inspect.signature (a __signature__ turns the fast path off)
    through_inspect = types.FunctionType(node.__code__, namespace)
    through_inspect.__annotations__ = node.__annotations__
    through_inspect.__signature__ = inspect.signature(node)
    assert _keyword_parameters(through_inspect) == _keyword_parameters(node)
    assert first_param_schema(node) is first_param_schema(through_inspect)
    first = next(iter(signature.values()), None)
    assert (first_param_schema(node) is Keys) == (first is not None and first.annotation is Keys)
    warned = []
    for fn in (node, through_inspect):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warn_config_annotation(fn, 1)
        warned.append(len(caught))
    typed = "config" in signature and signature["config"].annotation is not inspect._empty
    assert warned == [int(typed), int(typed)]


def test_a_wrapped_function_is_read_through_its_wrapper_as_inspect_does():
    def node(state, config):
        return state

    @functools.wraps(node)
    def wrapper(*args, **kwargs):
        return node(*args, **kwargs)

    assert "config" in _keyword_parameters(wrapper)[0]
    assert _keyword_parameters(functools.partial(node, config=None))[0] == {"state", "config"}
    assert _keyword_parameters(len) == (frozenset(), None)  # (a builtin: positional only)
