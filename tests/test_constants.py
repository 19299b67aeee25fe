"""``langgraph_lite.constants``, ``.managed.is_last_step`` and ``.runtime``: the names and values
programs import from LangGraph 1.2.22's modules of the same paths (values observed there)."""

import pytest

from langgraph_lite import constants
from langgraph_lite.graph import END, START
from langgraph_lite.pregel.algo import TASKS
from langgraph_lite.runtime import (
    DEFAULT_RUNTIME,
    ExecutionInfo,
    RunControl,
    Runtime,
    ServerInfo,
)


def test_constants_has_langgraphs_public_names_and_values():
    assert set(constants.__all__) == {
        "TAG_NOSTREAM",
        "TAG_HIDDEN",
        "START",
        "END",
        "CONF",
        "TASKS",
        "CONFIG_KEY_CHECKPOINTER",
    }
    assert (constants.START, constants.END) == ("__start__", "__end__")
    assert constants.TAG_NOSTREAM == "nostream"
    assert constants.TAG_HIDDEN == "langsmith:hidden"
    assert constants.CONF == "configurable"
    assert constants.CONFIG_KEY_CHECKPOINTER == "__pregel_checkpointer"


def test_constants_are_the_ones_the_engine_uses():
    assert constants.START is START and constants.END is END
    assert constants.TASKS == TASKS


@pytest.mark.parametrize("name", ["Send", "Interrupt"])
def test_send_and_interrupt_still_import_from_constants_with_a_deprecation_warning(name):
    from langgraph_lite import types

    with pytest.warns(DeprecationWarning, match=f"langgraph_lite.types import {name}"):
        value = getattr(constants, name)
    assert value is getattr(types, name)


def test_an_unknown_constant_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NOPE"):
        constants.NOPE  # noqa: B018


def test_managed_values_import_from_the_is_last_step_module():
    from langgraph_lite.managed import IsLastStep, RemainingSteps, is_last_step

    assert is_last_step.IsLastStep is IsLastStep
    assert is_last_step.RemainingSteps is RemainingSteps


def test_the_default_runtime_has_nothing_set():
    assert DEFAULT_RUNTIME.context is None
    assert DEFAULT_RUNTIME.store is None
    assert DEFAULT_RUNTIME.previous is None
    assert DEFAULT_RUNTIME.execution_info is None
    assert DEFAULT_RUNTIME.server_info is None
    assert DEFAULT_RUNTIME.control is None
    assert DEFAULT_RUNTIME.drain_requested is False
    assert DEFAULT_RUNTIME.drain_reason is None
    assert DEFAULT_RUNTIME.heartbeat() is None


def test_merge_lays_the_fields_the_other_runtime_sets_over_ours():
    def writer(value):
        return None

    base = Runtime(context={"user": "a"}, store="store-a", previous=1)
    merged = base.merge(Runtime(context={"user": "b"}, stream_writer=writer))
    assert merged.context == {"user": "b"}
    assert merged.store == "store-a"
    assert merged.stream_writer is writer
    assert merged.previous == 1
    assert base.merge(Runtime(previous=0)).previous == 0


def test_override_replaces_fields():
    runtime = Runtime(context="a").override(context="b", previous=3)
    assert (runtime.context, runtime.previous) == ("b", 3)


def test_execution_info_is_patched_by_copy():
    info = ExecutionInfo(checkpoint_id="c", checkpoint_ns="", task_id="t")
    assert (info.thread_id, info.run_id, info.node_attempt) == (None, None, 1)
    assert info.node_first_attempt_time is None
    runtime = Runtime(execution_info=info).patch_execution_info(node_attempt=2)
    assert runtime.execution_info.node_attempt == 2
    assert info.node_attempt == 1


def test_patching_absent_execution_info_is_a_runtime_error():
    with pytest.raises(RuntimeError, match=r"^Cannot patch execution_info before it has been set"):
        Runtime().patch_execution_info(node_attempt=2)


def test_run_control_reports_a_drain_request_through_the_runtime():
    control = RunControl()
    runtime = Runtime(control=control)
    assert runtime.drain_requested is False
    control.request_drain()
    assert (runtime.drain_requested, runtime.drain_reason) == (True, "shutdown")
    control.request_drain("deploy")
    assert control.drain_reason == "deploy"


def test_server_info_holds_the_assistant_graph_and_user():
    info = ServerInfo(assistant_id="a", graph_id="g")
    assert (info.assistant_id, info.graph_id, info.user) == ("a", "g", None)


def test_the_private_constants_langgraph_programs_import_are_the_engines_own():
    from langgraph_lite._internal import _constants as private
    from langgraph_lite.pregel import (
        algo,
        calls,
        checkpointing,
        interrupts,
        persistence,
        protocol,
        updates,
    )
    from langgraph_lite.types import OVERWRITE

    engine = {
        "CONFIG_KEY_STRICT_RESUME": interrupts.STRICT_RESUME,
        "CONFIG_KEY_STREAM": protocol.CONFIG_KEY_STREAM,
        "CONFIG_KEY_CHECKPOINTER": persistence.LENT_SAVER,
        "CONFIG_KEY_NODE_FINISHED": "__pregel_node_finished",
        "CONFIG_KEY_RUNTIME": "__pregel_runtime",
        "PULL": algo.PULL,
        "PUSH": algo.PUSH,
        "ERROR": checkpointing.ERROR,
        "RESUME": checkpointing.RESUME,
        "INTERRUPT": checkpointing.INTERRUPT,
        "NO_WRITES": checkpointing.NO_WRITES,
        "NULL_TASK_ID": checkpointing.NULL_TASK_ID,
        "RETURN": calls.RETURN,
        "INPUT": updates.INPUT,
        "OVERWRITE": OVERWRITE,
        "CONF": "configurable",
        "CONFIG_KEY_THREAD_ID": "thread_id",
        "CONFIG_KEY_CHECKPOINT_ID": "checkpoint_id",
        "CONFIG_KEY_CHECKPOINT_NS": "checkpoint_ns",
    }
    for name, value in engine.items():
        assert getattr(private, name) == value, name
    assert set(private.__all__) == {*engine, "CONFIG_KEY_STREAM_MESSAGES_V2"}
