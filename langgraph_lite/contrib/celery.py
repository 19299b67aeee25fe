"""Graph runs as Celery tasks over ``PostgresSaver``: any worker can run or resume any thread.

``pip install "langgraph-lite[celery]"`` (Celery, the Redis client, psycopg). A worker process
imports a module that builds the app and registers graphs::

    app = make_celery_app(broker=..., backend="redis://...", postgres_dsn=...)
    register_graph(app, "chat", lambda saver: builder.compile(checkpointer=saver))

and a client calls ``submit(app, "chat", thread_id, input)``, which returns a ``RunHandle``:
``handle.result()`` is the thread's state after the run, ``handle.stream()`` its chunks.

Delivery: tasks are ``acks_late`` and ``reject_on_worker_lost``, so the broker hands a run whose
worker died to another worker. Each run has a ``run_id``, stored in the metadata of every
checkpoint it saves (``metadata["celery_run_id"]``). Under the thread's lease, a task decides:

- the thread's latest checkpoint is from this run, with tasks still to run and no pending
  interrupt: the run was cut; it resumes with ``invoke(None, config)`` from that checkpoint
  (the cut step runs again; the steps before it do not);
- the latest checkpoint is from this run and nothing is left (or it waits on an interrupt):
  the run had finished before its task was acknowledged; nothing runs, the state is returned;
- an older checkpoint is from this run but the latest is not: a later run took the thread over
  while this one waited to be redelivered; ``RunSupersededError``, nothing runs;
- no checkpoint is from this run: it never started; it runs with its input.

One writer per thread: the task takes the thread's lease (``on_busy="wait"``) before it reads,
names its fencing token in the run's config, renews it every third of its ttl from a thread,
and releases it when the run ends. A redelivered task therefore waits for the dead worker's
lease to expire (at most ``lease_ttl`` seconds).
"""

from __future__ import annotations

import base64
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

try:
    import celery  # type: ignore[import-untyped]
    import redis
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "langgraph_lite.contrib.celery needs Celery and the Redis client: "
        'pip install "langgraph-lite[celery]" (or pip install celery redis).'
    ) from exc

from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.types import Command

__all__ = [
    "RUN_ID_KEY",
    "RegisteredGraph",
    "RunFailedError",
    "RunHandle",
    "RunSupersededError",
    "make_celery_app",
    "register_graph",
    "submit",
]

RUN_ID_KEY = "celery_run_id"
"""The checkpoint metadata key that names the run which saved the checkpoint."""

TASK_PREFIX = "langgraph_lite.run."
STREAM_PREFIX = "langgraph_lite:run:"
POLL = 1.0  # seconds a blocking read of a run's stream lasts at most


class RunFailedError(RuntimeError):
    """The run raised in the worker; the message names the thread, run and error."""


class RunSupersededError(RuntimeError):
    """A redelivered run found that a later run had already moved its thread on."""


def make_celery_app(
    main: str = "langgraph_lite",
    *,
    broker: str,
    backend: str,
    postgres_dsn: str,
    lease_ttl: float = 30.0,
    lease_wait: float | None = 600.0,
    stream_ttl: float = 86400.0,
    **config: Any,
) -> celery.Celery:
    """A Celery app whose graph runs survive a worker dying.

    ``broker``: RabbitMQ (``amqp://``) redelivers a dead worker's task as soon as its
    connection drops; with Redis as the broker that takes the transport's
    ``visibility_timeout``. ``backend``: a ``redis://`` URL, used for task results and for the
    runs' chunk streams. ``postgres_dsn``: the database of checkpoints (``setup()`` it once).
    ``lease_ttl``: seconds a thread's lease lasts between renewals; ``lease_wait``: how long a
    task waits for a busy thread. Other keywords become Celery settings.
    """
    if not str(backend).startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(
            f"backend must be a Redis URL (redis://host:port/db), got {backend!r}: runs "
            "stream their chunks back through it."
        )
    app = celery.Celery(main, broker=broker, backend=backend)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # one unacknowledged run per worker process: a worker that dies strands only that one
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        langgraph_lite_postgres_dsn=postgres_dsn,
        langgraph_lite_lease_ttl=float(lease_ttl),
        langgraph_lite_lease_wait=lease_wait,
        langgraph_lite_stream_ttl=int(stream_ttl),
    )
    app.conf.update(config)
    return app


def _encode(serde: MsgpackSerde, value: Any) -> str:
    return base64.b64encode(serde.dumps(value)).decode()


def _decode(serde: MsgpackSerde, text: str) -> Any:
    return serde.loads(base64.b64decode(text))


class _Worker:
    """What one worker process keeps between tasks: a pooled saver, graphs, a Redis client."""

    def __init__(self, app: celery.Celery) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.saver: Any = None
        self.pool: Any = None
        self.redis: Any = None
        self.graphs: dict[str, Any] = {}

    def ensure(self) -> None:
        # opened on first use in each process: connections must not cross a fork
        with self.lock:
            if self.pid == os.getpid():
                return
            from psycopg_pool import ConnectionPool

            from langgraph_lite.checkpoint.postgres import PostgresSaver

            self.pool = ConnectionPool(
                self.app.conf.langgraph_lite_postgres_dsn,
                min_size=1,
                max_size=4,
                kwargs={"autocommit": True, "prepare_threshold": 0},
                check=ConnectionPool.check_connection,
                open=True,
            )
            self.saver = PostgresSaver(self.pool)
            self.redis = redis.Redis.from_url(self.app.conf.result_backend)
            self.graphs = {}
            self.pid = os.getpid()

    def graph(self, name: str, factory: Callable[[Any], Any]) -> Any:
        self.ensure()
        with self.lock:
            if name not in self.graphs:
                self.graphs[name] = factory(self.saver)
            return self.graphs[name]


_WORKERS: dict[int, _Worker] = {}


def _worker(app: celery.Celery) -> _Worker:
    return _WORKERS.setdefault(id(app), _Worker(app))


class _Renewer(threading.Thread):
    """Renews a lease every third of its ttl until stopped, or until the lease is lost."""

    def __init__(self, lease: Any) -> None:
        super().__init__(name=f"lease-renew-{lease.thread_id}", daemon=True)
        self.lease = lease
        self.stop = threading.Event()
        self.lost: BaseException | None = None

    def run(self) -> None:
        while not self.stop.wait(self.lease.ttl / 3):
            try:
                self.lease.renew()
            except Exception as exc:  # lost or unreachable: the fence refuses the run's writes
                self.lost = exc
                return


def _publish(worker: _Worker, run_id: str, entry: dict[str, Any]) -> None:
    key = STREAM_PREFIX + run_id
    worker.redis.xadd(key, entry)
    worker.redis.expire(key, worker.app.conf.langgraph_lite_stream_ttl)


def _run(
    app: celery.Celery,
    name: str,
    factory: Callable[[Any], Any],
    task: Any,
    thread_id: str,
    run_id: str,
    payload: dict[str, Any],
    lease_ttl: float | None,
) -> dict[str, Any]:
    worker = _worker(app)
    graph = worker.graph(name, factory)
    saver = worker.saver
    serde = getattr(graph.checkpointer, "serde", None) or MsgpackSerde()
    attempt = str(uuid.uuid4().hex[:8])
    conf = app.conf
    lease = saver.acquire_lease(
        thread_id,
        ttl=conf.langgraph_lite_lease_ttl if lease_ttl is None else lease_ttl,
        on_busy="wait",
        timeout=conf.langgraph_lite_lease_wait,
        holder=f"{task.request.hostname}:{os.getpid()}:{run_id}",
    )
    renewer = _Renewer(lease)
    renewer.start()
    try:
        config = dict(payload.get("config") or {})
        config["configurable"] = {
            **(config.get("configurable") or {}),
            "thread_id": thread_id,
            "lease_token": lease.token,
        }
        config["metadata"] = {**(config.get("metadata") or {}), RUN_ID_KEY: run_id}
        inp = _start_input(saver, graph, config, run_id, serde, payload)
        if inp is not _DONE:
            modes = payload.get("stream_mode")
            if modes is None:
                graph.invoke(inp, config)
            else:
                for chunk in graph.stream(inp, config, stream_mode=modes):
                    _publish(
                        worker,
                        run_id,
                        {"kind": "chunk", "attempt": attempt, "data": serde.dumps(chunk)},
                    )
        if renewer.lost is not None:
            raise renewer.lost
        values = graph.get_state({"configurable": {"thread_id": thread_id}}).values
    except BaseException as exc:
        message = f"run {run_id} of thread {thread_id!r} failed: {type(exc).__name__}: {exc}"
        if isinstance(exc, Exception):
            _publish(
                worker, run_id, {"kind": "error", "attempt": attempt, "data": message.encode()}
            )
        raise
    finally:
        renewer.stop.set()
        renewer.join()
        try:
            lease.release()
        except Exception:  # already lost: nothing of ours to give up
            pass
    _publish(worker, run_id, {"kind": "end", "attempt": attempt, "data": serde.dumps(values)})
    return {"values": _encode(serde, values)}


_DONE = object()


def _start_input(
    saver: Any,
    graph: Any,
    config: dict[str, Any],
    run_id: str,
    serde: Any,
    payload: dict[str, Any],
) -> Any:
    """What to invoke the graph with (see the module docstring), or ``_DONE``."""
    thread = {"configurable": {"thread_id": config["configurable"]["thread_id"]}}
    latest = saver.get_tuple({"configurable": {**thread["configurable"], "checkpoint_ns": ""}})
    if latest is not None and (latest.metadata or {}).get(RUN_ID_KEY) == run_id:
        snapshot = graph.get_state(thread)
        waiting = any(t.interrupts for t in snapshot.tasks)
        return None if snapshot.next and not waiting else _DONE
    if latest is not None and next(
        iter(saver.list(thread, filter={RUN_ID_KEY: run_id}, limit=1)), None
    ):
        raise RunSupersededError(
            f"run {run_id} of thread {thread['configurable']['thread_id']!r} was cut and, "
            "before it was redelivered, a later run moved the thread on; it is not resumed. "
            "Submit it again if it should still apply."
        )
    if "resume" in payload:
        return Command(resume=_decode(serde, payload["resume"]))
    return _decode(serde, payload["input"])


class RegisteredGraph:
    """A graph registered on an app: ``task`` is its Celery task; ``submit`` starts a run."""

    def __init__(self, app: celery.Celery, name: str, task: Any) -> None:
        self.app = app
        self.name = name
        self.task = task

    def submit(self, thread_id: str, input: Any = None, **kwargs: Any) -> RunHandle:
        """``submit(app, name, thread_id, input, ...)`` for this graph."""
        return submit(self.app, self.name, thread_id, input, **kwargs)


def register_graph(
    app: celery.Celery,
    name: str,
    graph_factory: Callable[[Any], Any],
    *,
    lease_ttl: float | None = None,
) -> RegisteredGraph:
    """Register the graph ``name``: ``graph_factory(saver)`` returns it compiled with that
    ``PostgresSaver`` as its checkpointer (called once per worker process, on first use).

    ``lease_ttl`` overrides the app's for this graph's runs (renewed every third of it).
    """
    if lease_ttl is not None and (isinstance(lease_ttl, bool) or not lease_ttl > 0):
        raise ValueError(
            f"register_graph({name!r}): lease_ttl must be a positive number of seconds, "
            f"got {lease_ttl!r}."
        )
    if not callable(graph_factory):
        raise TypeError(
            f"register_graph({name!r}): graph_factory must be callable, got {graph_factory!r}."
        )

    def run_graph(self: Any, thread_id: str, run_id: str, payload: dict[str, Any]) -> Any:
        return _run(app, name, graph_factory, self, thread_id, run_id, payload, lease_ttl)

    task = app.task(
        run_graph,
        name=TASK_PREFIX + name,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
    )
    return RegisteredGraph(app, name, task)


def submit(
    app: celery.Celery,
    name: str,
    thread_id: str,
    input: Any = None,
    *,
    resume: Any = ...,
    stream_mode: str | list[str] | None = None,
    config: dict[str, Any] | None = None,
    run_id: str | None = None,
    serde: MsgpackSerde | None = None,
) -> RunHandle:
    """Queue a run of graph ``name`` on ``thread_id``; any worker may take it.

    ``input`` is the run's input (``None`` continues the thread); ``resume=value`` sends
    ``Command(resume=value)`` instead. ``stream_mode`` makes the run stream its chunks to
    ``handle.stream()``. ``config`` is JSON (``recursion_limit``, ``configurable`` keys...).
    Inputs and results travel encoded with ``serde`` (the checkpoint format); pass one that
    allows your state's classes to decode them on this side.
    """
    if not thread_id:
        raise ValueError("submit() needs a thread_id: runs are resumable only on a thread.")
    serde = serde or MsgpackSerde()
    run_id = run_id or uuid.uuid4().hex
    payload: dict[str, Any] = {"config": config or {}, "stream_mode": stream_mode}
    if resume is not ...:
        payload["resume"] = _encode(serde, resume)
    else:
        payload["input"] = _encode(serde, input)
    result = app.send_task(
        TASK_PREFIX + name, args=(str(thread_id), run_id, payload), task_id=run_id
    )
    return RunHandle(app, str(thread_id), run_id, result, serde)


class RunHandle:
    """A queued run: ``result()`` waits for the thread's final state; ``stream()`` yields its
    chunks as workers produce them."""

    def __init__(
        self,
        app: celery.Celery,
        thread_id: str,
        run_id: str,
        async_result: Any,
        serde: MsgpackSerde,
    ) -> None:
        self.app = app
        self.thread_id = thread_id
        self.run_id = run_id
        self.async_result = async_result
        self.serde = serde

    def result(self, timeout: float | None = None) -> Any:
        """The thread's state values after the run; re-raises the run's error."""
        out = self.async_result.get(timeout=timeout, propagate=True)
        return _decode(self.serde, out["values"])

    def stream(self, timeout: float | None = None) -> Iterator[Any]:
        """The run's chunks, from the first, until it ends (``RunFailedError`` if it failed).

        ``timeout``: seconds to wait for each next chunk (``TimeoutError`` after). Chunks of
        a step a dead worker had streamed come again when its redelivered task reruns it.
        """
        client: Any = redis.Redis.from_url(self.app.conf.result_backend)
        key, last = STREAM_PREFIX + self.run_id, "0-0"
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                # short blocking reads: the client's socket_timeout (5 s by default) must not
                # cut a long wait
                left = POLL if deadline is None else min(POLL, deadline - time.monotonic())
                got = client.xread({key: last}, block=max(1, int(left * 1000)), count=100)
                if not got:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise TimeoutError(
                            f"run {self.run_id} of thread {self.thread_id!r} streamed nothing "
                            f"for {timeout} seconds."
                        )
                    continue
                if deadline is not None:
                    deadline = time.monotonic() + timeout  # type: ignore[operator]
                for entry_id, fields in got[0][1]:
                    last = entry_id
                    kind = fields[b"kind"]
                    if kind == b"chunk":
                        yield self.serde.loads(fields[b"data"])
                    elif kind == b"error":
                        raise RunFailedError(fields[b"data"].decode())
                    else:
                        return
        finally:
            client.close()
