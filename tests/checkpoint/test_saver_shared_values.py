"""A run resumes from the objects the saver holds (``get_tuple_for_run``), and a put encodes
only the items after the unchanged ones (``checkpoint.live_items``). Whatever is changed in
place — by a node, by the caller between runs, in a nested dict — what the saver gives back
for every checkpoint is what the thread held when it was saved, as if it had been encoded
whole each time."""

import copy
import operator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph_lite.graph import START, MessagesState, StateGraph
from langgraph_lite.messages import AIMessage, HumanMessage

HISTORY = 20  # long enough to be stored as deltas (increments.MIN_ITEMS)


@contextmanager
def _sync_saver(kind, tmp_path):
    if kind == "memory":
        yield InMemorySaver()
    else:
        with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
            yield saver


@asynccontextmanager
async def _async_saver(kind, tmp_path):
    if kind == "memory":
        yield InMemorySaver()
    else:
        async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as saver:
            yield saver


def chat(saver, model):
    builder = StateGraph(MessagesState)
    builder.add_node("model", model)
    builder.add_edge(START, "model")
    return builder.compile(checkpointer=saver)


def seed():
    return {
        "messages": [
            HumanMessage(content=f"q{i}", id=f"h{i}")
            if i % 2 == 0
            else AIMessage(content=f"a{i}", id=f"a{i}")
            for i in range(HISTORY)
        ]
    }


def contents(state) -> list[Any]:
    return [(m.id, m.content, dict(m.additional_kwargs)) for m in state.values["messages"]]


def mutating_model(state):
    n = len(state["messages"])
    if n > HISTORY:  # a later turn: change old messages in place, then answer
        state["messages"][0].content = "changed in place"
        state["messages"][1].additional_kwargs["seen"] = n  # a nested dict, in place
    return {"messages": [AIMessage(content=f"answer {n}", id=f"r{n}")]}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_node_changing_old_messages_in_place_changes_no_earlier_checkpoint(kind, tmp_path):
    with _sync_saver(kind, tmp_path) as saver:
        app = chat(saver, mutating_model)
        config = {"configurable": {"thread_id": "t"}}
        app.invoke(seed(), config)
        before = [contents(s) for s in app.get_state_history(config)]
        app.invoke({"messages": [HumanMessage(content="more", id="m1")]}, config)
        after = [contents(s) for s in app.get_state_history(config)]
        assert after[3:] == before  # the earlier checkpoints read as they were
        latest = contents(app.get_state(config))
        # the step that wrote the list saved it as the node left it (as LangGraph's whole
        # re-encoding does)
        assert latest[0] == ("h0", "changed in place", {})
        assert latest[1] == ("a1", "a1", {"seen": HISTORY + 2})
        assert latest[-1][:2] == ("r22", "answer 22")
        # the checkpoint before the node ran (the question added) is untouched
        assert after[1][0] == ("h0", "q0", {}) and after[1][1] == ("a1", "a1", {})


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_the_callers_changes_to_a_runs_output_are_not_where_the_next_run_starts(kind, tmp_path):
    seen = []

    def model(state):
        seen.append([(m.content, dict(m.additional_kwargs)) for m in state["messages"][:2]])
        return {"messages": [AIMessage(content="ok", id=f"r{len(state['messages'])}")]}

    with _sync_saver(kind, tmp_path) as saver:
        app = chat(saver, model)
        config = {"configurable": {"thread_id": "t"}}
        out = app.invoke(seed(), config)
        stored = contents(app.get_state(config))
        out["messages"][0].content = "caller's edit"
        out["messages"][1].additional_kwargs["k"] = "v"
        assert contents(app.get_state(config)) == stored
        app.invoke({"messages": [HumanMessage(content="next", id="n")]}, config)
        assert seen[-1] == [("q0", {}), ("a1", {})]  # the node saw what was saved
        assert contents(app.get_state(config))[:2] == stored[:2]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_get_state_hands_out_objects_of_its_own(kind, tmp_path):
    with _sync_saver(kind, tmp_path) as saver:
        app = chat(saver, mutating_model)
        config = {"configurable": {"thread_id": "t"}}
        out = app.invoke(seed(), config)
        one = app.get_state(config).values["messages"]
        two = app.get_state(config).values["messages"]
        assert one == two == out["messages"]
        assert one[0] is not two[0] and one[0] is not out["messages"][0]
        one[0].content = "edited copy"
        assert app.get_state(config).values["messages"][0].content == "q0"


class Log(TypedDict):
    log: Annotated[list, operator.add]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_plain_items_changed_in_place_by_a_node_are_saved_as_changed(kind, tmp_path):
    def step(state):
        if len(state["log"]) > HISTORY:
            state["log"][0]["n"] += 1  # a dict item of the list, in place
        return {"log": [{"n": len(state["log"])}]}

    builder = StateGraph(Log)
    builder.add_node("step", step)
    builder.add_edge(START, "step")
    with _sync_saver(kind, tmp_path) as saver:
        app = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"log": [{"n": i} for i in range(HISTORY)]}, config)
        history = [copy.deepcopy(s.values["log"]) for s in app.get_state_history(config)]
        for turn in range(3):
            app.invoke({"log": [{"turn": turn}]}, config)
        assert [s.values["log"] for s in app.get_state_history(config)][9:] == history
        assert app.get_state(config).values["log"][0] == {"n": 3}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_async_runs_resume_from_what_was_saved(kind, tmp_path):
    async with _async_saver(kind, tmp_path) as saver:
        app = chat(saver, mutating_model)
        config = {"configurable": {"thread_id": "t"}}
        out = await app.ainvoke(seed(), config)
        before = [contents(s) async for s in app.aget_state_history(config)]
        out["messages"][2].content = "caller's edit"
        await app.ainvoke({"messages": [HumanMessage(content="more", id="m1")]}, config)
        after = [contents(s) async for s in app.aget_state_history(config)]
        assert after[3:] == before
        latest = contents(await app.aget_state(config))
        assert latest[0][1] == "changed in place" and latest[2][1] == "q2"
