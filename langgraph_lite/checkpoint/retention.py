"""What every saver's retention calls share: ``prune``, ``delete_for_runs``, ``copy_thread``.

The rules, the same on every saver:

- ``prune(thread_ids, strategy="keep_latest")`` keeps, in each namespace of each thread, its
  latest checkpoint with its pending writes and the channel values it names. A subgraph call's
  namespace (``"node:<task id>"``) goes whole with the root checkpoint its call started from
  (``metadata["parents"][""]``), unless that root checkpoint is the one kept (an interrupted
  call stays resumable). ``strategy="delete"`` deletes the threads.
- ``delete_for_runs(run_ids)`` deletes the checkpoints whose ``metadata["run_id"]`` is one of
  ``run_ids`` (a run's id is there when it was given in ``config["metadata"]`` or
  ``configurable``), with their pending writes.
- A checkpoint kept whose parent was deleted is left with no parent, as LangGraph's prune does.
- Savers store some values and skeletons as deltas against an earlier version
  (``checkpoint.increments``, ``checkpoint.skeleton_deltas``). Deleting never leaves a kept
  checkpoint unreadable: a kept delta whose base goes is first stored whole (``whole_blobs``).
- ``copy_thread(source, target)`` copies every checkpoint, pending write and value, so history,
  resuming and forks work on the copy; the target must have no checkpoints yet.
- On a saver with leases, these calls write the thread: while another worker holds a live lease
  on it they are refused with ``ThreadBusyError`` and delete nothing (take the lease first, with
  ``acquire_lease``, to prune a thread yourself).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

__all__ = [
    "STRATEGIES",
    "check_copy",
    "check_strategy",
    "latest_kept",
    "run_list",
    "thread_list",
    "whole_blobs",
]

_K = TypeVar("_K", bound=Hashable)  # a blob's key

STRATEGIES = ("keep_latest", "delete")


def thread_list(thread_ids: Any) -> list[str]:
    """``thread_ids`` as a list of ids; one bare id is a mistake worth naming."""
    if isinstance(thread_ids, str | bytes):
        raise TypeError(
            f"thread_ids must be a sequence of thread IDs, not a str: pass [{thread_ids!r}]."
        )
    return [str(t) for t in thread_ids]


def run_list(run_ids: Any) -> list[str]:
    """``run_ids`` as a list of ids (str of each: a UUID matches its text in metadata)."""
    if isinstance(run_ids, str | bytes):
        raise TypeError(f"run_ids must be a sequence of run IDs, not a str: pass [{run_ids!r}].")
    return [str(r) for r in run_ids]


def check_strategy(strategy: Any) -> None:
    """Raise, naming the choices, unless ``strategy`` is one ``prune`` knows."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown prune strategy: {strategy!r}; use 'keep_latest' or 'delete'.")


def check_copy(source: Any, target: Any) -> tuple[str, str]:
    """``(source, target)`` as str; copying a thread onto itself is refused."""
    if source is None or target is None or str(source) == "" or str(target) == "":
        raise ValueError("copy_thread needs a source and a target thread_id.")
    if str(source) == str(target):
        raise ValueError(f"copy_thread: source and target are the same thread {str(source)!r}.")
    return str(source), str(target)


def target_not_empty(target: str) -> ValueError:
    """The error for a copy onto a thread that already has checkpoints."""
    return ValueError(
        f"copy_thread: thread {target!r} already has checkpoints; copy to a new thread_id, "
        f"or delete_thread({target!r}) first."
    )


def latest_kept(rows: Iterable[tuple[str, str, Mapping[str, Any]]]) -> set[tuple[str, str]]:
    """The ``(namespace, checkpoint_id)`` that ``keep_latest`` keeps of one thread's
    checkpoints, given as ``(namespace, checkpoint_id, metadata)``."""
    heads: dict[str, tuple[str, Mapping[str, Any]]] = {}
    root_ids: set[str] = set()
    for ns, checkpoint_id, metadata in rows:
        if ns == "":
            root_ids.add(checkpoint_id)
        if ns not in heads or checkpoint_id > heads[ns][0]:
            heads[ns] = (checkpoint_id, metadata)
    root_head = heads.get("", ("", {}))[0]
    kept = set()
    for ns, (checkpoint_id, metadata) in heads.items():
        parents = metadata.get("parents") if isinstance(metadata, Mapping) else None
        root = parents.get("") if isinstance(parents, Mapping) else None
        # a call goes with its root checkpoint, once that one is saved (and not kept)
        if ":" in ns and root in root_ids and root != root_head:
            continue
        kept.add((ns, checkpoint_id))
    return kept


def whole_blobs(
    needed: Iterable[_K],
    gone: set[_K],
    base_of: Callable[[_K], _K | None],
    exists: Callable[[_K], bool],
) -> list[_K]:
    """The delta blobs among ``needed`` to store whole before ``gone`` is deleted.

    ``base_of(key)`` is the key of the blob a delta builds on (None: a whole blob); a needed
    blob stays readable when its chain of bases reaches a whole blob or another needed one
    (itself kept readable) without passing through one that goes or is missing.
    """
    needed = set(needed)
    readable: dict[_K, bool] = {}

    def chain_ok(key: _K, budget: int) -> bool:
        if key in needed:
            return True
        if key in readable:
            return readable[key]
        ok = False
        if key not in gone and exists(key) and budget > 0:
            base = base_of(key)
            ok = base is None or chain_ok(base, budget - 1)
        readable[key] = ok
        return ok

    return [
        key
        for key in sorted(needed, key=repr)
        if exists(key) and (base := base_of(key)) is not None and not chain_ok(base, 256)
    ]
