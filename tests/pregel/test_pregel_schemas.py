"""A low-level Pregel's input, output and context schemas, as pydantic models and JSON."""

from dataclasses import dataclass, field

from langgraph_lite.channels import LastValue
from langgraph_lite.pregel import NodeBuilder, Pregel


def _app(input_channels, output_channels, **kwargs):
    return Pregel(
        nodes={"one": NodeBuilder().subscribe_only("a").do(lambda x: x).write_to("b")},
        channels={"a": LastValue(int), "b": LastValue(str)},
        input_channels=input_channels,
        output_channels=output_channels,
        **kwargs,
    )


def test_one_channel_in_and_out_is_described_by_its_type():
    app = _app("a", "b")
    assert app.input_schema.model_json_schema() == {"title": "LangGraphInput", "type": "integer"}
    assert app.output_schema.model_json_schema() == {"title": "LangGraphOutput", "type": "string"}
    assert app.get_input_jsonschema() == app.input_schema.model_json_schema()


def test_a_list_of_channels_is_an_object_of_optional_fields():
    app = _app(["a"], ["a", "b"])
    assert app.output_schema.model_json_schema() == {
        "title": "LangGraphOutput",
        "type": "object",
        "properties": {
            "a": {"title": "A", "type": "integer", "default": None},
            "b": {"title": "B", "type": "string", "default": None},
        },
    }


def test_the_context_schema_is_described_when_given():
    @dataclass
    class Context:
        user: str
        retries: int = field(default=2)

    assert _app("a", "b").get_context_jsonschema() is None
    assert _app("a", "b", context_schema=Context).get_context_jsonschema() == {
        "title": "Context",
        "type": "object",
        "properties": {
            "user": {"title": "User", "type": "string"},
            "retries": {"title": "Retries", "type": "integer", "default": 2},
        },
        "required": ["user"],
    }
