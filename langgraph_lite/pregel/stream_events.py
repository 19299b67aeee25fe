"""``stream_events`` / ``astream_events`` (``version="v3"``): a run as typed projections.

A v3 run is an ordinary ``stream(..., version="v2", subgraphs=True)`` run whose parts go
through a ``StreamMux`` (see ``langgraph_lite.stream``). Which stream modes the run asks the
graph for is the union of what its transformers declare, nothing more. The transformers are
the built-ins, then the graph's ``stream_transformers`` (``compile(transformers=...)``), then
the call's ``transformers=``; each is a factory ``factory(scope)``, never an instance, because
a subgraph handle builds its own set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langgraph_lite._internal._constants import CONF, CONFIG_KEY_STREAM_MESSAGES_V2
from langgraph_lite.config import current_task
from langgraph_lite.pregel.arguments import _merge_config, inherit_config
from langgraph_lite.stream import transformers as builtin
from langgraph_lite.stream._mux import StreamMux, TransformerFactory
from langgraph_lite.stream._types import StreamTransformer
from langgraph_lite.stream.run_stream import AsyncGraphRunStream, GraphRunStream

__all__ = ["StreamEvents"]

# v3 sets these itself: stream_mode is what the transformers need, subgraphs is always on
# (subgraph handles are built from the nested namespaces).
_V3_INVARIANT_KWARGS = ("stream_mode", "subgraphs")

# The built-ins every v3 run registers first, in this order, by name in
# langgraph_lite.stream.transformers (a name not there yet is skipped).
_BUILTINS = (
    "ValuesTransformer",
    "MessagesTransformer",
    "LifecycleTransformer",
    "SubgraphTransformer",
)


def _builtin_factories() -> list[TransformerFactory]:
    found = (getattr(builtin, name, None) for name in _BUILTINS)
    return [factory for factory in found if factory is not None]


def _normalize_stream_transformer_factories(
    specs: Sequence[Callable[[tuple[str, ...]], Any]] | None,
) -> list[TransformerFactory]:
    """Check that each transformer spec is a factory ``spec(scope)`` (a class is one)."""
    factories: list[TransformerFactory] = []
    for spec in specs or ():
        if isinstance(spec, StreamTransformer):
            raise TypeError(
                "stream_events(version='v3') transformers must be scope-aware callables, got "
                f"pre-built instance {type(spec).__name__}. Pass the transformer class or a "
                f"factory like `lambda scope: {type(spec).__name__}(scope, ...)`: each "
                "subgraph gets its own instance."
            )
        if not callable(spec):
            raise TypeError(
                "stream_events(version='v3') transformers must be scope-aware callables, got "
                f"{type(spec).__name__} {spec!r:.60}. Pass a StreamTransformer subclass or "
                "`lambda scope: MyTransformer(scope, ...)`."
            )
        factories.append(spec)
    return factories


def _check_call(version: str, kwargs: Mapping[str, Any]) -> None:
    if version not in ("v1", "v2", "v3"):
        raise ValueError(
            f"stream_events / astream_events take version='v1', 'v2' or 'v3', got {version!r}."
        )
    given = [k for k in _V3_INVARIANT_KWARGS if k in kwargs and version == "v3"]
    if given:
        raise TypeError(
            "stream_events(version='v3') / astream_events(version='v3') do not accept "
            f"{', '.join(given)}; v3 sets them itself (stream_mode is what the registered "
            "transformers need, subgraphs is always on so subgraph events reach their "
            "handles). Register a transformer to get another stream mode."
        )


def _parent_scope(config: Mapping[str, Any] | None) -> tuple[str, ...]:
    # A v3 run started inside a node runs under that node's namespace; its projections keep
    # to that level, which is where its own parts arrive.
    parent = current_task.get()
    run_config = _merge_config(config) if parent is None else inherit_config(parent.config, config)
    ns = run_config.get("configurable", {}).get("checkpoint_ns")
    return tuple(ns.split("|")) if ns else ()


def _modes(mux: StreamMux) -> list[str]:
    modes: list[str] = []
    for transformer in mux._transformers:
        for mode in getattr(transformer, "required_stream_modes", ()):
            if mode not in modes:
                modes.append(mode)
    return modes


def _v3_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    # Chat models in this run stream protocol events (message-start, content-block-delta, ...)
    # on the messages mode, which MessagesTransformer turns into run.messages streams.
    config = dict(config or {})
    config[CONF] = {**(config.get(CONF) or {}), CONFIG_KEY_STREAM_MESSAGES_V2: True}
    return config


def _stream_kwargs(mux: StreamMux, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    # As LangGraph: the three run-shaping keywords reach stream() even when not given (None),
    # so a subclass overriding stream() sees the same call on every v3 run.
    return {
        "stream_mode": _modes(mux),
        "subgraphs": True,
        "version": "v2",
        "interrupt_before": None,
        "interrupt_after": None,
        "control": None,
        **kwargs,
    }


class StreamEvents:
    """The v3 entry points of ``Pregel`` (a mixin: ``self`` is the graph)."""

    stream_transformers: tuple[Callable[[tuple[str, ...]], Any], ...] = ()

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        """The graph's name (``name`` instead, when given), with ``suffix`` appended as
        LangChain's ``Runnable.get_name`` does."""
        name = name or getattr(self, "name", None) or type(self).__name__
        return f"{name}{suffix}" if suffix else name

    def _v3_mux(
        self,
        config: Mapping[str, Any] | None,
        transformers: Sequence[Callable[[tuple[str, ...]], Any]] | None,
        *,
        is_async: bool,
    ) -> StreamMux:
        factories = [
            *_builtin_factories(),
            *_normalize_stream_transformer_factories(self.stream_transformers),
            *_normalize_stream_transformer_factories(transformers),
        ]
        return StreamMux(factories=factories, scope=_parent_scope(config), is_async=is_async)

    def stream_events(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        version: str = "v2",
        transformers: Sequence[Callable[[tuple[str, ...]], Any]] | None = None,
        **kwargs: Any,
    ) -> GraphRunStream:
        """Run the graph as a v3 event stream (``version="v3"``, which must be given).

        Returns a ``GraphRunStream``: iterate it for every ``ProtocolEvent``, or read
        ``run.values``, ``run.messages``, ``run.subgraphs``, ... (and ``run.output``). Reading
        drives the run; nothing runs in the background. ``transformers``: more transformer
        classes or factories ``f(scope)``, after the built-ins and ``compile(transformers=...)``.
        Other keywords (``context``, ``durability``, ``interrupt_before``, ``control``, ...)
        go to ``stream``; ``stream_mode`` and ``subgraphs`` are refused (v3 sets them).
        """
        _check_call(version, kwargs)
        if version != "v3":
            raise NotImplementedError(
                f"stream_events(version={version!r}) is not supported (LangChain has no sync "
                "v1/v2 event stream either). Use astream_events() for v1/v2, or "
                "stream_events(version='v3')."
            )
        mux = self._v3_mux(config, transformers, is_async=False)
        parts = self.stream(  # type: ignore[attr-defined]
            input, _v3_config(config), **_stream_kwargs(mux, kwargs)
        )
        return GraphRunStream(iter(parts), mux)

    def astream_events(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        version: str = "v2",
        transformers: Sequence[Callable[[tuple[str, ...]], Any]] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Like ``stream_events``, async: ``run = await graph.astream_events(..., version="v3")``.

        Returns an awaitable of an ``AsyncGraphRunStream`` (asyncio or trio). Bad arguments
        raise here, before anything is awaited.
        """
        _check_call(version, kwargs)
        if version != "v3":
            from langgraph_lite.interop.langchain_event_stream import langchain_event_stream

            return langchain_event_stream(self, input, config, version, kwargs)
        return self._astream_v3(input, config, transformers, kwargs)

    async def _astream_v3(
        self,
        input: Any,
        config: Mapping[str, Any] | None,
        transformers: Sequence[Callable[[tuple[str, ...]], Any]] | None,
        kwargs: dict[str, Any],
    ) -> AsyncGraphRunStream:
        mux = self._v3_mux(config, transformers, is_async=True)
        parts = self.astream(  # type: ignore[attr-defined]
            input, _v3_config(config), **_stream_kwargs(mux, kwargs)
        )
        return AsyncGraphRunStream(parts.__aiter__(), mux)
