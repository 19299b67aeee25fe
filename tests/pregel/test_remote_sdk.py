"""RemoteGraph through langgraph-sdk's own clients, over httpx's MockTransport (no network).

A small stand-in for the Agent Server answers the routes RemoteGraph uses, so the requests the
SDK builds and the server-sent events it parses are the real ones. The SDK's async client is
asyncio-only (it calls ``asyncio.get_running_loop()``), so its tests run on asyncio alone; the
backend-neutral paths are covered on trio in test_remote.py with fake clients.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("langgraph_sdk")

import httpx
from langgraph_sdk.client import LangGraphClient, SyncLangGraphClient

from langgraph_lite.graph import START, StateGraph
from langgraph_lite.pregel.remote import RemoteException, RemoteGraph
from langgraph_lite.types import Command


def sse(*events: tuple[str, Any]) -> bytes:
    return "".join(f"event: {e}\ndata: {json.dumps(d)}\n\n" for e, d in events).encode()


class Server:
    """Answers RemoteGraph's routes; ``requests`` holds (method, path, JSON body)."""

    def __init__(self, events: list[tuple[str, Any]]) -> None:
        self.events = events
        self.requests: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        path = request.url.path
        if path.endswith("/runs/stream"):
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=sse(*self.events)
            )
        if path.endswith("/graph"):
            return httpx.Response(200, json={"nodes": [{"id": "agent"}], "edges": []})
        if path.endswith("/state/checkpoint") or path.endswith("/state"):
            if request.method == "POST" and path.endswith("/state"):
                return httpx.Response(200, json={"checkpoint": CHECKPOINT})
            return httpx.Response(200, json=STATE)
        return httpx.Response(404, json={"detail": f"no route {path}"})

    def clients(self) -> tuple[LangGraphClient, SyncLangGraphClient]:
        transport = httpx.MockTransport(self)
        return (
            LangGraphClient(httpx.AsyncClient(transport=transport, base_url="http://server")),
            SyncLangGraphClient(httpx.Client(transport=transport, base_url="http://server")),
        )


CHECKPOINT = {"thread_id": "t1", "checkpoint_ns": "", "checkpoint_id": "c1"}
STATE = {
    "values": {"n": 2},
    "next": [],
    "checkpoint": CHECKPOINT,
    "metadata": {"step": 1},
    "created_at": "2026-01-01T00:00:00+00:00",
    "parent_checkpoint": None,
    "tasks": [],
}
RUN = [
    ("metadata", {"run_id": "r1"}),
    ("values", {"n": 1}),
    ("updates", {"step": {"n": 2}}),
    ("values", {"n": 2}),
]


@pytest.fixture
def server() -> Server:
    return Server(list(RUN))


@pytest.fixture
def graph(server: Server) -> RemoteGraph:
    client, sync_client = server.clients()
    return RemoteGraph("agent", client=client, sync_client=sync_client)


def test_invoke_posts_a_run_on_the_thread_and_returns_the_last_values(server, graph):
    assert graph.invoke({"n": 0}, {"configurable": {"thread_id": "t1"}}) == {"n": 2}
    method, path, body = server.requests[0]
    assert (method, path) == ("POST", "/threads/t1/runs/stream")
    assert body["input"] == {"n": 0}
    assert body["assistant_id"] == "agent"
    assert body["stream_mode"] == ["values", "updates"]
    assert body["if_not_exists"] == "create"


def test_stream_without_a_thread_is_a_thread_less_run(server, graph):
    assert list(graph.stream({"n": 0})) == [{"step": {"n": 2}}]
    assert server.requests[0][1] == "/runs/stream"


def test_a_command_goes_as_the_runs_command(server, graph):
    graph.invoke(Command(resume="ok"), {"configurable": {"thread_id": "t1"}})
    body = server.requests[0][2]
    assert "input" not in body and body["command"]["resume"] == "ok"


def test_state_update_and_picture_through_the_sdk(server, graph):
    config = {"configurable": {"thread_id": "t1"}}
    assert graph.get_state(config).values == {"n": 2}
    assert graph.update_state(config, {"n": 5})["configurable"]["checkpoint_id"] == "c1"
    assert list(graph.get_graph().nodes) == ["agent"]
    assert [(m, p) for m, p, _ in server.requests] == [
        ("POST", "/threads/t1/state/checkpoint"),
        ("POST", "/threads/t1/state"),
        ("GET", "/assistants/agent/graph"),
    ]


def test_a_server_error_event_raises_remote_exception():
    client, sync_client = Server([("error", {"error": "ValueError", "message": "boom"})]).clients()
    graph = RemoteGraph("agent", client=client, sync_client=sync_client)
    with pytest.raises(RemoteException, match="boom"):
        graph.invoke({})


def test_an_http_error_reaches_the_caller_as_the_sdk_raises_it():
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "assistant not found"})

    sync_client = SyncLangGraphClient(
        httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://server")
    )
    with pytest.raises(httpx.HTTPStatusError):
        RemoteGraph("missing", sync_client=sync_client).get_graph()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_ainvoke_and_astream_with_the_sdks_async_client(anyio_backend, server, graph):
    assert await graph.ainvoke({"n": 0}, {"configurable": {"thread_id": "t1"}}) == {"n": 2}
    chunks = [c async for c in graph.astream({"n": 0}, stream_mode="values")]
    assert chunks == [{"n": 1}, {"n": 2}]
    assert (await graph.aget_state({"configurable": {"thread_id": "t1"}})).values == {"n": 2}


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_a_node_of_an_async_graph_runs_through_the_sdk(anyio_backend, server, graph):
    builder = StateGraph(dict)
    builder.add_node("remote", graph)
    builder.add_edge(START, "remote")
    out = await builder.compile().ainvoke({"n": 0})
    assert out == {"n": 2}


def test_url_makes_the_sdks_clients_without_connecting():
    graph = RemoteGraph("agent", url="http://localhost:2024", api_key="k", headers={"x-a": "1"})
    assert isinstance(graph.client, LangGraphClient)
    assert isinstance(graph.sync_client, SyncLangGraphClient)
    assert graph.sync_client.http.client.headers["x-api-key"] == "k"
    assert graph.sync_client.http.client.headers["x-a"] == "1"


def test_a_messages_graph_sends_its_messages_as_json_and_reads_the_replies_back():
    from langgraph_lite.graph import MessagesState
    from langgraph_lite.messages import AIMessage, HumanMessage

    reply = {"type": "ai", "content": "hello!", "id": "ai-1"}
    server = Server(
        [("values", {"messages": [{"type": "human", "content": "hi", "id": "h-1"}, reply]})]
    )
    client, sync_client = server.clients()
    builder = StateGraph(MessagesState)
    builder.add_node("agent", RemoteGraph("agent", client=client, sync_client=sync_client))
    builder.add_edge(START, "agent")
    out = builder.compile().invoke({"messages": [HumanMessage("hi", id="h-1")]})
    assert [type(m) for m in out["messages"]] == [HumanMessage, AIMessage]
    assert out["messages"][1].content == "hello!"
    sent = server.requests[0][2]["input"]["messages"][0]
    assert (sent["type"], sent["content"], sent["id"]) == ("human", "hi", "h-1")
