"""add_node(error_handler=) / set_node_defaults(error_handler=), as LangGraph 1.2.22 runs them:
the handler runs in the same step once a node failed for good, as a task of its own."""

from __future__ import annotations

import operator
import threading
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import NodeError
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command, RetryPolicy, Send, interrupt


class State(TypedDict):
    foo: str
    log: Annotated[list, operator.add]


def _boom(state: State) -> State:
    raise ValueError("boom")


def _thread(name: str = "t") -> dict[str, Any]:
    return {"configurable": {"thread_id": name}}


def test_the_handler_runs_after_the_retries_and_is_told_what_failed():
    attempts = []
    seen: list[NodeError] = []

    def flaky(state: State) -> State:
        attempts.append(1)
        raise ValueError("always")

    def handler(state: State, error: NodeError) -> State:
        seen.append(error)
        return {"foo": "handled", "log": ["h"]}

    builder = StateGraph(State)
    policy = RetryPolicy(max_attempts=3, initial_interval=0.0, jitter=False, retry_on=ValueError)
    builder.add_node("flaky", flaky, retry_policy=policy, error_handler=handler)
    builder.add_node("after", lambda s: {"log": ["after"]})
    builder.add_edge(START, "flaky")
    builder.add_edge("flaky", "after")
    result = builder.compile().invoke({"foo": "", "log": []})
    assert len(attempts) == 3
    assert [(e.node, str(e.error)) for e in seen] == [("flaky", "always")]
    # the handler's update does not follow the failed node's edges
    assert result == {"foo": "handled", "log": ["h"]}


def test_a_handler_routes_with_a_command():
    def handler(state: State) -> Command:
        return Command(update={"foo": "handled"}, goto="next")

    builder = StateGraph(State)
    builder.add_node("fails", _boom, error_handler=handler)
    builder.add_node("next", lambda s: {"foo": s["foo"] + "_next"})
    builder.add_edge(START, "fails")
    assert builder.compile().invoke({"foo": "", "log": []})["foo"] == "handled_next"


def test_the_failure_and_the_handler_are_streamed_as_two_tasks():
    def handler(state: State) -> State:
        return {"foo": "handled"}

    builder = StateGraph(State)
    builder.add_node("fails", _boom, error_handler=handler)
    builder.add_edge(START, "fails")
    graph = builder.compile()
    chunks = list(graph.stream({"foo": "", "log": []}, stream_mode=["updates", "tasks"]))
    assert [mode for mode, _ in chunks] == ["tasks", "tasks", "updates", "tasks"]
    start, failed, update, done = (c for _, c in chunks)
    assert start["name"] == "fails"
    assert failed["name"] == "fails" and repr(failed["error"]) == "ValueError('boom')"
    assert failed["result"] == {}
    assert update == {"__error_handler__fails": {"foo": "handled"}}
    assert done["name"] == "__error_handler__fails" and done["error"] is None
    assert done["id"] != failed["id"]
    assert list(graph.nodes) == ["__start__", "__error_handler__fails", "fails"]


def test_the_handler_runs_beside_the_failed_nodes_siblings():
    handler_started = threading.Event()

    def waits_for_the_handler(state: State) -> State:
        assert handler_started.wait(5)
        return {"log": ["sibling"]}

    def handler(state: State) -> State:
        handler_started.set()
        return {"log": ["handled"]}

    builder = StateGraph(State)
    builder.add_node("fails", _boom, error_handler=handler)
    builder.add_node("sibling", waits_for_the_handler)
    builder.add_edge(START, "fails")
    builder.add_edge(START, "sibling")
    result = builder.compile().invoke({"foo": "", "log": []})
    # writes apply in task order: the handler's path sorts right after the failed node's
    assert result["log"] == ["handled", "sibling"]


def test_a_failing_handler_fails_the_run_and_the_default_does_not_catch_it():
    def broken(state: State) -> State:
        raise RuntimeError("handler boom")

    builder = StateGraph(State)
    builder.set_node_defaults(error_handler=lambda s: {"foo": "default"})
    builder.add_node("fails", _boom, error_handler=broken)
    builder.add_edge(START, "fails")
    with pytest.raises(RuntimeError, match="handler boom"):
        builder.compile().invoke({"foo": "", "log": []})


def test_the_default_handler_catches_nodes_without_their_own():
    calls = []

    def default(state: State, error: NodeError) -> State:
        calls.append(f"default:{error.node}")
        return {"log": [f"default:{error.node}"]}

    def own(state: State, error: NodeError) -> State:
        calls.append(f"own:{error.node}")
        return {"log": [f"own:{error.node}"]}

    builder = StateGraph(State)
    builder.add_node("a", _boom, error_handler=own)
    builder.add_node("b", _boom)
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.set_node_defaults(error_handler=default)  # any time before compile
    graph = builder.compile()
    assert graph.invoke({"foo": "", "log": []})["log"] == ["own:a", "default:b"]
    assert "__default_error_handler__" in graph.nodes


def test_a_resumed_run_reruns_the_crashed_handler_not_the_node():
    calls = {"node": 0, "handler": 0}
    errors: list[NodeError] = []
    crash = [True]

    def fails(state: State) -> State:
        calls["node"] += 1
        raise RuntimeError("boom")

    def handler(state: State, error: NodeError) -> State:
        calls["handler"] += 1
        errors.append(error)
        if crash[0]:
            raise RuntimeError("handler crash")
        return {"foo": "recovered"}

    builder = StateGraph(State)
    builder.add_node("fails", fails, error_handler=handler)
    builder.add_edge(START, "fails")
    graph = builder.compile(checkpointer=InMemorySaver())
    with pytest.raises(RuntimeError, match="handler crash"):
        graph.invoke({"foo": "", "log": []}, _thread())
    state = graph.get_state(_thread())
    assert state.next == ("fails",)
    assert [(t.name, t.error, t.result) for t in state.tasks] == [
        ("fails", "RuntimeError('boom')", None)
    ]
    crash[0] = False
    assert graph.invoke(None, _thread())["foo"] == "recovered"
    assert calls == {"node": 1, "handler": 2}
    assert errors[1].node == "fails" and "boom" in str(errors[1].error)


def test_a_resumed_run_announces_the_handler_it_runs_again():
    crash = [True]

    def handler(state: State, error: NodeError) -> State:
        if crash[0]:
            raise RuntimeError("handler crash")
        return {"foo": f"ok after {error.error}"}

    builder = StateGraph(State)
    builder.add_node("fails", _boom, error_handler=handler)
    builder.add_edge(START, "fails")
    graph = builder.compile(checkpointer=InMemorySaver())
    with pytest.raises(RuntimeError):
        graph.invoke({"foo": "", "log": []}, _thread())
    crash[0] = False
    events = [c for _, c in graph.stream(None, _thread(), stream_mode=["tasks"], subgraphs=False)]
    assert [(e["name"], "input" in e) for e in events] == [
        ("fails", True),
        ("__error_handler__fails", True),
        ("__error_handler__fails", False),
    ]
    assert events[-1]["result"] == {"foo": "ok after ValueError('boom')"}


def test_an_interrupt_is_not_a_failure_to_handle():
    def asks(state: State) -> State:
        return {"foo": interrupt("question")}

    builder = StateGraph(State)
    builder.add_node("asks", asks, error_handler=lambda s: {"foo": "handled"})
    builder.add_node("other", lambda s: {})
    builder.add_edge(START, "asks")
    builder.add_edge(START, "other")
    graph = builder.compile(checkpointer=InMemorySaver())
    graph.invoke({"foo": "", "log": []}, _thread())
    assert [i.value for i in graph.get_state(_thread()).interrupts] == ["question"]
    assert graph.invoke(Command(resume="answer"), _thread())["foo"] == "answer"


def test_a_parent_handler_handles_a_failure_inside_a_subgraph():
    inner = StateGraph(State)
    inner.add_node("inner_fails", _boom)
    inner.add_edge(START, "inner_fails")

    def handler(state: State, error: NodeError) -> State:
        return {"foo": f"handled {error.node}"}

    outer = StateGraph(State)
    outer.add_node("sub", inner.compile(), error_handler=handler)
    outer.add_edge(START, "sub")
    assert outer.compile().invoke({"foo": "", "log": []})["foo"] == "handled sub"


def test_a_failed_send_task_hands_its_argument_to_the_handler():
    got = []

    def handler(state: dict, error: NodeError) -> State:
        got.append(state)
        return {"log": ["h"]}

    builder = StateGraph(State)
    builder.add_node("fails", _boom, error_handler=handler)
    builder.add_node("ok", lambda s: {"log": ["ok"]})
    builder.add_conditional_edges(
        START, lambda s: [Send("fails", {"foo": "packet", "log": []}), Send("ok", {})]
    )
    assert builder.compile().invoke({"foo": "", "log": []})["log"] == ["h", "ok"]
    assert got == [{"foo": "packet", "log": []}]


def test_a_node_that_is_not_a_handler_gets_error_none():
    got = []

    def node(state: State, error: NodeError) -> State:
        got.append(error)
        return {}

    builder = StateGraph(State)
    builder.add_node("n", node)
    builder.add_edge(START, "n")
    builder.compile().invoke({"foo": "", "log": []})
    assert got == [None]


@pytest.mark.anyio
async def test_async_handlers_run_under_ainvoke():
    async def fails(state: State) -> State:
        raise ValueError("async boom")

    async def handler(state: State, error: NodeError) -> Command:
        return Command(update={"foo": f"handled {error.error}"}, goto=END)

    builder = StateGraph(State)
    builder.add_node("fails", fails, error_handler=handler)
    builder.add_node("sibling", lambda s: {"log": ["sibling"]})
    builder.add_edge(START, "fails")
    builder.add_edge(START, "sibling")
    result = await builder.compile().ainvoke({"foo": "", "log": []})
    assert result == {"foo": "handled async boom", "log": ["sibling"]}


@pytest.mark.parametrize("bad", [5, "handler"])
def test_an_error_handler_that_cannot_be_called_is_refused(bad):
    with pytest.raises(TypeError, match=r"^Expected a Runnable, callable or dict"):
        StateGraph(State).add_node("a", _boom, error_handler=bad)
    with pytest.raises(TypeError, match="error_handler must be a function"):
        StateGraph(State).set_node_defaults(error_handler=bad)


def test_handler_names_that_collide_with_nodes_are_refused():
    builder = StateGraph(State).add_node("__error_handler__a", _boom)
    with pytest.raises(
        ValueError, match=r"^Auto-generated error handler node `__error_handler__a`"
    ):
        builder.add_node("a", _boom, error_handler=lambda s: {})
    builder = StateGraph(State)
    builder.set_node_defaults(error_handler=lambda s: {})
    builder.add_node("__default_error_handler__", lambda s: {})
    builder.add_edge(START, "__default_error_handler__")
    with pytest.raises(ValueError, match=r"^Auto-generated default error handler node"):
        builder.compile()
