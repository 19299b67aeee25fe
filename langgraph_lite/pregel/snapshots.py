"""Reading and changing a thread's saved state: ``get_state``, ``get_state_history``,
``update_state`` and their async twins, as methods of ``Pregel``.

Each builds a ``PregelLoop`` restored from a saved checkpoint — the same restore a resumed run
uses — so "what runs next" is answered by the run's own planning, never a second copy of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from langgraph_lite.channels.base import MISSING
from langgraph_lite.checkpoint.base import CheckpointTuple
from langgraph_lite.pregel import leases
from langgraph_lite.pregel.algo import PULL, Task, apply_writes, prepare_next_tasks
from langgraph_lite.pregel.arguments import _merge_config, require_thread, strip_task_ids
from langgraph_lite.pregel.checkpointing import ERROR, ERROR_SOURCE, INTERRUPT, NO_WRITES, RESUME
from langgraph_lite.pregel.effect_answers import aanswer_effects, answer_effects
from langgraph_lite.pregel.effects import Load
from langgraph_lite.pregel.loop import PregelLoop
from langgraph_lite.pregel.persistence import allow_types, saver_of_run
from langgraph_lite.pregel.replay import with_checkpoint_map
from langgraph_lite.pregel.spec import GraphSpec
from langgraph_lite.pregel.stream import StreamQueue
from langgraph_lite.pregel.task_results import shown_result, task_result
from langgraph_lite.pregel.updates import bulk_update, check_supersteps
from langgraph_lite.types import Interrupt, PregelTask, StateSnapshot, StateUpdate

if TYPE_CHECKING:
    from langgraph_lite.checkpoint.base import BaseCheckpointSaver
    from langgraph_lite.pregel.main import Pregel

__all__ = ["ThreadState", "graphs_of"]


class ThreadState:
    """``Pregel``'s methods for the state saved by its checkpointer."""

    checkpointer: BaseCheckpointSaver | None
    nodes: dict[str, Any]
    stream_channels_asis: Any

    def _saver_for(self, config: Mapping[str, Any] | None, what: str) -> BaseCheckpointSaver:
        saver = saver_of_run(self, (config or {}).get("configurable") or {})
        if saver is not self.checkpointer:  # a lent saver: it must read this graph's classes
            allow_types(saver, self.state_types)
        if saver is None:
            raise ValueError(
                f"No checkpointer set: {what}() needs one, and this graph has none. Compile "
                "it with one: builder.compile(checkpointer=InMemorySaver())."
            )
        require_thread(saver, config)
        return saver

    def _loop(self, config: Mapping[str, Any], saver: Any, saved: Any = None) -> PregelLoop:
        # a loop standing at ``saved``, to read: what it holds, what is next
        loop = PregelLoop(cast("Pregel", self).spec, _merge_config(config), StreamQueue(1),
                          modes=(), tagged=False, stream_keys=self.stream_channels_asis,
                          checkpointer=saver, durability="sync", read_only=True)  # fmt: skip
        loop.restore(saved)
        loop.take_input_writes()
        return loop

    def _snapshot(
        self,
        saved: CheckpointTuple | None,
        config: Mapping[str, Any],
        saver: Any,
        apply_pending: bool = False,
        subgraphs: bool = False,
    ) -> Generator[Load, Any, StateSnapshot]:
        """The snapshot of ``saved``; yields ``Load`` for the subgraphs' own checkpoints."""
        if saved is None:
            return StateSnapshot({}, (), dict(config), None, None, None, (), ())
        loop = self._loop(saved.config, saver, saved)
        all_tasks = _graph_order(loop.peek(), loop.spec.nodes)
        errors: dict[str, Any] = {}
        interrupts: dict[str, list[Interrupt]] = {}
        results: dict[str, dict[str, Any]] = {}
        by_task: dict[str, list[tuple[str, Any]]] = {}
        for task_id, chan, value in saved.pending_writes or ():
            if chan == ERROR:
                errors[task_id] = value
            elif chan == INTERRUPT:
                interrupts.setdefault(task_id, []).extend(value)
            elif chan not in (RESUME, ERROR_SOURCE):
                by_task.setdefault(task_id, []).append((chan, value))
        # a channel a task wrote more than once shows {"$writes": [...]}, as its stream did
        for task_id, pairs in by_task.items():
            results[task_id] = task_result(pairs, {c for c, _ in pairs})
        # The latest state counts the writes of tasks that finished in a step that did not
        # (a failure, an interrupt): they are done. A named or older checkpoint shows itself.
        finished = []
        for t in all_tasks if apply_pending else ():
            written = [
                (c, v)
                for tid, c, v in saved.pending_writes or ()
                if tid == t.id and c not in (ERROR, ERROR_SOURCE, INTERRUPT, RESUME, NO_WRITES)
            ]
            if written or (t.id in results and t.id not in errors):
                t.writes = written
                finished.append(t)
        done = {t.id for t in finished}
        for task_id in done:
            interrupts.pop(task_id, None)
        tasks = [t for t in all_tasks if t.id not in done]
        snapshot_tasks = []
        for t in all_tasks:
            state = yield from self._subgraph_state(t, saved, saver, subgraphs)
            result = results.get(t.id)
            snapshot_tasks.append(
                PregelTask(
                    t.id,
                    t.name,
                    t.shown_path,
                    errors.get(t.id),
                    tuple(interrupts.get(t.id, ())),
                    state,
                    shown_result(result, self.stream_channels_asis),
                )
            )
        values = loop.output(self.stream_channels_asis, with_writes_of=finished)
        if values is MISSING:  # one output channel, never written: None, as in LangGraph
            values = None
        if finished and not tasks:
            # Every task of the step finished but its checkpoint was not saved (a crash): what
            # is due is the step after, as a resumed run will apply the writes and go on.
            tasks = _graph_order(_due_after(loop, finished, saver), loop.spec.nodes)
        return StateSnapshot(
            values=values,
            next=tuple(t.name for t in tasks),
            config=with_checkpoint_map(saved.config, saved.metadata),
            metadata=dict(saved.metadata),
            created_at=saved.checkpoint["ts"],
            parent_config=with_checkpoint_map(saved.parent_config, saved.metadata),
            tasks=tuple(snapshot_tasks),
            interrupts=tuple(i for t in snapshot_tasks for i in t.interrupts),
        )

    def _subgraph_state(
        self, task: Task, saved: CheckpointTuple, saver: Any, expand: bool
    ) -> Generator[Load, Any, Any]:
        """For a task that runs a subgraph: its config, or (``subgraphs=True``) its snapshot."""
        inner = graphs_of(task.node)
        if not inner:
            return None
        saved_at = saved.config.get("configurable") or {}
        thread = saved_at.get("thread_id")
        ns = task.checkpoint_ns
        outer = saved_at.get("checkpoint_ns") or ""  # a subgraph's state read from outside it
        if outer and not ns.startswith(outer + "|"):
            ns = f"{outer}|{ns}"
        if getattr(inner[0], "subgraph_checkpointer", None) is True:
            ns = strip_task_ids(ns)  # one history per thread, under the node's name
        config = {"configurable": {"thread_id": thread, "checkpoint_ns": ns}}
        if not expand or not isinstance(inner[0], ThreadState):  # (a RemoteGraph: not here)
            return config
        found = yield Load(config)  # (none yet: an empty snapshot, as LangGraph's)
        return (yield from inner[0]._snapshot(found, config, saver, True, True))

    # -- subgraphs ---------------------------------------------------------------------------

    def _graph_for(self, config: Mapping[str, Any], for_update: bool = False) -> ThreadState:
        """The graph whose checkpoints ``config``'s namespace holds: a declared subgraph's, or
        (one run by code inside a node, such as a tool) this graph's, which reads it as well."""
        ns = (config.get("configurable") or {}).get("checkpoint_ns") or ""
        if not ns:
            return self
        plain = "|".join(p.split(":")[0] for p in ns.split("|") if not p.isdigit())
        for _, graph in cast("Pregel", self).get_subgraphs(namespace=plain, recurse=True):
            if not isinstance(graph, ThreadState):
                raise ValueError(
                    f"Subgraph {plain} runs on a server ({graph!r}): its state is not kept "
                    "here. Call get_state / update_state on that RemoteGraph."
                )
            return graph
        if for_update:
            raise ValueError(
                f"Subgraph {plain} not found: update_state can change a subgraph's state only "
                "when the subgraph is a node of this graph (or of one of its subgraphs). Call "
                "update_state on the graph that ran it, with this config."
            )
        return self

    # -- reading -----------------------------------------------------------------------------

    def get_state(self, config: Mapping[str, Any], *, subgraphs: bool = False) -> StateSnapshot:
        """The thread's state at its latest checkpoint (or the one ``checkpoint_id`` names)."""
        saver = self._saver_for(config, "get_state")
        saved = saver.get_tuple(config)
        graph = self._graph_for(config)
        return answer_effects(
            graph._snapshot(saved, config, saver, _latest(config), subgraphs), saver
        )

    async def aget_state(
        self, config: Mapping[str, Any], *, subgraphs: bool = False
    ) -> StateSnapshot:
        """``get_state`` with the saver's async methods."""
        saver = self._saver_for(config, "aget_state")
        saved = await saver.aget_tuple(config)
        graph = self._graph_for(config)
        snapshot = graph._snapshot(saved, config, saver, _latest(config), subgraphs)
        return await aanswer_effects(snapshot, saver)

    def get_state_history(
        self,
        config: Mapping[str, Any],
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[StateSnapshot]:
        """The thread's checkpoints as snapshots, newest first."""
        saver = self._saver_for(config, "get_state_history")
        config = _own_namespace(config)
        graph = self._graph_for(config)
        for saved in saver.list(config, filter=filter, before=before, limit=limit):
            yield answer_effects(graph._snapshot(saved, config, saver), saver)

    async def aget_state_history(
        self,
        config: Mapping[str, Any],
        *,
        filter: dict[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[StateSnapshot]:
        """``get_state_history`` with the saver's async methods."""
        saver = self._saver_for(config, "aget_state_history")
        config = _own_namespace(config)
        graph = self._graph_for(config)
        async for saved in saver.alist(config, filter=filter, before=before, limit=limit):
            yield await aanswer_effects(graph._snapshot(saved, config, saver), saver)

    # -- changing ----------------------------------------------------------------------------

    def update_state(
        self,
        config: Mapping[str, Any],
        values: Any,
        as_node: str | None = None,
        task_id: str | None = None,
    ) -> dict[str, Any]:
        """Change the thread's state as if ``as_node`` had returned ``values``; the nodes that
        would follow it are next. On an older checkpoint, this forks the thread from there.
        ``as_node`` may also be ``"__input__"`` (``values`` is a new input), ``"__copy__"``
        (copy the checkpoint; ``values`` may list updates for the copy) or ``"__end__"`` with
        ``values=None`` (nothing is next). ``task_id``: the task the writes are saved under.
        Returns the config of the new checkpoint."""
        return self.bulk_update_state(config, [[StateUpdate(values, as_node, task_id)]])

    async def aupdate_state(
        self,
        config: Mapping[str, Any],
        values: Any,
        as_node: str | None = None,
        task_id: str | None = None,
    ) -> dict[str, Any]:
        """``update_state`` with the saver's async methods."""
        return await self.abulk_update_state(config, [[StateUpdate(values, as_node, task_id)]])

    def bulk_update_state(
        self, config: Mapping[str, Any], supersteps: Sequence[Sequence[StateUpdate]]
    ) -> dict[str, Any]:
        """Apply ``supersteps`` in order, each a list of ``StateUpdate(values, as_node,
        task_id)`` saved as one checkpoint (as if those nodes ran together in one step).
        Returns the config of the last checkpoint."""
        saver = self._saver_for(config, "update_state/bulk_update_state")
        steps = check_supersteps(supersteps)
        graph = self._graph_for(config, for_update=True)
        with leases.updating(saver, config) as config:  # the thread's lease, around it
            return answer_effects(bulk_update(graph, config, saver, steps), saver)

    async def abulk_update_state(
        self, config: Mapping[str, Any], supersteps: Sequence[Sequence[StateUpdate]]
    ) -> dict[str, Any]:
        """``bulk_update_state`` with the saver's async methods."""
        saver = self._saver_for(config, "aupdate_state/abulk_update_state")
        steps = check_supersteps(supersteps)
        graph = self._graph_for(config, for_update=True)
        async with leases.aupdating(saver, config) as config:
            return await aanswer_effects(bulk_update(graph, config, saver, steps), saver)


def graphs_of(node: Any) -> list[Any]:
    """The graphs ``node`` runs: its declared steps, else (as LangGraph finds them) a compiled
    graph its function names, from its closure or module globals — ``inner.invoke(...)``
    inside the node. A graph compiled with ``checkpointer=False`` saves nothing: not counted."""
    declared: list[Any] = node.subgraphs
    if declared:
        return declared
    for step in getattr(node, "_steps", ()):
        for obj in _named_by(step.obj):
            if (
                isinstance(getattr(obj, "spec", None), GraphSpec)
                and getattr(obj, "subgraph_checkpointer", None) is not False
            ):
                return [obj]
    return []


def _named_by(fn: Any) -> Iterator[Any]:
    """The objects ``fn``'s code names (free variables, then globals), nested code included."""
    fn = getattr(fn, "__func__", fn)  # a bound method's function
    code = getattr(fn, "__code__", None)
    if code is None:
        return
    closure: dict[str, Any] = {}
    for name, cell in zip(code.co_freevars, fn.__closure__ or (), strict=False):
        try:
            closure[name] = cell.cell_contents
        except ValueError:  # a cell not filled yet
            pass
    module = getattr(fn, "__globals__", {})
    codes = [code]
    for c in codes:
        codes.extend(k for k in c.co_consts if hasattr(k, "co_names"))
        for name in (*c.co_freevars, *c.co_names):
            if name in closure:
                yield closure[name]
            elif name in module:
                yield module[name]


def _own_namespace(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` listing only its namespace (the root one unless it names another): a saver
    asked without one lists the subgraphs' checkpoints too, which are not this graph's."""
    configurable = dict(config.get("configurable") or {})
    configurable.setdefault("checkpoint_ns", "")
    return {**config, "configurable": configurable}


def _latest(config: Mapping[str, Any]) -> bool:
    return not (config.get("configurable") or {}).get("checkpoint_id")


def _graph_order(tasks: list[Task], nodes: Mapping[str, Any]) -> list[Task]:
    """A checkpoint's tasks as LangGraph lists them (``next``, ``tasks``): those sent first, in
    their order, then one per node in the order the graph's nodes were added (a run starts
    them sorted by name)."""
    rank = {name: i for i, name in enumerate(nodes)}
    return sorted(tasks, key=lambda t: -1 if t.path[0] != PULL else rank.get(t.name, len(rank)))


def _due_after(loop: PregelLoop, finished: list[Task], saver: Any) -> list[Task]:
    """The tasks of the step after ``finished`` (the whole step), their writes applied."""
    spec = loop.spec
    version = saver.get_next_version(max(loop.versions.values(), default=None), None)
    updated, _, _ = apply_writes(
        loop.channels, loop.versions, loop.versions_seen, finished, version,
        set(loop.saved.checkpoint.get("updated_channels") or ()), spec.finish_channels,
        spec.trigger_index, spec.consume_channels, spec.expiring_channels,
    )  # fmt: skip
    return prepare_next_tasks(
        spec.nodes, spec.trigger_index, loop.channels, loop.versions, loop.versions_seen,
        updated, loop.step + 1, loop,
    )  # fmt: skip
