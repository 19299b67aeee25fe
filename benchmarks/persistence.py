"""Checkpointing: what a saver adds per superstep, and what a long thread keeps in memory.

Two parts, each on langgraph_lite and, when it is importable in the same interpreter, on
LangGraph:

- ``timing``: the ``sequential`` chain (N no-op nodes over ``MessagesState``) and the ``wide``
  chain (a 100-key state, 50 nodes writing 10 keys each) of ``state_graph.py``, run with no
  checkpointer, with ``InMemorySaver`` and with ``SqliteSaver`` on a temporary file (the async
  runs use ``AsyncSqliteSaver``), by ``invoke`` (sync nodes) and ``ainvoke`` (async nodes).
  Each run is a fresh thread. Every run's result is checked, and so is what was saved (the
  latest checkpoint: its values, its step, a parent). Reported as
  total milliseconds, microseconds per superstep, the microseconds per superstep the saver adds
  to the same run without one, and the ratio LangGraph time / ours (above 1 means we are
  faster). LangGraph's SQLite savers come from ``langgraph-checkpoint-sqlite``; without it,
  those rows show ours only.
- ``long thread``: one thread of 10 000 supersteps on ``InMemorySaver``, a loop node that adds
  1 to a counter until it reaches ``stop``, over a state that also holds a 100 KB string written
  once by the first input. The thread is run to 1 000 steps, then continued to 5 000 and
  10 000 (each call's input only raises ``stop``); after each call the memory the saver holds
  is measured with ``tracemalloc`` (after ``gc.collect()``). A saver storing each checkpoint's
  whole state would hold ~100 KB x steps (1 GB at 10 000); one storing a channel's value once
  per version holds the string once plus a small amount per step.

    python benchmarks/persistence.py [--steps 1000] [--repeat 5] [--long-steps 1000,5000,10000]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import importlib
import importlib.util
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from typing_extensions import TypedDict


def _load_state_graph() -> ModuleType:
    """``benchmarks/state_graph.py``, imported by path (``benchmarks/`` is not a package)."""
    name = "_benchmarks_state_graph"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("state_graph.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sg = _load_state_graph()


# -- savers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saver:
    """How to open one kind of checkpointer on a path, for sync and for async runs."""

    name: str  # "none", "memory" or "sqlite"
    open: Callable[[str], AbstractContextManager[Any]]
    aopen: Callable[[str], AbstractAsyncContextManager[Any]]


def saver_label(saver: str, is_async: bool) -> str:
    """How a saver kind (``"none"``, ``"memory"``, ``"sqlite"``) is named in the table."""
    if saver == "none":
        return "no checkpointer"
    if saver == "memory":
        return "InMemorySaver"
    return "AsyncSqliteSaver" if is_async else "SqliteSaver"


def _import(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def load_savers(package: str) -> dict[str, Saver | None]:
    """The savers of ``package``; ``None`` for one that is not importable."""
    savers: dict[str, Saver | None] = {
        "none": Saver("none", lambda path: nullcontext(None), lambda path: nullcontext(None)),
        "memory": None,
        "sqlite": None,
    }
    memory = _import(f"{package}.checkpoint.memory")
    if memory is not None:
        cls = memory.InMemorySaver
        savers["memory"] = Saver(
            "memory", lambda path: nullcontext(cls()), lambda path: nullcontext(cls())
        )
    sqlite = _import(f"{package}.checkpoint.sqlite")
    if sqlite is not None:
        # langgraph_lite has both in one module; langgraph-checkpoint-sqlite has ``.aio``.
        aio = (
            sqlite
            if hasattr(sqlite, "AsyncSqliteSaver")
            else _import(f"{package}.checkpoint.sqlite.aio")
        )
        if aio is not None:
            sync_cls, async_cls = sqlite.SqliteSaver, aio.AsyncSqliteSaver
            savers["sqlite"] = Saver(
                "sqlite",
                lambda path: sync_cls.from_conn_string(path),
                lambda path: async_cls.from_conn_string(path),
            )
    return savers


@dataclass(frozen=True)
class Engine:
    ns: SimpleNamespace  # state_graph.load_namespace(...)
    savers: dict[str, Saver | None]

    @property
    def name(self) -> str:
        return self.ns.name


LITE = Engine(sg.LITE, load_savers("langgraph_lite"))
LANGGRAPH = Engine(sg.LANGGRAPH, load_savers("langgraph")) if sg.LANGGRAPH else None
assert all(LITE.savers.values()), "a langgraph_lite saver is not importable"

SAVERS = ("none", "memory", "sqlite")


def with_checkpointer(app: Any, checkpointer: Any) -> Any:
    """A shallow copy of the compiled graph ``app`` that saves to ``checkpointer``.

    The checkpointer is an attribute both libraries read at run time; the builders of
    ``state_graph.py`` compile without one.
    """
    new = copy.copy(app)
    new.checkpointer = checkpointer
    return new


# -- part 1: timing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    graph: Any  # state_graph.Graph
    mode: Any  # state_graph.INVOKE or AINVOKE; async runs use async nodes
    saver: str

    @property
    def key(self) -> str:
        label = saver_label(self.saver, self.mode.is_async)
        return f"{self.graph.name}: {self.mode.name}, {label}"

    @property
    def baseline(self) -> str:
        """The same graph and mode with no checkpointer."""
        return Scenario(self.graph, self.mode, "none").key


def scenarios(steps: int = 1000, wide_nodes: int = 50, wide_keys: int = 100) -> list[Scenario]:
    graphs = [sg._sequential_graph(steps), sg._wide_graph(wide_nodes, wide_keys)]
    return [
        Scenario(graph, mode, saver)
        for graph in graphs
        for mode in (sg.INVOKE, sg.AINVOKE)
        for saver in SAVERS
    ]


def _config(sc: Scenario, run: int) -> dict[str, Any]:
    return {
        "configurable": {"thread_id": f"{sc.key} #{run}"},
        "recursion_limit": sc.graph.size + 10,
    }


def _check_saved(sc: Scenario, out: Any, snapshot: Any) -> None:
    """The thread's latest checkpoint holds the final state and is the last of a fresh thread:
    step -1 is the input, 0 ``__start__``, 1..N the nodes. (Counting the whole history would
    cost more than the run: each checkpoint is decoded into a snapshot.)"""
    assert snapshot.next == (), f"{sc.key}: run did not finish: next={snapshot.next!r}"
    assert snapshot.values == out, f"{sc.key}: saved state differs from the result"
    assert snapshot.metadata["step"] == sc.graph.size, f"{sc.key}: {snapshot.metadata!r}"
    assert snapshot.parent_config is not None, f"{sc.key}: no parent checkpoint"


def _time_sync(sc: Scenario, app: Any, saver: Saver, repeat: int, path: str) -> float:
    best = float("inf")
    with saver.open(path) as checkpointer:
        app = with_checkpointer(app, checkpointer)
        for i in range(repeat):
            config, inp = _config(sc, i), sc.graph.make_input(i + 1)
            gc.collect()
            t0 = time.perf_counter()
            out = app.invoke(inp, config)
            elapsed = time.perf_counter() - t0
            sc.graph.check("value", i + 1, out)
            if checkpointer is not None:
                _check_saved(sc, out, app.get_state(config))
            best = min(best, elapsed)
    return best


async def _time_async(sc: Scenario, app: Any, saver: Saver, repeat: int, path: str) -> float:
    best = float("inf")
    async with saver.aopen(path) as checkpointer:
        app = with_checkpointer(app, checkpointer)
        for i in range(repeat):
            config, inp = _config(sc, i), sc.graph.make_input(i + 1)
            gc.collect()
            t0 = time.perf_counter()
            out = await app.ainvoke(inp, config)
            elapsed = time.perf_counter() - t0
            sc.graph.check("value", i + 1, out)
            if checkpointer is not None:
                _check_saved(sc, out, await app.aget_state(config))
            best = min(best, elapsed)
    return best


def bench_engine(engine: Engine, scs: list[Scenario], repeat: int) -> dict[str, float | None]:
    """Best-of-``repeat`` seconds per scenario on ``engine`` (None where its saver is not
    importable). SQLite files live in a temporary directory removed afterwards."""
    apps: dict[tuple[str, bool], Any] = {}
    results: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory(prefix="lg-persistence-") as tmp:
        for n, sc in enumerate(scs):
            saver = engine.savers[sc.saver]
            if saver is None:
                results[sc.key] = None
                continue
            app_key = (sc.graph.name, sc.mode.is_async)
            if app_key not in apps:
                apps[app_key] = sc.graph.build(engine.ns, sc.mode.is_async)
            path = str(Path(tmp) / f"{engine.name}-{n}.sqlite")
            if sc.mode.is_async:
                results[sc.key] = asyncio.run(_time_async(sc, apps[app_key], saver, repeat, path))
            else:
                results[sc.key] = _time_sync(sc, apps[app_key], saver, repeat, path)
    return results


# -- part 2: memory held on a long thread ----------------------------------------------------


class LoopState(TypedDict):
    count: int
    stop: int
    big: str


def build_loop(ns: SimpleNamespace, checkpointer: Any) -> Any:
    """``step`` adds 1 to ``count`` and runs again until ``count`` reaches ``stop``."""

    def step(state: LoopState) -> dict[str, int]:
        return {"count": state["count"] + 1}

    def again(state: LoopState) -> str:
        return "step" if state["count"] < state["stop"] else ns.END

    builder = ns.StateGraph(LoopState)
    builder.add_node("step", step)
    builder.add_edge(ns.START, "step")
    builder.add_conditional_edges("step", again, ["step", ns.END])
    return builder.compile(checkpointer=checkpointer)


def _held(baseline: int) -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0] - baseline


def long_thread(engine: Engine, points: list[int], big_bytes: int) -> dict[int, int]:
    """Bytes held (traced by ``tracemalloc``, after ``gc.collect()``) by the process after one
    thread on a fresh ``InMemorySaver`` has run to each of ``points`` steps.

    The first call writes ``big`` (``big_bytes`` characters) and runs to ``points[0]``; each
    later call's input only raises ``stop``, so the thread continues from its checkpoint and
    ``big`` never changes. The string itself is allocated before tracing starts: what is
    counted is the saver's copy of it, its per-step records and anything else still alive.
    """
    saver = engine.savers["memory"]
    assert saver is not None
    big = "x" * big_bytes
    held: dict[int, int] = {}
    gc.collect()
    tracemalloc.start()
    try:
        with saver.open("") as checkpointer:
            app = build_loop(engine.ns, checkpointer)
            baseline = _held(0)
            done = 0
            for n, target in enumerate(points):
                inp: dict[str, Any] = {"stop": target}
                if n == 0:
                    inp.update(count=0, big=big)
                config = {
                    "configurable": {"thread_id": "long"},
                    "recursion_limit": target - done + 10,
                }
                out = app.invoke(inp, config)
                assert out["count"] == target and out["big"] == big, out["count"]
                done = target
                del out
                held[target] = _held(baseline)
            snapshot = app.get_state({"configurable": {"thread_id": "long"}})
            assert snapshot.values["count"] == points[-1] and snapshot.values["big"] == big
    finally:
        tracemalloc.stop()
    return held


# -- driver ----------------------------------------------------------------------------------


def run(
    steps: int = 1000,
    repeat: int = 5,
    *,
    wide_nodes: int = 50,
    wide_keys: int = 100,
    long_steps: tuple[int, ...] = (1000, 5000, 10000),
    big_bytes: int = 100_000,
    compare: bool = True,
) -> dict[str, Any]:
    """Both parts on langgraph_lite (and on LangGraph when importable and ``compare``).

    Returns ``{"steps", "repeat", "units": {scenario: (unit, count)}, "baseline": {scenario:
    scenario without a checkpointer}, "langgraph_lite": {scenario: seconds}, "langgraph":
    {scenario: seconds or None} or None, "long_thread": {"points", "big_bytes",
    "langgraph_lite": {steps: bytes}, "langgraph": {steps: bytes} or None}}``.
    """
    points = sorted(set(long_steps))
    if min(steps, repeat, wide_nodes, wide_keys, big_bytes, *points) < 1:
        raise ValueError("steps, repeat, sizes and long-thread points must be at least 1")
    scs = scenarios(steps, wide_nodes, wide_keys)
    reference = LANGGRAPH if compare else None
    lite = bench_engine(LITE, scs, repeat)
    theirs = bench_engine(reference, scs, repeat) if reference else None
    return {
        "steps": steps,
        "repeat": repeat,
        "units": {sc.key: ("step", sc.graph.size) for sc in scs},
        "baseline": {sc.key: sc.baseline for sc in scs},
        "langgraph_lite": lite,
        "langgraph": theirs,
        "long_thread": {
            "points": points,
            "big_bytes": big_bytes,
            "langgraph_lite": long_thread(LITE, points, big_bytes),
            "langgraph": long_thread(reference, points, big_bytes) if reference else None,
        },
    }


def _render(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_table(result: dict[str, Any]) -> str:
    """Part 1: times per scenario; ``+µs/step`` is what the saver adds to the same run without
    one."""
    lite, ref, units = result["langgraph_lite"], result["langgraph"], result["units"]
    base = result["baseline"]
    header = ["scenario", "n", "ours ms", "ours µs/step", "ours +µs/step"]
    if ref is not None:
        header += ["lg ms", "lg µs/step", "lg +µs/step", "ratio (lg/ours)"]
    rows = [header]
    for name, secs in lite.items():
        _, count = units[name]
        extra = (secs - lite[base[name]]) * 1e6 / count
        row = [
            name,
            f"{count} steps",
            f"{secs * 1e3:.2f}",
            f"{secs * 1e6 / count:.2f}",
            "" if base[name] == name else f"{extra:+.2f}",
        ]
        if ref is not None:
            theirs = ref[name]
            if theirs is None:
                row += ["-", "-", "-", "-"]
            else:
                lg_extra = (theirs - ref[base[name]]) * 1e6 / count
                row += [
                    f"{theirs * 1e3:.2f}",
                    f"{theirs * 1e6 / count:.2f}",
                    "" if base[name] == name else f"{lg_extra:+.2f}",
                    f"{theirs / secs:.2f}x",
                ]
        rows.append(row)
    return _render(rows)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError


def format_memory(result: dict[str, Any]) -> str:
    """Part 2: bytes held after each point of the long thread, per step overall and per step
    since the previous point (which leaves out the big value, saved once)."""
    lt = result["long_thread"]
    lite, ref, points = lt["langgraph_lite"], lt["langgraph"], lt["points"]
    header = ["steps on thread", "ours held", "ours B/step", "ours B/step since prev"]
    if ref is not None:
        header += ["lg held", "lg B/step", "lg B/step since prev"]
    rows = [header]
    prev = None
    for point in points:
        row = [str(point)]
        for held in (lite, ref) if ref is not None else (lite,):
            since = "" if prev is None else f"{(held[point] - held[prev]) / (point - prev):.0f}"
            row += [_size(held[point]), f"{held[point] / point:.0f}", since]
        rows.append(row)
        prev = point
    return _render(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000, help="nodes in the sequential chain")
    parser.add_argument("--wide-nodes", type=int, default=50, help="nodes in the wide chain")
    parser.add_argument("--wide-keys", type=int, default=100, help="keys in the wide state")
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario; best is kept")
    parser.add_argument(
        "--long-steps",
        default="1000,5000,10000",
        help="comma-separated step counts at which the long thread's memory is measured",
    )
    parser.add_argument(
        "--big-bytes", type=int, default=100_000, help="size of the never-changing value"
    )
    args = parser.parse_args(argv)
    try:
        long_steps = tuple(int(s) for s in args.long_steps.split(","))
    except ValueError:
        parser.error(f"--long-steps must be comma-separated integers, got {args.long_steps!r}")
    if LANGGRAPH is None:
        print("langgraph is not importable here: showing langgraph_lite only.")
    elif LANGGRAPH.savers["sqlite"] is None:
        print(
            "langgraph.checkpoint.sqlite (langgraph-checkpoint-sqlite, aiosqlite) is not "
            "importable here: the SQLite rows show langgraph_lite only."
        )
    result = run(
        args.steps,
        args.repeat,
        wide_nodes=args.wide_nodes,
        wide_keys=args.wide_keys,
        long_steps=long_steps,
        big_bytes=args.big_bytes,
    )
    print(
        f"Checkpointers: sequential chain of {args.steps} nodes, wide {args.wide_nodes} nodes x "
        f"{args.wide_keys} keys; invoke with sync nodes, ainvoke with async nodes; a fresh "
        f"thread per run; best of {args.repeat}"
    )
    print(format_table(result))
    lt = result["long_thread"]
    last = lt["points"][-1]
    print(
        f"\nLong thread on InMemorySaver: a loop node adding 1 to a counter, state also holding "
        f"a {_size(lt['big_bytes'])} string written once; memory held after gc (tracemalloc). "
        f"Saving the whole state per step would hold ~{_size(lt['big_bytes'] * last)} "
        f"at {last} steps."
    )
    print(format_memory(result))


if __name__ == "__main__":
    main()
