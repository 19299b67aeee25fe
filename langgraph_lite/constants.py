"""Public constants, as ``langgraph.constants`` has them.

``START`` and ``END`` name the graph's two virtual nodes; ``TAG_NOSTREAM`` on a chat model keeps
its tokens out of ``stream_mode="messages"``; ``TAG_HIDDEN`` marks a node the streams leave out.
``CONF``, ``TASKS`` and ``CONFIG_KEY_CHECKPOINTER`` are kept because programs still import them.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from langgraph_lite.warnings import LangGraphDeprecatedSinceV10

__all__ = (
    "CONF",
    "CONFIG_KEY_CHECKPOINTER",
    "END",
    "START",
    "TAG_HIDDEN",
    "TAG_NOSTREAM",
    "TASKS",
)

START = sys.intern("__start__")
"""The first node: it writes the graph's input into the state."""
END = sys.intern("__end__")
"""The last node: routing to it ends that path of the run."""
TAG_NOSTREAM = sys.intern("nostream")
"""A chat model tagged with it streams no tokens."""
TAG_HIDDEN = sys.intern("langsmith:hidden")
"""A node tagged with it is left out of the streams."""
CONF = sys.intern("configurable")
"""The config key holding per-run settings such as ``thread_id``."""
TASKS = sys.intern("__pregel_tasks")
"""The channel ``Send`` packets are written to."""
CONFIG_KEY_CHECKPOINTER = sys.intern("__pregel_checkpointer")
"""The configurable key a checkpointer may be passed under."""


# Names LangGraph made private in 1.0 but still serves from ``langgraph.constants``, with a
# warning; only those whose value means the same thing in this engine are served.
_PRIVATE: dict[str, str] = {
    "INPUT": "__input__",
    "INTERRUPT": "__interrupt__",
    "RESUME": "__resume__",
    "ERROR": "__error__",
    "NO_WRITES": "__no_writes__",
    "RETURN": "__return__",
    "PREVIOUS": "__previous__",
    "PUSH": "__pregel_push",
    "PULL": "__pregel_pull",
    "NS_SEP": "|",
    "NS_END": ":",
    "NULL_TASK_ID": "00000000-0000-0000-0000-000000000000",
    "CONFIG_KEY_THREAD_ID": "thread_id",
    "CONFIG_KEY_CHECKPOINT_ID": "checkpoint_id",
    "CONFIG_KEY_CHECKPOINT_NS": "checkpoint_ns",
    "CONFIG_KEY_CHECKPOINT_MAP": "checkpoint_map",
}


def __getattr__(name: str) -> Any:
    # As in LangGraph, Send and Interrupt still import from here, with a deprecation warning.
    if name in ("Send", "Interrupt"):
        warnings.warn(
            f"Importing {name} from langgraph_lite.constants is deprecated. "
            f"Please use 'from langgraph_lite.types import {name}' instead.",
            LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        from langgraph_lite import types

        return getattr(types, name)
    if name in _PRIVATE:
        warnings.warn(
            f"Importing {name} from langgraph_lite.constants is deprecated. This constant is "
            "now private and should not be used directly. Please open an issue if you need "
            "this value.",
            LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        return sys.intern(_PRIVATE[name])
    raise AttributeError(f"module 'langgraph_lite.constants' has no attribute {name!r}")
