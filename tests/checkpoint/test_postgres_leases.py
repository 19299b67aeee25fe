"""One writer per thread on PostgreSQL: leases with fencing tokens (saver level)."""

import asyncio
import itertools
import subprocess
import sys
import textwrap
import threading
import time

import psycopg
import pytest
from pg_fixtures import child_env, pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures

from langgraph_lite.checkpoint.base import empty_checkpoint


def saver_on(dsn):
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    return PostgresSaver.from_conn_string(dsn)


def thread(thread_id="t", **extra):
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": "", **extra}}


def put(saver, config):
    return saver.put(config, empty_checkpoint(), {}, {})


def saved(saver, thread_id="t"):
    return len(list(saver.list(thread(thread_id))))


def test_a_lease_is_held_by_one_worker_and_its_token_grows_on_every_take(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import ThreadBusyError

    with saver_on(pg_dsn) as one, saver_on(pg_dsn) as two:
        lease = one.acquire_lease("t", ttl=30, holder="worker-1")
        assert (lease.thread_id, lease.token, lease.holder) == ("t", 1, "worker-1")
        with pytest.raises(ThreadBusyError, match=r"thread 't' is busy: worker 'worker-1'") as e:
            two.acquire_lease("t")
        assert e.value.thread_id == "t"
        lease.release()
        with two.acquire_lease("t") as again:
            assert again.token == 2
        assert two.acquire_lease("other").token == 1  # each thread counts on its own


def test_waiting_for_a_busy_thread_takes_the_lease_when_it_is_released(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import ThreadBusyError

    with saver_on(pg_dsn) as one, saver_on(pg_dsn) as two:
        lease = one.acquire_lease("t")
        with pytest.raises(ThreadBusyError):
            two.acquire_lease("t", on_busy="wait", timeout=0.2)
        threading.Timer(0.3, lease.release).start()
        started = time.monotonic()
        taken = two.acquire_lease("t", on_busy="wait", timeout=10)
        assert taken.token == 2 and 0.2 < time.monotonic() - started < 5


def test_a_stale_holder_writes_nothing_once_another_took_the_thread(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import StaleLeaseError

    with saver_on(pg_dsn) as slow, saver_on(pg_dsn) as fast:
        stalled = slow.acquire_lease("t", ttl=0.2)
        config = put(slow, thread())  # written while the lease was current
        time.sleep(0.4)  # the lease expires while its holder stalls
        taken = fast.acquire_lease("t")
        assert taken.token == stalled.token + 1
        with pytest.raises(StaleLeaseError, match=r"put of thread 't' was refused: its lease tok"):
            put(slow, config)
        with pytest.raises(StaleLeaseError, match=r"put_writes of thread 't' was refused"):
            slow.put_writes(config, [("x", 1)], "task")
        with pytest.raises(StaleLeaseError, match=r"cannot renew the lease of thread 't'"):
            stalled.renew()
        stalled.release()  # releasing a lost lease does nothing to the new holder's
        assert saved(fast) == 1
        assert fast.get_tuple(config).pending_writes == []
        put(fast, config)
        assert saved(fast) == 2


def test_a_write_waiting_on_a_take_over_sees_it_and_is_refused(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import StaleLeaseError

    with saver_on(pg_dsn) as saver, psycopg.connect(pg_dsn) as other:
        saver.acquire_lease("t")
        other.execute(  # a take-over, not yet committed
            "UPDATE lgl_thread_leases SET token = token + 1, holder = 'other' WHERE thread_id = 't'"
        )
        outcome = []

        def write():
            try:
                put(saver, thread())
                outcome.append("written")
            except StaleLeaseError as exc:
                outcome.append(exc)

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(0.5)
        assert writer.is_alive()  # the write waits on the lease row
        other.commit()
        writer.join(10)
        assert isinstance(outcome[0], StaleLeaseError)
        assert saved(saver) == 0


def test_renewing_keeps_the_lease_past_its_first_ttl(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import ThreadBusyError

    with saver_on(pg_dsn) as one, saver_on(pg_dsn) as two:
        lease = one.acquire_lease("t", ttl=0.3)
        first = lease.expires_at
        lease.renew(5)
        assert lease.expires_at > first
        time.sleep(0.5)
        with pytest.raises(ThreadBusyError):
            two.acquire_lease("t")
        put(one, thread())


def test_a_write_without_a_token_is_refused_while_another_holds_the_lease(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import ThreadBusyError

    with saver_on(pg_dsn) as holder, saver_on(pg_dsn) as outsider:
        lease = holder.acquire_lease("t", holder="worker-1")
        with pytest.raises(ThreadBusyError, match=r"put of thread 't' was refused: worker 'wor"):
            put(outsider, thread())
        put(holder, thread())  # the holder's saver names its token by itself
        put(outsider, thread("another"))  # other threads are not affected
        lease.release()
        put(outsider, thread())
        assert saved(outsider) == 2


def test_a_token_named_in_the_config_is_the_one_checked(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import StaleLeaseError

    with saver_on(pg_dsn) as owner, saver_on(pg_dsn) as engine:
        lease = owner.acquire_lease("t")
        config = put(engine, lease.config(thread()))
        assert config["configurable"]["thread_id"] == "t"
        assert lease.config()["configurable"] == {"thread_id": "t", "lease_token": 1}
        with pytest.raises(StaleLeaseError):
            put(engine, thread(lease_token=lease.token + 7))
        with pytest.raises(ValueError, match=r"configurable.lease_token must be an int"):
            put(engine, thread(lease_token="1"))


def test_deleting_a_thread_keeps_its_token_count(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        with saver.acquire_lease("t") as lease:
            put(saver, thread())
        saver.delete_thread("t")
        saver.prune(["t"], strategy="delete")
        assert saver.acquire_lease("t").token == lease.token + 1


def test_bad_lease_arguments_are_named(pg_dsn):  # noqa: F811
    with saver_on(pg_dsn) as saver:
        with pytest.raises(ValueError, match=r"ttl must be a positive number of seconds"):
            saver.acquire_lease("t", ttl=0)
        with pytest.raises(ValueError, match=r"on_busy must be 'fail' or 'wait', got 'skip'"):
            saver.acquire_lease("t", on_busy="skip")
        with pytest.raises(ValueError, match=r"acquire_lease needs a thread_id"):
            saver.acquire_lease("")


def test_the_async_saver_leases_the_same_way(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import StaleLeaseError, ThreadBusyError
    from langgraph_lite.checkpoint.postgres.aio import AsyncPostgresSaver

    async def main():
        async with (
            AsyncPostgresSaver.from_conn_string(pg_dsn) as one,
            AsyncPostgresSaver.from_conn_string(pg_dsn) as two,
        ):
            lease = await one.aacquire_lease("t", ttl=0.3)
            with pytest.raises(ThreadBusyError):
                await two.aacquire_lease("t")
            await one.aput(thread(), empty_checkpoint(), {}, {})
            async with await two.aacquire_lease("t", on_busy="wait", timeout=10) as taken:
                assert taken.token == lease.token + 1
                with pytest.raises(StaleLeaseError):
                    await one.aput(thread(), empty_checkpoint(), {}, {})
                with pytest.raises(StaleLeaseError):
                    await lease.arenew()
                await two.aput(thread(), empty_checkpoint(), {}, {})
            return len([t async for t in two.alist(thread())])

    assert asyncio.run(main()) == 2


RACER = textwrap.dedent(
    """
    import operator, sys, time
    from typing import Annotated
    from typing_extensions import TypedDict
    from langgraph_lite.checkpoint.postgres import PostgresSaver
    from langgraph_lite.graph import END, START, StateGraph

    dsn, name, runs, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])

    class State(TypedDict):
        count: Annotated[int, operator.add]
        by: Annotated[list, operator.add]

    def bump(state):
        time.sleep(0.01)  # a step that takes a while: the other worker tries meanwhile
        return {"count": 1, "by": [name]}

    builder = StateGraph(State)
    builder.add_node("bump", bump)
    builder.add_edge(START, "bump")
    builder.add_edge("bump", END)
    with PostgresSaver.from_conn_string(dsn) as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "race"}}
        time.sleep(max(0.0, start_at - time.time()))
        for _ in range(runs):
            with saver.acquire_lease("race", ttl=30, on_busy="wait", timeout=60):
                graph.invoke({"count": 0, "by": []}, config)
    """
)


def test_two_processes_racing_on_one_thread_never_write_at_once(pg_dsn):  # noqa: F811
    runs = 8
    start_at = str(time.time() + 1.5)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, pg_dsn, name, str(runs), start_at],
            env=child_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for racer in racers:
        _, errors = racer.communicate(timeout=180)
        assert racer.returncode == 0, errors
    with saver_on(pg_dsn) as saver:
        history = list(saver.list(thread("race")))
        latest = history[0].checkpoint["channel_values"]
        assert latest["count"] == 2 * runs  # no run lost another's update
        assert sorted(latest["by"]) == ["a"] * runs + ["b"] * runs
        # one line of checkpoints: each the child of the one saved before it, no forks
        for newer, older in itertools.pairwise(history):
            assert newer.parent_config == older.config
        assert history[-1].parent_config is None
