"""Helpers for checkpoint tests that must run code in a fresh interpreter: a decode that could
crash the process (a crash there is a failed test, not a dead pytest), or a program killed and
resumed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import langgraph_lite

# The copy of langgraph_lite under test, for child processes too.
ROOT = str(Path(langgraph_lite.__file__).resolve().parent.parent)


def child_env() -> dict[str, str]:
    """The environment of a child interpreter that imports the langgraph_lite under test."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    return env


@pytest.fixture
def isolated():
    """``isolated(code, *args)`` runs ``code`` in a new interpreter; returns the finished
    process (``returncode`` is negative when a signal killed it)."""

    def run(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=child_env(),
        )

    return run


@pytest.fixture(scope="session")
def child_environ():
    """The environment for child interpreters started with ``subprocess`` directly."""
    return child_env()
