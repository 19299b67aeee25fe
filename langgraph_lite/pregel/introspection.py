"""What a ``Pregel`` graph says about itself: its subgraphs and the JSON schemas of its input
and output (``Pregel`` inherits these; a compiled ``StateGraph`` overrides the schemas with its
state's)."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langgraph_lite.pregel.snapshots import graphs_of
from langgraph_lite.warnings import LangGraphDeprecatedSinceV10

__all__ = ["Introspection"]

NS_SEP = "|"


class Introspection:
    """``get_subgraphs`` / ``aget_subgraphs``, ``aget_graph`` and the JSON-schema accessors."""

    nodes: dict[str, Any]
    channels: dict[str, Any]
    input_channels: str | list[str]
    output_channels: str | list[str]

    def get_subgraphs(
        self, *, namespace: str | None = None, recurse: bool = False
    ) -> Iterator[tuple[str, Any]]:
        """The ``(namespace, graph)`` pairs of the graphs run as nodes of this one.

        ``namespace`` (node names joined by ``|``, e.g. ``"outer|inner"``; no task ids) picks
        one; a nested one needs ``recurse=True``, which also walks into the subgraphs."""
        for name, node in self.nodes.items():
            wanted = namespace is None or namespace == name or namespace.startswith(name + NS_SEP)
            if not wanted:
                continue
            found = graphs_of(node)  # (also a graph the node's function calls)
            if not found:
                continue
            graph = found[0]
            if namespace == name:
                yield name, graph
                return
            if namespace is None:
                yield name, graph
            if recurse and isinstance(graph, Introspection):
                rest = None if namespace is None else namespace[len(name) + 1 :]
                for inner, sub in graph.get_subgraphs(namespace=rest, recurse=True):
                    yield f"{name}{NS_SEP}{inner}", sub

    async def aget_subgraphs(
        self, *, namespace: str | None = None, recurse: bool = False
    ) -> AsyncIterator[tuple[str, Any]]:
        """``get_subgraphs``, as an async iterator."""
        for pair in self.get_subgraphs(namespace=namespace, recurse=recurse):
            yield pair

    async def aget_graph(self, config: Any = None, *, xray: int | bool = False) -> Any:
        """``get_graph`` (the graph's structure, to draw), from async code."""
        get_graph = getattr(self, "get_graph", None)
        if get_graph is None:
            raise NotImplementedError(
                f"{type(self).__name__} has no get_graph(): only graphs built with StateGraph "
                "(or the functional API) can be drawn."
            )
        return get_graph(config, xray=xray)

    def get_input_jsonschema(self, config: Any = None) -> dict[str, Any]:
        """The JSON schema of the input: the input channel's type, or an object of them."""
        return _channels_schema(self.channels, self.input_channels, "LangGraphInput")

    def get_output_jsonschema(self, config: Any = None) -> dict[str, Any]:
        """The JSON schema of what ``invoke`` returns (the output channels' types)."""
        return _channels_schema(self.channels, self.output_channels, "LangGraphOutput")

    def get_input_schema(self, config: Any = None) -> Any:
        """A pydantic model of the input (``.model_json_schema()`` is ``get_input_jsonschema``)."""
        return _channels_model(self.channels, self.input_channels, "LangGraphInput")

    def get_output_schema(self, config: Any = None) -> Any:
        """A pydantic model of what ``invoke`` returns."""
        return _channels_model(self.channels, self.output_channels, "LangGraphOutput")

    @property
    def input_schema(self) -> Any:
        """``get_input_schema()``, as LangGraph's property."""
        return self.get_input_schema()

    @property
    def output_schema(self) -> Any:
        """``get_output_schema()``, as LangGraph's property."""
        return self.get_output_schema()

    def get_context_jsonschema(self) -> dict[str, Any] | None:
        """The JSON schema of the run's ``context``, or None when the graph declares none."""
        schema = getattr(self, "context_schema", None)
        if schema is None:
            return None
        from pydantic import BaseModel, TypeAdapter

        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return schema.model_json_schema()
        try:
            return TypeAdapter(schema).json_schema()
        except Exception as exc:
            raise ValueError(
                f"Invalid context schema type: {schema!r}. Must be a BaseModel, TypedDict or "
                "dataclass."
            ) from exc


    def config_schema(self, *, include: Sequence[str] | None = None) -> Any:
        """Deprecated (LangGraph 1.0): a pydantic model of the run's config, whose
        ``configurable`` is the context schema; ``include`` adds other config keys (``tags``,
        ``recursion_limit``...). Use ``get_context_jsonschema()`` instead."""
        warnings.warn(
            "`config_schema` is deprecated. Use `get_context_jsonschema` for the relevant schema "
            "instead.",
            LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        from pydantic import create_model

        context = getattr(self, "context_schema", None)
        fields: dict[str, Any] = {"configurable": (context, None)} if context is not None else {}
        for key in include or ():
            if key != "configurable" and key in _CONFIG_KEYS:
                fields[key] = (_CONFIG_KEYS[key], None)
        name = getattr(self, "name", None) or "LangGraph"
        # As LangChain names it: "LangGraphConfig", or "my_graph_config" for a lowercase name.
        title = f"{name}Config" if name[:1].isupper() else f"{name}_config"
        return create_model(title, **fields)

    def get_config_jsonschema(self, *, include: Sequence[str] | None = None) -> dict[str, Any]:
        """Deprecated (LangGraph 1.0): the JSON schema of ``config_schema()``. Use
        ``get_context_jsonschema()`` instead."""
        warnings.warn(
            "`get_config_jsonschema` is deprecated. Use `get_context_jsonschema` instead.",
            LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LangGraphDeprecatedSinceV10)
            schema: dict[str, Any] = self.config_schema(include=include).model_json_schema()
        return schema


# The keys of a run's config (LangChain's RunnableConfig) that config_schema(include=) adds.
_CONFIG_KEYS: dict[str, Any] = {
    "tags": list[str],
    "metadata": dict[str, Any],
    "run_name": str,
    "max_concurrency": int | None,
    "recursion_limit": int,
    "run_id": uuid.UUID | None,
}


def _channels_schema(channels: dict[str, Any], keys: str | list[str], title: str) -> dict[str, Any]:
    schema: dict[str, Any] = _channels_model(channels, keys, title).model_json_schema()
    return schema


def _channels_model(channels: dict[str, Any], keys: str | list[str], title: str) -> Any:
    from pydantic import RootModel, create_model

    if isinstance(keys, str):  # one channel: its value is the input itself
        return type(title, (RootModel[_value_type(channels[keys])],), {})  # type: ignore[misc,arg-type]
    fields: dict[str, Any] = {k: (_value_type(channels[k]), None) for k in keys}
    return create_model(title, **fields)


def _value_type(channel: Any) -> Any:
    typ = getattr(channel, "ValueType", Any)
    return Any if typ is None else typ
