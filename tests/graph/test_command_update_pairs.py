"""``Command(update=[(key, value), ...])``: each pair is a write of its own, so a key may be
written twice by one node (checked against LangGraph 1.2.22)."""

from typing import Annotated

from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command


def joined(a: str, b: str) -> str:
    return ", ".join(x for x in (a, b) if x)


class State(TypedDict):
    foo: Annotated[str, joined]


def graph():
    def one(state: State) -> Command:
        return Command(update=[("foo", "one.0"), ("foo", "one.1"), ("nope", "dropped")])

    builder = StateGraph(State).add_node("one", one).add_node("two", lambda s: {"foo": "two"})
    builder.add_edge(START, "one").add_edge("one", "two").add_edge("two", END)
    return builder.compile(checkpointer=InMemorySaver())


def test_each_pair_of_a_command_update_is_applied_in_order():
    app = graph()
    config = {"configurable": {"thread_id": "1"}}

    chunks = list(app.stream({"foo": "in"}, config, stream_mode=["updates", "tasks"]))

    assert ("updates", {"one": [{"foo": "one.0"}, {"foo": "one.1"}]}) in chunks
    results = [c["result"] for mode, c in chunks if mode == "tasks" and "result" in c]
    assert results[0] == {"foo": {"$writes": ["one.0", "one.1"]}}
    assert app.get_state(config).values == {"foo": "in, one.0, one.1, two"}


def test_the_history_shows_both_writes_of_the_task():
    app = graph()
    config = {"configurable": {"thread_id": "1"}}
    app.invoke({"foo": "in"}, config)

    history = [[(t.name, t.result) for t in s.tasks] for s in app.get_state_history(config)]

    assert ("one", {"foo": {"$writes": ["one.0", "one.1"]}}) in [t for ts in history for t in ts]
