"""``InMemorySaver(factory=...)``: its tables made by a ``defaultdict`` class, LangGraph's way
of keeping them in a ``PersistentDict`` (written to a file when the saver's ``with`` ends)."""

import operator
import pickle
from functools import partial
from typing import Annotated, TypedDict

import pytest

from langgraph_lite.checkpoint.base import SerializerProtocol
from langgraph_lite.checkpoint.memory import InMemorySaver, PersistentDict
from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.graph import END, START, StateGraph

pytestmark = pytest.mark.anyio


class Log(TypedDict):
    k: Annotated[list, operator.add]


def graph(saver):
    builder = StateGraph(Log)
    builder.add_node("a", lambda state: {"k": ["a"]})
    builder.add_edge(START, "a")
    builder.add_edge("a", END)
    return builder.compile(checkpointer=saver)


def test_a_saver_on_persistent_dicts_runs_and_writes_them_out_when_closed(tmp_path):
    path = tmp_path / "tables.pickle"
    config = {"configurable": {"thread_id": "t"}}
    with InMemorySaver(factory=partial(PersistentDict, filename=str(path))) as saver:
        assert isinstance(saver.storage, PersistentDict)
        app = graph(saver)
        app.invoke({"k": ["in"]}, config)
        assert app.invoke({"k": ["again"]}, config) == {"k": ["in", "a", "again", "a"]}
        assert len(list(app.get_state_history(config))) == 6
        assert not path.exists()  # written when the saver's block ends
    with path.open("rb") as file:  # (the test's own reading: the library never unpickles it)
        written = pickle.load(file)
    assert set(written) == {"t"} and len(written["t"][""]) == 6
    assert saver.storage == {}  # closed: emptied


async def test_the_saver_is_an_async_context_manager_too(tmp_path):
    path = tmp_path / "tables.pickle"
    async with InMemorySaver(factory=partial(PersistentDict, filename=str(path))) as saver:
        await graph(saver).ainvoke({"k": []}, {"configurable": {"thread_id": "t"}})
    assert path.exists()


def test_a_plain_saver_has_plain_tables_and_an_empty_stack():
    saver = InMemorySaver()
    assert type(saver.storage) is type(saver.writes)  # defaultdicts, as before
    with saver as same:
        assert same is saver
    graph(saver).invoke({"k": []}, {"configurable": {"thread_id": "t"}})  # still usable


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    table = PersistentDict(filename=str(tmp_path / "t.pickle"))
    table["x"] = lambda: None  # cannot be pickled
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        table.sync()
    assert list(tmp_path.iterdir()) == []


def test_our_serializer_meets_langgraphs_serializer_protocol():
    assert isinstance(MsgpackSerde(), SerializerProtocol)
    assert not isinstance(object(), SerializerProtocol)
