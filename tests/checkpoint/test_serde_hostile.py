"""The serializer against nested and adversarial input: decoding never crashes the process and
raises nothing but ``CheckpointDecodeError``; values deeper than ``MAX_DEPTH`` are refused when
saved, and everything that saves loads.

Decodes of hostile bytes that could exhaust the C stack run in a child interpreter, so that a
crash fails the test instead of killing pytest.
"""

import operator
import textwrap
from typing import Annotated, Any

import msgpack
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.serde import MAX_DEPTH, CheckpointDecodeError, MsgpackSerde
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.graph import START, StateGraph

# Old-format extension codes (see serde.py): a tuple, an object.
TUPLE_EXT, OBJECT_EXT = 1, 11


def chain(depth: int, wrap: Any, bottom: Any) -> Any:
    """``bottom`` (one level deep) wrapped until the result is ``depth`` levels deep; ``wrap``
    is one function or a list of them taken in turn."""
    wraps = wrap if isinstance(wrap, list) else [wrap]
    value = bottom
    for i in range(depth - 1):
        value = wraps[i % len(wraps)](value)
    return value


def depth_of(value: Any) -> int:
    """Levels of nesting, counted without recursion (the values here are too deep for it)."""
    best, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, tuple, set, frozenset)):
            best = max(best, level)
            stack.extend((x, level + 1) for x in item)
        elif isinstance(item, dict):
            best = max(best, level)
            stack.extend((x, level + 1) for x in (*item.keys(), *item.values()))
    return best


def equal_deep(a: Any, b: Any) -> bool:
    """``a == b`` with the same types, without recursion."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, (list, tuple)):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif isinstance(x, dict):
            if x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif x != y:
            return False
    return True


SHAPES = {
    "tuples": (lambda v: (v,), ()),
    "lists": (lambda v: [v], [1]),
    "dicts": (lambda v: {"k": v}, {"k": 1}),
    "mixed": ([lambda v: [v], lambda v: {"k": v}, lambda v: (v,)], frozenset({1})),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", [200, MAX_DEPTH])
def test_values_up_to_the_depth_limit_round_trip(shape, depth):
    wrap, bottom = SHAPES[shape]
    value = chain(depth, wrap, bottom)
    assert depth_of(value) == depth
    serde = MsgpackSerde()
    assert equal_deep(serde.loads(serde.dumps(value)), value)


@pytest.mark.parametrize("shape", SHAPES)
def test_values_deeper_than_the_limit_are_refused_when_saved(shape):
    wrap, bottom = SHAPES[shape]
    value = chain(MAX_DEPTH + 2, wrap, bottom)
    with pytest.raises(TypeError, match=f"Recursion limit reached.*deeper than {MAX_DEPTH}"):
        MsgpackSerde().dumps(value)


class State(TypedDict):
    value: Any
    log: Annotated[list, operator.add]


def nesting_graph(saver, depth):
    builder = StateGraph(State)
    builder.add_node("nest", lambda s: {"value": chain(depth, lambda v: (v,), ()), "log": ["n"]})
    builder.add_edge(START, "nest")
    return builder.compile(checkpointer=saver)


def test_a_value_nested_past_the_limit_is_refused_at_save_time_naming_the_channel():
    app = nesting_graph(InMemorySaver(), MAX_DEPTH + 5)
    with pytest.raises(
        TypeError, match=r"Recursion limit reached.*saving the write to 'value' of thread 't'"
    ):
        app.invoke({"value": 0, "log": []}, {"configurable": {"thread_id": "t"}})


DEEP_STATE_PROGRAM = textwrap.dedent(
    """
    import sys
    from typing import Annotated, Any
    import operator
    from typing_extensions import TypedDict
    from langgraph_lite.checkpoint.sqlite import SqliteSaver
    from langgraph_lite.graph import START, StateGraph

    class State(TypedDict):
        value: Any

    def nest(state):
        value = ()
        for _ in range(int(sys.argv[2])):
            value = (value,)
        return {"value": value}

    builder = StateGraph(State)
    builder.add_node("nest", nest)
    builder.add_edge(START, "nest")
    config = {"configurable": {"thread_id": "deep"}}
    with SqliteSaver.from_conn_string(sys.argv[1]) as saver:
        app = builder.compile(checkpointer=saver)
        if sys.argv[3] == "save":
            app.invoke({"value": 0}, config)
        value, depth = app.get_state(config).values["value"], 0
        while value != ():
            value, depth = value[0], depth + 1
        print(depth)
    """
)


def test_a_state_nested_200_deep_saved_by_the_engine_loads_in_a_new_process(tmp_path, isolated):
    db = str(tmp_path / "db.sqlite")
    saved = isolated(DEEP_STATE_PROGRAM, db, "200", "save")
    assert (saved.returncode, saved.stdout.strip()) == (0, "200"), saved.stderr
    loaded = isolated(DEEP_STATE_PROGRAM, db, "200", "load")
    assert (loaded.returncode, loaded.stdout.strip()) == (0, "200"), loaded.stderr


def old_format_tuples(depth: int) -> bytes:
    """Tuples nested ``depth`` deep in the old format, each one's items packed inside it."""
    data = msgpack.packb([])
    for _ in range(depth):
        data = msgpack.packb(msgpack.ExtType(TUPLE_EXT, b"\x91" + data))
    return data


def old_format_objects(depth: int) -> bytes:
    data = msgpack.packb(None)
    for _ in range(depth):
        inner = b"\x93" + msgpack.packb("x:Y") + msgpack.packb("slots") + b"\x81\xa1f" + data
        data = msgpack.packb(msgpack.ExtType(OBJECT_EXT, inner))
    return data


HOSTILE_ROW_PROGRAM = textwrap.dedent(
    """
    import sys, threading
    from langgraph_lite.checkpoint.serde import CheckpointDecodeError
    from langgraph_lite.checkpoint.sqlite import SqliteSaver

    outcome = []
    def read():
        with SqliteSaver.from_conn_string(sys.argv[1]) as saver:
            for thread in ("hostile", "fine"):
                try:
                    t = saver.get_tuple({"configurable": {"thread_id": thread}})
                    outcome.append(f"{thread}:ok:{t.checkpoint['channel_values'].get('log')}")
                except CheckpointDecodeError as exc:
                    outcome.append(f"{thread}:refused:{'thread' in str(exc)}")
    threading.stack_size(int(sys.argv[2]))  # worker threads may have small stacks
    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    print(" ".join(outcome))
    """
)


@pytest.mark.parametrize("payload", ["tuples", "objects"])
@pytest.mark.parametrize("depth", [250, 5000])
def test_a_hostile_row_of_old_format_nesting_is_refused_without_crashing(
    tmp_path, isolated, payload, depth
):
    db = str(tmp_path / "db.sqlite")
    with SqliteSaver.from_conn_string(db) as saver:
        app = nesting_graph(saver, 3)
        for thread in ("hostile", "fine"):
            app.invoke({"value": 0, "log": []}, {"configurable": {"thread_id": thread}})
        data = (old_format_tuples if payload == "tuples" else old_format_objects)(depth)
        saver.conn.execute(
            "UPDATE blobs SET type = 'msgpack', blob = ? WHERE thread_id = 'hostile' "
            "AND channel = 'log'",
            (data,),
        )
    done = isolated(HOSTILE_ROW_PROGRAM, db, str(512 * 1024))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["hostile:refused:True", "fine:ok:['n']"]


def test_old_format_nesting_within_its_bound_still_loads():
    assert equal_deep(MsgpackSerde().loads(old_format_tuples(150)), chain(151, lambda v: (v,), []))


@pytest.mark.parametrize(
    "data",
    [
        msgpack.packb([1, msgpack.ExtType(13, b"\x01")]),  # a marker not at a list's start
        msgpack.packb({"k": msgpack.ExtType(13, b"\x01")}),
        msgpack.packb(msgpack.ExtType(13, b"\x01")),
        msgpack.packb([msgpack.ExtType(13, b"\x63")]),  # a marker of no type
        msgpack.packb([msgpack.ExtType(13, b"\x0b"), "x:Y"]),  # an object without its fields
        msgpack.packb([msgpack.ExtType(13, b"\x02"), [1]]),  # a set of a list
        msgpack.packb({(1,): 2}),
    ],
    ids=["marker-inside", "marker-value", "marker-alone", "unknown", "short", "unhashable", "k"],
)
def test_malformed_marked_lists_raise_checkpoint_decode_error(data):
    with pytest.raises(CheckpointDecodeError):
        MsgpackSerde().loads(data)
