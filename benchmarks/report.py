"""The results as a table, against the targets, and as a chart.

Targets (issue 15): engine overhead (time above the bare-Python floor) at least 20x lower than
LangGraph's on every sequential, fan-out and wide-state cell, sync and async, with no saver and
with ``InMemorySaver``; at least 10x with ``SqliteSaver``. A turn on a 1,000-message thread
costs at most 2x the bytes and the time of a turn on a 40-message thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

TARGET_FAMILIES = {"sequential", "fanout", "wide_state"}
GROWTH_LIMIT = 2.0


def target(cell: dict[str, Any]) -> float | None:
    """The overhead ratio (LangGraph's / ours) a cell must reach, or None if it has none."""
    if cell["group"] != "graph" or cell["family"] not in TARGET_FAMILIES:
        return None
    if cell["saver"].startswith("postgres"):
        return None  # issue 16 asks for them side by side, with no target
    return 10.0 if cell["saver"] == "sqlite" else 20.0


def add_verdicts(results: dict[str, Any]) -> None:
    """Mark each cell with its target and whether it meets it (None: no target or no
    LangGraph to compare with)."""
    for cell in results["cells"]:
        goal = target(cell)
        cell["target"] = goal
        ratio = cell.get("ratio_overhead")
        cell["meets_target"] = None if goal is None or ratio is None else ratio >= goal
    for cell in results["growth"]:
        ours = cell["engines"].get("langgraph_lite")
        if ours is not None:
            cell["meets_target"] = (
                ours["bytes_ratio"] <= GROWTH_LIMIT and ours["time_ratio"] <= GROWTH_LIMIT
            )


def _ms(secs: float | None) -> str:
    return "—" if secs is None else f"{secs * 1e3:.3f}" if secs < 0.01 else f"{secs * 1e3:.1f}"


def _x(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    return ">999x" if ratio > 999 else f"{ratio:.1f}x"


def _grid(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def format_cells(results: dict[str, Any]) -> str:
    """One row per timed cell: floor, each engine's median, overheads and ratios."""
    lg = any("langgraph" in c["median_s"] for c in results["cells"])
    header = ["cell", "floor ms", "ours ms", "ours over ms"]
    if lg:
        header += ["LG ms", "LG over ms", "total x", "overhead x", "target"]
    rows = [header]
    for c in results["cells"]:
        ours = "langgraph_lite"
        row = [
            c["name"],
            _ms(c.get("floor_s", {}).get(ours)),
            _ms(c["median_s"].get(ours)),
            _ms(c["overhead_s"].get(ours)),
        ]
        if lg:
            mark = {True: "ok", False: "MISS", None: ""}[c.get("meets_target")]
            goal = c.get("target")
            row += [
                _ms(c["median_s"].get("langgraph")),
                _ms(c["overhead_s"].get("langgraph")),
                _x(c.get("ratio_total")),
                _x(c.get("ratio_overhead")),
                f"≥{goal:.0f}x {mark}" if goal else "",
            ]
        rows.append(row)
    return _grid(rows)


def format_growth(results: dict[str, Any]) -> str:
    """One row per saver and engine: bytes and time of a turn at both lengths, and ratios."""
    if not results["growth"]:
        return ""
    short, long = results["growth"][0]["lengths"]
    rows = [
        [
            "turn (growth)",
            "engine",
            f"bytes @{short}",
            f"bytes @{long}",
            "bytes x",
            f"ms @{short}",
            f"ms @{long}",
            "time x",
            "target ≤2x",
        ]
    ]
    for c in results["growth"]:
        for engine, p in c["engines"].items():
            a, b = p[str(short)], p[str(long)]
            mark = {True: "ok", False: "MISS", None: ""}[c.get("meets_target")]
            rows.append(
                [
                    c["name"],
                    engine,
                    f"{a['median_bytes']:.0f}",
                    f"{b['median_bytes']:.0f}",
                    f"{p['bytes_ratio']:.1f}x",
                    _ms(a["median_time_s"]),
                    _ms(b["median_time_s"]),
                    f"{p['time_ratio']:.1f}x",
                    mark if engine == "langgraph_lite" else "",
                ]
            )
    return _grid(rows)


def misses(results: dict[str, Any]) -> list[str]:
    """The names of the cells that miss their target."""
    return [
        c["name"] for c in [*results["cells"], *results["growth"]] if c.get("meets_target") is False
    ]


def write_chart(results: dict[str, Any], path: str) -> None:
    """A horizontal bar chart of the overhead ratios (log scale) with the targets marked;
    PNG or SVG by the file's suffix. Needs matplotlib (the ``bench`` extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams["svg.fonttype"] = "none"  # text as text: a small, diffable SVG
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise SystemExit(
            f"--chart needs matplotlib ({exc}); install it with pip install -e '.[bench]'."
        ) from None
    cells = [c for c in results["cells"] if c.get("ratio_overhead") is not None]
    if not cells:
        raise SystemExit("--chart needs LangGraph's timings: run with --engines both.")
    names = [c["name"] for c in cells]
    ratios = [max(c["ratio_overhead"], 0.01) for c in cells]
    colors = [
        {True: "tab:green", False: "tab:red", None: "tab:gray"}[c.get("meets_target")]
        for c in cells
    ]
    fig, ax = plt.subplots(figsize=(9, 0.22 * len(cells) + 1.5))
    ax.barh(range(len(cells)), ratios, color=colors)
    ax.set_yticks(range(len(cells)), names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    for goal, style in ((20, "--"), (10, ":")):
        ax.axvline(goal, color="black", linestyle=style, linewidth=0.8, label=f"{goal}x target")
    ax.axvline(1, color="gray", linewidth=0.8)
    ax.set_xlabel("LangGraph overhead / langgraph_lite overhead (above the bare-Python floor)")
    ax.set_title(f"python -m benchmarks, {results['date']}", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(Path(path))
    plt.close(fig)
