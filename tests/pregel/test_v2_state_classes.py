"""version="v2" builds the state as the schema's class (pydantic model, dataclass), as LangGraph."""

from dataclasses import dataclass

import pydantic
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph


class Model(pydantic.BaseModel):
    n: int


@dataclass
class Data:
    n: int


class Plain(TypedDict):
    n: int


def graph(schema, **kw):
    builder = StateGraph(schema)
    builder.add_node("inc", lambda s: {"n": (s["n"] if isinstance(s, dict) else s.n) + 1})
    builder.add_edge(START, "inc")
    return builder.compile(**kw)


@pytest.mark.parametrize("schema", [Model, Data])
def test_v2_values_parts_and_invoke_output_are_instances_of_the_schema(schema):
    g = graph(schema)
    values = [p["data"] for p in g.stream({"n": 1}, stream_mode="values", version="v2")]
    assert values == [schema(n=1), schema(n=2)]
    assert g.invoke({"n": 1}, version="v2").value == schema(n=2)
    assert g.invoke({"n": 1}) == {"n": 2}  # v1 unchanged: a dict
    assert list(g.stream({"n": 1}, stream_mode="values")) == [{"n": 1}, {"n": 2}]


def test_v2_checkpoint_values_are_instances_except_the_first_checkpoint():
    g = graph(Model, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    parts = list(g.stream({"n": 1}, config, stream_mode=["checkpoints", "debug"], version="v2"))
    checkpoints = [p["data"] for p in parts if p["type"] == "checkpoints"]
    assert isinstance(checkpoints[0]["values"], dict)  # __start__ still pending
    assert checkpoints[-1]["values"] == Model(n=2)
    debug = [p["data"] for p in parts if p["type"] == "debug" and p["data"]["type"] == "checkpoint"]
    assert debug[-1]["payload"]["values"] == Model(n=2)


def test_a_typed_dict_schema_keeps_dicts():
    g = graph(Plain)
    assert [p["data"] for p in g.stream({"n": 1}, version="v2", stream_mode="values")] == [
        {"n": 1},
        {"n": 2},
    ]


def test_v3_runs_see_the_schema_class_too():
    run = graph(Model).stream_events({"n": 1}, version="v3")
    assert list(run.values) == [Model(n=1), Model(n=2)]
    assert run.output == Model(n=2)
