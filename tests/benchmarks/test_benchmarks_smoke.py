"""The benchmarks still run and report every scenario. No timing thresholds: targets live in
``benchmarks/``, not in tests."""

import importlib.util
import sys
from pathlib import Path

CHAIN = Path(__file__).resolve().parents[2] / "benchmarks" / "chain.py"


def load_chain():
    name = "_benchmarks_chain"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CHAIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_chain_benchmark_reports_every_scenario():
    chain = load_chain()
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


STATE_GRAPH = CHAIN.parent / "state_graph.py"


def load_state_graph():
    name = "_benchmarks_state_graph"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, STATE_GRAPH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_state_graph_benchmark_reports_every_scenario():
    sg = load_state_graph()
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
