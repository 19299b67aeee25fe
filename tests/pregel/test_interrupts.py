"""Human in the loop: ``interrupt()``, ``Command(resume=...)``, ``interrupt_before/after``.

Expected results come from LangGraph 1.2.22 running the same programs. Interrupt ids are
compared for stability (same id when the node reruns), not for their value: LangGraph hashes
with xxh3, we need not.
"""

import operator
import re
import time
from typing import Annotated, Any

import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Command, Interrupt, interrupt

ID = re.compile(r"^[0-9a-f]{32}$")


class State(TypedDict):
    x: int
    log: Annotated[list, operator.add]


def config(thread_id: str = "t1") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


def asking(checkpointer: Any = True):
    """START → ask → after. ask interrupts with {"question": "?"} then adds 1 to x."""
    calls = {"before": 0, "after": 0}

    def ask(state):
        calls["before"] += 1
        answer = interrupt({"question": "?"})
        calls["after"] += 1
        return {"x": state["x"] + 1, "log": [f"answer:{answer}"]}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_node("after", lambda s: {"log": ["after"]})
    builder.add_edge(START, "ask")
    builder.add_edge("ask", "after")
    saver = InMemorySaver() if checkpointer is True else checkpointer
    return builder.compile(checkpointer=saver), saver, calls


def asking_three_times():
    calls = {"n": 0}

    def three(state):
        calls["n"] += 1
        first = interrupt("first?")
        second = interrupt("second?")
        third = interrupt("third?")
        return {"log": [f"{first}/{second}/{third}"]}

    builder = StateGraph(State)
    builder.add_node("three", three)
    builder.add_edge(START, "three")
    return builder.compile(checkpointer=InMemorySaver()), calls


def asking_in_parallel(q_delay: float = 0.0):
    """START → p, q; each interrupts once. q finishes later when given a delay."""
    calls = {"p": 0, "q": 0}

    def p(state):
        calls["p"] += 1
        return {"log": [f"p={interrupt('p?')}"]}

    def q(state):
        calls["q"] += 1
        time.sleep(q_delay)
        return {"log": [f"q={interrupt('q?')}"]}

    builder = StateGraph(State)
    builder.add_node("p", p)
    builder.add_node("q", q)
    builder.add_edge(START, "p")
    builder.add_edge(START, "q")
    return builder.compile(checkpointer=InMemorySaver()), calls


def chain_abc(**compile_kw):
    """START → a → b → c; a: x+1, b: x*10, c logs only. Records the nodes that ran."""
    calls: list[str] = []

    def node(name, op):
        def run(state):
            calls.append(name)
            update: dict[str, Any] = {"log": [name]}
            if op:
                update["x"] = op(state["x"])
            return update

        return run

    builder = StateGraph(State)
    builder.add_node("a", node("a", lambda x: x + 1))
    builder.add_node("b", node("b", lambda x: x * 10))
    builder.add_node("c", node("c", None))
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    checkpointer = compile_kw.pop("checkpointer", InMemorySaver())
    return builder.compile(checkpointer=checkpointer, **compile_kw), calls


def steps(app, cfg) -> list[tuple[str, int]]:
    return [(t.metadata["source"], t.metadata["step"]) for t in app.checkpointer.list(cfg)]


# -- interrupt() ---------------------------------------------------------------------------


def test_interrupt_puts_the_question_in_the_result():
    app, _, calls = asking()
    result = app.invoke({"x": 0, "log": []}, config())

    assert list(result) == ["x", "log", "__interrupt__"]
    assert (result["x"], result["log"]) == (0, [])
    asked = result["__interrupt__"]
    assert isinstance(asked, list)
    assert len(asked) == 1
    assert isinstance(asked[0], Interrupt)
    assert asked[0].value == {"question": "?"}
    assert ID.match(asked[0].id)
    assert calls == {"before": 1, "after": 0}


def test_get_state_shows_the_pending_interrupt():
    app, saver, _ = asking()
    (asked,) = app.invoke({"x": 0, "log": []}, config())["__interrupt__"]

    snapshot = app.get_state(config())
    assert snapshot.values == {"x": 0, "log": []}
    assert snapshot.next == ("ask",)
    assert snapshot.interrupts == (asked,)
    assert [(t.name, t.interrupts, t.error, t.result) for t in snapshot.tasks] == [
        ("ask", (asked,), None, None)
    ]
    assert snapshot.metadata == {"source": "loop", "step": 0, "parents": {}}
    # no checkpoint of its own: the question is a pending write of the step it stopped in
    assert steps(app, config()) == [("loop", 0), ("input", -1)]
    assert saver.get_tuple(config()).pending_writes == [
        (snapshot.tasks[0].id, "__interrupt__", [asked])
    ]


def test_resuming_reruns_the_node_from_its_start_with_the_answer():
    app, _, calls = asking()
    app.invoke({"x": 0, "log": []}, config())

    assert app.invoke(Command(resume="yes"), config()) == {
        "x": 1,
        "log": ["answer:yes", "after"],
    }
    assert calls == {"before": 2, "after": 1}
    snapshot = app.get_state(config())
    assert (snapshot.next, snapshot.interrupts, snapshot.tasks) == ((), (), ())
    assert steps(app, config()) == [("loop", 2), ("loop", 1), ("loop", 0), ("input", -1)]


def test_stream_updates_reports_the_interrupt_as_a_tuple():
    app, _, _ = asking()
    first = list(app.stream({"x": 0, "log": []}, config(), stream_mode="updates"))
    (asked,) = app.get_state(config()).interrupts
    assert first == [{"__interrupt__": (asked,)}]
    assert list(app.stream(Command(resume="ok"), config(), stream_mode="updates")) == [
        {"ask": {"x": 1, "log": ["answer:ok"]}},
        {"after": {"log": ["after"]}},
    ]


def test_stream_values_ends_with_the_state_and_the_interrupt():
    app, _, _ = asking()
    first = list(app.stream({"x": 0, "log": []}, config(), stream_mode="values"))
    (asked,) = app.get_state(config()).interrupts
    assert first == [
        {"x": 0, "log": []},
        {"x": 0, "log": [], "__interrupt__": (asked,)},
    ]
    assert list(app.stream(Command(resume="ok"), config(), stream_mode="values")) == [
        {"x": 0, "log": []},
        {"x": 1, "log": ["answer:ok"]},
        {"x": 1, "log": ["answer:ok", "after"]},
    ]


def test_stream_defaults_to_updates_and_reports_the_interrupt():
    app, _, _ = asking()
    chunks = list(app.stream({"x": 0, "log": []}, config()))
    assert chunks == [{"__interrupt__": app.get_state(config()).interrupts}]


def test_stream_in_two_modes_reports_the_interrupt_update_before_the_last_values():
    app, _, _ = asking()
    chunks = list(app.stream({"x": 0, "log": []}, config(), stream_mode=["values", "updates"]))
    asked = app.get_state(config()).interrupts
    assert chunks == [
        ("values", {"x": 0, "log": []}),
        ("updates", {"__interrupt__": asked}),
        ("values", {"x": 0, "log": [], "__interrupt__": asked}),
    ]


def test_invoke_none_while_interrupted_asks_again_with_the_same_id():
    app, _, calls = asking()
    first = app.invoke({"x": 0, "log": []}, config())
    again = app.invoke(None, config())
    assert again == first
    assert again["__interrupt__"][0].id == first["__interrupt__"][0].id
    assert calls == {"before": 2, "after": 0}


def test_new_input_while_interrupted_starts_over():
    app, _, calls = asking()
    app.invoke({"x": 0, "log": []}, config())
    result = app.invoke({"x": 100, "log": ["new"]}, config())
    assert (result["x"], result["log"]) == (100, ["new"])
    assert [i.value for i in result["__interrupt__"]] == [{"question": "?"}]
    assert calls == {"before": 2, "after": 0}
    snapshot = app.get_state(config())
    assert snapshot.metadata == {"source": "loop", "step": 2, "parents": {}}
    assert snapshot.next == ("ask",)
    assert snapshot.interrupts == tuple(result["__interrupt__"])


def test_interrupt_without_a_checkpointer_still_reports_the_question():
    app, _, _ = asking(checkpointer=None)
    result = app.invoke({"x": 0, "log": []})
    assert (result["x"], result["log"]) == (0, [])
    assert [i.value for i in result["__interrupt__"]] == [{"question": "?"}]


def test_interrupts_in_one_node_are_answered_in_order():
    app, calls = asking_three_times()
    first = app.invoke({"x": 0, "log": []}, config())["__interrupt__"]
    second = app.invoke(Command(resume="A1"), config())["__interrupt__"]
    assert calls == {"n": 2}
    snapshot = app.get_state(config())
    assert snapshot.next == ("three",)
    assert snapshot.interrupts == tuple(second)
    third = app.invoke(Command(resume="A2"), config())["__interrupt__"]

    assert [i.value for i in (*first, *second, *third)] == ["first?", "second?", "third?"]
    assert len({i.id for i in (*first, *second, *third)}) == 3
    assert app.invoke(Command(resume="A3"), config()) == {"x": 0, "log": ["A1/A2/A3"]}
    assert calls == {"n": 4}


def test_interrupts_in_one_node_stream_one_at_a_time():
    app, _ = asking_three_times()

    def values(chunks):
        return [
            [i.value for i in c["__interrupt__"]] if "__interrupt__" in c else c for c in chunks
        ]

    assert values(app.stream({"x": 0, "log": []}, config(), stream_mode="updates")) == [["first?"]]
    assert values(app.stream(Command(resume="A1"), config(), stream_mode="updates")) == [
        ["second?"]
    ]
    assert values(app.stream(Command(resume="A2"), config(), stream_mode="updates")) == [["third?"]]
    assert values(app.stream(Command(resume="A3"), config(), stream_mode="updates")) == [
        {"three": {"log": ["A1/A2/A3"]}}
    ]


def test_parallel_interrupts_are_all_reported():
    app, calls = asking_in_parallel(q_delay=0.05)  # the result lists them as they come
    result = app.invoke({"x": 0, "log": []}, config())
    assert (result["x"], result["log"]) == (0, [])
    assert [i.value for i in result["__interrupt__"]] == ["p?", "q?"]
    assert calls == {"p": 1, "q": 1}

    snapshot = app.get_state(config())
    assert snapshot.next == ("p", "q")
    assert [(t.name, [i.value for i in t.interrupts]) for t in snapshot.tasks] == [
        ("p", ["p?"]),
        ("q", ["q?"]),
    ]
    assert snapshot.interrupts == tuple(result["__interrupt__"])


def test_parallel_interrupts_are_resumed_by_id():
    app, calls = asking_in_parallel()
    result = app.invoke({"x": 0, "log": []}, config())
    ids = {i.value: i.id for i in result["__interrupt__"]}
    answers = Command(resume={ids["p?"]: "P", ids["q?"]: "Q"})
    assert app.invoke(answers, config()) == {"x": 0, "log": ["p=P", "q=Q"]}
    assert calls == {"p": 2, "q": 2}
    assert app.get_state(config()).next == ()


def test_a_plain_resume_with_two_pending_interrupts_is_refused():
    app, calls = asking_in_parallel()
    result = app.invoke({"x": 0, "log": []}, config())
    with pytest.raises(RuntimeError, match="interrupt"):
        app.invoke(Command(resume="plain"), config())
    with pytest.raises(RuntimeError, match="interrupt"):
        app.invoke(Command(resume={"nope": 1}), config())
    assert calls == {"p": 1, "q": 1}
    assert app.get_state(config()).interrupts == tuple(result["__interrupt__"])


def test_answering_one_of_two_interrupts_keeps_its_nodes_update():
    app, calls = asking_in_parallel()
    result = app.invoke({"x": 0, "log": []}, config())
    ids = {i.value: i.id for i in result["__interrupt__"]}

    partly = app.invoke(Command(resume={ids["p?"]: "P"}), config())
    assert (partly["x"], partly["log"]) == (0, ["p=P"])
    assert [i.value for i in partly["__interrupt__"]] == ["q?"]
    assert calls == {"p": 2, "q": 2}

    snapshot = app.get_state(config())
    assert snapshot.values == {"x": 0, "log": ["p=P"]}
    assert snapshot.next == ("q",)
    assert [(t.name, [i.value for i in t.interrupts], t.result) for t in snapshot.tasks] == [
        ("p", [], {"log": ["p=P"]}),
        ("q", ["q?"], None),
    ]

    assert app.invoke(Command(resume={ids["q?"]: "Q"}), config()) == {
        "x": 0,
        "log": ["p=P", "q=Q"],
    }
    assert calls == {"p": 2, "q": 3}


def test_parallel_interrupts_stream_one_update_per_node():
    app, _ = asking_in_parallel(q_delay=0.05)
    chunks = list(app.stream({"x": 0, "log": []}, config(), stream_mode="updates"))
    p, q = app.get_state(config()).interrupts
    assert chunks == [{"__interrupt__": (p,)}, {"__interrupt__": (q,)}]


# -- interrupt_before / interrupt_after -----------------------------------------------------

STATIC = [
    pytest.param({"interrupt_before": ["b"]}, id="before-b"),
    pytest.param({"interrupt_after": ["a"]}, id="after-a"),
    pytest.param({"interrupt_before": ["b"], "interrupt_after": ["a"]}, id="both"),
]


@pytest.mark.parametrize("kw", STATIC)
def test_a_static_interrupt_pauses_and_invoke_none_resumes(kw):
    app, calls = chain_abc(**kw)
    assert app.invoke({"x": 1, "log": []}, config()) == {"x": 2, "log": ["a"]}
    assert calls == ["a"]

    snapshot = app.get_state(config())
    assert snapshot.next == ("b",)
    assert snapshot.interrupts == ()
    assert [(t.name, t.interrupts, t.result) for t in snapshot.tasks] == [("b", (), None)]
    assert snapshot.metadata == {"source": "loop", "step": 1, "parents": {}}
    assert app.checkpointer.get_tuple(config()).pending_writes == []
    assert steps(app, config()) == [("loop", 1), ("loop", 0), ("input", -1)]

    calls.clear()
    assert app.invoke(None, config()) == {"x": 20, "log": ["a", "b", "c"]}
    assert calls == ["b", "c"]
    assert app.get_state(config()).next == ()

    calls.clear()
    assert app.invoke(None, config()) == {"x": 20, "log": ["a", "b", "c"]}
    assert calls == []
    assert steps(app, config()) == [
        ("loop", 3),
        ("loop", 2),
        ("loop", 1),
        ("loop", 0),
        ("input", -1),
    ]


@pytest.mark.parametrize("kw", STATIC)
def test_a_static_interrupt_streams(kw):
    app, _ = chain_abc(**kw)
    cfg = config("updates")
    assert list(app.stream({"x": 1, "log": []}, cfg, stream_mode="updates")) == [
        {"a": {"x": 2, "log": ["a"]}},
        {"__interrupt__": ()},
    ]
    assert list(app.stream(None, cfg, stream_mode="updates")) == [
        {"b": {"x": 20, "log": ["b"]}},
        {"c": {"log": ["c"]}},
    ]
    assert list(app.stream(None, cfg, stream_mode="updates")) == []

    cfg = config("values")
    assert list(app.stream({"x": 1, "log": []}, cfg, stream_mode="values")) == [
        {"x": 1, "log": []},
        {"x": 2, "log": ["a"]},
    ]
    assert list(app.stream(None, cfg, stream_mode="values")) == [
        {"x": 2, "log": ["a"]},
        {"x": 20, "log": ["a", "b"]},
        {"x": 20, "log": ["a", "b", "c"]},
    ]
    assert list(app.stream(None, cfg, stream_mode="values")) == [{"x": 20, "log": ["a", "b", "c"]}]

    cfg = config("both")
    assert list(app.stream({"x": 1, "log": []}, cfg, stream_mode=["updates", "values"])) == [
        ("values", {"x": 1, "log": []}),
        ("updates", {"a": {"x": 2, "log": ["a"]}}),
        ("values", {"x": 2, "log": ["a"]}),
        ("updates", {"__interrupt__": ()}),
    ]


def test_interrupt_before_two_nodes_pauses_twice():
    app, calls = chain_abc(interrupt_before=["b", "c"])
    assert app.invoke({"x": 1, "log": []}, config()) == {"x": 2, "log": ["a"]}
    assert app.get_state(config()).next == ("b",)
    assert app.invoke(None, config()) == {"x": 20, "log": ["a", "b"]}
    assert app.get_state(config()).next == ("c",)
    assert app.invoke(None, config()) == {"x": 20, "log": ["a", "b", "c"]}
    assert app.get_state(config()).next == ()
    assert calls == ["a", "b", "c"]


def test_interrupt_before_given_per_call():
    app, calls = chain_abc()
    assert app.invoke({"x": 1, "log": []}, config(), interrupt_before=["c"]) == {
        "x": 20,
        "log": ["a", "b"],
    }
    assert calls == ["a", "b"]
    assert app.get_state(config()).next == ("c",)
    assert app.invoke(None, config()) == {"x": 20, "log": ["a", "b", "c"]}


def test_interrupt_after_given_per_call():
    app, calls = chain_abc()
    assert app.invoke({"x": 1, "log": []}, config(), interrupt_after=["a"]) == {
        "x": 2,
        "log": ["a"],
    }
    assert calls == ["a"]
    assert app.get_state(config()).next == ("b",)
    assert list(app.stream(None, config(), interrupt_after=["b"], stream_mode="updates")) == [
        {"b": {"x": 20, "log": ["b"]}},
        {"__interrupt__": ()},
    ]
    assert app.get_state(config()).next == ("c",)


def test_interrupt_before_everything():
    app, calls = chain_abc(interrupt_before="*")
    assert app.invoke({"x": 1, "log": []}, config()) == {"x": 1, "log": []}
    assert calls == []
    assert app.get_state(config()).next == ("a",)


def test_new_input_while_paused_runs_from_the_start_and_pauses_again():
    app, calls = chain_abc(interrupt_before=["b"])
    app.invoke({"x": 1, "log": []}, config())
    calls.clear()
    assert app.invoke({"x": 5, "log": ["n"]}, config()) == {"x": 6, "log": ["a", "n", "a"]}
    assert calls == ["a"]
    assert app.get_state(config()).next == ("b",)


def test_a_static_interrupt_without_a_checkpointer_just_stops():
    app, calls = chain_abc(interrupt_before=["b"], checkpointer=None)
    assert app.invoke({"x": 1, "log": []}) == {"x": 2, "log": ["a"]}
    assert calls == ["a"]


# -- async ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_interrupt_and_resume():
    app, _, calls = asking()
    result = await app.ainvoke({"x": 0, "log": []}, config())
    (asked,) = result["__interrupt__"]
    snapshot = await app.aget_state(config())
    assert (snapshot.next, snapshot.interrupts) == (("ask",), (asked,))
    assert await app.ainvoke(Command(resume="yes"), config()) == {
        "x": 1,
        "log": ["answer:yes", "after"],
    }
    assert calls == {"before": 2, "after": 1}


@pytest.mark.anyio
async def test_async_stream_reports_the_interrupt_and_the_resumed_run():
    app, _, _ = asking()
    first = [c async for c in app.astream({"x": 0, "log": []}, config(), stream_mode="updates")]
    asked = (await app.aget_state(config())).interrupts
    assert first == [{"__interrupt__": asked}]
    assert [c async for c in app.astream(Command(resume="ok"), config(), stream_mode="values")] == [
        {"x": 0, "log": []},
        {"x": 1, "log": ["answer:ok"]},
        {"x": 1, "log": ["answer:ok", "after"]},
    ]


@pytest.mark.anyio
async def test_async_interrupts_in_one_node_are_answered_in_order():
    app, calls = asking_three_times()
    await app.ainvoke({"x": 0, "log": []}, config())
    await app.ainvoke(Command(resume="A1"), config())
    await app.ainvoke(Command(resume="A2"), config())
    assert await app.ainvoke(Command(resume="A3"), config()) == {"x": 0, "log": ["A1/A2/A3"]}
    assert calls == {"n": 4}


@pytest.mark.anyio
async def test_async_parallel_interrupts_are_resumed_by_id():
    app, calls = asking_in_parallel()
    result = await app.ainvoke({"x": 0, "log": []}, config())
    ids = {i.value: i.id for i in result["__interrupt__"]}
    with pytest.raises(RuntimeError, match="interrupt"):
        await app.ainvoke(Command(resume="plain"), config())
    answers = Command(resume={ids["p?"]: "P", ids["q?"]: "Q"})
    assert await app.ainvoke(answers, config()) == {"x": 0, "log": ["p=P", "q=Q"]}
    assert calls == {"p": 2, "q": 2}


@pytest.mark.anyio
async def test_async_static_interrupts():
    app, calls = chain_abc(interrupt_before=["b"])
    assert [c async for c in app.astream({"x": 1, "log": []}, config(), stream_mode="updates")] == [
        {"a": {"x": 2, "log": ["a"]}},
        {"__interrupt__": ()},
    ]
    assert (await app.aget_state(config())).next == ("b",)
    assert await app.ainvoke(None, config(), interrupt_before=["c"]) == {
        "x": 20,
        "log": ["a", "b"],
    }
    assert (await app.aget_state(config())).next == ("c",)
    assert await app.ainvoke(None, config()) == {"x": 20, "log": ["a", "b", "c"]}
    assert calls == ["a", "b", "c"]


@pytest.mark.anyio
@pytest.mark.parametrize("kw", STATIC)
async def test_async_static_interrupt_streams(kw):
    app, _ = chain_abc(**kw)
    chunks = [c async for c in app.astream({"x": 1, "log": []}, config(), stream_mode="updates")]
    assert chunks == [{"a": {"x": 2, "log": ["a"]}}, {"__interrupt__": ()}]
    assert [c async for c in app.astream(None, config(), stream_mode="values")] == [
        {"x": 2, "log": ["a"]},
        {"x": 20, "log": ["a", "b"]},
        {"x": 20, "log": ["a", "b", "c"]},
    ]


def test_a_bare_resume_with_two_pending_interrupts_asks_which_one_in_langgraphs_words():
    class Two(TypedDict):
        a: str
        b: str

    builder = StateGraph(Two)
    builder.add_node("x", lambda s: {"a": interrupt("first?")})
    builder.add_node("y", lambda s: {"b": interrupt("second?")})
    builder.add_edge(START, "x")
    builder.add_edge(START, "y")
    graph = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "two"}}
    graph.invoke({"a": "", "b": ""}, config)
    with pytest.raises(RuntimeError) as raised:
        graph.invoke(Command(resume="yes"), config)
    text = str(raised.value)
    assert text.startswith(
        "When there are multiple pending interrupts, you must specify the interrupt id when "
        "resuming."
    )
    assert "Command(resume={interrupt.id: value, ...})" in text


def test_a_subgraph_entered_again_by_a_later_step_of_a_resumed_run_starts_afresh():
    # LangGraph 1.2.22: only the resumed step's tasks continue a subgraph's saved run; the
    # same subgraph (checkpointer=True: one history per thread) called by a later step of that
    # run takes its new input and asks its question again.
    class Sub(TypedDict):
        foo: str

    class Parent(TypedDict):
        foo: str
        counter: int

    def ask(state: Sub) -> dict:
        return {"foo": f"sub:{interrupt('value?')}"}

    sub = StateGraph(Sub).add_node("ask", ask).add_edge(START, "ask").compile(checkpointer=True)

    def call(state: Parent) -> dict:
        return sub.invoke({"foo": state["foo"]})

    def after(state: Parent):
        if state["counter"] < 1:
            return Command(goto="call", update={"counter": state["counter"] + 1})
        return {"foo": state["foo"] + "|done"}

    builder = StateGraph(Parent).add_node("call", call).add_node("after", after)
    builder.add_edge(START, "call").add_edge("call", "after")
    graph = builder.compile(checkpointer=InMemorySaver())
    cfg = config("reenter")

    assert "__interrupt__" in graph.invoke({"foo": "", "counter": 0}, cfg)
    second = graph.invoke(Command(resume="a"), cfg)
    assert second["foo"] == "sub:a" and second["__interrupt__"][0].value == "value?"
    assert graph.invoke(Command(resume="b"), cfg) == {"foo": "sub:b|done", "counter": 1}


def test_a_grandchild_stopped_before_a_node_is_reported_once_by_the_outermost_graph():
    # LangGraph 1.2.22 streams the same chunks for this graph (subgraphs=True)
    from typing import TypedDict as _TypedDict

    from langgraph_lite.checkpoint.memory import InMemorySaver as _Saver
    from langgraph_lite.graph import START as _START
    from langgraph_lite.graph import StateGraph as _Graph

    class Key(_TypedDict):
        k: str

    grand = _Graph(Key)
    grand.add_node("g1", lambda state: {"k": state["k"] + "1"})
    grand.add_node("g2", lambda state: {"k": state["k"] + "2"})
    grand.add_edge(_START, "g1")
    grand.add_edge("g1", "g2")
    child = _Graph(Key)
    child.add_node("c1", grand.compile(interrupt_before=["g2"]))
    child.add_edge(_START, "c1")
    parent = _Graph(Key)
    parent.add_node("p1", lambda state: {"k": "p"})
    parent.add_node("child", child.compile())
    parent.add_edge(_START, "p1")
    parent.add_edge("p1", "child")
    app = parent.compile(checkpointer=_Saver())
    chunks = [
        (tuple(part.split(":")[0] for part in ns), chunk)
        for ns, chunk in app.stream(
            {"k": "x"}, {"configurable": {"thread_id": "t"}}, subgraphs=True
        )
    ]
    assert chunks == [
        ((), {"p1": {"k": "p"}}),
        (("child", "c1"), {"g1": {"k": "p1"}}),
        ((), {"__interrupt__": ()}),
    ]
