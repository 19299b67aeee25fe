"""Timing cells: every engine and the bare-Python floor, in alternation, medians kept.

A cell is one scenario run one way: ``sync`` (``stream`` with sync nodes) or ``async``
(``astream`` with ``async def`` nodes), with no saver, ``InMemorySaver`` or ``SqliteSaver``
(``AsyncSqliteSaver`` in async cells) on a fresh file. For each cell every engine first runs
once untimed and its final state must equal the floor's; then ``rounds`` rounds each time the
floor and every engine once (the engine that goes first alternates), each run on a fresh
``thread_id``, consuming every ``updates`` chunk. Graph building and saver setup are untimed.
``gc.collect()`` runs before each timed run; the collector stays on during it.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path
from typing import Any

from benchmarks import postgres
from benchmarks.engines import Engine
from benchmarks.scenarios import RECURSION_LIMIT, Scenario, normalize, sequential

SAVERS = ("none", "memory", "sqlite")
# A cell stops after 3 rounds once it has used this many seconds (--cell-budget), so the
# slowest cells (LangGraph with SQLite on a 1,000-step chain) do not take the whole run.
BUDGET_S = 60.0
MIN_ROUNDS = 3
MODES = ("sync", "async")


# ``--quick`` turns this off: the timings mean nothing there, and with a large heap (under
# pytest) each collection costs tens of milliseconds.
COLLECT = True


def collect() -> None:
    """``gc.collect()`` before a timed run, so one run's garbage is not another's pause."""
    if COLLECT:
        gc.collect()


def _config() -> dict[str, Any]:
    return {"configurable": {"thread_id": str(uuid.uuid4())}, "recursion_limit": RECURSION_LIMIT}


def _rounds(rounds: int) -> Any:
    """Round numbers up to ``rounds``, stopping early (after ``MIN_ROUNDS``) past the budget."""
    start = time.perf_counter()
    for r in range(rounds):
        if r >= MIN_ROUNDS and time.perf_counter() - start > BUDGET_S:
            return
        yield r


def _order(engines: list[Engine], r: int) -> list[Engine]:
    """Who runs first alternates between rounds, so neither always runs on a warm cache."""
    return engines if r % 2 == 0 else engines[::-1]


def _cell(name: str, group: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "group": group, **fields}


def summarize(cell: dict[str, Any]) -> dict[str, Any]:
    """Add medians, overheads (median time minus the median floor) and the ratios of ours to
    LangGraph's (theirs / ours: above 1 means we are faster)."""
    samples, floors = cell["samples_s"], cell.get("floor_samples_s", {})
    cell["median_s"] = {e: statistics.median(s) for e, s in samples.items() if s}
    cell["floor_s"] = {e: statistics.median(s) for e, s in floors.items() if s}
    cell["overhead_s"] = {e: t - cell["floor_s"].get(e, 0.0) for e, t in cell["median_s"].items()}
    med, over = cell["median_s"], cell["overhead_s"]
    both = "langgraph_lite" in med and "langgraph" in med
    cell["ratio_total"] = med["langgraph"] / med["langgraph_lite"] if both else None
    if both:
        ours = max(over["langgraph_lite"], 1e-9)  # noise can push a tiny overhead below zero
        cell["ratio_overhead"] = over["langgraph"] / ours
    else:
        cell["ratio_overhead"] = None
    return cell


# -- whole runs ------------------------------------------------------------------------------


def savers_for(family: str) -> tuple[str, ...]:
    """The savers a cell of ``family`` runs with: the Postgres ones too under ``--postgres``."""
    if postgres.DSN is not None and family in postgres.FAMILIES | {"concurrent"}:
        return SAVERS + postgres.SAVERS
    return SAVERS


def _steps(app: Any, config: dict[str, Any], saver: str) -> int | None:
    """The supersteps the run on ``config`` saved, subgraphs' included (its thread's
    checkpoints, every namespace), for the Postgres cells' steps-per-second table; None for
    other savers."""
    if not postgres.is_postgres(saver):
        return None
    return sum(1 for _ in app.checkpointer.list({"configurable": config["configurable"]}))


async def _asteps(app: Any, config: dict[str, Any], saver: str) -> int | None:
    if not postgres.is_postgres(saver):
        return None
    listed = app.checkpointer.alist({"configurable": config["configurable"]})
    return sum([1 async for _ in listed])


def _open_sync_saver(stack: ExitStack, engine: Engine, saver: str, tmp: Path) -> Any:
    if postgres.is_postgres(saver):
        return stack.enter_context(postgres.sync_saver(engine))
    if saver == "none":
        return None
    if saver == "memory":
        return engine.InMemorySaver()
    if engine.SqliteSaver is None:
        raise RuntimeError(f"{engine.name} has no SqliteSaver installed")
    return stack.enter_context(engine.sqlite_saver(str(tmp / f"{engine.name}-{uuid.uuid4()}.db")))


async def _open_async_saver(stack: AsyncExitStack, engine: Engine, saver: str, tmp: Path) -> Any:
    if postgres.is_postgres(saver):
        return await stack.enter_async_context(postgres.async_saver(engine))
    if saver != "sqlite":
        return _open_sync_saver(ExitStack(), engine, saver, tmp)
    if engine.AsyncSqliteSaver is None:
        raise RuntimeError(f"{engine.name} has no AsyncSqliteSaver installed")
    path = str(tmp / f"{engine.name}-{uuid.uuid4()}.db")
    return await stack.enter_async_context(engine.async_sqlite_saver(path))


def _check(engine: Engine, sc: Scenario, got: Any, want: Any) -> None:
    got = normalize(got)
    if got != want:
        wrong = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        raise AssertionError(
            f"{engine.name} ran {sc.name} to a final state that differs from the bare-Python "
            f"floor's in keys {wrong}; fix the scenario or the engine before timing it."
        )


def run_cell(
    sc: Scenario, mode: str, saver: str, engines: list[Engine], rounds: int
) -> dict[str, Any]:
    """Time ``sc`` run ``mode`` with ``saver`` on every engine and the floor."""
    cell = _cell(
        f"{sc.name}/{mode}/{saver}",
        "graph",
        scenario=sc.name,
        family=sc.family,
        mode=mode,
        saver=saver,
        samples_s={e.name: [] for e in engines},
        floor_samples_s={e.name: [] for e in engines},
        chunks={},
        steps={},
    )
    with tempfile.TemporaryDirectory() as tmp:
        if mode == "sync":
            _sync_rounds(cell, sc, saver, engines, rounds, Path(tmp))
        else:
            asyncio.run(_async_rounds(cell, sc, saver, engines, rounds, Path(tmp)))
    return summarize(cell)


def _sync_rounds(
    cell: dict[str, Any], sc: Scenario, saver: str, engines: list[Engine], rounds: int, tmp: Path
) -> None:
    with ExitStack() as stack:
        apps = {
            e.name: sc.compile(e, False, _open_sync_saver(stack, e, saver, tmp)) for e in engines
        }
        kw = postgres.run_kwargs(saver)
        for e in engines:
            want = normalize(sc.floor(e, False, sc.make_input(e)))
            config = _config()
            _check(e, sc, apps[e.name].invoke(sc.make_input(e), config, **kw), want)
            cell["steps"][e.name] = _steps(apps[e.name], config, saver)
        for r in _rounds(rounds):
            for e in _order(engines, r):
                inp = sc.make_input(e)
                collect()
                t0 = time.perf_counter()
                sc.floor(e, False, inp)
                cell["floor_samples_s"][e.name].append(time.perf_counter() - t0)
                inp, config, app = sc.make_input(e), _config(), apps[e.name]
                collect()
                t0 = time.perf_counter()
                if sc.invoked:
                    app.invoke(inp, config, **kw)
                    chunks = 1
                else:
                    chunks = sum(1 for _ in app.stream(inp, config, stream_mode="updates", **kw))
                cell["samples_s"][e.name].append(time.perf_counter() - t0)
                cell["chunks"][e.name] = chunks


async def _async_rounds(
    cell: dict[str, Any], sc: Scenario, saver: str, engines: list[Engine], rounds: int, tmp: Path
) -> None:
    async with AsyncExitStack() as stack:
        apps = {}
        for e in engines:
            apps[e.name] = sc.compile(e, True, await _open_async_saver(stack, e, saver, tmp))
        kw = postgres.run_kwargs(saver)
        for e in engines:
            want = normalize(await sc.floor(e, True, sc.make_input(e)))
            config = _config()
            _check(e, sc, await apps[e.name].ainvoke(sc.make_input(e), config, **kw), want)
            cell["steps"][e.name] = await _asteps(apps[e.name], config, saver)
        for r in _rounds(rounds):
            for e in _order(engines, r):
                inp = sc.make_input(e)
                collect()
                t0 = time.perf_counter()
                await sc.floor(e, True, inp)
                cell["floor_samples_s"][e.name].append(time.perf_counter() - t0)
                inp, config, app = sc.make_input(e), _config(), apps[e.name]
                collect()
                t0 = time.perf_counter()
                chunks = 0
                if sc.invoked:
                    await app.ainvoke(inp, config, **kw)
                    chunks = 1
                else:
                    async for _ in app.astream(inp, config, stream_mode="updates", **kw):
                        chunks += 1
                cell["samples_s"][e.name].append(time.perf_counter() - t0)
                cell["chunks"][e.name] = chunks


# -- first event -----------------------------------------------------------------------------


def run_first_event(sc: Scenario, mode: str, engines: list[Engine], rounds: int) -> dict[str, Any]:
    """Time from calling ``stream``/``astream`` to holding the first chunk (no saver); the
    stream is closed right after. No floor: the node work before the first chunk is one call."""
    cell = _cell(
        f"first_event/{sc.name}/{mode}",
        "first_event",
        scenario=sc.name,
        family="first_event",
        mode=mode,
        saver="none",
        samples_s={e.name: [] for e in engines},
    )
    apps = {e.name: sc.compile(e, mode == "async") for e in engines}

    def sync_once(e: Engine) -> float:
        inp, config = sc.make_input(e), _config()
        collect()
        t0 = time.perf_counter()
        stream = apps[e.name].stream(inp, config, stream_mode="updates")
        next(stream)
        elapsed = time.perf_counter() - t0
        stream.close()
        return elapsed

    async def async_once(e: Engine) -> float:
        inp, config = sc.make_input(e), _config()
        collect()
        t0 = time.perf_counter()
        stream = apps[e.name].astream(inp, config, stream_mode="updates")
        await stream.__anext__()
        elapsed = time.perf_counter() - t0
        await stream.aclose()
        return elapsed

    async def all_rounds() -> None:
        for r in range(rounds):
            for e in _order(engines, r):
                cell["samples_s"][e.name].append(await async_once(e))

    if mode == "sync":
        for r in range(rounds):
            for e in _order(engines, r):
                cell["samples_s"][e.name].append(sync_once(e))
    else:
        asyncio.run(all_rounds())
    return summarize(cell)


# -- compile time ----------------------------------------------------------------------------


def run_compile(sc: Scenario, engines: list[Engine], rounds: int) -> dict[str, Any]:
    """Time ``builder.compile()`` (the builder is made untimed each round)."""
    assert sc.builder is not None
    cell = _cell(
        f"compile/{sc.name}",
        "compile",
        scenario=sc.name,
        family="compile",
        mode="sync",
        saver="none",
        samples_s={e.name: [] for e in engines},
    )
    for r in range(rounds):
        for e in _order(engines, r):
            builder = sc.builder(e, False)
            collect()
            t0 = time.perf_counter()
            builder.compile()
            cell["samples_s"][e.name].append(time.perf_counter() - t0)
    return summarize(cell)


# -- many threads at once --------------------------------------------------------------------


def run_concurrent(
    threads: int, steps: int, saver: str, engines: list[Engine], rounds: int
) -> dict[str, Any]:
    """``threads`` ``ainvoke`` s of a ``steps``-node chain at once (``asyncio.gather``), each
    on its own thread; the floor gathers the same number of plain coroutine chains."""
    sc = sequential(steps)
    cell = _cell(
        f"concurrent_{threads}x{steps}/async/{saver}",
        "concurrent",
        scenario=f"concurrent_{threads}x{steps}",
        family="concurrent",
        mode="async",
        saver=saver,
        samples_s={e.name: [] for e in engines},
        floor_samples_s={e.name: [] for e in engines},
        steps={},
    )
    kw = postgres.run_kwargs(saver)

    async def all_rounds(tmp: Path) -> None:
        async with AsyncExitStack() as stack:
            apps = {}
            for e in engines:
                apps[e.name] = sc.compile(e, True, await _open_async_saver(stack, e, saver, tmp))
                config = _config()
                await apps[e.name].ainvoke(sc.make_input(e), config, **kw)
                one = await _asteps(apps[e.name], config, saver)
                cell["steps"][e.name] = None if one is None else one * threads
            for r in range(rounds):
                for e in _order(engines, r):
                    await _time_gather(
                        cell["floor_samples_s"][e.name],
                        threads,
                        lambda e=e: sc.floor(e, True, sc.make_input(e)),
                    )
                    app = apps[e.name]
                    await _time_gather(
                        cell["samples_s"][e.name],
                        threads,
                        lambda e=e, app=app: app.ainvoke(sc.make_input(e), _config(), **kw),
                    )

    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(all_rounds(Path(tmp)))
    return summarize(cell)


async def _time_gather(into: list[float], n: int, make: Callable[[], Any]) -> None:
    coros = [make() for _ in range(n)]
    collect()
    t0 = time.perf_counter()
    results = await asyncio.gather(*coros)
    into.append(time.perf_counter() - t0)
    assert all(r == {"messages": []} for r in results), results[:2]
