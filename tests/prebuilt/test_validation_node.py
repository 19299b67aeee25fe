"""ValidationNode checks tool calls against their schemas and answers without running them.

Expected values were observed running the same programs on LangGraph 1.2.22.
"""

from __future__ import annotations

import pydantic
import pytest
from pydantic import v1

from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.graph.message import MessagesState
from langgraph_lite.messages import AIMessage, HumanMessage
from langgraph_lite.prebuilt import ValidationNode
from langgraph_lite.tools import tool


class Pick(pydantic.BaseModel):
    n: int
    label: str = "x"


class PickV1(v1.BaseModel):
    n: int


def pick_fn(n: int, label: str = "y") -> str:
    return label * n


@tool
def pick_tool(n: int) -> str:
    """Pick a number."""
    return str(n)


def _calls(name: str, *args: dict) -> AIMessage:
    return AIMessage(
        "", tool_calls=[{"name": name, "args": a, "id": f"c{i}"} for i, a in enumerate(args)]
    )


def test_a_fitting_call_is_answered_with_its_validated_arguments_as_json():
    out = ValidationNode([Pick]).invoke({"messages": [_calls("Pick", {"n": 3})]})
    [m] = out["messages"]
    assert (m.content, m.name, m.tool_call_id, m.additional_kwargs) == (
        '{"n":3,"label":"x"}',
        "Pick",
        "c0",
        {},
    )


def test_a_call_that_does_not_fit_is_answered_with_the_error_marked_is_error():
    [m] = ValidationNode([Pick]).invoke([_calls("Pick", {"n": "bad"})])
    assert m.additional_kwargs == {"is_error": True}
    assert m.status == "success"  # LangGraph marks it in additional_kwargs only
    assert m.content.startswith("1 validation error for Pick\nn\n")
    assert m.content.endswith("\n\nRespond after fixing all validation errors.")


@pytest.mark.parametrize("schema", [Pick, PickV1, pick_fn, pick_tool])
@pytest.mark.anyio
async def test_models_v1_models_functions_and_tools_are_all_schemas(schema):
    name = getattr(schema, "name", None) or schema.__name__
    node = ValidationNode([schema])
    message = _calls(name, {"n": 1}, {"n": "bad"})
    for out in (node.invoke([message]), await node.ainvoke([message])):
        assert [m.tool_call_id for m in out] == ["c0", "c1"]
        assert [bool(m.additional_kwargs.get("is_error")) for m in out] == [False, True]


def test_a_function_schema_fills_in_defaults():
    [m] = ValidationNode([pick_fn]).invoke([_calls("pick_fn", {"n": 4})])
    assert m.content == '{"n":4,"label":"y"}'


def test_format_error_gets_the_error_the_call_and_the_schema():
    node = ValidationNode(
        [Pick], format_error=lambda e, c, s: f"{c['id']} {s.__name__} {type(e).__name__}"
    )
    [m] = node.invoke([_calls("Pick", {"n": "bad"})])
    assert m.content == "c0 Pick ValidationError"


def test_bad_inputs_raise_clear_errors():
    node = ValidationNode([Pick])
    with pytest.raises(KeyError, match="Nope"):
        node.invoke([_calls("Nope", {})])
    with pytest.raises(ValueError, match="No message found in input"):
        node.invoke({"messages": []})
    with pytest.raises(ValueError, match="Last message is not an AIMessage"):
        node.invoke([HumanMessage("hi")])
    with pytest.raises(ValueError, match="Unsupported input to ValidationNode"):
        ValidationNode([42])


def test_in_a_graph_the_answers_join_the_messages():
    builder = StateGraph(MessagesState)
    builder.add_node("validation", ValidationNode([Pick]))
    builder.add_edge(START, "validation").add_edge("validation", END)
    result = builder.compile().invoke({"messages": [_calls("Pick", {"n": 2}, {"n": "x"})]})
    assert [m.type for m in result["messages"]] == ["ai", "tool", "tool"]
    assert result["messages"][2].additional_kwargs == {"is_error": True}
