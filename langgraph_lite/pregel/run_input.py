"""A run's input when it is not a plain value: None (resume the thread) or a ``Command``.

``graph.invoke(Command(update=..., goto=...), config)``: the Command's ``update`` and ``goto`` become writes that belong to no task (saved under
``NULL_TASK_ID`` on the checkpoint the run resumes from, as LangGraph saves them): they are
applied to the channels before the next step is planned, so ``goto`` makes its nodes due and
``update`` changes the state they read. Until a later checkpoint takes them in, every load
of that checkpoint applies them again (a run, ``get_state``, ``update_state``); applying them
to the saved channels each time means they count once however often they are loaded.
``resume`` is the ``Interrupts``' business, not this module's. ``take_input`` also decides when a
subgraph's input is not taken at all: its parent task runs again, and it continues its saved run.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel

from langgraph_lite.errors import EmptyInputError, InvalidUpdateError
from langgraph_lite.pregel.checkpointing import NULL_TASK_ID, RESUME
from langgraph_lite.types import Command, Send

if TYPE_CHECKING:
    from langgraph_lite.pregel.spec import GraphSpec

__all__ = [
    "INPUT_TASK",
    "apply_null_writes",
    "command_writes",
    "null_writes",
    "take_command",
    "take_input",
]

logger = logging.getLogger("langgraph_lite")

_END = "__end__"
_ROOT = "__root__"
_TASKS = "__pregel_tasks"


class _InputTask(NamedTuple):
    """Who the input's writes are saved for: no task (what ``Persistence.put_writes`` reads)."""

    id: str
    path: tuple[str, ...]


INPUT_TASK = _InputTask(NULL_TASK_ID, ())


def null_writes(saved: Any) -> list[tuple[str, Any]]:
    """The writes of earlier Command inputs saved on ``saved`` (a ``CheckpointTuple`` or None),
    in the order saved. As LangGraph, they count on a replay of that checkpoint too."""
    pending = saved.pending_writes or () if saved is not None else ()
    return [(c, v) for tid, c, v in pending if tid == NULL_TASK_ID and c != RESUME]


def take_input(
    input: Any,
    saved: Any,
    pending_writes: Sequence[Any],
    parent: Any,
    travel: Any,
    interrupts: Any,
    persistence: Any,
    spec: GraphSpec,
    due: Callable[[], Sequence[Any]],
) -> tuple[Any, list[tuple[str, Any]]]:
    """What a run given ``input`` goes on with: the input (None: it resumes the saved run) and
    the input writes to apply first (earlier Command inputs' saved on ``saved``, this one's).

    ``parent``: the task of an enclosing graph running this one, if any; ``travel``: the run's
    ``TimeTravel``; ``interrupts`` takes a Command's answers, ``persistence`` saves its writes;
    ``due()``: the tasks the saved run would run next.
    """
    if parent is not None and not isinstance(input, Command):
        interrupts.inherit(getattr(parent.run, "interrupts", None))
    if (
        parent is not None
        and saved is not None
        and input is not None
        and not isinstance(input, Command)
        and not travel.takes_input_again
        and (pending_writes or due() or getattr(parent.run, "resuming", False))
    ):
        # A subgraph whose parent task runs again (resumed after an interrupt or a crash):
        # continue the saved run, answering its interrupts with the parent's answers. Its
        # namespace names the parent task, so a saved run found under it is this task's,
        # even a finished one (a crash before the parent task's writes were saved).
        interrupts.replay_answers(pending_writes)
        input = None
    null = null_writes(saved)
    if isinstance(input, Command):
        # Strict resume checks the outermost run's answers, against the thread's latest
        # checkpoint only: a superseded one's tasks may run again and ask again.
        strict = interrupts.strict and parent is None and not travel.loaded.superseded
        interrupts.resume_with(input, saved is not None, pending_writes, strict)
        input, null, keep = take_command(input, spec, bool(saved), null)
        if keep and not travel.travels:  # (a replay's fork checkpoint takes them in)
            persistence.put_writes(INPUT_TASK, keep)
    return input, null


def take_command(
    command: Command, spec: GraphSpec, saved: bool, pending: list[tuple[str, Any]]
) -> tuple[Any, list[tuple[str, Any]], list[tuple[str, Any]]]:
    """A run is given ``command`` as input; ``pending``: the input writes already saved.

    Returns the input the run goes on with (None: it resumes the thread), the input writes
    to apply now, and those to save (all of them, as LangGraph saves them).
    """
    gotos, updates = command_writes(command, spec.channels, spec.nodes)
    if not saved:  # a new thread: START runs the Command as if it had returned it
        if "__start__" in spec.nodes:
            return command, [], []
        return Command(), [*gotos, *updates], []  # (a graph without START: they are input)
    new = [*gotos, *updates]
    return None, [*pending, *new], [*pending, *new] if new else []


def apply_null_writes(
    channels: Mapping[str, Any],
    versions: dict[str, Any],
    writes: Sequence[tuple[str, Any]],
    version: Any,
    updated: set[str],
    changed_last: set[str],
) -> set[str]:
    """Apply the input's writes to the channels; returns the channels changed.

    The channels changed are added to ``changed_last`` (so that what expires does next step)
    and those then available to ``updated`` (they make their nodes due).

    Each channel gets its writes in one update, as a step's. Where the writes of several
    Commands given in turn meet in a channel that holds one value, the latest Command's value
    is kept (LangGraph raises there, and the thread cannot be read any more).
    """
    by_channel: dict[str, list[Any]] = {}
    for chan, value in writes:
        if chan in channels:  # (a saved write to a channel the graph has lost: dropped)
            by_channel.setdefault(chan, []).append(value)
    changed: set[str] = set()
    for chan, vals in by_channel.items():
        ch = channels[chan]
        try:
            did_change = ch.update(vals)
        except InvalidUpdateError:
            if len(vals) < 2:
                raise
            did_change = ch.update(vals[-1:])
        if did_change:
            versions[chan] = version
            changed.add(chan)
            if ch.is_available():
                updated.add(chan)
    changed_last |= changed
    return changed


def command_writes(
    command: Command, channels: Mapping[str, Any], nodes: Mapping[str, Any]
) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """The writes ``command``'s goto and its update make, checked against the graph.

    Raises on a goto to a node the graph lacks, on ``graph=``, and on a Command that says
    nothing at all; update keys the graph has no channel for are dropped (logged), as LangGraph
    drops them.
    """
    if command.graph is not None:
        raise InvalidUpdateError(
            ("There is no parent graph: " if command.graph == Command.PARENT else "")
            + f"Command(graph={command.graph!r}) was given as the run's input, and graph= only "
            "means something when a node returns it. Pass Command(update=..., goto=...) "
            "without graph=."
        )
    writes: list[tuple[str, Any]] = []
    updates: list[tuple[str, Any]] = []
    goto = command.goto
    for dest in goto if isinstance(goto, list | tuple) else [goto] if goto else []:
        if isinstance(dest, Send):
            _check_node(dest.node, command, nodes, channels, send=True)
            writes.append((_TASKS, dest))
        elif isinstance(dest, str):
            if dest != _END:  # going to the end is going nowhere
                _check_node(dest, command, nodes, channels, send=False)
                writes.append((f"branch:to:{dest}", None))
        else:
            raise TypeError(
                f"In Command.goto, expected Send/str, got {type(dest).__name__}: goto names "
                "the node(s) to run next, or Send(node, arg) packets."
            )
    if command.update is not None:
        pairs = _update_pairs(command.update, channels)
        unknown = [k for k, _ in pairs if k not in channels]
        if unknown:
            logger.warning(
                "Command(update=...) given as the run's input wrote to %s, which the graph has "
                "no channel for; ignoring %s.",
                ", ".join(map(repr, unknown)),
                "it" if len(unknown) == 1 else "them",
            )
        updates.extend((k, v) for k, v in pairs if k in channels)
    if command.resume is None and not _says_something(command):
        raise EmptyInputError(
            "Received empty Command input: Command() sets none of update=, goto= or resume=. "
            "Pass the values to write (update=), the node(s) to run (goto=) or an interrupt's "
            "answer (resume=); None resumes the thread as it stands."
        )
    return writes, updates


def _says_something(command: Command) -> bool:
    # an update of only unknown keys, or goto=END, still said something: not "empty"
    return command.update is not None or bool(command.goto)


def _check_node(
    node: str, command: Command, nodes: Mapping[str, Any], channels: Mapping[str, Any], send: bool
) -> None:
    target = f"Send({node!r}, ...)" if send else repr(node)
    if node not in nodes or node == "__start__":
        raise InvalidUpdateError(
            f"Command(goto={target}) was given as the run's input, and {node!r} is not a node "
            f"of this graph (nodes: {', '.join(repr(n) for n in nodes if n != '__start__')}). "
            "Name one of those nodes."
        )
    if not send and f"branch:to:{node}" not in channels:
        raise InvalidUpdateError(
            f"Command(goto={target}) was given as the run's input, and this graph has no "
            f"channel that starts {node!r} (a StateGraph has one per node); write to the "
            "node's input channels with Command(update=...) instead."
        )


def _update_pairs(update: Any, channels: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``Command.update`` as (channel, value) pairs, read as LangGraph reads it."""
    if isinstance(update, Mapping):
        return list(update.items())
    if isinstance(update, list | tuple) and all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in update
    ):
        return list(update)
    if isinstance(update, BaseModel):
        # every field, except a None the model was not given and has as its default
        given = update.model_fields_set
        return [
            (k, v)
            for k, field in type(update).model_fields.items()
            if (v := getattr(update, k)) is not None or k in given or field.default is not None
        ]
    if dataclasses.is_dataclass(update) and not isinstance(update, type):
        return [(f.name, getattr(update, f.name)) for f in dataclasses.fields(update)]
    if _ROOT in channels:
        return [(_ROOT, update)]
    raise InvalidUpdateError(
        f"Command(update={update!r}) was given as the run's input; update is a dict of state "
        "values (e.g. {'key': value}), a list of (key, value) pairs, or a state object."
    )
