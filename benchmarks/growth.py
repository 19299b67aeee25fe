"""What one chat turn costs as the conversation grows: bytes written and time, 40 vs 1,000.

The graph is ``StateGraph(MessagesState)`` with one node, ``model``, a scripted model that
answers every user message with one ``AIMessage``. A thread is seeded (untimed) by one run
whose input is L-1 messages, so the thread then holds L messages; the timed turn sends one
``HumanMessage`` and gets one answer. Measured per turn:

- bytes written: ``InMemorySaver``, the total length of every ``bytes`` object the saver holds
  (its stored blobs, checkpoints and writes, found by walking its attributes) after the turn
  minus before; ``SqliteSaver``, the total ``length()`` of every BLOB in the database file
  after minus before (the file's own size changes by whole pages, so it is reported too);
  ``PostgresSaver`` (with ``--postgres``: cell ``growth/postgres/sync``), the total
  ``octet_length()`` of every ``bytea`` and ``jsonb`` value in its schema after minus before;
- time: the turn's ``invoke``, median of the rounds (each on a fresh seeded thread).

A saver that stores the whole message list at each checkpoint writes ~25x more at 1,000 than
at 40; one that stores what changed writes about the same. The target is at most 2x.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import postgres
from benchmarks.engines import Engine
from benchmarks.harness import collect

LENGTHS = (40, 1000)


def _model_node(engine: Engine) -> Any:
    def model(state: Any) -> dict[str, Any]:
        return {"messages": [engine.AIMessage(content=f"answer {len(state['messages'])}")]}

    return model


def _history(engine: Engine, n: int) -> list[Any]:
    """n messages alternating user and assistant, starting and ending with the user."""
    return [
        engine.HumanMessage(content=f"question {i}")
        if i % 2 == 0
        else engine.AIMessage(content=f"answer {i}")
        for i in range(n)
    ]


def held_bytes(obj: Any, seen: set[int] | None = None) -> int:
    """The total length of the ``bytes`` reachable from ``obj`` through containers and
    attributes (each object counted once): what an in-memory saver has stored."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, bytes | bytearray | memoryview):
        return len(obj)
    if isinstance(obj, str | int | float | bool | type(None)):
        return 0
    if isinstance(obj, dict):
        return sum(held_bytes(k, seen) + held_bytes(v, seen) for k, v in obj.items())
    if isinstance(obj, list | tuple | set | frozenset):
        return sum(held_bytes(v, seen) for v in obj)
    attrs = getattr(obj, "__dict__", None)
    if isinstance(attrs, dict):
        return sum(held_bytes(v, seen) for k, v in attrs.items() if not k.startswith("__"))
    return 0


def blob_bytes(path: str) -> int:
    """The total length of every BLOB value in the SQLite database at ``path``."""
    conn = sqlite3.connect(path)
    try:
        total = 0
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for col in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]:
                q = f'SELECT SUM(LENGTH("{col}")) FROM "{table}" WHERE typeof("{col}") = \'blob\''
                total += conn.execute(q).fetchone()[0] or 0
        return total
    finally:
        conn.close()


def _file_bytes(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


@contextmanager
def _saver(engine: Engine, kind: str, tmp: Path) -> Iterator[tuple[Any, Any]]:
    """(saver, measure) where ``measure()`` returns (bytes stored, file bytes or None)."""
    if kind == "memory":
        saver = engine.InMemorySaver()
        yield saver, lambda: (held_bytes(saver), None)
        return
    if kind == "postgres":
        with postgres.sync_saver(engine) as saver:
            yield saver, lambda: (postgres.stored_bytes(saver.conn), None)
        return
    path = str(tmp / f"{engine.name}-{uuid.uuid4()}.db")
    with engine.sqlite_saver(path) as saver:
        yield saver, lambda: (blob_bytes(path), _file_bytes(path))


def run_growth(saver: str, engines: list[Engine], rounds: int, lengths=LENGTHS) -> dict[str, Any]:
    """One cell: a turn at each of ``lengths`` on every engine, with ``saver``."""
    short, long = lengths
    cell: dict[str, Any] = {
        "name": f"growth/{saver}/sync",
        "group": "growth",
        "saver": saver,
        "mode": "sync",
        "lengths": list(lengths),
        "engines": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for e in engines:
            cell["engines"][e.name] = {
                str(n): {"bytes": [], "file_bytes": [], "time_s": []} for n in lengths
            }
        with _open_all(engines, saver, Path(tmp)) as savers:
            for r in range(rounds):
                for e in engines if r % 2 == 0 else engines[::-1]:
                    app, measure = savers[e.name]
                    for n in lengths:
                        _one_turn(e, app, measure, n, cell["engines"][e.name][str(n)])
    for points in cell["engines"].values():
        for point in points.values():
            point["median_bytes"] = statistics.median(point.pop("bytes"))
            files = point.pop("file_bytes")
            point["median_file_bytes"] = statistics.median(files) if None not in files else None
            point["median_time_s"] = statistics.median(point["time_s"])
        a, b = points[str(short)], points[str(long)]
        points["bytes_ratio"] = b["median_bytes"] / max(a["median_bytes"], 1)
        points["time_ratio"] = b["median_time_s"] / a["median_time_s"]
    return cell


@contextmanager
def _open_all(engines: list[Engine], kind: str, tmp: Path) -> Iterator[dict[str, Any]]:
    from contextlib import ExitStack

    with ExitStack() as stack:
        out = {}
        for e in engines:
            saver, measure = stack.enter_context(_saver(e, kind, tmp))
            graph = e.StateGraph(e.MessagesState)
            graph.add_node("model", _model_node(e))
            graph.add_edge(e.START, "model")
            graph.add_edge("model", e.END)
            out[e.name] = (graph.compile(checkpointer=saver), measure)
        yield out


def _one_turn(e: Engine, app: Any, measure: Any, n: int, into: dict[str, list]) -> None:
    config = {"configurable": {"thread_id": str(uuid.uuid4())}}
    seeded = app.invoke({"messages": _history(e, n - 1)}, config)
    assert len(seeded["messages"]) == n, len(seeded["messages"])
    before, file_before = measure()
    turn = {"messages": [e.HumanMessage(content="one more question")]}
    collect()
    t0 = time.perf_counter()
    out = app.invoke(turn, config)
    into["time_s"].append(time.perf_counter() - t0)
    after, file_after = measure()
    assert len(out["messages"]) == n + 2, len(out["messages"])
    assert out["messages"][-1].content == f"answer {n + 1}", out["messages"][-1].content
    into["bytes"].append(after - before)
    into["file_bytes"].append(None if file_after is None else file_after - file_before)
