"""LangGraph's ReAct benchmark idea: ``create_react_agent`` with a model that calls tools N times.

The agent is ``create_react_agent(model, [add_one])`` (``langgraph_lite.prebuilt`` and, when it
is importable in the same interpreter, ``langgraph.prebuilt``). The model is scripted: its
first N replies are an ``AIMessage`` with one tool call ``add_one(x=i)`` (id ``c{i}``), the
last one is the text ``"done after N calls"``. So a run is N round trips model -> tools ->
model (2N + 1 supersteps) over a message list that grows to 2N + 2 messages.

- ours: ``langgraph_lite.testing.ScriptedChatModel`` with those replies;
- LangGraph: a minimal langchain-core ``BaseChatModel`` whose ``_generate`` returns reply
  number k, k being the number of ``ToolMessage`` s in its input (``bind_tools`` returns the
  model itself).

``add_one(x: int) -> int`` is the same plain function on both. Scenarios: ``invoke`` and
``ainvoke``, with no checkpointer and with ``InMemorySaver`` (a fresh ``thread_id`` per run),
for N = 10 and 100; ``recursion_limit`` is 2N + 10. The agent is built for each run (not
timed: the script is used up by a run). Every run's result is checked (final answer, the N
``ToolMessage`` s and their contents) before its time counts; each scenario is the best of
``--repeat`` runs, reported as total ms and µs per round trip with the ratio LangGraph time /
ours (above 1 means we are faster).

    python benchmarks/react_agent.py [--trips 10,100] [--repeat 5] [--profile [SCENARIO]]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import pstats
import time
import uuid
import warnings
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any


def add_one(x: int) -> int:
    """Add one to x."""
    return x + 1


def final_answer(n: int) -> str:
    return f"done after {n} calls"


def tool_call(i: int) -> dict[str, Any]:
    return {"name": "add_one", "args": {"x": i}, "id": f"c{i}"}


# -- the two libraries -------------------------------------------------------------------------


def _lite() -> SimpleNamespace:
    from langgraph_lite.checkpoint.memory import InMemorySaver
    from langgraph_lite.messages import AIMessage, ToolMessage
    from langgraph_lite.prebuilt import create_react_agent
    from langgraph_lite.testing import ScriptedChatModel

    def make_model(n: int) -> Any:
        replies: list[Any] = [AIMessage(content="", tool_calls=[tool_call(i)]) for i in range(n)]
        return ScriptedChatModel([*replies, final_answer(n)])

    return SimpleNamespace(
        name="langgraph_lite",
        create_react_agent=create_react_agent,
        InMemorySaver=InMemorySaver,
        ToolMessage=ToolMessage,
        make_model=make_model,
    )


def _langgraph() -> SimpleNamespace | None:
    try:
        prebuilt = importlib.import_module("langgraph.prebuilt")
        memory = importlib.import_module("langgraph.checkpoint.memory")
        chat_models = importlib.import_module("langchain_core.language_models.chat_models")
        messages = importlib.import_module("langchain_core.messages")
        outputs = importlib.import_module("langchain_core.outputs")
    except ImportError:
        return None
    ai_cls, tool_cls = messages.AIMessage, messages.ToolMessage
    result_cls, gen_cls = outputs.ChatResult, outputs.ChatGeneration

    class ToolCallingChatModel(chat_models.BaseChatModel):
        """Calls ``add_one`` ``n`` times (one call per reply), then answers in text."""

        n: int

        @property
        def _llm_type(self) -> str:
            return "tool-calling-script"

        def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
            return self

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            k = sum(1 for m in messages if isinstance(m, tool_cls))
            if k < self.n:
                reply = ai_cls(content="", tool_calls=[tool_call(k)])
            else:
                reply = ai_cls(content=final_answer(self.n))
            return result_cls(generations=[gen_cls(message=reply)])

    def create_react_agent(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():  # "moved to langchain.agents" (LangGraph 1.x)
            warnings.simplefilter("ignore", DeprecationWarning)
            return prebuilt.create_react_agent(*args, **kwargs)

    return SimpleNamespace(
        name="langgraph",
        create_react_agent=create_react_agent,
        InMemorySaver=memory.InMemorySaver,
        ToolMessage=tool_cls,
        make_model=lambda n: ToolCallingChatModel(n=n),
    )


LITE = _lite()
LANGGRAPH = _langgraph()


# -- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    trips: int
    is_async: bool
    saver: bool  # InMemorySaver (fresh thread per run) or no checkpointer

    @property
    def key(self) -> str:
        mode = "ainvoke" if self.is_async else "invoke"
        saver = "InMemorySaver" if self.saver else "no checkpointer"
        return f"N={self.trips}: {mode}, {saver}"


def scenarios(trips: tuple[int, ...] = (10, 100)) -> list[Scenario]:
    return [
        Scenario(n, is_async, saver)
        for n in trips
        for is_async in (False, True)
        for saver in (False, True)
    ]


def _input(i: int) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": f"count up, run {i}"}]}


def _config(sc: Scenario) -> dict[str, Any]:
    config: dict[str, Any] = {"recursion_limit": 2 * sc.trips + 10}
    if sc.saver:
        config["configurable"] = {"thread_id": f"bench-{uuid.uuid4()}"}
    return config


def check(lib: SimpleNamespace, sc: Scenario, i: int, out: Any) -> None:
    msgs = out["messages"]
    n = sc.trips
    assert len(msgs) == 2 * n + 2, f"{sc.key}: expected {2 * n + 2} messages, got {len(msgs)}"
    assert msgs[0].content == f"count up, run {i}", msgs[0]
    assert msgs[-1].content == final_answer(n), msgs[-1]
    tools = [m for m in msgs if isinstance(m, lib.ToolMessage)]
    assert len(tools) == n, f"{sc.key}: expected {n} ToolMessages, got {len(tools)}"
    assert [m.content for m in tools] == [str(k + 1) for k in range(n)], tools[:3]
    assert [m.tool_call_id for m in tools] == [f"c{k}" for k in range(n)], tools[:3]


def _build(lib: SimpleNamespace, sc: Scenario, saver: Any) -> Any:
    return lib.create_react_agent(lib.make_model(sc.trips), [add_one], checkpointer=saver)


def _time_sync(lib: SimpleNamespace, sc: Scenario, repeat: int, saver: Any) -> float:
    best = float("inf")
    for i in range(repeat):
        agent = _build(lib, sc, saver)
        inp, config = _input(i), _config(sc)
        gc.collect()
        t0 = time.perf_counter()
        out = agent.invoke(inp, config)
        elapsed = time.perf_counter() - t0
        check(lib, sc, i, out)
        best = min(best, elapsed)
    return best


async def _time_async(lib: SimpleNamespace, sc: Scenario, repeat: int, saver: Any) -> float:
    best = float("inf")
    for i in range(repeat):
        agent = _build(lib, sc, saver)
        inp, config = _input(i), _config(sc)
        gc.collect()
        t0 = time.perf_counter()
        out = await agent.ainvoke(inp, config)
        elapsed = time.perf_counter() - t0
        check(lib, sc, i, out)
        best = min(best, elapsed)
    return best


def bench_engine(lib: SimpleNamespace, scs: list[Scenario], repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds per scenario on ``lib`` (one saver per scenario)."""
    results: dict[str, float] = {}
    for sc in scs:
        saver = lib.InMemorySaver() if sc.saver else None
        if sc.is_async:
            results[sc.key] = asyncio.run(_time_async(lib, sc, repeat, saver))
        else:
            results[sc.key] = _time_sync(lib, sc, repeat, saver)
    return results


def run(
    trips: tuple[int, ...] = (10, 100), repeat: int = 5, *, compare: bool = True
) -> dict[str, Any]:
    """Every scenario on langgraph_lite (and on LangGraph when importable and ``compare``).

    Returns ``{"trips", "repeat", "units": {scenario: ("round trip", N)}, "langgraph_lite":
    {scenario: seconds}, "langgraph": {...} or None}``; seconds are the best of ``repeat``.
    """
    if repeat < 1 or not trips or min(trips) < 1:
        raise ValueError(f"repeat and every trip count must be at least 1: {repeat}, {trips}")
    scs = scenarios(tuple(trips))
    lite = bench_engine(LITE, scs, repeat)
    reference = bench_engine(LANGGRAPH, scs, repeat) if compare and LANGGRAPH else None
    return {
        "trips": tuple(trips),
        "repeat": repeat,
        "units": {sc.key: ("round trip", sc.trips) for sc in scs},
        "langgraph_lite": lite,
        "langgraph": reference,
    }


def format_table(result: dict[str, Any]) -> str:
    lite, ref, units = result["langgraph_lite"], result["langgraph"], result["units"]
    header = ["scenario", "ours ms", "ours µs/trip"]
    if ref is not None:
        header += ["langgraph ms", "langgraph µs/trip", "ratio (lg/ours)"]
    rows = [header]
    for name, secs in lite.items():
        _, count = units[name]
        row = [name, f"{secs * 1e3:.2f}", f"{secs * 1e6 / count:.1f}"]
        if ref is not None:
            theirs = ref[name]
            row += [f"{theirs * 1e3:.2f}", f"{theirs * 1e6 / count:.1f}", f"{theirs / secs:.2f}x"]
        rows.append(row)
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


def slowest(result: dict[str, Any]) -> str:
    """The scenario where we compare worst to LangGraph (lowest lg/ours ratio)."""
    lite, ref = result["langgraph_lite"], result["langgraph"]
    return min(lite, key=lambda name: ref[name] / lite[name])


def profile(sc: Scenario, repeat: int, top: int = 25) -> None:
    """Profile ``repeat`` runs of one scenario on langgraph_lite (building not included);
    print the top entries by tottime. Work in worker threads (the sync tool and model under
    ainvoke) is not seen."""
    saver = LITE.InMemorySaver() if sc.saver else None
    prof = cProfile.Profile()
    for i in range(repeat + 1):  # run 0 warms up
        agent = _build(LITE, sc, saver)
        inp, config = _input(i), _config(sc)
        if i:
            prof.enable()
        run = agent.ainvoke if sc.is_async else agent.invoke
        out = asyncio.run(run(inp, config)) if sc.is_async else run(inp, config)
        prof.disable()
        check(LITE, sc, i, out)
    print(f"cProfile: langgraph_lite {sc.key!r} x{repeat}, top {top} by tottime")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def _trips(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--trips", type=_trips, default=(10, 100), help="tool round trips, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario; best is kept")
    parser.add_argument("--top", type=int, default=25, help="profile entries to print")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="auto",
        metavar="SCENARIO",
        help="profile --repeat runs of one scenario on langgraph_lite instead of timing; "
        "without a name, the one with the worst ratio to LangGraph (timed first)",
    )
    args = parser.parse_args(argv)
    scs: dict[str, Scenario] = {sc.key: sc for sc in scenarios(args.trips)}
    if args.profile is not None:
        name = args.profile
        if name == "auto":
            name = next(iter(scs))
            if LANGGRAPH is not None:
                result = run(args.trips, args.repeat)
                print(format_table(result))
                name = slowest(result)
                print(f"\nworst ratio: {name!r}\n")
        if name not in scs:
            parser.error(f"unknown scenario {name!r}; one of: {', '.join(scs)}")
        profile(scs[name], args.repeat, args.top)
        return
    if LANGGRAPH is None:
        print("langgraph is not importable here: showing langgraph_lite only.")
    result = run(args.trips, args.repeat)
    print(
        f"create_react_agent, N tool round trips (N = {', '.join(map(str, args.trips))}); "
        f"best of {args.repeat}"
    )
    print(format_table(result))


if __name__ == "__main__":
    main()
