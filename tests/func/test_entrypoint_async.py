"""@entrypoint with @task on asyncio and trio: awaiting calls, resuming, cancelling a call.

Each behaviour here was first checked on LangGraph 1.2.22 (on asyncio) with the same program.
"""

import anyio
import pytest

from langgraph_lite.func import entrypoint, task
from langgraph_lite.types import Command, interrupt

pytestmark = pytest.mark.anyio


def thread(name="t"):
    return {"configurable": {"thread_id": name}}


async def test_async_tasks_run_concurrently_and_are_awaited_in_call_order():
    ready = anyio.Event()

    @task
    async def waiter() -> str:
        with anyio.fail_after(5):  # only the other call can set it: they run together
            await ready.wait()
        return "waited"

    @task
    async def setter() -> str:
        ready.set()
        return "set"

    @entrypoint()
    async def main(_: dict) -> list[str]:
        futures = [waiter(), setter()]
        return [await f for f in futures]

    assert await main.ainvoke({}) == ["waited", "set"]


async def test_sync_tasks_called_from_an_async_entrypoint_are_awaited():
    @task
    def shout(word: str) -> str:
        return word.upper()

    @entrypoint()
    async def main(words: list[str]) -> str:
        futures = [shout(w) for w in words]
        return " ".join([await f for f in futures])

    chunks = [c async for c in main.astream(["a", "b"])]
    assert chunks[-1] == {"main": "A B"}
    assert sorted(map(str, chunks[:-1])) == ["{'shout': 'A'}", "{'shout': 'B'}"]


async def test_async_interrupt_resumes_without_running_finished_tasks(asaver_factory):
    runs = []

    @task
    async def lookup(key: str) -> int:
        runs.append(key)
        return len(key)

    async with asaver_factory() as saver:

        @entrypoint(checkpointer=saver)
        async def flow(keys: list[str]) -> dict:
            sizes = [await f for f in [lookup(k) for k in keys]]
            answer = interrupt(f"sizes {sizes}: go on?")
            return {"sizes": sizes, "answer": answer}

        config = thread()
        chunks = [c async for c in flow.astream(["ab", "abc"], config)]
        assert chunks[-1]["__interrupt__"][0].value == "sizes [2, 3]: go on?"
        assert (await flow.aget_state(config)).next == ("flow",)
        assert await flow.ainvoke(Command(resume="yes"), config) == {
            "sizes": [2, 3],
            "answer": "yes",
        }
        assert sorted(runs) == ["ab", "abc"]
        assert (await flow.aget_state(config)).values == {"sizes": [2, 3], "answer": "yes"}


async def test_a_cancelled_call_saves_nothing_so_a_resumed_run_calls_it_again(asaver_factory):
    calls = []

    @task
    async def slow(x: int) -> int:
        calls.append(x)
        await anyio.sleep(x)
        return x

    async with asaver_factory() as saver:

        @entrypoint(checkpointer=saver)
        async def flow(xs: list[int]) -> list[int]:
            futures = [slow(x) for x in xs]
            await anyio.sleep(0.05)
            assert futures[-1].cancel()
            done = [await futures[0]]
            return [*done, interrupt("more?")]

        config = thread()
        chunks = [c async for c in flow.astream([0, 30], config)]
        assert chunks[0] == {"slow": 0}
        assert "__interrupt__" in chunks[-1]
        assert sorted(calls) == [0, 30]
        # on resume the cancelled call is made (and cancelled) again; the finished one is not
        assert await flow.ainvoke(Command(resume=1), config) == [0, 1]
        assert sorted(calls) == [0, 30, 30]


async def test_an_async_task_error_reaches_the_entrypoint_as_itself():
    @task
    async def broken() -> None:
        raise LookupError("nothing here")

    @entrypoint()
    async def main(_: dict) -> None:
        await broken()

    with pytest.raises(LookupError, match="nothing here"):
        await main.ainvoke({})
