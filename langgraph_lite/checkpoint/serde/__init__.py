"""The checkpoint serializer: msgpack, rebuilding only the types it was told about.

Values are encoded with msgpack; values msgpack has no type for travel as extension types. A
class instance is stored as its class's name and its fields. Decoding looks that name up in an
allowlist — the standard library's value types, langgraph_lite's own types, LangChain's message
classes (only when ``langchain_core`` is already loaded), the types named by the graph's state
schema (added at compile time), and what the user allows — and refuses any other name with
``CheckpointDecodeError``. Decoding never imports a module, and calls no constructor that is
not on the list.

>>> from langgraph_lite.checkpoint.serde import MsgpackSerde
>>> serde = MsgpackSerde()
>>> serde.loads_typed(serde.dumps_typed({"when": (1, 2)}))
{'when': (1, 2)}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import pathlib
import threading
import uuid
from collections.abc import Iterable
from typing import Any

import msgpack  # type: ignore[import-untyped]
from pydantic import BaseModel

from langgraph_lite.checkpoint.frozen import FROZEN_TYPES, plain
from langgraph_lite.checkpoint.serde_allowlist import (
    LANGCHAIN_TYPES,
    loaded_langchain_type,
    own_types,
    type_name,
    types_in_annotation,
)
from langgraph_lite.checkpoint.serde_format import (
    _BIGINT,
    _DATE,
    _DATETIME,
    _DECIMAL,
    _FROZENSET,
    _INLINE,
    _LEGACY_DEPTH,
    _MARK_DATETIME,
    _MARK_FROZENSET,
    _MARK_OBJECT,
    _MARK_PATH,
    _MARK_SET,
    _MARK_TIMEDELTA,
    _MARK_TUPLE,
    _MARKS,
    _OBJECT,
    _PATH,
    _PATHS,
    _SET,
    _TIME,
    _TIMEDELTA,
    _TUPLE,
    _UUID,
    _WRAPPER,
    MAX_DEPTH,
    CheckpointDecodeError,
    _Mark,
    _zone,
)

__all__ = [
    "MAX_DEPTH",
    "CheckpointDecodeError",
    "MsgpackSerde",
    "type_name",
    "types_in_annotation",
]


_BUSY = object()  # a thread's packer while it packs
_KEPT_BUFFER = 1 << 20


_MODEL_NAMES = 1024  # model classes whose saved name a serializer remembers at most


class MsgpackSerde:
    """Encode checkpoint values with msgpack; decode only allowed types.

    ``allowed`` adds classes (pydantic models, dataclasses, enums, named tuples) that decoding
    may rebuild; graphs add the types of their state schema when compiled.
    """

    def __init__(self, allowed: Iterable[type] = ()) -> None:
        self._allowed: dict[str, type] = {}
        self._packers: dict[int, Any] = {}  # thread id -> its packer (see dumps)
        self._model_names: dict[type, str] = {}  # pydantic model class -> its saved name
        self.allow(*own_types())
        self.allow(*allowed)

    def allow(self, *classes: type) -> None:
        """Let decoding rebuild instances of ``classes``."""
        for cls in classes:
            if not isinstance(cls, type):
                raise TypeError(f"allow() takes classes, got {cls!r}")
            self._allowed[type_name(cls)] = cls

    def is_allowed(self, cls: type) -> bool:
        return self._allowed.get(type_name(cls)) is cls

    # -- the two directions ------------------------------------------------------------------

    def dumps(self, obj: Any) -> bytes:
        """Encode ``obj``; raises ``TypeError`` naming a value it cannot encode, or one that
        nests deeper than ``MAX_DEPTH`` levels."""
        wrapped = obj
        for _ in range(_WRAPPER):
            wrapped = [wrapped]
        # One packer per thread, reused: ``packb`` makes a packer, and mallocs its buffer,
        # at every call, which costs ten times the encoding of a small value. Not while the
        # thread's is busy (a hook that encodes from inside an encoding), and not one whose
        # buffer grew past _KEPT_BUFFER (a large value's buffer is not kept for the thread).
        packers = self.__dict__.get("_packers")
        if packers is None:  # (a subclass that did not call __init__)
            packers = self.__dict__["_packers"] = {}
            self.__dict__.setdefault("_model_names", {})
        thread = threading.get_ident()
        packer = packers.get(thread)
        if packer is None or packer is _BUSY:
            packer = msgpack.Packer(default=self._default, use_bin_type=True, strict_types=True)
        packers[thread] = _BUSY
        data: bytes = b""
        try:
            data = packer.pack(wrapped)
        except ValueError as exc:
            if "recursion limit" not in str(exc):
                raise
            raise TypeError(
                f"Recursion limit reached: the value nests deeper than {MAX_DEPTH} levels, the "
                "most a checkpoint stores (each list, dict, tuple or set is a level; a model, "
                "dataclass or named tuple two). Flatten it, or keep it out of the state."
            ) from None
        finally:
            packers[thread] = packer if len(data) <= _KEPT_BUFFER else None
        return data[_WRAPPER:] if _WRAPPER else data

    def loads(self, data: bytes) -> Any:
        """Decode bytes from ``dumps``; refuses types that are not allowed.

        Raises ``CheckpointDecodeError`` and nothing else, whatever the bytes: decoding runs in
        one pass of msgpack's unpacker (nested values are rebuilt as their lists close, never
        by decoding again from inside a hook), so no input can exhaust the C stack.
        """
        try:
            return _Decoder(self).decode(data)
        except CheckpointDecodeError:
            raise
        except RecursionError:
            raise CheckpointDecodeError(
                "checkpoint data nests too deeply to decode; nothing was rebuilt"
            ) from None
        except Exception as exc:
            raise CheckpointDecodeError(f"checkpoint data could not be decoded: {exc}") from exc

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        """``(format, bytes)``, the pair savers store."""
        if obj is None:
            return ("null", b"")
        if isinstance(obj, bytes):
            return ("bytes", obj)
        return ("msgpack", self.dumps(obj))

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        """Decode a ``(format, bytes)`` pair from ``dumps_typed``."""
        kind, payload = data
        if kind == "null":
            return None
        if kind == "bytes":
            return payload
        if kind == "msgpack":
            return self.loads(payload)
        raise CheckpointDecodeError(
            f"checkpoint value stored as {kind!r}, which this serializer does not read (it "
            "reads 'msgpack', 'bytes' and 'null'); nothing was decoded."
        )

    # -- encoding ----------------------------------------------------------------------------

    # A value msgpack has no type for becomes a list that starts with a marker (a one-byte
    # extension naming what the list is): the packer nests it like any list, so one packb call
    # packs the whole value and counts its depth.

    def _default(self, obj: Any) -> Any:
        cls = type(obj)
        name = self._model_names.get(cls)
        if name is not None:  # a model class seen before (messages: the most common objects)
            extra = obj.__pydantic_extra__
            # a model's field values live in its __dict__; reading it beats getattr per field
            return [
                _MARK_OBJECT,
                name,
                "pydantic",
                {**obj.__dict__, **extra} if extra else obj.__dict__,
            ]
        if cls in FROZEN_TYPES:  # a checkpoint's read-only maps: stored as plain dicts
            return plain(obj)
        if isinstance(obj, BaseModel):
            if len(self._model_names) >= _MODEL_NAMES:  # (classes made per call: not kept)
                self._model_names.clear()
            self._model_names[cls] = type_name(cls)
            return self._default(obj)
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            return [_MARK_TUPLE, *obj]
        if isinstance(obj, int) and not isinstance(obj, bool | enum.Enum):
            return msgpack.ExtType(_BIGINT, str(obj).encode())  # beyond 64 bits
        if isinstance(obj, (list, dict)):  # subclasses: store as the plain type
            return list(obj) if isinstance(obj, list) else dict(obj)
        if isinstance(obj, str) and not isinstance(obj, enum.Enum):
            return str(obj)
        if isinstance(obj, frozenset):
            return [_MARK_FROZENSET, *obj]
        if isinstance(obj, set):
            return [_MARK_SET, *obj]
        if isinstance(obj, dt.datetime):
            # a named zone (zoneinfo) is kept by its key, so the value compares equal after
            # a round trip even in a DST gap or fold; other zones keep their offset
            zone = getattr(obj.tzinfo, "key", None)
            return [_MARK_DATETIME, obj.isoformat(), zone, obj.fold]
        if isinstance(obj, dt.date):
            return msgpack.ExtType(_DATE, obj.isoformat().encode())
        if isinstance(obj, dt.time):
            return msgpack.ExtType(_TIME, obj.isoformat().encode())
        if isinstance(obj, dt.timedelta):
            return [_MARK_TIMEDELTA, obj.days, obj.seconds, obj.microseconds]
        if isinstance(obj, uuid.UUID):
            return msgpack.ExtType(_UUID, obj.bytes)
        if isinstance(obj, decimal.Decimal):
            return msgpack.ExtType(_DECIMAL, str(obj).encode())
        if isinstance(obj, pathlib.PurePath):
            return [_MARK_PATH, type(obj).__name__, str(obj)]
        return [_MARK_OBJECT, *self._object_payload(obj)]

    def _object_payload(self, obj: Any) -> list[Any]:
        cls = type(obj)
        name = type_name(cls)
        if isinstance(obj, enum.Enum):
            return [name, "enum", obj.value]
        if isinstance(obj, BaseModel):
            extra = obj.__pydantic_extra__
            # a model's field values live in its __dict__; reading it beats getattr per field
            return [name, "pydantic", {**obj.__dict__, **extra} if extra else obj.__dict__]
        if dataclasses.is_dataclass(obj):
            return [
                name,
                "dataclass",
                {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)},
            ]
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return [name, "namedtuple", list(obj)]
        slots = getattr(cls, "__slots__", None)
        if slots is not None and name in self._allowed:
            return [name, "slots", {s: getattr(obj, s) for s in slots}]
        raise TypeError(
            f"cannot save a {name} in a checkpoint: the serializer stores pydantic models, "
            "dataclasses, enums, named tuples and the standard library's value types. Make the "
            "value one of those (and allow its class with MsgpackSerde(allowed=[...]))."
        )

    # -- decoding ----------------------------------------------------------------------------

    def _rebuild(self, payload: Any) -> Any:
        try:
            name, kind, fields = payload
        except (TypeError, ValueError):
            raise CheckpointDecodeError("malformed object in checkpoint data") from None
        cls: Any = self._allowed.get(name)
        if cls is None and name in LANGCHAIN_TYPES:
            cls = loaded_langchain_type(name)
            if cls is None:
                raise CheckpointDecodeError(
                    f"checkpoint holds a LangChain {name.rsplit(':', 1)[-1]} ({name!r}), and "
                    "langchain_core is not loaded in this process; decoding imports nothing. "
                    "Import langchain_core.messages before reading this thread."
                )
        if cls is None:
            raise CheckpointDecodeError(
                f"checkpoint holds a {name!r}, which is not on the serializer's allowlist; "
                f"nothing was imported. If you trust it: MsgpackSerde(allowed=[{name.rsplit(':', 1)[-1].rsplit('.', 1)[-1]}]) "
                "or checkpointer.serde.allow(TheClass)."
            )
        try:
            if kind == "enum":
                return cls(fields)
            if kind == "pydantic":
                if not _lenient(cls):
                    return cls(**fields)
                return _construct(cls, fields)
            if kind == "dataclass":
                init = {f.name for f in dataclasses.fields(cls) if f.init}
                obj = cls(**{k: v for k, v in fields.items() if k in init})
                for k, v in fields.items():
                    if k not in init:
                        object.__setattr__(obj, k, v)
                return obj
            if kind == "namedtuple":
                return cls(*fields)
            if kind == "slots":
                slots = getattr(cls, "__slots__", ())
                names = set((slots,) if isinstance(slots, str) else slots)
                if not set(fields) <= names:
                    raise CheckpointDecodeError(
                        f"a {name!r} in checkpoint data has the fields {sorted(fields)!r}, "
                        f"not its slots {slots!r}"
                    )
                obj = cls.__new__(cls)
                for k in names - set(fields):  # a slot added since it was saved (Send.timeout)
                    object.__setattr__(obj, k, None)
                for k, v in fields.items():
                    object.__setattr__(obj, k, v)
                return obj
        except CheckpointDecodeError:
            raise
        except Exception as exc:
            raise CheckpointDecodeError(
                f"could not rebuild a {name!r} from checkpoint data: {exc}"
            ) from exc
        raise CheckpointDecodeError(f"unknown object kind {kind!r} for {name!r} in checkpoint data")


def _lenient(cls: type) -> bool:
    # Our own messages carry extra fields; rebuild them without re-validating.
    return cls.__module__ == "langgraph_lite.messages"


# class -> its field names, when ``_construct`` may build it directly (else None)
_DIRECT: dict[type, tuple[str, ...] | None] = {}


def _construct(cls: Any, fields: dict[str, Any]) -> Any:
    """``cls.model_construct(**fields)``, for a message decoded from our own encoding.

    That encoding is the model's ``__dict__``: every field, in field order. Then what
    ``model_construct`` builds is that dict itself, every field set, no extra: built here
    directly, which is most of the time of decoding a long conversation. Any other shape (extra
    fields, aliases, a post-init hook) goes through ``model_construct``.
    """
    names = _DIRECT.get(cls, ())
    if names == ():
        names = _DIRECT[cls] = _direct_fields(cls)
    if names is None or tuple(fields) != names:
        return cls.model_construct(**fields)
    obj = cls.__new__(cls)
    _set = object.__setattr__
    _set(obj, "__dict__", fields)
    _set(obj, "__pydantic_fields_set__", set(names))
    _set(obj, "__pydantic_extra__", {} if cls.model_config.get("extra") == "allow" else None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _direct_fields(cls: Any) -> tuple[str, ...] | None:
    if cls.__pydantic_root_model__ or cls.__pydantic_post_init__:
        return None
    fields = cls.__pydantic_fields__
    if any(f.alias is not None or f.validation_alias is not None for f in fields.values()):
        return None
    return tuple(fields)


class _Decoder:
    """One ``loads``: its hooks, and a count of markers that must each start a list."""

    __slots__ = ("built", "depth", "marks", "serde")

    def __init__(self, serde: MsgpackSerde) -> None:
        self.serde = serde
        self.marks = self.built = self.depth = 0

    def decode(self, data: bytes) -> Any:
        value = msgpack.unpackb(
            data,
            ext_hook=self.ext_hook,
            list_hook=self.list_hook,
            raw=False,
            strict_map_key=False,
        )
        if self.marks != self.built:
            raise CheckpointDecodeError(
                "malformed checkpoint data: a type marker that does not start a list"
            )
        return value

    def list_hook(self, items: list[Any]) -> Any:
        # called as each list closes, innermost first: what a marked list holds is built
        if items and items[0].__class__ is _Mark:
            self.built += 1
            return self.build(items[0].code, items[1:])
        return items

    def ext_hook(self, code: int, data: bytes) -> Any:
        if code == _INLINE:
            mark = _MARKS.get(data)
            if mark is None:
                raise CheckpointDecodeError(f"unknown type marker {data!r} in checkpoint data")
            self.marks += 1
            return mark
        if code == _DATE:
            return dt.date.fromisoformat(data.decode())
        if code == _TIME:
            return dt.time.fromisoformat(data.decode())
        if code == _UUID:
            return uuid.UUID(bytes=data)
        if code == _DECIMAL:
            return decimal.Decimal(data.decode())
        if code == _BIGINT:
            return int(data.decode())
        if code in _LEGACY:
            return self.build(code, self.legacy(data))
        raise CheckpointDecodeError(f"unknown extension type {code} in checkpoint data")

    def legacy(self, data: bytes) -> Any:
        """The msgpack value inside an old-format extension."""
        if self.depth >= _LEGACY_DEPTH:
            raise CheckpointDecodeError(
                f"checkpoint data nests old-format values more than {_LEGACY_DEPTH} deep"
            )
        self.depth += 1
        try:
            # an Unpacker keeps its state on the heap; unpackb would put ~40 KB per level on
            # the C stack
            unpacker = msgpack.Unpacker(
                ext_hook=self.ext_hook, list_hook=self.list_hook, raw=False, strict_map_key=False
            )
            unpacker.feed(data)
            value = unpacker.unpack()
            if unpacker.tell() != len(data):
                raise CheckpointDecodeError("extra bytes after a value in checkpoint data")
            return value
        finally:
            self.depth -= 1

    def build(self, code: int, body: Any) -> Any:
        if code == _TUPLE:
            return tuple(body)
        if code == _SET:
            return set(body)
        if code == _FROZENSET:
            return frozenset(body)
        if code == _DATETIME:
            text, zone, fold = body
            value = dt.datetime.fromisoformat(text)
            if zone is not None:
                value = value.replace(tzinfo=_zone(zone), fold=fold)
            return value
        if code == _TIMEDELTA:
            days, seconds, micros = body
            return dt.timedelta(days=days, seconds=seconds, microseconds=micros)
        if code == _PATH:
            kind, text = body
            cls = _PATHS.get(kind) if isinstance(kind, str) else None
            if cls is None:
                raise CheckpointDecodeError(f"unknown path type {kind!r} in checkpoint data")
            return cls(text)
        return self.serde._rebuild(body)  # _OBJECT


_LEGACY = frozenset({_TUPLE, _SET, _FROZENSET, _DATETIME, _TIMEDELTA, _PATH, _OBJECT})
