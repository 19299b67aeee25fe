"""``python -m benchmarks --profile --only CELL``: where our engine spends a cell's time.

For each selected graph cell, builds the graph on langgraph_lite with the cell's saver, runs
it once to warm up, then runs it once more under ``cProfile`` and prints the top entries by
own time (``tottime``), over every thread: threads started during the cell (a saver's
writer, worker threads) get a profiler of their own, and their entries are added in.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import tempfile
import threading
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.engines import Engine
from benchmarks.scenarios import Scenario


def profile_cell(sc: Scenario, mode: str, saver: str, engine: Engine, top: int = 20) -> str:
    """The ``top`` entries by tottime of one warm run of ``sc`` on ``engine``, as text."""
    prof = cProfile.Profile()
    threads: list[cProfile.Profile] = []

    def in_new_thread(frame: Any, event: str, arg: Any) -> None:
        thread_prof = cProfile.Profile()
        threads.append(thread_prof)
        thread_prof.enable()  # replaces this hook for the rest of the thread

    threading.setprofile(in_new_thread)
    try:
        _run(prof, threads, sc, mode, saver, engine)
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    out = io.StringIO()
    out.write(f"cProfile: {engine.name} {sc.name}/{mode}/{saver}, one warm run, by tottime\n")
    stats = pstats.Stats(prof, stream=out)
    for thread_prof in threads:
        thread_prof.create_stats()
        if thread_prof.stats:  # type: ignore[attr-defined]  # (a thread that did nothing)
            stats.add(thread_prof)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _run(
    prof: cProfile.Profile,
    threads: list[cProfile.Profile],
    sc: Scenario,
    mode: str,
    saver: str,
    engine: Engine,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if mode == "sync":
            with ExitStack() as stack:
                cp = harness._open_sync_saver(stack, engine, saver, Path(tmp))
                app = sc.compile(engine, False, cp)
                for profiled in (False, True):
                    inp, config = sc.make_input(engine), harness._config()
                    _start(prof, threads, profiled)
                    for _ in app.stream(inp, config, stream_mode="updates"):
                        pass
                    prof.disable()
        else:
            asyncio.run(_profile_async(prof, threads, sc, saver, engine, Path(tmp)))


def _start(prof: cProfile.Profile, threads: list[cProfile.Profile], profiled: bool) -> None:
    """Before the profiled run: forget what threads recorded while warming up, start the main
    thread's profiler."""
    if profiled:
        for thread_prof in threads:
            thread_prof.clear()
        prof.enable()


async def _profile_async(
    prof: cProfile.Profile,
    threads: list[cProfile.Profile],
    sc: Scenario,
    saver: str,
    engine: Engine,
    tmp: Path,
) -> None:
    async with AsyncExitStack() as stack:
        cp = await harness._open_async_saver(stack, engine, saver, tmp)
        app: Any = sc.compile(engine, True, cp)
        for profiled in (False, True):
            inp, config = sc.make_input(engine), harness._config()
            _start(prof, threads, profiled)
            async for _ in app.astream(inp, config, stream_mode="updates"):
                pass
            prof.disable()
