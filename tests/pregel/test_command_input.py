"""A Command as a run's input: ``graph.invoke(Command(update=..., goto=...), config)``.

Each behaviour here was first observed on LangGraph 1.2.22 with the same program: the
Command's goto and update are applied before the next step is planned, saved as writes of no
task on the checkpoint the run resumes from, and count (in the state, ``get_state``,
``update_state``) until a later checkpoint takes them in.
"""

from __future__ import annotations

import operator
from contextlib import contextmanager
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver
from langgraph_lite.errors import EmptyInputError, InvalidUpdateError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, Send, interrupt

NULL_TASK = "00000000-0000-0000-0000-000000000000"


class Trail(TypedDict):
    foo: Annotated[str, operator.add]


def two_nodes(saver, **compile_kw):
    builder = StateGraph(Trail)
    builder.add_node("node1", lambda s: {"foo": "|node-1"})
    builder.add_node("node2", lambda s: {"foo": "|node-2"})
    builder.add_edge(START, "node1")
    builder.add_edge("node1", "node2")
    return builder.compile(checkpointer=saver, **compile_kw)


@contextmanager
def sync_saver(kind, tmp_path):
    if kind == "memory":
        yield InMemorySaver()
    else:
        with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
            yield saver


SAVERS = ["memory", "sqlite"]


@pytest.mark.parametrize("kind", SAVERS)
def test_goto_at_a_breakpoint_runs_that_node_with_the_one_due(kind, tmp_path):
    with sync_saver(kind, tmp_path) as saver:
        app = two_nodes(saver, interrupt_before=["node1"])
        config = {"configurable": {"thread_id": "t"}}
        assert app.invoke({"foo": "abc"}, config) == {"foo": "abc"}
        chunks = list(app.stream(Command(goto=["node2"]), config, stream_mode="updates"))
        # node1 was due and node2 is sent there too: both run in one step, then node2 again
        assert sorted(chunks[:2], key=str) == [
            {"node1": {"foo": "|node-1"}},
            {"node2": {"foo": "|node-2"}},
        ]
        assert chunks[2:] == [{"node2": {"foo": "|node-2"}}]
        assert app.get_state(config).values == {"foo": "abc|node-1|node-2|node-2"}
        # no checkpoint stands for the Command: the steps after it are the run's own
        history = [
            (s.metadata["source"], s.metadata["step"]) for s in app.get_state_history(config)
        ]
        assert history == [("loop", 2), ("loop", 1), ("loop", 0), ("input", -1)]


@pytest.mark.parametrize("kind", SAVERS)
def test_update_at_a_breakpoint_is_what_the_next_node_reads(kind, tmp_path):
    class State(TypedDict):
        foo: str

    with sync_saver(kind, tmp_path) as saver:
        builder = StateGraph(State)
        builder.add_node("node1", lambda s: {"foo": s["foo"] + "|node-1"})
        builder.add_node("node2", lambda s: {"foo": s["foo"] + "|node-2"})
        builder.add_edge(START, "node1")
        builder.add_edge("node1", "node2")
        app = builder.compile(checkpointer=saver, interrupt_before=["node1"])
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"foo": "abc"}, config)
        assert app.invoke(Command(update={"foo": "def"}), config) == {"foo": "def|node-1|node-2"}


@pytest.mark.parametrize("kind", SAVERS)
def test_an_update_that_starts_nothing_is_kept_on_the_checkpoint(kind, tmp_path):
    with sync_saver(kind, tmp_path) as saver:
        app = two_nodes(saver)
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"foo": "a"}, config)
        before = [s.config for s in app.get_state_history(config)]
        chunks = list(app.stream(Command(update={"foo": "U"}), config, stream_mode="values"))
        assert chunks == [{"foo": "a|node-1|node-2U"}]
        # no node ran, so no checkpoint was added; the update waits on the last one
        assert [s.config for s in app.get_state_history(config)] == before
        assert saver.get_tuple(config).pending_writes == [(NULL_TASK, "foo", "U")]
        state = app.get_state(config)
        assert state.values == {"foo": "a|node-1|node-2U"} and state.next == ()
        # applied to the saved state each time it is loaded: it counts once
        assert app.get_state(config).values == {"foo": "a|node-1|node-2U"}
        # update_state builds on it (LangGraph's drops it: see docs/differences.md)
        app.update_state(config, {"foo": "X"})
        assert app.get_state(config).values == {"foo": "a|node-1|node-2UX"}


def test_a_second_update_of_a_one_value_key_replaces_the_first():
    # LangGraph raises InvalidUpdateError here (and the thread can no longer be read):
    # see docs/differences.md
    class State(TypedDict):
        foo: str
        bar: str

    builder = StateGraph(State)
    builder.add_node("node1", lambda s: {"bar": "b"})
    builder.add_edge(START, "node1")
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"foo": "a"}, config)
    assert app.invoke(Command(update={"foo": "U"}), config) == {"foo": "U", "bar": "b"}
    assert app.invoke(Command(update={"foo": "V"}), config) == {"foo": "V", "bar": "b"}
    assert app.invoke({"foo": "W"}, config) == {"foo": "W", "bar": "b"}


@pytest.mark.parametrize("kind", SAVERS)
def test_resume_with_an_update_counts_each_update_once(kind, tmp_path):
    class Log(TypedDict):
        log: Annotated[list, operator.add]

    def ask_three_times(state):
        return {"log": ["a:" + "".join(interrupt(str(q)) for q in range(1, 4))]}

    with sync_saver(kind, tmp_path) as saver:
        builder = StateGraph(Log)
        builder.add_node("a", ask_three_times)
        builder.add_edge(START, "a")
        app = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"log": []}, config)
        for i in (1, 2):
            out = app.invoke(Command(resume=str(i), update={"log": [f"u{i}"]}), config)
            assert out["log"] == [f"u{j}" for j in range(1, i + 1)]
            assert [x.value for x in out["__interrupt__"]] == [str(i + 1)]
        out = app.invoke(Command(resume="3", update={"log": ["u3"]}), config)
        assert sorted(out["log"]) == ["a:123", "u1", "u2", "u3"]
        assert sorted(app.get_state(config).values["log"]) == ["a:123", "u1", "u2", "u3"]


def test_goto_a_send_on_a_finished_thread():
    app = two_nodes(InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"foo": "x"}, config)
    out = app.invoke(Command(goto=Send("node1", {"foo": "S"})), config)
    assert out == {"foo": "x|node-1|node-2|node-1|node-2"}


def test_on_a_new_thread_start_runs_the_command_as_if_it_returned_it():
    # as LangGraph: START runs first, then the goto'd node with START's own edge
    app = two_nodes(InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    chunks = list(app.stream(Command(update={"foo": "x"}, goto="node2"), config))
    assert sorted(chunks[:2], key=str) == [
        {"node1": {"foo": "|node-1"}},
        {"node2": {"foo": "|node-2"}},
    ]
    assert chunks[2:] == [{"node2": {"foo": "|node-2"}}]
    history = [(s.metadata["source"], s.next) for s in app.get_state_history(config)]
    assert history == [
        ("loop", ()),
        ("loop", ("node2",)),
        ("loop", ("node1", "node2")),
        ("input", ("__start__",)),
    ]
    # LangGraph applies the update twice here ("xx"): see docs/differences.md
    assert app.get_state(config).values == {"foo": "x|node-1|node-2|node-2"}


def test_without_a_checkpointer_too():
    out = two_nodes(None).invoke(Command(update={"foo": "x"}, goto="node2"))
    assert out == {"foo": "x|node-1|node-2|node-2"}


@pytest.mark.anyio
async def test_async_with_the_async_sqlite_saver(tmp_path):
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        app = two_nodes(saver, interrupt_before=["node1"])
        config = {"configurable": {"thread_id": "t"}}
        await app.ainvoke({"foo": "abc"}, config)
        chunks = [c async for c in app.astream(Command(goto="node2"), config)]
        assert chunks[-1] == {"node2": {"foo": "|node-2"}} and len(chunks) == 3
        await app.ainvoke(Command(update={"foo": "!"}), config)
        state = await app.aget_state(config)
        assert state.values == {"foo": "abc|node-1|node-2|node-2!"}


@pytest.mark.anyio
async def test_async_in_memory_update_at_a_breakpoint():
    app = two_nodes(InMemorySaver(), interrupt_before=["node2"])
    config = {"configurable": {"thread_id": "t"}}
    await app.ainvoke({"foo": "a"}, config)
    assert await app.ainvoke(Command(update={"foo": "+"}), config) == {"foo": "a|node-1+|node-2"}


def test_goto_a_node_the_graph_lacks_names_the_nodes():
    # LangGraph only logs a warning and ignores it: see docs/differences.md
    app = two_nodes(InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"foo": "a"}, config)
    with pytest.raises(InvalidUpdateError, match=r"Command\(goto='nope'\).*'node1', 'node2'"):
        app.invoke(Command(goto="nope"), config)
    with pytest.raises(InvalidUpdateError, match=r"Send\('ghost', \.\.\.\)"):
        app.invoke(Command(goto=Send("ghost", {})), config)
    assert saver_writes(app, config) == []  # nothing was saved for the bad Command


def saver_writes(app, config):
    return app.checkpointer.get_tuple(config).pending_writes


def test_a_command_that_says_nothing_and_one_for_a_parent():
    app = two_nodes(InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"foo": "a"}, config)
    with pytest.raises(EmptyInputError, match=r"^Received empty Command input"):
        app.invoke(Command(), config)
    with pytest.raises(InvalidUpdateError, match=r"^There is no parent graph"):
        app.invoke(Command(graph=Command.PARENT, goto="node1"), config)


class Done(TypedDict):
    log: Annotated[list, operator.add]


@pytest.mark.parametrize("kind", SAVERS)
@pytest.mark.parametrize("result", [None, {}], ids=["none", "empty_dict"])
def test_a_sibling_that_returned_nothing_is_not_run_again(kind, result, tmp_path):
    ran: list[str] = []

    def quiet(state):
        ran.append("quiet")
        return result

    def ask(state):
        ran.append("ask")
        return {"log": [interrupt("q")]}

    with sync_saver(kind, tmp_path) as saver:
        builder = StateGraph(Done)
        builder.add_node("quiet", quiet)
        builder.add_node("ask", ask)
        builder.add_edge(START, "quiet")
        builder.add_edge(START, "ask")
        app = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"log": []}, config)
        state = app.get_state(config)
        assert state.next == ("ask",)
        assert {t.name: t.result for t in state.tasks} == {"quiet": {}, "ask": None}
        assert app.invoke(Command(resume="x"), config) == {"log": ["x"]}
        assert sorted(ran) == ["ask", "ask", "quiet"]


@pytest.mark.anyio
async def test_a_sibling_that_returned_nothing_is_not_run_again_async(tmp_path):
    ran: list[str] = []

    async def quiet(state):
        ran.append("quiet")

    def ask(state):
        ran.append("ask")
        return {"log": [interrupt("q")]}

    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        builder = StateGraph(Done)
        builder.add_node("quiet", quiet)
        builder.add_node("ask", ask)
        builder.add_edge(START, "quiet")
        builder.add_edge(START, "ask")
        app = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "t"}}
        await app.ainvoke({"log": []}, config)
        assert await app.ainvoke(Command(resume="x"), config) == {"log": ["x"]}
        assert sorted(ran) == ["ask", "ask", "quiet"]
