"""The names of ``langgraph._internal._constants`` whose values mean the same thing here.

Programs written against LangGraph sometimes build a config with them, e.g.
``{CONF: {CONFIG_KEY_CHECKPOINT_NS: "outer:1"}}`` to run a graph as if nested, or
``{CONF: {CONFIG_KEY_STRICT_RESUME: True}}``; and they read saved writes and task paths by them
(``ERROR``, ``PUSH``). Names whose key this engine does not honour are left out, so that a
program using one fails at its import instead of being silently ignored.
"""

from __future__ import annotations

import sys

__all__ = [
    "CONF",
    "CONFIG_KEY_CHECKPOINTER",
    "CONFIG_KEY_CHECKPOINT_ID",
    "CONFIG_KEY_CHECKPOINT_NS",
    "CONFIG_KEY_NODE_FINISHED",
    "CONFIG_KEY_RUNTIME",
    "CONFIG_KEY_STREAM",
    "CONFIG_KEY_STREAM_MESSAGES_V2",
    "CONFIG_KEY_STRICT_RESUME",
    "CONFIG_KEY_THREAD_ID",
    "ERROR",
    "INPUT",
    "INTERRUPT",
    "NO_WRITES",
    "NULL_TASK_ID",
    "OVERWRITE",
    "PULL",
    "PUSH",
    "RESUME",
    "RETURN",
]

CONF = sys.intern("configurable")
"""The config's ``configurable`` section."""

CONFIG_KEY_CHECKPOINTER = sys.intern("__pregel_checkpointer")
"""A saver lent to a run or a read: it is used instead of the graph's own (not with
``checkpointer=False``), as in LangGraph."""

CONFIG_KEY_NODE_FINISHED = sys.intern("__pregel_node_finished")
"""A function called with the name of each node that finishes without error, in the order
they finish, subgraphs' nodes included (not nodes tagged ``langsmith:hidden``)."""

CONFIG_KEY_RUNTIME = sys.intern("__pregel_runtime")
"""A runtime (or any object with ``context`` and ``store``) a server seeds a run's config with:
the run takes its ``context`` when given none, and its ``store`` when the graph has none."""

CONFIG_KEY_THREAD_ID = sys.intern("thread_id")
"""The thread a run's checkpoints are saved under."""

CONFIG_KEY_CHECKPOINT_ID = sys.intern("checkpoint_id")
"""The checkpoint a run starts from (or a read names)."""

CONFIG_KEY_CHECKPOINT_NS = sys.intern("checkpoint_ns")
"""The namespace of the (sub)graph a config belongs to: node segments joined by ``|``."""

CONFIG_KEY_STRICT_RESUME = sys.intern("__pregel_strict_resume")
"""True: a ``Command(resume=...)`` must answer interrupts that are waiting, by id (else an
``UnknownInterruptError`` says how the resume missed)."""

CONFIG_KEY_STREAM = sys.intern("__pregel_stream")
"""The stream protocol a subgraph's chunks are sent to (``pregel.protocol``)."""

CONFIG_KEY_STREAM_MESSAGES_V2 = sys.intern("__pregel_stream_messages_v2")
"""Set by ``stream_events(version="v3")``: chat models stream protocol events, not chunks."""

INTERRUPT = sys.intern("__interrupt__")
"""The key under which ``updates`` chunks (and ``invoke``'s result) carry a run's interrupts."""

INPUT = sys.intern("__input__")
"""``update_state``'s ``as_node`` that saves the values as the run's input."""

ERROR = sys.intern("__error__")
"""The channel of a saved write holding a task's error (its ``repr``)."""

RESUME = sys.intern("__resume__")
"""The channel of a saved write holding the answers to a task's interrupts."""

NO_WRITES = sys.intern("__no_writes__")
"""The channel of the saved write of a task that finished writing nothing."""

RETURN = sys.intern("__return__")
"""The channel of a saved write holding what a ``@task`` call returned."""

OVERWRITE = sys.intern("__overwrite__")
"""The key of ``Overwrite``'s JSON form: the value replaces the channel's, past its reducer."""

PULL = sys.intern("__pregel_pull")
"""The first element of the path of a task its node's triggers started."""

PUSH = sys.intern("__pregel_push")
"""The first element of the path of a task a ``Send`` (or a ``@task`` call) started."""

NULL_TASK_ID = sys.intern("00000000-0000-0000-0000-000000000000")
"""The task id of writes that belong to no task (a ``Command`` given as a run's input)."""
