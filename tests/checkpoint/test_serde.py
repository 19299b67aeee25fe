"""The checkpoint serializer: values round-trip, and decoding rebuilds only allowed types.

``MsgpackSerde`` is our own design (LangGraph's JsonPlusSerializer differs), so these tests
state its contract rather than compare with LangGraph: every standard-library value type comes
back equal and of the same type; user classes come back once allowed; a payload that names
any other class is refused with ``CheckpointDecodeError`` and nothing is imported or called.
"""

import dataclasses
import datetime as dt
import enum
import os
import pathlib
import sys
from typing import Any, NamedTuple

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde
from langgraph_lite.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from langgraph_lite.types import Command, Interrupt, Overwrite, Send

# The on-disk code of an object extension; see _OBJECT in langgraph_lite/checkpoint/serde.py.
# Hostile payloads below are built by hand with it, as an attacker would.
OBJECT_EXT = 11


def roundtrip(serde: MsgpackSerde, value: Any) -> Any:
    return serde.loads_typed(serde.dumps_typed(value))


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 == 1.0 == True would hide a bug)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# -- standard library values ---------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # unbounded: includes ints beyond 64 bits
    st.integers(min_value=2**64, max_value=2**200) | st.integers(max_value=-(2**63) - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.dates(),
    st.times(timezones=st.none() | st.just(dt.timezone.utc)),
    st.timedeltas(),
    st.uuids(),
    st.decimals(allow_nan=False),
    st.builds(pathlib.PurePosixPath, st.text(alphabet="abc/._-", max_size=20)),
    # Well-formed Windows paths: for malformed drive/UNC strings ("\\\\a\\", "./a:.") pathlib's
    # own str() does not parse back to an equal path, so no encoding of it could round-trip.
    st.builds(
        lambda parts: pathlib.PureWindowsPath("C:\\", *parts),
        st.lists(st.text(alphabet="abc._-", min_size=1, max_size=5), max_size=4),
    ),
    st.builds(pathlib.Path, st.text(alphabet="abc/._-", max_size=20)),
)
hashables = st.one_of(st.integers(), st.text(max_size=10), st.uuids(), st.dates())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
        st.dictionaries(st.integers(), inner, max_size=3),
        st.sets(hashables, max_size=4),
        st.frozensets(hashables, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_standard_library_values_round_trip_with_their_types(value):
    serde = MsgpackSerde()
    assert same(roundtrip(serde, value), value)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(timezones=st.timezones()))
def test_aware_datetimes_keep_their_offset(value):
    back = MsgpackSerde().loads(MsgpackSerde().dumps(value))
    assert back == value
    assert back.utcoffset() == value.utcoffset()


def test_none_and_bytes_are_stored_as_themselves():
    serde = MsgpackSerde()
    assert serde.dumps_typed(None) == ("null", b"")
    assert serde.dumps_typed(b"\x00raw") == ("bytes", b"\x00raw")
    assert serde.loads_typed(("null", b"")) is None
    assert serde.loads_typed(("bytes", b"\x00raw")) == b"\x00raw"


def test_ints_at_the_64_bit_edges_keep_their_value():
    serde = MsgpackSerde()
    for n in (2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 10**40, -(10**40)):
        assert same(roundtrip(serde, n), n)


# -- user classes ---------------------------------------------------------------------------


class Point(BaseModel):
    x: int
    y: int = 0
    tags: list[str] = []


@dataclasses.dataclass
class Order:
    id: int
    items: list[str]
    placed: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class Frozen:
    name: str
    derived: str = dataclasses.field(init=False, default="d")


class Color(enum.Enum):
    RED = "red"
    GREEN = 2


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Mode(str, enum.Enum):
    FAST = "fast"


class Pair(NamedTuple):
    left: int
    right: Any


USER_VALUES = [
    Point(x=1, y=2, tags=["a"]),
    Order(id=7, items=["tea"], placed=dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.timezone.utc)),
    Frozen("f"),
    Color.RED,
    Color.GREEN,
    Level.HIGH,
    Mode.FAST,
    Pair(1, (2, 3)),
]
USER_CLASSES = [Point, Order, Frozen, Color, Level, Mode, Pair]


@pytest.mark.parametrize("value", USER_VALUES, ids=lambda v: type(v).__name__)
def test_user_classes_round_trip_once_allowed_at_construction(value):
    serde = MsgpackSerde(allowed=USER_CLASSES)
    back = roundtrip(serde, value)
    assert type(back) is type(value)
    assert back == value


@pytest.mark.parametrize("value", USER_VALUES, ids=lambda v: type(v).__name__)
def test_user_classes_round_trip_once_allowed_later(value):
    serde = MsgpackSerde()
    serde.allow(type(value))
    back = roundtrip(serde, value)
    assert type(back) is type(value)
    assert back == value


def test_user_classes_nest_inside_containers_and_each_other():
    serde = MsgpackSerde(allowed=USER_CLASSES)
    value = {"orders": [Order(1, ["a"])], "where": (Point(x=1), {Color.RED: Pair(1, Level.LOW)})}
    assert roundtrip(serde, value) == value


@pytest.mark.parametrize("value", USER_VALUES, ids=lambda v: type(v).__name__)
def test_user_classes_are_refused_when_not_allowed(value):
    data = MsgpackSerde(allowed=USER_CLASSES).dumps_typed(value)
    with pytest.raises(CheckpointDecodeError) as caught:
        MsgpackSerde().loads_typed(data)
    message = str(caught.value)
    assert type(value).__qualname__ in message
    assert "allow" in message


def test_allow_rejects_things_that_are_not_classes():
    with pytest.raises(TypeError, match="classes"):
        MsgpackSerde().allow(Point(x=1))  # type: ignore[arg-type]


def test_only_the_allowed_class_is_rebuilt_even_if_another_has_its_name():
    serde = MsgpackSerde(allowed=[Point])
    impostor = type("Point", (BaseModel,), {"__annotations__": {"x": int, "y": int}, "y": 0})
    impostor.__module__, impostor.__qualname__ = Point.__module__, Point.__qualname__
    assert serde.is_allowed(Point)
    assert not serde.is_allowed(impostor)
    back = serde.loads(serde.dumps(impostor(x=1)))
    assert type(back) is Point


# -- our own types ---------------------------------------------------------------------------

OWN_VALUES = [
    HumanMessage("hi", id="1"),
    HumanMessage(content=[{"type": "text", "text": "hi"}], name="ann"),
    AIMessage(
        "calling",
        id="2",
        tool_calls=[{"name": "search", "args": {"q": "x"}, "id": "call-1"}],
        usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
    ),
    AIMessageChunk("par", id="3"),
    SystemMessage("be brief"),
    ToolMessage("42", tool_call_id="call-1", artifact={"raw": [1, 2]}),
    RemoveMessage(id="1"),
    HumanMessage("extra", custom_field={"kept": True}),
    Send("node", {"doc": "d1", "n": (1, 2)}),
    Interrupt(value={"question": "?"}, id="abc"),
    Command(resume="yes"),
    Command(update={"x": 1}, goto=[Send("a", 1), "b"]),
    Overwrite([1, 2]),
]


@pytest.mark.parametrize("value", OWN_VALUES, ids=lambda v: type(v).__name__)
def test_our_messages_and_graph_types_round_trip_by_default(value):
    back = roundtrip(MsgpackSerde(), value)
    assert type(back) is type(value)
    assert back == value


def test_a_message_keeps_extra_fields():
    back = roundtrip(MsgpackSerde(), HumanMessage("extra", custom_field={"kept": True}))
    assert back.custom_field == {"kept": True}


class Spot(BaseModel):
    x: int


class LabelledSpot(Spot):
    label: str = ""


def test_models_encoded_again_keep_their_own_class_and_fields():
    # (the serde remembers each model class's saved name after its first encoding)
    serde = MsgpackSerde([Spot, LabelledSpot])
    values = [Spot(x=1), LabelledSpot(x=2, label="a"), Spot(x=3), HumanMessage("hi")]
    for _ in range(2):
        back = serde.loads(serde.dumps(values))
        assert back == values
        assert [type(v) for v in back] == [Spot, LabelledSpot, Spot, HumanMessage]
    # a serde that allows only the base class still refuses the subclass it has not allowed
    with pytest.raises(CheckpointDecodeError, match="LabelledSpot"):
        MsgpackSerde([Spot]).loads(serde.dumps([LabelledSpot(x=1)]))


# -- hostile and broken payloads -------------------------------------------------------------


def object_payload(name: str, kind: str, fields: Any) -> bytes:
    inner = msgpack.packb([name, kind, fields], use_bin_type=True)
    return msgpack.packb(msgpack.ExtType(OBJECT_EXT, inner), use_bin_type=True)


def test_a_payload_naming_an_unimported_module_imports_nothing():
    assert "antigravity" not in sys.modules  # importing it would open a web browser
    for kind in ("dataclass", "pydantic", "enum", "namedtuple", "slots"):
        with pytest.raises(CheckpointDecodeError) as caught:
            MsgpackSerde().loads(object_payload("antigravity:Thing", kind, {}))
        assert "antigravity:Thing" in str(caught.value)
        assert "allow" in str(caught.value)
    assert "antigravity" not in sys.modules


def test_a_payload_naming_a_callable_never_calls_it(monkeypatch):
    called = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a))
    for kind in ("dataclass", "namedtuple", "enum", "pydantic"):
        payload = object_payload("os:system", kind, ["echo pwned"] if kind == "namedtuple" else {})
        with pytest.raises(CheckpointDecodeError, match="os:system"):
            MsgpackSerde().loads(payload)
    assert called == []


def test_a_payload_nested_deep_inside_a_value_is_still_refused():
    hostile = msgpack.ExtType(
        OBJECT_EXT, msgpack.packb(["subprocess:Popen", "dataclass", {"args": "ls"}])
    )
    data = msgpack.packb({"ok": [1, {"deeper": [hostile]}]}, use_bin_type=True)
    with pytest.raises(CheckpointDecodeError, match="subprocess:Popen"):
        MsgpackSerde().loads(data)


def test_a_class_allowed_when_saving_is_refused_by_a_serde_that_does_not_allow_it():
    data = MsgpackSerde(allowed=[Order]).dumps(Order(1, ["x"]))
    with pytest.raises(CheckpointDecodeError) as caught:
        MsgpackSerde().loads(data)
    assert "Order" in str(caught.value)
    assert "allow" in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        b"\xc1",  # a byte msgpack never uses
        b"\x92\x01",  # an array of two with one item
        b"\xd9\x05ab",  # a string cut short
        msgpack.packb(msgpack.ExtType(99, b"?")),  # an extension we do not know
        object_payload("x", "y", {})[:-1],
        msgpack.packb(msgpack.ExtType(OBJECT_EXT, b"\x01")),  # object that is not a triple
        msgpack.packb(msgpack.ExtType(4, b"not a date")),
        msgpack.packb(msgpack.ExtType(9, b"not a number")),
        msgpack.packb(msgpack.ExtType(10, msgpack.packb(["EvilPath", "/"]))),
    ],
)
def test_garbage_bytes_raise_checkpoint_decode_error(data):
    with pytest.raises(CheckpointDecodeError):
        MsgpackSerde().loads(data)


def test_an_unknown_storage_format_raises_checkpoint_decode_error():
    with pytest.raises(CheckpointDecodeError, match="pickle"):
        MsgpackSerde().loads_typed(("pickle", b"\x80\x04."))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_decode_or_raise_checkpoint_decode_error(data):
    try:
        MsgpackSerde().loads(data)
    except CheckpointDecodeError:
        pass


def test_a_field_the_class_rejects_raises_checkpoint_decode_error():
    data = object_payload(f"{Point.__module__}:Point", "pydantic", {"x": "not an int"})
    with pytest.raises(CheckpointDecodeError, match="Point"):
        MsgpackSerde(allowed=[Point]).loads(data)


# -- encoding what cannot be stored ------------------------------------------------------------


class Plain:
    def __init__(self) -> None:
        self.secret = 1


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (Plain(), "Plain"),
        ({"nested": [Plain()]}, "Plain"),
        (lambda: None, "function"),
        (object(), "object"),
    ],
    ids=["instance", "nested", "lambda", "object"],
)
def test_encoding_an_arbitrary_object_raises_type_error_naming_its_type(value, name):
    with pytest.raises(TypeError, match=name):
        MsgpackSerde().dumps(value)


@pytest.mark.parametrize("fold", [0, 1])
@pytest.mark.parametrize(
    "local",
    [
        dt.datetime(2040, 3, 11, 2, 0),  # in the spring-forward gap
        dt.datetime(2040, 11, 4, 1, 30),  # in the fall-back fold
    ],
)
def test_named_time_zones_round_trip_through_dst_gaps_and_folds(local, fold):
    import zoneinfo

    value = local.replace(tzinfo=zoneinfo.ZoneInfo("America/Boise"), fold=fold)
    back = MsgpackSerde().loads(MsgpackSerde().dumps(value))
    assert back == value
    assert back.tzinfo == value.tzinfo and back.fold == value.fold


# -- time zones are data, never code -----------------------------------------------------------


@pytest.fixture
def fake_tzdata(tmp_path, monkeypatch):
    """A package named ``tzdata`` on sys.path that records being imported (zoneinfo's fallback
    for zones the system lacks imports it); yields the file its import would write."""
    marker = tmp_path / "imported.txt"
    package = tmp_path / "site" / "tzdata"
    (package / "zoneinfo" / "Fake").mkdir(parents=True)
    record = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    (package / "__init__.py").write_text(record)
    (package / "zoneinfo" / "__init__.py").write_text(record)
    (package / "zoneinfo" / "Fake" / "__init__.py").write_text(record)
    (package / "zoneinfo" / "Fake" / "Zone").write_bytes(pathlib.Path(zoneinfo_file()).read_bytes())
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    for name in [m for m in sys.modules if m == "tzdata" or m.startswith("tzdata.")]:
        monkeypatch.delitem(sys.modules, name)
    yield marker
    for name in [m for m in sys.modules if m == "tzdata" or m.startswith("tzdata.")]:
        del sys.modules[name]


def zoneinfo_file() -> str:
    import zoneinfo

    for root in zoneinfo.TZPATH:
        path = pathlib.Path(root, "America", "Boise")
        if path.is_file():
            return str(path)
    pytest.skip("no system tz database")


def datetime_payloads(zone: str) -> list[bytes]:
    marked = msgpack.packb([msgpack.ExtType(13, b"\x04"), "2040-01-01T00:00:00", zone, 0])
    old = msgpack.packb(msgpack.ExtType(4, msgpack.packb(["2040-01-01T00:00:00", zone, 0])))
    return [marked, old]


def test_a_zone_the_system_lacks_is_refused_without_importing_tzdata(fake_tzdata):
    for data in datetime_payloads("Fake/Zone"):
        with pytest.raises(CheckpointDecodeError, match=r"'Fake/Zone'.*tzdata"):
            MsgpackSerde().loads(data)
    assert not fake_tzdata.exists(), fake_tzdata.read_text()
    assert "tzdata" not in sys.modules


def test_a_zone_the_system_has_decodes_without_importing_tzdata(fake_tzdata):
    for data in datetime_payloads("America/Boise"):
        assert MsgpackSerde().loads(data).tzinfo.key == "America/Boise"
    assert not fake_tzdata.exists()


@pytest.mark.parametrize("zone", ["../../etc/passwd", "/etc/passwd", "", "a//b", 7, "x\\y"])
def test_a_zone_name_that_is_not_a_zone_is_refused(zone):
    for data in datetime_payloads(zone):
        with pytest.raises(CheckpointDecodeError):
            MsgpackSerde().loads(data)


@pytest.mark.parametrize(
    "message",
    [
        HumanMessage(content="hi", id="1"),
        AIMessage(content="", id="2", tool_calls=[{"name": "f", "args": {"x": 1}, "id": "c"}]),
        AIMessage(content="with extra", id="3", custom=[1, 2]),
        ToolMessage(content="42", tool_call_id="c", name="f"),
    ],
    ids=["human", "tool-calls", "extra-field", "tool"],
)
def test_a_decoded_message_is_what_model_construct_builds_from_its_fields(message):
    decoded = MsgpackSerde().loads(MsgpackSerde().dumps(message))
    fields = {**message.__dict__, **(message.__pydantic_extra__ or {})}
    built = type(message).model_construct(**fields)
    assert type(decoded) is type(message)
    assert decoded == built == message
    assert list(decoded.__dict__) == list(built.__dict__)
    assert decoded.model_fields_set == built.model_fields_set
    assert decoded.__pydantic_extra__ == built.__pydantic_extra__
    assert decoded.model_dump(exclude_unset=True) == built.model_dump(exclude_unset=True)
    assert repr(decoded) == repr(built)


def test_model_classes_made_per_call_are_not_all_remembered():
    from pydantic import create_model

    from langgraph_lite.checkpoint import serde as serde_module

    serde = MsgpackSerde()
    for i in range(serde_module._MODEL_NAMES + 10):
        model = create_model(f"Made{i}", x=(int, 0))
        serde.dumps(model(x=i))
    assert len(serde._model_names) <= serde_module._MODEL_NAMES
