"""Persistence in the engine, compared with LangGraph 1.2.22 running the same programs.

Expected values come from LangGraph's observed behaviour (programs q1-q11 in the colleague's
probe notes: checkpoints per step, get_state / get_state_history, update_state, replay, failures
with pending writes, durability). Checkpoint ids, timestamps, task ids and error wording are
incidental and not compared; everything else is.
"""

import itertools
import operator
from typing import Annotated, Any

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import EmptyInputError, InvalidUpdateError
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command, Interrupt, PregelTask, StateSnapshot, interrupt


class State(TypedDict):
    x: int
    log: Annotated[list, operator.add]


def config(thread_id: str = "t1", **configurable: Any) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, **configurable}}


def chain(*names: str, checkpointer=None, **compile_kw):
    """START → names[0] → names[1] … → END. Node a: x+1, b: x*10, c: x-1; each logs its name."""
    ops = {"a": lambda x: x + 1, "b": lambda x: x * 10, "c": lambda x: x - 1}
    calls: list[str] = []  # the nodes that ran, in order
    builder = StateGraph(State)

    def node(name):
        def run(state):
            calls.append(name)
            return {"x": ops[name](state["x"]), "log": [name]}

        return run

    for name in names:
        builder.add_node(name, node(name))
    builder.add_edge(START, names[0])
    for left, right in itertools.pairwise(names):
        builder.add_edge(left, right)
    builder.add_edge(names[-1], END)
    saver = checkpointer or InMemorySaver()
    return builder.compile(checkpointer=saver, **compile_kw), saver, calls


def steps(saver, cfg) -> list[tuple[str, int]]:
    """(source, step) of each checkpoint of the thread, newest first."""
    return [(t.metadata["source"], t.metadata["step"]) for t in saver.list(cfg)]


def plain_writes(saved) -> list[tuple[str, Any]]:
    return [(channel, value) for _, channel, value in saved.pending_writes]


# -- checkpoints per step ------------------------------------------------------------------


def test_each_step_saves_a_checkpoint_after_an_input_checkpoint():
    app, saver, _ = chain("a", "b")
    assert app.invoke({"x": 1, "log": []}, config()) == {"x": 20, "log": ["a", "b"]}

    saved = list(saver.list(config()))
    assert [t.metadata for t in saved] == [
        {"source": "loop", "step": 2, "parents": {}},
        {"source": "loop", "step": 1, "parents": {}},
        {"source": "loop", "step": 0, "parents": {}},
        {"source": "input", "step": -1, "parents": {}},
    ]
    assert [t.checkpoint["channel_values"] for t in saved] == [
        {"x": 20, "log": ["a", "b"]},
        {"x": 2, "log": ["a"], "branch:to:b": None},
        {"x": 1, "log": [], "branch:to:a": None},
        {"__start__": {"x": 1, "log": []}},
    ]
    assert [t.parent_config for t in saved] == [t.config for t in saved[1:]] + [None]
    assert [plain_writes(t) for t in saved] == [
        [],
        [("x", 20), ("log", ["b"])],
        [("x", 2), ("log", ["a"]), ("branch:to:b", None)],
        [("x", 1), ("log", []), ("branch:to:a", None)],
    ]
    for t in saved:
        assert list(t.config["configurable"]) == ["thread_id", "checkpoint_ns", "checkpoint_id"]
        assert t.config["configurable"]["checkpoint_ns"] == ""
        assert t.checkpoint["v"] == 4
        assert t.checkpoint["id"] == t.config["configurable"]["checkpoint_id"]


def test_one_new_channel_version_per_step_shared_by_the_channels_it_changed():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    final = saver.get_tuple(config()).checkpoint
    counters = {k: int(v.split(".")[0]) for k, v in final["channel_versions"].items()}
    # LangGraph q1: __start__ 2, branch:to:a 3, x/log/branch:to:b 4 (the step that wrote them)
    assert counters == {"__start__": 2, "branch:to:a": 3, "x": 4, "log": 4, "branch:to:b": 4}
    assert final["versions_seen"]["a"] == {"branch:to:a": final["channel_versions"]["__start__"]}


def test_updated_channels_lists_the_channels_each_step_wrote():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    assert [t.checkpoint["updated_channels"] for t in saver.list(config())] == [
        ["log", "x"],
        ["branch:to:b", "log", "x"],
        ["branch:to:a", "log", "x"],
        ["__start__"],
    ]


def test_a_second_invocation_continues_the_step_count_and_merges_input_through_reducers():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())

    assert app.invoke({"x": 3, "log": ["new"]}, config()) == {
        "x": 40,
        "log": ["a", "b", "new", "a", "b"],
    }
    assert steps(saver, config()) == [
        ("loop", 6),
        ("loop", 5),
        ("loop", 4),
        ("input", 3),
        ("loop", 2),
        ("loop", 1),
        ("loop", 0),
        ("input", -1),
    ]
    second_input = next(t for t in saver.list(config()) if t.metadata["step"] == 3)
    assert second_input.checkpoint["channel_values"] == {
        "__start__": {"x": 3, "log": ["new"]},
        "x": 20,
        "log": ["a", "b"],
    }

    assert app.invoke({"log": ["only-log"]}, config()) == {
        "x": 410,
        "log": ["a", "b", "new", "a", "b", "only-log", "a", "b"],
    }
    assert saver.get_tuple(config()).metadata["step"] == 10


def test_an_empty_input_runs_the_graph_again_and_none_runs_nothing():
    app, saver, calls = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    calls.clear()

    assert app.invoke({}, config()) == {"x": 210, "log": ["a", "b", "a", "b"]}
    assert calls == ["a", "b"]
    count = len(list(saver.list(config())))

    calls.clear()
    assert app.invoke(None, config()) == {"x": 210, "log": ["a", "b", "a", "b"]}
    assert calls == []
    assert len(list(saver.list(config()))) == count


def test_streaming_a_continued_thread_starts_from_the_merged_state():
    app, _, _ = chain("a", "b")
    assert list(app.stream({"x": 1, "log": ["i"]}, config(), stream_mode="values")) == [
        {"x": 1, "log": ["i"]},
        {"x": 2, "log": ["i", "a"]},
        {"x": 20, "log": ["i", "a", "b"]},
    ]
    assert list(app.stream({"x": 5, "log": ["j"]}, config(), stream_mode="values")) == [
        {"x": 5, "log": ["i", "a", "b", "j"]},
        {"x": 6, "log": ["i", "a", "b", "j", "a"]},
        {"x": 60, "log": ["i", "a", "b", "j", "a", "b"]},
    ]
    assert list(app.stream({"x": 7, "log": ["k"]}, config(), stream_mode="updates")) == [
        {"a": {"x": 8, "log": ["a"]}},
        {"b": {"x": 80, "log": ["b"]}},
    ]
    final = {"x": 80, "log": ["i", "a", "b", "j", "a", "b", "k", "a", "b"]}
    assert list(app.stream(None, config(), stream_mode="values")) == [final]
    assert list(app.stream(None, config(), stream_mode="updates")) == []


def test_metadata_keeps_config_metadata_but_not_over_source_and_step():
    app, saver, _ = chain("a", "b")
    cfg = {**config("m"), "metadata": {"m1": "v", "step": 99, "source": "zzz"}}
    app.invoke({"x": 1, "log": []}, cfg)
    for t in saver.list(config("m")):
        assert t.metadata["m1"] == "v"
        assert t.metadata["source"] in ("input", "loop")
        assert t.metadata["step"] != 99


def test_metadata_keeps_scalar_configurable_values():
    app, saver, _ = chain("a", "b")
    cfg = {
        "configurable": {
            "thread_id": "m",
            "s": "str",
            "i": 3,
            "f": 1.5,
            "b": True,
            "n": None,
            "l": [1],
            "d": {"k": 1},
            "__private": "p",
            "checkpoint_ns": "",
        },
        "metadata": {"m1": "v"},
    }
    app.invoke({"x": 1, "log": []}, cfg)
    assert [t.metadata for t in saver.list(config("m"))][-1] == {
        "source": "input",
        "step": -1,
        "parents": {},
        "m1": "v",
        "s": "str",
        "i": 3,
        "f": 1.5,
        "b": True,
    }


def test_each_call_needs_a_thread_id():
    app, _, _ = chain("a", "b")
    for cfg in (None, {}, {"configurable": {}}):
        with pytest.raises(ValueError, match="thread_id"):
            app.invoke({"x": 1, "log": []}, cfg)
        with pytest.raises(ValueError, match="thread_id"):
            list(app.stream({"x": 1, "log": []}, cfg))
    # LangGraph raises KeyError('thread_id') here; ours keeps the ValueError with its fix.
    with pytest.raises(ValueError, match="thread_id"):
        app.get_state({"configurable": {}})


def test_an_int_thread_id_is_saved_as_a_string():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, {"configurable": {"thread_id": 7}})
    saved = saver.get_tuple(config("7"))
    assert saved.config["configurable"]["thread_id"] == "7"
    assert saved.metadata["step"] == 2


class Point(BaseModel):
    x: int
    y: int


class WithPoint(TypedDict):
    where: Point
    trail: Annotated[list[Point], operator.add]


def test_state_schema_types_are_allowed_when_compiled():
    builder = StateGraph(WithPoint)
    builder.add_node(
        "move", lambda s: {"where": Point(x=s["where"].x + 1, y=0), "trail": [s["where"]]}
    )
    builder.add_edge(START, "move")
    app = builder.compile(checkpointer=InMemorySaver())
    app.invoke({"where": Point(x=1, y=2), "trail": []}, config())
    assert app.get_state(config()).values == {
        "where": Point(x=2, y=0),
        "trail": [Point(x=1, y=2)],
    }


# -- get_state / get_state_history ----------------------------------------------------------


def test_get_state_of_a_finished_thread():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    latest, parent = list(saver.list(config()))[:2]

    assert app.get_state(config()) == StateSnapshot(
        values={"x": 20, "log": ["a", "b"]},
        next=(),
        config=latest.config,
        metadata={"source": "loop", "step": 2, "parents": {}},
        created_at=latest.checkpoint["ts"],
        parent_config=parent.config,
        tasks=(),
        interrupts=(),
    )


def test_get_state_history_lists_snapshots_newest_first():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    history = list(app.get_state_history(config()))
    saved = list(saver.list(config()))

    assert [s.values for s in history] == [
        {"x": 20, "log": ["a", "b"]},
        {"x": 2, "log": ["a"]},
        {"x": 1, "log": []},
        {"log": []},
    ]
    assert [s.next for s in history] == [(), ("b",), ("a",), ("__start__",)]
    assert [s.config for s in history] == [t.config for t in saved]
    assert [s.parent_config for s in history] == [t.parent_config for t in saved]
    assert [s.created_at for s in history] == [t.checkpoint["ts"] for t in saved]
    assert [
        [(t.name, t.path, t.error, t.interrupts, t.state) for t in s.tasks] for s in history
    ] == [
        [],
        [("b", ("__pregel_pull", "b"), None, (), None)],
        [("a", ("__pregel_pull", "a"), None, (), None)],
        [("__start__", ("__pregel_pull", "__start__"), None, (), None)],
    ]
    assert all(isinstance(t, PregelTask) for s in history for t in s.tasks)


def test_history_tasks_show_the_state_update_they_made():
    app, _, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    assert [[t.result for t in s.tasks] for s in app.get_state_history(config())] == [
        [],
        [{"x": 20, "log": ["b"]}],
        [{"x": 2, "log": ["a"]}],
        [{"x": 1, "log": []}],
    ]


def test_get_state_history_filter_before_and_limit():
    app, _, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    history = list(app.get_state_history(config()))

    def stepped(snapshots):
        return [s.metadata["step"] for s in snapshots]

    assert stepped(app.get_state_history(config(), limit=2)) == [2, 1]
    assert stepped(app.get_state_history(config(), before=history[1].config)) == [0, -1]
    assert stepped(app.get_state_history(config(), filter={"source": "loop"})) == [2, 1, 0]
    assert stepped(app.get_state_history(config(), filter={"step": 1})) == [1]
    assert stepped(
        app.get_state_history(
            config(), before=history[0].config, limit=1, filter={"source": "loop"}
        )
    ) == [1]
    assert stepped(app.get_state_history(history[2].config)) == [0]


def test_get_state_at_an_older_checkpoint():
    app, _, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    old = list(app.get_state_history(config()))[2]
    snapshot = app.get_state(old.config)
    assert snapshot.values == {"x": 1, "log": []}
    assert snapshot.next == ("a",)
    assert snapshot.metadata == {"source": "loop", "step": 0, "parents": {}}
    assert snapshot.config == old.config


def test_get_state_of_an_unknown_thread_is_empty():
    app, _, _ = chain("a", "b")
    assert app.get_state(config("nope")) == StateSnapshot(
        values={},
        next=(),
        config={"configurable": {"thread_id": "nope"}},
        metadata=None,
        created_at=None,
        parent_config=None,
        tasks=(),
        interrupts=(),
    )
    assert list(app.get_state_history(config("nope"))) == []


# -- update_state --------------------------------------------------------------------------


def test_update_state_without_as_node_acts_as_the_last_node_that_ran():
    app, saver, calls = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    before = saver.get_tuple(config())

    returned = app.update_state(config(), {"x": 5})

    assert list(returned["configurable"]) == ["thread_id", "checkpoint_ns", "checkpoint_id"]
    saved = saver.get_tuple(config())
    assert saved.config == returned
    assert saved.metadata == {"source": "update", "step": 3, "parents": {}}
    assert saved.parent_config == before.config
    assert saved.pending_writes == []
    snapshot = app.get_state(config())
    assert (snapshot.values, snapshot.next, snapshot.tasks) == ({"x": 5, "log": ["a", "b"]}, (), ())

    calls.clear()
    assert app.invoke(None, config()) == {"x": 5, "log": ["a", "b"]}
    assert calls == []


def test_update_state_as_a_node_schedules_the_nodes_after_it():
    app, saver, calls = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())

    app.update_state(config(), {"x": 100, "log": ["u"]}, as_node="a")

    snapshot = app.get_state(config())
    assert snapshot.values == {"x": 100, "log": ["a", "b", "u"]}
    assert snapshot.next == ("b",)
    assert [(t.name, t.result) for t in snapshot.tasks] == [("b", None)]
    assert snapshot.metadata == {"source": "update", "step": 3, "parents": {}}

    calls.clear()
    assert app.invoke(None, config()) == {"x": 1000, "log": ["a", "b", "u", "b"]}
    assert calls == ["b"]
    assert steps(saver, config())[:2] == [("loop", 4), ("update", 3)]


def test_update_state_goes_through_reducers_and_accepts_none():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    app.update_state(config(), {"log": ["L"]})
    assert app.get_state(config()).values == {"x": 20, "log": ["a", "b", "L"]}

    app.update_state(config(), None)
    assert saver.get_tuple(config()).metadata == {"source": "update", "step": 4, "parents": {}}
    assert app.get_state(config()).values == {"x": 20, "log": ["a", "b", "L"]}


def test_update_state_while_paused_then_invoke_none_runs_the_next_node():
    app, saver, calls = chain("a", "b", interrupt_before=["b"])
    assert app.invoke({"x": 1, "log": []}, config()) == {"x": 2, "log": ["a"]}
    assert app.get_state(config()).next == ("b",)

    app.update_state(config(), {"x": 50})

    snapshot = app.get_state(config())
    assert snapshot.values == {"x": 50, "log": ["a"]}
    assert snapshot.next == ("b",)
    assert snapshot.metadata == {"source": "update", "step": 2, "parents": {}}
    calls.clear()
    assert app.invoke(None, config()) == {"x": 500, "log": ["a", "b"]}
    assert calls == ["b"]
    assert steps(saver, config()) == [
        ("loop", 3),
        ("update", 2),
        ("loop", 1),
        ("loop", 0),
        ("input", -1),
    ]


def test_update_state_as_the_paused_node_skips_it():
    app, _, calls = chain("a", "b", interrupt_before=["b"])
    app.invoke({"x": 1, "log": []}, config())
    app.update_state(config(), {"x": 7, "log": ["manual-b"]}, as_node="b")
    assert app.get_state(config()).next == ()
    calls.clear()
    assert app.invoke(None, config()) == {"x": 7, "log": ["a", "manual-b"]}
    assert calls == []


def test_update_state_on_a_new_thread_acts_as_the_input():
    app, _, calls = chain("a", "b")
    returned = app.update_state(config("empty"), {"x": 3})
    snapshot = app.get_state(config("empty"))
    assert snapshot.config == returned
    assert snapshot.values == {"x": 3, "log": []}
    assert snapshot.next == ("a",)
    assert snapshot.parent_config is None
    assert snapshot.metadata == {"source": "update", "step": 0, "parents": {}}

    calls.clear()
    assert app.invoke(None, config("empty")) == {"x": 40, "log": ["a", "b"]}
    assert calls == ["a", "b"]


def test_update_state_on_a_new_thread_as_a_node():
    app, _, calls = chain("a", "b")
    app.update_state(config("empty"), {"x": 3}, as_node="a")
    assert app.get_state(config("empty")).next == ("b",)
    calls.clear()
    assert app.invoke(None, config("empty")) == {"x": 30, "log": ["b"]}
    assert calls == ["b"]


def test_update_state_names_an_unknown_node_or_an_ambiguous_update():
    app, _, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    with pytest.raises(InvalidUpdateError, match="zzz"):
        app.update_state(config(), {"x": 1}, as_node="zzz")

    builder = StateGraph(State)
    builder.add_node("p1", lambda s: {"log": ["p1"]})
    builder.add_node("p2", lambda s: {"log": ["p2"]})
    builder.add_edge(START, "p1")
    builder.add_edge(START, "p2")
    parallel = builder.compile(checkpointer=InMemorySaver())
    parallel.invoke({"x": 0, "log": []}, config())
    with pytest.raises(InvalidUpdateError, match="as_node"):
        parallel.update_state(config(), {"x": 1})
    assert parallel.get_state(config()).metadata == {"source": "loop", "step": 1, "parents": {}}


def test_update_state_on_an_older_checkpoint_forks_the_thread():
    app, saver, calls = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    old = next(s for s in app.get_state_history(config()) if s.metadata["step"] == 0)
    original = [t.config for t in saver.list(config())]

    returned = app.update_state(old.config, {"x": 1000})

    fork = app.get_state(returned)
    assert fork.values == {"x": 1000, "log": []}
    assert fork.next == ("a",)
    assert fork.metadata == {"source": "update", "step": 1, "parents": {}}
    assert fork.parent_config == old.config
    assert app.get_state(config()).config == returned  # the fork is the thread's head
    assert [t.config for t in saver.list(config())][1:] == original  # the old branch stays

    calls.clear()
    assert app.invoke(None, returned) == {"x": 10010, "log": ["a", "b"]}
    assert calls == ["a", "b"]
    assert app.get_state(config()).values == {"x": 10010, "log": ["a", "b"]}


def test_continuing_from_an_update_checkpoint_saves_no_fork_checkpoint():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    old = next(s for s in app.get_state_history(config()) if s.metadata["step"] == 0)
    returned = app.update_state(old.config, {"x": 1000})
    app.invoke(None, returned)
    assert steps(saver, config()) == [
        ("loop", 3),
        ("loop", 2),
        ("update", 1),
        ("loop", 2),
        ("loop", 1),
        ("loop", 0),
        ("input", -1),
    ]


# -- replay --------------------------------------------------------------------------------


def test_replaying_from_a_checkpoint_reruns_only_the_nodes_after_it():
    app, saver, calls = chain("a", "b", "c")
    assert app.invoke({"x": 1, "log": []}, config()) == {"x": 19, "log": ["a", "b", "c"]}
    step1 = next(s for s in app.get_state_history(config()) if s.metadata["step"] == 1)
    assert step1.next == ("b",)
    replay = config(checkpoint_id=step1.config["configurable"]["checkpoint_id"])

    calls.clear()
    assert list(app.stream(None, replay, stream_mode="updates")) == [
        {"b": {"x": 20, "log": ["b"]}},
        {"c": {"x": 19, "log": ["c"]}},
    ]
    assert calls == ["b", "c"]
    saved = list(saver.list(config()))
    assert [(t.metadata["source"], t.metadata["step"]) for t in saved[:3]] == [
        ("loop", 4),
        ("loop", 3),
        ("fork", 2),
    ]
    fork = saved[2]
    assert fork.parent_config == step1.config
    assert fork.checkpoint["channel_values"] == {"x": 2, "log": ["a"], "branch:to:b": None}
    assert (
        fork.checkpoint["channel_versions"]
        == saver.get_tuple(step1.config).checkpoint["channel_versions"]
    )

    calls.clear()
    assert list(app.stream(None, replay, stream_mode="values")) == [
        {"x": 2, "log": ["a"]},
        {"x": 20, "log": ["a", "b"]},
        {"x": 19, "log": ["a", "b", "c"]},
    ]
    calls.clear()
    assert app.invoke(None, replay) == {"x": 19, "log": ["a", "b", "c"]}
    assert calls == ["b", "c"]


def test_replaying_the_final_checkpoint_runs_nothing_and_saves_a_fork():
    app, saver, calls = chain("a", "b", "c")
    app.invoke({"x": 1, "log": []}, config())
    final = app.get_state(config())
    count = len(list(saver.list(config())))

    calls.clear()
    assert list(app.stream(None, final.config, stream_mode="updates")) == []
    assert list(app.stream(None, final.config, stream_mode="values")) == [
        {"x": 19, "log": ["a", "b", "c"]}
    ]
    assert calls == []
    assert len(list(saver.list(config()))) == count + 2
    assert saver.get_tuple(config()).metadata == {"source": "fork", "step": 4, "parents": {}}


def test_replaying_the_input_checkpoint_reruns_every_node():
    app, saver, calls = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    first = list(app.get_state_history(config()))[-1]

    calls.clear()
    assert app.invoke(None, first.config) == {"x": 20, "log": ["a", "b"]}
    assert calls == ["a", "b"]
    assert steps(saver, config())[:4] == [("loop", 3), ("loop", 2), ("loop", 1), ("fork", 0)]
    fork = list(saver.list(config()))[3]
    assert fork.checkpoint["channel_values"] == {"__start__": {"x": 1, "log": []}}
    assert fork.parent_config == first.config


def test_replaying_an_unknown_checkpoint_has_no_input():
    app, _, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config())
    with pytest.raises(EmptyInputError):
        app.invoke(None, config(checkpoint_id="nonexistent"))
    assert app.get_state(config(checkpoint_id="nonexistent")).values == {}


def test_new_input_at_an_old_checkpoint_branches_from_it():
    app, saver, calls = chain("a", "b", "c")
    app.invoke({"x": 1, "log": []}, config())
    step1 = next(s for s in app.get_state_history(config()) if s.metadata["step"] == 1)

    calls.clear()
    assert app.invoke({"x": 100, "log": ["N"]}, step1.config) == {
        "x": 1009,
        "log": ["a", "N", "a", "b", "c"],
    }
    assert calls == ["a", "b", "c"]
    branch_input = next(
        t
        for t in saver.list(config())
        if t.metadata["source"] == "input" and t.metadata["step"] == 2
    )
    assert branch_input.parent_config == step1.config


# -- failures and pending writes ------------------------------------------------------------


def fan_in_with_a_flaky_node():
    """START → a, b (parallel) → c. b raises the first time it runs."""
    calls = {"a": 0, "b": 0, "c": 0}

    def a(state):
        calls["a"] += 1
        return {"x": 1, "log": ["a"]}

    def b(state):
        calls["b"] += 1
        if calls["b"] == 1:
            raise ValueError("boom")
        return {"log": ["b"]}

    def c(state):
        calls["c"] += 1
        return {"log": ["c"]}

    builder = StateGraph(State)
    builder.add_node("a", a)
    builder.add_node("b", b)
    builder.add_node("c", c)
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_edge(["a", "b"], "c")
    builder.add_edge("c", END)
    saver = InMemorySaver()
    return builder.compile(checkpointer=saver), saver, calls


def test_a_failed_node_leaves_its_siblings_writes_pending():
    app, saver, calls = fan_in_with_a_flaky_node()
    with pytest.raises(ValueError, match="boom"):
        app.invoke({"x": 0, "log": []}, config())
    assert calls == {"a": 1, "b": 1, "c": 0}

    saved = saver.get_tuple(config())
    assert saved.metadata == {"source": "loop", "step": 0, "parents": {}}
    names = {t.id: t.name for t in app.get_state(config()).tasks}
    assert sorted((names[t], c, v) for t, c, v in saved.pending_writes) == sorted(
        [
            ("a", "x", 1),
            ("a", "log", ["a"]),
            ("a", "join:a+b:c", "a"),
            ("b", "__error__", "ValueError('boom')"),
        ]
    )


def test_get_state_shows_the_error_on_the_failed_task():
    app, _, _ = fan_in_with_a_flaky_node()
    with pytest.raises(ValueError):
        app.invoke({"x": 0, "log": []}, config())
    tasks = {t.name: t for t in app.get_state(config()).tasks}
    assert tasks["b"].error == "ValueError('boom')"
    assert tasks["b"].result is None
    assert tasks["a"].error is None


def test_a_finished_siblings_task_shows_its_state_update():
    app, _, _ = fan_in_with_a_flaky_node()
    with pytest.raises(ValueError):
        app.invoke({"x": 0, "log": []}, config())
    tasks = {t.name: t for t in app.get_state(config()).tasks}
    assert tasks["a"].result == {"x": 1, "log": ["a"]}


def test_get_state_after_a_failure_applies_the_finished_siblings_writes():
    app, _, _ = fan_in_with_a_flaky_node()
    with pytest.raises(ValueError):
        app.invoke({"x": 0, "log": []}, config())
    snapshot = app.get_state(config())
    assert snapshot.values == {"x": 1, "log": ["a"]}
    assert snapshot.next == ("b",)


def test_invoke_none_after_a_failure_reruns_only_the_failed_node():
    app, saver, calls = fan_in_with_a_flaky_node()
    with pytest.raises(ValueError):
        app.invoke({"x": 0, "log": []}, config())
    failed_at = saver.get_tuple(config()).config

    assert app.invoke(None, config()) == {"x": 1, "log": ["a", "b", "c"]}
    assert calls == {"a": 1, "b": 2, "c": 1}
    assert steps(saver, config()) == [("loop", 2), ("loop", 1), ("loop", 0), ("input", -1)]
    # b's new writes join the failed step's checkpoint; its error write stays
    assert plain_writes(saver.get_tuple(failed_at))[3:] == [
        ("__error__", "ValueError('boom')"),
        ("log", ["b"]),
        ("join:a+b:c", "b"),
    ]
    assert app.get_state(config()).next == ()


def test_resuming_after_a_failure_streams_the_saved_writes_as_cached():
    app, _, calls = fan_in_with_a_flaky_node()
    chunks = []
    with pytest.raises(ValueError):
        for chunk in app.stream({"x": 0, "log": []}, config(), stream_mode="updates"):
            chunks.append(chunk)
    assert chunks == [{"a": {"x": 1, "log": ["a"]}}]
    assert list(app.stream(None, config(), stream_mode="updates")) == [
        {"a": {"x": 1, "log": ["a"]}, "__metadata__": {"cached": True}},
        {"b": {"log": ["b"]}},
        {"c": {"log": ["c"]}},
    ]
    assert calls == {"a": 1, "b": 2, "c": 1}


def test_a_failed_first_node_is_retried_by_invoke_none():
    count = {"n": 0}

    def flaky(state):
        count["n"] += 1
        if count["n"] == 1:
            raise KeyError("k")
        return {"x": 9}

    builder = StateGraph(State)
    builder.add_node("f", flaky)
    builder.add_edge(START, "f")
    app = builder.compile(checkpointer=InMemorySaver())
    with pytest.raises(KeyError):
        app.invoke({"x": 0, "log": []}, config())
    snapshot = app.get_state(config())
    assert (snapshot.values, snapshot.next) == ({"x": 0, "log": []}, ("f",))
    assert [(t.name, t.error) for t in snapshot.tasks] == [("f", "KeyError('k')")]
    assert app.invoke(None, config()) == {"x": 9, "log": []}
    assert count == {"n": 2}


# -- durability ----------------------------------------------------------------------------


@pytest.mark.parametrize("durability", ["sync", "async", None])
def test_durability_sync_and_async_save_every_step(durability):
    app, saver, _ = chain("a", "b")
    kwargs = {} if durability is None else {"durability": durability}
    assert app.invoke({"x": 1, "log": []}, config(), **kwargs) == {"x": 20, "log": ["a", "b"]}
    assert steps(saver, config()) == [("loop", 2), ("loop", 1), ("loop", 0), ("input", -1)]
    assert [len(t.pending_writes) for t in saver.list(config())] == [0, 2, 3, 3]


def test_durability_exit_saves_one_checkpoint_per_run():
    app, saver, _ = chain("a", "b")
    assert app.invoke({"x": 1, "log": []}, config(), durability="exit") == {
        "x": 20,
        "log": ["a", "b"],
    }
    (only,) = saver.list(config())
    assert only.checkpoint["channel_values"] == {"x": 20, "log": ["a", "b"]}
    assert only.parent_config is None
    assert only.pending_writes == []
    assert app.get_state(config()).values == {"x": 20, "log": ["a", "b"]}

    app.invoke({"x": 2, "log": []}, config(), durability="exit")
    assert len(list(saver.list(config()))) == 2


def test_durability_exit_numbers_the_final_checkpoint_as_the_last_step():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config(), durability="exit")
    assert steps(saver, config()) == [("loop", 2)]
    app.invoke({"x": 2, "log": []}, config(), durability="exit")
    assert steps(saver, config()) == [("loop", 6), ("loop", 2)]


def test_durability_exit_keeps_the_interrupt_of_the_step_it_stopped_in():
    def ask(state):
        return {"log": [interrupt("q")]}

    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"log": ["a"]})
    builder.add_node("ask", ask)
    builder.add_edge(START, "a")
    builder.add_edge("a", "ask")
    saver = InMemorySaver()
    app = builder.compile(checkpointer=saver)

    result = app.invoke({"x": 0, "log": []}, config(), durability="exit")
    (asked,) = result["__interrupt__"]
    (only,) = saver.list(config())
    assert only.metadata["step"] == 1
    assert only.checkpoint["channel_values"] == {"x": 0, "log": ["a"], "branch:to:ask": None}
    assert plain_writes(only) == [("__interrupt__", [asked])]
    assert app.get_state(config()).interrupts == (asked,)

    assert app.invoke(Command(resume="R"), config(), durability="exit") == {
        "x": 0,
        "log": ["a", "R"],
    }
    assert steps(saver, config()) == [("loop", 2), ("loop", 1)]


def test_durability_exit_keeps_the_error_of_the_step_it_stopped_in():
    def boom(state):
        raise ValueError("x")

    builder = StateGraph(State)
    builder.add_node("a", lambda s: {"log": ["a"]})
    builder.add_node("boom", boom)
    builder.add_edge(START, "a")
    builder.add_edge("a", "boom")
    saver = InMemorySaver()
    app = builder.compile(checkpointer=saver)
    with pytest.raises(ValueError):
        app.invoke({"x": 0, "log": []}, config(), durability="exit")
    (only,) = saver.list(config())
    assert only.metadata["step"] == 1
    assert only.checkpoint["channel_values"] == {"x": 0, "log": ["a"], "branch:to:boom": None}
    assert plain_writes(only) == [("__error__", "ValueError('x')")]


# -- delete_thread -------------------------------------------------------------------------


def test_delete_thread_forgets_one_thread():
    app, saver, _ = chain("a", "b")
    app.invoke({"x": 1, "log": []}, config("t1"))
    app.invoke({"x": 2, "log": []}, config("t2"))

    assert saver.delete_thread("t1") is None

    assert app.get_state(config("t1")) == StateSnapshot(
        {}, (), {"configurable": {"thread_id": "t1"}}, None, None, None, (), ()
    )
    assert saver.get_tuple(config("t1")) is None
    assert list(app.get_state_history(config("t1"))) == []
    assert len(list(saver.list(config("t2")))) == 4
    assert app.invoke({"x": 5, "log": []}, config("t1")) == {"x": 60, "log": ["a", "b"]}
    assert [s for _, s in steps(saver, config("t1"))] == [2, 1, 0, -1]


# -- async ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_runs_save_the_same_checkpoints():
    app, saver, _ = chain("a", "b")
    assert await app.ainvoke({"x": 1, "log": []}, config()) == {"x": 20, "log": ["a", "b"]}
    assert [
        c async for c in app.astream({"x": 3, "log": ["new"]}, config(), stream_mode="values")
    ] == [
        {"x": 3, "log": ["a", "b", "new"]},
        {"x": 4, "log": ["a", "b", "new", "a"]},
        {"x": 40, "log": ["a", "b", "new", "a", "b"]},
    ]
    assert [(t.metadata["source"], t.metadata["step"]) async for t in saver.alist(config())] == [
        ("loop", 6),
        ("loop", 5),
        ("loop", 4),
        ("input", 3),
        ("loop", 2),
        ("loop", 1),
        ("loop", 0),
        ("input", -1),
    ]


@pytest.mark.anyio
async def test_aget_state_and_history_match_the_sync_ones():
    app, _, _ = chain("a", "b")
    await app.ainvoke({"x": 1, "log": []}, config())
    assert await app.aget_state(config()) == app.get_state(config())
    assert [s async for s in app.aget_state_history(config(), limit=3)] == list(
        app.get_state_history(config(), limit=3)
    )
    assert (await app.aget_state(config("nope"))).values == {}
    with pytest.raises(ValueError, match="thread_id"):
        await app.ainvoke({"x": 1, "log": []}, {"configurable": {}})


@pytest.mark.anyio
async def test_aupdate_state_then_ainvoke_none_runs_the_next_node():
    app, _, calls = chain("a", "b", interrupt_before=["b"])
    assert await app.ainvoke({"x": 1, "log": []}, config()) == {"x": 2, "log": ["a"]}
    returned = await app.aupdate_state(config(), {"x": 50})
    snapshot = await app.aget_state(config())
    assert snapshot.config == returned
    assert (snapshot.values, snapshot.next) == ({"x": 50, "log": ["a"]}, ("b",))
    assert snapshot.metadata == {"source": "update", "step": 2, "parents": {}}
    calls.clear()
    assert await app.ainvoke(None, config()) == {"x": 500, "log": ["a", "b"]}
    assert calls == ["b"]


@pytest.mark.anyio
async def test_async_failure_resume_reruns_only_the_failed_node():
    app, _, calls = fan_in_with_a_flaky_node()
    with pytest.raises(ValueError, match="boom"):
        await app.ainvoke({"x": 0, "log": []}, config())
    tasks = {t.name: t for t in (await app.aget_state(config())).tasks}
    assert tasks["b"].error == "ValueError('boom')"
    assert [c async for c in app.astream(None, config(), stream_mode="updates")] == [
        {"a": {"x": 1, "log": ["a"]}, "__metadata__": {"cached": True}},
        {"b": {"log": ["b"]}},
        {"c": {"log": ["c"]}},
    ]
    assert calls == {"a": 1, "b": 2, "c": 1}


@pytest.mark.anyio
async def test_async_replay_reruns_only_the_nodes_after_the_checkpoint():
    app, _, calls = chain("a", "b", "c")
    await app.ainvoke({"x": 1, "log": []}, config())
    [step1] = [s async for s in app.aget_state_history(config(), filter={"step": 1})]
    calls.clear()
    assert [c async for c in app.astream(None, step1.config, stream_mode="updates")] == [
        {"b": {"x": 20, "log": ["b"]}},
        {"c": {"x": 19, "log": ["c"]}},
    ]
    assert calls == ["b", "c"]


@pytest.mark.anyio
async def test_async_durability_exit_saves_one_checkpoint():
    app, saver, _ = chain("a", "b")
    await app.ainvoke({"x": 1, "log": []}, config(), durability="exit")
    assert [t.checkpoint["channel_values"] async for t in saver.alist(config())] == [
        {"x": 20, "log": ["a", "b"]}
    ]


@pytest.mark.anyio
async def test_async_interrupt_is_saved_and_resumed():
    def ask(state):
        return {"log": [interrupt("q")]}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    app = builder.compile(checkpointer=InMemorySaver())
    result = await app.ainvoke({"x": 0, "log": []}, config())
    assert [i.value for i in result["__interrupt__"]] == ["q"]
    assert isinstance(result["__interrupt__"][0], Interrupt)
    assert (await app.aget_state(config())).next == ("ask",)
    assert await app.ainvoke(Command(resume="R"), config()) == {"x": 0, "log": ["R"]}


class _AsyncOnlySaver(InMemorySaver):
    """A saver whose sync reads fail once the run is done: async code must not call them."""

    sync_reads_allowed = True

    def get_tuple(self, config):
        assert self.sync_reads_allowed, "a sync get_tuple was called from async code"
        return super().get_tuple(config)

    async def aget_tuple(self, config):
        return super().get_tuple(config)


@pytest.mark.anyio
async def test_aget_state_with_subgraphs_reads_the_subgraphs_with_the_async_saver_methods():
    class Log(TypedDict):
        log: Annotated[list, operator.add]

    inner = StateGraph(Log)
    inner.add_node("child", lambda state: {"log": [interrupt("first?")]})
    inner.add_edge(START, "child")
    outer = StateGraph(Log)
    outer.add_node("sub", inner.compile())
    outer.add_edge(START, "sub")
    saver = _AsyncOnlySaver()
    graph = outer.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "async-nest"}}
    await graph.ainvoke({"log": []}, config)
    saver.sync_reads_allowed = False
    (task,) = (await graph.aget_state(config, subgraphs=True)).tasks
    assert task.state.next == ("child",)
    assert [i.value for i in task.state.interrupts] == ["first?"]


@pytest.mark.parametrize("durability", ["sync", "async"])
def test_a_saver_whose_put_writes_takes_no_task_path_is_called_as_langgraph_calls_it(durability):
    # LangGraph calls put_writes(config, writes, task_id); savers written for it may
    # override the method with those three parameters only.

    calls = []

    class ThreeArgs(InMemorySaver):
        def put_writes(self, config, writes, task_id):
            calls.append(task_id)
            return super().put_writes(config, writes, task_id)

        async def aput_writes(self, config, writes, task_id):
            calls.append(task_id)
            return super().put_writes(config, writes, task_id)

    class Two(TypedDict, total=False):
        a: int
        b: int

    builder = StateGraph(Two).add_node("a", lambda s: {"a": 1}).add_node("b", lambda s: {"b": 2})
    graph = builder.add_edge(START, "a").add_edge(START, "b").compile(checkpointer=ThreeArgs())
    config = {"configurable": {"thread_id": durability}}

    assert graph.invoke({}, config, durability=durability) == {"a": 1, "b": 2}
    assert len(calls) >= 2


@pytest.mark.anyio
async def test_an_async_saver_whose_aput_writes_takes_no_task_path():

    calls = []

    class ThreeArgs(InMemorySaver):
        async def aput_writes(self, config, writes, task_id):
            calls.append(task_id)
            return super().put_writes(config, writes, task_id)

    class One(TypedDict, total=False):
        a: int

    graph = StateGraph(One).add_node("a", lambda s: {"a": 1}).add_edge(START, "a")
    graph = graph.compile(checkpointer=ThreeArgs())
    assert await graph.ainvoke({}, {"configurable": {"thread_id": "t"}}) == {"a": 1}
    assert calls
