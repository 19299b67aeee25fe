"""LifecycleTransformer and its tasks bookkeeping, fed protocol events by hand (no graph)."""

from __future__ import annotations

from typing import Any

import pytest

from langgraph_lite.errors import GraphDrained, GraphInterrupt
from langgraph_lite.stream import LifecyclePayload, LifecycleTransformer, StreamChannel
from langgraph_lite.stream.transformers import _TasksLifecycleBase


def _event(method: str, ns: list[str], data: Any) -> Any:
    return {
        "type": "event",
        "method": method,
        "params": {"namespace": ns, "timestamp": 0, "data": data},
    }


def _start(ns: list[str], task_id: str, name: str = "n", **extra: Any) -> Any:
    return _event(
        "tasks", ns, {"id": task_id, "name": name, "input": None, "triggers": [], **extra}
    )


def _result(ns: list[str], task_id: str, *, error: str | None = None, interrupts: Any = ()) -> Any:
    data = {
        "id": task_id,
        "name": "n",
        "error": error,
        "interrupts": list(interrupts),
        "result": {},
    }
    return _event("tasks", ns, data)


def _armed(scope: tuple[str, ...] = ()) -> tuple[LifecycleTransformer, StreamChannel[Any]]:
    t = LifecycleTransformer(scope)
    channel = t.init()["lifecycle"]
    channel._bind(is_async=False)
    channel._subscribed = True
    return t, channel


def _payloads(channel: StreamChannel[Any]) -> list[LifecyclePayload]:
    return [item for _stamp, item in channel._items]


def test_a_subgraph_starts_on_its_first_task_and_completes_on_its_parents_result() -> None:
    t, channel = _armed()
    assert t.process(_start([], "p1", "outer_node")) is False  # tasks leave the main log
    t.process(_start(["child:p1"], "c1"))
    t.process(_start(["child:p1"], "c2"))  # a second task there: no second "started"
    t.process(_result(["child:p1"], "c1"))  # a task *inside* the child does not end it
    t.process(_result([], "p1"))
    assert _payloads(channel) == [
        {
            "event": "started",
            "namespace": ["child:p1"],
            "graph_name": "child",
            "trigger_call_id": "p1",
        },
        {"event": "completed", "namespace": ["child:p1"]},
    ]


def test_other_methods_pass_through_untouched() -> None:
    t, channel = _armed()
    assert t.process(_event("values", [], {"x": 1})) is True
    assert _payloads(channel) == []


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"error": "boom"}, {"event": "failed", "namespace": ["sub:t"], "error": "boom"}),
        ({"interrupts": [{"value": "?"}]}, {"event": "interrupted", "namespace": ["sub:t"]}),
        # interrupts win when a result carries both
        (
            {"error": "x", "interrupts": [{"value": "?"}]},
            {"event": "interrupted", "namespace": ["sub:t"]},
        ),
    ],
)
def test_the_parents_result_decides_the_terminal_status(result: Any, expected: Any) -> None:
    t, channel = _armed()
    t.process(_start(["sub:t"], "inner"))
    t.process(_result([], "t", **result))
    assert _payloads(channel)[-1] == expected


def test_every_depth_is_reported_in_one_flat_stream() -> None:
    t, channel = _armed()
    t.process(_start(["a:1"], "x"))
    t.process(_start(["a:1", "b:2"], "y"))
    t.process(_result(["a:1"], "2"))
    t.process(_result([], "1"))
    assert [(p["event"], p["namespace"]) for p in _payloads(channel)] == [
        ("started", ["a:1"]),
        ("started", ["a:1", "b:2"]),
        ("completed", ["a:1", "b:2"]),
        ("completed", ["a:1"]),
    ]


def test_a_scoped_transformer_sees_only_what_is_below_its_scope() -> None:
    t, channel = _armed(("outer:0",))
    t.process(_start(["sibling:9"], "x"))
    t.process(_start(["outer:0"], "y"))  # the scope itself is not a subgraph of itself
    t.process(_start(["outer:0", "inner:5"], "z"))
    assert [p["namespace"] for p in _payloads(channel)] == [["outer:0", "inner:5"]]


def test_a_segment_without_a_task_id_is_not_reported_and_not_left_open() -> None:
    t, channel = _armed()
    t.process(_start(["plain"], "x"))
    t.finalize()
    assert _payloads(channel) == []


def test_finalize_completes_what_is_still_open() -> None:
    t, channel = _armed()
    t.process(_start(["sub:t"], "x"))
    t.finalize()
    assert _payloads(channel)[-1] == {"event": "completed", "namespace": ["sub:t"]}
    t.finalize()  # nothing left open: nothing said twice
    assert len(_payloads(channel)) == 2


@pytest.mark.parametrize(
    ("err", "status", "error"),
    [
        (RuntimeError("down"), "failed", "down"),
        (GraphInterrupt(), "interrupted", None),
        (GraphDrained("shutdown"), "drained", None),
    ],
)
def test_a_failed_run_ends_open_subgraphs_the_way_it_ended(
    err: Any, status: str, error: Any
) -> None:
    t, channel = _armed()
    t.process(_start(["sub:t"], "x"))
    t.fail(err)
    last = _payloads(channel)[-1]
    assert last["event"] == status
    assert last.get("error") == error


def test_a_named_agent_started_by_a_tool_call_carries_its_name_and_cause() -> None:
    t, channel = _armed()
    call = {"name": "ask_weather", "args": {}, "id": "call_w", "type": "tool_call"}
    t.process(_start([], "tools_1", "tools", input={"tool_call": call, "state": {}}))
    t.process(_start(["tools:tools_1"], "m", metadata={"lc_agent_name": "weather_agent"}))
    started = _payloads(channel)[0]
    assert started["graph_name"] == "weather_agent"
    assert started["cause"] == {"type": "toolCall", "tool_call_id": "call_w"}


def test_a_list_of_tool_calls_names_the_first_as_the_cause() -> None:
    t, channel = _armed()
    t.process(_start([], "tools_1", "tools", input=[{"id": "first"}, {"id": "second"}]))
    t.process(_start(["tools:tools_1"], "m", metadata={"lc_agent_name": "agent"}))
    assert _payloads(channel)[0]["cause"]["tool_call_id"] == "first"


def test_a_plain_subgraph_has_no_cause_even_when_a_tool_call_ran_it() -> None:
    t, channel = _armed()
    t.process(_start([], "tools_1", "tools", input={"tool_call": {"id": "c"}}))
    t.process(_start(["tools:tools_1"], "m"))
    assert "cause" not in _payloads(channel)[0]


def test_a_subclass_written_without_cause_in_its_signature_still_works() -> None:
    seen: list[Any] = []

    class Mine(_TasksLifecycleBase):
        def init(self) -> dict[str, Any]:
            return {}

        def _should_track(self, ns: tuple[str, ...]) -> bool:
            return len(ns) == 1

        def _on_started(self, ns: Any, graph_name: Any, trigger_call_id: Any) -> None:
            seen.append((ns, graph_name, trigger_call_id, self._pending_cause))

        def _on_terminal(self, ns: Any, status: Any, error: Any) -> None:
            seen.append((ns, status))

    t = Mine()
    t.process(_start(["agent:a1"], "x"))
    t.process(_result([], "a1"))
    assert seen == [(("agent:a1",), "agent", "a1", None), (("agent:a1",), "completed")]


def test_a_subclass_missing_a_hook_says_which() -> None:
    class Half(_TasksLifecycleBase):
        def init(self) -> dict[str, Any]:
            return {}

    with pytest.raises(NotImplementedError, match="Half must implement _should_track"):
        Half().process(_start(["a:1"], "x"))
