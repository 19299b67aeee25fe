"""Pictures of a compiled graph: ``get_graph().draw_mermaid()`` and ``draw_ascii()``.

The picture is drawn from the builder's edges, walking from START: a node reached that has no
edge out is drawn leading to END; conditional edges are dotted, labelled with the path-map key
when it differs from the target. With ``xray``, nodes that are compiled graphs are drawn with
their own nodes inside (ids ``parent:child``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langgraph_lite.graph.branch import END, START

if TYPE_CHECKING:
    from langgraph_lite.graph.state import CompiledStateGraph, StateGraph

__all__ = ["Edge", "Graph", "Node", "graph_of"]


@dataclass(frozen=True)
class Node:
    """A node of the picture."""

    id: str
    name: str
    data: Any = None
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class Edge:
    """An edge of the picture; ``data`` is its label, ``conditional`` makes it dotted."""

    source: str
    target: str
    data: Any = None
    conditional: bool = False


@dataclass
class Graph:
    """A graph's structure: ``nodes`` by id and ``edges``, ready to draw."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def first_node(self) -> Node | None:
        """The one node no edge leads into, if there is exactly one."""
        targets = {e.target for e in self.edges}
        found = [n for n in self.nodes.values() if n.id not in targets]
        return found[0] if len(found) == 1 else None

    def last_node(self) -> Node | None:
        """The one node no edge leaves, if there is exactly one."""
        sources = {e.source for e in self.edges}
        found = [n for n in self.nodes.values() if n.id not in sources]
        return found[0] if len(found) == 1 else None

    def draw_mermaid(self, *, curve_style: str = "linear") -> str:
        """The graph as a Mermaid flowchart."""
        first, last = self.first_node(), self.last_node()
        lines = ["---", "config:", "  flowchart:", f"    curve: {curve_style}", "---", "graph TD;"]
        for node in self.nodes.values():
            label = f"<p>{node.name}</p>" if node.id in (START, END) else node.name
            if first is not None and node.id == first.id:
                lines.append(f"\t{_mid(node.id)}([{label}]):::first")
            elif last is not None and node.id == last.id:
                lines.append(f"\t{_mid(node.id)}([{label}]):::last")
            else:
                lines.append(f"\t{_mid(node.id)}({label})")
        for e in sorted(self.edges, key=lambda e: (e.source, e.target)):
            src, dst = _mid(e.source), _mid(e.target)
            if e.conditional and e.data is not None:
                lines.append(f"\t{src} -. &nbsp;{e.data}&nbsp; .-> {dst};")
            elif e.conditional:
                lines.append(f"\t{src} -.-> {dst};")
            else:
                lines.append(f"\t{src} --> {dst};")
        lines += [
            "\tclassDef default fill:#f2f0ff,line-height:1.2",
            "\tclassDef first fill-opacity:0",
            "\tclassDef last fill:#bfb6fc",
            "",
        ]
        return "\n".join(lines)

    def draw_ascii(self) -> str:
        """The graph as text: each node, then the edges that leave it.

        ``-->`` is an edge, ``..>`` a conditional edge (with its label in brackets).
        """
        out: list[str] = []
        by_source: dict[str, list[Edge]] = {}
        for e in self.edges:
            by_source.setdefault(e.source, []).append(e)
        width = max((len(n.name) for n in self.nodes.values()), default=0)
        for node in self.nodes.values():
            edges = sorted(by_source.get(node.id, []), key=lambda e: e.target)
            box = f"[ {node.name:<{width}} ]"
            if not edges:
                out.append(box)
                continue
            for i, e in enumerate(edges):
                arrow = "..>" if e.conditional else "-->"
                label = f" ({e.data})" if e.conditional and e.data is not None else ""
                lead = box if i == 0 else " " * len(box)
                out.append(f"{lead} {arrow} {self.nodes[e.target].name}{label}")
        return "\n".join(out) + "\n"

    def print_ascii(self) -> None:
        print(self.draw_ascii())


def _mid(node_id: str) -> str:
    return node_id.replace(":", "_")


def graph_of(
    compiled: CompiledStateGraph[Any, Any, Any, Any], *, xray: int | bool = False
) -> Graph:
    """The picture of a compiled state graph."""
    return _build(compiled.builder, xray=int(xray), prefix="")


def _outgoing(builder: StateGraph[Any, Any, Any, Any]) -> dict[str, list[Edge]]:
    out: dict[str, list[Edge]] = {}
    for s, e in builder.edges:
        out.setdefault(s, []).append(Edge(s, e))
    for starts, e in builder.waiting_edges:
        for s in starts:
            out.setdefault(s, []).append(Edge(s, e))
    for source, branches in builder.branches.items():
        for branch in branches.values():
            if branch.path_map is not None:
                for key, target in branch.path_map.items():
                    label = None if str(key) == target else str(key)
                    out.setdefault(source, []).append(Edge(source, target, label, True))
            elif branch.ends is not None:
                for target in branch.ends:
                    out.setdefault(source, []).append(Edge(source, target, None, True))
    for node, spec in builder.nodes.items():
        dests = spec.destinations
        if dests:
            items = dests.items() if isinstance(dests, dict) else ((d, None) for d in dests)
            for target, label in items:
                out.setdefault(node, []).append(Edge(node, target, label, True))
    return out


def _build(builder: StateGraph[Any, Any, Any, Any], *, xray: int, prefix: str) -> Graph:
    graph = Graph()
    outgoing = _outgoing(builder)
    graph.nodes[START] = Node(START, START)
    for name, spec in builder.nodes.items():
        graph.nodes[name] = Node(name, name, spec.action, spec.metadata)
    graph.nodes[END] = Node(END, END)
    seen = {START}
    stack = [START]
    while stack:
        source = stack.pop()
        edges = outgoing.get(source, [])
        if not edges and source != END:
            edges = [Edge(source, END)]
        for e in edges:
            if e not in graph.edges:
                graph.edges.append(e)
            if e.target not in seen:
                seen.add(e.target)
                stack.append(e.target)
    if xray:
        graph = _expand(graph, builder, xray)
    return graph


def _expand(graph: Graph, builder: StateGraph[Any, Any, Any, Any], depth: int) -> Graph:
    """Replace nodes that are compiled state graphs with their own nodes, ``depth`` levels."""
    for name, spec in builder.nodes.items():
        sub = getattr(spec.action, "builder", None)
        if sub is None:
            continue
        inner = _build(sub, xray=depth - 1, prefix=name)
        rename = {k: f"{name}:{k}" for k in inner.nodes if k not in (START, END)}
        del graph.nodes[name]
        for k in rename:
            graph.nodes[rename[k]] = Node(rename[k], rename[k], inner.nodes[k].data)
        firsts = [e.target for e in inner.edges if e.source == START]
        lasts = [e.source for e in inner.edges if e.target == END]
        edges: list[Edge] = []
        for e in graph.edges:
            if e.target == name:
                edges += [Edge(e.source, rename.get(f, f), e.data, e.conditional) for f in firsts]
            elif e.source == name:
                edges += [Edge(rename.get(s, s), e.target, e.data, e.conditional) for s in lasts]
            else:
                edges.append(e)
        for e in inner.edges:
            if e.source != START and e.target != END:
                edges.append(Edge(rename[e.source], rename[e.target], e.data, e.conditional))
        graph.edges = edges
    return graph
