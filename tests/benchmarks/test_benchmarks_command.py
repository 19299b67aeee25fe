"""``python -m benchmarks --quick`` runs every cell on our engine and reports them in the shape
the README's table and the JSON file promise. No timing is asserted: only that each cell ran,
that each engine's final state matched the bare-Python floor's, and that the verdicts follow
the targets."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import cli, engines, harness, report, scenarios  # noqa: E402


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "results.json"
    results = cli.run(["--quick", "--engines", "ours", "--quiet", "--json", str(path)])
    return results, path


def test_the_quick_run_times_every_planned_cell_and_fails_none(quick):
    results, _ = quick
    assert "errors" not in results, results.get("errors")
    lite = [engines.load("langgraph_lite")]
    planned = {name for _, name, _ in cli.plan(True, set(cli.GROUPS), lite, 1)}
    ran = {c["name"] for c in [*results["cells"], *results["growth"], *results["extras"]]}
    assert ran == planned
    # 6 scenarios x sync/async x 3 savers, sequential_sync_nodes_3 and its ainvoke twin x
    # async x 3 savers, 4 first-event, 3 compile, 3 concurrent cells
    assert len(results["cells"]) == 6 * 2 * 3 + 2 * 3 + 4 + 3 + 3
    assert {c["mode"] for c in results["cells"] if "sync_nodes" in c["name"]} == {"async"}
    invoked = [c for c in results["cells"] if "ainvoke" in c["name"]]
    assert len(invoked) == 3 and all(c["chunks"] == {"langgraph_lite": 1} for c in invoked)
    assert {c["name"] for c in results["extras"]} == {"chain", "messages"}


def test_every_cell_has_a_median_and_graph_cells_a_floor_and_chunks(quick):
    results, _ = quick
    for cell in results["cells"]:
        assert cell["median_s"]["langgraph_lite"] > 0, cell["name"]
        assert "langgraph" not in cell["median_s"], cell["name"]
        assert cell["ratio_overhead"] is None and cell["meets_target"] is None
        if cell["group"] in ("graph", "concurrent"):
            assert cell["floor_s"]["langgraph_lite"] > 0, cell["name"]
            over = cell["median_s"]["langgraph_lite"] - cell["floor_s"]["langgraph_lite"]
            assert cell["overhead_s"]["langgraph_lite"] == pytest.approx(over)
        if cell["group"] == "graph":
            assert cell["chunks"]["langgraph_lite"] >= 1, cell["name"]
    first = {c["name"]: c for c in results["cells"]}["sequential_3/sync/none"]
    assert first["chunks"]["langgraph_lite"] == 3  # one updates chunk per node


def test_growth_cells_report_bytes_and_time_at_both_lengths(quick):
    results, _ = quick
    assert [c["name"] for c in results["growth"]] == ["growth/memory/sync", "growth/sqlite/sync"]
    for cell in results["growth"]:
        ours = cell["engines"]["langgraph_lite"]
        assert cell["lengths"] == [4, 20]
        for n in ("4", "20"):
            assert ours[n]["median_bytes"] > 0 and ours[n]["median_time_s"] > 0
        assert ours["bytes_ratio"] == ours["20"]["median_bytes"] / ours["4"]["median_bytes"]
        assert isinstance(cell["meets_target"], bool)


def test_the_json_file_holds_what_the_run_returned(quick):
    results, path = quick
    saved = json.loads(path.read_text())
    assert saved["command"].startswith("python -m benchmarks --quick")
    assert [c["name"] for c in saved["cells"]] == [c["name"] for c in results["cells"]]
    assert saved["engines"].keys() == {"langgraph_lite"}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("sc", scenarios.all_scenarios(quick=True), ids=lambda sc: sc.name)
def test_our_final_state_equals_the_bare_python_floors(sc, mode):
    lite = engines.load("langgraph_lite")
    is_async = mode == "async"
    floor = scenarios.normalize(sc.run_floor(lite, is_async, sc.make_input(lite)))
    app = sc.compile(lite, is_async)
    config = {"recursion_limit": 1000}
    if is_async:
        import asyncio

        out = asyncio.run(app.ainvoke(sc.make_input(lite), config))
    else:
        out = app.invoke(sc.make_input(lite), config)
    assert scenarios.normalize(out) == floor
    assert floor or sc.family == "sequential"  # a chain of no-ops leaves {"messages": []}


def test_a_run_that_differs_from_the_floor_is_refused_before_timing():
    lite = engines.load("langgraph_lite")
    sc = scenarios.sequential(2)
    wrong = scenarios.Scenario(
        sc.name,
        sc.family,
        sc.builder,
        lambda e: {"messages": [e.HumanMessage(content="not in the floor")]},
        lambda e, is_async, inp: sc.floor(e, is_async, {"messages": []}),
    )
    with pytest.raises(AssertionError, match="differs from the bare-Python floor"):
        harness.run_cell(wrong, "sync", "none", [lite], 1)


def _cell(family, saver, ratio):
    return {
        "name": f"{family}/sync/{saver}",
        "group": "graph",
        "family": family,
        "saver": saver,
        "ratio_overhead": ratio,
    }


def test_verdicts_follow_the_targets_20x_without_sqlite_and_10x_with_it():
    results = {
        "cells": [
            _cell("sequential", "memory", 25.0),
            _cell("fanout", "none", 19.9),
            _cell("wide_state", "sqlite", 12.0),
            _cell("wide_state", "sqlite", 9.0),
            _cell("react_agent", "memory", 2.0),
        ],
        "growth": [],
    }
    report.add_verdicts(results)
    assert [c["meets_target"] for c in results["cells"]] == [True, False, True, False, None]
    assert [c["target"] for c in results["cells"]] == [20.0, 20.0, 10.0, 10.0, None]
    assert report.misses(results) == ["fanout/sync/none", "wide_state/sync/sqlite"]


def test_only_that_matches_nothing_says_so():
    with pytest.raises(SystemExit, match="selects no cell"):
        cli.run(["--quick", "--engines", "ours", "--only", "no-such-cell"])


def test_unknown_groups_are_named():
    with pytest.raises(SystemExit, match=r"unknown \['graphs'\]"):
        cli.run(["--quick", "--engines", "ours", "--groups", "graphs"])


def test_list_names_the_selected_cells(capsys):
    assert cli.run(["--quick", "--engines", "ours", "--only", "^compile/", "--list"]) == {}
    assert capsys.readouterr().out.split() == [
        "compile/sequential_3",
        "compile/pydantic_state_4x20",
        "compile/wide_state_4x20",
    ]


def test_the_chart_is_written_as_svg(tmp_path):
    pytest.importorskip("matplotlib")
    results = {"date": "today", "cells": [_cell("sequential", "memory", 25.0)], "growth": []}
    report.add_verdicts(results)
    path = tmp_path / "chart.svg"
    report.write_chart(results, str(path))
    assert path.read_text().lstrip().startswith("<?xml")


def test_profile_prints_our_engines_top_entries_for_the_selected_cells(capsys):
    cli.run(
        [
            "--quick",
            "--engines",
            "ours",
            "--profile",
            "--top",
            "3",
            "--only",
            "^sequential_3/sync/memory$",
        ]
    )
    out = capsys.readouterr().out
    assert "cProfile: langgraph_lite sequential_3/sync/memory, one warm run, by tottime" in out
    assert "due to restriction <3>" in out


def test_profile_without_a_graph_cell_says_what_to_pick():
    with pytest.raises(SystemExit, match="profiles graph cells"):
        cli.run(["--quick", "--engines", "ours", "--profile", "--only", "^compile/"])
