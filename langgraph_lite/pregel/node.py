"""Nodes of the low-level API: what a node reads, what triggers it, what it runs and writes.

``NodeBuilder`` is the fluent way to describe one; ``PregelNode`` is the built description the
engine runs. Nothing here knows about steps or streams: a node turns an input into writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typing_extensions import Self

from langgraph_lite.constants import TAG_HIDDEN
from langgraph_lite.pregel.node_body import (
    Step,
    call_in_context,
    graph_reached,
    is_runnable,
    is_subgraph,
)
from langgraph_lite.pregel.worker_threads import run_sync_in_worker_thread

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task
    from langgraph_lite.types import CachePolicy, RetryPolicy, TimeoutPolicy

__all__ = [
    "HIDDEN_TAG",
    "PASSTHROUGH",
    "ChannelWriteEntry",
    "DynamicWriter",
    "NodeBuilder",
    "PregelNode",
]

HIDDEN_TAG = TAG_HIDDEN
"""Tag of nodes the streams leave out (the graph's own plumbing): LangGraph's ``TAG_HIDDEN``."""


class _Passthrough:
    __slots__ = ()

    def __repr__(self) -> str:
        return "PASSTHROUGH"


PASSTHROUGH: Any = _Passthrough()
"""Marks a write whose value is the node's output."""


DynamicWriter = Callable[[Any, "Task", list[tuple[str, Any]]], list[tuple[str, Any]]]
"""A writer that decides its writes at run time: (output, task, writes so far) -> writes."""


@dataclass(frozen=True)
class ChannelWriteEntry:
    """One write a node makes after it runs.

    ``value`` is written as is, or the node's output when it is ``PASSTHROUGH``; ``mapper``
    turns that into the written value; with ``skip_none`` a ``None`` is not written.
    """

    channel: str
    value: Any = PASSTHROUGH
    skip_none: bool = False
    mapper: Callable[[Any], Any] | None = None


def _awaits(writer: Any) -> bool:
    """Whether a dynamic writer must be awaited in an async run: it has an ``acall``, and does
    not say (``awaits = False``) that this instance never needs it."""
    return hasattr(writer, "acall") and getattr(writer, "awaits", True)


_COPYABLE = frozenset(
    (
        "channels",
        "triggers",
        "writers",
        "mapper",
        "retry_policy",
        "cache_policy",
        "error_handler",
        "tags",
        "metadata",
        "name",
        "timeout",
    )
)


class PregelNode:
    """A built node: the channels it reads, those that trigger it, its body and its writes.

    ``channels`` is one channel name (the node gets that channel's value) or a list of names
    (the node gets a dict of those that hold a value).
    """

    __slots__ = (
        "_async_writers",
        "_single_sync",
        "_steps",
        "_subgraphs",
        "cache_policy",
        "channels",
        "error_handler",
        "hidden",
        "is_async",
        "mapper",
        "metadata",
        "name",
        "retry_policy",
        "tags",
        "timeout",
        "trace_policy",
        "triggers",
        "writers",
    )

    def __init__(
        self,
        *,
        channels: str | list[str],
        triggers: Sequence[str],
        bound: Sequence[Any] = (),
        writers: Sequence[ChannelWriteEntry | DynamicWriter] = (),
        mapper: Callable[[Any, Task], Any] | None = None,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        cache_policy: CachePolicy | None = None,
        tags: Sequence[str] = (),
        metadata: dict[str, Any] | None = None,
        name: str | None = None,
        error_handler: PregelNode | None = None,
        timeout: TimeoutPolicy | None = None,
    ) -> None:
        self.name = name
        # The node that runs when this one fails for good (a StateGraph's error_handler=).
        self.error_handler = error_handler
        self.channels = channels
        self.triggers = sorted(triggers)  # (the order tasks show them in, as LangGraph's)
        self.writers = list(writers)
        self._async_writers = any(map(_awaits, self.writers))
        self.mapper = mapper
        self.retry_policy = retry_policy
        self.cache_policy = cache_policy  # checked by the graph builder
        self.timeout = timeout  # checked by the builder; attempts with one: pregel/timeouts.py
        self.trace_policy: Any = None  # a TracePolicy (what its callback runs record)
        self.tags = list(tags)
        self.hidden = HIDDEN_TAG in self.tags
        self.metadata = dict(metadata or {})
        self._steps = [Step(b, name) for b in bound]
        self._subgraphs: list[Any] | None = None  # see subgraphs
        self.is_async = any(s.is_async for s in self._steps)
        # The common case — one sync function that wants nothing injected — gets a direct call.
        only = self._steps[0] if len(self._steps) == 1 and mapper is None else None
        self._single_sync = (
            only.func
            if only
            and only.func
            and timeout is None
            and not (
                only.wants_config
                or only.wants_writer
                or only.wants_runtime
                or only.wants_store
                or only.wants_error
            )
            else None
        )

    def __repr__(self) -> str:
        return f"PregelNode(name={self.name!r}, triggers={self.triggers!r}, channels={self.channels!r})"

    @property
    def subgraphs(self) -> list[Any]:
        """The compiled graphs this node runs: steps of its body, else (as LangGraph finds them)
        the first graph its function reaches (see ``node_body.graph_reached``)."""
        found = self._subgraphs
        if found is None:  # found once: checkpoint events ask for every task
            found = [s.obj for s in self._steps if is_subgraph(s.obj)]
            if not found:
                reached = (graph_reached(s.obj) for s in self._steps if not is_runnable(s.obj))
                found = [g for g in reached if g is not None][:1]
            self._subgraphs = found
        return list(found)

    def copy(self, update: dict[str, Any]) -> PregelNode:
        """A copy with the attributes in ``update`` replaced (e.g. ``{"triggers": [...]}``)."""
        unknown = set(update) - _COPYABLE
        if unknown:
            raise TypeError(
                f"PregelNode.copy() got attributes it cannot replace: {sorted(unknown)}. "
                f"Replace some of: {', '.join(sorted(_COPYABLE))}."
            )
        new = PregelNode.__new__(PregelNode)
        for slot in PregelNode.__slots__:
            setattr(new, slot, getattr(self, slot))
        for key, value in update.items():
            if key == "triggers":
                value = sorted(value)
            setattr(new, key, list(value) if key in ("writers", "tags") else value)
        new.metadata = dict(new.metadata)
        new._async_writers = any(map(_awaits, new.writers))
        new.hidden = HIDDEN_TAG in new.tags
        if new.mapper is not None or new.timeout is not None:
            new._single_sync = None
        return new

    def invoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Run just this node on ``input`` and return what it returned — no graph around it.

        The node's own input coercion and retry policy apply; its writes and edges do not.
        Handy in unit tests: ``graph.nodes["agent"].invoke({"messages": [...]})``.
        """
        from langgraph_lite.pregel.attempt import run_node_alone

        return run_node_alone(self, input, config, kwargs.get("writer"))

    async def ainvoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """``invoke`` for async nodes (sync ones run in a worker thread)."""
        from langgraph_lite.pregel.attempt import arun_node_alone

        return await arun_node_alone(self, input, config, kwargs.get("writer"))

    @property
    def read_channels(self) -> list[str]:
        return [self.channels] if isinstance(self.channels, str) else list(self.channels)

    # -- running -----------------------------------------------------------------------------

    def run(self, value: Any, task: Task) -> Any:
        """Run the body synchronously and return its output."""
        if self._single_sync is not None:
            return self._single_sync(value)
        if self.mapper is not None:
            value = self.mapper(value, task)
        for step in self._steps:
            if step.func is None:
                raise TypeError(
                    f"node {self.name!r} is async ({step.name} is a coroutine function), so it "
                    "cannot run under invoke()/stream(). Use ainvoke()/astream(), or give the "
                    "node a sync function."
                )
            value = step.func(value, **step.kwargs(task))
        return value

    async def arun(self, value: Any, task: Task) -> Any:
        """Run the body on the event loop; sync steps run in a worker thread."""
        if self.mapper is not None:
            value = self.mapper(value, task)
        for step in self._steps:
            if step.afunc is not None:
                value = await step.afunc(value, **step.kwargs(task))
            else:
                assert step.func is not None
                func, kw = step.func, step.kwargs(task)
                value = await run_sync_in_worker_thread(call_in_context, func, value, kw)
        return value

    def retry_wait(self, exc: BaseException, attempt: int) -> float | None:
        """Seconds to wait before retrying after ``exc`` ended ``attempt``; None: do not retry."""
        policies = self.retry_policy
        if policies is None:
            return None
        for policy in [policies] if not isinstance(policies, Sequence) else policies:
            if policy.matches(exc):  # the first policy that covers the error decides
                return policy.wait_after(attempt) if attempt < policy.max_attempts else None
        return None

    def writes_for(self, output: Any, task: Task) -> list[tuple[str, Any]]:
        """The ``(channel, value)`` pairs this node writes for ``output``."""
        out: list[tuple[str, Any]] = []
        for w in self.writers:  # _writes_of and _entry_writes, inlined: this runs for every task
            if type(w) is ChannelWriteEntry:
                value = output if w.value is PASSTHROUGH else w.value
                if w.mapper is not None:
                    value = w.mapper(value)
                if not w.skip_none or value is not None:
                    out.append((w.channel, value))
            else:
                out.extend(w(output, task, out))  # type: ignore[operator]
        return out

    async def awrites_for(self, output: Any, task: Task) -> list[tuple[str, Any]]:
        """``writes_for`` in an async run: dynamic writers may await (async routing)."""
        if not self._async_writers:
            return self.writes_for(output, task)
        out: list[tuple[str, Any]] = []
        for w in self.writers:
            if _awaits(w):
                out.extend(await w.acall(output, task, out))  # type: ignore[union-attr]
            else:
                out.extend(self._writes_of(w, output, task, out))
        return out

    def _writes_of(
        self, w: Any, output: Any, task: Task, so_far: list[tuple[str, Any]]
    ) -> list[tuple[str, Any]]:
        """One writer's writes (an entry, or a dynamic writer called synchronously)."""
        if type(w) is ChannelWriteEntry:
            return self._entry_writes(w, output)
        return w(output, task, so_far)

    @staticmethod
    def _entry_writes(w: ChannelWriteEntry, output: Any) -> list[tuple[str, Any]]:
        value = output if w.value is PASSTHROUGH else w.value
        if w.mapper is not None:
            value = w.mapper(value)
        if w.skip_none and value is None:
            return []
        return [(w.channel, value)]


class NodeBuilder:
    """Describe a node fluently, LangGraph's low-level way.

    >>> from langgraph_lite.pregel import NodeBuilder
    >>> node = NodeBuilder().subscribe_only("a").do(lambda x: x + x).write_to("b")
    """

    def __init__(self) -> None:
        self._channels: str | list[str] | None = None
        self._triggers: list[str] = []
        self._bound: list[Any] = []
        self._writes: list[ChannelWriteEntry] = []
        self._tags: list[str] = []
        self._metadata: dict[str, Any] = {}
        self._retry_policy: list[RetryPolicy] = []
        self._cache_policy: CachePolicy | None = None
        self._timeout: TimeoutPolicy | None = None

    def subscribe_only(self, channel: str) -> Self:
        """Trigger on ``channel`` and receive its value (not a dict) as input."""
        if self._channels is not None:
            raise ValueError(
                f"subscribe_only({channel!r}) after the node already reads {self._channels!r}: "
                "a node that reads one channel as its input reads only that one. Use "
                "subscribe_to(...) to read several as a dict."
            )
        self._channels = channel
        self._triggers.append(channel)
        return self

    def subscribe_to(self, *channels: str, read: bool = True) -> Self:
        """Trigger on each of ``channels``; with ``read`` the input is a dict holding them."""
        if isinstance(self._channels, str):
            raise ValueError(
                f"subscribe_to{channels!r} after subscribe_only({self._channels!r}): that node "
                "gets one channel's value as input. Use subscribe_to for all of its channels."
            )
        if read:
            if self._channels is None:
                self._channels = []
            self._channels.extend(c for c in channels if c not in self._channels)
        self._triggers.extend(c for c in channels if c not in self._triggers)
        return self

    def read_from(self, *channels: str) -> Self:
        """Also read ``channels`` into the input dict, without being triggered by them."""
        if isinstance(self._channels, str):
            raise ValueError(
                f"read_from{channels!r} after subscribe_only({self._channels!r}): that node gets "
                "one channel's value as input. Use subscribe_to(...) to read a dict."
            )
        if self._channels is None:
            self._channels = []
        self._channels.extend(c for c in channels if c not in self._channels)
        return self

    def do(self, node: Any) -> Self:
        """Add a step to the node's body; steps run in order, each on the previous output."""
        Step(node, None)  # validates now, so the error points at this call
        self._bound.append(node)
        return self

    def write_to(self, *channels: str | ChannelWriteEntry, **kwargs: Any) -> Self:
        """Write the output to ``channels``; ``key=fn`` writes ``fn(output)``, ``key=v`` writes v."""
        for c in channels:
            self._writes.append(ChannelWriteEntry(c) if isinstance(c, str) else c)
        for key, value in kwargs.items():
            if callable(value):
                self._writes.append(ChannelWriteEntry(key, mapper=value))
            else:
                self._writes.append(ChannelWriteEntry(key, value=value))
        return self

    def meta(self, *tags: str, **metadata: Any) -> Self:
        """Add tags and metadata, seen by the node in its config."""
        self._tags.extend(tags)
        self._metadata.update(metadata)
        return self

    def add_retry_policies(self, *policies: RetryPolicy) -> Self:
        """Retry the node on failure; the first policy whose ``retry_on`` matches applies."""
        self._retry_policy.extend(policies)
        return self

    def add_cache_policy(self, policy: CachePolicy) -> Self:
        """Cache the node's writes by its input (in a graph given ``cache=``)."""
        self._cache_policy = policy
        return self

    def set_timeout(self, timeout: Any) -> Self:
        """Limit each attempt: a ``TimeoutPolicy``, or seconds (see docs/timeouts.md)."""
        from langgraph_lite.timeout_policy import coerce_timeout

        self._timeout = coerce_timeout(timeout, "NodeBuilder.set_timeout()")
        return self

    def build(self) -> PregelNode:
        """The node the engine runs."""
        return PregelNode(
            channels=self._channels if self._channels is not None else [],
            triggers=self._triggers,
            bound=self._bound,
            writers=self._writes,
            retry_policy=self._retry_policy or None,
            cache_policy=self._cache_policy,
            tags=self._tags,
            metadata=self._metadata,
            timeout=self._timeout,
        )
