"""RemoteGraph.stream_events(version="v3"): the SDK's v3 thread stream behind a local run's
surface. The SDK side is a fake shaped like its SyncThreadStream / AsyncThreadStream."""

from __future__ import annotations

from typing import Any

import pytest

from langgraph_lite.pregel._remote_run_stream import (
    _AsyncRemoteGraphRunStream,
    _ChannelProjection,
    _RemoteGraphRunStream,
)
from langgraph_lite.pregel.remote import RemoteGraph
from langgraph_lite.types import Command

pytest.importorskip("langgraph_sdk")  # the decoded projections use the SDK's decoder

EVENTS = [
    {"method": "updates", "params": {"namespace": [], "data": {"a": {"n": 1}}}},
    {"method": "values", "params": {"namespace": [], "data": {"n": 1}}},
    {"method": "updates", "params": {"namespace": []}},  # no data: not an item
    {"method": "updates", "params": {"namespace": [], "data": {"b": {"n": 2}}}},
]


class Log:
    def __init__(self) -> None:
        self.calls: list[Any] = []


class SyncThread(Log):
    thread_id = "thread-1"
    values = ("values projection",)
    messages = ("messages projection",)
    tool_calls = ()
    subgraphs = ()
    extensions = {"progress": ("custom projection",)}
    output = {"n": 2}
    interrupted = False
    interrupts = ()

    def __init__(self, fail_start: bool = False) -> None:
        super().__init__()
        self.fail_start = fail_start
        self.run = self
        self.events = iter(EVENTS)

    def __enter__(self) -> Any:
        self.calls.append("enter")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.calls.append(("exit", exc[0]))

    def start(self, **kw: Any) -> Any:
        self.calls.append(("start", kw))
        if self.fail_start:
            raise ConnectionError("refused")
        return {"run_id": "run-1"}

    def subscribe(self, channels: list[str]) -> Any:
        self.calls.append(("subscribe", channels))
        return iter(EVENTS)

    def close(self) -> None:
        self.calls.append("close")


class AsyncThread(SyncThread):
    def __init__(self) -> None:
        super().__init__()
        self.events = self._events()

    async def _events(self) -> Any:
        for event in EVENTS:
            yield event

    async def __aenter__(self) -> Any:
        return self.__enter__()

    async def __aexit__(self, *exc: Any) -> None:
        self.__exit__(*exc)

    async def start(self, **kw: Any) -> Any:  # type: ignore[override]
        return SyncThread.start(self, **kw)

    def subscribe(self, channels: list[str]) -> Any:
        self.calls.append(("subscribe", channels))
        return self._events()

    async def close(self) -> None:  # type: ignore[override]
        SyncThread.close(self)

    @property
    async def output(self) -> Any:  # type: ignore[override]
        return {"n": 2}


class Client:
    def __init__(self, thread: Any, aio: bool = False) -> None:
        self.thread = thread
        self.threads = self
        self.runs = self
        self.aio = aio
        self.cancelled: list[Any] = []
        self.opened: list[Any] = []

    def stream(self, **kw: Any) -> Any:
        self.opened.append(kw)
        return self.thread

    def cancel(self, thread_id: str, run_id: str, wait: bool) -> Any:
        self.cancelled.append((thread_id, run_id, wait))
        if self.aio:

            async def done() -> None:
                return None

            return done()
        return None


def test_entering_starts_the_run_with_the_sanitized_config_and_the_projections_show():
    thread = SyncThread()
    client = Client(thread)
    graph = RemoteGraph("agent", sync_client=client)
    config = {"configurable": {"thread_id": "t1", "checkpoint_ns": "x:1", "user": "ann"}}
    with graph.stream_events({"n": 0}, config, version="v3", metadata={"k": 1}) as run:
        assert isinstance(run, _RemoteGraphRunStream)
        assert run.values == ("values projection",)
        assert run.output == {"n": 2} and run.interrupted is False and run.interrupts == []
        assert list(run.extensions) == [
            "values", "messages", "tool_calls", "subgraphs",
            "updates", "checkpoints", "tasks", "custom",
        ]  # fmt: skip
        assert run.extensions["progress"] == ("custom projection",)
        assert list(run.extensions["updates"]) == [{"a": {"n": 1}}, {"b": {"n": 2}}]
        assert list(run) == EVENTS
    assert client.opened == [{"thread_id": "t1", "assistant_id": "agent", "headers": None}]
    start = thread.calls[1]
    assert start == (
        "start",
        {"input": {"n": 0}, "config": {"configurable": {"user": "ann"}}, "metadata": {"k": 1}},
    )
    assert thread.calls[-1] == ("exit", None)


def test_a_failed_start_closes_the_session_before_the_error_goes():
    thread = SyncThread(fail_start=True)
    graph = RemoteGraph("agent", sync_client=Client(thread))
    with pytest.raises(ConnectionError), graph.stream_events({}, version="v3"):
        pass
    assert thread.calls[-1] == ("exit", ConnectionError)


def test_abort_cancels_the_run_once_and_closes_the_stream():
    thread = SyncThread()
    client = Client(thread)
    with RemoteGraph("agent", sync_client=client).stream_events({}, version="v3") as run:
        run.abort()
        run.abort()
    assert client.cancelled == [("thread-1", "run-1", False)]
    assert thread.calls.count("close") == 1


def test_a_resume_command_starts_the_run_with_its_answer():
    thread = SyncThread()
    graph = RemoteGraph("agent", sync_client=Client(thread))
    run = graph.stream_events(Command(resume={"i1": "yes"}), version="v3")
    assert run._start_kwargs["input"] == {"i1": "yes"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"input": Command(goto="x")}, "goto or update"),
        ({"control": object()}, "`control=`"),
        ({"interrupt_before": ["a"]}, "`interrupt_before=`"),
        ({"context": {}}, r"\['context'\]"),
        ({"version": "v2"}, "not implemented"),
    ],
)
def test_what_a_v3_run_on_the_server_cannot_do_is_refused_before_any_request(kwargs, match):
    client = Client(SyncThread())
    graph = RemoteGraph("agent", sync_client=client)
    kwargs = {"input": {}, "version": "v3", **kwargs}
    with pytest.raises(NotImplementedError, match=match):
        graph.stream_events(**kwargs)
    assert client.opened == []


def test_stream_events_without_a_sync_client_says_which_to_give():
    with pytest.raises(ValueError, match=r"stream_events\(\) needs a sync client"):
        RemoteGraph("agent").stream_events({}, version="v3")


@pytest.mark.anyio
async def test_the_async_run_stream_starts_reads_and_aborts(anyio_backend):
    thread = AsyncThread()
    client = Client(thread, aio=True)
    graph = RemoteGraph("agent", client=client)
    run = await graph.astream_events({"n": 0}, {"configurable": {"thread_id": "t"}}, version="v3")
    assert isinstance(run, _AsyncRemoteGraphRunStream)
    async with run:
        assert await run.output() == {"n": 2}
        assert await run.interrupted() is False and await run.interrupts() == []
        assert [e async for e in run] == EVENTS
        assert [i async for i in run.extensions["updates"]] == [{"a": {"n": 1}}, {"b": {"n": 2}}]
        await run.abort()
    assert client.cancelled == [("thread-1", "run-1", False)]
    assert not hasattr(run, "interleave")


@pytest.mark.anyio
async def test_astream_events_other_versions_are_refused(anyio_backend):
    graph = RemoteGraph("agent", client=Client(AsyncThread(), aio=True))
    with pytest.raises(NotImplementedError, match="use astream"):
        await graph.astream_events({}, version="v1")


def test_a_channel_projection_yields_each_events_data_of_its_channel():
    thread = SyncThread()
    assert list(_ChannelProjection(thread, "values")) == [{"n": 1}]
    assert thread.calls == [("subscribe", ["values"])]
