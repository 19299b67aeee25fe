"""An ``UntrackedValue`` key inside a ``Send``'s arg reaches the node but is never saved
(checked against LangGraph 1.2.22)."""

import operator
import threading
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from langgraph_lite.channels.untracked_value import UntrackedValue
from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Send


class Session:
    """Cannot be saved: it holds a lock."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()


class State(TypedDict):
    log: Annotated[list[str], operator.add]
    session: Annotated[Session, UntrackedValue]


def graph():
    def setup(state: State) -> dict:
        return {"log": ["setup"], "session": Session("first")}

    def tool(state: State) -> dict:
        return {"log": [f"tool:{state['session'].name}"], "session": Session("second")}

    builder = StateGraph(State).add_node("setup", setup).add_node("tool", tool)
    builder.add_edge(START, "setup")
    builder.add_conditional_edges("setup", lambda state: [Send("tool", state)])
    return builder.compile(checkpointer=InMemorySaver())


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_a_send_carrying_an_untracked_value_runs_and_saves_without_it(durability):
    app = graph()
    config = {"configurable": {"thread_id": durability}}

    out = app.invoke({"log": []}, config, durability=durability)

    assert out["log"] == ["setup", "tool:first"] and out["session"].name == "second"
    assert "session" not in app.get_state(config).values
    for snapshot in app.get_state_history(config):
        assert "session" not in snapshot.values
    saved = app.checkpointer.get_tuple(config)
    assert all(channel != "session" for _, channel, _ in saved.pending_writes)


def test_a_send_of_another_dict_keeps_its_keys():
    class Plain(TypedDict):
        box: dict
        session: Annotated[str, UntrackedValue]

    def tool(state: Plain) -> dict:
        return {"box": state["box"], "session": state["session"] + "!"}

    builder = StateGraph(Plain).add_node("setup", lambda s: {}).add_node("tool", tool)
    builder.add_edge(START, "setup")
    builder.add_conditional_edges(
        "setup", lambda s: [Send("tool", {"box": {"session": "kept"}, "session": "live"})]
    )
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}

    assert app.invoke({"box": {}}, config)["session"] == "live!"
    assert app.get_state(config).values == {"box": {"session": "kept"}}
