"""The benchmarks still run and report every scenario. No timing thresholds: targets live in
``benchmarks/``, not in tests."""

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(stem):
    """A benchmark script as a module (they are scripts, not a package)."""
    name = f"_benchmarks_{stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{stem}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_chain_benchmark_reports_every_scenario():
    chain = load("chain")
    result = chain.run(steps=50, repeat=1)
    assert result["steps"] == 50
    expected = {sc.name for sc in chain.SCENARIOS}
    assert len(expected) == 7
    engines = [result["langgraph_lite"]]
    if result["langgraph"] is not None:
        engines.append(result["langgraph"])
    for timings in engines:
        assert set(timings) == expected
        assert all(secs > 0 for secs in timings.values()), timings
    table = chain.format_table(result)
    assert all(name in table for name in expected)


def test_state_graph_benchmark_reports_every_scenario():
    sg = load("state_graph")
    result = sg.run(steps=10, repeat=1, wide_nodes=4, wide_keys=15, fanout=3)
    expected = {sc.key for sc in sg.scenarios()}
    assert len(expected) == 15
    assert {key.split(":")[0] for key in expected} == {"sequential", "wide", "pydantic", "fanout"}
    assert result["units"]["fanout: invoke"] == ("task", 3)
    assert result["units"]["wide: stream(values)"] == ("step", 4)
    engines = [result["langgraph_lite"]]
    if result["langgraph"] is not None:
        engines.append(result["langgraph"])
    for timings in engines:
        assert set(timings) == expected
        assert all(secs > 0 for secs in timings.values()), timings
    table = sg.format_table(result)
    assert all(name in table for name in expected)


def test_persistence_benchmark_reports_every_scenario():
    bench = load("persistence")
    result = bench.run(
        steps=10, repeat=1, wide_nodes=4, wide_keys=15, long_steps=(10, 30, 20), big_bytes=5000
    )
    expected = {sc.key for sc in bench.scenarios()}
    assert len(expected) == 12
    assert "sequential: invoke, SqliteSaver" in expected
    assert "wide: ainvoke, AsyncSqliteSaver" in expected
    assert result["units"]["wide: invoke, InMemorySaver"] == ("step", 4)
    assert result["baseline"]["sequential: ainvoke, InMemorySaver"] == (
        "sequential: ainvoke, no checkpointer"
    )
    lite = result["langgraph_lite"]
    assert set(lite) == expected
    assert all(secs > 0 for secs in lite.values()), lite
    if result["langgraph"] is not None:
        assert set(result["langgraph"]) == expected
        assert all(secs is None or secs > 0 for secs in result["langgraph"].values())
    table = bench.format_table(result)
    assert all(name in table for name in expected)

    long = result["long_thread"]
    assert long["points"] == [10, 20, 30]
    engines = [long["langgraph_lite"]]
    if long["langgraph"] is not None:
        engines.append(long["langgraph"])
    for held in engines:
        assert list(held) == [10, 20, 30]
        # the 5 000-character value is saved (at least once), and 20 more steps hold more
        assert held[10] >= 5000, held
        assert held[30] > held[10], held
    assert "steps on thread" in bench.format_memory(result)


def test_messages_benchmark_reports_every_scenario():
    bench = load("messages")
    result = bench.run(tokens=500, repeat=1, latency_runs=3)
    latency = {sc.name for sc in bench.LATENCY}
    throughput = {sc.name for sc in bench.THROUGHPUT}
    assert len(latency) == 5 and len(throughput) == 5
    assert set(bench.BASELINE.values()) <= throughput
    engines = [result["langgraph_lite"]]
    if result["langgraph"] is not None:
        engines.append(result["langgraph"])
    for timings in engines:
        assert set(timings["latency"]) == latency
        assert set(timings["throughput"]) == throughput
        for secs in [*timings["latency"].values(), *timings["throughput"].values()]:
            assert secs > 0, timings
    table = bench.format_table(result)
    assert all(name in table for name in latency | throughput)
    assert "tokens/s" in table


def test_react_agent_benchmark_reports_every_scenario():
    bench = load("react_agent")
    result = bench.run(trips=(2, 5), repeat=1)
    expected = {sc.key for sc in bench.scenarios((2, 5))}
    assert len(expected) == 8
    assert "N=5: ainvoke, InMemorySaver" in expected
    assert result["units"]["N=2: invoke, no checkpointer"] == ("round trip", 2)
    engines = [result["langgraph_lite"]]
    if result["langgraph"] is not None:
        engines.append(result["langgraph"])
    for timings in engines:
        assert set(timings) == expected
        assert all(secs > 0 for secs in timings.values()), timings
    table = bench.format_table(result)
    assert all(name in table for name in expected)


def test_counters_report_a_positive_cost_per_step():
    counters = load("counters")
    rows = counters.main(["--steps", "20", "--only", "invoke"])
    assert set(rows) == {"invoke", "ainvoke, sync node", "ainvoke, async node"}
    for row in rows.values():
        # one more superstep costs some calls and bytecodes, and the same every time
        assert row["calls"] > 10 and row["opcodes"] > 100, row
    again = counters.main(["--steps", "20", "--only", "invoke", "--no-opcodes"])
    assert again["invoke"]["calls"] == rows["invoke"]["calls"]
