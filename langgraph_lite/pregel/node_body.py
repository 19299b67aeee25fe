"""A node's body: the user code it calls, and the graphs that code runs.

A body step is a plain function (sync or async) or a Runnable with ``invoke`` / ``ainvoke`` (a
compiled graph, for one). What each step needs is decided once, when the node is built, so a
call does no inspection.
"""

from __future__ import annotations

import dis
import inspect
import sys
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from langgraph_lite.errors import ErrorCode, NodeError, create_error_message
from langgraph_lite.pregel.protocol import PregelProtocol
from langgraph_lite.pregel.spec import GraphSpec

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task

__all__ = ["Step", "graph_reached", "is_graph", "is_runnable", "is_subgraph", "plain_code"]


def is_runnable(obj: Any) -> bool:
    """Whether ``obj`` runs through its ``invoke`` / ``ainvoke`` rather than being called.

    As in LangGraph, which calls anything callable that is not a Runnable: a ``Mock`` (which
    answers every attribute, ``invoke`` too) or a user's class with both ``__call__`` and
    ``invoke`` is called. Runnables are LangChain's, and ours that stand for LangGraph's
    (compiled graphs, ``ToolNode``); an object that cannot be called but has ``invoke`` is
    invoked too."""
    if type(obj) is types.FunctionType or inspect.isroutine(obj) or not hasattr(obj, "invoke"):
        return False
    if not callable(obj):
        return True
    kind = type(obj)
    if getattr(kind, "invoke", None) is None:  # only the instance answers (a Mock)
        return False
    if kind.__module__.startswith("langgraph_lite."):
        return True
    # A LangChain Runnable can only be here if LangChain was imported: no import needed.
    lc = sys.modules.get("langchain_core.runnables.base")
    return lc is not None and isinstance(obj, lc.Runnable)


class Step:
    __slots__ = (
        "afunc",
        "func",
        "is_async",
        "name",
        "obj",
        "wants_config",
        "wants_error",
        "wants_runtime",
        "wants_store",
        "wants_writer",
    )

    def __init__(self, obj: Any, node_name: str | None) -> None:
        self.obj = obj
        self.name = getattr(obj, "__name__", None) or type(obj).__name__
        self.func: Callable[..., Any] | None = None
        self.afunc: Callable[..., Any] | None = None
        if is_runnable(obj):
            self.func = obj.invoke
            self.afunc = getattr(obj, "ainvoke", None)
            self.wants_config, self.wants_writer, self.wants_runtime = True, False, False
            self.wants_store = False
            self.wants_error = False
            self.is_async = False
            return
        if not callable(obj):
            where = f"node {node_name!r}" if node_name else "NodeBuilder.do()"
            raise TypeError(
                create_error_message(
                    message=(
                        f"{where} got {obj!r} ({type(obj).__name__}), which is not callable. "
                        "Pass a function (sync or async) or an object with an invoke() method."
                    ),
                    error_code=ErrorCode.INVALID_NODE,
                )
            )
        self.is_async = inspect.iscoroutinefunction(obj) or (
            type(obj) is not types.FunctionType  # (a function's __call__ is a method-wrapper)
            and inspect.iscoroutinefunction(getattr(obj, "__call__", None))  # noqa: B004 - async callable objects
        )
        if self.is_async:
            self.afunc = obj
        else:
            self.func = obj
        named, error = _keyword_parameters(obj)
        self.wants_config = "config" in named
        self.wants_writer = "writer" in named
        self.wants_runtime = "runtime" in named
        self.wants_store = "store" in named
        # As LangGraph: a parameter ``error`` annotated NodeError gets what an error handler
        # handles (None in a node that is not one).
        self.wants_error = "error" in named and (error is NodeError or error == "NodeError")

    def kwargs(self, task: Task) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        if self.wants_config:
            kw["config"] = task.config
        if self.wants_writer:
            kw["writer"] = task.writer
        if self.wants_runtime:
            kw["runtime"] = task.runtime
        if self.wants_store:
            kw["store"] = getattr(task.run, "store", None)
        if self.wants_error:
            kw["error"] = getattr(task, "node_error", None)
        return kw


_BY_NAME = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def plain_code(fn: Any) -> types.CodeType | None:
    """The code object of ``fn`` when it is a plain function whose signature is its code's (not
    wrapped, no ``__signature__``): its parameters are then read from the code object (and
    ``__annotations__``) at a tenth of the cost of ``inspect.signature``, which a graph calls
    for every node it builds; None for anything else."""
    if type(fn) is not types.FunctionType:
        return None
    attrs = fn.__dict__
    if "__wrapped__" in attrs or "__signature__" in attrs:
        return None
    return fn.__code__


def _keyword_parameters(obj: Any) -> tuple[frozenset[str], Any]:
    """The names of ``obj``'s parameters that can be passed by keyword, and the annotation of
    its ``error`` parameter (None if it has none, or none passed by keyword)."""
    code = plain_code(obj)
    if code is not None:
        first = code.co_posonlyargcount
        last = code.co_argcount + code.co_kwonlyargcount
        names = frozenset(code.co_varnames[first:last])
        return names, obj.__annotations__.get("error") if "error" in names else None
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return frozenset(), None
    named = frozenset(name for name, p in params.items() if p.kind in _BY_NAME)
    if "error" not in named:
        return named, None
    annotation = params["error"].annotation
    return named, None if annotation is inspect.Parameter.empty else annotation


def is_graph(obj: Any) -> bool:
    return isinstance(getattr(obj, "spec", None), GraphSpec)


def is_subgraph(obj: Any) -> bool:
    """A compiled graph, or one that runs elsewhere (a ``RemoteGraph``), as LangGraph counts
    a node's subgraphs."""
    return is_graph(obj) or isinstance(obj, PregelProtocol)


# Values whose attributes cannot lead to a graph: when a function reaches nothing else, its code
# is not read at all. Matched by exact type (a subclass of list may carry an attribute).
_LEAVES = frozenset((int, float, complex, bool, str, bytes, bytearray, list, tuple, dict, set,
                     frozenset, type(None)))  # fmt: skip


def graph_reached(fn: Any) -> Any:
    """The first compiled graph ``fn`` may run, or None: LangGraph's rule for a node whose
    function calls a graph (``inner.invoke(state)``), so that the graph's state can be read
    as a subgraph's.

    Reached are every value ``fn`` closes over (used or not: over-counting costs an entry in
    ``get_subgraphs``, missing one loses a subgraph's state), the globals ``fn`` itself names,
    and each value along an attribute chain (``holder.box.graph``) that ``fn`` or code nested in
    it loads from those. A bound method is its function; a wrapper with ``__wrapped__`` is what
    it wraps. Graphs compiled with ``checkpointer=False`` keep no state: they do not count.
    """
    fn = getattr(fn, "__func__", fn)
    wrapped = getattr(fn, "__wrapped__", None)
    if callable(wrapped):
        fn = getattr(wrapped, "__func__", wrapped)
    if not isinstance(fn, types.FunctionType):
        return None
    try:
        values = _values_reached(fn)
    except Exception:  # an attribute that raises when read: nothing found, as in LangGraph
        return None
    for value in values:
        value = getattr(value, "__self__", value)  # ``graph.invoke`` -> graph
        if is_graph(value) and getattr(value, "subgraph_checkpointer", None) is not False:
            return value
    return None


def _values_reached(fn: types.FunctionType) -> list[Any]:
    code = fn.__code__
    cells: dict[str, Any] = {}
    for name, cell in zip(code.co_freevars, fn.__closure__ or (), strict=False):
        try:
            cells[name] = cell.cell_contents
        except ValueError:  # a cell never filled (its variable is assigned after a return)
            continue
    found = list(cells.values())
    module = fn.__globals__
    named = {name: module[name] for name in code.co_names if name in module}
    if all(type(v) in _LEAVES for v in (*found, *named.values())):
        return found
    codes = [code]
    for c in codes:  # nested defs, lambdas and comprehensions resolve against the same names
        codes.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
        value: Any = None
        for instruction in dis.get_instructions(c):
            op = instruction.opname
            if op == "LOAD_GLOBAL":
                value = named.get(instruction.argval)
            elif op == "LOAD_DEREF":
                value = cells.get(instruction.argval)
            elif op in ("LOAD_ATTR", "LOAD_METHOD"):
                value = None if value is None else getattr(value, instruction.argval, None)
            else:  # anything else ends a chain: in ``a, b.c`` there is no ``a.c``
                value = None
            if value is not None:
                found.append(value)
    return found


def call_in_context(func: Callable[..., Any], value: Any, kw: dict[str, Any]) -> Any:
    return func(value, **kw)
