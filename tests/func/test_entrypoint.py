"""@entrypoint with @task, run synchronously: results, streams, state, resuming, bad input.

Each behaviour here was first checked on LangGraph 1.2.22 with the same program.
"""

import threading

import pytest

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.func import entrypoint, task
from langgraph_lite.store.memory import InMemoryStore
from langgraph_lite.types import CachePolicy, Command, RetryPolicy, interrupt


def thread(name="t"):
    return {"configurable": {"thread_id": name}}


def test_tasks_called_together_run_at_the_same_time_and_resolve_in_call_order():
    both_started = threading.Barrier(2, timeout=5)  # breaks unless the two run concurrently

    @task
    def square(x: int) -> int:
        both_started.wait()
        return x * x

    @entrypoint()
    def main(xs: list[int]) -> list[int]:
        futures = [square(x) for x in xs]
        return [f.result() for f in futures]

    assert main.invoke([3, 4]) == [9, 16]


def test_stream_reports_each_task_then_the_entrypoint_by_name():
    @task
    def add_one(x: int) -> int:
        return x + 1

    @task(name="twice")
    def double(x: int) -> int:
        return x * 2

    @entrypoint()
    def pipeline(x: int) -> int:
        return double(add_one(x).result()).result()

    assert list(pipeline.stream(1)) == [{"add_one": 2}, {"twice": 4}, {"pipeline": 4}]


def test_a_task_may_call_tasks():
    @task
    def leaf(x: int) -> str:
        return f"<{x}>"

    @task
    def branch(x: int) -> str:
        return leaf(x).result() + leaf(x + 1).result()

    @entrypoint()
    def tree(x: int) -> str:
        return branch(x).result()

    chunks = list(tree.stream(1))
    assert chunks[-2:] == [{"branch": "<1><2>"}, {"tree": "<1><2>"}]
    assert sorted(map(str, chunks[:2])) == ["{'leaf': '<1>'}", "{'leaf': '<2>'}"]


def test_interrupt_in_the_entrypoint_resumes_without_running_finished_tasks(saver):
    runs = []

    @task
    def fetch(key: str) -> str:
        runs.append(key)
        return key.upper()

    @entrypoint(checkpointer=saver)
    def review(keys: list[str]) -> dict:
        found = [f.result() for f in [fetch(k) for k in keys]]
        verdict = interrupt({"approve": found})
        return {"found": found, "verdict": verdict}

    config = thread()
    chunks = list(review.stream(["a", "b"], config))
    assert sorted(map(str, chunks[:2])) == ["{'fetch': 'A'}", "{'fetch': 'B'}"]
    (question,) = chunks[-1]["__interrupt__"]
    assert question.value == {"approve": ["A", "B"]}
    state = review.get_state(config)
    assert state.next == ("review",)
    assert [i.value for i in state.interrupts] == [{"approve": ["A", "B"]}]

    assert review.invoke(Command(resume="yes"), config) == {"found": ["A", "B"], "verdict": "yes"}
    assert sorted(runs) == ["a", "b"]  # not run again on resume
    state = review.get_state(config)
    assert state.values == {"found": ["A", "B"], "verdict": "yes"}
    assert state.next == ()


def test_interrupt_inside_a_task_runs_only_that_task_again_on_resume(saver):
    runs = []

    @task
    def prepare(x: int) -> int:
        runs.append("prepare")
        return x * 10

    @task
    def confirm(x: int) -> str:
        runs.append("confirm")
        return f"{x}:{interrupt(f'ok {x}?')}"

    @entrypoint(checkpointer=saver)
    def flow(x: int) -> list:
        ready = prepare(x).result()
        return [ready, confirm(ready).result()]

    config = thread()
    chunks = list(flow.stream(1, config))
    assert chunks[0] == {"prepare": 10}
    assert chunks[-1]["__interrupt__"][0].value == "ok 10?"
    # the question is the entrypoint's to answer: it stopped there
    assert [t.name for t in flow.get_state(config).tasks] == ["flow"]

    assert list(flow.stream(Command(resume="sure"), config)) == [
        {"confirm": "10:sure"},
        {"flow": [10, "10:sure"]},
    ]
    assert runs == ["prepare", "confirm", "confirm"]


def test_a_failed_run_resumed_with_none_keeps_the_results_of_finished_tasks(saver):
    runs = []
    fail = [True]

    @task
    def step(name: str) -> str:
        runs.append(name)
        return name

    @entrypoint(checkpointer=saver)
    def job(names: list[str]) -> list[str]:
        done = [step(n).result() for n in names]
        if fail[0]:
            fail[0] = False
            raise ConnectionError("the network went away")
        return done

    config = thread()
    with pytest.raises(ConnectionError, match="network went away"):
        job.invoke(["x", "y"], config)
    assert job.invoke(None, config) == ["x", "y"]
    assert runs == ["x", "y"]


def test_previous_is_what_the_last_run_on_the_thread_returned():
    seen = []

    @entrypoint(checkpointer=InMemorySaver())
    def tally(n: int, *, previous: int | None = None) -> int:
        seen.append(previous)
        return (previous or 0) + n

    config = thread()
    assert [tally.invoke(n, config) for n in (1, 2, 3)] == [1, 3, 6]
    assert seen == [None, 1, 3]
    assert tally.invoke(5, thread("other")) == 5  # another thread starts afresh


def test_final_returns_one_value_and_saves_another():
    @entrypoint(checkpointer=InMemorySaver())
    def greeter(name: str, *, previous: list | None = None) -> entrypoint.final[str, list]:
        met = [*(previous or []), name]
        return entrypoint.final(value=f"hello {name} ({len(met)} met)", save=met)

    config = thread()
    assert list(greeter.stream("ann", config)) == [{"greeter": "hello ann (1 met)"}]
    assert greeter.invoke("bob", config) == "hello bob (2 met)"
    assert greeter.get_state(config).values == "hello bob (2 met)"
    assert repr(entrypoint.final(value=1, save=2)) == "entrypoint.final(value=1, save=2)"


def test_entrypoint_gets_config_runtime_store_and_writer_by_parameter_name():
    store = InMemoryStore()
    store.put(("prefs",), "u1", {"tone": "dry"})

    @entrypoint(checkpointer=InMemorySaver(), store=store)
    def reply(text: str, *, previous=None, config, runtime, store, writer) -> str:
        writer({"thread": config["configurable"]["thread_id"]})
        tone = store.get(("prefs",), "u1").value["tone"]
        return f"{text} ({tone}, context={runtime.context}, previous={runtime.previous})"

    config = thread("42")
    chunks = list(reply.stream("hi", config, stream_mode=["custom", "updates"], context="c"))
    assert chunks == [
        ("custom", {"thread": "42"}),
        ("updates", {"reply": "hi (dry, context=c, previous=None)"}),
    ]
    assert reply.invoke("again", config).endswith("previous=hi (dry, context=c, previous=None))")


def test_a_task_error_reaches_the_entrypoint_which_may_handle_it():
    @task
    def risky(x: int) -> int:
        raise KeyError(x)

    @entrypoint()
    def careful(x: int) -> str:
        try:
            return str(risky(x).result())
        except KeyError as exc:
            return f"handled {exc!r}"

    @entrypoint()
    def careless(x: int) -> int:
        return risky(x).result()

    assert careful.invoke(7) == "handled KeyError(7)"
    with pytest.raises(KeyError):
        careless.invoke(7)


def test_retry_policy_runs_a_failing_task_again():
    attempts = []

    @task(retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.01, retry_on=ValueError))
    def flaky(x: int) -> int:
        attempts.append(x)
        if len(attempts) < 3:
            raise ValueError("not yet")
        return x

    @entrypoint()
    def main(x: int) -> int:
        return flaky(x).result()

    assert main.invoke(5) == 5
    assert attempts == [5, 5, 5]


def test_cache_policy_reuses_a_task_result_for_the_same_arguments():
    from langgraph_lite.cache.memory import InMemoryCache

    runs = []

    @task(cache_policy=CachePolicy(key_func=lambda x, scale=1: f"{x}"))
    def slow_double(x: int, scale: int = 1) -> int:
        runs.append(x)
        return 2 * x

    cache = InMemoryCache()

    @entrypoint(cache=cache)
    def main(x: int) -> int:
        return slow_double(x, scale=3).result()

    assert list(main.stream(4)) == [{"slow_double": 8}, {"main": 8}]
    assert list(main.stream(4)) == [
        {"slow_double": 8, "__metadata__": {"cached": True}},
        {"main": 8},
    ]
    assert runs == [4]
    slow_double.clear_cache(cache)
    assert main.invoke(4) == 8
    assert runs == [4, 4]


def test_a_task_called_outside_an_entrypoint_says_where_it_may_be_called():
    @task
    def lonely(x: int) -> int:
        return x

    with pytest.raises(RuntimeError, match=r"^Called get_config outside of a runnable context"):
        lonely(1)


def test_an_entrypoint_must_take_the_input_as_a_parameter():
    def no_input():
        return 1

    with pytest.raises(ValueError, match=r"^Entrypoint function must have at least one parameter"):
        entrypoint()(no_input)


def test_entrypoint_options_are_checked_when_decorating():
    # Stricter than LangGraph, which ignores both mistakes until the graph is used
    # (docs/differences.md).
    def main(x):
        return x

    with pytest.raises(TypeError, match="unexpected keyword"):
        entrypoint(checkpoint=InMemorySaver())(main)
    with pytest.raises(TypeError, match=r"@entrypoint\(\)"):
        entrypoint(main)


def test_a_generator_cannot_be_an_entrypoint():
    def numbers(n):
        yield from range(n)

    with pytest.raises(NotImplementedError, match=r"^Generators are not supported"):
        entrypoint()(numbers)


def test_a_graph_node_may_call_tasks_and_keeps_their_results_across_an_interrupt(saver):
    from typing_extensions import TypedDict

    from langgraph_lite.graph import START, StateGraph

    runs = []

    @task
    def fetch(x: int) -> int:
        runs.append(x)
        return x * 2

    class State(TypedDict):
        x: int
        y: int

    def node(state: State) -> dict:
        y = fetch(state["x"]).result()
        return {"y": y if interrupt("keep it?") else -1}

    graph = StateGraph(State).add_node(node).add_edge(START, "node").compile(checkpointer=saver)
    config = thread()
    chunks = list(graph.stream({"x": 3}, config))
    assert chunks[0] == {"fetch": 6}
    assert "__interrupt__" in chunks[1]
    assert list(graph.stream(Command(resume=True), config)) == [{"node": {"y": 6}}]
    assert runs == [3]


def test_state_of_an_entrypoint_thread_before_and_after_it_returns():
    @entrypoint(checkpointer=InMemorySaver())
    def echo(x: int) -> int:
        return interrupt("go?") and x

    config = thread()
    echo.invoke(4, config)
    waiting = echo.get_state(config)
    assert waiting.values is None  # nothing returned yet
    assert waiting.next == ("echo",)
    assert [t.name for t in waiting.tasks] == ["echo"]
    assert echo.invoke(Command(resume=True), config) == 4
    history = list(echo.get_state_history(config))
    assert [(s.metadata["source"], s.values, s.next) for s in history] == [
        ("loop", 4, ()),
        ("input", None, ("echo",)),
    ]
    assert history[1].tasks[0].result == 4  # the run that finished it, as the parent shows
