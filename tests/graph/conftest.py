"""Run a compiled graph every way a user can, so a test compares all of it in one assert.

Expected chunks in tests/graph were taken from LangGraph 1.2.22 running the same program.
Where several nodes run in one step, ``updates`` arrive in the order the nodes finish; tests
that check that order give nodes small sleeps so it is not left to chance.
"""

from typing import Any

import pytest

MODES: dict[str, Any] = {
    "values": "values",
    "updates": "updates",
    "values+updates": ["values", "updates"],
}


def run_every_way(app: Any, input: Any, config: Any = None) -> dict[str, Any]:
    """``invoke`` and ``stream`` in each mode: {"invoke": ..., "values": [...], ...}."""
    out: dict[str, Any] = {"invoke": app.invoke(input, config)}
    for key, mode in MODES.items():
        out[key] = list(app.stream(input, config, stream_mode=mode))
    return out


async def arun_every_way(app: Any, input: Any, config: Any = None) -> dict[str, Any]:
    """``ainvoke`` and ``astream`` in each mode, shaped as ``run_every_way``'s result."""
    out: dict[str, Any] = {"invoke": await app.ainvoke(input, config)}
    for key, mode in MODES.items():
        out[key] = [c async for c in app.astream(input, config, stream_mode=mode)]
    return out


@pytest.fixture
def every_way():
    return run_every_way


@pytest.fixture
def aevery_way():
    return arun_every_way
