"""``durability="exit"`` saves where a run stops for interrupt_before/after, as LangGraph 1.2.22."""

from __future__ import annotations

from typing import Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph


class S(TypedDict):
    x: str


def _app(**kw: Any) -> Any:
    def a(s: S) -> dict[str, Any]:
        return {"x": s["x"] + "a"}

    g = StateGraph(S).add_node("a", a).add_node("b", a).add_edge(START, "a").add_edge("a", "b")
    return g.compile(checkpointer=InMemorySaver(), **kw)


KINDS = [{"interrupt_before": ["b"]}, {"interrupt_after": ["a"]}]
C = {"configurable": {"thread_id": "1"}}


def _history(app: Any) -> list[tuple[Any, ...]]:
    return [(h.next, h.values, h.metadata["step"]) for h in app.get_state_history(C)]


@pytest.mark.parametrize("kw", KINDS)
def test_a_run_stopped_by_a_static_interrupt_under_exit_durability_is_saved(kw: Any) -> None:
    app = _app(**kw)
    assert app.invoke({"x": ""}, C, durability="exit") == {"x": "a"}
    assert app.get_state(C).next == ("b",)
    assert _history(app) == [(("b",), {"x": "a"}, 1)]
    assert app.invoke(None, C, durability="exit") == {"x": "aa"}
    assert _history(app) == [((), {"x": "aa"}, 2), (("b",), {"x": "a"}, 1)]


@pytest.mark.anyio
@pytest.mark.parametrize("kw", KINDS)
async def test_a_static_interrupt_under_exit_durability_is_saved_by_ainvoke(kw: Any) -> None:
    app = _app(**kw)
    assert await app.ainvoke({"x": ""}, C, durability="exit") == {"x": "a"}
    assert (await app.aget_state(C)).next == ("b",)
    assert await app.ainvoke(None, C, durability="exit") == {"x": "aa"}
    assert _history(app) == [((), {"x": "aa"}, 2), (("b",), {"x": "a"}, 1)]


@pytest.mark.parametrize("durability", ["exit", "async", "sync"])
def test_a_run_stopped_by_its_recursion_limit_keeps_its_last_checkpoint(durability: str) -> None:
    from langgraph_lite.errors import GraphRecursionError

    class N(TypedDict):
        n: int

    g = StateGraph(N).add_node("loop", lambda s: {"n": s["n"] + 1})
    app = g.add_edge(START, "loop").add_edge("loop", "loop").compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "r"}, "recursion_limit": 3}
    with pytest.raises(GraphRecursionError, match=r"(?i)recursion.limit"):
        app.invoke({"n": 0}, config, durability=durability)
    state = app.get_state(config)
    assert (state.values, state.next, state.metadata["step"]) == ({"n": 3}, ("loop",), 3)
    saved = len(list(app.get_state_history(config)))
    assert saved == (1 if durability == "exit" else 5)
    # it goes on from there, with a new limit (a resumed run takes no input step: one more)
    with pytest.raises(GraphRecursionError):
        app.invoke(None, {**config, "recursion_limit": 2}, durability=durability)
    assert app.get_state(config).values == {"n": 7}


def _two_steps(node: Any) -> Any:
    class H(TypedDict):
        hello: str

    g = StateGraph(H).add_node("pre", lambda s: {"hello": s["hello"] + "!"}).add_node("agent", node)
    g = g.add_edge(START, "pre").add_edge("pre", "agent")
    return g.compile(checkpointer=InMemorySaver())


@pytest.mark.anyio
async def test_an_exit_run_cancelled_mid_step_saves_where_it_stood(anyio_backend: Any) -> None:
    import anyio

    started = anyio.Event()

    async def agent(s: Any) -> dict[str, Any]:
        started.set()
        await anyio.sleep(10)
        return {"hello": "done"}

    app = _two_steps(agent)
    config = {"configurable": {"thread_id": "c"}}
    async with anyio.create_task_group() as tg:

        async def run() -> None:
            await app.ainvoke({"hello": "world"}, config, durability="exit")

        tg.start_soon(run)
        await started.wait()
        tg.cancel_scope.cancel()
    state = await app.aget_state(config)
    assert (state.values, state.next, state.metadata["step"]) == (
        {"hello": "world!"},
        ("agent",),
        1,
    )
    assert len([s async for s in app.aget_state_history(config)]) == 1


def test_an_exit_run_whose_consumer_leaves_saves_where_it_stood() -> None:
    app = _two_steps(lambda s: {"hello": "done"})
    config = {"configurable": {"thread_id": "l"}}
    stream = app.stream({"hello": "world"}, config, durability="exit", stream_mode="updates")
    assert next(stream) == {"pre": {"hello": "world!"}}
    stream.close()
    state = app.get_state(config)
    assert (state.values, state.next) == ({"hello": "world!"}, ("agent",))
    assert app.invoke(None, config) == {"hello": "done"}
