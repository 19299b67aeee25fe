"""graph.stream_events / astream_events (version="v3") end to end: projections, the main log,
interrupts, subgraph namespaces, stopping early, errors, and bad arguments."""

import operator
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.config import get_stream_writer
from langgraph_lite.errors import GraphDrained
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.runtime import RunControl
from langgraph_lite.stream import (
    AsyncGraphRunStream,
    CustomTransformer,
    GraphRunStream,
    StreamChannel,
    StreamTransformer,
    UpdatesTransformer,
)
from langgraph_lite.types import Command, interrupt

OWN = {"values", "updates", "custom"}  # the methods these tests look at in the main log


class S(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]


def step(name):
    def node(state):
        get_stream_writer()(f"{name} ran")
        return {"x": state["x"] + 1, "log": [name]}

    node.__name__ = name
    return node


def chain(*names, **compile_kw):
    builder = StateGraph(S)
    prev = START
    for name in names:
        builder.add_node(name, step(name))
        builder.add_edge(prev, name)
        prev = name
    return builder.compile(**compile_kw)


def own(events):
    return [(e["method"], e["params"]["data"]) for e in events if e["method"] in OWN]


EXPECTED = [
    ("values", {"x": 0, "log": []}),
    ("custom", "a ran"),
    ("updates", {"a": {"x": 1, "log": ["a"]}}),
    ("values", {"x": 1, "log": ["a"]}),
    ("custom", "b ran"),
    ("updates", {"b": {"x": 2, "log": ["b"]}}),
    ("values", {"x": 2, "log": ["a", "b"]}),
]


def test_the_main_log_holds_every_event_in_order_numbered_from_one():
    graph = chain("a", "b", transformers=[UpdatesTransformer, CustomTransformer])
    run = graph.stream_events({"x": 0}, version="v3")
    assert isinstance(run, GraphRunStream)
    events = list(run)
    assert own(events) == EXPECTED
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(e["type"] == "event" and e["params"]["namespace"] == [] for e in events)
    assert run.output == {"x": 2, "log": ["a", "b"]}
    assert run.interrupted is False and run.interrupts == []


def test_projections_are_attributes_and_extensions_and_each_reads_its_own_mode():
    graph = chain("a", "b", transformers=[UpdatesTransformer])
    run = graph.stream_events({"x": 0}, version="v3", transformers=[CustomTransformer])
    assert run.extensions["updates"] is run.updates
    updates, custom = iter(run.updates), iter(run.custom)
    assert list(run.values) == [v for m, v in EXPECTED if m == "values"]
    assert list(updates) == [v for m, v in EXPECTED if m == "updates"]
    assert list(custom) == ["a ran", "b ran"]


def test_without_a_transformer_for_a_mode_the_graph_is_not_asked_for_it():
    seen = []
    graph = chain("a")
    original = graph.stream

    def recording(*args, **kwargs):
        seen.append(kwargs["stream_mode"])
        return original(*args, **kwargs)

    graph.stream = recording
    run = graph.stream_events({"x": 0}, version="v3")
    assert "updates" not in seen[0] and "custom" not in seen[0] and "values" in seen[0]
    assert {e["method"] for e in run} <= {"values", "messages", "lifecycle", "tasks"}
    with pytest.raises(
        AttributeError, match=r"no attribute 'updates' \(registered projections: .*values"
    ):
        run.updates  # noqa: B018


@pytest.mark.anyio
async def test_astream_events_gives_the_same_log_and_projections(anyio_backend):
    graph = chain("a", "b", transformers=[UpdatesTransformer, CustomTransformer])
    run = await graph.astream_events({"x": 0}, version="v3")
    assert isinstance(run, AsyncGraphRunStream)
    events = [e async for e in run]
    assert own(events) == EXPECTED
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert await run.output() == {"x": 2, "log": ["a", "b"]}
    assert await run.interrupted() is False


@pytest.mark.anyio
async def test_concurrent_readers_of_several_projections_share_one_pump():
    graph = chain("a", "b", "c", transformers=[UpdatesTransformer, CustomTransformer])
    run = await graph.astream_events({"x": 0}, version="v3")
    got: dict[str, list] = {}

    async def read(name):
        got[name] = [item async for item in run.extensions[name]]

    async with anyio.create_task_group() as group:
        for name in ("values", "updates", "custom"):
            group.start_soon(read, name)
    assert [v["x"] for v in got["values"]] == [0, 1, 2, 3]
    assert list(got["updates"]) == [{n: {"x": i, "log": [n]}} for i, n in enumerate("abc", 1)]
    assert got["custom"] == ["a ran", "b ran", "c ran"]


def ask_graph():
    def ask(state):
        answer = interrupt("how many?")
        return {"x": answer, "log": ["ask"]}

    builder = StateGraph(S)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    return builder.compile(checkpointer=InMemorySaver())


def test_an_interrupt_shows_on_the_run_and_the_run_resumes_with_a_command():
    graph = ask_graph()
    config = {"configurable": {"thread_id": "t"}}
    run = graph.stream_events({"x": 0}, config, version="v3")
    values = list(run)
    assert run.interrupted is True
    [pending] = run.interrupts
    assert pending.value == "how many?"
    last = [e for e in values if e["method"] == "values"][-1]
    assert last["params"]["interrupts"] == (pending,)
    resumed = graph.stream_events(Command(resume=7), config, version="v3")
    assert resumed.output == {"x": 7, "log": ["ask"]}
    assert resumed.interrupted is False


@pytest.mark.anyio
async def test_an_interrupt_shows_on_an_async_run_too():
    graph = ask_graph()
    config = {"configurable": {"thread_id": "t"}}
    run = await graph.astream_events({"x": 0}, config, version="v3")
    assert await run.interrupted() is True
    assert [i.value for i in await run.interrupts()] == ["how many?"]


def with_subgraph():
    inner = chain("inner")
    builder = StateGraph(S)
    builder.add_node("sub", inner)
    builder.add_node("after", step("after"))
    builder.add_edge(START, "sub")
    builder.add_edge("sub", "after")
    return builder.compile(transformers=[CustomTransformer])


def test_subgraph_events_carry_their_namespace_and_stay_out_of_root_projections():
    run = with_subgraph().stream_events({"x": 0}, version="v3")
    custom = iter(run.custom)
    events = list(run)
    nested = [e for e in events if e["params"]["namespace"] and e["method"] in OWN]
    assert {e["params"]["namespace"][0].split(":")[0] for e in nested} == {"sub"}
    assert ("custom", "inner ran") in own(nested)
    assert list(custom) == ["after ran"]  # the subgraph's custom event is not the root's
    assert run.output == {"x": 2, "log": ["inner", "after"]}


def test_a_v3_run_inside_a_node_keeps_to_its_own_level():
    inner = chain("one", "two", transformers=[CustomTransformer])
    seen = {}

    def outer(state, config):
        run = inner.stream_events(state, version="v3")
        seen["values"] = [v["x"] for v in run.values]
        seen["scope"] = run._mux.scope
        return {"x": run.output["x"], "log": ["outer"]}

    builder = StateGraph(S)
    builder.add_node("outer", outer)
    builder.add_edge(START, "outer")
    assert builder.compile().invoke({"x": 0})["x"] == 2
    assert seen["values"] == [0, 1, 2]
    assert [s.split(":")[0] for s in seen["scope"]] == ["outer"]


def test_leaving_early_stops_the_run_before_its_next_step():
    ran = []

    def tracked(name):
        def node(state):
            ran.append(name)
            return {"x": state["x"] + 1}

        return node

    builder = StateGraph(S)
    for name in "abc":
        builder.add_node(name, tracked(name))
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    with builder.compile().stream_events({"x": 0}, version="v3") as run:
        for state in run.values:
            if state["x"] == 1:
                break
    assert ran == ["a"]
    assert list(run) == []  # the log is closed
    run.abort()  # idempotent


@pytest.mark.anyio
async def test_aborting_an_async_run_stops_it():
    graph = chain("a", "b", "c")
    async with await graph.astream_events({"x": 0}, version="v3") as run:
        async for state in run.values:
            if state["x"] == 1:
                break
    assert run._exhausted
    await run.abort()


def failing_graph():
    def boom(state):
        raise ValueError("node broke")

    builder = StateGraph(S)
    builder.add_node("a", step("a"))
    builder.add_node("boom", boom)
    builder.add_edge(START, "a")
    builder.add_edge("a", "boom")
    return builder.compile()


def test_a_failing_node_fails_the_projections_after_their_items_and_the_output():
    run = failing_graph().stream_events({"x": 0}, version="v3")
    got = []
    with pytest.raises(ValueError, match="node broke"):
        for state in run.values:
            got.append(state["x"])
    assert got == [0, 1]
    with pytest.raises(ValueError, match="node broke"):
        run.output  # noqa: B018


@pytest.mark.anyio
async def test_a_failing_node_fails_an_async_run():
    run = await failing_graph().astream_events({"x": 0}, version="v3")
    with pytest.raises(ValueError, match="node broke"):
        await run.output()


def test_a_drain_requested_before_the_run_raises_graph_drained():
    control = RunControl()
    control.request_drain("deploy")
    graph = chain("a", "b", checkpointer=InMemorySaver())
    run = graph.stream_events(
        {"x": 0}, {"configurable": {"thread_id": "d"}}, version="v3", control=control
    )
    with pytest.raises(GraphDrained, match="deploy"):
        run.output  # noqa: B018


def test_factories_get_the_scope_and_call_site_transformers_come_after_compiled_ones():
    order = []

    class Tag(StreamTransformer):
        def __init__(self, scope, label):
            super().__init__(scope)
            self.label = label

        def init(self):
            order.append((self.label, self.scope))
            return {}

        def process(self, event):
            return True

    graph = chain("a", transformers=[lambda scope: Tag(scope, "compiled")])
    graph.stream_events({"x": 0}, version="v3", transformers=[lambda s: Tag(s, "call")]).output  # noqa: B018
    assert order == [("compiled", ()), ("call", ())]


def test_a_named_channel_of_a_user_transformer_reaches_the_main_log_as_custom_name():
    class Doubler(StreamTransformer):
        required_stream_modes = ("values",)

        def init(self):
            self.out = StreamChannel("doubled")
            return {"doubled": self.out}

        def process(self, event):
            if event["method"] == "values" and not event["params"]["namespace"]:
                self.out.push(event["params"]["data"]["x"] * 2)
            return True

    events = list(chain("a", transformers=[Doubler]).stream_events({"x": 5}, version="v3"))
    pairs = [(e["method"], e["params"]["data"]) for e in events if e["method"] != "lifecycle"]
    # what a transformer forwards while looking at an event comes before that event
    assert pairs[:2] == [("custom:doubled", 10), ("values", {"x": 5, "log": []})]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_interleave_yields_items_of_several_projections_in_arrival_order():
    run = chain("a", transformers=[UpdatesTransformer, CustomTransformer]).stream_events(
        {"x": 0}, version="v3"
    )
    got = list(run.interleave("values", "updates", "custom"))
    assert [name for name, _ in got] == ["values", "custom", "updates", "values"]
    with pytest.raises(KeyError):
        list(run.interleave("nope"))


def test_context_and_durability_reach_the_run():
    from dataclasses import dataclass

    from langgraph_lite.runtime import Runtime

    @dataclass
    class Ctx:
        who: str

    def greet(state, runtime: Runtime[Ctx]):
        return {"x": len(runtime.context.who)}

    builder = StateGraph(S, context_schema=Ctx)
    builder.add_node("greet", greet)
    builder.add_edge(START, "greet")
    run = builder.compile().stream_events({"x": 0}, version="v3", context=Ctx("trio"))
    assert run.output == {"x": 4, "log": []}


# -- bad arguments -------------------------------------------------------------------------


def test_a_transformer_instance_is_refused_with_the_factory_to_pass_instead():
    graph = chain("a", transformers=[UpdatesTransformer()])
    with pytest.raises(TypeError, match=r"pre-built instance UpdatesTransformer.*lambda scope"):
        graph.stream_events({"x": 0}, version="v3")
    with pytest.raises(TypeError, match="scope-aware callables, got int"):
        chain("a").stream_events({"x": 0}, version="v3", transformers=[3])


@pytest.mark.parametrize("kwarg", ["stream_mode", "subgraphs"])
def test_stream_mode_and_subgraphs_are_refused_because_v3_sets_them(kwarg):
    with pytest.raises(TypeError, match=f"do not accept {kwarg}"):
        chain("a").stream_events({"x": 0}, version="v3", **{kwarg: "values"})


def test_unknown_versions_are_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="version='v1', 'v2' or 'v3', got 'v4'"):
        chain("a").stream_events({"x": 0}, version="v4")
    with pytest.raises(ValueError, match="version='v1', 'v2' or 'v3', got 'v4'"):
        chain("a").astream_events({"x": 0}, version="v4")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_sync_v1_v2_event_streams_point_to_astream_events(version):
    # (LangChain has no sync v1/v2 event stream; LangGraph refuses it the same way)
    with pytest.raises(NotImplementedError, match="Use astream_events"):
        chain("a").stream_events({"x": 0}, version=version)


class AsyncRedactor(StreamTransformer):
    def init(self):
        return {}

    async def aprocess(self, event):
        return True


def test_an_async_only_transformer_is_refused_by_stream_events():
    with pytest.raises(RuntimeError, match="AsyncRedactor requires an async run"):
        chain("a").stream_events({"x": 0}, version="v3", transformers=[AsyncRedactor])


@pytest.mark.anyio
async def test_astream_events_refuses_bad_keywords_before_anything_is_awaited():
    with pytest.raises(TypeError, match="stream_mode"):
        chain("a").astream_events({"x": 0}, version="v3", stream_mode="values")
    run = await chain("a").astream_events({"x": 0}, version="v3", transformers=[AsyncRedactor])
    assert (await run.output())["x"] == 1


@pytest.mark.anyio
async def test_abort_from_another_task_cancels_the_node_that_is_running():
    seen = {}

    async def slow(state):
        try:
            await anyio.sleep(10)
        except BaseException as exc:
            seen["cancelled"] = type(exc).__name__
            raise
        return {"x": 1}

    builder = StateGraph(S)
    builder.add_node("slow", slow)
    builder.add_edge(START, "slow")
    run = await builder.compile().astream_events({"x": 0}, version="v3")
    got = []

    async def read():
        async for state in run.values:
            got.append(state["x"])

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(read)
            await anyio.sleep(0.1)
            await run.abort()
    assert got == [0]
    assert seen["cancelled"] in ("CancelledError", "Cancelled")


class StrictScorer(StreamTransformer):
    required_stream_modes = ("updates",)
    requires_async = True

    def init(self):
        return {}

    def process(self, event):
        if event["method"] == "updates":

            async def check():
                raise LookupError("scoring service down")

            self.schedule(check(), on_error="raise")
        return True


@pytest.mark.anyio
async def test_scheduled_work_that_must_not_fail_fails_the_run_when_it_does():
    run = await chain("a").astream_events({"x": 0}, version="v3", transformers=[StrictScorer])
    with pytest.raises(LookupError, match="scoring service down"):
        await run.output()
    with pytest.raises(LookupError):
        [state async for state in run.values]


def test_a_finalize_that_raises_fails_the_run():
    class Broken(StreamTransformer):
        def init(self):
            return {}

        def process(self, event):
            return True

        def finalize(self):
            raise RuntimeError("could not flush")

    run = chain("a").stream_events({"x": 0}, version="v3", transformers=[Broken])
    with pytest.raises(RuntimeError, match="could not flush"):
        run.output  # noqa: B018


def test_two_questions_in_one_step_each_go_out_with_the_state_as_langgraph_sends_them():
    def ask(name):
        def node(state):
            interrupt(f"{name}?")
            return {}

        return node

    builder = StateGraph(S)
    builder.add_node("a", ask("a"))
    builder.add_node("b", ask("b"))
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    graph = builder.compile(checkpointer=InMemorySaver(), transformers=[UpdatesTransformer])
    run = graph.stream_events({"x": 0}, {"configurable": {"thread_id": "q"}}, version="v3")
    shown = [
        (e["method"], [i.value for i in e["params"].get("interrupts", ())])
        for e in run
        if e["method"] in ("values", "updates")
    ]
    # (a and b run at once: which question comes first depends on which finishes first)
    assert [m for m, _ in shown] == ["values", "updates", "values", "updates", "values"]
    assert sorted(q for _, qs in shown[2::2] for q in qs) == ["a?", "b?"]
    assert all(len(qs) == 1 for _, qs in shown[2::2])
    assert sorted(i.value for i in run.interrupts) == ["a?", "b?"]
