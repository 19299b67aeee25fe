"""Error handlers of a ``StateGraph``: the nodes that run when a node fails for good.

``add_node("n", fn, error_handler=h)`` adds ``h`` as a node of its own, named
``__error_handler__n``; ``set_node_defaults(error_handler=h)`` adds ``__default_error_handler__``
when the graph compiles and gives it to every node that has no handler of its own (handlers
never handle each other's failures). A handler node has no edges: it runs only when its node
raised (after the node's retries), in the same step, with what the node read; it takes
``error: NodeError`` to learn what failed, and returns an update, or a ``Command`` that also
says where to go next (its update alone does not follow the failed node's edges).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langgraph_lite.graph.node_spec import NodeSpec

if TYPE_CHECKING:
    from langgraph_lite.graph.state import StateGraph

__all__ = [
    "DEFAULT_HANDLER",
    "add_default_handler",
    "add_handler_node",
    "check_handler",
    "check_new_handler",
    "handler_name",
]

DEFAULT_HANDLER = "__default_error_handler__"
"""The node ``set_node_defaults(error_handler=...)`` adds."""


def handler_name(node: str) -> str:
    """The name of the node ``add_node(node, ..., error_handler=...)`` adds."""
    return f"__error_handler__{node}"


def check_handler(handler: Any, where: str) -> None:
    """Refuse an error handler that cannot be run (in LangGraph's words first)."""
    if callable(handler) or hasattr(handler, "invoke"):
        return
    raise TypeError(
        f"Expected a Runnable, callable or dict.Instead got an unsupported type: "
        f"{type(handler)}. {where}: error_handler must be a function (sync or async) taking "
        "the state, and optionally error: NodeError, e.g. "
        "def handler(state, error: NodeError): return {'status': 'failed'}."
    )


def check_new_handler(builder: StateGraph[Any, Any, Any, Any], node: str, handler: Any) -> None:
    """Before ``add_node(node, ..., error_handler=handler)`` changes anything: can it be added?"""
    check_handler(handler, f"add_node({node!r})")
    if handler_name(node) in builder.nodes:
        raise ValueError(
            f"Auto-generated error handler node `{handler_name(node)}` already exists: a node of "
            "that name was added before; rename it."
        )


def add_handler_node(
    builder: StateGraph[Any, Any, Any, Any], node: str, handler: Any, input_schema: Any
) -> None:
    """Add ``node``'s error handler as a node of its own, reading what ``node`` reads."""
    builder.nodes[handler_name(node)] = NodeSpec(
        handler,
        defer=False,
        metadata=None,
        input_schema=input_schema,
        retry_policy=None,
        destinations=None,
        is_error_handler=True,
    )


def add_default_handler(builder: StateGraph[Any, Any, Any, Any]) -> None:
    """At compile: add the default handler's node and give it to the nodes without one."""
    handler = builder._default_handler
    if handler is None:
        return
    existing = builder.nodes.get(DEFAULT_HANDLER)
    if existing is not None and not existing.is_error_handler:
        raise ValueError(
            f"Auto-generated default error handler node `{DEFAULT_HANDLER}` already exists: a "
            "node of the graph has that name, which set_node_defaults(error_handler=...) needs. "
            "Rename that node."
        )
    builder.nodes[DEFAULT_HANDLER] = NodeSpec(
        handler,
        defer=False,
        metadata=None,
        input_schema=None,
        retry_policy=None,
        destinations=None,
        is_error_handler=True,
    )
    for spec in builder.nodes.values():
        if not spec.is_error_handler and spec.error_handler is None:
            spec.error_handler = DEFAULT_HANDLER
