"""``TAG_HIDDEN`` hides a node from the streams, with LangGraph 1.2.22's tag value."""

from __future__ import annotations

from langgraph_lite.channels import LastValue
from langgraph_lite.constants import TAG_HIDDEN
from langgraph_lite.pregel import NodeBuilder, Pregel


def _app() -> Pregel:
    hidden = NodeBuilder().subscribe_only("x").do(lambda v: v + 1).write_to("y").meta(TAG_HIDDEN)
    shown = NodeBuilder().subscribe_only("y").do(lambda v: v * 2).write_to("z")
    return Pregel(
        nodes={"a": hidden, "b": shown},
        channels={"x": LastValue(int), "y": LastValue(int), "z": LastValue(int)},
        input_channels="x",
        output_channels="z",
    )


def test_tag_hidden_is_langgraphs_value() -> None:
    assert TAG_HIDDEN == "langsmith:hidden"


def test_a_node_tagged_hidden_is_left_out_of_updates_and_tasks() -> None:
    app = _app()
    assert list(app.stream(1, stream_mode="updates")) == [{"b": {"z": 4}}]
    chunks = list(app.stream(1, stream_mode=["tasks", "updates"]))
    assert [mode for mode, _ in chunks] == ["tasks", "updates", "tasks"]
    assert {c["name"] for mode, c in chunks if mode == "tasks"} == {"b"}
    assert app.invoke(1) == 4
