"""The two engines behind one namespace, so one benchmark program runs on either.

``load("langgraph_lite")`` and ``load("langgraph")`` return an ``Engine`` holding the public
names a benchmark uses (``StateGraph``, ``Send``, the savers, message classes, a prebuilt
agent and a chat model for it). Everything is imported by module name: no benchmark imports
either package directly, so the same program text times both.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

ENGINES = ("langgraph_lite", "langgraph")


@dataclass(frozen=True)
class Engine:
    """One engine's public API, as the benchmarks need it."""

    name: str
    StateGraph: Any
    START: str
    END: str
    MessagesState: Any
    Send: Any
    InMemorySaver: Any
    SqliteSaver: Any  # None when the engine's SQLite saver is not installed
    AsyncSqliteSaver: Any
    AIMessage: Any
    HumanMessage: Any
    ToolMessage: Any
    create_react_agent: Callable[..., Any]
    make_tool_model: Callable[[int], Any]  # a chat model calling ``add_one`` n times, then done
    PostgresSaver: Any = None  # None when the engine's Postgres saver (or psycopg) is missing
    AsyncPostgresSaver: Any = None

    @contextmanager
    def sqlite_saver(self, path: str) -> Iterator[Any]:
        """A sync SQLite saver on ``path`` (each engine's own ``from_conn_string``)."""
        with self.SqliteSaver.from_conn_string(path) as saver:
            yield saver

    @asynccontextmanager
    async def async_sqlite_saver(self, path: str) -> AsyncIterator[Any]:
        """An async SQLite saver on ``path`` (each engine's own ``from_conn_string``)."""
        async with self.AsyncSqliteSaver.from_conn_string(path) as saver:
            yield saver


def add_one(x: int) -> int:
    """Add one to x."""
    return x + 1


def tool_call(i: int) -> dict[str, Any]:
    """The ``i``-th tool call the agent's model makes."""
    return {"name": "add_one", "args": {"x": i}, "id": f"call{i}"}


def final_answer(n: int) -> str:
    """The model's last reply after ``n`` tool calls."""
    return f"done after {n} calls"


class CountingModel:
    """A chat model with no script to use up: reply k is decided by the number k of tool
    results already in the conversation, so one model serves every run. Ours takes any object
    with ``invoke``/``ainvoke``/``bind_tools``."""

    def __init__(self, n: int, ai_cls: Any, tool_cls: Any) -> None:
        self.n, self.ai_cls, self.tool_cls = n, ai_cls, tool_cls

    def bind_tools(self, tools: Any, **kwargs: Any) -> CountingModel:
        """The model itself: it always knows its one tool."""
        return self

    def invoke(self, messages: Any, config: Any = None, **kwargs: Any) -> Any:
        """A tool call while fewer than n tool results are in ``messages``, else the answer."""
        k = sum(1 for m in messages if isinstance(m, self.tool_cls))
        if k < self.n:
            return self.ai_cls(content="", tool_calls=[tool_call(k)])
        return self.ai_cls(content=final_answer(self.n))

    async def ainvoke(self, messages: Any, config: Any = None, **kwargs: Any) -> Any:
        """``invoke``, awaitable."""
        return self.invoke(messages, config)


def _postgres(sync_module: str, async_module: str) -> tuple[Any, Any]:
    """The engine's ``(PostgresSaver, AsyncPostgresSaver)``, or Nones when not importable."""
    try:
        sync = importlib.import_module(sync_module).PostgresSaver
        return sync, importlib.import_module(async_module).AsyncPostgresSaver
    except ImportError:
        return None, None


def _lite() -> Engine:
    from langgraph_lite.checkpoint.memory import InMemorySaver
    from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver
    from langgraph_lite.graph import END, START, MessagesState, StateGraph
    from langgraph_lite.messages import AIMessage, HumanMessage, ToolMessage
    from langgraph_lite.prebuilt import create_react_agent
    from langgraph_lite.types import Send

    return Engine(
        "langgraph_lite",
        StateGraph,
        START,
        END,
        MessagesState,
        Send,
        InMemorySaver,
        SqliteSaver,
        AsyncSqliteSaver,
        AIMessage,
        HumanMessage,
        ToolMessage,
        create_react_agent,
        lambda n: CountingModel(n, AIMessage, ToolMessage),
        *_postgres("langgraph_lite.checkpoint.postgres", "langgraph_lite.checkpoint.postgres.aio"),
    )


def _langgraph() -> Engine:
    graph = importlib.import_module("langgraph.graph")
    types_ = importlib.import_module("langgraph.types")
    memory = importlib.import_module("langgraph.checkpoint.memory")
    prebuilt = importlib.import_module("langgraph.prebuilt")
    messages = importlib.import_module("langchain_core.messages")
    chat_models = importlib.import_module("langchain_core.language_models.chat_models")
    outputs = importlib.import_module("langchain_core.outputs")
    try:
        sqlite = importlib.import_module("langgraph.checkpoint.sqlite")
        sqlite_aio = importlib.import_module("langgraph.checkpoint.sqlite.aio")
        sqlite_cls, async_sqlite_cls = sqlite.SqliteSaver, sqlite_aio.AsyncSqliteSaver
    except ImportError:
        sqlite_cls = async_sqlite_cls = None
    ai_cls, tool_cls = messages.AIMessage, messages.ToolMessage

    class LangchainCountingModel(chat_models.BaseChatModel):
        """``CountingModel`` as the langchain-core chat model LangGraph's agent expects."""

        n: int

        @property
        def _llm_type(self) -> str:
            return "counting"

        def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
            return self

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            reply = CountingModel(self.n, ai_cls, tool_cls).invoke(messages)
            return outputs.ChatResult(generations=[outputs.ChatGeneration(message=reply)])

    def create_react_agent(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():  # "moved to langchain.agents" in LangGraph 1.x
            warnings.simplefilter("ignore", DeprecationWarning)
            return prebuilt.create_react_agent(*args, **kwargs)

    return Engine(
        "langgraph",
        graph.StateGraph,
        graph.START,
        graph.END,
        graph.MessagesState,
        types_.Send,
        memory.InMemorySaver,
        sqlite_cls,
        async_sqlite_cls,
        ai_cls,
        messages.HumanMessage,
        tool_cls,
        create_react_agent,
        lambda n: LangchainCountingModel(n=n),
        *_postgres("langgraph.checkpoint.postgres", "langgraph.checkpoint.postgres.aio"),
    )


def load(name: str) -> Engine | None:
    """The engine ``name`` (one of ``ENGINES``), or None when it is not installed."""
    if name == "langgraph_lite":
        return _lite()
    if name == "langgraph":
        try:
            return _langgraph()
        except ImportError:
            return None
    raise ValueError(f"unknown engine {name!r}; pick one of {', '.join(ENGINES)}")
