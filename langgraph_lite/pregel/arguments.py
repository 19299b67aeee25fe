"""Checking what callers hand to ``Pregel``: nodes, channel names, stream modes, configs.

Every check raises before any node runs, with a message that names the culprit and the fix.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from langgraph_lite.channels.base import BaseChannel
from langgraph_lite.checkpoint.base import thread_of
from langgraph_lite.errors import ErrorCode, create_error_message
from langgraph_lite.pregel.node import ChannelWriteEntry, NodeBuilder, PregelNode
from langgraph_lite.types import STREAM_MODES
from langgraph_lite.warnings import LangGraphDeprecatedSinceV10

__all__ = ["DEFAULT_RECURSION_LIMIT", "RunOptions", "deprecated_durability"]


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """What one call asks of its run, as ``stream``/``astream`` (and ``invoke``) are given it;
    ``Pregel._prepare`` reads it. ``durability`` None: the default."""

    stream_mode: str | Sequence[str] | None
    output_keys: str | Sequence[str] | None
    stream_buffer_size: int | None = None
    context: Any = None
    durability: str | None = None
    interrupt_before: Sequence[str] | str | None = None
    interrupt_after: Sequence[str] | str | None = None
    subgraphs: bool = False
    version: str = "v1"
    control: Any = None  # a RunControl, or None: the parent run's, or a fresh one

    @classmethod
    def of(cls, kw: Mapping[str, Any]) -> RunOptions:
        """The options among a call's keywords (``stream``'s and ``astream``'s, by name, so
        the two cannot pass different ones)."""
        return cls(*map(kw.__getitem__, _OPTION_NAMES))


_OPTION_NAMES = tuple(f.name for f in dataclasses.fields(RunOptions))  # (in field order)


def deprecated_pregel_kwargs(context_schema: Any, deprecated: dict[str, Any]) -> Any:
    """``Pregel()``'s ``context_schema`` after LangGraph's old name for it, ``config_type``
    (taken out of ``deprecated``, with LangGraph's warning); any other keyword left raises."""
    if "config_type" in deprecated:
        warnings.warn(
            "`config_type` is deprecated and will be removed. Please use `context_schema` instead.",
            LangGraphDeprecatedSinceV10,
            stacklevel=3,
        )
        config_type = deprecated.pop("config_type")
        context_schema = config_type if context_schema is None else context_schema
    if deprecated:
        raise TypeError(
            f"Pregel() got unexpected keyword arguments {sorted(deprecated)}; see "
            "help(Pregel) for the ones it takes."
        )
    return context_schema


def deprecated_durability(
    durability: str | None, kwargs: dict[str, Any], strict: bool = True, stacklevel: int = 4
) -> str | None:
    """``durability`` after the deprecated ``checkpoint_during`` keyword, taken out of ``kwargs``
    (``True`` is ``"async"``, ``False`` is ``"exit"``, with LangGraph's warning). ``strict``:
    any other keyword left raises ``TypeError`` (``stream``'s; ``invoke`` checks its own)."""
    during = kwargs.pop("checkpoint_during", None)
    if strict and kwargs:
        raise TypeError(
            f"stream() got unexpected keyword arguments {sorted(kwargs)}; the only deprecated "
            "keyword it still takes is checkpoint_during (use durability= instead)."
        )
    if during is None:
        return durability
    warnings.warn(
        "`checkpoint_during` is deprecated and will be removed. Please use `durability` instead.",
        LangGraphDeprecatedSinceV10,
        stacklevel=stacklevel,
    )
    if durability is not None:
        raise ValueError(
            "Cannot use both `checkpoint_during` and `durability` parameters. Please use "
            "`durability` instead."
        )
    return "async" if during else "exit"


DEFAULT_RECURSION_LIMIT = int(os.environ.get("LANGGRAPH_DEFAULT_RECURSION_LIMIT", "10007"))
"""Supersteps a run may take unless its config says otherwise: LangGraph 1.x's default."""
_DURABILITY = ("sync", "async", "exit")
_KNOWN_LATER: tuple[str, ...] = ()
_CONFIG_KEYS = (
    "configurable",
    "recursion_limit",
    "tags",
    "metadata",
    "callbacks",
    "run_name",
    "run_id",
    "max_concurrency",
)


def _build_node(key: str, node: Any) -> PregelNode:
    if isinstance(node, NodeBuilder):
        node = node.build()
    if not isinstance(node, PregelNode):
        raise TypeError(
            create_error_message(
                message=(
                    f"node {key!r} is {_short(node)} ({type(node).__name__}); Pregel nodes are "
                    "described with NodeBuilder, e.g. "
                    f"NodeBuilder().subscribe_only('a').do(fn).write_to('b'). (StateGraph "
                    "takes plain functions.)"
                ),
                error_code=ErrorCode.INVALID_NODE,
            )
        )
    # Built nodes may be shared between graphs; each graph names its own.
    if node.name != key:
        node = _renamed(node, key)
    return node


def _renamed(node: PregelNode, key: str) -> PregelNode:
    new = PregelNode.__new__(PregelNode)
    for slot in PregelNode.__slots__:
        setattr(new, slot, getattr(node, slot))
    new.name = key
    return new


def _unknown_channel(what: str, chan: str, known: Mapping[str, Any]) -> ValueError:
    return ValueError(
        create_error_message(
            message=(
                f"{what}, which is not a channel of this graph (channels: "
                f"{', '.join(map(repr, known)) or 'none'})."
                + _did_you_mean(chan, list(known))
                + f" Add it to channels=, e.g. channels={{{chan!r}: LastValue(object), ...}}."
            ),
            error_code=ErrorCode.INVALID_GRAPH_DEFINITION,
        )
    )


def _did_you_mean(name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse_stream_mode(mode: Any) -> tuple[tuple[str, ...], bool]:
    """The modes to emit, and whether chunks are tagged ``(mode, chunk)`` (a list was given)."""
    if isinstance(mode, str):
        modes: tuple[str, ...] = (mode,)
        tagged = False
    elif isinstance(mode, Sequence) and all(isinstance(m, str) for m in mode):
        modes = tuple(dict.fromkeys(mode))
        tagged = True
    else:
        raise TypeError(
            f"stream_mode must be a mode name or a list of them, got {_short(mode)}. Valid "
            f"modes: {', '.join(STREAM_MODES)}."
        )
    for m in modes:
        if m in STREAM_MODES:
            continue
        if m in _KNOWN_LATER:
            raise ValueError(
                f"stream_mode {m!r} is not supported by this version of langgraph_lite yet. "
                f"Supported: {', '.join(STREAM_MODES)}."
            )
        raise ValueError(
            f"unknown stream_mode {m!r}. Valid modes: {', '.join(STREAM_MODES)}."
            + _did_you_mean(m, STREAM_MODES)
        )
    return modes, tagged


def _merge_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    if config is None:
        return {"recursion_limit": DEFAULT_RECURSION_LIMIT}
    if not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a dict such as {{'configurable': {{...}}, 'recursion_limit': 50}}, "
            f"got {type(config).__name__} {_short(config)}."
        )
    merged = dict(config)
    # As in LangGraph, keys a config does not know go under configurable: {"thread_id": "1"}.
    extra = [k for k in merged if k not in _CONFIG_KEYS]
    if extra:
        configurable = merged.get("configurable") or {}
        if isinstance(configurable, Mapping):
            merged["configurable"] = {**configurable, **{k: merged[k] for k in extra}}
            for k in extra:
                del merged[k]
    limit = merged.setdefault("recursion_limit", DEFAULT_RECURSION_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(
            f"recursion_limit must be an int of at least 1, got {limit!r}. It caps the number "
            f"of supersteps a run may take (default {DEFAULT_RECURSION_LIMIT})."
        )
    for key in ("configurable", "metadata"):
        if key in merged and not isinstance(merged[key], Mapping):
            raise TypeError(f"config[{key!r}] must be a dict, got {type(merged[key]).__name__}.")
    if "tags" in merged and (
        isinstance(merged["tags"], str) or not isinstance(merged["tags"], Sequence)
    ):
        raise TypeError(f"config['tags'] must be a list of strings, got {_short(merged['tags'])}.")
    if configurable := merged.get("configurable"):
        metadata = merged.get("metadata") or {}
        copied = {
            k: v for k in COPIED_TO_METADATA if k not in metadata and (v := configurable.get(k))
        }
        if copied:
            merged["metadata"] = {**metadata, **copied}
    return merged


# The configurable keys a run's metadata takes too (when set and not empty), as in LangGraph:
# ids a node, a tracer or a message's metadata can read; never other configurable values, which
# may be secrets.
COPIED_TO_METADATA = (
    "thread_id", "checkpoint_id", "checkpoint_ns", "task_id", "run_id", "assistant_id", "graph_id",
)  # fmt: skip


# Keys that address a checkpoint lineage: a config naming one starts its own, so a graph run
# inside a node with such a config does not inherit the enclosing task's configurable.
_COORDINATES = ("thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map")


def inherit_config(parent: Mapping[str, Any], config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The config of a graph run inside a node: the node's config with ``config`` over it.

    As in LangGraph: ``configurable`` (thread, namespace, the caller's keys) is inherited unless
    ``config`` names its own checkpoint coordinates; tags add up without repeats; metadata
    merges; other keys of ``config`` win. The enclosing run's ``checkpoint_id`` is not
    inherited: it names a checkpoint of the parent, not of this graph.
    """
    merged: dict[str, Any] = {
        k: v for k, v in parent.items() if v is not None and k not in ("run_id", "run_name")
    }
    configurable = {k: v for k, v in (parent.get("configurable") or {}).items()}
    configurable.pop("checkpoint_id", None)
    inherited_tags = list(parent.get("tags") or ())
    if config:
        if not isinstance(config, Mapping):
            return _merge_config(config)  # raises the usual error
        own = config.get("configurable") or {}
        if isinstance(own, Mapping) and any(own.get(k) for k in _COORDINATES):
            configurable = {}
        for k, v in config.items():
            if v is None:
                continue
            if k == "configurable":
                if isinstance(v, Mapping):
                    configurable.update(v)
                else:
                    merged[k] = v  # _merge_config names the mistake
            elif k == "tags":
                if isinstance(v, str) or not isinstance(v, Sequence):
                    merged[k] = v
                else:
                    merged[k] = [*inherited_tags, *(t for t in v if t not in inherited_tags)]
            elif k == "metadata" and isinstance(v, Mapping):
                merged[k] = {**(merged.get("metadata") or {}), **v}
            elif k in _CONFIG_KEYS:
                merged[k] = v
            else:
                configurable[k] = v
    if not isinstance(merged.get("configurable", {}), Mapping):
        return _merge_config(merged)
    merged["configurable"] = configurable
    return _merge_config(merged)


def nested_config(parent: Any, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The config of a graph run inside ``parent``'s node (a ``Task``; see ``inherit_config``).

    Under the parent task's own namespace, the n-th run of a graph in one task (n > 0) gets
    ``"<task ns>|n"``, as in LangGraph, so two calls keep two histories."""
    run_config = inherit_config(parent.config, config)
    configurable = run_config["configurable"]
    ns = parent.checkpoint_ns
    if configurable.get("checkpoint_ns") == ns:
        calls = parent.subgraph_calls
        parent.subgraph_calls = calls + 1
        if calls:
            configurable["checkpoint_ns"] = f"{ns}|{calls}"
    return run_config


def strip_task_ids(ns: str) -> str:
    """``ns`` without its task ids (``"call:<id>|1"`` -> ``"call|1"``): where a
    ``checkpointer=True`` subgraph keeps the one history it has per thread."""
    return "|".join(part.split(":")[0] for part in ns.split("|"))


def require_thread(saver: Any, config: Mapping[str, Any] | None) -> None:
    """Raise, with the fix, when a graph with a checkpointer is called without a thread
    (or with a checkpoint_ns that is not a string)."""
    try:
        thread_of(config or {})
    except ValueError:
        raise ValueError(
            f"this graph has a checkpointer ({type(saver).__name__}), so each call needs a "
            "thread_id. Pass config={'configurable': {'thread_id': 'any-id'}}."
        ) from None
    namespace = ((config or {}).get("configurable") or {}).get("checkpoint_ns")
    if namespace is not None and not isinstance(namespace, str):
        raise TypeError(
            f"config['configurable']['checkpoint_ns'] must be a string, got {namespace!r} "
            f"({type(namespace).__name__}). It names a subgraph's checkpoints ('' for the "
            "graph itself); leave it out unless you read a subgraph's state."
        )


def check_graph(graph: Any) -> None:
    """Check a ``Pregel``'s channels and nodes once, when it is built: every channel is a
    channel, every node has a trigger, and every name a node or the graph uses is a channel."""
    known = graph.channels
    for key, ch in known.items():
        if not isinstance(ch, BaseChannel):
            raise TypeError(
                f"channel {key!r} is {ch!r} ({type(ch).__name__}), not a channel. Use one of "
                "langgraph_lite.channels, e.g. LastValue(str)."
            )
    for key, node in graph.nodes.items():
        if not node.triggers:
            raise ValueError(
                create_error_message(
                    message=(
                        f"node {key!r} has no triggers, so it would never run. Subscribe it "
                        "to a channel: NodeBuilder().subscribe_only('a') or subscribe_to('a', 'b')."
                    ),
                    error_code=ErrorCode.INVALID_GRAPH_DEFINITION,
                )
            )
        for chan in dict.fromkeys([*node.triggers, *node.read_channels]):
            if chan not in known:
                raise _unknown_channel(f"node {key!r} reads channel {chan!r}", chan, known)
        for w in node.writers:
            if isinstance(w, ChannelWriteEntry) and w.channel not in known:
                raise _unknown_channel(
                    f"node {key!r} writes to channel {w.channel!r}", w.channel, known
                )
    for what, names in (
        ("input_channels", graph.input_channels),
        ("output_channels", graph.output_channels),
        ("stream_channels", graph.stream_channels),
    ):
        if names is None:
            continue
        for chan in [names] if isinstance(names, str) else names:
            if chan not in known:
                raise _unknown_channel(f"{what} names {chan!r}", chan, known)
