"""contrib.celery without workers: the app's delivery settings, argument errors, and the rule
by which a (re)delivered run starts, resumes, or finds itself done — on a real PostgresSaver."""

import os

import pytest
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures

if not os.environ.get("CI"):  # under CI a missing Celery is a failure, not a skip
    pytest.importorskip("celery")

from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.contrib import celery as lgc
from langgraph_lite.types import Command

BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def test_celery_app_acks_late_and_requeues_a_dead_workers_task():
    app = lgc.make_celery_app(
        broker=BROKER,
        backend="redis://127.0.0.1:6379/0",
        postgres_dsn="postgresql://x@127.0.0.1/db",
        lease_ttl=7,
    )
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    registered = lgc.register_graph(app, "g", lambda saver: None)
    assert registered.task.name == "langgraph_lite.run.g"
    assert registered.task.acks_late and registered.task.reject_on_worker_lost
    assert app.conf.langgraph_lite_lease_ttl == 7.0


def test_celery_app_errors_name_the_argument():
    with pytest.raises(ValueError, match="backend must be a Redis URL"):
        lgc.make_celery_app(broker=BROKER, backend="rpc://", postgres_dsn="postgresql://x")
    app = lgc.make_celery_app(broker=BROKER, backend="redis://h/0", postgres_dsn="postgresql://x")
    with pytest.raises(TypeError, match=r"register_graph\('g'\): graph_factory must be callable"):
        lgc.register_graph(app, "g", "not a factory")
    with pytest.raises(ValueError, match=r"register_graph\('g'\): lease_ttl must be a positive"):
        lgc.register_graph(app, "g", lambda saver: None, lease_ttl=0)
    with pytest.raises(ValueError, match="submit\\(\\) needs a thread_id"):
        lgc.submit(app, "g", "", {"x": 1})


@pytest.fixture
def saver(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        yield saver


def chain(saver):
    import celery_kill_app

    return celery_kill_app.build(saver)


def run_config(thread, run_id, **extra):
    return {"configurable": {"thread_id": thread}, "metadata": {lgc.RUN_ID_KEY: run_id}, **extra}


def start(saver, graph, thread, run_id, payload):
    return lgc._start_input(
        saver, graph, run_config(thread, run_id), run_id, MsgpackSerde(), payload
    )


def payload(value):
    return {"input": lgc._encode(MsgpackSerde(), value)}


def test_celery_run_starts_resumes_or_is_done_by_its_checkpoints(saver):
    graph = chain(saver)
    # never started: runs with its input
    assert start(saver, graph, "t", "r1", payload({"log": []})) == {"log": []}
    # cut after n1 (a static interrupt leaves tasks to run, as a killed worker does)
    graph.invoke({"log": []}, run_config("t", "r1"), interrupt_after=["n1"])
    assert start(saver, graph, "t", "r1", payload({"log": []})) is None
    graph.invoke(None, run_config("t", "r1"))
    # finished but not acknowledged: nothing runs
    assert start(saver, graph, "t", "r1", payload({"log": []})) is lgc._DONE
    # a later run moved the thread on: the old one is not applied again
    graph.invoke({"log": []}, run_config("t", "r2"))
    with pytest.raises(lgc.RunSupersededError, match=r"run r1 of thread 't' was cut"):
        start(saver, graph, "t", "r1", payload({"log": []}))
    # a new run with a resume value gets a Command
    got = start(saver, graph, "t", "r3", {"resume": lgc._encode(MsgpackSerde(), "yes")})
    assert isinstance(got, Command) and got.resume == "yes"


def test_celery_run_waiting_on_an_interrupt_is_done(saver):
    from typing_extensions import TypedDict

    from langgraph_lite.graph import END, START, StateGraph
    from langgraph_lite.types import interrupt

    class State(TypedDict):
        answer: str

    builder = StateGraph(State)
    builder.add_node("ask", lambda state: {"answer": interrupt("question?")})
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)
    graph = builder.compile(checkpointer=saver)
    graph.invoke({"answer": ""}, run_config("q", "r1"))
    assert graph.get_state({"configurable": {"thread_id": "q"}}).next == ("ask",)
    # rerunning "ask" would only ask again: the run is over until someone resumes it
    assert start(saver, graph, "q", "r1", payload({"answer": ""})) is lgc._DONE
