"""``Send(node, arg, timeout=...)``: one pushed task's own TimeoutPolicy, over its node's
(checked against LangGraph 1.2.22)."""

import operator
from typing import Annotated

import anyio
import pytest
from typing_extensions import TypedDict

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.serde import MsgpackSerde
from langgraph_lite.errors import NodeTimeoutError
from langgraph_lite.graph import START, StateGraph
from langgraph_lite.types import Send, TimeoutPolicy


class Jobs(TypedDict, total=False):
    done: Annotated[list[float], operator.add]


def fan_out(send_timeouts, node_timeout=None, checkpointer=None):
    async def work(arg: dict) -> dict:
        await anyio.sleep(arg["sleep"])
        return {"done": [arg["sleep"]]}

    def route(state: Jobs) -> list[Send]:
        return [Send("work", {"sleep": s}, timeout=t) for s, t in send_timeouts]

    builder = StateGraph(Jobs).add_node("work", work, timeout=node_timeout)
    builder.add_conditional_edges(START, route)
    return builder.compile(checkpointer=checkpointer)


@pytest.mark.anyio
async def test_a_send_timeout_overrides_its_nodes():
    graph = fan_out([(0.3, TimeoutPolicy(idle_timeout=0.05))], node_timeout=5)

    with pytest.raises(NodeTimeoutError) as error:
        await graph.ainvoke({})

    assert (error.value.node, error.value.kind, error.value.idle_timeout) == ("work", "idle", 0.05)


@pytest.mark.anyio
async def test_only_the_packet_with_a_timeout_is_limited():
    ok = fan_out([(0.01, None), (0.02, 5.0)])
    assert sorted((await ok.ainvoke({}))["done"]) == [0.01, 0.02]

    limited = fan_out([(0.01, None), (0.3, 0.05)])
    with pytest.raises(NodeTimeoutError, match=r"run timeout of 0\.050s"):
        await limited.ainvoke({})


def test_a_send_with_a_timeout_is_saved_and_read_back():
    serde = MsgpackSerde()
    packet = Send("work", {"x": 1}, timeout=TimeoutPolicy(run_timeout=1, idle_timeout=2))

    assert serde.loads_typed(serde.dumps_typed(packet)) == packet
    assert serde.loads_typed(serde.dumps_typed(Send("work", 1))).timeout is None
    assert Send("w", 1, timeout=3) == Send("w", 1, timeout=TimeoutPolicy(run_timeout=3))
    assert Send("w", 1, timeout=3) != Send("w", 1)
    assert repr(Send("w", 1)) == "Send(node='w', arg=1)"


@pytest.mark.anyio
async def test_a_send_timeout_survives_a_checkpoint():
    graph = fan_out([(0.01, 5.0)], checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    assert (await graph.ainvoke({}, config))["done"] == [0.01]


def test_a_bad_send_timeout_is_refused_naming_the_send():
    with pytest.raises(ValueError, match=r"Send\('work', ...\): timeout must be greater than 0"):
        Send("work", {}, timeout=-1)
    with pytest.raises(TypeError, match=r"Send\('work', ...\)"):
        Send("work", {}, timeout="5")
