"""LangGraph's private config helpers that programs (and its tests) import.

``langgraph_lite.pregel.callback_runs`` makes the callback managers our runs use; these are
the two names LangGraph programs reach for under ``langgraph._internal._config``, beside
``patch_configurable``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langgraph_lite.pregel.arguments import DEFAULT_RECURSION_LIMIT

__all__ = [
    "DEFAULT_RECURSION_LIMIT",
    "get_async_callback_manager_for_config",
    "get_callback_manager_for_config",
    "patch_configurable",
]


def patch_configurable(
    config: Mapping[str, Any] | None, patch: Mapping[str, Any]
) -> dict[str, Any]:
    """A copy of ``config`` whose ``configurable`` has ``patch``'s keys set (``config`` itself
    is not changed)."""
    base = dict(config or {})
    base["configurable"] = {**(base.get("configurable") or {}), **patch}
    return base


def get_callback_manager_for_config(
    config: Mapping[str, Any], tags: Sequence[str] | None = None
) -> Any:
    """LangChain's ``CallbackManager`` for ``config``: its callbacks, its tags then ``tags``,
    and its metadata, all inherited by child runs (needs langchain-core)."""
    from langchain_core.callbacks.manager import CallbackManager

    return _configure(CallbackManager, config, tags)


def get_async_callback_manager_for_config(
    config: Mapping[str, Any], tags: Sequence[str] | None = None
) -> Any:
    """``get_callback_manager_for_config``, as an ``AsyncCallbackManager``."""
    from langchain_core.callbacks.manager import AsyncCallbackManager

    return _configure(AsyncCallbackManager, config, tags)


def _configure(cls: Any, config: Mapping[str, Any], tags: Sequence[str] | None) -> Any:
    all_tags = [*(config.get("tags") or ()), *(tags or ())]
    return cls.configure(
        inheritable_callbacks=config.get("callbacks"),
        inheritable_tags=all_tags or None,
        inheritable_metadata=config.get("metadata"),
    )
