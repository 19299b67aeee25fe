"""``python -m benchmarks --quick --postgres`` runs the PostgreSQL cells on our engine: the
sequential and fan-out graphs on both Postgres savers at both durabilities, the concurrent
cell, and the steps-per-second table. No timing is asserted."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests" / "checkpoint"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from pg_fixtures import require_dsn  # noqa: E402

from benchmarks import cli, postgres  # noqa: E402


def test_the_quick_postgres_benchmark_times_each_postgres_cell(capsys):
    dsn = require_dsn()
    pytest.importorskip("psycopg")
    argv = ["--quick", "--engines", "ours", "--quiet", "--postgres", dsn]
    try:
        results = cli.run([*argv, "--groups", "graph,concurrent", "--only", "postgres"])
    finally:
        postgres.DSN = None  # the other benchmark tests plan without Postgres cells
    assert "errors" not in results, results.get("errors")
    names = {c["name"] for c in results["cells"]}
    assert names == {
        f"{sc}/{mode}/{saver}"
        for sc in ("sequential_3", "fanout_to_subgraph_2x")
        for mode in ("sync", "async")
        for saver in postgres.SAVERS
    } | {
        f"{sc}/async/{saver}"
        for sc in ("concurrent_5x3", "sequential_sync_nodes_3", "sequential_sync_nodes_ainvoke_3")
        for saver in postgres.SAVERS
    }
    for cell in results["cells"]:
        assert cell["steps"]["langgraph_lite"] >= 1, cell["name"]
        assert cell["target"] is None  # side by side, no target
    assert "ours steps/s" in capsys.readouterr().out


def test_postgres_without_a_dsn_is_a_clear_error(monkeypatch):
    monkeypatch.delenv(postgres.ENV, raising=False)
    with pytest.raises(SystemExit, match="--postgres needs a DSN"):
        cli.run(["--quick", "--engines", "ours", "--postgres", "--list"])
    postgres.DSN = None
