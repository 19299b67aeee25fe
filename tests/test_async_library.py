"""The package runs without sniffio (anyio no longer pulls it in; only trio does)."""

import subprocess
import sys

import pytest

from langgraph_lite._async_library import current_async_library

PROGRAM = r"""
import asyncio, sys
sys.modules["sniffio"] = None  # as if it were not installed: importing it raises ImportError

from typing_extensions import TypedDict
from langgraph_lite.graph import StateGraph, START
from langgraph_lite.types import TimeoutPolicy
from langgraph_lite._async_library import current_async_library

class S(TypedDict):
    n: int

async def bump(state):
    return {"n": state["n"] + 1}

b = StateGraph(S)
b.add_node("bump", bump, timeout=TimeoutPolicy(run_timeout=5))
b.add_edge(START, "bump")
graph = b.compile()
assert current_async_library() is None

async def main():
    assert current_async_library() == "asyncio"
    return await graph.ainvoke({"n": 1})

print(asyncio.run(main()))
"""


def test_a_graph_runs_when_sniffio_is_not_installed():
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'n': 2}"


def test_no_library_outside_an_event_loop():
    assert current_async_library() is None


@pytest.mark.anyio
async def test_names_the_running_library(anyio_backend):
    assert current_async_library() == anyio_backend[0]
