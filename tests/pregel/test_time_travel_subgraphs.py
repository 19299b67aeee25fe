"""Time travel (replay and fork) through subgraphs that keep their own checkpoints.

A parent graph ``prep -> notebook``; ``notebook`` is a subgraph whose one node records the
notes it sees and adds one. Compiled with ``checkpointer=True`` it keeps one history per
thread, so every run of the parent continues the notes of the last one; replaying or forking
the parent must give the subgraph the notes it had when the replayed checkpoint was taken.

Expected values observed on LangGraph 1.2.22 (same programs, same results).
"""

from __future__ import annotations

import operator
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver
from langgraph_lite.errors import EmptyInputError, InvalidUpdateError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, interrupt


class Notes(TypedDict):
    notes: Annotated[list[str], operator.add]


class Log(TypedDict):
    log: Annotated[list[str], operator.add]


THREAD = {"configurable": {"thread_id": "t"}}
NOTEBOOK = {"configurable": {"thread_id": "t", "checkpoint_ns": "notebook"}}


@contextmanager
def _saver(kind: str) -> Iterator[Any]:
    if kind == "memory":
        yield InMemorySaver()
    else:
        with SqliteSaver.from_conn_string(":memory:") as saver:
            yield saver


@asynccontextmanager
async def _asaver(kind: str) -> AsyncIterator[Any]:
    if kind == "memory":
        yield InMemorySaver()
    else:
        async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
            yield saver


def _notebook_app(saver: Any, seen: list[list[str]], *, asks: bool = False, keeps: Any = True):
    """``keeps``: the subgraph's ``checkpointer=`` (True: one history per thread; None: one
    per parent task, so a new task starts it afresh)."""

    def remember(state: Notes) -> Notes:
        seen.append(list(state["notes"]))
        if asks:
            return {"notes": [interrupt(f"note {len(state['notes'])}?")]}
        return {"notes": [f"n{len(state['notes'])}"]}

    notebook = StateGraph(Notes).add_node("remember", remember).add_edge(START, "remember")
    parent = StateGraph(Log).add_node("prep", lambda s: {"log": ["prep"]})
    parent.add_node("notebook", notebook.compile(checkpointer=keeps))
    parent.add_edge(START, "prep").add_edge("prep", "notebook")
    return parent.compile(checkpointer=saver)


def _before_notebook(app: Any) -> list[Any]:
    """The parent's checkpoints where the notebook runs next, newest first."""
    return [s for s in app.get_state_history(THREAD) if s.next == ("notebook",)]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_replaying_the_parent_gives_a_stateful_subgraph_its_state_of_then(kind: str) -> None:
    seen: list[list[str]] = []
    with _saver(kind) as saver:
        app = _notebook_app(saver, seen)
        for _ in range(3):
            app.invoke({"log": []}, THREAD)
        assert seen == [[], ["n0"], ["n0", "n1"]]
        second_run = _before_notebook(app)[1]
        seen.clear()
        assert app.invoke(None, second_run.config) == {"log": ["prep", "prep"]}
        assert seen == [["n0"]]  # not the latest notes: those of before the second run's step
        # the replay is a new branch: it starts with a fork of the replayed checkpoint
        sources = [s.metadata["source"] for s in app.get_state_history(THREAD)][:3]
        assert sources == ["loop", "fork", "loop"]
        assert app.get_state(NOTEBOOK).values == {"notes": ["n0", "n1"]}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_forking_the_parent_gives_a_stateful_subgraph_its_state_of_then(kind: str) -> None:
    seen: list[list[str]] = []
    with _saver(kind) as saver:
        app = _notebook_app(saver, seen)
        for _ in range(3):
            app.invoke({"log": []}, THREAD)
        fork = app.update_state(_before_notebook(app)[1].config, {"log": ["forked"]})
        assert "checkpoint_map" not in fork["configurable"]  # the parent's own checkpoint
        seen.clear()
        assert app.invoke(None, fork) == {"log": ["prep", "prep", "forked"]}
        assert seen == [["n0"]]


def test_a_subgraph_with_one_history_per_task_starts_afresh_on_replay() -> None:
    seen: list[list[str]] = []
    app = _notebook_app(InMemorySaver(), seen, keeps=None)
    for _ in range(2):
        app.invoke({"log": []}, THREAD)
    seen.clear()
    assert app.invoke(None, _before_notebook(app)[0].config) == {"log": ["prep", "prep"]}
    assert seen == [[]]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_replaying_a_subgraph_checkpoint_asks_its_interrupt_again(kind: str) -> None:
    seen: list[list[str]] = []
    with _saver(kind) as saver:
        app = _notebook_app(saver, seen, asks=True)
        assert app.invoke({"log": []}, THREAD)["__interrupt__"][0].value == "note 0?"
        state = app.get_state(THREAD, subgraphs=True)
        at_question = state.tasks[0].state
        parent_id = state.config["configurable"]["checkpoint_id"]
        # the subgraph's snapshot names its own checkpoint and the parent's it ran under
        assert at_question.metadata["parents"] == {"": parent_id}
        assert at_question.config["configurable"]["checkpoint_map"] == {
            "": parent_id,
            "notebook": at_question.config["configurable"]["checkpoint_id"],
        }
        assert app.invoke(Command(resume="first"), THREAD) == {"log": ["prep"]}
        seen.clear()
        # the outer graph, run with the subgraph's snapshot config, replays from there
        replayed = app.invoke(None, at_question.config)
        assert replayed["__interrupt__"][0].value == "note 0?"
        assert replayed["log"] == ["prep"]
        assert seen == [[]]
        assert app.invoke(Command(resume="second"), THREAD) == {"log": ["prep"]}
        assert app.get_state(NOTEBOOK).values == {"notes": ["second"]}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_subgraph_history_is_its_own_namespace_and_names_its_parents(kind: str) -> None:
    with _saver(kind) as saver:
        app = _notebook_app(saver, [], asks=True)
        app.invoke({"log": []}, THREAD)
        at_question = app.get_state(THREAD, subgraphs=True).tasks[0].state
        app.invoke(Command(resume="first"), THREAD)
        app.invoke(None, at_question.config)
        app.invoke(Command(resume="second"), THREAD)
        history = list(app.get_state_history(NOTEBOOK))
        assert [(s.metadata["source"], s.next, s.values["notes"]) for s in history] == [
            ("loop", (), ["second"]),
            ("fork", ("remember",), []),
            ("loop", (), ["first"]),
            ("loop", ("remember",), []),
            ("input", ("__start__",), []),
        ]
        for snapshot in history:
            configurable = snapshot.config["configurable"]
            assert configurable["checkpoint_ns"] == "notebook"
            assert configurable["checkpoint_map"]["notebook"] == configurable["checkpoint_id"]


def test_copy_saves_a_sibling_fork_that_runs_its_tasks_again() -> None:
    seen: list[list[str]] = []
    app = _notebook_app(InMemorySaver(), seen)
    app.invoke({"log": []}, THREAD)
    before = _before_notebook(app)[0]
    copy = app.get_state(app.update_state(before.config, None, as_node="__copy__"))
    assert copy.metadata["source"] == "fork"
    assert copy.metadata["step"] == before.metadata["step"] + 1
    assert copy.parent_config == before.parent_config  # beside the original, not after it
    assert (copy.next, copy.values) == (("notebook",), {"log": ["prep"]})
    seen.clear()
    assert app.invoke(None, copy.config) == {"log": ["prep"]}
    assert seen == [[]]  # the subgraph's state from before the copied checkpoint


def test_copy_of_a_thread_with_no_checkpoint_is_refused() -> None:
    app = _notebook_app(InMemorySaver(), [])
    with pytest.raises(InvalidUpdateError, match=r"^Cannot copy a non-existent checkpoint"):
        app.update_state({"configurable": {"thread_id": "nope"}}, None, as_node="__copy__")


def test_a_checkpoint_id_the_thread_does_not_have() -> None:
    app = _notebook_app(InMemorySaver(), [])
    app.invoke({"log": []}, THREAD)
    unknown = {"configurable": {"thread_id": "t", "checkpoint_id": "1f000000-0000-6000-8000-0"}}
    with pytest.raises(EmptyInputError, match="checkpoint_id"):
        app.invoke(None, unknown)  # nothing to resume there
    assert app.invoke({"log": ["x"]}, unknown) == {"log": ["x", "prep"]}  # a fresh start
    assert app.get_state(unknown).values == {}


@pytest.mark.parametrize("durability", ["sync", "exit"])
def test_a_nested_interrupt_before_keeps_its_parallel_siblings_writes(durability: str) -> None:
    class Text(TypedDict):
        k: Annotated[str, operator.add]

    calls: list[str] = []

    def node(name: str) -> Any:
        def run(state: Text) -> Text:
            calls.append(name)
            return {"k": f"[{name}]"}

        return run

    inner = StateGraph(Text).add_node("i1", node("i1")).add_node("i2", node("i2"))
    inner = inner.add_edge(START, "i1").add_edge("i1", "i2").compile(interrupt_before=["i2"])
    middle = StateGraph(Text).add_node("inner", inner).add_edge(START, "inner").compile()
    app = StateGraph(Text).add_node("mid", middle).add_node("side", node("side"))
    app = app.add_node("after", node("after")).add_edge(START, "mid").add_edge(START, "side")
    app = app.add_edge(["mid", "side"], "after").compile(checkpointer=InMemorySaver())

    assert app.invoke({"k": ""}, THREAD, durability=durability) == {"k": "[side]"}
    assert sorted(calls) == ["i1", "side"]
    state = app.get_state(THREAD)
    assert (state.next, state.values, state.interrupts) == (("mid",), {"k": "[side]"}, ())
    calls.clear()
    # the sibling's writes are kept, not run again; the inner graph goes on from i2
    assert app.invoke(None, THREAD, durability=durability) == {"k": "[i1][i2][side][after]"}
    assert calls == ["i2", "after"]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_async_replay_and_fork_give_a_stateful_subgraph_its_state_of_then(kind: str):
    seen: list[list[str]] = []
    async with _asaver(kind) as saver:
        app = _notebook_app(saver, seen)
        for _ in range(3):
            await app.ainvoke({"log": []}, THREAD)
        history = [s async for s in app.aget_state_history(THREAD)]
        second_run = [s for s in history if s.next == ("notebook",)][1]
        seen.clear()
        assert await app.ainvoke(None, second_run.config) == {"log": ["prep", "prep"]}
        fork = await app.aupdate_state(second_run.config, {"log": ["forked"]})
        assert await app.ainvoke(None, fork) == {"log": ["prep", "prep", "forked"]}
        assert seen == [["n0"], ["n0"]]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_async_replay_of_a_subgraph_checkpoint_asks_again(kind: str) -> None:
    seen: list[list[str]] = []
    async with _asaver(kind) as saver:
        app = _notebook_app(saver, seen, asks=True)
        await app.ainvoke({"log": []}, THREAD)
        at_question = (await app.aget_state(THREAD, subgraphs=True)).tasks[0].state
        await app.ainvoke(Command(resume="first"), THREAD)
        replayed = await app.ainvoke(None, at_question.config)
        assert replayed["__interrupt__"][0].value == "note 0?"
        await app.ainvoke(Command(resume="second"), THREAD)
        assert (await app.aget_state(NOTEBOOK)).values == {"notes": ["second"]}
        # asked; run again with "first"; asked again (the replay); run again with "second"
        assert seen == [[], [], [], []]
