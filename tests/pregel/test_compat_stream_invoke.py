"""invoke's stream_mode / print_mode / debug and stream's print_mode (observed on LangGraph 1.2.22)."""

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import interrupt


class S(TypedDict):
    x: str


def asking_graph():
    def a(s):
        return {"x": s["x"] + "a"}

    def b(s):
        return {"x": s["x"] + interrupt("q?")}

    builder = StateGraph(S).add_node(a).add_node(b)
    builder.add_edge(START, "a").add_edge("a", "b")
    return builder.compile(checkpointer=InMemorySaver())


def thread(n):
    return {"configurable": {"thread_id": str(n)}}


def without_ids(chunks):
    """Interrupt ids differ per run: keep their values."""
    out = []
    for c in chunks:
        if isinstance(c, tuple):
            out.append((c[0], *without_ids([c[1]])))
        elif isinstance(c, dict) and "__interrupt__" in c:
            out.append({**c, "__interrupt__": [i.value for i in c["__interrupt__"]]})
        elif isinstance(c, dict) and isinstance(c.get("data"), dict):
            out.append({**c, "data": without_ids([c["data"]])[0]})
        else:
            out.append(c)
    return out


def test_invoke_with_another_stream_mode_returns_the_chunks_stream_would_yield():
    chunks = asking_graph().invoke({"x": ""}, thread(1), stream_mode="updates")
    assert without_ids(chunks) == [{"a": {"x": "a"}}, {"__interrupt__": ["q?"]}]


def test_invoke_with_a_list_of_modes_returns_tagged_chunks():
    chunks = asking_graph().invoke({"x": ""}, thread(1), stream_mode=["updates", "values"])
    assert without_ids(chunks) == [
        ("values", {"x": ""}),
        ("updates", {"a": {"x": "a"}}),
        ("values", {"x": "a"}),
        ("updates", {"__interrupt__": ["q?"]}),
        ("values", {"x": "a", "__interrupt__": ["q?"]}),
    ]


def test_invoke_v2_with_updates_returns_typed_parts():
    chunks = asking_graph().invoke({"x": ""}, thread(1), stream_mode="updates", version="v2")
    assert without_ids(chunks) == [
        {"type": "updates", "ns": (), "data": {"a": {"x": "a"}}},
        {"type": "updates", "ns": (), "data": {"__interrupt__": ["q?"]}},
    ]


def test_print_mode_prints_bold_mode_tags_and_leaves_invokes_result_alone(capsys):
    result = asking_graph().invoke({"x": ""}, thread(1), print_mode="updates")
    assert without_ids([result]) == [{"x": "a", "__interrupt__": ["q?"]}]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "\033[1m[updates]\033[0m {'a': {'x': 'a'}}"
    assert lines[1].startswith("\033[1m[updates]\033[0m {'__interrupt__': (Interrupt(value='q?'")
    assert len(lines) == 2


def test_print_mode_in_stream_prints_modes_not_streamed(capsys):
    chunks = list(
        asking_graph().stream({"x": ""}, thread(1), stream_mode="values", print_mode=["updates"])
    )
    assert without_ids(chunks) == [{"x": ""}, {"x": "a"}, {"x": "a", "__interrupt__": ["q?"]}]
    assert capsys.readouterr().out.count("[updates]") == 2


def test_debug_prints_updates_and_values(capsys):
    asking_graph().invoke({"x": ""}, thread(1), debug=True)
    printed = [line.split(" ", 1)[0] for line in capsys.readouterr().out.splitlines()]
    tags = ["\033[1m[values]\033[0m", "\033[1m[updates]\033[0m"]
    assert printed == [tags[0], tags[1], tags[0], tags[1], tags[0]]


def test_custom_chunks_are_printed_from_node_code(capsys):
    from langgraph_lite.config import get_stream_writer

    def node(s):
        get_stream_writer()({"hello": 1})
        return {"x": "y"}

    graph = StateGraph(S).add_node(node).add_edge(START, "node").compile()
    assert graph.invoke({"x": ""}, print_mode="custom") == {"x": "y"}
    assert capsys.readouterr().out == "\033[1m[custom]\033[0m {'hello': 1}\n"


def test_printed_subgraph_chunks_name_their_graph(capsys):
    inner = StateGraph(S).add_node("i", lambda s: {"x": "i"}).add_edge(START, "i").compile()
    outer = StateGraph(S).add_node("sub", inner).add_edge(START, "sub").compile()
    list(outer.stream({"x": ""}, stream_mode="values", print_mode="updates", subgraphs=True))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("\033[1m[updates]\033[0m \033[1;30;33m[graph=('sub:")
    assert lines[0].endswith("\033[0m {'i': {'x': 'i'}}")
    assert lines[1] == "\033[1m[updates]\033[0m {'sub': {'x': 'i'}}"


def test_invoke_rejects_keywords_stream_does_not_take():
    graph = asking_graph()
    with pytest.raises(TypeError, match="unexpected keyword arguments \\['colour'\\]"):
        graph.invoke({"x": ""}, thread(1), colour="red")


def test_bad_print_mode_names_the_valid_modes():
    with pytest.raises(ValueError, match="unknown stream_mode 'update'"):
        asking_graph().invoke({"x": ""}, thread(1), print_mode="update")


@pytest.mark.anyio
async def test_ainvoke_with_stream_mode_and_print_mode(capsys):
    graph = asking_graph()
    chunks = await graph.ainvoke({"x": ""}, thread(1), stream_mode="updates", print_mode="values")
    assert without_ids(chunks) == [{"a": {"x": "a"}}, {"__interrupt__": ["q?"]}]
    assert capsys.readouterr().out.count("[values]") == 3
    result = await graph.ainvoke({"x": ""}, thread(2), subgraphs=True)
    assert without_ids([result]) == [{"x": "a", "__interrupt__": ["q?"]}]


def test_invoke_v2_returns_a_graph_output_with_the_interrupts_apart():
    from langgraph_lite.types import GraphOutput

    result = asking_graph().invoke({"x": ""}, thread(1), version="v2")
    assert isinstance(result, GraphOutput)
    assert result.value == {"x": "a"}
    assert [i.value for i in result.interrupts] == ["q?"]


def test_reading_a_graph_output_like_a_dict_works_and_warns():
    result = asking_graph().invoke({"x": ""}, thread(1), version="v2")
    with pytest.warns(DeprecationWarning, match="result.value"):
        assert result["x"] == "a"
    with pytest.warns(DeprecationWarning):
        assert "__interrupt__" in result
    with pytest.warns(DeprecationWarning):
        assert [i.value for i in result["__interrupt__"]] == ["q?"]


@pytest.mark.anyio
async def test_ainvoke_v2_of_a_finished_run_has_no_interrupts():
    graph = StateGraph(S).add_node("a", lambda s: {"x": "done"}).add_edge(START, "a").compile()
    result = await graph.ainvoke({"x": ""}, version="v2")
    assert (result.value, result.interrupts) == ({"x": "done"}, ())
