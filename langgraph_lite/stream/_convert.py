"""A v2 stream part -> a ``ProtocolEvent`` (no ``seq`` yet: the root mux numbers events)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from langgraph_lite.stream._types import ProtocolEvent, _ProtocolEventParams

__all__ = ["convert_to_protocol_event"]


def convert_to_protocol_event(part: Mapping[str, Any]) -> ProtocolEvent:
    """Wrap a v2 part (``{"type", "ns", "data"}``, plus ``"interrupts"`` on values parts)."""
    params: _ProtocolEventParams = {
        "namespace": list(part["ns"]),
        "timestamp": int(time.time() * 1000),
        "data": part["data"],
    }
    if "interrupts" in part:
        params["interrupts"] = part["interrupts"]
    return {"type": "event", "method": part["type"], "params": params}
