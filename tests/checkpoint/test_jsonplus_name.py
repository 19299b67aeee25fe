"""``JsonPlusSerializer``: LangGraph's name for our safe serializer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TypedDict

import pytest

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde
from langgraph_lite.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph_lite.graph import START, StateGraph


@dataclasses.dataclass
class Point:
    x: int
    y: int


def test_it_is_the_safe_serializer():
    serde = JsonPlusSerializer()
    assert isinstance(serde, MsgpackSerde)
    assert serde.pickle_fallback is False
    value = {"when": dt.date(2026, 1, 2), "items": [1, "a", None]}
    assert serde.loads_typed(serde.dumps_typed(value)) == value
    # a class nobody allowed is refused when decoding, not rebuilt
    data = serde.dumps_typed(Point(1, 2))
    with pytest.raises(CheckpointDecodeError):
        serde.loads_typed(data)


@pytest.mark.parametrize("allowed", [[Point], [(__name__, "Point")]])
def test_allowed_msgpack_modules_names_classes_to_rebuild(allowed):
    serde = JsonPlusSerializer(allowed_msgpack_modules=allowed)
    assert serde.loads_typed(serde.dumps_typed(Point(1, 2))) == Point(1, 2)


def test_with_msgpack_allowlist_returns_a_wider_copy():
    narrow = JsonPlusSerializer()
    wide = narrow.with_msgpack_allowlist([Point])
    assert wide.loads_typed(wide.dumps_typed(Point(3, 4))) == Point(3, 4)
    with pytest.raises(CheckpointDecodeError):
        narrow.loads_typed(narrow.dumps_typed(Point(3, 4)))


def test_a_saver_takes_it():
    class State(TypedDict):
        p: Point

    builder = StateGraph(State)
    builder.add_node("move", lambda s: {"p": Point(s["p"].x + 1, 0)})
    builder.add_edge(START, "move")
    saver = InMemorySaver(serde=JsonPlusSerializer(allowed_msgpack_modules=[Point]))
    app = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"p": Point(1, 0)}, config)
    assert app.get_state(config).values == {"p": Point(2, 0)}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"pickle_fallback": True}, "never unpickles"),
        ({"allowed_msgpack_modules": True}, "only the types it was told about"),
        ({"allowed_json_modules": [("my", "Mod")]}, "hold no JSON"),
    ],
)
def test_the_unsafe_options_are_refused_with_the_safe_way(kwargs, words):
    with pytest.raises(ValueError, match=words):
        JsonPlusSerializer(**kwargs)


@pytest.mark.parametrize(
    ("entry", "error", "words"),
    [
        ("Point", TypeError, "classes or \\(module, name\\) tuples"),
        ((__name__, "Nowhere"), ValueError, "does not define"),
        ((__name__, "test_a_saver_takes_it"), TypeError, "not a class"),
    ],
)
def test_bad_allowlist_entries_are_named(entry, error, words):
    with pytest.raises(error, match=words):
        JsonPlusSerializer(allowed_msgpack_modules=[entry])
