"""Streaming chat-model output: time to the first chunk, and tokens per second in messages mode.

Two parts, each run on langgraph_lite and, when it is importable in the same interpreter, on
LangGraph with the same graph (``StateGraph(MessagesState)``, one node ``"agent"`` that calls a
chat model on the conversation and returns its reply):

- **first chunk**: the model replies ``"Hello world"`` in two tokens; the time from calling
  ``stream``/``astream`` until the first chunk is in the consumer's hands (the whole update for
  ``updates``, the first token for ``messages``), median of ``--latency-runs`` runs, each with a
  fresh stream. The rest of each run is drained, untimed.
- **throughput**: the model replies with ``--tokens`` (100 000) one-character tokens at once;
  the time to run the graph and consume every ``(token, metadata)`` chunk, best of
  ``--repeat``, as tokens per second. The row "model alone" streams the same reply outside any
  graph: what producing the chunks costs, so ``engine µs/token`` (graph time minus that, per
  token) is what streaming them through the engine adds.

The model is langgraph_lite's ``ScriptedChatModel`` (it builds an ``AIMessageChunk`` per token
and reports each through ``messages.report_chunk``); on LangGraph, a minimal langchain-core
``BaseChatModel`` whose ``_stream``/``_astream`` build one chunk per token (LangGraph sees
them through langchain's callbacks). Every run's output is checked before its time counts.

    python benchmarks/messages.py [--tokens 100000] [--repeat 3] [--latency-runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

HELLO = ["Hello", " world"]


# -- the two libraries -------------------------------------------------------------------------


def _lite() -> SimpleNamespace:
    from langgraph_lite.graph import START, MessagesState, StateGraph
    from langgraph_lite.testing import ScriptedChatModel

    def make_model(pieces: list[str], calls: int) -> Any:
        return ScriptedChatModel([pieces] * calls)

    return SimpleNamespace(
        name="langgraph_lite",
        StateGraph=StateGraph,
        START=START,
        MessagesState=MessagesState,
        make_model=make_model,
    )


def _langgraph() -> SimpleNamespace | None:
    try:
        graph = importlib.import_module("langgraph.graph")
        chat_models = importlib.import_module("langchain_core.language_models.chat_models")
        messages = importlib.import_module("langchain_core.messages")
        outputs = importlib.import_module("langchain_core.outputs")
    except ImportError:
        return None
    chunk_cls = messages.AIMessageChunk
    gen_cls = outputs.ChatGenerationChunk

    class InstantChatModel(chat_models.BaseChatModel):
        """Replies with ``pieces``, one chunk per piece, with no delay."""

        pieces: list[str]

        @property
        def _llm_type(self) -> str:
            return "instant"

        def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            for piece in self.pieces:
                yield gen_cls(message=chunk_cls(content=piece))

        async def _astream(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any
        ):
            for piece in self.pieces:
                yield gen_cls(message=chunk_cls(content=piece))

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            return chat_models.generate_from_stream(self._stream(messages, stop))

    def make_model(pieces: list[str], calls: int) -> Any:
        return InstantChatModel(pieces=pieces)

    return SimpleNamespace(
        name="langgraph",
        StateGraph=graph.StateGraph,
        START=graph.START,
        MessagesState=graph.MessagesState,
        make_model=make_model,
    )


LITE = _lite()
LANGGRAPH = _langgraph()


def build(lib: SimpleNamespace, model: Any, async_node: bool) -> Any:
    """``START -> agent``, the agent node calling ``model`` (sync or async)."""

    def agent(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    async def aagent(state: Any) -> dict[str, Any]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    builder = lib.StateGraph(lib.MessagesState)
    builder.add_node("agent", aagent if async_node else agent)
    builder.add_edge(lib.START, "agent")
    return builder.compile()


INPUT = {"messages": [{"role": "user", "content": "hi"}]}


# -- first chunk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    name: str
    mode: str
    is_async: bool
    async_node: bool = False


LATENCY = [
    Latency("stream(updates)", "updates", False),
    Latency("stream(messages)", "messages", False),
    Latency("astream(updates), sync node", "updates", True),
    Latency("astream(messages), sync node", "messages", True),
    Latency("astream(messages), async node", "messages", True, async_node=True),
]


def _check_first(sc: Latency, first: Any) -> None:
    if sc.mode == "updates":
        assert first["agent"]["messages"][0].content == "Hello world", first
    else:
        assert first[0].content == "Hello", first


def _latency_sync(sc: Latency, app: Any, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        stream = app.stream(INPUT, stream_mode=sc.mode)
        first = next(stream)
        times.append(time.perf_counter() - t0)
        _check_first(sc, first)
        for _ in stream:
            pass
    return times


async def _latency_async(sc: Latency, app: Any, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        stream = app.astream(INPUT, stream_mode=sc.mode)
        first = await stream.__anext__()
        times.append(time.perf_counter() - t0)
        _check_first(sc, first)
        async for _ in stream:
            pass
    return times


def bench_latency(lib: SimpleNamespace, runs: int) -> dict[str, float]:
    """Median seconds to the first chunk, per scenario."""
    out = {}
    for sc in LATENCY:
        model = lib.make_model(HELLO, runs + 1)
        app = build(lib, model, sc.async_node)
        gc.collect()
        if sc.is_async:
            asyncio.run(app.ainvoke(INPUT))  # warm up (and use the first scripted reply)
            times = asyncio.run(_latency_async(sc, app, runs))
        else:
            app.invoke(INPUT)
            times = _latency_sync(sc, app, runs)
        out[sc.name] = statistics.median(times)
    return out


# -- throughput ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    name: str
    run: Callable[..., Any]
    is_async: bool
    async_node: bool = False


# Each counts the chunks that carry text (langchain-core ends a stream with an empty chunk).


def _model_alone(app: Any, model: Any) -> int:
    return sum(1 for chunk in model.stream(INPUT["messages"]) if chunk.content)


async def _amodel_alone(app: Any, model: Any) -> int:
    return sum([1 async for chunk in model.astream(INPUT["messages"]) if chunk.content])


def _stream_tokens(app: Any, model: Any) -> int:
    return sum(1 for chunk, _ in app.stream(INPUT, stream_mode="messages") if chunk.content)


async def _astream_tokens(app: Any, model: Any) -> int:
    stream = app.astream(INPUT, stream_mode="messages")
    return sum([1 async for chunk, _ in stream if chunk.content])


THROUGHPUT = [
    Throughput("model alone (no graph)", _model_alone, False),
    Throughput("stream(messages)", _stream_tokens, False),
    Throughput("model alone, async (no graph)", _amodel_alone, True),
    Throughput("astream(messages), sync node", _astream_tokens, True),
    Throughput("astream(messages), async node", _astream_tokens, True, async_node=True),
]
BASELINE = {
    "stream(messages)": "model alone (no graph)",
    "astream(messages), sync node": "model alone, async (no graph)",
    "astream(messages), async node": "model alone, async (no graph)",
}


def bench_throughput(lib: SimpleNamespace, tokens: int, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds to stream ``tokens`` tokens, per scenario."""
    pieces = ["x"] * tokens
    out = {}
    for sc in THROUGHPUT:
        model = lib.make_model(pieces, repeat)
        app = build(lib, model, sc.async_node)
        best = float("inf")
        for _ in range(repeat):
            gc.collect()
            t0 = time.perf_counter()
            count = asyncio.run(sc.run(app, model)) if sc.is_async else sc.run(app, model)
            elapsed = time.perf_counter() - t0
            assert count == tokens, f"{sc.name}: expected {tokens} tokens, got {count}"
            best = min(best, elapsed)
        out[sc.name] = best
    return out


# -- running and reporting ----------------------------------------------------------------------


def run(
    tokens: int = 100_000, repeat: int = 3, latency_runs: int = 200, *, compare: bool = True
) -> dict[str, Any]:
    """Both parts on langgraph_lite (and on LangGraph when importable and ``compare``).

    Returns ``{"tokens", "repeat", "latency_runs", "langgraph_lite": {"latency": {scenario:
    median seconds}, "throughput": {scenario: best seconds}}, "langgraph": the same or None}``.
    """
    if tokens < 1 or repeat < 1 or latency_runs < 1:
        raise ValueError(
            f"tokens, repeat and latency_runs must be at least 1, got {tokens}, {repeat} and "
            f"{latency_runs}"
        )

    def one(lib: SimpleNamespace) -> dict[str, dict[str, float]]:
        return {
            "latency": bench_latency(lib, latency_runs),
            "throughput": bench_throughput(lib, tokens, repeat),
        }

    return {
        "tokens": tokens,
        "repeat": repeat,
        "latency_runs": latency_runs,
        "langgraph_lite": one(LITE),
        "langgraph": one(LANGGRAPH) if compare and LANGGRAPH is not None else None,
    }


def _table(header: list[str], rows: list[list[str]]) -> str:
    rows = [header, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_latency(result: dict[str, Any]) -> str:
    lite = result["langgraph_lite"]["latency"]
    ref = result["langgraph"] and result["langgraph"]["latency"]
    header = ["first chunk", "ours µs"]
    if ref:
        header += ["langgraph µs", "ratio (lg/ours)"]
    rows = []
    for name, secs in lite.items():
        row = [name, f"{secs * 1e6:.0f}"]
        if ref:
            row += [f"{ref[name] * 1e6:.0f}", f"{ref[name] / secs:.2f}x"]
        rows.append(row)
    return _table(header, rows)


def _engine_us(timings: dict[str, float], name: str, tokens: int) -> str:
    base = BASELINE.get(name)
    if base is None:
        return "-"
    return f"{(timings[name] - timings[base]) * 1e6 / tokens:.2f}"


def format_throughput(result: dict[str, Any]) -> str:
    tokens = result["tokens"]
    lite = result["langgraph_lite"]["throughput"]
    ref = result["langgraph"] and result["langgraph"]["throughput"]
    header = ["tokens", "ours ms", "ours tokens/s", "engine µs/token"]
    if ref:
        header += ["langgraph ms", "langgraph tokens/s", "engine µs/token", "ratio (lg/ours)"]
    rows = []
    for name, secs in lite.items():
        row = [name, f"{secs * 1e3:.0f}", f"{tokens / secs:,.0f}", _engine_us(lite, name, tokens)]
        if ref:
            theirs = ref[name]
            row += [
                f"{theirs * 1e3:.0f}",
                f"{tokens / theirs:,.0f}",
                _engine_us(ref, name, tokens),
                f"{theirs / secs:.2f}x",
            ]
        rows.append(row)
    return _table(header, rows)


def format_table(result: dict[str, Any]) -> str:
    return format_latency(result) + "\n\n" + format_throughput(result)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=100_000, help="tokens in the long reply")
    parser.add_argument("--repeat", type=int, default=3, help="throughput runs; best is kept")
    parser.add_argument(
        "--latency-runs", type=int, default=200, help="first-chunk runs; median is kept"
    )
    args = parser.parse_args(argv)
    if LANGGRAPH is None:
        print("langgraph is not importable here: showing langgraph_lite only.")
    result = run(args.tokens, args.repeat, args.latency_runs)
    print(
        f"time to the first chunk, median of {args.latency_runs} runs; "
        f"{args.tokens:,} tokens, best of {args.repeat}"
    )
    print(format_table(result))


if __name__ == "__main__":
    main()
