"""Pictures of a compiled graph: ``get_graph().draw_mermaid()`` and ``draw_ascii()``.

The picture is drawn from the builder, walking from START, and comes out as LangGraph draws the
same graph: the edges found (static, conditional, and the ``destinations`` or
``Command[Literal[...]]`` of nodes that route themselves) sorted by source, target, kind and
label; then an edge to END from every node reached that has no edge out. Conditional edges are
dotted and labelled with the path-map key when it differs from the target. With ``xray``, a node
that is a compiled graph is replaced by its own nodes (ids ``parent:child``), drawn inside a
Mermaid ``subgraph`` block; ids are escaped so that any node name is a valid Mermaid id.
"""

from __future__ import annotations

import inspect
import string
import types
import typing
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from langgraph_lite.constants import END, START
from langgraph_lite.types import Command

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


_HEADER = "---\nconfig:\n  flowchart:\n    curve: {curve}\n---\ngraph TD;\n"
_STYLES = (
    "\tclassDef default fill:#f2f0ff,line-height:1.2\n"
    "\tclassDef first fill-opacity:0\n"
    "\tclassDef last fill:#bfb6fc\n"
)
_SAFE_ID_CHARS = frozenset(string.ascii_letters + string.digits + "_-")
_MARKDOWN = tuple("*_`")
_LABEL_ESCAPES = {c: f"#{ord(c)};" for c in '[](){}"<>|'}


@dataclass
class Graph:
    """A graph's structure: ``nodes`` by id and ``edges``, ready to draw."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def first_node(self, exclude: tuple[str, ...] = ()) -> Node | None:
        """The one node no edge leads into, if there is exactly one."""
        targets = {e.target for e in self.edges if e.source not in exclude}
        found = [n for n in self.nodes.values() if n.id not in exclude and n.id not in targets]
        return found[0] if len(found) == 1 else None

    def last_node(self, exclude: tuple[str, ...] = ()) -> Node | None:
        """The one node no edge leaves, if there is exactly one."""
        sources = {e.source for e in self.edges if e.target not in exclude}
        found = [n for n in self.nodes.values() if n.id not in exclude and n.id not in sources]
        return found[0] if len(found) == 1 else None

    def add_edge(self, edge: Edge) -> None:
        """Add ``edge`` unless one already joins the same two nodes."""
        if any(e.source == edge.source and e.target == edge.target for e in self.edges):
            return
        if edge.target == END and END not in self.nodes:
            self.nodes[END] = Node(END, END)
        self.edges.append(edge)

    def to_json(self, *, with_schemas: bool = False) -> dict[str, list[dict[str, Any]]]:
        """The picture as JSON-ready dicts, in LangChain's ``Graph.to_json`` shape: ``nodes``
        (``id``; ``type`` "runnable" and ``data`` {``id``: where its code lives, ``name``}
        unless it is ``__end__``; ``metadata`` if any) and ``edges`` (``source``, ``target``;
        ``data`` for a label, ``conditional: True`` for a conditional edge). ``with_schemas``
        changes nothing: the picture holds no schema nodes."""
        nodes: list[dict[str, Any]] = []
        for node in self.nodes.values():
            entry: dict[str, Any] = {"id": node.id}
            if node.id != END:
                entry["type"] = "runnable"
                entry["data"] = {"id": _code_path(node.data), "name": node.id}
            if node.metadata is not None:
                entry["metadata"] = node.metadata
            nodes.append(entry)
        edges: list[dict[str, Any]] = []
        for edge in self.edges:
            shown: dict[str, Any] = {"source": edge.source, "target": edge.target}
            if edge.data is not None:
                shown["data"] = edge.data
            if edge.conditional:
                shown["conditional"] = True
            edges.append(shown)
        return {"nodes": nodes, "edges": edges}

    def draw_mermaid(
        self,
        *,
        with_styles: bool = True,
        curve_style: Any = "linear",
        wrap_label_n_words: int = 9,
    ) -> str:
        """The graph as a Mermaid flowchart, as LangGraph draws it."""
        return _Mermaid(self, with_styles, wrap_label_n_words).draw(
            getattr(curve_style, "value", curve_style)
        )

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
        """Print ``draw_ascii()``."""
        print(self.draw_ascii())


def _safe_id(node_id: str) -> str:
    # Every character Mermaid ids cannot hold becomes a backslash and its hex code point, so
    # distinct names stay distinct ids: "c.d" -> "c\2ed", "sub:a" -> "sub\3aa".
    return "".join(c if c in _SAFE_ID_CHARS else f"\\{ord(c):x}" for c in node_id)


def _prefix_of(edge: Edge) -> str:
    # The namespace parts the two ends share, position by position (as LangGraph groups them).
    pairs = zip(edge.source.split(":"), edge.target.split(":"), strict=False)
    return ":".join(a for a, b in pairs if a == b)


def _code_path(data: Any) -> list[str]:
    """Where a node's code lives, as a path: a function's module and name, else its class's."""
    if data is None:  # (__start__: the engine's own input step)
        return ["langgraph_lite", "constants", "START"]
    named = data if inspect.isfunction(data) or inspect.ismethod(data) else type(data)
    module = getattr(named, "__module__", None) or "builtins"
    return [*module.split("."), getattr(named, "__qualname__", repr(named))]


class _Mermaid:
    """Renders a ``Graph``: top-level nodes, then edges grouped by namespace into subgraphs."""

    def __init__(self, graph: Graph, with_styles: bool, wrap: int) -> None:
        self.graph = graph
        self.with_styles = with_styles
        self.wrap = wrap
        first, last = graph.first_node(), graph.last_node()
        self.first = first.id if first else None
        self.last = last.id if last else None
        self.nested: dict[str, dict[str, Node]] = {}  # namespace -> its own nodes
        for key, node in graph.nodes.items():
            if ":" in key:
                self.nested.setdefault(key.rsplit(":", 1)[0], {})[key] = node
        self.groups: dict[str, list[Edge]] = {}
        for e in graph.edges:
            self.groups.setdefault(_prefix_of(e), []).append(e)
        self.seen: set[str] = set()
        self.out: list[str] = []

    def draw(self, curve: str) -> str:
        self.out.append(_HEADER.format(curve=curve) if self.with_styles else "graph TD;\n")
        if self.with_styles:
            for key, node in self.graph.nodes.items():
                if ":" not in key:
                    self.node(key, node)
        self.block(self.groups.get("", []), "")
        for prefix, edges in self.groups.items():
            if prefix and ":" not in prefix:
                self.block(edges, prefix)
                self.seen.add(prefix)
        if self.with_styles:
            for prefix, nodes in self.nested.items():
                if ":" not in prefix and prefix not in self.seen:
                    self.out.append(f"\tsubgraph {prefix}\n")
                    for key, node in nodes.items():
                        self.node(key, node)
                    self.out.append("\tend\n")
            self.out.append(_STYLES)
        return "".join(self.out)

    def node(self, key: str, node: Node) -> None:
        name = node.name.split(":")[-1]
        label = (
            f"<p>{name}</p>" if name.startswith(_MARKDOWN) and name.endswith(_MARKDOWN) else name
        )
        shown = (_metadata_line(k, v) for k, v in (node.metadata or {}).items())
        lines = [line for line in shown if line is not None]
        if lines:
            label += "<hr/><small><em>" + "\n".join(lines) + "</em></small>"
        if key == self.first:
            self.out.append(f"\t{_safe_id(key)}([{label}]):::first\n")
        elif key == self.last:
            self.out.append(f"\t{_safe_id(key)}([{label}]):::last\n")
        else:
            self.out.append(f"\t{_safe_id(key)}({label})\n")

    def block(self, edges: list[Edge], prefix: str) -> None:
        self_loop = len(edges) == 1 and edges[0].source == edges[0].target
        boxed = bool(prefix) and not self_loop
        if boxed:
            name = prefix.rsplit(":", 1)[-1]
            if name in self.seen:
                raise ValueError(
                    f"two subgraphs are both drawn as {name!r}: a compiled graph is used as a "
                    "node under the same name twice. Give the nodes different names."
                )
            self.seen.add(name)
            self.out.append(f"\tsubgraph {name}\n")
            if self.with_styles:
                for key, node in self.nested.get(prefix, {}).items():
                    self.node(key, node)
        for e in edges:
            self.out.append(f"\t{_safe_id(e.source)}{self.arrow(e)}{_safe_id(e.target)};\n")
        for nested, inner in self.groups.items():
            rest = nested[len(prefix) + 1 :]
            if nested.startswith(prefix + ":") and nested != prefix and ":" not in rest:
                self.block(inner, nested)
        if boxed:
            self.out.append("\tend\n")

    def arrow(self, e: Edge) -> str:
        if e.data is None:
            return " -.-> " if e.conditional else " --> "
        words = str(e.data).split()
        text = str(e.data)
        if len(words) > self.wrap:
            text = "&nbsp<br>&nbsp".join(
                " ".join(words[i : i + self.wrap]) for i in range(0, len(words), self.wrap)
            )
        return f" -. &nbsp;{text}&nbsp; .-> " if e.conditional else f" -- &nbsp;{text}&nbsp; --> "


def _metadata_line(key: str, value: Any) -> str | None:
    scalars = (str, int, float, bool)
    if isinstance(value, scalars):
        shown = str(value)
    elif isinstance(value, list | tuple | set) and all(isinstance(v, scalars) for v in value):
        items = [str(v) for v in value]
        shown = ", ".join(sorted(items) if isinstance(value, set) else items)
    else:
        return None
    text = f"{key} = {shown}".replace("#", "#35;")
    for char, entity in _LABEL_ESCAPES.items():
        text = text.replace(char, entity)
    return text


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
        graph.nodes[f"{name}:{key}"] = replace(node, id=f"{name}:{key}")
    graph.edges += [
        replace(e, source=f"{name}:{e.source}", target=f"{name}:{e.target}") for e in inner.edges
    ]
    for i, e in enumerate(graph.edges):
        if e.source == name and last is not None:
            e = replace(e, source=f"{name}:{last.id}")
        if e.target == name and first is not None:
            e = replace(e, target=f"{name}:{first.id}")
        graph.edges[i] = e
