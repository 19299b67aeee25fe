import contextlib

import pytest

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.checkpoint.sqlite.aio import AsyncSqliteSaver


@pytest.fixture(params=["memory", "sqlite"])
def saver(request, tmp_path):
    """A sync checkpointer: in memory, or in a SQLite file."""
    if request.param == "memory":
        yield InMemorySaver()
        return
    with SqliteSaver.from_conn_string(str(tmp_path / "threads.sqlite")) as sqlite:
        yield sqlite


@pytest.fixture(params=["memory", "sqlite"])
def asaver_factory(request, tmp_path):
    """Makes an async checkpointer (an async context manager) inside the test's event loop."""

    @contextlib.asynccontextmanager
    async def make():
        if request.param == "memory":
            yield InMemorySaver()
            return
        async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "threads.sqlite")) as sqlite:
            yield sqlite

    return make
