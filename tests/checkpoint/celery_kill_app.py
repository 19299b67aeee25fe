"""The worker module of test_celery_workers: a chain graph whose nodes log each run to a table.

Read from the environment: the broker, Redis, the DSN (on the test's own schema), the queue,
and the thread whose third node waits, on its first run, to be killed (its pid in a file).
"""

import operator
import os
import time
from pathlib import Path
from typing import Annotated

from typing_extensions import TypedDict

from langgraph_lite.graph import END, START, StateGraph

NODES = ("n0", "n1", "n2", "n3", "n4")
CUT = "n2"


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def build(checkpointer, on_run=None):
    """The chain n0 -> ... -> n4; ``on_run(thread_id, node)`` runs first in every node."""

    def make(name):
        def node(state: State, config) -> dict:
            thread = config["configurable"]["thread_id"]
            if on_run is not None:
                on_run(thread, name)
            return {"log": [f"{name}:{thread}:{len(state['log'])}"]}

        return node

    builder = StateGraph(State)
    previous = START
    for name in NODES:
        builder.add_node(name, make(name))
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, END)
    return builder.compile(checkpointer=checkpointer)


if os.environ.get("CELERY_KILL_QUEUE"):
    import psycopg

    from langgraph_lite.contrib.celery import make_celery_app, register_graph

    DSN = os.environ["LANGGRAPH_LITE_POSTGRES_DSN"]
    app = make_celery_app(
        "celery_kill_test",
        broker=os.environ["LANGGRAPH_LITE_CELERY_BROKER"],
        backend=os.environ["LANGGRAPH_LITE_CELERY_BACKEND"],
        postgres_dsn=DSN,
        lease_ttl=float(os.environ.get("CELERY_KILL_LEASE_TTL", "5")),
        task_default_queue=os.environ["CELERY_KILL_QUEUE"],
    )
    _side: list = []

    def record(thread: str, node: str) -> None:
        # the side channel: committed at once, so a kill right after still leaves the row
        if not _side:
            _side.append(psycopg.connect(DSN, autocommit=True))
        conn = _side[0]
        conn.execute(
            "INSERT INTO node_runs (thread_id, node, pid) VALUES (%s, %s, %s)",
            (thread, node, os.getpid()),
        )
        if thread == os.environ["CELERY_KILL_VICTIM"] and node == CUT:
            (runs,) = conn.execute(
                "SELECT count(*) FROM node_runs WHERE thread_id = %s AND node = %s",
                (thread, node),
            ).fetchone()
            if runs == 1:
                ready = Path(os.environ["CELERY_KILL_DIR"]) / "victim.pid"
                ready.with_suffix(".tmp").write_text(str(os.getpid()))
                ready.with_suffix(".tmp").rename(ready)
                time.sleep(600)  # until the test kills this worker

    register_graph(app, "chain", lambda saver: build(saver, record))

    def fail_in_n1(thread: str, node: str) -> None:
        if node == "n1":
            raise ValueError(f"n1 refuses thread {thread}")

    register_graph(app, "failing", lambda saver: build(saver, fail_in_n1))

    def outlast_the_ttl(thread: str, node: str) -> None:
        # a node that runs for 2.5 ttls: the lease must still be live at its end (renewed)
        if node == "n1":
            time.sleep(2.5)
            conn = psycopg.connect(DSN, autocommit=True)
            with conn:
                conn.execute(
                    "INSERT INTO node_runs (thread_id, node, pid) SELECT thread_id, "
                    "'lease live after 2.5 ttls', %s FROM lgl_thread_leases "
                    "WHERE thread_id = %s AND expires_at > now()",
                    (os.getpid(), thread),
                )

    register_graph(app, "slow", lambda saver: build(saver, outlast_the_ttl), lease_ttl=1)
