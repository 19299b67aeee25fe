"""A compiled graph composes with LangChain runnables (``|``, ``pipe``), as LangGraph's does.

Outputs checked against LangGraph 1.2.22 running the same program.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from langchain_core.tracers.base import BaseTracer
from typing_extensions import TypedDict

from langgraph_lite.graph import StateGraph


class S(TypedDict):
    k: str


def _app() -> Any:
    g = StateGraph(S).add_node("a", lambda s: {"k": s["k"] + "a"})
    g = g.add_node("b", lambda s: {"k": s["k"] + "b"}).set_entry_point("a").add_edge("a", "b")
    return g.set_finish_point("b").compile()


def test_graph_or_a_runnable_runs_the_graph_then_it_invoke_and_stream():
    chain = _app() | RunnablePassthrough()
    assert type(chain).__name__ == "RunnableSequence" and chain.first.name == "LangGraph"
    assert chain.invoke({"k": "x"}) == {"k": "xab"}
    assert list(chain.stream({"k": "x"})) == [{"a": {"k": "xa"}}, {"b": {"k": "xab"}}]
    upper = _app() | RunnableLambda(lambda d: d["k"].upper())
    assert upper.invoke({"k": "x"}) == "XAB"
    assert _app().pipe(RunnableLambda(lambda d: len(d["k"]))).invoke({"k": "x"}) == 3


@pytest.mark.anyio
async def test_a_chain_starting_with_a_graph_runs_async(anyio_backend: Any) -> None:
    if anyio_backend[0] == "trio":
        pytest.skip("LangChain's async runnables need asyncio")
    chain = _app() | RunnablePassthrough()
    assert await chain.ainvoke({"k": "x"}) == {"k": "xab"}
    assert [c async for c in chain.astream({"k": "x"})] == [
        {"a": {"k": "xa"}},
        {"b": {"k": "xab"}},
    ]


def test_the_chains_callbacks_see_the_graph_run_as_its_first_step():
    class Runs(BaseTracer):
        def __init__(self) -> None:
            super().__init__()
            self.runs: list[Any] = []

        def _persist_run(self, run: Any) -> None:
            self.runs.append(run)

    tracer = Runs()
    (_app() | RunnablePassthrough()).invoke({"k": "x"}, {"callbacks": [tracer]})
    (sequence,) = tracer.runs
    assert [r.name for r in sequence.child_runs][:1] == ["LangGraph"]
    assert sequence.outputs == {"k": "xab"}


def test_without_langchain_core_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_core.runnables", None)
    with pytest.raises(ImportError, match="pip install langchain-core"):
        _app() | RunnablePassthrough()
