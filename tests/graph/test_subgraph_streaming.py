"""subgraphs=True: chunks carry the namespace of the graph that made them, as LangGraph's."""

import operator
import re
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.config import get_stream_writer
from langgraph_lite.graph import START, StateGraph


class S(TypedDict):
    x: int
    log: Annotated[list, operator.add]


def build(fail=False):
    def c1(state):
        get_stream_writer()({"from": "c1"})
        if fail:
            raise KeyError("inside")
        return {"log": ["c1"]}

    inner = StateGraph(S)
    inner.add_node("c1", c1)
    inner.add_node("c2", lambda s: {"x": s["x"] + 1})
    inner.add_edge(START, "c1")
    inner.add_edge("c1", "c2")
    outer = StateGraph(S)
    outer.add_node("pre", lambda s: {"log": ["pre"]})
    outer.add_node("sub", inner.compile())
    outer.add_edge(START, "pre")
    outer.add_edge("pre", "sub")
    return outer.compile()


def names(chunks):
    """Task ids differ per run: keep the node name of each namespace part."""
    out = []
    for chunk in chunks:
        ns = tuple(re.sub(r":.*", ":<id>", part) for part in chunk[0])
        out.append((ns, *chunk[1:]))
    return out


# Observed on LangGraph 1.2.22 with the same program.
EXPECTED = {
    "updates": [
        ((), {"pre": {"log": ["pre"]}}),
        (("sub:<id>",), {"c1": {"log": ["c1"]}}),
        (("sub:<id>",), {"c2": {"x": 2}}),
        ((), {"sub": {"x": 2, "log": ["pre", "c1"]}}),
    ],
    "values": [
        ((), {"x": 1, "log": []}),
        ((), {"x": 1, "log": ["pre"]}),
        (("sub:<id>",), {"x": 1, "log": ["pre"]}),
        (("sub:<id>",), {"x": 1, "log": ["pre", "c1"]}),
        (("sub:<id>",), {"x": 2, "log": ["pre", "c1"]}),
        ((), {"x": 2, "log": ["pre", "pre", "c1"]}),
    ],
    "updates+custom": [
        ((), "updates", {"pre": {"log": ["pre"]}}),
        (("sub:<id>",), "custom", {"from": "c1"}),
        (("sub:<id>",), "updates", {"c1": {"log": ["c1"]}}),
        (("sub:<id>",), "updates", {"c2": {"x": 2}}),
        ((), "updates", {"sub": {"x": 2, "log": ["pre", "c1"]}}),
    ],
}
MODES = {"updates": "updates", "values": "values", "updates+custom": ["updates", "custom"]}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_subgraph_chunks_carry_their_namespace(case):
    chunks = build().stream({"x": 1, "log": []}, stream_mode=MODES[case], subgraphs=True)
    assert names(chunks) == EXPECTED[case]


@pytest.mark.anyio
@pytest.mark.parametrize("case", list(EXPECTED))
async def test_subgraph_chunks_carry_their_namespace_in_astream(case):
    stream = build().astream({"x": 1, "log": []}, stream_mode=MODES[case], subgraphs=True)
    assert names([c async for c in stream]) == EXPECTED[case]


def test_the_namespace_names_the_task_that_ran_the_subgraph():
    (chunk,) = [
        c
        for c in build().stream({"x": 1, "log": []}, stream_mode="updates", subgraphs=True)
        if c[0] and "c2" in c[1]
    ]
    (part,) = chunk[0]
    assert re.fullmatch(r"sub:[0-9a-f-]{36}", part)


def test_without_subgraphs_only_the_parents_chunks_come_out():
    chunks = list(build().stream({"x": 1, "log": []}, stream_mode="updates"))
    assert chunks == [{"pre": {"log": ["pre"]}}, {"sub": {"x": 2, "log": ["pre", "c1"]}}]


def test_an_error_in_a_subgraph_reaches_the_caller_once_with_its_place():
    with pytest.raises(KeyError) as info:
        list(build(fail=True).stream({"x": 1, "log": []}, subgraphs=True))
    notes = info.value.__notes__
    assert len(notes) == 2  # raised in 'c1', inside the parent's node 'sub'
    assert "'c1'" in notes[0] and "'sub'" in notes[1]
