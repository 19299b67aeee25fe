"""What the stores share about values: JSON encoding, filters, namespace patterns, similarity.

Pure functions, no storage. Every store encodes a value to JSON on ``put`` (so all stores hand
back the same data: tuples come back as lists, datetimes as ISO strings) and decides a filter
with ``matches``, so a filter means the same thing in memory and in SQLite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from langgraph_lite.store.base import MatchCondition

__all__ = ["OPERATORS", "cosine", "encode_value", "matches", "namespace_matches", "to_json"]

OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte")


def to_json(obj: Any, where: str) -> Any:
    """``obj`` as plain JSON data (new dicts and lists); raises naming the part that is not."""
    if type(obj) is str:
        if not obj.isascii():
            _check_unicode(obj, where)
        return obj
    if obj is None or type(obj) is bool:
        return obj
    if isinstance(obj, enum.Enum):
        return to_json(obj.value, where)
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(
                f"{where} is {obj!r}, which JSON cannot hold. Store a finite number, None, "
                "or a string such as 'inf'."
            )
        return float(obj)
    if isinstance(obj, Mapping):
        out = {}
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"{where} has the key {key!r} ({type(key).__name__}); keys of stored dicts "
                    f"are strings, as in JSON. Use {str(key)!r}."
                )
            if not key.isascii():
                _check_unicode(key, f"a key of {where}")
            out[key] = to_json(value, f"{where}[{key!r}]")
        return out
    if isinstance(obj, (list, tuple)):
        return [to_json(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, (dt.datetime, dt.date, dt.time)):
        return obj.isoformat()
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, BaseModel):
        return to_json(obj.model_dump(mode="json"), where)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        return to_json(fields, where)
    raise TypeError(
        f"{where} is a {type(obj).__module__}.{type(obj).__qualname__}, which a store cannot "
        "save as JSON. Store values hold dicts, lists, strings, numbers, booleans and None "
        "(datetimes, UUIDs, enums, dataclasses and pydantic models are converted); convert it "
        "first, e.g. to a list or a str."
    )


def _check_unicode(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{where} holds {text[exc.start : exc.end]!r}, a lone surrogate that JSON text in "
            "UTF-8 cannot hold. Decode the text it came from with errors='replace'."
        ) from None


def encode_value(value: Any, namespace: tuple[str, ...], key: str) -> tuple[dict[str, Any], str]:
    """The value as JSON data and as JSON text; raises a clear error for a bad value."""
    if not isinstance(value, Mapping):
        raise TypeError(
            f"put({namespace!r}, {key!r}, ...) got a value of type {type(value).__name__}; a "
            "store value is a dict of JSON values. Wrap it, e.g. {'value': ...}."
        )
    tree = to_json(value, f"the value put at ({namespace!r}, {key!r})")
    return tree, json.dumps(tree, ensure_ascii=False, separators=(",", ":"))


# -- filters -------------------------------------------------------------------------------


def check_filter(filter: Any) -> dict[str, Any] | None:
    """The filter as JSON data, with every operator checked; ``None`` for no filter."""
    if not filter:
        return None
    if not isinstance(filter, Mapping):
        raise TypeError(
            f"search(filter=...) takes a dict of value keys to conditions, got "
            f"{type(filter).__name__} {filter!r}. For example filter={{'status': 'active'}}."
        )
    tree = to_json(filter, "the search filter")
    _check_operators(tree)
    return tree


def _check_operators(condition: Any) -> None:
    if isinstance(condition, dict):
        for name, arg in condition.items():
            if name.startswith("$") and name not in OPERATORS:
                raise ValueError(
                    f"Unsupported operator: {name}. A filter's operators are "
                    f"{', '.join(OPERATORS)}, e.g. {{'score': {{'$gte': 3}}}}."
                )
            _check_operators(arg)
    elif isinstance(condition, list):
        for arg in condition:
            _check_operators(arg)


def matches(value: dict[str, Any], filter: dict[str, Any] | None) -> bool:
    """Whether a stored value passes a checked filter."""
    if not filter:
        return True
    return all(_match(value.get(key), condition) for key, condition in filter.items())


def _match(value: Any, condition: Any) -> bool:
    if isinstance(condition, dict):
        if any(name.startswith("$") for name in condition):
            return all(_apply(value, name, arg) for name, arg in condition.items())
        # a dict names the keys it cares about; others may be there too
        return isinstance(value, dict) and all(
            _match(value.get(k), c) for k, c in condition.items()
        )
    if isinstance(condition, list):
        return (
            isinstance(value, list)
            and len(value) == len(condition)
            and all(_match(v, c) for v, c in zip(value, condition, strict=True))
        )
    return bool(value == condition)


def _apply(value: Any, name: str, arg: Any) -> bool:
    if name == "$eq":
        return bool(value == arg)
    if name == "$ne":
        return bool(value != arg)
    # an order holds between two numbers or two strings; anything else (missing, None, a
    # string against a number) does not match, as in a database
    numbers = isinstance(value, (int, float)) and isinstance(arg, (int, float))
    if not numbers and not (isinstance(value, str) and isinstance(arg, str)):
        return False
    if name == "$gt":
        return bool(value > arg)
    if name == "$gte":
        return bool(value >= arg)
    if name == "$lt":
        return bool(value < arg)
    return bool(value <= arg)  # $lte


# -- namespaces ----------------------------------------------------------------------------


def namespace_matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    """Whether ``namespace`` starts (or ends) with the condition's path; ``"*"`` is any label."""
    path = tuple(condition.path)
    if len(namespace) < len(path):
        return False
    if condition.match_type == "prefix":
        part = namespace[: len(path)]
    elif condition.match_type == "suffix":
        part = namespace[len(namespace) - len(path) :]
    else:
        raise ValueError(
            f"Unsupported match type: {condition.match_type!r}; a MatchCondition's match_type "
            "is 'prefix' or 'suffix'."
        )
    return all(p == "*" or p == label for p, label in zip(path, part, strict=True))


# -- similarity ----------------------------------------------------------------------------


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; 0.0 when either vector is all zeros."""
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms else 0.0
