"""``JsonPlusSerializer``: LangGraph's serializer name, for code that builds one and passes it
to a saver (``InMemorySaver(serde=JsonPlusSerializer())``).

It is our safe serializer (``MsgpackSerde``) under that name: values are msgpack, and decoding
rebuilds only the types it was told about. The options LangGraph has for being less safe are
refused with the way to do it safely: ``pickle_fallback=True`` (we never unpickle: anyone who
can write the checkpoint store could run code), ``allowed_msgpack_modules=True`` (every type)
and ``allowed_json_modules`` (our checkpoints hold no JSON to revive). The types to rebuild are
given as classes or ``(module, name)`` tuples; a tuple's module is imported when the serializer
is built, because its caller named it, never while decoding.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from langgraph_lite.checkpoint.serde import MsgpackSerde

__all__ = ["JsonPlusSerializer"]


class JsonPlusSerializer(MsgpackSerde):
    """LangGraph's ``JsonPlusSerializer`` name for our safe msgpack serializer (see the module
    docstring): ``allowed_msgpack_modules`` lists extra classes (or ``(module, name)``) it may
    rebuild."""

    def __init__(
        self,
        *,
        pickle_fallback: bool = False,
        allowed_json_modules: Any = None,
        allowed_msgpack_modules: Iterable[type | tuple[str, ...]] | None = None,
    ) -> None:
        if pickle_fallback:
            raise ValueError(
                "JsonPlusSerializer(pickle_fallback=True) is not supported: langgraph_lite never "
                "unpickles checkpoint data (whoever can write the store could run code). Pass "
                "the classes your state holds instead: "
                "JsonPlusSerializer(allowed_msgpack_modules=[MyClass])."
            )
        if allowed_json_modules is not None:
            raise ValueError(
                "JsonPlusSerializer(allowed_json_modules=...) is not supported: our checkpoints "
                "are msgpack and hold no JSON objects to revive. Name the classes to rebuild in "
                "allowed_msgpack_modules=[MyClass] instead."
            )
        if allowed_msgpack_modules is True:
            raise ValueError(
                "JsonPlusSerializer(allowed_msgpack_modules=True) is not supported: decoding "
                "rebuilds only the types it was told about. List them: "
                "allowed_msgpack_modules=[MyClass, ('my_pkg.models', 'Other')]."
            )
        self.pickle_fallback = False
        super().__init__(_resolve(allowed_msgpack_modules or ()))

    def with_msgpack_allowlist(
        self, extra_allowlist: Iterable[type | tuple[str, ...]]
    ) -> JsonPlusSerializer:
        """A copy of this serializer that may also rebuild ``extra_allowlist``."""
        clone = JsonPlusSerializer()
        clone._allowed = dict(self._allowed)
        clone.allow(*_resolve(extra_allowlist))
        return clone


def _resolve(entries: Iterable[type | tuple[str, ...]]) -> list[type]:
    classes: list[type] = []
    for entry in entries:
        if isinstance(entry, type):
            classes.append(entry)
            continue
        if not (
            isinstance(entry, tuple) and len(entry) >= 2 and all(isinstance(p, str) for p in entry)
        ):
            raise TypeError(
                f"allowed_msgpack_modules takes classes or (module, name) tuples, got {entry!r}."
            )
        module, *names = entry
        obj: Any = importlib.import_module(module)
        try:
            for name in names:
                obj = getattr(obj, name)
        except AttributeError:
            raise ValueError(
                f"allowed_msgpack_modules names {'.'.join(entry)!r}, which {module!r} does not "
                "define."
            ) from None
        if not isinstance(obj, type):
            raise TypeError(
                f"allowed_msgpack_modules names {'.'.join(entry)!r}, which is not a class."
            )
        classes.append(obj)
    return classes
