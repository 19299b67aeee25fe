"""LangChain callbacks in a run's config: the graph and each node report as LangGraph's do."""

import asyncio
import sys

import pytest
from langchain_core.callbacks import BaseCallbackHandler, CallbackManager
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage
from langchain_core.tracers.base import BaseTracer
from typing_extensions import TypedDict

from langgraph_lite.callbacks import GraphCallbackHandler
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, TracePolicy, interrupt, omit_payload


class Count(TypedDict):
    n: int


class Recorder(BaseCallbackHandler):
    """Every chain and chat-model run it hears of, with its parent."""

    def __init__(self) -> None:
        self.runs: dict = {}  # run id -> dict
        self.order: list = []

    def on_chain_start(self, serialized, inputs, *, run_id, parent_run_id=None, **kw):
        self.runs[run_id] = {
            "name": kw["name"],
            "parent": parent_run_id,
            "tags": kw.get("tags"),
            "metadata": kw.get("metadata") or {},
            "inputs": inputs,
        }
        self.order.append(("start", kw["name"]))

    def on_chain_end(self, outputs, *, run_id, **kw):
        self.runs[run_id]["outputs"] = outputs
        self.order.append(("end", self.runs[run_id]["name"]))

    def on_chain_error(self, error, *, run_id, **kw):
        self.runs[run_id]["error"] = error
        self.order.append(("error", self.runs[run_id]["name"]))

    def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, **kw):
        self.runs[run_id] = {"name": "model", "parent": parent_run_id}

    def named(self, name):
        return next(r for r in self.runs.values() if r["name"] == name)

    def id_of(self, name):
        return next(k for k, r in self.runs.items() if r["name"] == name)


def counter(node=lambda s: {"n": s["n"] + 1}, **compile_kw):
    return StateGraph(Count).add_node("bump", node).add_edge(START, "bump").compile(**compile_kw)


def test_graph_and_node_runs_with_langgraph_names_tags_and_metadata():
    rec = Recorder()
    assert counter(name="g").invoke({"n": 1}, {"callbacks": [rec], "tags": ["mine"]}) == {"n": 2}
    assert rec.order == [("start", "g"), ("start", "bump"), ("end", "bump"), ("end", "g")]
    graph, node = rec.named("g"), rec.named("bump")
    assert graph["parent"] is None and graph["tags"] == ["mine"]
    assert graph["inputs"] == {"n": 1} and graph["outputs"] == {"n": 2}
    assert node["parent"] == rec.id_of("g")
    assert node["tags"] == ["graph:step:1", "mine"]
    meta = node["metadata"]
    assert (meta["langgraph_step"], meta["langgraph_node"]) == (1, "bump")
    assert meta["langgraph_triggers"] == ("branch:to:bump",)
    assert meta["langgraph_path"] == ("__pregel_pull", "bump")
    assert meta["langgraph_checkpoint_ns"].startswith("bump:")
    assert (node["inputs"], node["outputs"]) == ({"n": 1}, {"n": 2})


def test_a_callback_manager_and_run_id_and_run_name_are_honoured():
    import uuid

    rec = Recorder()
    run_id = uuid.uuid4()
    manager = CallbackManager.configure(inheritable_callbacks=[rec])
    counter().invoke({"n": 1}, {"callbacks": manager, "run_id": run_id, "run_name": "mine"})
    assert rec.runs[run_id]["name"] == "mine"
    assert rec.named("bump")["parent"] == run_id


def test_a_model_called_in_a_node_is_the_nodes_child_even_without_config():
    model = FakeMessagesListChatModel(responses=[AIMessage("hi")])

    def ask(state):
        model.invoke("hello")  # no config passed: LangChain's own context carries it
        return {"n": 0}

    rec = Recorder()
    counter(ask).invoke({"n": 1}, {"callbacks": [rec]})
    assert rec.named("model")["parent"] == rec.id_of("bump")


def test_a_failing_node_reports_errors_and_the_error_still_raises():
    def boom(state):
        raise ValueError("no")

    rec = Recorder()
    with pytest.raises(ValueError, match="no"):
        counter(boom).invoke({"n": 1}, {"callbacks": [rec]})
    assert rec.order[-2:] == [("error", "bump"), ("error", "LangGraph")]
    assert isinstance(rec.named("bump")["error"], ValueError)


def test_a_handler_with_raise_error_stops_the_run():
    class Strict(BaseCallbackHandler):
        raise_error = True

        def on_chain_start(self, serialized, inputs, **kw):
            if kw["name"] == "bump":
                raise RuntimeError("handler refused")

    with pytest.raises(RuntimeError, match="handler refused"):
        counter().invoke({"n": 1}, {"callbacks": [Strict()]})


def test_an_interrupt_ends_the_runs_without_error_and_graph_handlers_hear_of_it():
    class Life(GraphCallbackHandler):
        def __init__(self):
            self.events = []

        def on_interrupt(self, event):
            self.events.append(("interrupt", event.status, event.checkpoint_ns))

        def on_resume(self, event):
            self.events.append(("resume", event.status, event.checkpoint_ns))

    graph = counter(lambda s: {"n": interrupt("how many?")}, checkpointer=InMemorySaver())
    rec, life = Recorder(), Life()
    config = {"configurable": {"thread_id": "t"}, "callbacks": [rec, life]}
    assert "__interrupt__" in graph.invoke({"n": 1}, config)
    assert ("error", "bump") not in rec.order and rec.order[-1] == ("end", "LangGraph")
    assert life.events == [("interrupt", "pending", ())]
    assert graph.invoke(Command(resume=5), config) == {"n": 5}
    assert life.events[-1] == ("resume", "pending", ())


@pytest.mark.parametrize("is_async", [False, True])
def test_a_graph_run_stopped_by_a_question_ends_with_what_invoke_returns(is_async):
    # (checked against LangGraph 1.2.22: its chain run ends with the finished tasks' writes)
    import operator
    from typing import Annotated

    class Two(TypedDict):
        log: Annotated[list, operator.add]

    builder = StateGraph(Two).add_node("quick", lambda s: {"log": ["quick"]})
    builder.add_node("ask", lambda s: {"log": [interrupt("?")]})
    graph = builder.add_edge(START, "quick").add_edge(START, "ask").compile()
    rec = Recorder()
    config = {"callbacks": [rec]}
    if is_async:
        out = asyncio.run(graph.ainvoke({"log": ["in"]}, config))
    else:
        out = graph.invoke({"log": ["in"]}, config)
    assert out["log"] == ["in", "quick"]
    assert rec.named("LangGraph")["outputs"] == {"log": ["in", "quick"]}


def test_a_task_calls_run_shows_its_arguments_by_parameter_name_with_defaults():
    # (checked against LangGraph 1.2.22)
    from langgraph_lite.func import entrypoint, task

    @task
    def double(input: int) -> int:
        return input * 2

    @task
    def label(a: int, b: str = "x") -> str:
        return f"{a}{b}"

    @entrypoint()
    def flow(n: int) -> list:
        return [double(n).result(), label(1, b="y").result(), label(2).result()]

    rec = Recorder()
    assert flow.invoke(3, {"callbacks": [rec]}) == [6, "1y", "2x"]
    calls = [r["inputs"] for r in rec.runs.values() if r["name"] in ("double", "label")]
    assert calls == [{"input": 3}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}]


def test_trace_policy_changes_only_what_tracers_record():
    class Tracer(BaseTracer):
        def __init__(self):
            super().__init__()
            self.recorded = []

        def _persist_run(self, run):
            pass

        def _on_chain_end(self, run):
            if run.name == "bump":
                self.recorded.append((run.inputs, run.outputs))

    tracer, rec = Tracer(), Recorder()
    graph = (
        StateGraph(Count)
        .add_node(
            "bump",
            lambda s: {"n": s["n"] + 1},
            trace_policy=TracePolicy(process_inputs=omit_payload, process_outputs=lambda o: {}),
        )
        .add_edge(START, "bump")
        .compile()
    )
    assert graph.invoke({"n": 1}, {"callbacks": [tracer, rec]}) == {"n": 2}
    assert tracer.recorded == [({}, {})]
    assert (rec.named("bump")["inputs"], rec.named("bump")["outputs"]) == ({"n": 1}, {"n": 2})


def test_with_config_binds_callbacks_and_merges_tags():
    rec = Recorder()
    graph = counter().with_config({"callbacks": [rec], "tags": ["bound"]})
    graph.invoke({"n": 1}, {"tags": ["call"]})
    assert rec.named("LangGraph")["tags"] == ["bound", "call"]
    assert graph.with_config(recursion_limit=7).config["recursion_limit"] == 7


def test_a_run_without_callbacks_runs_the_graphs_own_nodes():
    from langgraph_lite.pregel.callback_runs import traced_spec

    graph = counter()
    assert traced_spec(graph.spec, {}, "g") is graph.spec
    assert traced_spec(graph.spec, {"callbacks": []}, "g") is graph.spec
    assert traced_spec(graph.spec, {"callbacks": [Recorder()]}, "g") is not graph.spec


@pytest.mark.anyio
async def test_async_runs_report_on_asyncio_and_trio(anyio_backend):
    rec = Recorder()
    assert await counter().ainvoke({"n": 1}, {"callbacks": [rec]}) == {"n": 2}
    assert rec.order == [
        ("start", "LangGraph"),
        ("start", "bump"),
        ("end", "bump"),
        ("end", "LangGraph"),
    ]
    assert rec.named("bump")["parent"] == rec.id_of("LangGraph")

    async def slow(state):
        return {"n": state["n"] * 10}

    rec = Recorder()
    chunks = [c async for c in counter(slow).astream({"n": 1}, {"callbacks": [rec]})]
    assert chunks == [{"bump": {"n": 10}}]
    assert rec.named("LangGraph")["outputs"] == {"n": 10}


# -- astream_events(version="v1" / "v2") ------------------------------------------------------


def test_astream_events_v2_is_langchains_event_stream():
    async def run():
        return [
            (e["event"], e["name"], e.get("tags"))
            async for e in counter().astream_events({"n": 1}, version="v2")
        ]

    assert asyncio.run(run()) == [
        ("on_chain_start", "LangGraph", []),
        ("on_chain_start", "bump", ["graph:step:1"]),
        ("on_chain_stream", "bump", ["graph:step:1"]),
        ("on_chain_end", "bump", ["graph:step:1"]),
        ("on_chain_stream", "LangGraph", []),
        ("on_chain_end", "LangGraph", []),
    ]


def test_astream_events_takes_langchains_filters_and_astreams_keywords():
    async def run():
        return [
            e["event"]
            async for e in counter().astream_events(
                {"n": 1}, version="v2", include_names=["bump"], stream_mode="updates"
            )
        ]

    assert asyncio.run(run()) == ["on_chain_start", "on_chain_stream", "on_chain_end"]


@pytest.mark.filterwarnings("ignore:astream_events version='v1'")
def test_astream_events_v1_runs_too():
    async def run():
        return [e["event"] async for e in counter().astream_events({"n": 1}, version="v1")]

    events = asyncio.run(run())
    assert events[0] == "on_chain_start" and events[-1] == "on_chain_end"


@pytest.mark.anyio
async def test_astream_events_v1_v2_on_trio_say_asyncio_is_needed(anyio_backend):
    if anyio_backend[0] != "trio":
        pytest.skip("the asyncio case runs above")
    with pytest.raises(RuntimeError, match="asyncio only"):
        async for _ in counter().astream_events({"n": 1}, version="v2"):
            pass


def test_bad_versions_and_sync_v1_v2_are_refused():
    with pytest.raises(ValueError, match="got 'v9'"):
        counter().astream_events({"n": 1}, version="v9")
    with pytest.raises(NotImplementedError, match="astream_events"):
        counter().stream_events({"n": 1}, version="v2")


def test_without_langchain_core_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_core.tracers.event_stream", None)
    with pytest.raises(ImportError, match=r"langgraph_lite\[langchain\]"):
        counter().astream_events({"n": 1}, version="v2")


def test_bad_callbacks_are_refused_naming_the_key():
    from langgraph_lite.callbacks import get_sync_graph_callback_manager_for_config

    with pytest.raises(TypeError, match=r"config\['callbacks'\]"):
        get_sync_graph_callback_manager_for_config({"callbacks": 42})


@pytest.mark.anyio
async def test_a_stream_closed_early_ends_the_graph_run_with_an_error(anyio_backend):
    graph = (
        StateGraph(Count)
        .add_node("a", lambda s: {"n": 1})
        .add_node("b", lambda s: {"n": 2})
        .add_edge(START, "a")
        .add_edge("a", "b")
        .compile()
    )
    rec = Recorder()
    stream = graph.astream({"n": 0}, {"callbacks": [rec]})
    async for _ in stream:
        break
    await stream.aclose()
    assert rec.order[-1] == ("error", "LangGraph")
    assert isinstance(rec.named("LangGraph")["error"], GeneratorExit)


@pytest.mark.anyio
async def test_resumes_are_told_outer_graph_first_as_each_run_starts(anyio_backend):
    class Life(GraphCallbackHandler):
        def __init__(self):
            self.events = []

        def on_interrupt(self, event):
            self.events.append(("interrupt", len(event.checkpoint_ns)))

        async def on_resume(self, event):
            self.events.append(("resume", len(event.checkpoint_ns)))

    inner = counter(lambda s: {"n": interrupt("how many?")})
    outer = StateGraph(Count).add_node("inner", inner).add_edge(START, "inner")
    graph = outer.compile(checkpointer=InMemorySaver())
    life = Life()
    config = {"configurable": {"thread_id": "t"}, "callbacks": [life]}
    await graph.ainvoke({"n": 1}, config)
    assert await graph.ainvoke(Command(resume=3), config) == {"n": 3}
    assert life.events == [("interrupt", 0), ("resume", 0), ("resume", 1)]
