"""The config keys of ``langgraph._internal._constants`` that mean the same thing here.

Programs written against LangGraph sometimes build a config with them, e.g.
``{CONF: {CONFIG_KEY_CHECKPOINT_NS: "outer:1"}}`` to run a graph as if nested.
"""

from __future__ import annotations

import sys

__all__ = ["CONF", "CONFIG_KEY_CHECKPOINT_NS", "CONFIG_KEY_STREAM_MESSAGES_V2", "INTERRUPT"]

CONF = sys.intern("configurable")
"""The config's ``configurable`` section."""

CONFIG_KEY_CHECKPOINT_NS = sys.intern("checkpoint_ns")
"""The namespace of the (sub)graph a config belongs to: node segments joined by ``|``."""

CONFIG_KEY_STREAM_MESSAGES_V2 = sys.intern("__pregel_stream_messages_v2")
"""Set by ``stream_events(version="v3")``: chat models stream protocol events, not chunks."""

INTERRUPT = sys.intern("__interrupt__")
"""The key under which ``updates`` chunks (and ``invoke``'s result) carry a run's interrupts."""
