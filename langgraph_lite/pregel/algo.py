"""Pure functions of one superstep: which tasks run, and how their writes apply.

Nothing here waits, streams or persists; ``loop.py`` calls these with the run's state.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langgraph_lite.channels.base import MISSING, BaseChannel
from langgraph_lite.checkpoint.base import uuid5
from langgraph_lite.errors import (
    ErrorCode,
    GraphRecursionError,
    InvalidUpdateError,
    NodeError,
    create_error_message,
)
from langgraph_lite.pregel.task_view import task_config, task_runtime

if TYPE_CHECKING:
    from langgraph_lite.pregel.attempt import RunContext
    from langgraph_lite.pregel.node import PregelNode

__all__ = [
    "INPUT",
    "PULL",
    "PUSH",
    "TASKS",
    "HandlerTask",
    "Task",
    "apply_input",
    "apply_writes",
    "drop_due",
    "handler_task",
    "mark_seen",
    "prepare_next_tasks",
    "read_state",
    "recursion_error",
]

PULL = "__pregel_pull"
"""First element of the path of a task planned because its triggers changed."""
PUSH = "__pregel_push"
"""First element of the path of a task planned from a ``Send`` packet."""
TASKS = "__pregel_tasks"
"""The channel ``Send`` packets are written to; each becomes a task of the next step."""
INPUT = "__input__"  # the run's input as a node: update_state's as_node, in versions_seen

_TASK_ID_NAMESPACE = uuid.UUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8")
_TASK_ID_BYTES = _TASK_ID_NAMESPACE.bytes


class Task:
    """One node's run in one superstep: its input, and after it ran, its writes.

    ``path`` orders tasks (and so their writes) deterministically, whatever order they finish
    in. ``config`` is built only if the node asks for it.
    """

    __slots__ = (
        "_config",
        "_id",
        "attempt",
        "cached",
        "error",
        "first_attempt_time",
        "handler",
        "input",
        "interrupt_index",
        "name",
        "node",
        "outer_ns",
        "path",
        "pushed",
        "run",
        "saved",
        "seed",
        "step",
        "subgraph_calls",
        "triggers",
        "writer",
        "writes",
    )
    # Set only when needed (read with a default; unset costs nothing per task):
    attempt: int  # the attempt running, once a retry started (task_view reads 1 before)
    first_attempt_time: float  # Unix time its runtime was first built (its first attempt)

    def __init__(
        self,
        name: str,
        node: PregelNode,
        input: Any,
        triggers: Sequence[str],
        step: int,
        run: RunContext,
    ) -> None:
        self.name = name
        self.node = node
        self.input = input
        self.triggers = triggers
        self.step = step
        self.path: tuple[Any, ...] = (PULL, name)
        self.run = run  # the PregelLoop (or a stand-in): run-wide config, the stream writer
        self.seed = run.run_id  # the checkpoint (or run) this task's step started from
        self.writer = run.writer
        self.writes: list[tuple[str, Any]] = []
        self.pushed: list[tuple[str, Any]] = []  # push_message's writes, before the return's
        self.error: BaseException | None = None
        self.cached = False  # its writes came from the node cache
        self.saved = False  # its writes were saved by the thread that ran it (drivers.py)
        # The task of its node's error handler, once this task failed and the handler ran.
        self.handler: HandlerTask | None = None
        self.interrupt_index = 0  # how many times this run of the node called interrupt()
        self.subgraph_calls = 0  # how many graphs this run of the node has run (namespaces)
        self.outer_ns: str | None = None  # a call's: its caller's namespace (None: the run's)
        self._config: dict[str, Any] | None = None
        self._id: str | None = None

    def __repr__(self) -> str:
        return f"Task(name={self.name!r}, step={self.step}, path={self.path!r})"

    @property
    def shown_path(self) -> tuple[Any, ...]:
        """The path as LangGraph shows and saves it: a ``Send``'s ``(PUSH, index)`` gains
        ``False`` (it is no call); the id is made from ``path``."""
        path = self.path
        return path if len(path) != 2 or path[0] != PUSH else (*path, False)

    @property
    def id(self) -> str:
        """A task id, stable for a given run, step and path."""
        if self._id is None:
            name = f"{self.seed}|{self.step}|{'|'.join(map(str, self.path))}"
            self._id = uuid5(_TASK_ID_BYTES, name)
        return self._id

    @property
    def checkpoint_ns(self) -> str:
        """This task's place: ``node:<task id>``, under the namespace of an enclosing graph."""
        own = f"{self.name}:{self.id}"
        outer = self.outer_ns
        if outer is None:
            outer = getattr(self.run, "checkpoint_ns", "")
        return f"{outer}|{own}" if outer else own

    @property
    def runtime(self) -> Any:
        """What a node's ``runtime`` parameter receives (see ``task_view.task_runtime``)."""
        return task_runtime(self)

    @property
    def config(self) -> dict[str, Any]:
        """The config this task's node sees (``get_config()`` and an injected ``config``)."""
        if self._config is None:
            self._config = task_config(self)
        return self._config


class HandlerTask(Task):
    """The run of an error handler for a task that failed: a task of the same step.

    It reads what the failed task read and sorts right after it (its path extends the failed
    task's); its namespace is under the failed task's, as LangGraph places it.
    """

    __slots__ = ("failed_ns", "node_error")

    def __init__(self, failed: Task, error: BaseException) -> None:
        node = failed.node.error_handler
        assert node is not None
        super().__init__(node.name or "", node, failed.input, (PUSH,), failed.step, failed.run)
        self.path = (*failed.shown_path, "node_error_handler", False)
        self.seed = failed.seed  # its id must not depend on when it was made
        self.writer = failed.writer
        self.failed_ns = failed.checkpoint_ns
        self.node_error = NodeError(failed.name, error)  # what its ``error`` parameter gets

    @property
    def checkpoint_ns(self) -> str:
        """``<failed node>:<its task id>|<handler>:<task id>``."""
        return f"{self.failed_ns}|{self.name}:{self.id}"


def handler_task(task: Task, error: BaseException) -> HandlerTask:
    """The task of the error handler of ``task``'s node, which failed with ``error``;
    ``task.handler`` remembers it for the loop, which saves and reports the failure, then the
    handler's run, as two tasks of the step."""
    handler = task.handler = HandlerTask(task, error)
    return handler


def read_input(node: PregelNode, channels: Mapping[str, BaseChannel]) -> Any:
    """The value a node receives: one channel's value, or a dict of the listed ones that hold one."""
    names = node.channels
    if isinstance(names, str):
        ch = channels[names]
        return ch.get() if ch.is_available() else MISSING
    out = {}
    for name in names:
        ch = channels[name]
        if ch.is_available():
            out[name] = ch.get()
    return out


def read_state(
    channels: Mapping[str, BaseChannel],
    keys: str | Sequence[str],
    with_writes_of: Sequence[Task] = (),
) -> Any:
    """The value of ``keys``: one channel's value (or MISSING), or a dict of those available.

    ``with_writes_of``: as if those tasks' writes were applied (to copies of the channels).
    """
    if with_writes_of:
        channels = {k: ch.copy() for k, ch in channels.items()}
        by_channel: dict[str, list[Any]] = {}
        for task in sorted(with_writes_of, key=_path_key):
            for chan, value in task.writes:
                by_channel.setdefault(chan, []).append(value)
        for chan, values in by_channel.items():
            if chan in channels:
                channels[chan].update(values)
    if isinstance(keys, str):
        ch = channels[keys]
        return ch.get() if ch.is_available() else MISSING
    return {k: channels[k].get() for k in keys if channels[k].is_available()}


def prepare_next_tasks(
    nodes: Mapping[str, PregelNode],
    trigger_index: Mapping[str, Sequence[str]],
    channels: Mapping[str, BaseChannel],
    versions: Mapping[str, int],
    versions_seen: Mapping[str, Mapping[str, int]],
    updated: set[str] | frozenset[str],
    step: int,
    run: Any,
) -> list[Task]:
    """The tasks of the next step, in path order.

    Only nodes triggered by a channel updated in the last step are candidates (found through
    ``trigger_index``, built at compile time); a candidate runs when one of its triggers holds
    a value newer than the version the node last saw.
    """
    if len(updated) == 1:
        (only,) = updated
        candidates: Sequence[str] = trigger_index.get(only, ())
    else:
        found: set[str] = set()
        for chan in updated:
            found.update(trigger_index.get(chan, ()))
        candidates = sorted(found)
    tasks: list[Task] = []
    if TASKS in updated and channels[TASKS].is_available():
        tasks.extend(_push_tasks(nodes, channels[TASKS].get(), step, run))
    for name in candidates:
        node = nodes[name]
        seen = versions_seen.get(name)
        for chan in node.triggers:
            version = versions.get(chan)
            if version is None or not channels[chan].is_available():
                continue
            last = seen.get(chan) if seen else None
            if last is None or version > last:
                break
        else:
            continue
        reads = node.channels
        if type(reads) is str:  # read_input, inlined for the common one-channel node
            ch = channels[reads]
            if not ch.is_available():
                continue
            value = ch.get()
        else:
            value = read_input(node, channels)
        # (its triggers: all of the node's, as LangGraph lists them; each is seen and consumed)
        tasks.append(Task(name, node, value, node.triggers, step, run))
    return tasks


def _push_tasks(
    nodes: Mapping[str, PregelNode], packets: Sequence[Any], step: int, run: Any
) -> list[Task]:
    tasks = []
    for index, packet in enumerate(packets):
        node = nodes.get(packet.node)
        if node is None:
            raise InvalidUpdateError(
                create_error_message(
                    message=(
                        f"Send({packet.node!r}, ...) targets a node this graph does not have "
                        f"(nodes: {', '.join(map(repr, nodes))}). Send to one of them."
                    ),
                    error_code=ErrorCode.INVALID_GRAPH_NODE_RETURN_VALUE,
                )
            )
        if (timeout := packet.timeout) is not None:  # Send(timeout=): this task's own limit
            node = node.copy({"timeout": timeout})
        task = Task(packet.node, node, packet.arg, (PUSH,), step, run)
        task.path = (PUSH, index)
        tasks.append(task)
    return tasks


def apply_input(
    channels: Mapping[str, BaseChannel],
    versions: dict[str, Any],
    writes: Sequence[tuple[str, Any]],
    version: Any,
) -> tuple[set[str], set[str], set[str]]:
    """Apply a run's input writes; returns (available channels updated, changed, written)."""
    by_channel: dict[str, list[Any]] = {}
    for chan, value in writes:
        by_channel.setdefault(chan, []).append(value)
    changed: set[str] = set()
    for chan, vals in by_channel.items():
        if channels[chan].update(vals):
            versions[chan] = version
            changed.add(chan)
    return {c for c in changed if channels[c].is_available()}, changed, set(by_channel)


def mark_seen(
    tasks: Sequence[Task], versions: Mapping[str, Any], versions_seen: dict[str, dict[str, Any]]
) -> None:
    """What each task's node has now seen: its triggers' versions as they are."""
    for task in tasks:
        seen = versions_seen.get(task.name)
        if seen is None:
            seen = versions_seen[task.name] = {}
        for chan in task.triggers:
            if chan in versions:
                seen[chan] = versions[chan]


def drop_due(
    tasks: Sequence[Task],
    channels: Mapping[str, BaseChannel],
    versions: dict[str, Any],
    versions_seen: dict[str, dict[str, Any]],
    written: set[str],
    version: Any,
) -> set[str]:
    """A new input replaces the step that was due (``tasks``), as LangGraph: they are marked
    seen, as the input is, and the channels it does not write get an empty update (pending
    ``Send``s and ephemeral values go). Returns the channels that changed."""
    mark_seen(tasks, versions, versions_seen)
    versions_seen.setdefault(INPUT, {})
    changed = {n for n, c in channels.items() if tasks and n not in written and c.update([])}
    versions.update(dict.fromkeys(changed, version))
    return changed


def apply_writes(
    channels: Mapping[str, BaseChannel],
    versions: dict[str, Any],
    versions_seen: dict[str, dict[str, Any]],
    tasks: Sequence[Task],
    next_version: Any,
    changed_last_step: set[str],
    finish_channels: Sequence[str],
    trigger_index: Mapping[str, Any],
    consume_channels: frozenset[str] = frozenset(),
    expiring: frozenset[str] | None = None,
) -> tuple[set[str], set[str], Any]:
    """Apply a finished step's writes.

    Returns the available channels updated (they trigger the next step), every channel that
    changed, and the channels that were written.

    Writes apply in task-path order, each channel getting all of its writes of the step in one
    ``update`` call. Channels changed in the previous step but not written in this one get an
    empty update, which is how ephemeral values expire — only those can change on one, so no
    other channel is visited; ``expiring`` (when given) names the channels that may change on
    an empty update at all (the others, e.g. every ``LastValue``, are skipped).
    """
    if len(tasks) > 1:
        tasks = sorted(tasks, key=_path_key)
    mark_seen(tasks, versions, versions_seen)
    changed: set[str] = set()
    if consume_channels:  # only channels that do something on consume (barriers)
        for task in tasks:
            for chan in task.triggers:
                if chan in consume_channels and channels[chan].consume():
                    versions[chan] = next_version
                    changed.add(chan)
    # Group writes by channel, keeping task-path order within each channel.
    by_channel: dict[str, list[Any]] = {}
    for task in tasks:
        for chan, value in task.writes:
            vals = by_channel.get(chan)
            if vals is None:
                by_channel[chan] = [value]
            else:
                vals.append(value)
    updated: set[str] = set()
    for chan, vals in by_channel.items():
        ch = channels.get(chan)
        if ch is None:
            who = [t.name for t in tasks if any(c == chan for c, _ in t.writes)]
            raise InvalidUpdateError(
                create_error_message(
                    message=(
                        f"node {who[0]!r} wrote to {chan!r}, which is not a channel of this "
                        f"graph (channels: {', '.join(map(repr, channels))})."
                    ),
                    error_code=ErrorCode.INVALID_GRAPH_NODE_RETURN_VALUE,
                )
            )
        try:
            did_change = ch.update(vals)
        except InvalidUpdateError as exc:
            raise _explain_update_error(exc, chan, ch, tasks, tasks[0].step if tasks else -1)  # noqa: B904
        if did_change:
            versions[chan] = next_version
            changed.add(chan)
            if ch.is_available():
                updated.add(chan)
    for chan in changed_last_step if expiring is None else changed_last_step & expiring:
        if chan in by_channel:
            continue
        ch = channels[chan]
        if ch.is_available() and ch.update(()):
            versions[chan] = next_version
            changed.add(chan)
            if ch.is_available():
                updated.add(chan)
    if finish_channels and updated.isdisjoint(trigger_index):
        for chan in finish_channels:
            ch = channels[chan]
            if ch.finish():
                versions[chan] = next_version
                changed.add(chan)
                if ch.is_available():
                    updated.add(chan)
    return updated, changed, by_channel.keys()


def _path_key(task: Task) -> tuple[str, ...]:
    return task.path


def _explain_update_error(
    exc: InvalidUpdateError,
    chan: str,
    ch: BaseChannel,
    tasks: Sequence[Task],
    step: int,
) -> InvalidUpdateError:
    writers = [t.name for t in tasks if any(c == chan for c, _ in t.writes)]
    who = " and ".join(repr(w) for w in writers)
    nodes = "nodes" if len(writers) > 1 else "node"
    # LangGraph's words first (its users match them), then what happened and what to do.
    if str(exc).startswith("Can receive only one Overwrite"):
        message = (
            f"Can receive only one Overwrite value per super-step: channel {chan!r} got several "
            f"in step {step}, from {nodes} {who}. Let one node overwrite it per step."
        )
    elif len(writers) > 1 or (
        writers and sum(c == chan for c, _ in _writes_of(tasks, writers[0])) > 1
    ):
        message = (
            f"At key {chan!r}: Can receive only one value per step. Use an Annotated key to "
            f"handle multiple values. The channel ({type(ch).__name__}) got several writes in "
            f"step {step}, from {nodes} {who}: give it a reducer (e.g. {chan}: "
            "Annotated[list, operator.add], or BinaryOperatorAggregate), or let one node write it."
        )
    else:
        new = InvalidUpdateError(f"{exc} (step {step}, written by {', '.join(map(repr, writers))})")
        new.__cause__ = exc
        return new
    new = InvalidUpdateError(
        create_error_message(message=message, error_code=ErrorCode.INVALID_CONCURRENT_GRAPH_UPDATE)
    )
    new.__cause__ = exc
    return new


def _writes_of(tasks: Sequence[Task], name: str) -> list[tuple[str, Any]]:
    return [w for t in tasks if t.name == name for w in t.writes]


def recursion_error(limit: int, step: int, pending: Sequence[str]) -> GraphRecursionError:
    """The run passed ``limit`` supersteps with the nodes ``pending`` still due."""
    names = sorted(set(pending))
    still = f" with {', '.join(map(repr, names))} still scheduled" if names else ""
    return GraphRecursionError(
        create_error_message(
            message=(
                f"reached recursion_limit={limit} after {step} supersteps{still}. If the loop "
                f"is meant, pass config={{'recursion_limit': {max(limit * 4, 100)}}}; if not, "
                "check the edges that lead back into those nodes."
            ),
            error_code=ErrorCode.GRAPH_RECURSION_LIMIT,
        )
    )
