"""``get_graph().draw_mermaid()`` gives the same text as LangGraph 1.2.22 for the same graph.

Each expected picture below was printed by LangGraph from the same builder calls.
"""

from typing import Literal, Optional

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command


class State(TypedDict):
    a: int


def noop(state):
    return {}


def mermaid(*lines: str) -> str:
    body = "".join(f"\t{line}\n" for line in lines)
    return (
        "---\nconfig:\n  flowchart:\n    curve: linear\n---\ngraph TD;\n"
        + body
        + "\tclassDef default fill:#f2f0ff,line-height:1.2\n"
        "\tclassDef first fill-opacity:0\n"
        "\tclassDef last fill:#bfb6fc\n"
    )


def graph(*nodes, **kw):
    builder = StateGraph(State)
    for node in nodes:
        name, action = node if isinstance(node, tuple) else (node, noop)
        builder.add_node(name, action, **kw.get(name, {}))
    return builder


FIRST = "__start__([<p>__start__</p>]):::first"
LAST = "__end__([<p>__end__</p>]):::last"


def test_a_chain_is_drawn_start_to_end():
    builder = graph("x", "y")
    builder.add_edge(START, "x")
    builder.add_edge("x", "y")
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST, "x(x)", "y(y)", LAST, "__start__ --> x;", "x --> y;", "y --> __end__;"
    )


def test_a_literal_return_annotation_of_a_path_function_draws_its_targets():
    def route(state) -> Literal["y", "__end__"]:
        return "y"

    builder = graph("x", "y")
    builder.add_edge(START, "x")
    builder.add_conditional_edges("x", route)
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "x(x)",
        "y(y)",
        LAST,
        "__start__ --> x;",
        "x -.-> __end__;",
        "x -.-> y;",
        "y --> __end__;",
    )


def test_path_map_keys_label_the_dotted_edges():
    builder = graph("x", "y", "z")
    builder.add_edge(START, "x")
    builder.add_conditional_edges("x", lambda s: "a", {"a": "y", "b": "z", "c": END})
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "x(x)",
        "y(y)",
        "z(z)",
        LAST,
        "__start__ --> x;",
        "x -. &nbsp;c&nbsp; .-> __end__;",
        "x -. &nbsp;a&nbsp; .-> y;",
        "x -. &nbsp;b&nbsp; .-> z;",
        "y --> __end__;",
        "z --> __end__;",
    )


def test_a_long_label_wraps_every_nine_words():
    builder = graph("x", "y")
    builder.add_edge(START, "x")
    label = "a very long label with more than nine words in it for sure"
    builder.add_conditional_edges("x", lambda s: "k", {label: "y", "__end__": END})
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "x(x)",
        "y(y)",
        LAST,
        "__start__ --> x;",
        "x -.-> __end__;",
        "x -. &nbsp;a very long label with more than nine words&nbsp<br>&nbspin it for sure"
        "&nbsp; .-> y;",
        "y --> __end__;",
    )


def go_y_or_z(state) -> Command[Literal["y", "z"]]:
    return Command(goto="y")


def maybe_y(state) -> Optional[Command[Literal["y"]]]:  # noqa: UP045 - as users write it
    return None


@pytest.mark.parametrize(
    ("action", "targets"),
    [(go_y_or_z, ["y", "z"]), (maybe_y, ["y"])],
    ids=["Command[Literal]", "Optional[Command[Literal]]"],
)
def test_destinations_declared_as_a_command_return_annotation_are_drawn(action, targets):
    builder = graph(("x", action), *targets)
    builder.add_edge(START, "x")
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "x(x)",
        *(f"{t}({t})" for t in targets),
        LAST,
        "__start__ --> x;",
        *(f"x -.-> {t};" for t in targets),
        *(f"{t} --> __end__;" for t in targets),
    )


def test_destinations_given_as_a_dict_label_the_edges():
    builder = graph("x", "y", "z", x={"destinations": {"y": "go y", "z": "go z"}})
    builder.add_edge(START, "x")
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "x(x)",
        "y(y)",
        "z(z)",
        LAST,
        "__start__ --> x;",
        "x -. &nbsp;go y&nbsp; .-> y;",
        "x -. &nbsp;go z&nbsp; .-> z;",
        "y --> __end__;",
        "z --> __end__;",
    )


def test_an_edge_both_static_and_conditional_is_drawn_dotted():
    builder = graph("x", "y")
    builder.add_edge(START, "x")
    builder.add_edge("x", "y")
    builder.add_conditional_edges("x", lambda s: "y", ["y"])
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST, "x(x)", "y(y)", LAST, "__start__ --> x;", "x -.-> y;", "y --> __end__;"
    )


def test_a_cycle_with_no_way_out_ends_after_the_node_of_the_last_step():
    builder = graph("x", "y")
    builder.add_edge(START, "x")
    builder.add_edge("x", "y")
    builder.add_edge("y", "x")
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "x(x)",
        "y(y)",
        LAST,
        "__start__ --> x;",
        "x --> y;",
        "y --> x;",
        "y -.-> __end__;",
    )


def test_joined_edges_are_drawn_from_each_start():
    builder = graph("x", "y", "z")
    builder.add_edge(START, "x")
    builder.add_edge(START, "y")
    builder.add_edge(["x", "y"], "z")
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "x(x)",
        "y(y)",
        "z(z)",
        LAST,
        "__start__ --> x;",
        "__start__ --> y;",
        "x --> z;",
        "y --> z;",
        "z --> __end__;",
    )


def test_node_ids_escape_what_mermaid_ids_cannot_hold():
    builder = graph("héllo wörld", "日本", "c.d")
    builder.add_edge(START, "héllo wörld")
    builder.add_edge("héllo wörld", "日本")
    builder.add_edge("日本", "c.d")
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "h\\e9llo\\20w\\f6rld(héllo wörld)",
        "\\65e5\\672c(日本)",
        "c\\2ed(c.d)",
        LAST,
        "__start__ --> h\\e9llo\\20w\\f6rld;",
        "h\\e9llo\\20w\\f6rld --> \\65e5\\672c;",
        "\\65e5\\672c --> c\\2ed;",
        "c\\2ed --> __end__;",
    )


def test_names_that_look_like_markdown_are_wrapped_in_a_paragraph():
    builder = graph("_private_", "*star*")
    builder.add_edge(START, "_private_")
    builder.add_edge("_private_", "*star*")
    assert builder.compile().get_graph().draw_mermaid() == mermaid(
        FIRST,
        "_private_(<p>_private_</p>)",
        "\\2astar\\2a(<p>*star*</p>)",
        LAST,
        "__start__ --> _private_;",
        "_private_ --> \\2astar\\2a;",
        "\\2astar\\2a --> __end__;",
    )


def test_metadata_defer_and_interrupts_are_shown_under_the_node_name():
    builder = graph(
        "x",
        "y",
        x={"metadata": {"k": "v", "n": 3, "tags": ["a", "b"], "obj": object()}},
        y={"defer": True},
    )
    builder.add_edge(START, "x")
    builder.add_edge("x", "y")
    app = builder.compile(
        checkpointer=InMemorySaver(), interrupt_before=["x"], interrupt_after=["x", "y"]
    )
    assert app.get_graph().draw_mermaid() == mermaid(
        FIRST,
        "x(x<hr/><small><em>k = v\nn = 3\ntags = a, b\n__interrupt = before,after</em></small>)",
        "y(y<hr/><small><em>defer = True\n__interrupt = after</em></small>)",
        LAST,
        "__start__ --> x;",
        "x --> y;",
        "y --> __end__;",
    )


def chain(*names):
    builder = graph(*names)
    previous = START
    for name in names:
        builder.add_edge(previous, name)
        previous = name
    return builder


def test_a_subgraph_is_one_node_without_xray_and_a_block_with_it():
    outer = graph("pre", ("sub", chain("i1", "i2").compile()), "post")
    outer.add_edge(START, "pre")
    outer.add_edge("pre", "sub")
    outer.add_edge("sub", "post")
    app = outer.compile()
    assert app.get_graph().draw_mermaid() == mermaid(
        FIRST,
        "pre(pre)",
        "sub(sub)",
        "post(post)",
        LAST,
        "__start__ --> pre;",
        "pre --> sub;",
        "sub --> post;",
        "post --> __end__;",
    )
    assert app.get_graph(xray=True).draw_mermaid() == mermaid(
        FIRST,
        "pre(pre)",
        "post(post)",
        LAST,
        "__start__ --> pre;",
        "pre --> sub\\3ai1;",
        "sub\\3ai2 --> post;",
        "post --> __end__;",
        "subgraph sub",
        "sub\\3ai1(i1)",
        "sub\\3ai2(i2)",
        "sub\\3ai1 --> sub\\3ai2;",
        "end",
    )


def nested():
    middle = chain("m1")
    middle.add_node("inner", chain("deep1", "deep2").compile())
    middle.add_edge("m1", "inner")
    top = chain("top")
    top.add_node("mid", middle.compile())
    top.add_edge("top", "mid")
    return top.compile()


NESTED_ALL = mermaid(
    FIRST,
    "top(top)",
    LAST,
    "__start__ --> top;",
    "top --> mid\\3am1;",
    "mid\\3ainner\\3adeep2 --> __end__;",
    "subgraph mid",
    "mid\\3am1(m1)",
    "mid\\3am1 --> mid\\3ainner\\3adeep1;",
    "subgraph inner",
    "mid\\3ainner\\3adeep1(deep1)",
    "mid\\3ainner\\3adeep2(deep2)",
    "mid\\3ainner\\3adeep1 --> mid\\3ainner\\3adeep2;",
    "end",
    "end",
)


@pytest.mark.parametrize("xray", [True, 2])
def test_xray_true_or_a_depth_draws_nested_subgraphs_inside_each_other(xray):
    assert nested().get_graph(xray=xray).draw_mermaid() == NESTED_ALL


def test_xray_one_stops_after_the_first_level():
    assert nested().get_graph(xray=1).draw_mermaid() == mermaid(
        FIRST,
        "top(top)",
        LAST,
        "__start__ --> top;",
        "top --> mid\\3am1;",
        "mid\\3ainner --> __end__;",
        "subgraph mid",
        "mid\\3am1(m1)",
        "mid\\3ainner(inner)",
        "mid\\3am1 --> mid\\3ainner;",
        "end",
    )


def test_a_subgraph_that_fans_out_from_its_start_keeps_its_start_and_end():
    inner = graph("p", "q")
    inner.add_edge(START, "p")
    inner.add_edge(START, "q")
    outer = graph(("sub", inner.compile()), "after")
    outer.add_edge(START, "sub")
    outer.add_edge("sub", "after")
    assert outer.compile().get_graph(xray=True).draw_mermaid() == mermaid(
        FIRST,
        "after(after)",
        LAST,
        "__start__ --> sub\\3a__start__;",
        "sub\\3a__end__ --> after;",
        "after --> __end__;",
        "subgraph sub",
        "sub\\3a__start__(<p>__start__</p>)",
        "sub\\3ap(p)",
        "sub\\3aq(q)",
        "sub\\3a__end__(<p>__end__</p>)",
        "sub\\3a__start__ --> sub\\3ap;",
        "sub\\3a__start__ --> sub\\3aq;",
        "sub\\3ap --> sub\\3a__end__;",
        "sub\\3aq --> sub\\3a__end__;",
        "end",
    )


def test_without_styles_only_the_edges_are_drawn():
    text = chain("x").compile().get_graph().draw_mermaid(with_styles=False)
    assert text == "graph TD;\n\t__start__ --> x;\n\tx --> __end__;\n"
