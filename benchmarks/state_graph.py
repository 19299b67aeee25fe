"""LangGraph's own StateGraph benchmark scenarios: overhead of the builder API on top of Pregel.

Four graphs, each built by one function that takes a library namespace (``StateGraph``,
``START``, ``END``, ``MessagesState``, ``Send``) so exactly the same builder code runs on
langgraph_lite and, when it is importable in the same interpreter, on LangGraph:

- ``sequential``: a chain of N no-op nodes over ``MessagesState`` (nodes return ``{}`` or
  ``None``), like LangGraph's ``bench/sequential.py``;
- ``wide``: a 100-key ``TypedDict`` state and a chain of 50 nodes, each reading the state and
  writing 10 keys, like ``bench/wide_state.py`` (``stream(values)`` is where wide state costs);
- ``pydantic``: the sequential chain over a pydantic ``BaseModel`` state
  (``int``, ``str``, ``Annotated[list[str], operator.add]``), like ``bench/pydantic_state.py``;
- ``fanout``: a parent node whose edge sends 100 ``Send("sub", ...)`` packets to a node that is
  a compiled 3-node ``StateGraph``; the parent gathers the results with an ``operator.add``
  reducer, like ``bench/fanout_to_subgraph.py``.

Every run's result is checked; each scenario is timed best-of-``--repeat`` and reported as
total milliseconds and microseconds per superstep (per ``Send`` task for ``fanout``), with the
ratio LangGraph time / ours (above 1 means we are faster). Graph building is not timed.

    python benchmarks/state_graph.py [--steps 1000] [--repeat 5] [--profile [SCENARIO]]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import operator
import pstats
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any

from pydantic import BaseModel, Field
from typing_extensions import TypedDict


def load_namespace(package: str) -> SimpleNamespace | None:
    """The StateGraph API of ``package`` (``langgraph_lite`` or ``langgraph``), or None."""
    try:
        graph = importlib.import_module(f"{package}.graph")
        types_ = importlib.import_module(f"{package}.types")
    except ImportError:
        return None
    return SimpleNamespace(
        name=package,
        StateGraph=graph.StateGraph,
        START=graph.START,
        END=graph.END,
        MessagesState=graph.MessagesState,
        Send=types_.Send,
    )


LITE = load_namespace("langgraph_lite")
LANGGRAPH = load_namespace("langgraph")
assert LITE is not None, "langgraph_lite is not importable"


# -- schemas (library-neutral) ---------------------------------------------------------------


class PydanticState(BaseModel):
    count: int = 0
    name: str = ""
    tags: Annotated[list[str], operator.add] = Field(default_factory=list)


class FanoutState(TypedDict):
    subjects: list[str]
    jokes: Annotated[list[str], operator.add]


class JokeInput(TypedDict):
    subject: str


class JokeOutput(TypedDict):
    jokes: list[str]


class JokeState(JokeInput, JokeOutput):
    pass


def wide_schema(keys: int) -> Any:
    return TypedDict(f"WideState{keys}", {f"k{i}": int for i in range(keys)})  # type: ignore[operator]


# -- builders: one per graph, shared by both libraries ---------------------------------------


def _noop_nodes(is_async: bool) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """A node returning ``{}`` and one returning ``None``."""
    if is_async:

        async def aempty(state: Any) -> Any:
            return {}

        async def anone(state: Any) -> Any:
            return None

        return aempty, anone

    def empty(state: Any) -> Any:
        return {}

    def none(state: Any) -> Any:
        return None

    return empty, none


def _chain(ns: SimpleNamespace, schema: Any, nodes: list[Callable[..., Any]]) -> Any:
    builder = ns.StateGraph(schema)
    prev = ns.START
    for i, fn in enumerate(nodes):
        builder.add_node(f"node_{i}", fn)
        builder.add_edge(prev, f"node_{i}")
        prev = f"node_{i}"
    builder.add_edge(prev, ns.END)
    return builder.compile()


def build_sequential(ns: SimpleNamespace, n: int, is_async: bool = False) -> Any:
    """N no-op nodes in a chain over ``MessagesState``; even nodes return ``{}``, odd ``None``."""
    empty, none = _noop_nodes(is_async)
    return _chain(ns, ns.MessagesState, [none if i % 2 else empty for i in range(n)])


def build_pydantic(ns: SimpleNamespace, n: int, is_async: bool = False) -> Any:
    """The sequential chain over ``PydanticState``."""
    empty, none = _noop_nodes(is_async)
    return _chain(ns, PydanticState, [none if i % 2 else empty for i in range(n)])


def wide_written(node: int, keys: int) -> list[str]:
    """Keys written by wide node ``node``: 10 consecutive keys, wrapping around."""
    per = min(10, keys)
    return [f"k{(node * per + m) % keys}" for m in range(per)]


def build_wide(ns: SimpleNamespace, n: int, keys: int = 100, is_async: bool = False) -> Any:
    """N nodes in a chain over a ``keys``-key state; each adds 1 to the 10 keys it writes."""

    def make(i: int) -> Callable[..., Any]:
        written = wide_written(i, keys)
        if is_async:

            async def anode(state: Any) -> Any:
                return {k: state[k] + 1 for k in written}

            return anode

        def node(state: Any) -> Any:
            return {k: state[k] + 1 for k in written}

        return node

    return _chain(ns, wide_schema(keys), [make(i) for i in range(n)])


def build_fanout(ns: SimpleNamespace, n: int, is_async: bool = False) -> Any:
    """``split`` -> N x ``Send("sub", {"subject": s})`` -> ``sub`` (edit -> generate -> bump)."""

    def edit(state: Any) -> Any:
        return {"subject": f"{state['subject']} - hohoho"}

    def generate(state: Any) -> Any:
        return {"jokes": [f"Joke about {state['subject']}"]}

    def bump(state: Any) -> Any:
        return {"jokes": [state["jokes"][0] + " a"]}

    def split(state: Any) -> Any:
        return None

    steps: dict[str, Callable[..., Any]] = {"edit": edit, "generate": generate, "bump": bump}
    if is_async:
        steps = {name: _as_async(fn) for name, fn in steps.items()}
        split = _as_async(split)

    sub = ns.StateGraph(JokeState, input_schema=JokeInput, output_schema=JokeOutput)
    prev = ns.START
    for name, fn in steps.items():
        sub.add_node(name, fn)
        sub.add_edge(prev, name)
        prev = name
    sub.add_edge(prev, ns.END)

    def continue_to_jokes(state: Any) -> Any:
        return [ns.Send("sub", {"subject": s}) for s in state["subjects"]]

    builder = ns.StateGraph(FanoutState)
    builder.add_node("split", split)
    builder.add_node("sub", sub.compile())
    builder.add_edge(ns.START, "split")
    builder.add_conditional_edges("split", continue_to_jokes)
    builder.add_edge("sub", ns.END)
    return builder.compile()


def _as_async(fn: Callable[..., Any]) -> Callable[..., Any]:
    async def afn(state: Any) -> Any:
        return fn(state)

    afn.__name__ = fn.__name__
    return afn


# -- workloads: input for run ``i`` and a check of the result --------------------------------


@dataclass(frozen=True)
class Graph:
    """One of the four graphs at a given size: how to build it, feed it and check it."""

    name: str
    unit: str  # what the µs column is per
    size: int  # how many units one run is
    build: Callable[[SimpleNamespace, bool], Any]
    make_input: Callable[[int], Any]
    check: Callable[[str, int, Any], None]  # (mode, run index, output)


def _sequential_graph(n: int) -> Graph:
    def make_input(i: int) -> Any:
        return {"messages": [{"role": "user", "content": f"hi {i}"}]}

    def check(mode: str, i: int, out: Any) -> None:
        if mode == "updates":
            assert len(out) == n, f"expected {n} update chunks, got {len(out)}"
            assert out[0] == {"node_0": None}, out[0]
            assert out[-1] == {f"node_{n - 1}": None}, out[-1]
            return
        assert [m.content for m in out["messages"]] == [f"hi {i}"], out

    return Graph(
        "sequential", "step", n, lambda ns, a: build_sequential(ns, n, a), make_input, check
    )


def _pydantic_graph(n: int) -> Graph:
    def make_input(i: int) -> Any:
        return {"count": i, "name": f"run {i}", "tags": ["a", "b"]}

    def check(mode: str, i: int, out: Any) -> None:
        if mode == "updates":
            assert len(out) == n, f"expected {n} update chunks, got {len(out)}"
            assert out[-1] == {f"node_{n - 1}": None}, out[-1]
            return
        assert out == {"count": i, "name": f"run {i}", "tags": ["a", "b"]}, out

    return Graph("pydantic", "step", n, lambda ns, a: build_pydantic(ns, n, a), make_input, check)


def _wide_graph(n: int, keys: int) -> Graph:
    bumps = Counter(k for node in range(n) for k in wide_written(node, keys))

    def make_input(i: int) -> Any:
        return {f"k{j}": i for j in range(keys)}

    def expected(i: int) -> dict[str, int]:
        return {f"k{j}": i + bumps[f"k{j}"] for j in range(keys)}

    def check(mode: str, i: int, out: Any) -> None:
        if mode == "updates":
            assert len(out) == n, f"expected {n} update chunks, got {len(out)}"
            last = wide_written(n - 1, keys)
            assert out[-1] == {f"node_{n - 1}": {k: expected(i)[k] for k in last}}, out[-1]
            return
        if mode == "values":
            assert len(out) == n + 1, f"expected {n + 1} value chunks, got {len(out)}"
            assert out[0] == make_input(i), out[0]
            out = out[-1]
        assert out == expected(i), out

    return Graph("wide", "step", n, lambda ns, a: build_wide(ns, n, keys, a), make_input, check)


def _fanout_graph(n: int) -> Graph:
    def subjects(i: int) -> list[str]:
        return [f"s{j}-{i}" for j in range(n)]

    def make_input(i: int) -> Any:
        return {"subjects": subjects(i)}

    def jokes(i: int) -> list[str]:
        return [f"Joke about {s} - hohoho a" for s in subjects(i)]

    def check(mode: str, i: int, out: Any) -> None:
        if mode == "updates":
            assert len(out) == n + 1, f"expected {n + 1} update chunks, got {len(out)}"
            assert out[0] == {"split": None}, out[0]
            got = [j for chunk in out[1:] for j in chunk["sub"]["jokes"]]
            assert sorted(got) == sorted(jokes(i)), got[:3]
            return
        assert out["subjects"] == subjects(i), out["subjects"][:3]
        # operator.add over the Send tasks' writes; both libraries apply them in Send order.
        assert out["jokes"] == jokes(i), out["jokes"][:3]

    return Graph("fanout", "task", n, lambda ns, a: build_fanout(ns, n, a), make_input, check)


# -- scenarios: a graph, a way to run it, sync or async nodes --------------------------------


def _invoke(app: Any, inp: Any, config: dict[str, Any]) -> Any:
    return app.invoke(inp, config)


def _stream_updates(app: Any, inp: Any, config: dict[str, Any]) -> Any:
    return list(app.stream(inp, config, stream_mode="updates"))


def _stream_values(app: Any, inp: Any, config: dict[str, Any]) -> Any:
    return list(app.stream(inp, config, stream_mode="values"))


async def _ainvoke(app: Any, inp: Any, config: dict[str, Any]) -> Any:
    return await app.ainvoke(inp, config)


async def _astream_updates(app: Any, inp: Any, config: dict[str, Any]) -> Any:
    return [chunk async for chunk in app.astream(inp, config, stream_mode="updates")]


@dataclass(frozen=True)
class Mode:
    name: str
    run: Callable[..., Any]
    check_as: str  # "value", "updates" or "values"
    is_async: bool  # an async run (ainvoke / astream)


INVOKE = Mode("invoke", _invoke, "value", False)
STREAM_UPDATES = Mode("stream(updates)", _stream_updates, "updates", False)
STREAM_VALUES = Mode("stream(values)", _stream_values, "values", False)
AINVOKE = Mode("ainvoke", _ainvoke, "value", True)
ASTREAM_UPDATES = Mode("astream(updates)", _astream_updates, "updates", True)


@dataclass(frozen=True)
class Scenario:
    graph: Graph
    mode: Mode
    async_nodes: bool

    @property
    def key(self) -> str:
        nodes = ", async nodes" if self.async_nodes else ""
        return f"{self.graph.name}: {self.mode.name}{nodes}"


def scenarios(
    steps: int = 1000, wide_nodes: int = 50, wide_keys: int = 100, fanout: int = 100
) -> list[Scenario]:
    seq, pyd = _sequential_graph(steps), _pydantic_graph(steps)
    wide, fan = _wide_graph(wide_nodes, wide_keys), _fanout_graph(fanout)
    return [
        Scenario(seq, INVOKE, False),
        Scenario(seq, STREAM_UPDATES, False),
        Scenario(seq, AINVOKE, False),
        Scenario(seq, AINVOKE, True),
        Scenario(wide, INVOKE, False),
        Scenario(wide, STREAM_UPDATES, False),
        Scenario(wide, STREAM_VALUES, False),
        Scenario(wide, AINVOKE, True),
        Scenario(pyd, INVOKE, False),
        Scenario(pyd, STREAM_UPDATES, False),
        Scenario(pyd, AINVOKE, True),
        Scenario(fan, INVOKE, False),
        Scenario(fan, STREAM_UPDATES, False),
        Scenario(fan, AINVOKE, True),
        Scenario(fan, ASTREAM_UPDATES, True),
    ]


def _config(sc: Scenario) -> dict[str, Any]:
    return {"recursion_limit": sc.graph.size + 10}


def _time_sync(sc: Scenario, app: Any, repeat: int) -> float:
    config = _config(sc)
    best = float("inf")
    for i in range(repeat):
        inp = sc.graph.make_input(i + 1)
        gc.collect()
        t0 = time.perf_counter()
        out = sc.mode.run(app, inp, config)
        elapsed = time.perf_counter() - t0
        sc.graph.check(sc.mode.check_as, i + 1, out)
        best = min(best, elapsed)
    return best


async def _time_async(sc: Scenario, app: Any, repeat: int) -> float:
    config = _config(sc)
    best = float("inf")
    for i in range(repeat):
        inp = sc.graph.make_input(i + 1)
        gc.collect()
        t0 = time.perf_counter()
        out = await sc.mode.run(app, inp, config)
        elapsed = time.perf_counter() - t0
        sc.graph.check(sc.mode.check_as, i + 1, out)
        best = min(best, elapsed)
    return best


def bench_engine(ns: SimpleNamespace, scs: list[Scenario], repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds for each scenario on ``ns``. Graph building is not timed."""
    apps: dict[tuple[str, bool], Any] = {}
    results: dict[str, float] = {}
    for sc in scs:
        app_key = (sc.graph.name, sc.async_nodes)
        if app_key not in apps:
            apps[app_key] = sc.graph.build(ns, sc.async_nodes)
        app = apps[app_key]
        if sc.mode.is_async:
            results[sc.key] = asyncio.run(_time_async(sc, app, repeat))
        else:
            results[sc.key] = _time_sync(sc, app, repeat)
    return results


def run(
    steps: int = 1000,
    repeat: int = 5,
    *,
    wide_nodes: int = 50,
    wide_keys: int = 100,
    fanout: int = 100,
    compare: bool = True,
) -> dict[str, Any]:
    """Run every scenario on langgraph_lite (and on LangGraph when importable and ``compare``).

    ``steps`` is the length of the sequential and pydantic chains. Returns ``{"steps",
    "repeat", "units": {scenario: (unit, count)}, "langgraph_lite": {scenario: seconds},
    "langgraph": {...} or None}``; seconds are the best of ``repeat`` runs.
    """
    if min(steps, repeat, wide_nodes, wide_keys, fanout) < 1:
        raise ValueError("steps, repeat, wide_nodes, wide_keys and fanout must be at least 1")
    scs = scenarios(steps, wide_nodes, wide_keys, fanout)
    lite = bench_engine(LITE, scs, repeat)
    reference = bench_engine(LANGGRAPH, scs, repeat) if compare and LANGGRAPH else None
    return {
        "steps": steps,
        "repeat": repeat,
        "units": {sc.key: (sc.graph.unit, sc.graph.size) for sc in scs},
        "langgraph_lite": lite,
        "langgraph": reference,
    }


def format_table(result: dict[str, Any]) -> str:
    lite, ref, units = result["langgraph_lite"], result["langgraph"], result["units"]
    header = ["scenario", "n", "ours ms", "ours µs/unit"]
    if ref is not None:
        header += ["langgraph ms", "langgraph µs/unit", "ratio (lg/ours)"]
    rows = [header]
    for name, secs in lite.items():
        unit, count = units[name]
        row = [name, f"{count} {unit}s", f"{secs * 1e3:.2f}", f"{secs * 1e6 / count:.2f}"]
        if ref is not None:
            theirs = ref[name]
            row += [f"{theirs * 1e3:.2f}", f"{theirs * 1e6 / count:.2f}", f"{theirs / secs:.2f}x"]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def slowest(result: dict[str, Any]) -> str:
    """The scenario where we compare worst to LangGraph (lowest lg/ours ratio)."""
    lite, ref = result["langgraph_lite"], result["langgraph"]
    return min(lite, key=lambda name: ref[name] / lite[name])


def profile(sc: Scenario, repeat: int, top: int = 25) -> None:
    """Profile ``repeat`` runs of one scenario on langgraph_lite; print the top entries by
    tottime. Work done in worker threads (sync nodes under ainvoke) is not seen."""
    app = sc.graph.build(LITE, sc.async_nodes)
    config = _config(sc)
    prof = cProfile.Profile()
    for i in range(repeat + 1):  # run 0 warms up
        inp = sc.graph.make_input(i + 1)
        if i:
            prof.enable()
        if sc.mode.is_async:
            out = asyncio.run(sc.mode.run(app, inp, config))
        else:
            out = sc.mode.run(app, inp, config)
        prof.disable()
        sc.graph.check(sc.mode.check_as, i + 1, out)
    print(f"cProfile: langgraph_lite {sc.key!r} x{repeat}, top {top} by tottime")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000, help="nodes in the sequential chains")
    parser.add_argument("--wide-nodes", type=int, default=50, help="nodes in the wide chain")
    parser.add_argument("--wide-keys", type=int, default=100, help="keys in the wide state")
    parser.add_argument("--fanout", type=int, default=100, help="Send packets in fanout")
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario; best is kept")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="auto",
        metavar="SCENARIO",
        help="profile --repeat runs of one scenario on langgraph_lite instead of timing; "
        "without a name, the one with the worst ratio to LangGraph (timed first)",
    )
    args = parser.parse_args(argv)
    sizes = dict(wide_nodes=args.wide_nodes, wide_keys=args.wide_keys, fanout=args.fanout)
    scs = {sc.key: sc for sc in scenarios(args.steps, **sizes)}
    if args.profile is not None:
        name = args.profile
        if name == "auto":
            name = "sequential: invoke"
            if LANGGRAPH is not None:
                result = run(args.steps, args.repeat, **sizes)
                print(format_table(result))
                name = slowest(result)
                print(f"\nworst ratio: {name!r}\n")
        if name not in scs:
            parser.error(f"unknown scenario {name!r}; one of: {', '.join(scs)}")
        profile(scs[name], args.repeat)
        return
    if LANGGRAPH is None:
        print("langgraph is not importable here: showing langgraph_lite only.")
    result = run(args.steps, args.repeat, **sizes)
    print(
        f"StateGraph scenarios: sequential/pydantic chains of {args.steps} nodes, wide "
        f"{args.wide_nodes} nodes x {args.wide_keys} keys, fanout {args.fanout} Sends; "
        f"best of {args.repeat}"
    )
    print(format_table(result))


if __name__ == "__main__":
    main()
