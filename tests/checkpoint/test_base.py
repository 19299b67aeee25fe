"""Savers check the shape of what they decode (checkpoint.checks.check_skeleton / check_writes):
well-formed msgpack of the wrong shape is a ``CheckpointDecodeError`` naming the thread and the
checkpoint, raised by the saver, never an ``AttributeError`` or ``TypeError`` from the engine;
other threads stay readable."""

import contextlib
import operator
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list, operator.add]


def ask(state: State) -> dict:
    return {"log": [interrupt("ok?")]}


def graph(saver):
    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    return builder.compile(checkpointer=saver)


def store_skeleton(saver, thread: str, skeleton: Any, metadata: Any = None) -> str:
    """Overwrite the latest checkpoint of ``thread`` (and its metadata) with these values."""
    latest = saver.get_tuple({"configurable": {"thread_id": thread}})
    checkpoint_id = latest.config["configurable"]["checkpoint_id"]
    serde = MsgpackSerde()
    kind, data = serde.dumps_typed(skeleton)
    meta = serde.dumps_typed(latest.metadata if metadata is None else metadata)
    if isinstance(saver, SqliteSaver):
        saver.conn.execute(
            "UPDATE checkpoints SET type = ?, checkpoint = ?, metadata_type = ?, metadata = ? "
            "WHERE thread_id = ? AND checkpoint_id = ?",
            (kind, data, *meta, thread, checkpoint_id),
        )
    else:
        entry = saver.storage[thread][""][checkpoint_id]
        saver.storage[thread][""][checkpoint_id] = ((kind, data), meta, entry[2])
    return checkpoint_id


def skeleton_of(saver, thread: str) -> dict[str, Any]:
    found = saver.get_tuple({"configurable": {"thread_id": thread}}).checkpoint
    return {k: v for k, v in found.items() if k != "channel_values"}


SKELETONS = {
    "a list for the checkpoint": lambda s: [s],
    "channel_versions a list": lambda s: {**s, "channel_versions": list(s["channel_versions"])},
    "a version a dict": lambda s: {**s, "channel_versions": {"log": {"v": 1}}},
    "versions_seen of a node a str": lambda s: {**s, "versions_seen": {"ask": "x"}},
    "versions_seen a list": lambda s: {**s, "versions_seen": [1]},
    "updated_channels a str": lambda s: {**s, "updated_channels": "log"},
    "no channel_versions": lambda s: {k: v for k, v in s.items() if k != "channel_versions"},
    "an id of another checkpoint": lambda s: {**s, "id": "someone-else"},
    "ts a number": lambda s: {**s, "ts": 5},
}

METADATA = {
    "metadata a list": ["step", 1],
    "step a str": {"source": "loop", "step": "one", "parents": {}},
    "parents a list": {"source": "loop", "step": 1, "parents": ["x"]},
}

WRITES = {
    "an interrupt write a dict": ("__interrupt__", {"value": "ok?"}),
    "an interrupt write of strings": ("__interrupt__", ["ok?"]),
    "a resume write an int": ("__resume__", 5),
}


@contextlib.contextmanager
def saver_of(kind, tmp_path):
    if kind == "memory":
        yield InMemorySaver()
    else:
        with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
            yield saver


def paused(saver) -> Any:
    app = graph(saver)
    for thread in ("broken", "fine"):
        app.invoke({"log": []}, {"configurable": {"thread_id": thread}})
    return app


def assert_unreadable_but_others_fine(app, checkpoint_id: str | None) -> None:
    broken = {"configurable": {"thread_id": "broken"}}
    pattern = r"checkpoint '.*' of thread 'broken'"
    if checkpoint_id:
        pattern = f"checkpoint '{checkpoint_id}' of thread 'broken'"
    for call in (
        lambda: app.get_state(broken),
        lambda: app.invoke(Command(resume="yes"), broken),
        lambda: list(app.get_state_history(broken)),
    ):
        with pytest.raises(CheckpointDecodeError, match=pattern):
            call()
    fine = {"configurable": {"thread_id": "fine"}}
    assert app.get_state(fine).next == ("ask",)
    assert app.invoke(Command(resume="yes"), fine) == {"log": ["yes"]}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize("case", SKELETONS)
def test_a_checkpoint_of_the_wrong_shape_is_a_decode_error_naming_it(tmp_path, kind, case):
    with saver_of(kind, tmp_path) as saver:
        app = paused(saver)
        checkpoint_id = store_skeleton(
            saver, "broken", SKELETONS[case](skeleton_of(saver, "broken"))
        )
        assert_unreadable_but_others_fine(app, checkpoint_id)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize("case", METADATA)
def test_metadata_of_the_wrong_shape_is_a_decode_error_naming_the_checkpoint(tmp_path, kind, case):
    with saver_of(kind, tmp_path) as saver:
        app = paused(saver)
        skeleton = skeleton_of(saver, "broken")
        checkpoint_id = store_skeleton(saver, "broken", skeleton, METADATA[case])
        assert_unreadable_but_others_fine(app, checkpoint_id)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize("case", WRITES)
def test_a_pending_write_of_the_wrong_shape_is_a_decode_error_naming_the_checkpoint(
    tmp_path, kind, case
):
    with saver_of(kind, tmp_path) as saver:
        app = paused(saver)
        latest = saver.get_tuple({"configurable": {"thread_id": "broken"}})
        task_id = latest.pending_writes[0][0]
        saver.put_writes(latest.config, [WRITES[case]], task_id)
        assert_unreadable_but_others_fine(app, latest.config["configurable"]["checkpoint_id"])


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_runs_own_resume_value_saved_for_no_task_may_be_any_value(tmp_path, kind):
    # LangGraph saves Command(resume=value) as (NULL task id, "__resume__", value)
    with saver_of(kind, tmp_path) as saver:
        app = paused(saver)
        config = {"configurable": {"thread_id": "broken"}}
        latest = saver.get_tuple(config)
        saver.put_writes(
            latest.config, [("__resume__", "")], "00000000-0000-0000-0000-000000000000"
        )
        assert app.get_state(config).next == ("ask",)
        assert len(list(app.get_state_history(config))) >= 1
