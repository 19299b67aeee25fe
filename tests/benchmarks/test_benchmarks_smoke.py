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
