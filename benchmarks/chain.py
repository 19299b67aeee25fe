"""A long sequential chain: per-superstep overhead with nothing else to hide it.

N no-op nodes, node i reading ``c{i}`` and writing ``c{i+1}``, so a run is N supersteps with one
task each. Every scenario is timed best-of-``--repeat`` and reported as total milliseconds and
microseconds per superstep. When LangGraph is importable in the same interpreter, the same chain
is built with its ``Pregel``/``NodeBuilder``/``LastValue`` and run on the same workloads, and the
ratio (LangGraph time / ours; above 1 means we are faster) is printed alongside.

    python benchmarks/chain.py [--steps 1000] [--repeat 5] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langgraph_lite.channels import LastValue
from langgraph_lite.pregel import NodeBuilder, Pregel

try:
    from langgraph.channels import LastValue as LGLastValue
    from langgraph.pregel import NodeBuilder as LGNodeBuilder
    from langgraph.pregel import Pregel as LGPregel
except ImportError:
    LGPregel = LGNodeBuilder = LGLastValue = None


def sync_noop(x: int) -> int:
    return x


async def async_noop(x: int) -> int:
    return x


@dataclass(frozen=True)
class Engine:
    name: str
    pregel: Any
    node_builder: Any
    last_value: Any


LITE = Engine("langgraph_lite", Pregel, NodeBuilder, LastValue)
LANGGRAPH = (
    Engine("langgraph", LGPregel, LGNodeBuilder, LGLastValue) if LGPregel is not None else None
)


def build_chain(engine: Engine, steps: int, fn: Callable[[int], Any]) -> Any:
    """N nodes over N+1 ``LastValue(int)`` channels, built with ``engine``'s low-level API."""
    nb = engine.node_builder
    return engine.pregel(
        nodes={
            f"n{i}": nb().subscribe_only(f"c{i}").do(fn).write_to(f"c{i + 1}") for i in range(steps)
        },
        channels={f"c{i}": engine.last_value(int) for i in range(steps + 1)},
        input_channels="c0",
        output_channels=f"c{steps}",
        stream_channels=f"c{steps}",
    )


# -- scenarios -------------------------------------------------------------------------------
# Each takes (app, input, config), runs the graph once, and returns something to check.


def _invoke(app: Any, inp: int, config: dict[str, Any]) -> Any:
    return app.invoke(inp, config)


def _stream_updates(app: Any, inp: int, config: dict[str, Any]) -> Any:
    return list(app.stream(inp, config, stream_mode="updates"))


def _stream_values(app: Any, inp: int, config: dict[str, Any]) -> Any:
    return list(app.stream(inp, config, stream_mode="values"))


async def _ainvoke(app: Any, inp: int, config: dict[str, Any]) -> Any:
    return await app.ainvoke(inp, config)


async def _astream_updates(app: Any, inp: int, config: dict[str, Any]) -> Any:
    return [chunk async for chunk in app.astream(inp, config, stream_mode="updates")]


def _check_value(steps: int, inp: int, out: Any) -> None:
    assert out == inp, f"expected {inp!r}, got {out!r}"


def _check_updates(steps: int, inp: int, out: Any) -> None:
    assert len(out) == steps, f"expected {steps} update chunks, got {len(out)}"
    assert out[-1] == {f"n{steps - 1}": inp}, out[-1]


def _check_values(steps: int, inp: int, out: Any) -> None:
    # stream_channels is only the last channel, so one chunk, when it is finally written.
    assert out == [inp], f"expected [{inp!r}], got {out[:3]!r}..."


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[..., Any]
    fn: Callable[[int], Any]
    check: Callable[[int, int, Any], None]
    is_async: bool


SCENARIOS = [
    Scenario("invoke", _invoke, sync_noop, _check_value, False),
    Scenario("stream(updates)", _stream_updates, sync_noop, _check_updates, False),
    Scenario("stream(values)", _stream_values, sync_noop, _check_values, False),
    Scenario("ainvoke, sync node", _ainvoke, sync_noop, _check_value, True),
    Scenario("ainvoke, async node", _ainvoke, async_noop, _check_value, True),
    Scenario("astream(updates), sync node", _astream_updates, sync_noop, _check_updates, True),
    Scenario("astream(updates), async node", _astream_updates, async_noop, _check_updates, True),
]


def _time_sync(sc: Scenario, app: Any, steps: int, repeat: int) -> float:
    config = {"recursion_limit": steps + 10}
    best = float("inf")
    for i in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = sc.run(app, i + 1, config)
        elapsed = time.perf_counter() - t0
        sc.check(steps, i + 1, out)
        best = min(best, elapsed)
    return best


async def _time_async(sc: Scenario, app: Any, steps: int, repeat: int) -> float:
    config = {"recursion_limit": steps + 10}
    best = float("inf")
    for i in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = await sc.run(app, i + 1, config)
        elapsed = time.perf_counter() - t0
        sc.check(steps, i + 1, out)
        best = min(best, elapsed)
    return best


def bench_engine(engine: Engine, steps: int, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds for each scenario on ``engine``. Graph building is not timed."""
    apps = {fn: build_chain(engine, steps, fn) for fn in {sc.fn for sc in SCENARIOS}}
    results: dict[str, float] = {}
    for sc in SCENARIOS:
        app = apps[sc.fn]
        if sc.is_async:
            results[sc.name] = asyncio.run(_time_async(sc, app, steps, repeat))
        else:
            results[sc.name] = _time_sync(sc, app, steps, repeat)
    return results


def run(steps: int = 1000, repeat: int = 5, *, compare: bool = True) -> dict[str, Any]:
    """Run every scenario on langgraph_lite (and on LangGraph when importable and ``compare``).

    Returns ``{"steps", "repeat", "langgraph_lite": {scenario: seconds}, "langgraph": {...} or
    None}``; seconds are the best of ``repeat`` runs.
    """
    if steps < 1 or repeat < 1:
        raise ValueError(f"steps and repeat must be at least 1, got {steps} and {repeat}")
    lite = bench_engine(LITE, steps, repeat)
    reference = bench_engine(LANGGRAPH, steps, repeat) if compare and LANGGRAPH else None
    return {"steps": steps, "repeat": repeat, "langgraph_lite": lite, "langgraph": reference}


def format_table(result: dict[str, Any]) -> str:
    steps = result["steps"]
    lite, ref = result["langgraph_lite"], result["langgraph"]
    header = ["scenario", "ours ms", "ours µs/step"]
    if ref is not None:
        header += ["langgraph ms", "langgraph µs/step", "ratio (lg/ours)"]
    rows = [header]
    for name, secs in lite.items():
        row = [name, f"{secs * 1e3:.2f}", f"{secs * 1e6 / steps:.2f}"]
        if ref is not None:
            theirs = ref[name]
            row += [f"{theirs * 1e3:.2f}", f"{theirs * 1e6 / steps:.2f}", f"{theirs / secs:.2f}x"]
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


def profile(steps: int, repeat: int, top: int = 25) -> None:
    """Profile ``repeat`` runs of langgraph_lite's sync ``invoke`` on the chain; print the top
    entries by tottime."""
    app = build_chain(LITE, steps, sync_noop)
    config = {"recursion_limit": steps + 10}
    app.invoke(1, config)  # warm up
    prof = cProfile.Profile()
    for i in range(repeat):
        prof.enable()
        out = app.invoke(i + 2, config)
        prof.disable()
        _check_value(steps, i + 2, out)
    print(
        f"cProfile: langgraph_lite invoke x{repeat}, chain of {steps} nodes, top {top} by tottime"
    )
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000, help="nodes (supersteps) in the chain")
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario; best is kept")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile --repeat runs of our sync invoke instead of timing",
    )
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.steps, args.repeat)
        return
    if LANGGRAPH is None:
        print("langgraph is not importable here: showing langgraph_lite only.")
    result = run(args.steps, args.repeat)
    print(f"chain of {args.steps} no-op nodes, best of {args.repeat}")
    print(format_table(result))


if __name__ == "__main__":
    main()
