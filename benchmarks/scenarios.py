"""The graphs timed by ``python -m benchmarks``: LangGraph's own benchmark scenarios, our code.

Each scenario has the shape of one in LangGraph's ``libs/langgraph/bench/`` and is written
against the public API of an ``Engine`` (``benchmarks.engines``), so the same function builds
the graph on langgraph_lite and on LangGraph. Each also runs its node work with no engine at
all (``floor``): the same node functions called in a plain Python loop, applying the same
reducers in the same order. That is the bare-Python floor; what an engine takes above it is
its overhead. The floor's final state is the answer every engine's run must match.

- ``sequential_N``: N nodes in a chain over ``MessagesState``; every node returns ``None``.
- ``fanout_to_subgraph_Nx``: an edge from ``START`` sends ``N`` ``Send("joke", {"subject"})``
  to a node that is a compiled subgraph (input and output schemas narrower than its state):
  ``edit`` -> ``generate`` -> ``bump`` looping ten times. The parent gathers the jokes with an
  ``operator.add`` reducer. Subjects are 1,000-character strings.
- ``wide_state_AxN`` (dataclass state), ``wide_dict_AxN`` (``TypedDict``) and
  ``pydantic_state_AxN`` (pydantic model with validators): a 15-key state with seven kinds of
  reducer and a six-node graph (a fan-out to two nodes and a join) that loops until the message
  list is longer than N; each node reads one key and writes two to six, copying lists and
  dicts and making N-character strings. The input is one message: a nested dict of A lists.
- ``react_agent_Nx``: ``create_react_agent`` with a chat model that calls the tool
  ``add_one`` N times, one call per reply, then answers.

Sync runs use sync nodes; async runs use ``async def`` nodes (and an async tool).
"""

from __future__ import annotations

import asyncio
import dataclasses
import operator
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator
from typing_extensions import TypedDict

from benchmarks.engines import Engine, add_one

RECURSION_LIMIT = 100_000


@dataclass(frozen=True)
class Scenario:
    """One benchmark graph: how to build it on an engine, its input, and its floor."""

    name: str
    family: str  # "sequential", "fanout", "wide_state", ... (targets are set per family)
    # (engine, is_async) -> an uncompiled StateGraph, or None when built by a factory
    builder: Callable[[Engine, bool], Any] | None
    make_input: Callable[[Engine], Any]
    # (engine, is_async) -> the final state, computed with no engine (a coroutine when async)
    floor: Callable[[Engine, bool, Any], Any]
    # (engine, is_async, checkpointer) -> a compiled graph; defaults to builder().compile()
    factory: Callable[[Engine, bool, Any], Any] | None = None
    modes: tuple[str, ...] = ("sync", "async")  # the cells it has (harness.MODES)
    # timed as a call of ``invoke``/``ainvoke`` (one result) instead of streaming its updates
    invoked: bool = False

    def compile(self, engine: Engine, is_async: bool, checkpointer: Any = None) -> Any:
        """The graph, compiled on ``engine`` with ``checkpointer``."""
        if self.factory is not None:
            return self.factory(engine, is_async, checkpointer)
        assert self.builder is not None
        return self.builder(engine, is_async).compile(checkpointer=checkpointer)

    def run_floor(self, engine: Engine, is_async: bool, inp: Any) -> Any:
        """The floor's final state (runs an event loop of its own when async)."""
        if is_async:
            return asyncio.run(self.floor(engine, is_async, inp))
        return self.floor(engine, is_async, inp)


def _variant(fn: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    """``fn`` itself, or an ``async def`` doing the same work, for async runs."""
    if not is_async:
        return fn

    async def node(state: Any) -> Any:
        return fn(state)

    return node


# -- sequential ------------------------------------------------------------------------------


def _do_nothing(state: Any) -> None:
    return None


def _sequential_builder(n: int, sync_nodes: bool, engine: Engine, is_async: bool) -> Any:
    graph = engine.StateGraph(engine.MessagesState)
    node = _variant(_do_nothing, is_async and not sync_nodes)
    for i in range(n):
        graph.add_node(f"node_{i}", node)
        graph.add_edge(engine.START if i == 0 else f"node_{i - 1}", f"node_{i}")
    graph.add_edge(f"node_{n - 1}", engine.END)
    return graph


async def _sequential_floor(
    n: int, sync_nodes: bool, engine: Engine, is_async: bool, inp: Any
) -> Any:
    node_is_async = is_async and not sync_nodes
    node = _variant(_do_nothing, node_is_async)
    state = {"messages": list(inp["messages"])}
    for _ in range(n):
        update = await node(state) if node_is_async else node(state)
        assert update is None
    return state


def sequential(n: int, sync_nodes: bool = False, invoked: bool = False) -> Scenario:
    """``sequential_N``: a chain of N do-nothing nodes over ``MessagesState``.

    ``sync_nodes``: ``sequential_sync_nodes_N``, the same chain of plain ``def`` nodes driven
    by ``astream`` (its only cell is async): what an engine takes to run sync node code from
    an event loop (LangGraph and we both run it in a worker thread). ``invoked``:
    ``sequential_sync_nodes_ainvoke_N``, the same timed as one ``ainvoke`` (nothing streamed
    to a consumer between the steps)."""
    name = f"sequential_{n}"
    if sync_nodes:
        name = f"sequential_sync_nodes_ainvoke_{n}" if invoked else f"sequential_sync_nodes_{n}"
    return Scenario(
        name,
        "sequential",
        partial(_sequential_builder, n, sync_nodes),
        lambda engine: {"messages": []},
        _sync_or_async(partial(_sequential_floor, n, sync_nodes)),
        modes=("async",) if sync_nodes else ("sync", "async"),
        invoked=invoked,
    )


def _sync_or_async(floor: Callable[..., Any]) -> Callable[..., Any]:
    """Floors are written once as coroutines; a sync floor drives its coroutine by hand (it
    never awaits anything, since sync nodes are plain calls)."""

    def run(engine: Engine, is_async: bool, inp: Any) -> Any:
        coro = floor(engine, is_async, inp)
        if is_async:
            return coro
        try:
            coro.send(None)
        except StopIteration as done:
            return done.value
        raise AssertionError("a sync floor awaited something")

    return run


# -- fan-out to a subgraph -------------------------------------------------------------------


class Jokes(TypedDict):
    """The fan-out parent's state: subjects in, jokes gathered."""

    subjects: list[str]
    jokes: Annotated[list[str], operator.add]


class JokeIn(TypedDict):
    """What the joke subgraph takes."""

    subject: str


class JokeOut(TypedDict):
    """What the joke subgraph gives back."""

    jokes: list[str]


class JokeState(JokeIn, JokeOut):
    """The joke subgraph's own state: both."""


BUMPS = 10


def _edit(state: Any) -> dict[str, Any]:
    return {"subject": state["subject"] + " - hohoho"}


def _generate(state: Any) -> dict[str, Any]:
    return {"jokes": [f"Joke about {state['subject']}"]}


def _bump(state: Any) -> dict[str, Any]:
    return {"jokes": [state["jokes"][0] + " a"]}


def _bumped_enough(state: Any) -> bool:
    return state["jokes"][0].endswith(" a" * BUMPS)


def _fanout_builder(engine: Engine, is_async: bool) -> Any:
    sub = engine.StateGraph(JokeState, input_schema=JokeIn, output_schema=JokeOut)
    sub.add_node("edit", _variant(_edit, is_async))
    sub.add_node("generate", _variant(_generate, is_async))
    sub.add_node("bump", _variant(_bump, is_async))
    sub.add_edge(engine.START, "edit")
    sub.add_edge("edit", "generate")
    sub.add_edge("generate", "bump")
    sub.add_conditional_edges(
        "bump", lambda s: engine.END if _bumped_enough(s) else "bump", ["bump", engine.END]
    )

    def tell_jokes(state: Any) -> list[Any]:
        return [engine.Send("joke", {"subject": s}) for s in state["subjects"]]

    graph = engine.StateGraph(Jokes)
    graph.add_node("joke", sub.compile())
    graph.add_conditional_edges(engine.START, tell_jokes, ["joke"])
    graph.add_edge("joke", engine.END)
    return graph


async def _fanout_floor(engine: Engine, is_async: bool, inp: Any) -> Any:
    edit, generate, bump = (_variant(f, is_async) for f in (_edit, _generate, _bump))

    async def call(fn: Callable[..., Any], state: dict[str, Any]) -> None:
        state.update(await fn(state) if is_async else fn(state))

    jokes: list[str] = []
    for subject in inp["subjects"]:
        sub: dict[str, Any] = {"subject": subject}
        await call(edit, sub)
        await call(generate, sub)
        await call(bump, sub)
        while not _bumped_enough(sub):
            await call(bump, sub)
        jokes = jokes + sub["jokes"]
    return {"subjects": inp["subjects"], "jokes": jokes}


def fanout_to_subgraph(n: int) -> Scenario:
    """``fanout_to_subgraph_Nx``: N ``Send`` s to a compiled subgraph, results gathered."""
    rng = random.Random(n)
    subjects = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=1000)) for _ in range(n)]
    return Scenario(
        f"fanout_to_subgraph_{n}x",
        "fanout",
        _fanout_builder,
        lambda engine: {"subjects": list(subjects)},
        _sync_or_async(_fanout_floor),
    )


# -- wide state ------------------------------------------------------------------------------
# A 15-key state; each reducer is a named function so every engine (and the floor) sees the
# same one. "list" keys receive a list, "dict" keys one dict, the others an N-char string.


def _newer_if_truthy(old: Any, new: Any) -> Any:
    return new or old


def _newer(old: Any, new: Any) -> Any:
    return new


def _newer_if_set(old: Any, new: Any) -> Any:
    return new if new is not None else old


LIST_KEYS = {"messages", "trigger_events", "categorizations", "responses", "memory_docs"}
LIST_KEYS |= {"relevant_rules"}
DICT_KEYS = {"user_info", "crm_info", "slack_participants", "notified_assignees"}
DICT_KEYS |= {"autoresponse", "issue"}
# key -> reducer (None: the last value wins)
WIDE_REDUCERS: dict[str, Any] = {
    "messages": operator.add,
    "trigger_events": operator.add,
    "primary_issue_medium": _newer_if_truthy,
    "autoresponse": _newer,
    "issue": _newer_if_truthy,
    "relevant_rules": None,
    "memory_docs": None,
    "categorizations": operator.add,
    "responses": operator.add,
    "user_info": _newer_if_set,
    "crm_info": _newer_if_set,
    "email_thread_id": _newer_if_set,
    "slack_participants": operator.or_,
    "bot_id": None,
    "notified_assignees": operator.or_,
}
# node -> (the key it reads, the keys it writes); "three" and "four" run in one superstep
WIDE_NODES = {
    "one": ("messages", ("trigger_events", "primary_issue_medium")),
    "two": ("trigger_events", ("autoresponse", "issue")),
    "three": ("autoresponse", ("relevant_rules",)),
    "four": ("trigger_events", ("categorizations", "responses", "memory_docs")),
    "five": (
        "categorizations",
        ("user_info", "crm_info", "email_thread_id", "slack_participants", "bot_id"),
    ),
    "six": ("responses", ("messages", "notified_assignees")),
}
WIDE_STEPS = [["one"], ["two"], ["three", "four"], ["five"], ["six"]]
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


@dataclass(kw_only=True)
class WideDataclass:
    """The wide state as a dataclass (``wide_state_*``)."""

    messages: Annotated[list, operator.add] = field(default_factory=list)
    trigger_events: Annotated[list, operator.add] = field(default_factory=list)
    primary_issue_medium: Annotated[str, _newer_if_truthy] = "email"
    autoresponse: Annotated[dict | None, _newer] = None
    issue: Annotated[dict | None, _newer_if_truthy] = None
    relevant_rules: list | None = None
    memory_docs: list | None = None
    categorizations: Annotated[list, operator.add] = field(default_factory=list)
    responses: Annotated[list, operator.add] = field(default_factory=list)
    user_info: Annotated[dict | None, _newer_if_set] = None
    crm_info: Annotated[dict | None, _newer_if_set] = None
    email_thread_id: Annotated[str | None, _newer_if_set] = None
    slack_participants: Annotated[dict, operator.or_] = field(default_factory=dict)
    bot_id: str | None = None
    notified_assignees: Annotated[dict, operator.or_] = field(default_factory=dict)


class WideDict(TypedDict):
    """The wide state as a ``TypedDict`` (``wide_dict_*``)."""

    messages: Annotated[list, operator.add]
    trigger_events: Annotated[list, operator.add]
    primary_issue_medium: Annotated[str, _newer_if_truthy]
    autoresponse: Annotated[dict | None, _newer]
    issue: Annotated[dict | None, _newer_if_truthy]
    relevant_rules: list | None
    memory_docs: list | None
    categorizations: Annotated[list, operator.add]
    responses: Annotated[list, operator.add]
    user_info: Annotated[dict | None, _newer_if_set]
    crm_info: Annotated[dict | None, _newer_if_set]
    email_thread_id: Annotated[str | None, _newer_if_set]
    slack_participants: Annotated[dict, operator.or_]
    bot_id: str | None
    notified_assignees: Annotated[dict, operator.or_]


class WidePydantic(BaseModel):
    """The wide state as a pydantic model with validators (``pydantic_state_*``)."""

    messages: Annotated[list, operator.add] = Field(default_factory=list)
    trigger_events: Annotated[list, operator.add] = Field(default_factory=list)
    primary_issue_medium: Annotated[str, _newer_if_truthy] = "email"
    autoresponse: Annotated[dict | None, _newer] = None
    issue: Annotated[dict | None, _newer_if_truthy] = None
    relevant_rules: list | None = None
    memory_docs: list | None = None
    categorizations: Annotated[list, operator.add] = Field(default_factory=list)
    responses: Annotated[list, operator.add] = Field(default_factory=list)
    user_info: Annotated[dict | None, _newer_if_set] = None
    crm_info: Annotated[dict | None, _newer_if_set] = None
    email_thread_id: Annotated[str | None, _newer_if_set] = None
    slack_participants: Annotated[dict, operator.or_] = Field(default_factory=dict)
    bot_id: str | None = None
    notified_assignees: Annotated[dict, operator.or_] = Field(default_factory=dict)

    @field_validator("primary_issue_medium", "email_thread_id", "bot_id", mode="after")
    @classmethod
    def _short_enough(cls, v: str | None) -> str | None:
        if v is not None and len(v) > 100_000:
            raise ValueError("too long")
        return v

    @field_validator("slack_participants", "notified_assignees", mode="after")
    @classmethod
    def _string_keys(cls, v: dict) -> dict:
        if not all(isinstance(k, str) for k in v):
            raise TypeError("keys must be strings")
        return v


WIDE_SCHEMAS = {"wide_state": WideDataclass, "wide_dict": WideDict, "pydantic_state": WidePydantic}
WIDE_DEFAULTS: dict[str, Any] = {
    "primary_issue_medium": "email",
    **{k: [] for k in LIST_KEYS if WIDE_REDUCERS[k] is not None},
    **{k: {} for k in ("slack_participants", "notified_assignees")},
}


def _read(state: Any, key: str) -> Any:
    return state[key] if isinstance(state, dict) else getattr(state, key)


def _read_write(n: int, read: str, writes: tuple[str, ...], state: Any) -> dict[str, Any]:
    """Read one key, write several: lists get the value as a list, dicts one item of it, the
    rest an N-character string (deterministic, so every run's final state is the same)."""
    value = _read(state, read)
    if isinstance(value, str):
        value = {value: value}
    one = value[-1] if isinstance(value, list) else value
    as_list = value if isinstance(value, list) else [value]
    seed = len(as_list)
    out: dict[str, Any] = {}
    for key in writes:
        if key in LIST_KEYS:
            out[key] = as_list
        elif key in DICT_KEYS:
            out[key] = one
        else:
            out[key] = "".join(ALPHABET[(seed + 7 * i) % 26] for i in range(n))
    return out


def _wide_builder(schema: Any, n: int, engine: Engine, is_async: bool) -> Any:
    graph = engine.StateGraph(schema)
    for name, (read, writes) in WIDE_NODES.items():
        graph.add_node(name, _variant(partial(_read_write, n, read, writes), is_async))
    graph.add_edge(engine.START, "one")
    graph.add_edge("one", "two")
    graph.add_edge("two", "three")
    graph.add_edge("two", "four")
    graph.add_edge(["three", "four"], "five")
    graph.add_edge("five", "six")
    graph.add_conditional_edges(
        "six",
        lambda s: engine.END if len(_read(s, "messages")) > n else "one",
        ["one", engine.END],
    )
    return graph


def _apply(state: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        reducer = WIDE_REDUCERS[key]
        state[key] = value if reducer is None or key not in state else reducer(state[key], value)


async def _wide_floor(schema: Any, n: int, engine: Engine, is_async: bool, inp: Any) -> Any:
    nodes = {
        name: _variant(partial(_read_write, n, read, writes), is_async)
        for name, (read, writes) in WIDE_NODES.items()
    }
    state: dict[str, Any] = dict(WIDE_DEFAULTS)
    _apply(state, inp)
    while True:
        for step in WIDE_STEPS:
            view = state if schema is WideDict else SimpleNamespace(**state)
            updates = [await nodes[s](view) if is_async else nodes[s](view) for s in step]
            for update in updates:
                _apply(state, update)
        if len(state["messages"]) > n:
            return state


def _wide_input(a: int, b: int) -> dict[str, Any]:
    row = ["hi?" * 10, True, 1, 6327816386138, None] * 5
    return {"messages": [{str(i) * 10: {str(j) * 10: row for j in range(b)} for i in range(a)}]}


# "AxN": A lists in the input message, loop until more than N messages, N-character strings
WIDE_SIZES = {"25x300": (5, 5, 300), "15x600": (3, 5, 600), "9x1200": (3, 3, 1200)}
QUICK_SIZE = {"4x20": (2, 2, 20)}


def wide(family: str, size: str) -> Scenario:
    """``wide_state_AxN`` / ``wide_dict_AxN`` / ``pydantic_state_AxN`` (size "25x300", ...)."""
    a, b, n = {**WIDE_SIZES, **QUICK_SIZE}[size]
    schema = WIDE_SCHEMAS[family]
    return Scenario(
        f"{family}_{size}",
        family,
        partial(_wide_builder, schema, n),
        lambda engine: _wide_input(a, b),
        _sync_or_async(partial(_wide_floor, schema, n)),
    )


# -- a ReAct agent ---------------------------------------------------------------------------


async def async_add_one(x: int) -> int:
    """Add one to x."""
    return x + 1


async_add_one.__name__ = "add_one"


def _react_factory(n: int, engine: Engine, is_async: bool, checkpointer: Any) -> Any:
    tool = async_add_one if is_async else add_one
    return engine.create_react_agent(engine.make_tool_model(n), [tool], checkpointer=checkpointer)


async def _react_floor(n: int, engine: Engine, is_async: bool, inp: Any) -> Any:
    model = engine.make_tool_model(n)
    messages = list(inp["messages"])
    while True:
        reply = await model.ainvoke(messages) if is_async else model.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return {"messages": messages}
        for call in reply.tool_calls:
            result = await async_add_one(**call["args"]) if is_async else add_one(**call["args"])
            messages.append(
                engine.ToolMessage(content=str(result), name=call["name"], tool_call_id=call["id"])
            )


def react_agent(n: int) -> Scenario:
    """``react_agent_Nx``: a prebuilt agent making N tool round trips."""
    return Scenario(
        f"react_agent_{n}x",
        "react_agent",
        None,
        lambda engine: {"messages": [engine.HumanMessage(content="hi?")]},
        _sync_or_async(partial(_react_floor, n)),
        factory=partial(_react_factory, n),
    )


# -- comparing final states ------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value with messages reduced to what both engines agree on (ids differ by design)."""
    if hasattr(value, "tool_calls") or type(value).__name__.endswith("Message"):
        calls = [(c["name"], c["args"], c["id"]) for c in getattr(value, "tool_calls", [])]
        return (type(value).__name__, value.content, calls, getattr(value, "tool_call_id", None))
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def normalize(state: Any) -> dict[str, Any]:
    """A final state as a plain dict of its non-empty keys, comparable across engines."""
    if isinstance(state, BaseModel):
        state = dict(state)
    elif dataclasses.is_dataclass(state):
        state = {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}
    return {k: _plain(v) for k, v in state.items() if v not in (None, [], {}, "")}


def all_scenarios(quick: bool = False) -> list[Scenario]:
    """Every scenario, at LangGraph's sizes, or tiny ones with ``quick``."""
    if quick:
        return [
            sequential(3),
            sequential(3, sync_nodes=True),
            sequential(3, sync_nodes=True, invoked=True),
            fanout_to_subgraph(2),
            *(wide(f, "4x20") for f in ("wide_state", "wide_dict", "pydantic_state")),
            react_agent(2),
        ]
    return [
        sequential(10),
        sequential(1000),
        sequential(1000, sync_nodes=True),
        sequential(1000, sync_nodes=True, invoked=True),
        fanout_to_subgraph(10),
        fanout_to_subgraph(100),
        *(wide("wide_state", size) for size in WIDE_SIZES),
        wide("wide_dict", "25x300"),
        wide("pydantic_state", "25x300"),
        react_agent(10),
        react_agent(100),
    ]
