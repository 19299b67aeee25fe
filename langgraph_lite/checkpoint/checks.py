"""What savers and the engine check of a decoded checkpoint before using it.

Well-formed msgpack of the wrong shape fails here, as ``CheckpointDecodeError`` naming the
thread and checkpoint, not as an ``AttributeError`` deep in the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph_lite.checkpoint.base import CheckpointTuple

__all__ = ["check_skeleton", "check_special_writes", "check_writes", "unreadable"]

_NO_TASK = "00000000-0000-0000-0000-000000000000"  # the task id of writes of no task (input)


def unreadable(thread_id: str, ns: str, checkpoint_id: str, exc: Exception) -> Exception:
    """The error for a saved checkpoint that cannot be decoded, naming where it is."""
    from langgraph_lite.checkpoint.serde import CheckpointDecodeError

    error = CheckpointDecodeError(
        f"checkpoint {checkpoint_id!r} of thread {thread_id!r} (namespace {ns!r}) could not be "
        f"read: {exc}. Other checkpoints and threads are unaffected; resume from an earlier "
        "checkpoint_id, or delete this thread."
    )
    error.__cause__ = exc
    return error


def check_skeleton(checkpoint_id: str, checkpoint: Any, metadata: Any) -> None:
    """Refuse a decoded checkpoint (without its values) or metadata of the wrong shape.

    Savers call this before handing anything out, so that well-formed msgpack of the wrong
    shape fails here, as ``CheckpointDecodeError``, and not as an ``AttributeError`` deep in
    the engine. ``unreadable`` then names the thread and checkpoint.
    """
    from langgraph_lite.checkpoint.serde import CheckpointDecodeError

    def bad(what: str, value: Any, expected: str) -> CheckpointDecodeError:
        return CheckpointDecodeError(
            f"its {what} is {type(value).__name__} {_short(value)}, where {expected} belongs"
        )

    if not isinstance(checkpoint, dict):
        raise bad("checkpoint", checkpoint, "a dict")
    for key, kind, expected in _SKELETON:
        if key not in checkpoint:
            raise CheckpointDecodeError(f"its checkpoint has no {key!r}")
        if not isinstance(checkpoint[key], kind) or isinstance(checkpoint[key], bool):
            raise bad(key, checkpoint[key], expected)
    if checkpoint["id"] != checkpoint_id:
        raise CheckpointDecodeError(f"it holds the checkpoint {checkpoint['id']!r}")
    for channel, version in checkpoint["channel_versions"].items():
        if not isinstance(channel, str) or not _is_version(version):
            raise bad(f"channel_versions[{channel!r}]", version, "a version (str, int, float)")
    for node, seen in checkpoint["versions_seen"].items():
        if not isinstance(node, str) or not isinstance(seen, dict):
            raise bad(f"versions_seen[{node!r}]", seen, "a dict of channel versions")
        for channel, version in seen.items():
            if not isinstance(channel, str) or not _is_version(version):
                raise bad(f"versions_seen[{node!r}][{channel!r}]", version, "a version")
    updated = checkpoint.get("updated_channels")
    if updated is not None and not (
        isinstance(updated, list) and all(isinstance(c, str) for c in updated)
    ):
        raise bad("updated_channels", updated, "a list of channel names or None")
    if "channel_values" in checkpoint and not isinstance(checkpoint["channel_values"], dict):
        raise bad("channel_values", checkpoint["channel_values"], "a dict")
    if not isinstance(metadata, dict):
        raise bad("metadata", metadata, "a dict")
    step = metadata.get("step")
    if step is not None and (not isinstance(step, int) or isinstance(step, bool)):
        raise bad("metadata['step']", step, "an int")
    if not isinstance(metadata.get("source", ""), str):
        raise bad("metadata['source']", metadata["source"], "a str")
    parents = metadata.get("parents", {})
    if not isinstance(parents, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in parents.items()
    ):
        raise bad("metadata['parents']", parents, "a dict of namespace to checkpoint id")


def check_writes(writes: Sequence[Any]) -> None:
    """Refuse decoded pending writes of the wrong shape (see ``check_skeleton``).

    A saver stores any value under any channel (LangGraph's conformance suite writes a dict as
    an interrupt); what the engine's own channels must hold is ``check_special_writes``'s job.
    """
    from langgraph_lite.checkpoint.serde import CheckpointDecodeError

    for task_id, channel, _value in writes:
        if not isinstance(task_id, str) or not isinstance(channel, str):
            raise CheckpointDecodeError(f"a pending write names task {task_id!r}, {channel!r}")


def check_special_writes(saved: CheckpointTuple) -> None:
    """Refuse a checkpoint whose interrupt or resume writes the engine cannot use.

    Called by the engine when it restores ``saved``: a malformed write is a
    ``CheckpointDecodeError`` naming the thread and checkpoint, not an ``AttributeError``
    deep in a run.
    """
    from langgraph_lite.checkpoint.serde import CheckpointDecodeError
    from langgraph_lite.types import Interrupt

    for task_id, channel, value in saved.pending_writes or ():
        problem = None
        if channel == "__interrupt__" and not (
            isinstance(value, (list, tuple)) and all(isinstance(i, Interrupt) for i in value)
        ):
            problem = (
                f"its pending interrupt of task {task_id!r} is {type(value).__name__} "
                f"{_short(value)}, where a list (or tuple) of Interrupt belongs"
            )
        elif channel == "__resume__" and not isinstance(value, list) and task_id != _NO_TASK:
            # (a run's own resume value, Command(resume=...) saved for no task, is any value)
            problem = (
                f"its pending resume values of task {task_id!r} are {type(value).__name__} "
                f"{_short(value)}, where a list belongs"
            )
        if problem is not None:
            conf = saved.config.get("configurable", {})
            raise unreadable(
                conf.get("thread_id", ""),
                conf.get("checkpoint_ns", ""),
                conf.get("checkpoint_id", ""),
                CheckpointDecodeError(problem),
            )


_SKELETON: list[tuple[str, type | tuple[type, ...], str]] = [
    ("v", int, "an int"),
    ("id", str, "a str"),
    ("ts", str, "a str"),
    ("channel_versions", dict, "a dict"),
    ("versions_seen", dict, "a dict"),
]


def _is_version(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # a hostile value's own repr may fail
        return f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."
