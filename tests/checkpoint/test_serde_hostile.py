"""The serializer against nested and adversarial input: decoding never crashes the process and
raises nothing but ``CheckpointDecodeError``; values deeper than ``MAX_DEPTH`` are refused when
saved, and everything that saves loads.

Decodes of hostile bytes that could exhaust the C stack run in a child interpreter, so that a
crash fails the test instead of killing pytest.
"""

import operator
import os
import textwrap
from pathlib import Path
from typing import Annotated, Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
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


# -- properties over adversarial input -------------------------------------------------------
#
# The ``check_*`` properties below decode hostile bytes. They run in a child interpreter (see
# test_hostile_decoding_never_crashes_and_raises_only_checkpoint_decode_error), where a crash
# is a failed test; ``LANGGRAPH_LITE_SERDE_EXAMPLES`` sets how many examples each tries.

EXT_CODES = st.integers(min_value=0, max_value=127) | st.integers(min_value=0, max_value=14)


def ext_payloads(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=12) | inner.map(lambda v: msgpack.packb(v, use_bin_type=True))


well_formed = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=8),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=4) | st.integers(-5, 5), inner, max_size=3),
        st.builds(msgpack.ExtType, EXT_CODES, ext_payloads(inner)),
        # a marked list: the marker first, then anything
        st.builds(
            lambda code, rest: [msgpack.ExtType(13, bytes([code])), *rest],
            st.integers(min_value=0, max_value=15),
            st.lists(inner, max_size=4),
        ),
        st.builds(
            lambda name, kind, fields: [msgpack.ExtType(13, b"\x0b"), name, kind, fields],
            st.sampled_from(["os:system", "langgraph_lite.types:Send", "x"]),
            st.sampled_from(["pydantic", "dataclass", "enum", "namedtuple", "slots", "?"]),
            inner,
        ),
    ),
    max_leaves=20,
)


def nested_ext(draw_depth: int, code: int) -> bytes:
    data = msgpack.packb(None)
    for _ in range(draw_depth):
        data = msgpack.packb(msgpack.ExtType(code, b"\x91" + data))
    return data


def nested_marks(depth: int, code: int) -> bytes:
    return (b"\x92\xd4\x0d" + bytes([code])) * depth + b"\xc0"


hostile_bytes = st.one_of(
    st.binary(max_size=256),
    well_formed.map(lambda v: msgpack.packb(v, use_bin_type=True)),
    st.builds(nested_ext, st.integers(min_value=1, max_value=3000), st.sampled_from([1, 2, 11])),
    st.builds(nested_marks, st.integers(min_value=1, max_value=3000), st.sampled_from([1, 3, 11])),
    st.builds(
        lambda v, cut: MsgpackSerde().dumps(v)[:cut],
        st.deferred(lambda: stdlib_values),
        st.integers(min_value=0, max_value=64),
    ),
)


def decode_or_refuse(data: bytes) -> None:
    try:
        MsgpackSerde().loads(data)
    except CheckpointDecodeError:
        pass


def check_hostile_bytes_decode_or_raise_checkpoint_decode_error(examples: int) -> None:
    @settings(max_examples=examples, deadline=None, database=None)
    @given(hostile_bytes)
    def prop(data):
        decode_or_refuse(data)

    prop()


def check_saved_rows_of_any_shape_are_checkpoint_decode_errors(examples: int) -> None:
    """Well-formed msgpack of random shapes stored as a checkpoint, its metadata and writes:
    the saver hands it out or raises CheckpointDecodeError, nothing else."""

    @settings(max_examples=examples, deadline=None, database=None)
    @given(well_formed, well_formed, well_formed)
    def prop(skeleton, metadata, write):
        saver = InMemorySaver()
        config = saver.put(
            {"configurable": {"thread_id": "t", "checkpoint_ns": ""}},
            {**_empty(), "channel_values": {}},
            {"source": "input", "step": -1},
            {},
        )
        checkpoint_id = config["configurable"]["checkpoint_id"]
        entry = saver.storage["t"][""][checkpoint_id]
        pack = lambda v: ("msgpack", msgpack.packb(v, use_bin_type=True))  # noqa: E731
        saver.storage["t"][""][checkpoint_id] = (pack(skeleton), pack(metadata), entry[2])
        saver.writes[("t", "", checkpoint_id)][("task", -3)] = (
            "task",
            "__interrupt__",
            pack(write),
            "",
        )
        try:
            saver.get_tuple({"configurable": {"thread_id": "t"}})
        except CheckpointDecodeError:
            pass

    prop()


def _empty() -> dict[str, Any]:
    from langgraph_lite.checkpoint.base import empty_checkpoint

    return dict(empty_checkpoint())


stdlib_values = st.recursive(
    st.none() | st.integers() | st.text(max_size=5) | st.datetimes() | st.uuids() | st.decimals(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        | st.frozensets(st.integers(), max_size=3)
    ),
    max_leaves=10,
)

HOSTILE_CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
import test_serde_hostile as t
examples = int(sys.argv[2])
t.check_hostile_bytes_decode_or_raise_checkpoint_decode_error(examples)
t.check_saved_rows_of_any_shape_are_checkpoint_decode_errors(examples)
print("ok")
"""


def test_hostile_decoding_never_crashes_and_raises_only_checkpoint_decode_error(isolated):
    examples = os.environ.get("LANGGRAPH_LITE_SERDE_EXAMPLES", "150")
    done = isolated(HOSTILE_CHILD, str(Path(__file__).parent), examples, timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-4000:]}"
    assert done.stdout.strip() == "ok"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["list", "tuple", "dict", "frozenset", "model"]), min_size=1),
    st.integers(min_value=1, max_value=MAX_DEPTH + 40),
)
def test_nesting_of_any_kinds_saves_and_loads_up_to_the_limit_and_is_refused_beyond(kinds, depth):
    wraps = {
        "list": lambda v: [v],
        "tuple": lambda v: (v,),
        "dict": lambda v: {"k": v},
        "frozenset": lambda v: frozenset([v]) if _hashable(v) else (v,),
        "model": lambda v: Box(inner=v),
    }
    value: Any = 1
    levels = 0
    i = 0
    while levels < depth:
        kind = kinds[i % len(kinds)]
        step = 2 if kind == "model" else 1
        if levels + step > depth:
            kind, step = "list", 1
        value = wraps[kind](value)
        levels += step
        i += 1
    serde = MsgpackSerde(allowed=[Box])
    if depth <= MAX_DEPTH:
        assert serde.loads(serde.dumps(value)).__class__ is value.__class__
    elif depth > MAX_DEPTH + 1:
        with pytest.raises(TypeError, match="Recursion limit reached"):
            serde.dumps(value)


class Box(BaseModel):
    inner: Any


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except (TypeError, RecursionError):
        return False
    return True
