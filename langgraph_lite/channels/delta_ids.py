"""Ids for the messages written to a ``DeltaChannel``, given before the channel folds them.

A message stored without an id cannot be targeted later (replaced, or removed with
``RemoveMessage``), so every write to a ``DeltaChannel`` passes through one of these first:

- ``stamp_messages``, for ``_messages_delta_reducer``: every message-like value (a message,
  an OpenAI-style dict, a string, a ``(role, content)`` tuple; alone, in a list, or in an
  ``Overwrite``) becomes a message with an id.
- ``stamp_message_objects``, for any other reducer, which may hold other data: only message
  objects get an id, and message dicts in a list become messages with ids.

A message object gets its id in place (the node's own object shows it); a list or dict the
caller passed is never changed, a new one is written instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from langgraph_lite.messages import BaseMessage, _foreign, convert_to_messages
from langgraph_lite.types import Overwrite, overwrite_value

__all__ = ["stamp_message_objects", "stamp_messages"]

_ROLES = frozenset({"user", "human", "assistant", "ai", "tool", "system", "function"})
_TYPES = frozenset({"human", "ai", "tool", "system", "function", "remove"})


def _is_message_dict(item: Any) -> bool:
    return isinstance(item, dict) and (item.get("role") in _ROLES or item.get("type") in _TYPES)


def _is_message(item: Any) -> bool:
    return isinstance(item, BaseMessage) or _foreign(item)


def _stamp(item: Any) -> None:
    if _is_message(item) and item.id is None:
        item.id = str(uuid.uuid4())


def _as_message(item: Any, *, strict: bool = False) -> Any:
    if _is_message(item):
        _stamp(item)
        return item
    try:
        message = convert_to_messages([item])[0]
    except Exception:
        if strict:
            raise
        return item  # not message-like: the reducer decides what to do with it
    if not message.id:
        message.id = str(uuid.uuid4())
    return message


def _list_item(item: Any) -> Any:
    return _as_message(item, strict=_is_message_dict(item))


def _object_list_item(item: Any) -> Any:
    if _is_message_dict(item):
        return _as_message(item, strict=True)
    _stamp(item)
    return item


def _mapped(items: Any, fn: Callable[[Any], Any]) -> Any:
    out = [fn(item) for item in items]
    if all(new is old for new, old in zip(out, items, strict=True)):
        return items
    return out if isinstance(items, list) else tuple(out)


def _one_message_write(value: Any) -> Any:
    found, replacement = overwrite_value(value)
    if found:
        if isinstance(replacement, (list, tuple)):
            items = _mapped(replacement, _as_message)
            if items is not replacement:
                return Overwrite(items)
        return value
    if isinstance(value, list):
        return _mapped(value, _list_item)
    return _as_message(value)


def _one_object_write(value: Any) -> Any:
    found, replacement = overwrite_value(value)
    if found:
        if isinstance(replacement, (list, tuple)):
            for item in replacement:
                _stamp(item)
        return value
    if isinstance(value, list):
        return _mapped(value, _object_list_item)
    if _is_message_dict(value) and not value.get("id"):
        return {**value, "id": str(uuid.uuid4())}
    _stamp(value)
    return value


def stamp_messages(writes: list[Any]) -> list[Any]:
    """The writes, every message-like value in them a message with an id."""
    return [_one_message_write(w) for w in writes]


def stamp_message_objects(writes: list[Any]) -> list[Any]:
    """The writes, their message objects (and message dicts in lists) given ids."""
    return [_one_object_write(w) for w in writes]
