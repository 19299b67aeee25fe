"""``get_input_jsonschema`` / ``get_output_jsonschema`` / ``get_context_jsonschema`` and the
input/output models, compared with what LangGraph 1.2.22 returns for the same graphs."""

import operator
from dataclasses import dataclass, field
from typing import Annotated, Optional

import pydantic
from typing_extensions import NotRequired, TypedDict

from langgraph_lite.graph import START, StateGraph


class Typed(TypedDict):
    a: int
    log: Annotated[list, operator.add]
    o: NotRequired[str]


@dataclass
class Data:
    a: int
    b: Optional[int]  # noqa: UP045 - the Optional spelling users write
    c: str = "x"
    items: list = field(default_factory=list)


class Model(pydantic.BaseModel):
    a: int
    b: str = "q"


class LogOnly(TypedDict):
    log: list


def graph(schema, **kw):
    builder = StateGraph(schema, **kw)
    builder.add_node("n", lambda state: {})
    builder.add_edge(START, "n")
    return builder.compile()


TYPED = {
    "properties": {
        "a": {"title": "A", "type": "integer"},
        "log": {"items": {}, "title": "Log", "type": "array"},
        "o": {"title": "O", "type": "string"},
    },
    "required": ["a", "log"],
    "title": "Typed",
    "type": "object",
}


def test_a_typeddict_state_is_described_as_itself():
    app = graph(Typed)
    assert app.get_input_jsonschema() == TYPED
    assert app.get_output_jsonschema() == TYPED


def test_a_dataclass_state_is_a_model_whose_optional_fields_default_to_none():
    props = {
        "a": {"title": "A", "type": "integer"},
        "b": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None, "title": "B"},
        "c": {"default": "x", "title": "C", "type": "string"},
        "items": {"default": [], "items": {}, "title": "Items", "type": "array"},
    }
    app = graph(Data)
    for got, title in [
        (app.get_input_jsonschema(), "LangGraphInput"),
        (app.get_output_jsonschema(), "LangGraphOutput"),
    ]:
        assert got == {"properties": props, "required": ["a"], "title": title, "type": "object"}
    assert app.get_input_schema().__name__ == "LangGraphInput"


def test_a_pydantic_state_is_its_own_model():
    app = graph(Model)
    assert app.get_input_schema() is Model
    assert app.get_input_jsonschema() == {
        "properties": {
            "a": {"title": "A", "type": "integer"},
            "b": {"default": "q", "title": "B", "type": "string"},
        },
        "required": ["a"],
        "title": "Model",
        "type": "object",
    }


def test_an_output_schema_narrows_the_output_jsonschema():
    assert graph(Typed, output_schema=LogOnly).get_output_jsonschema() == {
        "properties": {"log": {"items": {}, "title": "Log", "type": "array"}},
        "required": ["log"],
        "title": "LogOnly",
        "type": "object",
    }


def test_root_states_are_described_by_their_type():
    assert graph(int).get_input_jsonschema() == {
        "default": None,
        "title": "LangGraphInput",
        "type": "integer",
    }
    assert graph(Annotated[list, operator.add]).get_output_jsonschema() == {
        "default": None,
        "items": {},
        "title": "LangGraphOutput",
        "type": "array",
    }


def test_the_input_model_of_a_typeddict_refers_to_it():
    model = graph(Typed).get_input_schema()
    assert model.__name__ == "LangGraphInput"
    assert model.model_json_schema() == {
        "$defs": {"Typed": TYPED},
        "$ref": "#/$defs/Typed",
        "title": "LangGraphInput",
    }


def test_the_context_jsonschema_is_none_without_a_context_schema():
    assert graph(Typed).get_context_jsonschema() is None
    assert graph(Typed, context_schema=LogOnly).get_context_jsonschema() == {
        "properties": {"log": {"items": {}, "title": "Log", "type": "array"}},
        "required": ["log"],
        "title": "LogOnly",
        "type": "object",
    }
