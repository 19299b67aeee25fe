"""What the serializer puts on disk: extension codes, type markers, nesting limits, zones.

Stable: changing a code or a marker makes saved checkpoints unreadable. ``serde.py`` builds
and reads values with these; nothing here imports or calls code named by checkpoint data.
"""

from __future__ import annotations

import functools
import os
import pathlib
import zoneinfo
from typing import Any

import msgpack  # type: ignore[import-untyped]

# Extension type codes. Stable: they are part of what is on disk. Codes 1-4, 7, 10 and 11 held
# their value as msgpack bytes inside the extension (written before the marker format, still
# read); 13 is a marker that starts a list standing for the type its one payload byte names.
_TUPLE, _SET, _FROZENSET, _DATETIME, _DATE, _TIME, _TIMEDELTA = 1, 2, 3, 4, 5, 6, 7
_UUID, _DECIMAL, _PATH, _OBJECT, _BIGINT, _INLINE = 8, 9, 10, 11, 12, 13


def _nesting_limits() -> tuple[int, int]:
    """How many lists deep msgpack's packer packs and its unpacker unpacks (probed once)."""

    def packs(depth: int) -> bool:
        value: list[Any] = []
        for _ in range(depth - 1):
            value = [value]
        try:
            msgpack.packb(value)
        except ValueError:
            return False
        return True

    def unpacks(depth: int) -> bool:
        try:
            msgpack.unpackb(b"\x91" * (depth - 1) + b"\x90")
        except ValueError:  # StackError
            return False
        return True

    def highest(ok: Any) -> int:
        lo, hi = 1, 1 << 14
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
        return lo

    return highest(packs), highest(unpacks)


_PACKS, _UNPACKS = _nesting_limits()
# The packer refuses an item more than _PACKS - 1 lists down, the unpacker a list that deep.
# Packing a value inside this many lists (cut off after) makes the packer refuse what the
# unpacker could not read back: whatever saves, loads.
_WRAPPER = max(0, _PACKS - _UNPACKS)
MAX_DEPTH = _PACKS - 1 - _WRAPPER
"""How deep a saved value may nest (1023 with msgpack 1.1).

A list, dict, tuple, set, frozenset, datetime, timedelta, path or enum is one level; a model,
dataclass or named tuple two (itself and its fields). A value up to ``MAX_DEPTH`` levels deep
saves and loads; one deeper is refused when saved, with ``TypeError`` (one exception: at
``MAX_DEPTH + 1`` levels a value whose innermost container is an empty list or dict saves, and
loads). Whatever saves, loads.
"""

# Old-format extensions nest by decoding again from inside the hook; each level costs stack,
# so data that nests them deeper than this is refused rather than followed.
_LEGACY_DEPTH = 200


class _Mark:
    """The decoded marker that starts a list standing for another type."""

    __slots__ = ("code",)

    def __init__(self, code: int) -> None:
        self.code = code


_MARKS = {
    bytes([code]): _Mark(code)
    for code in (_TUPLE, _SET, _FROZENSET, _DATETIME, _TIMEDELTA, _PATH, _OBJECT)
}
(
    _MARK_TUPLE,
    _MARK_SET,
    _MARK_FROZENSET,
    _MARK_DATETIME,
    _MARK_TIMEDELTA,
    _MARK_PATH,
    _MARK_OBJECT,
) = (
    msgpack.ExtType(_INLINE, bytes([code]))
    for code in (_TUPLE, _SET, _FROZENSET, _DATETIME, _TIMEDELTA, _PATH, _OBJECT)
)

_PATHS: dict[str, type] = {
    "PurePosixPath": pathlib.PurePosixPath,
    "PureWindowsPath": pathlib.PureWindowsPath,
    "Path": pathlib.Path,
    "PosixPath": pathlib.Path,
    "WindowsPath": pathlib.Path,
}


class CheckpointDecodeError(ValueError):
    """A saved value names a type the serializer may not rebuild, or the bytes are corrupt."""


def _zone(key: Any) -> Any:
    """A named time zone from the system's tz database: data read from a file, never code.

    ``zoneinfo.ZoneInfo`` falls back to importing a package named ``tzdata`` from
    ``sys.path`` when the system has no file for a zone; decoding refuses instead.
    """
    if not isinstance(key, str) or not _zone_on_disk(key):
        raise CheckpointDecodeError(
            f"checkpoint data names the time zone {key!r}, which is not in the system's tz "
            f"database (zoneinfo.TZPATH = {zoneinfo.TZPATH}); decoding imports nothing, so the "
            "tzdata package is not consulted. Install the system's tz database (e.g. apt-get "
            "install tzdata) or point zoneinfo.reset_tzpath() at one."
        )
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise CheckpointDecodeError(f"unknown time zone {key!r} in checkpoint data") from exc


@functools.lru_cache(maxsize=1024)
def _zone_on_disk(key: str) -> bool:
    parts = key.split("/")
    if not key or "\\" in key or "\0" in key or any(p in ("", ".", "..") for p in parts):
        return False  # not a zone name: never a path that leaves the tz database
    return any(os.path.isfile(os.path.join(root, *parts)) for root in zoneinfo.TZPATH)
