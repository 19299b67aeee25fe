"""Pictures of a compiled graph: ``get_graph().draw_mermaid()`` and ``draw_ascii()``.

The picture is drawn from the builder, walking from START, and comes out as LangGraph draws the
same graph: the edges found (static, conditional, and the ``destinations`` or
``Command[Literal[...]]`` of nodes that route themselves) sorted by source, target, kind and
label; then an edge to END from every node reached that has no edge out. Conditional edges are
dotted and labelled with the path-map key when it differs from the target. With ``xray``, a node
that is a compiled graph is replaced by its own nodes (ids ``parent:child``), drawn inside a
Mermaid ``subgraph`` block. The picture's classes and its drawing live in
``pregel/drawable.py`` (a graph on a server is drawn too); they are served from here as well.
"""

from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Any

from langgraph_lite.constants import END, START
from langgraph_lite.pregel.drawable import Edge, Graph, Node
from langgraph_lite.types import Command

if TYPE_CHECKING:
    from langgraph_lite.graph.state import CompiledStateGraph, StateGraph

__all__ = ["Edge", "Graph", "Node", "graph_of"]  # (the first three: pregel/drawable.py)


# -- from a builder to a picture ----------------------------------------------------------------


def graph_of(
    compiled: CompiledStateGraph[Any, Any, Any, Any], *, xray: int | bool = False
) -> Graph:
    """The picture of a compiled state graph."""
    return _build(compiled, 10_000 if xray is True else int(xray))  # True: every level


def _command_ends(action: Any) -> tuple[str, ...]:
    """The targets of a ``-> Command[Literal["a", "b"]]`` return annotation, if it has one."""
    func = action if callable(action) and hasattr(action, "__code__") else None
    func = func or getattr(action, "__call__", None)  # noqa: B004
    try:
        ret = typing.get_type_hints(func).get("return")
    except Exception:
        return ()
    if typing.get_origin(ret) in (typing.Union, types.UnionType):  # Command[...] | None
        ret = next((a for a in typing.get_args(ret) if typing.get_origin(a) is Command), ret)
    args = typing.get_args(ret) if typing.get_origin(ret) is Command else ()
    if args and typing.get_origin(args[0]) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(args[0]))
    return ()


def _outgoing(builder: StateGraph[Any, Any, Any, Any]) -> dict[str, set[tuple[str, bool, Any]]]:
    out: dict[str, set[tuple[str, bool, Any]]] = {}

    def add(source: str, target: str, conditional: bool, label: Any = None) -> None:
        out.setdefault(source, set()).add((target, conditional, label))

    for s, e in builder.edges:
        add(s, e, False)
    for starts, e in builder.waiting_edges:
        for s in starts:
            add(s, e, False)
    for source, branches in builder.branches.items():
        for branch in branches.values():
            if branch.path_map is not None:
                for key, target in branch.path_map.items():
                    add(source, target, True, None if str(key) == target else str(key))
            for target in (branch.ends or ()) if branch.path_map is None else ():
                add(source, target, True)
    for node, spec in builder.nodes.items():
        dests = spec.destinations
        if dests is None:
            dests = _command_ends(spec.action)
        items = dests.items() if isinstance(dests, dict) else ((d, None) for d in dests)
        for target, label in items:
            add(node, target, True, None if label == target else label)
    return out


def _build(compiled: Any, xray: int) -> Graph:
    builder = compiled.builder
    outgoing = _outgoing(builder)
    found: set[tuple[str, str, bool, Any]] = set()
    seen, stack = {START}, [START]
    while stack:
        source = stack.pop()
        for target, conditional, label in outgoing.get(source, ()):
            found.add((source, target, conditional, label))
            if target not in seen:
                seen.add(target)
                stack.append(target)
    graph = Graph()
    graph.nodes[START] = Node(START, START)
    before = _names(getattr(compiled, "interrupt_before_nodes", ()))
    after = _names(getattr(compiled, "interrupt_after_nodes", ()))
    for name, spec in builder.nodes.items():
        metadata = dict(spec.metadata or {})
        if spec.defer:
            metadata["defer"] = True
        when = [w for w, names in (("before", before), ("after", after)) if name in names]
        if when:
            metadata["__interrupt"] = ",".join(when)
        graph.nodes[name] = Node(name, name, spec.action, metadata or None)
    # An edge both static and conditional is drawn as the conditional one.
    dotted = {(s, t) for s, t, c, _ in found if c}
    found = {e for e in found if e[2] or (e[0], e[1]) not in dotted}
    # A plain edge to END is no edge to LangGraph's drawing: its node, if it has no other way
    # out, ends the graph below, with the other last nodes (in name order).
    found = {e for e in found if e[2] or e[1] != END}
    for s, t, c, label in sorted(found, key=lambda e: (e[0], e[1], e[2], str(e[3] or ""))):
        graph.add_edge(Edge(s, t, label, c))
    ends = {t for _, t, _, _ in found if t != END} - {s for s, _, _, _ in found}
    for source in sorted(ends):
        graph.add_edge(Edge(source, END))
    if not ends and all(t != END for _, t, _, _ in found):
        # Nothing leads to END (a cycle): like LangGraph, end after the node the 250th step
        # would run, when one node runs alone in it.
        last = _last_step(outgoing)
        if len(last) == 1:
            graph.add_edge(Edge(last[0], END, None, True))
    if xray:
        for name, spec in builder.nodes.items():
            if getattr(spec.action, "builder", None) is not None:
                _expand(graph, name, _build(spec.action, xray - 1))
    return graph


def _last_step(outgoing: dict[str, set[tuple[str, bool, Any]]], limit: int = 250) -> list[str]:
    """The nodes of the last step a run following every edge from START takes, up to ``limit``."""
    step, last = [START], [START]
    for _ in range(-1, limit):
        if not step:
            break
        last = step
        step = sorted({t for s in step for t, _, _ in outgoing.get(s, ()) if t != END})
    return last


def _names(names: Any) -> set[str]:
    if names == "*":
        return {"*"}
    return set(names or ())


def _expand(graph: Graph, name: str, inner: Graph) -> None:
    """Draw ``inner`` in place of node ``name``: its nodes as ``name:node``."""
    if len(inner.nodes) <= 1 or name not in graph.nodes:
        return
    if inner.first_node() is None or inner.last_node() is None:
        return
    for find, ends_at in ((inner.first_node, "source"), (inner.last_node, "target")):
        node = find()
        assert node is not None
        others = find((node.id,))
        if others is not None and sum(getattr(e, ends_at) == node.id for e in inner.edges) == 1:
            inner.nodes.pop(node.id)
            inner.edges = [e for e in inner.edges if node.id not in (e.source, e.target)]
    first, last = inner.first_node(), inner.last_node()
    graph.nodes.pop(name)
    for key, node in inner.nodes.items():
        graph.nodes[f"{name}:{key}"] = node._replace(id=f"{name}:{key}")
    graph.edges += [
        e._replace(source=f"{name}:{e.source}", target=f"{name}:{e.target}") for e in inner.edges
    ]
    for i, e in enumerate(graph.edges):
        if e.source == name and last is not None:
            e = e._replace(source=f"{name}:{last.id}")
        if e.target == name and first is not None:
            e = e._replace(target=f"{name}:{first.id}")
        graph.edges[i] = e
