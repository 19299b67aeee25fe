"""The JSON schemas of a compiled graph's input, output and context, as LangGraph gives them.

A pydantic schema is its own model; a TypedDict is described as it is (its title is its name);
a dataclass or a root type (``StateGraph(int)``) becomes a model named ``LangGraphInput`` /
``LangGraphOutput``, where a dataclass field without a default that may be None defaults to None.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, RootModel, TypeAdapter, create_model

from langgraph_lite.graph.schema import schema_info

__all__ = ["json_schema_of", "model_of"]


def model_of(schema: Any, title: str) -> type[BaseModel]:
    """A pydantic model describing values of ``schema``, named ``title`` unless it is one."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema
    info = schema_info(schema)
    if info.kind == "dataclass":
        hints = typing.get_type_hints(schema, include_extras=True)
        fields: dict[str, Any] = {}
        for f in dataclasses.fields(schema):
            annotation = hints.get(f.name, f.type)
            if f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            elif _may_be_none(annotation):
                default = None
            else:
                default = ...
            fields[f.name] = (annotation, default)
        return create_model(title, __config__=ConfigDict(arbitrary_types_allowed=True), **fields)
    root = schema if info.kind == "typeddict" else _without_reducer(schema)
    default = ... if info.kind == "typeddict" else None
    model: type[BaseModel] = create_model(
        title,
        __base__=RootModel[root],  # type: ignore[valid-type]
        root=(root, default),
    )
    return model


def json_schema_of(schema: Any, title: str) -> dict[str, Any]:
    """The JSON schema of ``schema``'s values (see the module docstring)."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if schema_info(schema).kind == "typeddict":
        return TypeAdapter(schema).json_schema()
    return model_of(schema, title).model_json_schema()


def _may_be_none(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation is None or type(None) in typing.get_args(annotation)


def _without_reducer(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation
