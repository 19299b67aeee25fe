"""Start two Celery workers, run three threads on them, stream one, print the results.

Run from anywhere: ``python examples/celery_workers/run.py``. It needs RabbitMQ, Redis and
PostgreSQL (see README.md here); it stops the workers it started when done.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("EXAMPLE_QUEUE", f"celery_workers_example_{uuid.uuid4().hex[:8]}")
sys.path.insert(0, str(HERE))

from app import app, writer  # noqa: E402

from langgraph_lite.checkpoint.postgres import PostgresSaver  # noqa: E402


def start_worker(name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "--quiet",
            "-A",
            "app",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-n",
            f"{name}@%h",
            "-Q",
            os.environ["EXAMPLE_QUEUE"],
        ],
        cwd=HERE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def main() -> None:
    with PostgresSaver.from_conn_string(app.conf.langgraph_lite_postgres_dsn) as saver:
        saver.setup()  # once per database; safe from many processes
    workers = [start_worker(f"example{i}") for i in range(2)]
    try:
        run = uuid.uuid4().hex[:8]
        handles = {
            topic: writer.submit(
                f"{run}-{topic}", {"topic": topic, "steps": []}, stream_mode="updates"
            )
            for topic in ("rivers", "bridges", "tides")
        }
        for chunk in handles["rivers"].stream(timeout=120):
            print("rivers streamed", chunk)
        for topic, handle in handles.items():
            print(topic, handle.result(timeout=120)["steps"])
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(os.environ["EXAMPLE_QUEUE"])


if __name__ == "__main__":
    main()
