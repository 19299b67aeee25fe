"""The picture of a graph: ``Node``, ``Edge`` and ``Graph``, and how a ``Graph`` is drawn.

``Node`` and ``Edge`` are named tuples with LangChain's fields, so they compare equal to
LangChain's ``langchain_core.runnables.graph`` ones. Whoever builds a picture (a state graph's
builder, ``graph/draw.py``; a graph on a server, ``pregel/remote.py``) fills a ``Graph``; this
module draws it as Mermaid or text, as LangGraph does: top-level nodes, then edges grouped by
namespace (ids ``parent:child``) into Mermaid ``subgraph`` blocks, ids escaped so that any node
name is a valid Mermaid id.
"""

from __future__ import annotations

import inspect
import string
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from langgraph_lite.constants import END

__all__ = ["Edge", "Graph", "Node"]


class Node(NamedTuple):
    """A node of the picture."""

    id: str
    name: str
    data: Any = None
    metadata: dict[str, Any] | None = None


class Edge(NamedTuple):
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
