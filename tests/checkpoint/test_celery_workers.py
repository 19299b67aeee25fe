"""langgraph_lite.contrib.celery against real workers: RabbitMQ, Redis and PostgreSQL.

Needs LANGGRAPH_LITE_POSTGRES_DSN, LANGGRAPH_LITE_CELERY_BROKER (amqp://...) and
LANGGRAPH_LITE_CELERY_BACKEND (redis://...); skips without them, fails under CI.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from pg_fixtures import child_env, drop_schema, in_schema, new_schema, require_dsn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WAIT = 180  # seconds: generous, for a loaded 2-core machine


def require_broker() -> tuple[str, str]:
    broker = os.environ.get("LANGGRAPH_LITE_CELERY_BROKER")
    backend = os.environ.get("LANGGRAPH_LITE_CELERY_BACKEND")
    if broker and backend:
        return broker, backend
    if os.environ.get("CI"):
        pytest.fail(
            "CI is set but LANGGRAPH_LITE_CELERY_BROKER / LANGGRAPH_LITE_CELERY_BACKEND are "
            "not: the Celery tests must run in CI. Export e.g. "
            "LANGGRAPH_LITE_CELERY_BROKER=amqp://guest:guest@127.0.0.1:5672// and "
            "LANGGRAPH_LITE_CELERY_BACKEND=redis://127.0.0.1:6379/0."
        )
    pytest.skip("set LANGGRAPH_LITE_CELERY_BROKER and LANGGRAPH_LITE_CELERY_BACKEND")


@pytest.fixture
def celery_env(tmp_path):
    """Environment for workers: the brokers, a new schema set up, a queue of its own."""
    dsn = require_dsn()
    broker, backend = require_broker()
    if not os.environ.get("CI"):
        pytest.importorskip("celery")
        pytest.importorskip("psycopg")
    import psycopg

    from langgraph_lite.checkpoint.postgres import PostgresSaver

    schema = new_schema(dsn)
    schema_dsn = in_schema(dsn, schema)
    with PostgresSaver.from_conn_string(schema_dsn) as saver:
        saver.setup()
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE node_runs (thread_id text, node text, pid int)")
    env = child_env()
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env["PYTHONPATH"]])
    env.update(
        LANGGRAPH_LITE_POSTGRES_DSN=schema_dsn,
        LANGGRAPH_LITE_CELERY_BROKER=broker,
        LANGGRAPH_LITE_CELERY_BACKEND=backend,
        CELERY_KILL_QUEUE=f"lgl_celery_test_{uuid.uuid4().hex[:10]}",
        CELERY_KILL_DIR=str(tmp_path),
    )
    yield env
    drop_schema(dsn, schema)


def start_workers(env: dict, count: int) -> list[subprocess.Popen]:
    logs, workers = Path(env["CELERY_KILL_DIR"]), []
    for i in range(count):
        with (logs / f"worker{i}.log").open("wb") as log:  # the child keeps its own copy
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "--quiet",
                        "-A",
                        "celery_kill_app",
                        "worker",
                        "--pool=solo",
                        "--loglevel=WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "-n",
                        f"w{i}-{uuid.uuid4().hex[:6]}@%h",
                        "-Q",
                        env["CELERY_KILL_QUEUE"],
                    ],
                    cwd=HERE,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
    return workers


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def worker_logs(folder: Path) -> str:
    return "\n".join(p.read_text()[-2000:] for p in sorted(folder.glob("worker*.log")))


def wait_for_file(path: Path, workers: list[subprocess.Popen]) -> str:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        dead = [w for w in workers if w.poll() is not None]
        assert not dead, worker_logs(path.parent)
        assert time.monotonic() < deadline, "no worker reached the cut step"
        time.sleep(0.05)
    return path.read_text()


def test_celery_worker_killed_mid_run_is_resumed_by_another(celery_env, monkeypatch):
    for key in (
        "LANGGRAPH_LITE_POSTGRES_DSN",
        "CELERY_KILL_QUEUE",
        "CELERY_KILL_DIR",
        "LANGGRAPH_LITE_CELERY_BROKER",
        "LANGGRAPH_LITE_CELERY_BACKEND",
    ):
        monkeypatch.setenv(key, celery_env[key])
    threads = [f"t{i}-{uuid.uuid4().hex[:6]}" for i in range(12)]
    victim = threads[1]
    monkeypatch.setenv("CELERY_KILL_VICTIM", victim)
    celery_env["CELERY_KILL_VICTIM"] = victim
    sys.path.insert(0, str(HERE))
    try:
        sys.modules.pop("celery_kill_app", None)
        import celery_kill_app as program
    finally:
        sys.path.remove(str(HERE))
    import psycopg

    from langgraph_lite.checkpoint.memory import InMemorySaver
    from langgraph_lite.contrib.celery import RunFailedError, submit

    workers = start_workers(celery_env, 3)
    try:
        handles = {t: submit(program.app, "chain", t, {"log": []}) for t in threads}
        slow = submit(program.app, "slow", "s-" + victim, {"log": []})
        pid = int(wait_for_file(Path(celery_env["CELERY_KILL_DIR"]) / "victim.pid", workers))
        assert pid in {w.pid for w in workers}
        os.kill(pid, signal.SIGKILL)
        results = {t: h.result(timeout=WAIT) for t, h in handles.items()}
        assert len(slow.result(timeout=WAIT)["log"]) == len(program.NODES)
        failing = submit(program.app, "failing", "f-" + victim, {"log": []}, stream_mode="updates")
        chunks, error = [], None
        try:
            for chunk in failing.stream(timeout=WAIT):
                chunks.append(chunk)
        except RunFailedError as exc:
            error = str(exc)
        with pytest.raises(Exception, match="n1 refuses thread f-") as raised:
            failing.result(timeout=WAIT)
    finally:
        stop(workers)
        with program.app.connection_for_write() as conn:
            conn.default_channel.queue_delete(celery_env["CELERY_KILL_QUEUE"])

    # a run that raises is not redelivered: its error comes back on both channels
    assert chunks == [{"n0": {"log": [f"n0:f-{victim}:0"]}}]
    assert error is not None and "ValueError: n1 refuses thread f-" in error
    assert type(raised.value).__name__ == "ValueError"

    one_process = program.build(InMemorySaver())
    for t in threads:
        expected = one_process.invoke({"log": []}, {"configurable": {"thread_id": t}})
        assert results[t] == expected, t
    with psycopg.connect(celery_env["LANGGRAPH_LITE_POSTGRES_DSN"]) as conn:
        rows = conn.execute(
            "SELECT thread_id, node, count(*), array_agg(pid) FROM node_runs "
            "GROUP BY thread_id, node"
        ).fetchall()
    runs = {(t, n): c for t, n, c, _ in rows}
    # a run longer than its lease's ttl kept the lease: the renewer extended it
    assert runs.get(("s-" + victim, "lease live after 2.5 ttls")) == 1
    pids = {(t, n): p for t, n, _, p in rows}
    for t in threads:
        for node in program.NODES:
            again = 1 if (t, node) == (victim, program.CUT) else 0
            assert runs[(t, node)] == 1 + again, (t, node, runs[(t, node)])
    # the nodes before the cut ran once, in the killed worker; the rest in another one
    assert pids[(victim, "n0")] == [pid]
    assert pids[(victim, "n3")] != [pid]
    assert pid in pids[(victim, program.CUT)]


def test_celery_workers_example_runs(celery_env):
    env = {k: v for k, v in celery_env.items() if not k.startswith("CELERY_KILL")}
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "celery_workers" / "run.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert lines[:3] == [
        "rivers streamed {'outline': {'steps': ['outline rivers']}}",
        "rivers streamed {'draft': {'steps': ['draft rivers']}}",
        "rivers streamed {'review': {'steps': ['review rivers']}}",
    ]
    assert "bridges ['outline bridges', 'draft bridges', 'review bridges']" in lines
    assert "tides ['outline tides', 'draft tides', 'review tides']" in lines


def test_celery_stream_of_a_run_nobody_takes_times_out():
    _, backend = require_broker()
    if not os.environ.get("CI"):
        pytest.importorskip("celery")
    from langgraph_lite.checkpoint.serde import MsgpackSerde
    from langgraph_lite.contrib.celery import RunHandle, make_celery_app

    app = make_celery_app(broker="memory://", backend=backend, postgres_dsn="postgresql://x")
    handle = RunHandle(app, "t", uuid.uuid4().hex, None, MsgpackSerde())
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"of thread 't' streamed nothing for 1.5 seconds"):
        next(handle.stream(timeout=1.5))
    assert 1.5 <= time.monotonic() - started < 30
