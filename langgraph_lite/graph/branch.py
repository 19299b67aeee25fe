"""Conditional edges: a function of the state that picks the next node(s) or ``Send``s."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.constants import END, START
from langgraph_lite.errors import ErrorCode, InvalidUpdateError, create_error_message
from langgraph_lite.graph.schema import first_param_schema
from langgraph_lite.pregel.algo import TASKS
from langgraph_lite.types import Send

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task

__all__ = ["END", "START", "Branch", "InvalidRouteError", "branch_channel"]


class InvalidRouteError(InvalidUpdateError, KeyError, ValueError):
    """A conditional edge returned a value that leads nowhere.

    Also a ``KeyError`` (a value missing from the ``path_map``) and a ``ValueError`` (no
    destination), the types LangGraph raises for these, so existing handlers still match.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def branch_channel(node: str) -> str:
    """The channel whose write triggers ``node``."""
    return f"branch:to:{node}"


class Branch:
    """One ``add_conditional_edges(source, path, path_map)`` call."""

    __slots__ = ("ends", "input_schema", "name", "path", "path_map", "source", "wants_config")

    def __init__(
        self,
        source: str,
        path: Callable[..., Any],
        path_map: Mapping[Hashable, str] | Sequence[str] | None = None,
    ) -> None:
        if not callable(path):
            raise TypeError(
                f"add_conditional_edges({source!r}, ...) needs a function of the state that "
                f"returns the next node's name, got {path!r}."
            )
        self.source = source
        self.path = path
        self.name = getattr(path, "__name__", type(path).__name__)
        if path_map is None:
            self.path_map: dict[Hashable, str] | None = None
        elif isinstance(path_map, Mapping):
            self.path_map = dict(path_map)
        else:
            self.path_map = {name: name for name in path_map}
        # Where the edge may lead, for validation and drawing: the map's values, or the names
        # in a Literal return annotation.
        self.ends: list[str] | None = (
            list(self.path_map.values()) if self.path_map is not None else _literal_ends(path)
        )
        try:
            params = inspect.signature(path).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        self.wants_config = "config" in params
        # A path function annotated with its own schema reads that schema's keys, which may be
        # keys only it declares (written by the source node, read by nothing else).
        self.input_schema = first_param_schema(path)

    def writes(self, state: Any, task: Task, nodes: Collection[str]) -> list[tuple[str, Any]]:
        """The writes that send the run where ``path(state)`` says."""
        result = self._call(state, task)
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if close is not None:
                close()
            raise TypeError(
                f"the path function {self.name!r} of the conditional edge from {self.source!r} "
                "is async: run the graph with ainvoke()/astream(), and update its state with "
                "aupdate_state()."
            )
        return self._route(result, nodes)

    async def awrites(
        self, state: Any, task: Task, nodes: Collection[str]
    ) -> list[tuple[str, Any]]:
        """``writes``, awaiting an async path function."""
        result = self._call(state, task)
        if inspect.isawaitable(result):
            result = await result
        return self._route(result, nodes)

    def _call(self, state: Any, task: Task) -> Any:
        return self.path(state, config=task.config) if self.wants_config else self.path(state)

    def _route(self, result: Any, nodes: Collection[str]) -> list[tuple[str, Any]]:
        destinations = result if isinstance(result, list | tuple) else [result]
        out: list[tuple[str, Any]] = []
        for dest in destinations:
            if isinstance(dest, Send):
                out.append((TASKS, dest))
                continue
            if dest is None:
                raise InvalidRouteError(
                    create_error_message(
                        message=(
                            f"the conditional edge from {self.source!r} returned None; its path "
                            f"function {self.name!r} must return a node name, END, a list of "
                            "them, or Send objects."
                        ),
                        error_code=ErrorCode.INVALID_GRAPH_NODE_RETURN_VALUE,
                    )
                )
            if self.path_map is not None:
                try:
                    dest = self.path_map[dest]
                except (KeyError, TypeError):
                    raise InvalidRouteError(
                        create_error_message(
                            message=(
                                f"the conditional edge from {self.source!r} returned {dest!r}, "
                                f"which its path_map does not have (keys: "
                                f"{', '.join(map(repr, self.path_map))}). Add it to the "
                                f"path_map, or return one of those keys from {self.name!r}."
                            ),
                            error_code=ErrorCode.INVALID_GRAPH_NODE_RETURN_VALUE,
                        )
                    ) from None
            if dest == END:
                continue
            if dest not in nodes:
                raise InvalidUpdateError(
                    create_error_message(
                        message=(
                            f"the conditional edge from {self.source!r} returned {dest!r}, "
                            f"which is not a node of this graph (nodes: "
                            f"{', '.join(map(repr, nodes))}). Return a node name, END, or "
                            "Send objects."
                        ),
                        error_code=ErrorCode.INVALID_GRAPH_NODE_RETURN_VALUE,
                    )
                )
            out.append((branch_channel(dest), None))
        return out


def _literal_ends(path: Callable[..., Any]) -> list[str] | None:
    try:
        hints = typing.get_type_hints(path)
    except Exception:
        return None
    ret = hints.get("return")
    if typing.get_origin(ret) is typing.Literal:
        return [str(a) for a in typing.get_args(ret)]
    return None
