"""LangGraph's ``langgraph.pregel._utils.get_function_nonlocals``, for code that imports it:
the values a function reaches (its closure, the globals it names and the attribute chains it
loads from them), as subgraph detection looks through them (``node_body``)."""

from __future__ import annotations

import types
from typing import Any

from langgraph_lite.pregel.node_body import _values_reached

__all__ = ["get_function_nonlocals"]


def get_function_nonlocals(func: Any) -> list[Any]:
    """The values ``func`` reaches; ``[]`` for a callable without code (a builtin, a
    ``functools.partial``) or one whose attributes raise when read."""
    fn = getattr(func, "__func__", func)
    if not isinstance(fn, types.FunctionType):
        return []
    try:
        return _values_reached(fn)
    except Exception:
        return []
