"""bulk_update_state / update_state's special as_node values and task_id, checked against
LangGraph 1.2.22's behaviour (same checkpoints, metadata, history, next)."""

from __future__ import annotations

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import InvalidUpdateError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, Send, StateUpdate


class State(TypedDict):
    foo: str
    log: Annotated[list, operator.add]


def _graph(interrupt_before=None, checkpointer=None):
    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"foo": "a", "log": ["a"]})
    builder.add_node("b", lambda s: {"log": ["b"]})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    saver = checkpointer or InMemorySaver()
    return builder.compile(checkpointer=saver, interrupt_before=interrupt_before), saver


def _thread(name="t"):
    return {"configurable": {"thread_id": name}}


def test_each_superstep_is_one_checkpoint_and_the_last_config_is_returned():
    graph, saver = _graph()
    returned = graph.bulk_update_state(
        _thread(),
        [
            [StateUpdate({"foo": "x"}, "a")],
            [StateUpdate({"log": ["l1"]}, "a"), StateUpdate({"log": ["l2"]}, "b")],
        ],
    )
    saved = list(saver.list(_thread()))
    assert len(saved) == 2
    assert returned["configurable"]["checkpoint_id"] == saved[0].checkpoint["id"]
    history = list(graph.get_state_history(_thread()))
    assert [h.metadata for h in history] == [
        {"source": "update", "step": 1, "parents": {}},
        {"source": "update", "step": 0, "parents": {}},
    ]
    assert history[0].values == {"foo": "x", "log": ["l1", "l2"]}
    assert history[0].next == ("b",)


def test_an_update_shows_in_the_history_as_the_result_of_the_task_that_was_due():
    graph, _ = _graph(interrupt_before=["b"])
    graph.invoke({"foo": "", "log": []}, _thread())
    graph.update_state(_thread(), {"log": ["u"]}, as_node="b")
    history = list(graph.get_state_history(_thread()))
    paused = history[1]
    assert paused.next == ("b",)
    assert [(t.name, t.result) for t in paused.tasks] == [("b", {"log": ["u"]})]
    assert history[0].next == ()
    assert history[0].values == {"foo": "a", "log": ["a", "u"]}


def test_task_id_names_the_task_the_writes_are_saved_under():
    graph, saver = _graph(interrupt_before=["b"])
    graph.invoke({"foo": "", "log": []}, _thread())
    graph.update_state(_thread(), {"log": ["manual"]}, as_node="b", task_id="my-task")
    paused = list(saver.list(_thread()))[1]
    assert paused.pending_writes == [("my-task", "log", ["manual"])]


def test_copy_saves_a_sibling_with_the_same_values_and_source_fork():
    graph, _ = _graph(interrupt_before=["b"])
    graph.invoke({"foo": "", "log": []}, _thread())
    before = graph.get_state(_thread())
    copied = graph.update_state(before.config, None, as_node="__copy__")
    copy = graph.get_state(copied)
    assert copy.metadata == {"source": "fork", "step": before.metadata["step"] + 1, "parents": {}}
    assert copy.parent_config == before.parent_config
    assert copy.values == before.values
    assert copy.next == ("b",)
    assert graph.invoke(None, copied) == {"foo": "a", "log": ["a", "b"]}


def test_copy_with_a_list_of_updates_applies_them_to_the_copy():
    graph, _ = _graph(interrupt_before=["b"])
    graph.invoke({"foo": "", "log": []}, _thread())
    before = graph.get_state(_thread())
    done = graph.update_state(before.config, [StateUpdate({"log": ["B*"]}, "b")], "__copy__")
    after = graph.get_state(done)
    assert after.values == {"foo": "a", "log": ["a", "B*"]}
    assert after.next == ()
    copy = graph.get_state(after.parent_config)
    assert copy.metadata["source"] == "fork"
    assert [(t.name, t.result) for t in copy.tasks] == [("b", {"log": ["B*"]})]


def test_copy_with_updates_on_a_saver_that_fences_writes_by_lease():
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(":memory:") as saver:
        graph, _ = _graph(interrupt_before=["b"], checkpointer=saver)
        graph.invoke({"foo": "", "log": []}, _thread())
        before = graph.get_state(_thread())
        done = graph.update_state(before.config, [StateUpdate({"log": ["B*"]}, "b")], "__copy__")
        assert graph.get_state(done).values == {"foo": "a", "log": ["a", "B*"]}
        assert graph.invoke(None, done)["log"] == ["a", "B*"]


def test_input_update_is_saved_as_an_input_checkpoint_that_the_next_run_starts_from():
    graph, _ = _graph()
    graph.invoke({"foo": "", "log": []}, _thread())
    step = graph.get_state(_thread()).metadata["step"]
    graph.update_state(_thread(), {"foo": "again"}, as_node="__input__")
    state = graph.get_state(_thread())
    assert state.metadata == {"source": "input", "step": step + 1, "parents": {}}
    assert state.next == ("__start__",)
    assert graph.invoke(None, _thread()) == {"foo": "a", "log": ["a", "b", "a", "b"]}


def test_input_update_on_a_new_thread_is_step_minus_one():
    graph, _ = _graph()
    graph.update_state(_thread(), {"foo": "in", "log": []}, as_node="__input__")
    assert graph.get_state(_thread()).metadata["step"] == -1
    assert graph.invoke(None, _thread()) == {"foo": "a", "log": ["a", "b"]}


def test_end_with_none_clears_what_was_due():
    graph, _ = _graph(interrupt_before=["b"])
    graph.invoke({"foo": "", "log": []}, _thread())
    graph.update_state(_thread(), None, as_node="__end__")
    state = graph.get_state(_thread())
    assert state.next == ()
    assert state.metadata["source"] == "update"
    assert graph.invoke(None, _thread()) == {"foo": "a", "log": ["a"]}


@pytest.mark.anyio
async def test_async_twins_do_the_same():
    graph, _ = _graph()
    await graph.abulk_update_state(_thread(), [[StateUpdate({"foo": "x"}, "a")]])
    assert (await graph.aget_state(_thread())).next == ("b",)
    await graph.aupdate_state(_thread(), None, as_node="__end__")
    assert (await graph.aget_state(_thread())).next == ()


@pytest.mark.parametrize(
    ("supersteps", "error", "words"),
    [
        ([], ValueError, "No supersteps provided"),
        ([[], []], ValueError, "No updates provided"),
        ([[StateUpdate({"foo": "x"}, "zzz")]], InvalidUpdateError, "Node zzz does not exist"),
        (
            [[StateUpdate({"foo": "x"}), StateUpdate({"foo": "y"}, "a")]],
            InvalidUpdateError,
            "as_node is required when applying multiple updates",
        ),
        (
            [[StateUpdate(None, "__end__"), StateUpdate(None, "__copy__")]],
            InvalidUpdateError,
            "Cannot apply multiple updates when clearing state",
        ),
        (
            [[StateUpdate({"foo": "x"}, "__input__"), StateUpdate({"foo": "y"}, "a")]],
            InvalidUpdateError,
            "Cannot apply multiple updates when updating as input",
        ),
    ],
)
def test_bad_supersteps_are_refused_in_langgraphs_words(supersteps, error, words):
    graph, _ = _graph()
    graph.invoke({"foo": "", "log": []}, _thread())
    with pytest.raises(error, match=f"^{words}"):
        graph.bulk_update_state(_thread(), supersteps)


def test_copying_a_thread_that_has_no_checkpoint_is_refused():
    graph, _ = _graph()
    with pytest.raises(InvalidUpdateError, match=r"^Cannot copy a non-existent checkpoint"):
        graph.update_state(_thread("new"), None, as_node="__copy__")


def test_an_input_update_without_values_is_refused():
    graph, _ = _graph()
    with pytest.raises(InvalidUpdateError, match=r"^Received no input writes"):
        graph.update_state(_thread(), None, as_node="__input__")


def test_updates_to_a_copy_stand_for_its_send_task_too():
    class Joined(TypedDict):
        name: Annotated[str, lambda a, b: f"{a} > {b}" if a else b]

    builder = StateGraph(Joined)
    builder.add_node("one", lambda s: Command(goto=[Send("two", {})], update={"name": "one"}))
    builder.add_node("two", lambda s: {"name": "two"})
    builder.add_edge(START, "one")
    builder.add_edge("one", "two")
    graph = builder.compile(checkpointer=InMemorySaver())
    graph.invoke({"name": "start"}, _thread())
    both_due = next(s for s in graph.get_state_history(_thread()) if s.next == ("two", "two"))
    done = graph.update_state(
        both_due.config,
        [StateUpdate({"name": "2a"}, "two"), StateUpdate({"name": "2b"}, "two")],
        "__copy__",
    )
    after = graph.get_state(done)
    assert after.values == {"name": "start > one > 2a > 2b"}
    assert after.next == ()
    copy = graph.get_state(after.parent_config)
    assert [(t.path[0], t.result) for t in copy.tasks] == [
        ("__pregel_push", {"name": "2a"}),
        ("__pregel_pull", {"name": "2b"}),
    ]


def _sqlite_graph(saver):
    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"foo": "a", "log": ["a"]})
    builder.add_node("b", lambda s: {"log": ["b"]})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    return builder.compile(checkpointer=saver)


SUPERSTEPS = [
    [StateUpdate({"foo": "x"}, "a")],
    [StateUpdate({"log": ["l1"]}, "a"), StateUpdate({"log": ["l2"]}, "b")],
]


def test_every_superstep_writes_under_the_lease_the_update_holds_on_a_saver_with_leases():
    # SQLite fences writes with the thread's lease: the second superstep's writes must carry
    # the token the first took, or the saver refuses them as another worker's.
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(":memory:") as saver:
        graph = _sqlite_graph(saver)
        returned = graph.bulk_update_state(_thread(), SUPERSTEPS)
        assert graph.get_state(_thread()).values == {"foo": "x", "log": ["l1", "l2"]}
        assert "lease_token" not in returned["configurable"]
        graph.invoke(None, _thread())  # the lease was released: a run can take it
        assert graph.get_state(_thread()).values["log"] == ["l1", "l2", "b"]


@pytest.mark.anyio
async def test_every_superstep_writes_under_the_lease_on_the_async_saver_too(tmp_path):
    from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver

    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
        graph = _sqlite_graph(saver)
        await graph.abulk_update_state(_thread(), SUPERSTEPS)
        assert (await graph.aget_state(_thread())).values == {"foo": "x", "log": ["l1", "l2"]}


def test_a_supersteps_updates_apply_in_the_order_given_whatever_their_nodes():
    # LangGraph orders a superstep's updates by their place, not by node name: "b" < "a" here
    graph, _ = _graph()
    graph.invoke({"foo": "", "log": ["in"]}, _thread())
    names = ["b", "a", "b", "a"]
    graph.bulk_update_state(
        _thread(), [[StateUpdate({"log": [f"u{i}"]}, n) for i, n in enumerate(names)]]
    )
    assert graph.get_state(_thread()).values["log"] == ["in", "a", "b", "u0", "u1", "u2", "u3"]
