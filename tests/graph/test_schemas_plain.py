"""Schemas LangGraph 1.2.22 also takes: a plain annotated class; and what it refuses."""

import operator
from typing import Annotated

import pytest

from langgraph_lite.graph import START, StateGraph


class Plain:
    info: Annotated[list[str], operator.add]
    name: str


def test_a_plain_class_with_annotations_is_a_schema_of_dict_values():
    builder = StateGraph(Plain)
    builder.add_node("n", lambda s: {"info": [type(s).__name__]})
    builder.add_edge(START, "n")
    assert builder.compile().invoke({"info": ["x"], "name": "q"}) == {
        "info": ["x", "dict"],
        "name": "q",
    }


@pytest.mark.parametrize("bad", [{"foo": "bar"}, ["hi", operator.add]], ids=["dict", "list"])
def test_a_value_instead_of_a_type_is_refused(bad):
    with pytest.raises(TypeError, match=r"^Invalid state_schema"):
        StateGraph(bad)
