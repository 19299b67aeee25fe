"""Strict resume: a resume that answers no waiting interrupt is refused, not dropped.

Turned on per run with ``{"configurable": {"__pregel_strict_resume": True}}``, LangGraph's key.
Expected results come from LangGraph 1.2.22 running the same programs.
"""

import operator
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.errors import UnknownInterruptError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, RetryPolicy, interrupt

NOBODY = "f" * 32  # looks like an interrupt id, names none


class Log(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


def strict(thread_id: str, on: bool = True) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, "__pregel_strict_resume": on}}


def two_questions_at_once():
    def left(state: Log) -> dict:
        return {"log": [f"left:{interrupt('left?')}"]}

    def right(state: Log) -> dict:
        return {"log": [f"right:{interrupt('right?')}"]}

    builder = StateGraph(Log).add_node("left", left).add_node("right", right)
    builder.add_edge(START, "left").add_edge(START, "right")
    return builder.compile(checkpointer=InMemorySaver())


def waiting(graph, config) -> dict[str, str]:
    return {i.value: i.id for i in graph.get_state(config).interrupts}


def test_strict_resume_refuses_an_unknown_id_and_writes_nothing():
    graph = two_questions_at_once()
    config = strict("s1")
    graph.invoke({"log": []}, config)
    ids = waiting(graph, config)
    saved = len(list(graph.checkpointer.list(config)))

    with pytest.raises(UnknownInterruptError, match=f"Unknown or already-consumed.*{NOBODY}") as e:
        graph.invoke(Command(resume={NOBODY: "x"}), config)

    assert (e.value.reason, e.value.interrupt_ids) == ("not_pending", (NOBODY,))
    assert e.value.pending_ids == tuple(sorted(ids.values()))
    assert len(list(graph.checkpointer.list(config))) == saved
    done = graph.invoke(Command(resume={ids["left?"]: "a", ids["right?"]: "b"}), config)
    assert sorted(done["log"]) == ["left:a", "right:b"]


def test_strict_resume_refuses_an_id_already_answered():
    graph = two_questions_at_once()
    config = strict("s2")
    graph.invoke({"log": []}, config)
    ids = waiting(graph, config)
    graph.invoke(Command(resume={ids["left?"]: "a"}), config)

    with pytest.raises(UnknownInterruptError) as e:
        graph.invoke(Command(resume={ids["left?"]: "again"}), config)

    assert (e.value.interrupt_ids, e.value.pending_ids) == ((ids["left?"],), (ids["right?"],))


def test_strict_resume_refuses_an_empty_map_and_one_value_for_two_questions():
    graph = two_questions_at_once()
    config = strict("s3")
    graph.invoke({"log": []}, config)
    pending = tuple(sorted(waiting(graph, config).values()))

    with pytest.raises(UnknownInterruptError, match="names no interrupt") as empty:
        graph.invoke(Command(resume={}), config)
    with pytest.raises(UnknownInterruptError, match="multiple pending interrupts") as one:
        graph.invoke(Command(resume="yes"), config)

    assert (empty.value.reason, empty.value.pending_ids) == ("empty_map", pending)
    assert (one.value.reason, one.value.pending_ids) == ("ambiguous", pending)


def test_without_strict_resume_an_unknown_id_answers_nothing():
    graph = two_questions_at_once()
    config = strict("s4", on=False)
    graph.invoke({"log": []}, config)

    graph.invoke(Command(resume={NOBODY: "x"}), config)

    assert set(waiting(graph, config)) == {"left?", "right?"}
    with pytest.raises(RuntimeError, match="multiple pending interrupts"):
        graph.invoke(Command(resume="yes"), config)


def test_a_dict_not_keyed_by_interrupt_ids_is_one_answer():
    def ask(state: Log) -> dict:
        return {"log": [str(interrupt("form?"))]}

    graph = StateGraph(Log).add_node("ask", ask).add_edge(START, "ask")
    graph = graph.compile(checkpointer=InMemorySaver())
    config = strict("s5")
    graph.invoke({"log": []}, config)

    assert graph.invoke(Command(resume={"name": "Ada"}), config) == {"log": ["{'name': 'Ada'}"]}


def test_a_retried_node_gets_its_answer_again():
    failures = [ConnectionError("flaky")]

    def ask(state: Log) -> dict:
        answer = interrupt("go?")
        if failures:
            raise failures.pop()
        return {"log": [answer]}

    builder = StateGraph(Log).add_edge(START, "ask")
    builder.add_node("ask", ask, retry_policy=RetryPolicy(initial_interval=0, jitter=False))
    graph = builder.compile(checkpointer=InMemorySaver())
    config = strict("s6")
    (card,) = graph.invoke({"log": []}, config)["__interrupt__"]

    assert graph.invoke(Command(resume={card.id: "yes"}), config) == {"log": ["yes"]}


@pytest.mark.anyio
async def test_strict_resume_refuses_an_unknown_id_async():
    graph = two_questions_at_once()
    config = strict("s7")
    await graph.ainvoke({"log": []}, config)

    with pytest.raises(UnknownInterruptError, match=NOBODY):
        await graph.ainvoke(Command(resume={NOBODY: "x"}), config)

    state = await graph.aget_state(config)
    assert {i.value for i in state.interrupts} == {"left?", "right?"}


def test_unknown_interrupt_error_refuses_an_unknown_reason():
    with pytest.raises(ValueError, match="reason must be one of not_pending, empty_map"):
        UnknownInterruptError("x", reason="typo")
