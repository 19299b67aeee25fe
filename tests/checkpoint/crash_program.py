"""A graph run that the crash tests kill with SIGKILL and resume, in a fresh process each time.

    python crash_program.py DB LOG SHAPE SAVER DURABILITY

SHAPE: parallel | send | subgraph | interrupt. SAVER: sync (SqliteSaver, invoke) or async
(AsyncSqliteSaver, ainvoke); with ``CRASH_BACKEND=postgres``, DB is a PostgreSQL connection
string and the saver PostgresSaver or AsyncPostgresSaver on it (its tables set up already), the
thread named by ``CRASH_THREAD``. Every node body appends "start NAME" and "done NAME" to LOG
(fsynced, so a killed process leaves an exact record). The program drives the thread to its
end from wherever it stands — starts it, resumes it, answers its interrupt — and prints the
final state as JSON.
"""

import asyncio
import json
import operator
import os
import sys
import time
from typing import Annotated

from typing_extensions import TypedDict

from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.types import Command, Send, interrupt

db, log, shape, saver_kind, durability = sys.argv[1:6]
if os.environ.get("CRASH_BACKEND") == "postgres":
    from langgraph_lite.checkpoint.postgres import PostgresSaver as SyncSaver
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver as AsyncSaver
else:
    from langgraph_lite.checkpoint.sqlite import AsyncSqliteSaver as AsyncSaver
    from langgraph_lite.checkpoint.sqlite import SqliteSaver as SyncSaver
DELAY = 0.02


class State(TypedDict):
    trail: Annotated[list, operator.add]
    total: Annotated[int, operator.add]


def record(event: str) -> None:
    with open(log, "a") as f:
        f.write(event + "\n")
        f.flush()
        os.fsync(f.fileno())


def node(name, delay=DELAY):
    def run(state):
        record(f"start {name}")
        time.sleep(delay)
        record(f"done {name}")
        return {"trail": [name], "total": len(name)}

    return run


def work(arg):
    record(f"start work{arg['i']}")
    time.sleep(DELAY * (1 + arg["i"]))
    record(f"done work{arg['i']}")
    return {"trail": [f"work{arg['i']}"], "total": arg["i"]}


def ask(state):
    record("start ask")
    answer = interrupt("continue?")
    record("done ask")
    return {"trail": [f"ask:{answer}"], "total": 1}


def build():
    b = StateGraph(State)
    b.add_node("one", node("one"))
    b.add_edge(START, "one")
    if shape == "parallel":
        for name, delay in (("left", DELAY), ("right", 3 * DELAY), ("mid", 2 * DELAY)):
            b.add_node(name, node(name, delay))
            b.add_edge("one", name)
        b.add_node("join", node("join"))
        b.add_edge(["left", "right", "mid"], "join")
        b.add_edge("join", END)
    elif shape == "send":
        b.add_node("work", work)
        b.add_node("sum", node("sum"))
        b.add_conditional_edges("one", lambda s: [Send("work", {"i": i}) for i in range(4)])
        b.add_edge("work", "sum")
        b.add_edge("sum", END)
    elif shape == "subgraph":
        inner = StateGraph(State)
        inner.add_node("inner_a", node("inner_a"))
        inner.add_node("inner_b", node("inner_b"))
        inner.add_edge(START, "inner_a")
        inner.add_edge("inner_a", "inner_b")
        b.add_node("sub", inner.compile())
        b.add_node("last", node("last"))
        b.add_edge("one", "sub")
        b.add_edge("sub", "last")
        b.add_edge("last", END)
    elif shape == "interrupt":
        b.add_node("ask", ask)
        b.add_node("last", node("last"))
        b.add_edge("one", "ask")
        b.add_edge("ask", "last")
        b.add_edge("last", END)
    else:
        raise SystemExit(f"unknown shape {shape!r}")
    return b


CONFIG = {"configurable": {"thread_id": os.environ.get("CRASH_THREAD", "crash")}}
START_INPUT = {"trail": [], "total": 0}


def next_input(snapshot):
    """What to send to drive the thread on, or None when it has finished."""
    if not snapshot.config or not snapshot.metadata:  # nothing saved yet: start it
        return START_INPUT
    if snapshot.interrupts:
        return Command(resume="yes")
    return "resume" if snapshot.next else None


def sync_main():
    with SyncSaver.from_conn_string(db) as saver:
        app = build().compile(checkpointer=saver)
        resumed_once = False
        for _ in range(20):
            todo = next_input(app.get_state(CONFIG))
            if todo is None and resumed_once:
                break
            # a finished-looking thread is resumed once anyway: a step whose tasks all
            # finished before the crash may still lack its checkpoint
            resumed_once = True
            app.invoke(None if todo in (None, "resume") else todo, CONFIG, durability=durability)
        return app.get_state(CONFIG).values


async def async_main():
    async with AsyncSaver.from_conn_string(db) as saver:
        app = build().compile(checkpointer=saver)
        resumed_once = False
        for _ in range(20):
            todo = next_input(await app.aget_state(CONFIG))
            if todo is None and resumed_once:
                break
            resumed_once = True
            await app.ainvoke(
                None if todo in (None, "resume") else todo, CONFIG, durability=durability
            )
        return (await app.aget_state(CONFIG)).values


values = sync_main() if saver_kind == "sync" else asyncio.run(async_main())
print(json.dumps(values, sort_keys=True))
