"""RemoteGraph against fake clients shaped like langgraph-sdk's (no SDK, no network).

The fakes record what RemoteGraph asks the server and answer with scripted stream parts, so
each test states both sides: the request and what the caller sees.
"""

from __future__ import annotations

import operator
import sys
from typing import Annotated, Any, NamedTuple

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import GraphInterrupt, ParentCommand
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.pregel.drawable import Edge, Graph, Node
from langgraph_lite.pregel.protocol import StreamProtocol
from langgraph_lite.pregel.remote import RemoteException, RemoteGraph
from langgraph_lite.types import Command, GraphOutput, Interrupt, StateSnapshot


class Part(NamedTuple):
    """A server-sent stream part, as the SDK's StreamPart (event, data, id)."""

    event: str
    data: Any
    id: str | None = None


class Recorder:
    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []


class SyncRuns(Recorder):
    def stream(self, **kw: Any) -> Any:
        self.calls.append(kw)
        return iter(self.answer)


class AsyncRuns(Recorder):
    def stream(self, **kw: Any) -> Any:
        self.calls.append(kw)

        async def parts() -> Any:
            for part in self.answer:
                yield part

        return parts()


class SyncThreads(Recorder):
    def get_state(self, **kw: Any) -> Any:
        self.calls.append({"get_state": kw})
        return self.answer

    def get_history(self, **kw: Any) -> Any:
        self.calls.append({"get_history": kw})
        return [self.answer]

    def update_state(self, **kw: Any) -> Any:
        self.calls.append({"update_state": kw})
        return {"checkpoint": self.answer["checkpoint"]}


class AsyncThreads(SyncThreads):
    async def get_state(self, **kw: Any) -> Any:  # type: ignore[override]
        return SyncThreads.get_state(self, **kw)

    async def get_history(self, **kw: Any) -> Any:  # type: ignore[override]
        return SyncThreads.get_history(self, **kw)

    async def update_state(self, **kw: Any) -> Any:  # type: ignore[override]
        return SyncThreads.update_state(self, **kw)


class SyncAssistants(Recorder):
    def get_graph(self, **kw: Any) -> Any:
        self.calls.append(kw)
        return self.answer


class AsyncAssistants(SyncAssistants):
    async def get_graph(self, **kw: Any) -> Any:  # type: ignore[override]
        return SyncAssistants.get_graph(self, **kw)


class FakeClient:
    def __init__(self, parts: Any = (), state: Any = None, graph: Any = None, aio: bool = False):
        self.runs = (AsyncRuns if aio else SyncRuns)(list(parts))
        self.threads = (AsyncThreads if aio else SyncThreads)(state)
        self.assistants = (AsyncAssistants if aio else SyncAssistants)(graph)


def remote(parts: Any = (), **kw: Any) -> tuple[RemoteGraph, FakeClient, FakeClient]:
    sync, aio = FakeClient(parts, **kw), FakeClient(parts, aio=True, **kw)
    return RemoteGraph("agent", sync_client=sync, client=aio), sync, aio


async def collect(agen: Any) -> list[Any]:
    return [item async for item in agen]


STATE = {
    "values": {"messages": ["hi"]},
    "next": ["review"],
    "checkpoint": {"thread_id": "t1", "checkpoint_ns": "", "checkpoint_id": "c2"},
    "metadata": {"step": 2, "source": "loop"},
    "created_at": "2026-01-01T00:00:00+00:00",
    "parent_checkpoint": {"thread_id": "t1", "checkpoint_ns": "", "checkpoint_id": "c1"},
    "tasks": [
        {
            "id": "task-1",
            "name": "review",
            "error": None,
            "interrupts": [{"value": "approve?", "id": "i1"}],
            "checkpoint": {"thread_id": "t1", "checkpoint_ns": "review:task-1"},
            "state": None,
            "result": None,
        }
    ],
}

SNAPSHOT = StateSnapshot(
    values={"messages": ["hi"]},
    next=("review",),
    config={
        "configurable": {
            "thread_id": "t1",
            "checkpoint_ns": "",
            "checkpoint_id": "c2",
            "checkpoint_map": {},
        }
    },
    metadata={"step": 2, "source": "loop"},
    created_at="2026-01-01T00:00:00+00:00",
    parent_config={
        "configurable": {
            "thread_id": "t1",
            "checkpoint_ns": "",
            "checkpoint_id": "c1",
            "checkpoint_map": {},
        }
    },
    tasks=(),  # compared apart: PregelTask's error is an Exception
    interrupts=(Interrupt(value="approve?", id="i1"),),
)

VALUES = [
    Part("values", {"n": 1}),
    Part("updates", {"step": {"n": 2}}),
    Part("values", {"n": 2}),
]


def _check_snapshot(snapshot: StateSnapshot) -> None:
    assert snapshot._replace(tasks=()) == SNAPSHOT
    (task,) = snapshot.tasks
    assert (task.id, task.name, task.path, task.error) == ("task-1", "review", (), None)
    assert task.interrupts == (Interrupt(value="approve?", id="i1"),)
    assert task.state == {"configurable": {"thread_id": "t1", "checkpoint_ns": "review:task-1"}}


# -- running, on its own ------------------------------------------------------------------------


def test_invoke_returns_the_last_values_and_sends_the_thread_apart_from_the_config():
    graph, sync, _ = remote(VALUES)
    config = {"configurable": {"thread_id": "t1", "user": "ann"}, "tags": ["x", 3]}
    assert graph.invoke({"n": 0}, config, context={"model": "m"}) == {"n": 2}
    (call,) = sync.runs.calls
    assert call["thread_id"] == "t1"
    assert call["assistant_id"] == "agent"
    assert call["config"] == {"tags": ["x"], "configurable": {"user": "ann"}}
    assert call["input"] == {"n": 0} and call["command"] is None
    assert call["context"] == {"model": "m"}
    assert call["stream_mode"] == ["values", "updates"]  # updates carry the interrupts
    assert call["if_not_exists"] == "create" and call["stream_subgraphs"] is False


@pytest.mark.anyio
async def test_ainvoke_returns_the_last_values(anyio_backend):
    graph, _, aio = remote(VALUES)
    assert await graph.ainvoke({"n": 0}, {"configurable": {"thread_id": "t1"}}) == {"n": 2}
    assert aio.runs.calls[0]["thread_id"] == "t1"


def test_invoke_with_version_v2_gives_a_graph_output_with_the_interrupts():
    graph, _, _ = remote([Part("values", {"n": 1, "__interrupt__": [{"value": "ok?", "id": "i"}]})])
    out = graph.invoke({"n": 0}, version="v2")
    assert out == GraphOutput(value={"n": 1}, interrupts=(Interrupt(value="ok?", id="i"),))


def test_invoke_with_no_values_from_the_server_returns_none_and_logs(caplog):
    graph, _, _ = remote([Part("updates", {"a": {}})])
    assert graph.invoke({}) is None
    assert "No events received from remote graph" in caplog.text


def test_stream_shapes_chunks_as_a_local_graph_does():
    graph, _, _ = remote(VALUES)
    assert list(graph.stream({})) == [{"step": {"n": 2}}]  # default mode: updates
    assert list(graph.stream({}, stream_mode="values")) == [{"n": 1}, {"n": 2}]
    # a list of modes: the SDK's parts themselves, as LangGraph yields them
    assert list(graph.stream({}, stream_mode=["updates"])) == [
        ("updates", {"step": {"n": 2}}, None)
    ]
    assert list(graph.stream({}, stream_mode=["values"], subgraphs=True)) == [
        ((), "values", {"n": 1}),
        ((), "values", {"n": 2}),
    ]
    assert list(graph.stream({}, stream_mode="updates", version="v2")) == [
        {"type": "updates", "ns": (), "data": {"step": {"n": 2}}, "interrupts": ()}
    ]


def test_stream_names_subgraph_parts_by_namespace_and_drops_them_without_subgraphs():
    parts = [Part("updates|inner:1", {"x": {}}), Part("updates", {"inner": {}})]
    graph, sync, _ = remote(parts)
    assert list(graph.stream({}, subgraphs=True)) == [
        (("inner:1",), {"x": {}}),
        ((), {"inner": {}}),
    ]
    assert sync.runs.calls[-1]["stream_subgraphs"] is True
    assert list(graph.stream({})) == [{"inner": {}}]


@pytest.mark.anyio
async def test_astream_messages_are_tuples_and_asked_for_as_messages_tuple(anyio_backend):
    token = [{"type": "AIMessageChunk", "content": "hi"}, {"langgraph_node": "llm"}]
    graph, _, aio = remote([Part("messages", token), Part("updates", {"llm": {}})])
    chunks = await collect(graph.astream({}, stream_mode="messages"))
    assert chunks == [tuple(token)]
    assert aio.runs.calls[0]["stream_mode"] == ["messages-tuple", "updates"]


def test_a_command_is_sent_as_a_command():
    graph, sync, _ = remote(VALUES)
    graph.invoke(Command(resume="yes"), {"configurable": {"thread_id": "t1"}})
    call = sync.runs.calls[0]
    assert call["input"] is None
    assert call["command"] == {"graph": None, "update": None, "resume": "yes", "goto": ()}


def test_the_callers_coordinates_and_objects_are_not_sent():
    graph, sync, _ = remote(VALUES)
    config = {
        "recursion_limit": 7,
        "metadata": {"who": "me", "fn": print, "pair": (1, 2)},
        "configurable": {
            "thread_id": "t1",
            "checkpoint_ns": "a:1",
            "checkpoint_id": "c",
            "checkpoint_map": {"": "c"},
            "saver": InMemorySaver(),
            "nested": {"k": [1, object()]},
        },
    }
    graph.invoke({}, config)
    assert sync.runs.calls[0]["config"] == {
        "recursion_limit": 7,
        "metadata": {"who": "me", "pair": [1, 2]},
        "configurable": {"nested": {"k": [1]}},
    }


def test_an_error_event_raises_remote_exception_with_the_servers_error():
    error = {"error": "ValueError", "message": "boom"}
    graph, _, _ = remote([Part("values", {}), Part("error", error)])
    with pytest.raises(RemoteException) as info:
        graph.invoke({})
    assert info.value.args == (error,)


@pytest.mark.anyio
async def test_an_error_event_raises_remote_exception_in_async_code(anyio_backend):
    graph, _, _ = remote([Part("error", {"error": "KeyError", "message": "k"})])
    with pytest.raises(RemoteException):
        await collect(graph.astream({}))


def test_an_interrupt_is_streamed_at_the_root_and_raised_under_a_caller():
    parts = [Part("updates", {"__interrupt__": [{"value": "ok?", "id": "i1"}]})]
    graph, _, _ = remote(parts)
    assert list(graph.stream({})) == [{"__interrupt__": [{"value": "ok?", "id": "i1"}]}]
    with pytest.raises(GraphInterrupt) as info:
        list(graph.stream({}, {"configurable": {"checkpoint_ns": "outer:1"}}))
    assert info.value.args[0] == [Interrupt(value="ok?", id="i1")]


def test_a_parent_command_event_raises_parent_command_when_called_directly():
    parts = [Part("command", {"graph": Command.PARENT, "goto": "x", "update": {"n": 1}})]
    graph, _, _ = remote(parts)
    with pytest.raises(ParentCommand) as info:
        graph.invoke({})
    assert info.value.command == Command(graph=Command.PARENT, goto="x", update={"n": 1})


def test_a_given_parent_stream_gets_every_part_under_the_callers_namespace():
    got: list[Any] = []
    parts = [Part("updates|sub:1", {"a": {}}), Part("custom", "hey"), Part("updates", {"s": {}})]
    graph, sync, _ = remote(parts)
    stream = StreamProtocol(got.append, {"updates", "custom"})
    config = {"configurable": {"checkpoint_ns": "outer:9", "__pregel_stream": stream}}
    assert list(graph.stream({}, config)) == [{"s": {}}]
    assert got == [
        (("outer:9", "sub:1"), "updates", {"a": {}}),
        (("outer:9",), "custom", "hey"),
        (("outer:9",), "updates", {"s": {}}),
    ]
    assert sync.runs.calls[0]["stream_subgraphs"] is True


def test_distributed_tracing_sends_langsmith_headers_inside_a_trace():
    ls = pytest.importorskip("langsmith")
    from unittest.mock import MagicMock

    graph, sync, _ = remote(VALUES)
    traced = graph.copy({"distributed_tracing": True})
    with ls.tracing_context(enabled=True, client=MagicMock()), ls.trace("outer"):
        traced.invoke({}, headers={"x-team": "a"})
        graph.invoke({}, headers={"x-team": "a"})
    sent, plain = sync.runs.calls[0]["headers"], sync.runs.calls[1]["headers"]
    assert sent["x-team"] == "a" and "langsmith-trace" in sent and "baggage" in sent
    assert plain == {"x-team": "a"}
    traced.invoke({})  # outside a trace: nothing to add
    assert sync.runs.calls[2]["headers"] is None


class ClosingRuns(Recorder):
    """Streams from a generator, as the SDK does, and notes when it is closed."""

    closed = False

    def stream(self, **kw: Any) -> Any:
        def parts() -> Any:
            try:
                yield from self.answer
            finally:
                self.closed = True

        return parts()


class AsyncClosingRuns(ClosingRuns):
    def stream(self, **kw: Any) -> Any:
        async def parts() -> Any:
            try:
                for part in self.answer:
                    yield part
            finally:
                self.closed = True

        return parts()


def test_leaving_the_stream_early_hangs_up_on_the_server_at_once():
    client = FakeClient()
    client.runs = runs = ClosingRuns(VALUES)
    graph = RemoteGraph("agent", sync_client=client)
    for _chunk in graph.stream({}, stream_mode="values"):
        break
    assert runs.closed


@pytest.mark.anyio
async def test_an_error_mid_astream_hangs_up_on_the_server_at_once(anyio_backend):
    client = FakeClient(aio=True)
    client.runs = runs = AsyncClosingRuns([Part("error", {"error": "E"}), *VALUES])
    graph = RemoteGraph("agent", client=client)
    with pytest.raises(RemoteException):
        await graph.ainvoke({})
    assert runs.closed


# -- state and picture --------------------------------------------------------------------------


def test_get_state_and_history_read_the_thread_as_snapshots():
    graph, sync, _ = remote(state=STATE)
    _check_snapshot(graph.get_state({"configurable": {"thread_id": "t1"}}, subgraphs=True))
    assert sync.threads.calls[0] == {
        "get_state": {
            "thread_id": "t1",
            "checkpoint": {"thread_id": "t1"},
            "subgraphs": True,
            "headers": None,
            "params": None,
        }
    }
    (snap,) = graph.get_state_history({"configurable": {"thread_id": "t1"}}, limit=3)
    _check_snapshot(snap)
    assert sync.threads.calls[1]["get_history"]["limit"] == 3


@pytest.mark.anyio
async def test_aget_state_history_and_aupdate_state(anyio_backend):
    graph, _, aio = remote(state=STATE)
    config = {"configurable": {"thread_id": "t1", "checkpoint_id": "c2"}}
    _check_snapshot(await graph.aget_state(config))
    history = await collect(graph.aget_state_history(config, filter={"step": 2}))
    _check_snapshot(history[0])
    assert aio.threads.calls[1]["get_history"]["metadata"] == {"step": 2}
    assert aio.threads.calls[1]["get_history"]["limit"] == 10
    assert await graph.aupdate_state(config, {"messages": ["x"]}, as_node="review") == {
        "configurable": {
            "thread_id": "t1",
            "checkpoint_ns": "",
            "checkpoint_id": "c2",
            "checkpoint_map": {},
        }
    }
    update = aio.threads.calls[2]["update_state"]
    assert update["as_node"] == "review"
    assert update["checkpoint"] == {"thread_id": "t1", "checkpoint_id": "c2"}


def test_update_state_returns_the_new_checkpoints_config():
    graph, _, _ = remote(state=STATE)
    assert (
        graph.update_state({"configurable": {"thread_id": "t1"}}, {"n": 1})["configurable"][
            "checkpoint_id"
        ]
        == "c2"
    )


PICTURE = {
    "nodes": [
        {"id": "__start__", "type": "schema", "data": "__start__"},
        {"id": "agent", "type": "runnable", "data": {"id": ["x"], "name": "agent_1"}},
        {"id": "__end__", "type": "schema", "data": "__end__"},
    ],
    "edges": [
        {"source": "__start__", "target": "agent"},
        {"source": "agent", "target": "__end__", "conditional": True},
    ],
}


def test_get_graph_gives_a_drawable_graph():
    graph, sync, _ = remote(graph=PICTURE)
    drawn = graph.get_graph(xray=1)
    assert isinstance(drawn, Graph)
    assert drawn.nodes["agent"] == Node("agent", "agent_1", {"id": ["x"], "name": "agent_1"})
    assert drawn.edges[1] == Edge("agent", "__end__", None, True)
    assert "agent(agent_1)" in drawn.draw_mermaid()
    assert sync.assistants.calls[0]["xray"] == 1


@pytest.mark.anyio
async def test_aget_graph_gives_a_drawable_graph(anyio_backend):
    graph, _, _ = remote(graph=PICTURE)
    drawn = await graph.aget_graph()
    assert list(drawn.nodes) == ["__start__", "agent", "__end__"]


def test_the_picture_compares_equal_to_langchains():
    graph_module = pytest.importorskip("langchain_core.runnables.graph")
    graph, _, _ = remote(graph=PICTURE)
    drawn = graph.get_graph()
    assert drawn.nodes["__start__"] == graph_module.Node(
        "__start__", "__start__", "__start__", None
    )
    assert drawn.edges[0] == graph_module.Edge("__start__", "agent")


def test_with_config_merges_and_shares_the_clients():
    base = RemoteGraph("agent", config={"configurable": {"a": 1}, "tags": ["t"]})
    other = base.with_config({"configurable": {"b": 2}, "tags": ["u"]}, recursion_limit=5)
    assert other is not base and base.config == {"configurable": {"a": 1}, "tags": ["t"]}
    assert other.config == {
        "configurable": {"a": 1, "b": 2},
        "tags": ["t", "u"],
        "recursion_limit": 5,
    }
    graph, sync, _ = remote(VALUES)
    copy = graph.with_config({"configurable": {"thread_id": "t9"}})
    copy.invoke({})
    assert sync.runs.calls[0]["thread_id"] == "t9"


# -- bad input ----------------------------------------------------------------------------------


def test_a_method_without_its_client_says_which_client_to_give():
    graph = RemoteGraph("agent")
    with pytest.raises(ValueError, match=r"invoke\(\) needs a sync client.*url=.*sync_client="):
        graph.invoke({})
    with pytest.raises(ValueError, match=r"get_graph\(\) needs a sync client"):
        graph.get_graph()
    only_sync = RemoteGraph("agent", sync_client=FakeClient())
    with pytest.raises(ValueError, match=r"astream\(\) needs an async client.*client="):
        only_sync.astream({}).__anext__().send(None)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((), {"url": "http://x"}, TypeError, "positional"),
        (("",), {}, ValueError, "non-empty string"),
        ((42,), {}, TypeError, "assistant's id"),
        (("a",), {"url": 8080}, TypeError, "url"),
        (("a",), {"headers": ["x"]}, TypeError, "headers"),
        (("a",), {"config": "thread-1"}, TypeError, "config"),
    ],
)
def test_bad_arguments_are_refused_when_the_graph_is_made(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        RemoteGraph(*args, **kwargs)


def test_reading_state_without_a_thread_says_how_to_name_one():
    graph, _, _ = remote(state=STATE)
    with pytest.raises(ValueError, match=r"get_state\(\) needs the thread.*thread_id"):
        graph.get_state({})
    with pytest.raises(ValueError, match=r"update_state\(\) needs the thread"):
        graph.update_state({"configurable": {}}, {"n": 1})


def test_a_bad_version_is_refused():
    graph, _, _ = remote(VALUES)
    with pytest.raises(ValueError, match="version must be 'v1' or 'v2'"):
        list(graph.stream({}, version="v9"))


def test_bulk_update_state_is_not_supported():
    graph, _, _ = remote()
    with pytest.raises(NotImplementedError, match="update_state"):
        graph.bulk_update_state({}, [])


def test_url_without_the_sdk_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "langgraph_sdk", None)  # as if not installed
    with pytest.raises(ImportError, match=r"langgraph-lite\[remote\]"):
        RemoteGraph("agent", url="http://localhost:2024")
    RemoteGraph("agent", client=FakeClient(aio=True), sync_client=FakeClient())  # no SDK needed


# -- as a node of a local graph ------------------------------------------------------------------


class State(TypedDict):
    items: Annotated[list, operator.add]


def parent_of(graph: RemoteGraph, checkpointer: Any = None) -> Any:
    builder = StateGraph(State)
    builder.add_node(graph)  # named after the remote graph
    builder.add_node("after", lambda s: {"items": ["after"]})
    builder.add_edge(START, graph.name)
    builder.add_edge(graph.name, "after")
    return builder.compile(checkpointer=checkpointer)


NODE_PARTS = [
    Part("values", {"items": ["x", "r1"]}),
    Part("updates|inner:7", {"deep": {"items": ["d"]}}),
    Part("custom", "progress"),
    Part("updates", {"step": {"items": ["r2"]}}),
    Part("values", {"items": ["x", "r1", "r2"]}),
]


def _plain(chunks: list[Any]) -> list[Any]:
    """Namespaces without task ids ("agent:<id>" -> "agent")."""
    return [(tuple(p.split(":")[0] for p in c[0]), *c[1:]) for c in chunks]


def test_as_a_node_its_final_state_is_the_nodes_update_and_the_thread_travels():
    graph, sync, _ = remote(NODE_PARTS)
    app = parent_of(graph, InMemorySaver())
    out = app.invoke({"items": ["x"]}, {"configurable": {"thread_id": "t1"}})
    assert out == {"items": ["x", "x", "r1", "r2", "after"]}
    (call,) = sync.runs.calls
    assert call["thread_id"] == "t1"
    assert call["config"]["configurable"] == {}  # the node's coordinates stay here
    assert call["config"]["metadata"]["langgraph_node"] == "agent"
    assert call["stream_subgraphs"] is False  # the parent's consumer takes no subgraphs


def test_as_a_node_its_parts_reach_a_parent_streaming_subgraphs_under_the_nodes_namespace():
    graph, sync, _ = remote(NODE_PARTS)
    app = parent_of(graph)
    chunks = list(app.stream({"items": ["x"]}, stream_mode=["updates", "custom"], subgraphs=True))
    assert _plain(chunks) == [
        (("agent", "inner"), "updates", {"deep": {"items": ["d"]}}),
        (("agent",), "custom", "progress"),
        (("agent",), "updates", {"step": {"items": ["r2"]}}),
        ((), "updates", {"agent": {"items": ["x", "r1", "r2"]}}),
        ((), "updates", {"after": {"items": ["after"]}}),
    ]
    call = sync.runs.calls[0]
    assert call["stream_subgraphs"] is True
    assert set(call["stream_mode"]) == {"values", "updates", "custom"}


def test_as_a_node_without_subgraphs_the_parent_sees_only_its_own_chunks():
    graph, _, _ = remote(NODE_PARTS)
    chunks = list(parent_of(graph).stream({"items": ["x"]}, stream_mode=["updates", "custom"]))
    assert chunks == [
        ("updates", {"agent": {"items": ["x", "r1", "r2"]}}),
        ("updates", {"after": {"items": ["after"]}}),
    ]


@pytest.mark.anyio
async def test_as_a_node_of_an_async_run_it_uses_the_async_client(anyio_backend):
    graph, sync, aio = remote(NODE_PARTS)
    app = parent_of(graph)
    chunks = [c async for c in app.astream({"items": ["x"]}, stream_mode="updates", subgraphs=True)]
    assert _plain(chunks)[:2] == [
        (("agent", "inner"), {"deep": {"items": ["d"]}}),
        (("agent",), {"step": {"items": ["r2"]}}),
    ]
    assert len(aio.runs.calls) == 1 and not sync.runs.calls
    assert await app.ainvoke({"items": ["x"]}) == {"items": ["x", "x", "r1", "r2", "after"]}


def test_as_a_node_its_interrupt_stops_the_parent_and_shows_in_its_state():
    parts = [Part("updates", {"__interrupt__": [{"value": "approve?", "id": "i1"}]})]
    graph, _, _ = remote(parts)
    app = parent_of(graph, InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    out = app.invoke({"items": ["x"]}, config)
    assert out == {"items": ["x"], "__interrupt__": [Interrupt(value="approve?", id="i1")]}
    state = app.get_state(config)
    assert state.next == ("agent",)
    assert state.interrupts == (Interrupt(value="approve?", id="i1"),)
    # as in LangGraph, the remote graph is the node's subgraph: its task points at it
    (task,) = state.tasks
    assert task.state["configurable"]["checkpoint_ns"].startswith("agent:")
    assert [name for name, _ in app.get_subgraphs()] == ["agent"]


def test_as_a_node_a_remote_error_fails_the_node():
    graph, _, _ = remote([Part("error", {"error": "ValueError", "message": "boom"})])
    with pytest.raises(RemoteException) as info:
        parent_of(graph).invoke({"items": ["x"]})
    assert info.value.args[0]["message"] == "boom"


def test_as_a_node_a_parent_command_goes_past_the_graph_holding_it():
    # The remote graph's Command(graph=PARENT) is the node's own, as in LangGraph: in a
    # subgraph it reaches the graph above; at the root it has nowhere to go.
    parts = [Part("command", {"graph": Command.PARENT, "update": {"items": ["cmd"]}})]
    graph, _, _ = remote(parts)
    with pytest.raises(ParentCommand):
        parent_of(graph).invoke({"items": ["x"]})
    outer = StateGraph(State)
    outer.add_node("sub", parent_of(graph))
    outer.add_edge(START, "sub")
    assert outer.compile().invoke({"items": ["x"]}) == {"items": ["x", "cmd"]}
