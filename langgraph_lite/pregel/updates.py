"""Changing a thread's saved state: ``update_state`` and ``bulk_update_state``.

An update is a superstep that runs no node: each ``StateUpdate(values, as_node)`` becomes a task
of ``as_node`` whose writes are what the node's writers make of ``values`` (its reducers, its
edges), and the superstep is saved as one checkpoint. The tasks reuse the ids of the tasks that
were due, so their writes, saved on the checkpoint they build on, show in the history as those
tasks' results. Three names of ``as_node`` are not nodes:

- ``"__input__"``: ``values`` is the run's input, saved as an ``input`` checkpoint; the next run
  (``invoke(None, config)``) starts from it.
- ``"__copy__"``: the checkpoint again, as a sibling (``fork``); ``values`` may then be a list of
  updates applied to the copy as its next superstep.
- ``"__end__"`` with ``values=None``: the due tasks are marked done, so nothing is next.

Each superstep is a ``PregelLoop`` restored from the checkpoint the previous one saved, so these
are generators of effects, answered by ``answer_effects`` / ``aanswer_effects``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.constants import END, START
from langgraph_lite.errors import InvalidUpdateError
from langgraph_lite.pregel.algo import INPUT, TASKS, Task
from langgraph_lite.pregel.checkpointing import saved_writes, thread_config
from langgraph_lite.pregel.effects import Load, Save, Writes
from langgraph_lite.pregel.leases import with_token
from langgraph_lite.pregel.replay import with_checkpoint_map
from langgraph_lite.types import StateUpdate

if TYPE_CHECKING:
    from langgraph_lite.pregel.effects import Effect
    from langgraph_lite.pregel.loop import PregelLoop

__all__ = ["COPY", "INPUT", "bulk_update", "check_supersteps"]

COPY = "__copy__"
"""``as_node`` of an update that copies the checkpoint (a fork)."""


def check_supersteps(supersteps: Any) -> list[list[StateUpdate]]:
    """``supersteps`` as lists of ``StateUpdate``; raises ``ValueError`` if one is empty."""
    if isinstance(supersteps, str | bytes) or not isinstance(supersteps, Sequence):
        raise TypeError(
            f"bulk_update_state(config, supersteps): supersteps must be a list of supersteps, "
            f"each a list of StateUpdate(values, as_node), got {type(supersteps).__name__}."
        )
    steps = [list(updates) for updates in supersteps]
    if not steps:
        raise ValueError(
            "No supersteps provided: pass at least one, e.g. "
            "bulk_update_state(config, [[StateUpdate({'key': 1}, as_node='node')]])."
        )
    if any(not updates for updates in steps):
        raise ValueError(
            "No updates provided: each superstep is a non-empty list of "
            "StateUpdate(values, as_node)."
        )
    return [[_as_update(u) for u in updates] for updates in steps]


def bulk_update(
    graph: Any, config: Any, saver: Any, supersteps: list[list[StateUpdate]]
) -> Generator[Effect, Any, dict[str, Any]]:
    """Apply each superstep as one checkpoint on top of the last; returns the last's config."""
    current: Any = config
    bases: list[Any] = []
    token = (config.get("configurable") or {}).get("lease_token")
    for updates in supersteps:
        saved = yield from _superstep(graph, current, saver, updates, bases)
        # the next superstep writes under the same lease (pregel/leases.py) as this one
        current = saved if token is None else with_token(saved, token)
    # a subgraph's checkpoint: its config names its parents' too, so running with it replays
    return with_checkpoint_map(saved, bases[-1] if bases else None)


def _as_update(item: Any) -> StateUpdate:
    if isinstance(item, StateUpdate):
        return item
    if isinstance(item, tuple | list) and 1 <= len(item) <= 3:
        return StateUpdate(*item)
    raise InvalidUpdateError(
        f"Invalid update item: {item!r}; an update is StateUpdate(values, as_node, task_id) "
        "(or a (values, as_node) tuple)."
    )


def _superstep(
    graph: Any, config: Any, saver: Any, updates: list[StateUpdate], bases: list[Any]
) -> Generator[Effect, Any, dict[str, Any]]:
    loop: PregelLoop = graph._loop(config, saver)
    bases.append(loop.saved.metadata if loop.saved is not None else None)
    values, as_node = updates[0].values, updates[0].as_node
    if as_node == END and values is None:
        _only_one(updates, "Cannot apply multiple updates when clearing state")
        return (yield from _update(loop, _clear_due_tasks))
    # The writes go on the checkpoint they build on too, as its next step's results (its
    # history shows them), unless the thread has moved past it: then the update forks it.
    keep = True
    if (config.get("configurable") or {}).get("checkpoint_id"):
        named = yield Load(config)
        latest = yield Load(thread_config(config, None))
        keep = named is None or latest is None or named.checkpoint["id"] == latest.checkpoint["id"]
    if as_node == INPUT:
        _only_one(updates, "Cannot apply multiple updates when updating as input")
        return (
            yield from _update(
                loop, lambda lp: _input_tasks(lp, values), source="input", keep_writes=keep
            )
        )
    if as_node == COPY:
        _only_one(updates, "Cannot copy checkpoint with multiple updates")
        copied = yield from _update(loop, _nothing_to_copy_from, source="fork", sibling=True)
        if isinstance(values, list | tuple) and values:
            items = []
            for item in values:
                if not isinstance(item, Sequence) or isinstance(item, str):
                    raise InvalidUpdateError(
                        f"Invalid update item: {item!r} when copying checkpoint; pass "
                        "StateUpdate(values, as_node) items."
                    )
                items.append(_as_update(item))
            # grouped by node, as LangGraph matches them to the copy's due tasks
            order = list(dict.fromkeys(u.as_node for u in items))
            items.sort(key=lambda u: order.index(u.as_node))
            # the updates write under the same lease (pregel/leases.py) as the copy
            token = (config.get("configurable") or {}).get("lease_token")
            on_copy = copied if token is None else with_token(copied, token)
            return (yield from _superstep(graph, on_copy, saver, items, bases))
        return copied
    return (
        yield from _update(
            loop, lambda lp: _node_tasks(lp, graph, updates), keep_writes=keep, route=True
        )
    )


def _update(
    loop: PregelLoop,
    make_tasks: Callable[[PregelLoop], list[Task] | None],
    source: str = "update",
    keep_writes: bool = False,
    sibling: bool = False,
    route: bool = False,
) -> Generator[Effect, Any, Any]:
    """One superstep of the tasks ``make_tasks(loop)`` returns (their writes set), saved as one
    checkpoint; returns its config. None: a fork, the same state as a new checkpoint.
    ``source="input"``: the writes are the run's input. ``keep_writes``: also save them on the
    checkpoint they build on; ``sibling``: the new checkpoint has that one's parent;
    ``route``: the tasks' writes are still to be made from their input, by the driver."""
    loop.restore((yield Load(loop.config)))
    loop.take_input_writes()
    tasks = make_tasks(loop)
    if tasks and route:
        yield Writes(tasks)  # what each node's writers (and conditional edges) make of it
    saved = loop.saved
    if saved is None:
        loop.step = -1 if source == "input" else 0  # it stands for the thread's input
    persistence = loop.persistence
    if tasks and keep_writes and saved is not None:
        for task in tasks:
            if writes := [w for w in task.writes if w[0] != TASKS]:
                persistence.put_writes(task, writes)
    same_step = sibling and saved is not None
    if same_step:
        persistence.checkpoint_config = saved.parent_config or thread_config(loop.config, None)
    loop.save_update(tasks, source, same_step)
    yield Save(persistence.take())
    return persistence.checkpoint_config


def _nothing_to_copy_from(loop: PregelLoop) -> None:
    """A copy writes nothing; there must be a checkpoint to copy."""
    if loop.saved is None:
        raise InvalidUpdateError(
            "Cannot copy a non-existent checkpoint: the thread has none (or not the one "
            "named). Copy one of its checkpoints, e.g. from graph.get_state_history(config)."
        )


def _only_one(updates: list[StateUpdate], message: str) -> None:
    if len(updates) > 1:
        raise InvalidUpdateError(
            f"{message}: a superstep with as_node={updates[0].as_node!r} holds that one update "
            "only. Put the other updates in supersteps of their own."
        )


def _node_tasks(loop: PregelLoop, graph: Any, updates: list[StateUpdate]) -> list[Task] | None:
    saved = loop.saved
    only = updates[0]
    if len(updates) == 1 and only.values is None and only.as_node is None and saved is not None:
        # update_state(config, None): a fork, a copy of the checkpoint that writes nothing, so
        # what was next is next (as in LangGraph)
        return None
    due: dict[str, list[str]] = {}
    if saved is not None:
        for t in loop.peek():
            due.setdefault(t.name, []).append(t.id)
    tasks = []
    for i, update in enumerate(updates):
        name = update.as_node
        if name is None:
            if len(updates) > 1:
                raise InvalidUpdateError(
                    "as_node is required when applying multiple updates: give each "
                    "StateUpdate the node it stands for, e.g. StateUpdate(values, 'node')."
                )
            name = _last_node(loop, graph)
        node = graph.nodes.get(name)
        if node is None:
            raise InvalidUpdateError(
                f"Node {name} does not exist: update_state(as_node={name!r}) names no node of "
                f"this graph (nodes: {', '.join(map(repr, graph.nodes))})."
            )
        if not node.writers:
            raise InvalidUpdateError(
                f"Node {name} has no writers: an update as {name!r} would change nothing. "
                "Name a node that writes to the state."
            )
        triggers = [c for c in node.triggers if c in loop.versions]
        task = Task(name, node, update.values, triggers, loop.step, loop)
        ids = due.get(name)
        task_id = update.task_id or (ids.pop(0) if ids else None)
        if task_id is None and saved is not None:
            task_id = _update_task_id(saved.checkpoint["id"], i)
        if task_id is not None:
            task._id = task_id
        # the superstep applies its updates in the order given (as LangGraph does), whatever
        # their nodes' names: the path, which orders writes, is the update's place
        task.id  # noqa: B018 - the id stays the one the node's path gives
        task.path = ("__interrupt__", i)
        tasks.append(task)  # its writes: the Writes effect _update yields
    return tasks


def _update_task_id(checkpoint_id: str, i: int) -> str:
    """The id of the ``i``-th update of a superstep that has no due task to stand for (a saver
    keeps one write per task id and index, so two updates must not share one)."""
    return str(
        uuid.uuid5(uuid.UUID(checkpoint_id), "__interrupt__" if i == 0 else f"__interrupt__:{i}")
    )


def _input_tasks(loop: PregelLoop, values: Any) -> list[Task]:
    if values is None:
        raise InvalidUpdateError(
            f"Received no input writes for {START}: update_state(config, values, "
            "as_node='__input__') needs the input's values, e.g. {'messages': [...]}."
        )
    task = Task(INPUT, loop.spec.nodes.get(START), values, (), loop.step, loop)  # type: ignore[arg-type]
    task.path = ()
    if loop.saved is not None:
        task._id = str(uuid.uuid5(uuid.UUID(loop.saved.checkpoint["id"]), INPUT))
    task.writes = loop.spec.map_input(values)
    return [task]


def _clear_due_tasks(loop: PregelLoop) -> list[Task]:
    """The due tasks, each with what it saved: applying them leaves nothing due."""
    if loop.saved is None:
        return []
    done = saved_writes(loop.saved.pending_writes or ())
    tasks = loop.peek()
    for task in tasks:
        task.writes = done.get(task.id, [])
    return tasks


def _last_node(loop: PregelLoop, graph: Any) -> str:
    """The node whose update a state change is attributed to when ``as_node`` is not given."""
    if len(graph.nodes) == 1:  # as LangGraph: a graph of one node (an entrypoint's) is that node
        return next(iter(graph.nodes))
    if loop.saved is None:
        if START in graph.nodes:
            return START
        raise InvalidUpdateError(
            "Ambiguous update, specify as_node: the thread is new, so no node ran last. Pass "
            "as_node='<node name>'."
        )
    latest: dict[str, Any] = {}
    for node, seen in loop.versions_seen.items():
        if node in graph.nodes and seen:
            latest[node] = max(seen.values())
    if not latest:
        if START in graph.nodes:
            return START
        return _ambiguous(graph)
    top = max(latest.values())
    candidates = [n for n, v in latest.items() if v == top]
    if len(candidates) > 1:
        return _ambiguous(graph, candidates)
    return candidates[0]


def _ambiguous(graph: Any, candidates: list[str] | None = None) -> str:
    which = f" ({', '.join(map(repr, candidates))} ran last together)" if candidates else ""
    raise InvalidUpdateError(
        f"Ambiguous update, specify as_node: update_state cannot tell which node this update "
        f"comes from{which}; pass as_node='<node name>'."
    )
