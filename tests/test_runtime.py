"""``coerce_context``: a context dict becomes the graph's context_schema, as LangGraph 1.2.22
coerces it (the values here were observed there)."""

from dataclasses import dataclass

import pydantic
import pytest
from typing_extensions import TypedDict

from langgraph_lite.runtime import coerce_context


@dataclass
class Data:
    user: str
    lang: str = "en"


class Model(pydantic.BaseModel):
    user: str
    n: int = 1


class Typed(TypedDict):
    user: str


def test_a_dict_becomes_a_dataclass_or_pydantic_context():
    assert coerce_context(Data, {"user": "u"}) == Data(user="u", lang="en")
    assert coerce_context(Model, {"user": "u"}) == Model(user="u", n=1)


def test_a_typeddict_or_no_schema_keeps_the_dict():
    assert coerce_context(Typed, {"user": "u"}) == {"user": "u"}
    assert coerce_context(None, {"user": "u"}) == {"user": "u"}


def test_an_instance_or_none_is_kept_as_given():
    given = Data(user="x")
    assert coerce_context(Data, given) is given
    assert coerce_context(Data, None) is None


def test_a_dict_that_does_not_fit_raises_what_the_schema_raises():
    with pytest.raises(TypeError, match="'nope'"):
        coerce_context(Data, {"nope": 1})
    with pytest.raises(pydantic.ValidationError, match="n"):
        coerce_context(Model, {"user": "u", "n": "x"})


# -- where a node runs: execution_info, server_info -----------------------------------------


def _capturing(seen: dict, checkpointer=None, **compile_kw):
    from typing_extensions import TypedDict

    from langgraph_lite.graph import START, StateGraph
    from langgraph_lite.runtime import Runtime

    class S(TypedDict, total=False):
        n: int

    def node(state: S, runtime: Runtime) -> dict:
        seen.setdefault("infos", []).append(runtime.execution_info)
        seen["server"] = runtime.server_info
        return {"n": 1}

    return (
        StateGraph(S)
        .add_node("node", node)
        .add_edge(START, "node")
        .compile(checkpointer=checkpointer, **compile_kw)
    )


def test_execution_info_names_thread_task_and_checkpoint():
    from langgraph_lite.checkpoint.memory import InMemorySaver

    seen: dict = {}
    graph = _capturing(seen, InMemorySaver())
    config = {
        "configurable": {"thread_id": "t-1"},
        "run_id": "9d9b8ab4-0000-4000-8000-000000000001",
    }
    graph.invoke({}, config)

    (info,) = seen["infos"]
    state = graph.get_state({"configurable": {"thread_id": "t-1"}})
    parent = graph.checkpointer.get_tuple(state.config).parent_config
    assert info.thread_id == "t-1" and info.node_attempt == 1
    assert info.checkpoint_id == parent["configurable"]["checkpoint_id"]
    assert info.checkpoint_ns == f"node:{info.task_id}"
    assert info.run_id == config["run_id"]
    assert isinstance(info.node_first_attempt_time, float)
    assert seen["server"] is None


def test_execution_info_without_a_checkpointer_has_no_thread():
    seen: dict = {}
    _capturing(seen).invoke({}, {"configurable": {"thread_id": "ignored"}})
    (info,) = seen["infos"]
    assert info.thread_id is None and info.run_id is None and info.task_id


def test_execution_info_counts_attempts_and_keeps_the_first_attempts_time():
    from typing_extensions import TypedDict

    from langgraph_lite.graph import START, StateGraph
    from langgraph_lite.runtime import Runtime
    from langgraph_lite.types import RetryPolicy

    class S(TypedDict, total=False):
        n: int

    infos = []

    def flaky(state: S, runtime: Runtime) -> dict:
        infos.append(runtime.execution_info)
        if len(infos) < 3:
            raise ConnectionError("again")
        return {"n": 1}

    builder = StateGraph(S).add_edge(START, "flaky")
    builder.add_node("flaky", flaky, retry_policy=RetryPolicy(initial_interval=0, jitter=False))
    builder.compile().invoke({})

    assert [i.node_attempt for i in infos] == [1, 2, 3]
    assert len({i.node_first_attempt_time for i in infos}) == 1
    assert len({i.task_id for i in infos}) == 1


def test_server_info_comes_from_the_servers_configurable_keys():
    class User:
        identity = "ada"

    seen: dict = {}
    graph = _capturing(seen)
    graph.invoke({}, {"configurable": {"assistant_id": "a-1", "graph_id": "g"}})
    assert (seen["server"].assistant_id, seen["server"].graph_id) == ("a-1", "g")
    assert seen["server"].user is None

    user = User()
    graph.invoke({}, {"configurable": {"langgraph_auth_user": user}})
    assert seen["server"].user is user and seen["server"].assistant_id == ""

    graph.invoke({}, {"configurable": {"langgraph_auth_user": {"identity": "not a user"}}})
    assert seen["server"] is None  # a dict is not a user: it has no identity attribute


@pytest.mark.anyio
async def test_execution_info_in_async_runs():
    from langgraph_lite.checkpoint.memory import InMemorySaver

    seen: dict = {}
    await _capturing(seen, InMemorySaver()).ainvoke({}, {"configurable": {"thread_id": "a"}})
    (info,) = seen["infos"]
    assert info.thread_id == "a" and info.node_attempt == 1


def test_a_runtime_seeded_in_the_config_gives_its_context_and_store_to_the_run():
    # as a LangGraph server seeds a run (configurable["__pregel_runtime"]); LangGraph 1.2.22
    # gives the same answers
    from typing import TypedDict

    from langgraph_lite._internal._constants import CONFIG_KEY_RUNTIME
    from langgraph_lite.graph import START, StateGraph
    from langgraph_lite.runtime import Runtime
    from langgraph_lite.store.memory import InMemoryStore

    store = InMemoryStore()

    class Seeded:  # not a Runtime: only what a server sets
        def __init__(self):
            self.context = {"source": "graph-level"}
            self.store = store

    class State(TypedDict, total=False):
        text: str

    seen = []

    def echo(state, runtime: Runtime):
        seen.append((runtime.context, runtime.store is store))
        return {"text": "e"}

    builder = StateGraph(State)
    builder.add_node("echo", echo)
    builder.add_edge(START, "echo")
    app = builder.compile()
    config = {"configurable": {CONFIG_KEY_RUNTIME: Seeded()}}
    assert app.invoke({"text": "hi"}, config) == {"text": "e"}
    app.invoke({"text": "hi"}, config, context={"source": "run"})
    assert seen == [({"source": "graph-level"}, True), ({"source": "run"}, True)]
