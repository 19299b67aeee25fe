"""Per-superstep cost as counts that do not depend on how loaded the machine is.

Wall-clock time on a shared machine swings by 2x between runs; the number of Python function
calls and bytecodes a superstep executes does not. For each of ``chain.py``'s scenarios this
runs the chain at ``2N`` and at ``N`` steps and reports the difference divided by ``N``: the
cost of one more superstep, with the run's fixed cost (building the loop, the first
checkpoint) cancelled out.

- ``calls/step``: function calls ``cProfile`` sees (Python and C).
- ``opcodes/step``: bytecodes executed, counted by a ``sys.settrace`` opcode tracer (slow:
  use small ``--steps``).

Both count every thread the run uses: a profiler or tracer can only be given to threads as
they start, so each counted run starts without the worker threads sync nodes run in under
``ainvoke`` (``langgraph_lite/pregel/worker_threads.py``: the shared pool and the idle run
threads), and makes its own.

    python benchmarks/counters.py [--steps 200] [--no-opcodes] [--only invoke]

A change to the hot path should not raise these; put before/after figures in its notes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import threading
from collections.abc import Callable
from typing import Any

try:  # run as a script (python benchmarks/counters.py) or as benchmarks.counters
    from chain import LITE, SCENARIOS, Scenario, build_chain  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    from benchmarks.chain import LITE, SCENARIOS, Scenario, build_chain


def _run(sc: Scenario, app: Any, steps: int) -> Callable[[], Any]:
    config = {"recursion_limit": steps + 10}
    if sc.is_async:
        return lambda: asyncio.run(sc.run(app, 1, config))
    return lambda: sc.run(app, 1, config)


def _without_idle_worker_threads() -> None:
    """Let the next run start the worker threads it uses, so they are counted: the shared pool
    is replaced (its threads end), idle run threads are forgotten (they end when idle)."""
    from langgraph_lite.pregel import worker_threads as wt

    wt._pool.reset()
    free = getattr(wt, "_free", None)
    if free is not None:
        with wt._free_lock:
            free.clear()


def count_calls(sc: Scenario, steps: int) -> int:
    """Function calls of one run of a ``steps``-long chain, every thread included."""
    app = build_chain(LITE, steps, sc.fn)
    run = _run(sc, app, steps)
    run()  # warm: imports, caches
    profilers: list[cProfile.Profile] = []

    def per_thread(*_: Any) -> None:  # threads the run starts get their own profiler
        prof = cProfile.Profile()
        profilers.append(prof)
        prof.enable()

    main = cProfile.Profile()
    _without_idle_worker_threads()
    threading.setprofile(per_thread)
    main.enable()
    try:
        run()
    finally:
        main.disable()
        threading.setprofile(None)  # type: ignore[arg-type]
    for prof in profilers:
        prof.disable()
    total = 0
    for prof in [main, *profilers]:
        total += pstats.Stats(prof).total_calls  # type: ignore[attr-defined]
    return total


def count_opcodes(sc: Scenario, steps: int) -> int:
    """Bytecodes executed by one run of a ``steps``-long chain (every thread included)."""
    app = build_chain(LITE, steps, sc.fn)
    run = _run(sc, app, steps)
    run()
    count = 0

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return tracer

    _without_idle_worker_threads()
    threading.settrace(tracer)
    sys.settrace(tracer)
    try:
        run()
    finally:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]
    return count


def per_step(counter: Callable[[Scenario, int], int], sc: Scenario, steps: int) -> float:
    """What one more superstep adds: (count at 2N - count at N) / N."""
    return (counter(sc, 2 * steps) - counter(sc, steps)) / steps


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--no-opcodes", action="store_true", help="skip the (slow) opcode count")
    parser.add_argument("--only", help="run only the scenarios whose name contains this")
    args = parser.parse_args(argv)
    rows: dict[str, dict[str, float]] = {}
    print(f"{'scenario':32} {'calls/step':>11} {'opcodes/step':>13}")
    for sc in SCENARIOS:
        if args.only and args.only not in sc.name:
            continue
        row = {"calls": per_step(count_calls, sc, args.steps)}
        if not args.no_opcodes:
            row["opcodes"] = per_step(count_opcodes, sc, args.steps)
        rows[sc.name] = row
        opcodes = f"{row['opcodes']:13.0f}" if "opcodes" in row else f"{'-':>13}"
        print(f"{sc.name:32} {row['calls']:11.1f} {opcodes}", flush=True)
    return rows


if __name__ == "__main__":
    main()
