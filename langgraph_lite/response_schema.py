"""``interrupt(response_schema=...)``: the JSON Schema a question shows, and its answer check.

A JSON Schema ``dict`` is only shown. Anything else must be a type pydantic can validate; it
is shown as its JSON Schema and every answer (a fresh one, or one replayed when the node runs
again) is validated with it. The saved answer is always the raw value the human gave.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pydantic

from langgraph_lite.errors import _mark_invalid_resume

__all__ = ["ResponseSchema"]


class ResponseSchema:
    """What a node asked for: ``json`` to show the client, ``check`` for the answer."""

    __slots__ = ("_adapter", "json", "types")

    def __init__(
        self,
        json: dict[str, Any] | None,
        adapter: pydantic.TypeAdapter | None,
        types: frozenset[type] = frozenset(),
    ) -> None:
        self.json = json
        self._adapter = adapter
        self.types = types  # the classes an answer may be made of (a saver must rebuild them)

    @staticmethod
    def of(schema: Any) -> ResponseSchema:
        """The response schema for ``interrupt(response_schema=schema)``; ``TypeError`` if bad."""
        if isinstance(schema, dict):
            return ResponseSchema(schema, None)
        try:
            return _for_type(schema)
        except TypeError as exc:
            if "unhashable" not in str(exc):
                raise
        return _build(schema)  # an annotation with unhashable metadata: not cached

    def shown(self) -> dict[str, Any] | None:
        """The JSON Schema for one ``Interrupt``: its own copy, the cached one stays intact."""
        return copy.deepcopy(self.json)

    def check(self, answer: Any) -> Any:
        """``answer`` validated (and converted) when the schema is a type; as it is otherwise.

        Raises ``pydantic.ValidationError``, marked for ``errors.is_invalid_resume``.
        """
        if self._adapter is None:
            return answer
        try:
            return self._adapter.validate_python(answer)
        except pydantic.ValidationError as exc:
            _mark_invalid_resume(exc)
            raise


@functools.lru_cache(maxsize=256)
def _for_type(schema: Any) -> ResponseSchema:
    # Building an adapter and its JSON Schema costs far more than a node's interrupt() call;
    # a node asks with the same type every time it runs.
    return _build(schema)


def _build(schema: Any) -> ResponseSchema:
    try:
        adapter = pydantic.TypeAdapter(schema)
        json = adapter.json_schema()
    except (pydantic.PydanticUserError, pydantic.PydanticInvalidForJsonSchema, TypeError) as exc:
        raise TypeError(
            f"interrupt(response_schema={schema!r}): the schema must be a JSON Schema dict "
            "(shown to the client, answers not checked) or a type pydantic can validate and "
            "describe in JSON Schema: a pydantic model, TypedDict, dataclass or an annotation "
            f"such as int or list[str]. pydantic said: {exc}"
        ) from exc
    from langgraph_lite.checkpoint.serde import types_in_annotation

    return ResponseSchema(json, adapter, frozenset(types_in_annotation(schema)))
