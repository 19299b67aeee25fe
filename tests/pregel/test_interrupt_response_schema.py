"""``interrupt(response_schema=...)``: what the question shows, how its answer is checked.

Each expectation was first observed running the same program on LangGraph 1.2.22.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Annotated, Any

import anyio
import pydantic
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.errors import is_invalid_resume
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.testing import run_node
from langgraph_lite.types import Command, Interrupt, interrupt


class Verdict(pydantic.BaseModel):
    approved: bool
    reason: str | None = None


class VerdictDict(TypedDict):
    approved: bool


@dataclasses.dataclass
class VerdictData:
    approved: bool


class Answer(TypedDict):
    answer: Any


def _asking(schema: Any, *, checkpointer: Any = None):
    def ask(state: Answer) -> Answer:
        return {"answer": interrupt({"q": "ship?"}, response_schema=schema)}

    builder = StateGraph(Answer).add_node("ask", ask).add_edge(START, "ask")
    return builder.compile(checkpointer=checkpointer or InMemorySaver())


THREAD = {"configurable": {"thread_id": "t"}}


class _AnyId:
    """Equal to any non-empty string: interrupt ids are hashes."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)


ANY_ID: Any = _AnyId()


# -- the Interrupt value ---------------------------------------------------------------------


def test_an_interrupt_shows_its_three_fields_and_compares_by_them():
    shown = Interrupt("q", id="i1")
    assert repr(shown) == "Interrupt(value='q', id='i1', response_schema=None)"
    assert shown == Interrupt(value="q", id="i1", response_schema=None)
    assert shown != Interrupt("q", id="i1", response_schema={"type": "string"})
    assert Interrupt("q").id == "placeholder-id"
    with pytest.raises(TypeError, match="unhashable"):
        hash(shown)


def test_the_keywords_interrupt_took_before_0_6_are_accepted_and_ns_gives_the_id():
    old = Interrupt(value="abc", resumable=True, when="during", ns=["a:b", "c:d"])
    assert old.id == Interrupt.from_ns("abc", "a:b|c:d").id != "placeholder-id"
    assert repr(old).endswith("response_schema=None)")  # resumable/when are not kept
    assert Interrupt("abc", id="given", ns=["a:b"]).id == "given"


def test_an_unknown_keyword_to_interrupt_is_refused_by_name():
    with pytest.raises(TypeError, match="respons_schema"):
        Interrupt("q", respons_schema=int)


# -- what the question shows, what the answer becomes ----------------------------------------


@pytest.mark.parametrize(
    ("schema", "shown", "answer", "returned"),
    [
        (None, None, {"approved": True, "x": 1}, {"approved": True, "x": 1}),
        ({"type": "object"}, {"type": "object"}, {"approved": "?"}, {"approved": "?"}),
        (
            Verdict,
            Verdict.model_json_schema(),
            {"approved": True},
            Verdict(approved=True),
        ),
        (
            VerdictDict,
            {
                "properties": {"approved": {"title": "Approved", "type": "boolean"}},
                "required": ["approved"],
                "title": "VerdictDict",
                "type": "object",
            },
            {"approved": True, "x": 1},
            {"approved": True},
        ),
        (
            VerdictData,
            {
                "properties": {"approved": {"title": "Approved", "type": "boolean"}},
                "required": ["approved"],
                "title": "VerdictData",
                "type": "object",
            },
            {"approved": True},
            VerdictData(approved=True),
        ),
        (int, {"type": "integer"}, "3", 3),
        (list[int], {"items": {"type": "integer"}, "type": "array"}, ["1", 2], [1, 2]),
    ],
    ids=["none", "json-schema", "model", "typeddict", "dataclass", "int", "list"],
)
def test_the_schema_is_shown_as_json_schema_and_a_type_converts_the_answer(
    schema, shown, answer, returned
):
    graph = _asking(schema)
    expected = Interrupt(value={"q": "ship?"}, id=ANY_ID, response_schema=shown)
    [chunk] = list(graph.stream({"answer": None}, THREAD))
    assert chunk == {"__interrupt__": (expected,)}
    state = graph.get_state(THREAD)
    assert state.tasks[0].interrupts == (expected,) == state.interrupts
    assert graph.invoke(Command(resume=answer), THREAD) == {"answer": returned}


def test_each_question_gets_its_own_copy_of_the_schema():
    graph = _asking(Verdict)
    [first] = graph.invoke({"answer": None}, THREAD)["__interrupt__"]
    first.response_schema["title"] = "changed by the client"
    [again] = _asking(Verdict).invoke({"answer": None}, THREAD)["__interrupt__"]
    assert again.response_schema["title"] == "Verdict"


# -- an answer that does not fit -------------------------------------------------------------


@pytest.mark.parametrize("style", ["value", "by-id"])
def test_an_answer_that_does_not_fit_fails_the_run_and_the_question_stays_open(style):
    graph = _asking(Verdict)
    [pending] = graph.invoke({"answer": None}, THREAD)["__interrupt__"]

    def resume(value):
        return Command(resume=value if style == "value" else {pending.id: value})

    with pytest.raises(pydantic.ValidationError, match="approved") as caught:
        graph.invoke(resume({"approved": "perhaps"}), THREAD)
    assert is_invalid_resume(caught.value)
    state = graph.get_state(THREAD)
    assert [i.id for i in state.interrupts] == [pending.id]
    assert state.next == ("ask",)
    assert "approved" in state.tasks[0].error
    assert graph.invoke(resume({"approved": False}), THREAD) == {"answer": Verdict(approved=False)}


def test_is_invalid_resume_is_false_for_errors_interrupt_did_not_raise():
    with pytest.raises(pydantic.ValidationError) as caught:
        Verdict.model_validate({"approved": "perhaps"})
    assert not is_invalid_resume(caught.value)
    assert not is_invalid_resume(ValueError("approved"))


def test_a_rejected_answer_leaves_the_earlier_answers_of_the_node_in_place():
    calls = []

    def ask(state: Answer) -> Answer:
        first = interrupt("name?")
        calls.append(first)
        return {"answer": [first, interrupt("ship?", response_schema=Verdict)]}

    graph = StateGraph(Answer).add_node("ask", ask).add_edge(START, "ask")
    graph = graph.compile(checkpointer=InMemorySaver())
    graph.invoke({"answer": None}, THREAD)
    graph.invoke(Command(resume="ada"), THREAD)
    with pytest.raises(pydantic.ValidationError):
        graph.invoke(Command(resume={"approved": 7}), THREAD)
    result = graph.invoke(Command(resume={"approved": True}), THREAD)
    assert result == {"answer": ["ada", Verdict(approved=True)]}
    assert calls == ["ada", "ada", "ada"]  # the first answer replayed on every run


@pytest.mark.parametrize("style", ["value", "by-id"])
def test_a_node_that_catches_the_rejection_asks_the_same_question_again(style):
    def ask(state: Answer) -> Answer:
        while True:
            try:
                return {"answer": interrupt("ship?", response_schema=Verdict)}
            except pydantic.ValidationError:
                pass

    graph = StateGraph(Answer).add_node("ask", ask).add_edge(START, "ask")
    graph = graph.compile(checkpointer=InMemorySaver())
    [first] = graph.invoke({"answer": None}, THREAD)["__interrupt__"]

    def resume(value):
        return Command(resume=value if style == "value" else {first.id: value})

    [again] = graph.invoke(resume({"approved": "perhaps"}), THREAD)["__interrupt__"]
    assert again.value == "ship?"
    assert graph.invoke(resume({"approved": True}), THREAD) == {"answer": Verdict(approved=True)}


@pytest.mark.anyio
async def test_a_rejected_answer_lets_the_other_answered_tasks_of_the_step_finish():
    effects: list[str] = []

    class Log(TypedDict):
        log: Annotated[list[str], operator.add]

    async def send(state: Log) -> Log:
        interrupt("send?", response_schema=Verdict)
        effects.append("sent")
        await anyio.sleep(0.05)  # still working when its sibling's answer is rejected
        return {"log": ["send"]}

    async def check(state: Log) -> Log:
        interrupt("check?", response_schema=Verdict)
        return {"log": ["check"]}

    builder = StateGraph(Log).add_node("send", send).add_node("check", check)
    graph = (
        builder.add_edge(START, "send")
        .add_edge(START, "check")
        .compile(checkpointer=InMemorySaver())
    )
    await graph.ainvoke({"log": []}, THREAD)
    ids = {i.value: i.id for i in (await graph.aget_state(THREAD)).interrupts}
    answers = {ids["send?"]: {"approved": True}, ids["check?"]: {"approved": "perhaps"}}
    with pytest.raises(pydantic.ValidationError):
        await graph.ainvoke(Command(resume=answers), THREAD)
    assert [i.value for i in (await graph.aget_state(THREAD)).interrupts] == ["check?"]
    result = await graph.ainvoke(Command(resume={ids["check?"]: {"approved": True}}), THREAD)
    assert (sorted(result["log"]), effects) == (["check", "send"], ["sent"])


# -- a schema that is not one ----------------------------------------------------------------


@pytest.mark.parametrize("schema", [5, "Verdict", object()], ids=["int", "str", "object"])
def test_a_schema_that_is_neither_json_schema_nor_a_type_is_a_clear_error(schema):
    with pytest.raises(TypeError, match=r"interrupt\(response_schema=.*JSON Schema dict"):
        _asking(schema).invoke({"answer": None}, THREAD)


def test_interrupt_outside_a_node_says_so_before_looking_at_the_schema():
    with pytest.raises(RuntimeError, match="outside a running node"):
        interrupt("q", response_schema=5)


# -- saving ----------------------------------------------------------------------------------


def test_an_interrupt_with_its_schema_survives_the_serializer():
    serde = MsgpackSerde()
    question = Interrupt("q", id="i1", response_schema=Verdict.model_json_schema())
    back = serde.loads_typed(serde.dumps_typed([question]))
    assert back == [question]


def test_a_question_with_a_schema_waits_in_sqlite_and_is_answered_after_a_restart(tmp_path):
    path = str(tmp_path / "threads.sqlite")
    with SqliteSaver.from_conn_string(path) as saver:
        [pending] = _asking(Verdict, checkpointer=saver).invoke({"answer": None}, THREAD)[
            "__interrupt__"
        ]
    with SqliteSaver.from_conn_string(path) as saver:
        graph = _asking(Verdict, checkpointer=saver)
        assert graph.get_state(THREAD).interrupts == (pending,)
        assert pending.response_schema == Verdict.model_json_schema()
        with pytest.raises(pydantic.ValidationError):
            graph.invoke(Command(resume={pending.id: {"approved": []}}), THREAD)
    with SqliteSaver.from_conn_string(path) as saver:
        graph = _asking(Verdict, checkpointer=saver)
        assert graph.get_state(THREAD).interrupts == (pending,)
        result = graph.invoke(Command(resume={pending.id: {"approved": "yes"}}), THREAD)
        assert result == {"answer": Verdict(approved=True)}


# -- a node run alone ------------------------------------------------------------------------


def test_run_node_checks_its_answers_against_the_schema():
    graph = _asking(Verdict)
    asked = run_node(graph, "ask", {"answer": None})
    assert asked.interrupts[0].response_schema == Verdict.model_json_schema()
    answered = run_node(graph, "ask", {"answer": None}, resume=[{"approved": "yes"}])
    assert answered.update == {"answer": Verdict(approved=True)}
    with pytest.raises(pydantic.ValidationError):
        run_node(graph, "ask", {"answer": None}, resume=[{"approved": "perhaps"}])


# -- streaming -------------------------------------------------------------------------------


def test_tasks_mode_reports_the_question_as_a_plain_dict_with_its_schema():
    graph = _asking(int)
    chunks = list(graph.stream({"answer": None}, THREAD, stream_mode="tasks"))
    ended = [c for c in chunks if "result" in c]
    assert [c["interrupts"] for c in ended] == [
        [{"value": {"q": "ship?"}, "id": ANY_ID, "response_schema": {"type": "integer"}}]
    ]
    [done] = [
        c for c in graph.stream(Command(resume="4"), THREAD, stream_mode="tasks") if "result" in c
    ]
    assert (done["result"], done["interrupts"]) == ({"answer": 4}, [])


def test_an_answer_of_the_schemas_model_in_an_untyped_field_is_saved_and_read_back():
    from typing import Any as _Any
    from typing import TypedDict as _TypedDict

    from pydantic import BaseModel as _Model

    from langgraph_lite.checkpoint.sqlite import SqliteSaver as _Sqlite
    from langgraph_lite.graph import START as _START
    from langgraph_lite.graph import StateGraph as _Graph
    from langgraph_lite.types import Command as _Command
    from langgraph_lite.types import interrupt as _interrupt

    class Verdict(_Model):
        approved: bool

    class Slot(_TypedDict):
        answer: _Any  # the schema names no class: only the response schema does

    def node(state):
        return {"answer": _interrupt("approve?", response_schema=Verdict)}

    with _Sqlite.from_conn_string(":memory:") as saver:
        app = (
            _Graph(Slot).add_node("node", node).add_edge(_START, "node").compile(checkpointer=saver)
        )
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"answer": None}, config)
        assert app.invoke(_Command(resume={"approved": False}), config) == {
            "answer": Verdict(approved=False)
        }
        assert app.get_state(config).values == {"answer": Verdict(approved=False)}
