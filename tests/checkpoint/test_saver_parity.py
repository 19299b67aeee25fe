"""Details where both savers must agree with LangGraph's (found running its conformance suite
and probes side by side)."""

import contextlib

import pytest

from langgraph_lite.checkpoint.base import empty_checkpoint
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import SqliteSaver

SAVERS = [
    pytest.param(lambda: contextlib.nullcontext(InMemorySaver()), id="memory"),
    pytest.param(lambda: SqliteSaver.from_conn_string(":memory:"), id="sqlite"),
]


def put_one(saver, thread="t", metadata=None):
    checkpoint = empty_checkpoint()
    return saver.put({"configurable": {"thread_id": thread}}, checkpoint, metadata or {}, {})


@pytest.mark.parametrize("make", SAVERS)
def test_an_empty_checkpoint_id_means_the_latest(make):
    with make() as saver:
        config = put_one(saver)
        found = saver.get_tuple({"configurable": {"thread_id": "t", "checkpoint_id": ""}})
        assert found is not None and found.config == config


@pytest.mark.parametrize("make", SAVERS)
def test_a_none_filter_matches_a_missing_metadata_key(make):
    with make() as saver:
        put_one(saver, metadata={"source": "loop"})
        assert len(list(saver.list(None, filter={"absent": None}))) == 1
        assert list(saver.list(None, filter={"source": None})) == []


@pytest.mark.parametrize("make", SAVERS)
def test_pending_writes_come_back_in_task_path_order(make):
    with make() as saver:
        config = put_one(saver)
        saver.put_writes(config, [("x", 2)], "task-a", "~__pregel_push|1")
        saver.put_writes(config, [("x", 1)], "task-b", "~__pregel_pull|node")
        writes = saver.get_tuple(config).pending_writes
        assert [w[0] for w in writes] == ["task-b", "task-a"]
