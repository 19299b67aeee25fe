"""Structured output: a chat model's reply parsed into a schema (pydantic, TypedDict or JSON).

``schema_request(schema, method)`` says what to ask the server for (a ``response_format``, or a
tool shaped like the schema) and how to read the answer back; ``StructuredOutput`` wraps a
model so that ``invoke`` returns the parsed value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic
from typing_extensions import is_typeddict

from langgraph_lite.messages import AIMessage

__all__ = ["StructuredOutput", "StructuredOutputError", "schema_request"]

_METHODS = ("json_schema", "function_calling", "json_mode")


class StructuredOutputError(ValueError):
    """The model's reply did not fit the schema it was asked for."""


@dataclass
class SchemaRequest:
    """What to send for a schema, and how to parse the reply."""

    name: str
    json_schema: dict[str, Any]
    method: str
    validate: Callable[[Any], Any] | None  # parsed JSON -> the value (None: the JSON as is)

    @property
    def tool(self) -> dict[str, Any]:
        description = self.json_schema.get("description", "")
        parameters = {k: v for k, v in self.json_schema.items() if k not in ("title",)}
        return {
            "type": "function",
            "function": {"name": self.name, "description": description, "parameters": parameters},
        }

    @property
    def response_format(self) -> dict[str, Any]:
        if self.method == "json_mode":
            return {"type": "json_object"}
        return {
            "type": "json_schema",
            "json_schema": {"name": self.name, "schema": self.json_schema},
        }

    def parse(self, message: AIMessage) -> Any:
        if self.method == "function_calling":
            calls = [c for c in message.tool_calls if c["name"] == self.name]
            if not calls:
                raise StructuredOutputError(
                    f"the model did not call {self.name!r} to give its structured answer "
                    f"(it said {message.content!r}). Use a model that supports tool calling, "
                    "or method='json_schema'."
                )
            data: Any = calls[0]["args"]
        else:
            try:
                data = json.loads(message.text)
            except ValueError as exc:
                raise StructuredOutputError(
                    f"the model's answer is not JSON ({exc}): {message.text[:200]!r}. Use a "
                    "server that supports response_format, or method='function_calling'."
                ) from exc
        if self.validate is None:
            return data
        try:
            return self.validate(data)
        except pydantic.ValidationError as exc:
            raise StructuredOutputError(
                f"the model's answer does not fit {self.name!r}: {exc}"
            ) from exc


def schema_request(schema: Any, method: str) -> SchemaRequest:
    """How to ask for ``schema`` with ``method`` (see ``OpenAIChatModel.with_structured_output``)."""
    if method not in _METHODS:
        raise ValueError(f"method={method!r}: use one of {', '.join(map(repr, _METHODS))}.")
    if isinstance(schema, type) and issubclass(schema, pydantic.BaseModel):
        return SchemaRequest(
            schema.__name__, schema.model_json_schema(), method, schema.model_validate
        )
    if is_typeddict(schema):
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(schema)
        return SchemaRequest(
            schema.__name__, adapter.json_schema(), method, adapter.validate_python
        )
    if isinstance(schema, dict):
        name = str(schema.get("title") or schema.get("name") or "response")
        body = schema["schema"] if isinstance(schema.get("schema"), dict) else schema
        return SchemaRequest(name, dict(body), method, None)
    raise TypeError(
        f"cannot ask for structured output shaped like {schema!r}: give a pydantic model, a "
        "TypedDict or a JSON schema (dict)."
    )


class StructuredOutput:
    """A chat model whose ``invoke`` returns its reply parsed into a schema."""

    def __init__(self, model: Any, request: SchemaRequest, *, include_raw: bool) -> None:
        self.model = model
        self.request = request
        self.include_raw = include_raw

    def __repr__(self) -> str:
        return f"StructuredOutput({self.model!r}, schema={self.request.name!r})"

    def invoke(self, messages: Any, config: Any = None, **kwargs: Any) -> Any:
        """The parsed answer (or, with ``include_raw``, the raw message and the parse)."""
        return self._result(self.model.invoke(messages, config, **kwargs))

    async def ainvoke(self, messages: Any, config: Any = None, **kwargs: Any) -> Any:
        """``invoke`` for async code."""
        return self._result(await self.model.ainvoke(messages, config, **kwargs))

    def _result(self, raw: AIMessage) -> Any:
        if not self.include_raw:
            return self.request.parse(raw)
        try:
            return {"raw": raw, "parsed": self.request.parse(raw), "parsing_error": None}
        except StructuredOutputError as exc:
            return {"raw": raw, "parsed": None, "parsing_error": exc}
