"""The command line of ``python -m benchmarks``: plan the cells, run them, report.

python -m benchmarks                      # everything, both engines when LangGraph is here
python -m benchmarks --quick              # tiny sizes, one round (what CI runs)
python -m benchmarks --only 'sequential_1000/.*/memory' --rounds 9
python -m benchmarks --json benchmarks/results/latest.json --chart benchmarks/results/x.svg
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from benchmarks import engines as engines_mod
from benchmarks import harness, postgres, report, scenarios
from benchmarks.growth import LENGTHS, run_growth

GROUPS = ("graph", "first_event", "compile", "concurrent", "growth", "chain", "messages")


def plan(
    quick: bool, groups: set[str], engines: list[Any], rounds: int
) -> list[tuple[str, str, Callable[[], Any]]]:
    """Every cell as (group, name, run): nothing runs until ``run()`` is called."""
    out: list[tuple[str, str, Callable[[], Any]]] = []
    if "graph" in groups:
        for sc in scenarios.all_scenarios(quick):
            for mode in sc.modes:
                for saver in harness.savers_for(sc.family):
                    out.append(
                        (
                            "graph",
                            f"{sc.name}/{mode}/{saver}",
                            lambda sc=sc, m=mode, s=saver: harness.run_cell(
                                sc, m, s, engines, rounds
                            ),
                        )
                    )
    first = [
        scenarios.sequential(3 if quick else 1000),
        scenarios.wide("pydantic_state", "4x20" if quick else "25x300"),
    ]
    if "first_event" in groups:
        for sc in first:
            for mode in harness.MODES:
                out.append(
                    (
                        "first_event",
                        f"first_event/{sc.name}/{mode}",
                        lambda sc=sc, m=mode: harness.run_first_event(sc, m, engines, rounds),
                    )
                )
    if "compile" in groups:
        for sc in [*first, scenarios.wide("wide_state", "4x20" if quick else "15x600")]:
            out.append(
                (
                    "compile",
                    f"compile/{sc.name}",
                    lambda sc=sc: harness.run_compile(sc, engines, rounds),
                )
            )
    threads, steps = (5, 3) if quick else (100, 20)
    if "concurrent" in groups:
        for saver in harness.savers_for("concurrent"):
            out.append(
                (
                    "concurrent",
                    f"concurrent_{threads}x{steps}/async/{saver}",
                    lambda s=saver: harness.run_concurrent(threads, steps, s, engines, rounds),
                )
            )
    if "growth" in groups:
        lengths = (4, 20) if quick else LENGTHS
        for saver in ("memory", "sqlite", *(("postgres",) if postgres.DSN else ())):
            out.append(
                (
                    "growth",
                    f"growth/{saver}/sync",
                    lambda s=saver: run_growth(s, engines, rounds, lengths),
                )
            )
    if "chain" in groups:
        out.append(("chain", "chain", lambda: _chain(quick, engines)))
    if "messages" in groups:
        out.append(("messages", "messages", lambda: _messages(quick, engines)))
    return out


def _chain(quick: bool, engines: list[Any]) -> dict[str, Any]:
    from benchmarks import chain

    steps, repeat = (50, 1) if quick else (1000, 5)
    result = chain.run(steps, repeat, compare=len(engines) > 1)
    return {
        "name": "chain",
        "group": "chain",
        "result": result,
        "table": chain.format_table(result),
    }


def _messages(quick: bool, engines: list[Any]) -> dict[str, Any]:
    from benchmarks import messages

    if len(engines) == 1:
        messages.LANGGRAPH = None  # ours only, as asked
    sizes = (500, 1, 3) if quick else (100_000, 3, 200)
    result = messages.run(*sizes)
    return {
        "name": "messages",
        "group": "messages",
        "result": result,
        "table": messages.format_table(result),
    }


def _profile(quick: bool, names: set[str], engine: Any, top: int) -> None:
    from benchmarks.profiling import profile_cell

    picked = [
        (sc, mode, saver)
        for sc in scenarios.all_scenarios(quick)
        for mode in sc.modes
        for saver in harness.savers_for(sc.family)
        if f"{sc.name}/{mode}/{saver}" in names
    ]
    if not picked:
        raise SystemExit("--profile profiles graph cells; pick some with --only.")
    for sc, mode, saver in picked:
        print(profile_cell(sc, mode, saver, engine, top))


def _versions(engines: list[Any]) -> dict[str, str]:
    names = {"langgraph_lite": "langgraph-lite", "langgraph": "langgraph"}
    out = {}
    for e in engines:
        try:
            out[e.name] = importlib.metadata.version(names[e.name])
        except importlib.metadata.PackageNotFoundError:
            out[e.name] = "unknown"
    return out


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Parse ``argv``, run the selected cells, print the tables; return the results."""
    args = _parser().parse_args(argv)
    wanted = set(args.groups.split(",")) if args.groups else set(GROUPS)
    unknown = wanted - set(GROUPS)
    if unknown:
        raise SystemExit(f"--groups: unknown {sorted(unknown)}; pick from {', '.join(GROUPS)}.")
    engines = [engines_mod.load("langgraph_lite")]
    if args.engines == "both":
        theirs = engines_mod.load("langgraph")
        if theirs is None:
            print("langgraph is not importable here (pip install -e '.[bench]'): ours only.")
        else:
            engines.append(theirs)
    postgres.DSN = None if args.postgres is None else postgres.resolve(args.postgres)
    rounds = args.rounds or (1 if args.quick else 5)
    harness.COLLECT = not args.quick
    harness.BUDGET_S = args.cell_budget
    try:
        only = re.compile(args.only) if args.only else None
    except re.error as exc:
        raise SystemExit(f"--only {args.only!r} is not a regular expression: {exc}") from None
    cells = [
        c for c in plan(args.quick, wanted, engines, rounds) if only is None or only.search(c[1])
    ]
    if not cells:
        raise SystemExit(f"--only {args.only!r} selects no cell; see --list for their names.")
    if args.list:
        print("\n".join(name for _, name, _ in cells))
        return {}
    if args.profile:
        _profile(args.quick, {name for _, name, _ in cells}, engines[0], args.top)
        return {}
    results: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(
            ["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]
        ),
        "quick": args.quick,
        "rounds": rounds,
        "engines": _versions(engines),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_before": os.getloadavg(),
        },
        "cells": [],
        "growth": [],
        "extras": [],
    }
    started = time.perf_counter()
    for group, name, go in cells:
        t0 = time.perf_counter()
        try:
            cell = go()
        except Exception as exc:  # one broken cell must not hide the others' numbers
            print(f"  {name}: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            results.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"
            continue
        key = {"growth": "growth", "chain": "extras", "messages": "extras"}.get(group, "cells")
        results[key].append(cell)
        if not args.quiet:
            print(f"  {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    results["machine"]["load_after"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    report.add_verdicts(results)
    _print(results)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    if args.chart:
        report.write_chart(results, args.chart)
    return results


def _print(results: dict[str, Any]) -> None:
    m = results["machine"]
    print(
        f"{results['command']}  ({results['date']}, {results['rounds']} rounds, medians; "
        f"load {m['load_before'][0]:.2f} -> {m['load_after'][0]:.2f} on {m['cpus']} CPUs)"
    )
    print("engines: " + ", ".join(f"{k} {v}" for k, v in results["engines"].items()))
    if results["cells"]:
        print()
        print(report.format_cells(results))
    rates = postgres.format_rates(results)
    if rates:
        print()
        print(rates)
    if results["growth"]:
        print()
        print(report.format_growth(results))
    for extra in results["extras"]:
        print(f"\n{extra['name']}:\n{extra['table']}")
    missed = report.misses(results)
    if missed:
        print(f"\ncells missing their target: {', '.join(missed)}")
    for name, error in results.get("errors", {}).items():
        print(f"\nFAILED {name}: {error}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes, 1 round: checks, no numbers")
    p.add_argument("--only", metavar="REGEX", help="run only the cells whose name matches")
    p.add_argument("--groups", metavar="G,G", help=f"comma-separated, from: {', '.join(GROUPS)}")
    p.add_argument("--engines", choices=("ours", "both"), default="both")
    p.add_argument(
        "--postgres",
        nargs="?",
        const="",
        metavar="DSN",
        help="also run the PostgreSQL cells on this server (default: $LANGGRAPH_LITE_POSTGRES_DSN)",
    )
    p.add_argument("--rounds", type=int, help="alternating rounds per cell (default 5)")
    p.add_argument(
        "--cell-budget",
        type=float,
        default=harness.BUDGET_S,
        metavar="S",
        help="a graph cell stops after 3 rounds once past S seconds (default %(default)s)",
    )
    p.add_argument("--json", metavar="PATH", help="write every sample and summary as JSON")
    p.add_argument("--chart", metavar="PATH", help="bar chart of overhead ratios (.png/.svg)")
    p.add_argument("--list", action="store_true", help="list the selected cells' names and stop")
    p.add_argument(
        "--profile", action="store_true", help="cProfile our engine on the selected graph cells"
    )
    p.add_argument("--top", type=int, default=20, help="entries shown by --profile")
    p.add_argument("--quiet", action="store_true", help="no per-cell progress on stderr")
    return p


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m benchmarks``; exits 1 if a cell failed."""
    results = run(argv)
    if results.get("errors"):
        raise SystemExit(1)
