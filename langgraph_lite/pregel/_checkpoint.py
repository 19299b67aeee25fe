"""LangGraph's ``langgraph.pregel._checkpoint`` helpers that programs and its tests import.

``empty_checkpoint`` is ``checkpoint.base``'s; ``copy_checkpoint`` copies a checkpoint's maps,
so the copy can be changed without touching what was saved; ``channels_from_checkpoint``
builds channels from their specs and a checkpoint's values, as a run restores them
(``pregel.checkpointing.restore_channels``). A ``DeltaChannel`` keeps its value in every
checkpoint here, so no saver is needed to rebuild one: ``saver`` and ``config`` are accepted
and unused. Managed values have no channel; they come back as the second item, by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph_lite.channels.base import BaseChannel
from langgraph_lite.checkpoint.base import Checkpoint, CheckpointTuple, empty_checkpoint
from langgraph_lite.pregel.checkpointing import restore_channels

__all__ = [
    "achannels_from_checkpoint",
    "channels_from_checkpoint",
    "copy_checkpoint",
    "empty_checkpoint",
]


def copy_checkpoint(checkpoint: Checkpoint) -> Checkpoint:
    """``checkpoint`` with its own values, versions and versions-seen maps."""
    copied = dict(checkpoint)
    for key in ("channel_values", "channel_versions"):
        copied[key] = dict(checkpoint[key])  # type: ignore[literal-required]
    copied["versions_seen"] = {
        node: dict(seen) for node, seen in checkpoint["versions_seen"].items()
    }
    copied.setdefault("updated_channels", None)
    return copied  # type: ignore[return-value]


def channels_from_checkpoint(
    specs: Mapping[str, Any],
    checkpoint: Checkpoint,
    *,
    saver: Any = None,
    config: Any = None,
) -> tuple[dict[str, BaseChannel], dict[str, Any]]:
    """``(channels, managed)``: a channel per channel spec, holding what ``checkpoint``
    saved for it, and the other specs (managed values) as given."""
    channels = {k: v for k, v in specs.items() if isinstance(v, BaseChannel)}
    managed = {k: v for k, v in specs.items() if k not in channels}
    saved = CheckpointTuple({}, checkpoint, {}, None, [])
    return restore_channels(channels, saved), managed


async def achannels_from_checkpoint(
    specs: Mapping[str, Any],
    checkpoint: Checkpoint,
    *,
    saver: Any = None,
    config: Any = None,
) -> tuple[dict[str, BaseChannel], dict[str, Any]]:
    """``channels_from_checkpoint``, for async code (it does no I/O)."""
    return channels_from_checkpoint(specs, checkpoint, saver=saver, config=config)
