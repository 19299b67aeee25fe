"""Checks a ``StateGraph`` before it compiles: edges name known nodes, START leads somewhere,
interrupts name nodes; nodes nothing can reach get a warning."""

from __future__ import annotations

import types
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.checkpoint.base import BaseCheckpointSaver
from langgraph_lite.constants import END, START
from langgraph_lite.errors import ErrorCode, create_error_message
from langgraph_lite.types import CachePolicy, Command

if TYPE_CHECKING:
    from langgraph_lite.graph.state import StateGraph

__all__ = ["check_graph"]


def _graph_error(message: str) -> ValueError:
    return ValueError(
        create_error_message(message=message, error_code=ErrorCode.INVALID_GRAPH_DEFINITION)
    )


def check_graph(self: StateGraph[Any, Any, Any, Any], interrupt: Sequence[str] | None) -> None:
    """Check ``self``'s edges and names; raises ``ValueError`` naming the culprit and the fix."""
    known = set(self.nodes)
    sources = {s for s, _ in self.edges} | {s for starts, _ in self.waiting_edges for s in starts}
    sources |= set(self.branches)
    for node, spec in self.nodes.items():
        if spec.destinations:
            sources.add(node)
    for source in sorted(sources):
        if source != START and source not in known:
            raise _graph_error(
                f"Found edge starting at unknown node {source!r}: it is not a node of this "
                f"graph (nodes: {', '.join(map(repr, self.nodes)) or 'none'}). Add the node first."
            )
    if START not in sources:
        raise _graph_error(
            "Graph must have an entrypoint: add at least one edge from START to another node, "
            "e.g. builder.add_edge(START, 'first_node')."
        )
    for start, branch_map in self.branches.items():
        for name, branch in branch_map.items():
            for end in branch.ends or ():
                if end != END and end not in known:
                    raise _graph_error(
                        f"At {start!r} node, {name!r} branch found unknown target {end!r}: it is "
                        f"not a node of this graph (nodes: {', '.join(map(repr, self.nodes))}). "
                        "Add the node, or fix the path_map / the Literal return annotation."
                    )
    targets = {e for _, e in self.edges} | {e for _, e in self.waiting_edges}
    for target in sorted(targets):
        if target != END and target not in known:
            raise _graph_error(
                f"Found edge ending at unknown node `{target}`: it is not a node of this graph "
                f"(nodes: {', '.join(map(repr, self.nodes)) or 'none'}). Add the node, or fix "
                "the name."
            )
    for name in interrupt or ():
        if name not in known and name != "*":
            raise _graph_error(
                f"Interrupt node `{name}` not found: it is not a node of this graph (nodes: "
                f"{', '.join(map(repr, self.nodes))})."
            )
    handlers = {n for n, spec in self.nodes.items() if spec.is_error_handler}
    unreachable = sorted(known - handlers - _reachable(self))
    if unreachable:
        warnings.warn(
            f"node(s) {', '.join(map(repr, unreachable))} cannot be reached from START: no "
            "edge, conditional edge or Command leads there. They will never run.",
            UserWarning,
            stacklevel=3,
        )


def _reachable(self: StateGraph[Any, Any, Any, Any]) -> set[str]:
    dynamic = any(b.ends is None for bm in self.branches.values() for b in bm.values()) or any(
        spec.destinations is None and _returns_command(spec.action) for spec in self.nodes.values()
    )
    if dynamic:
        return set(self.nodes)  # a path function or Command may go anywhere
    out: dict[str, set[str]] = {}
    for s, e in self.edges:
        out.setdefault(s, set()).add(e)
    for starts, e in self.waiting_edges:
        for s in starts:
            out.setdefault(s, set()).add(e)
    for source, bm in self.branches.items():
        for b in bm.values():
            out.setdefault(source, set()).update(b.ends or ())
    for node, spec in self.nodes.items():
        if spec.destinations:
            out.setdefault(node, set()).update(spec.destinations)
    seen: set[str] = set()
    stack = [START]
    while stack:
        for nxt in out.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _returns_command(action: Any) -> bool:
    """Whether a node may return a ``Command`` (and so go anywhere): its return annotation
    names one, or its code refers to ``Command``. When unsure, say yes."""
    import typing

    if type(action) is types.FunctionType and "return" not in action.__annotations__:
        ret = None  # (no hints to evaluate: a function without a return annotation)
    else:
        try:
            ret = typing.get_type_hints(action).get("return")
        except Exception:
            return True
    if ret is not None and ((typing.get_origin(ret) or ret) is Command or "Command" in repr(ret)):
        return True
    code = getattr(getattr(action, "__func__", action), "__code__", None)
    if code is None:
        return True  # a callable object or a compiled graph: cannot tell
    stack = [code]
    while stack:
        c = stack.pop()
        if "Command" in c.co_names or "Command" in c.co_freevars:
            return True
        stack.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return False


def _check_cache_policy(policy: Any, where: str) -> None:
    if policy is None or isinstance(policy, CachePolicy):
        return
    raise TypeError(
        f"{where}: cache_policy must be a CachePolicy, got {type(policy).__name__} "
        f"{policy!r:.60}. Use CachePolicy(ttl=60) from langgraph_lite.types."
    )


def _check_checkpointer(checkpointer: Any) -> None:
    if checkpointer is None or isinstance(checkpointer, bool | BaseCheckpointSaver):
        return
    raise TypeError(
        "Invalid checkpointer provided. Expected an instance of `BaseCheckpointSaver`, `True`, "
        f"`False`, or `None`. Received {type(checkpointer).__name__}. Pass a saver to "
        "compile(checkpointer=...), e.g. InMemorySaver() from langgraph_lite.checkpoint.memory "
        "or SqliteSaver from langgraph_lite.checkpoint.sqlite."
    )
