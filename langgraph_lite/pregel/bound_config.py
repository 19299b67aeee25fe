"""``graph.with_config(...)``: a copy of a graph whose runs start from a bound config.

Merging is LangChain's ``merge_configs``, which LangGraph follows: a later config's keys
replace an earlier one's, except ``tags`` (concatenated, in order), ``metadata`` and
``configurable`` (merged, the later keys winning) and ``callbacks`` (both sets kept). A run's
own config is merged over the bound one, so ``graph.with_config(tags=["a"]).invoke(x,
{"tags": ["b"]})`` runs with ``["a", "b"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Self

__all__ = ["BoundConfig", "merge_configs"]

_MAPPINGS = ("metadata", "configurable")


def _merge_callbacks(first: Any, second: Any) -> Any:
    if first is None:
        return second
    if second is None:
        return first
    first_list = isinstance(first, list | tuple)
    second_list = isinstance(second, list | tuple)
    if first_list and second_list:
        return [*first, *second]
    if first_list:  # a manager after handlers: the manager, with those handlers too
        first, second = second, first
    manager = first.copy()
    if isinstance(second, list | tuple):
        for handler in second:
            manager.add_handler(handler, inherit=True)
        return manager
    for handler in second.handlers:
        manager.add_handler(handler, inherit=handler in second.inheritable_handlers)
    manager.add_tags(second.tags, inherit=False)
    manager.add_tags(second.inheritable_tags)
    manager.add_metadata(second.metadata, inherit=False)
    manager.add_metadata(second.inheritable_metadata)
    return manager


def merge_configs(*configs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The configs merged in order (later ones over earlier ones, as described above)."""
    merged: dict[str, Any] = {}
    for config in configs:
        if not config:
            continue
        if not isinstance(config, Mapping):
            raise TypeError(
                f"config must be a dict such as {{'tags': [...], 'recursion_limit': 50}}, got "
                f"{type(config).__name__}."
            )
        for key, value in config.items():
            if key in _MAPPINGS and value is not None:
                merged[key] = {**(merged.get(key) or {}), **value}
            elif key == "tags" and value is not None:
                merged[key] = [*(merged.get(key) or []), *value]
            elif key == "callbacks":
                merged[key] = _merge_callbacks(merged.get(key), value)
            else:
                merged[key] = value
    return merged


class BoundConfig:
    """``with_config`` and the bound ``config`` of ``Pregel`` (a mixin: ``self`` is the graph)."""

    config: dict[str, Any] | None = None
    """The config every run of this graph starts from (``with_config``), or None."""

    def with_config(self, config: Mapping[str, Any] | None = None, **kwargs: Any) -> Self:
        """A copy of the graph whose runs use ``config`` (and ``kwargs``, config keys such as
        ``recursion_limit=...`` or ``tags=[...]``) under their own config."""
        bound = merge_configs(self.config, config, kwargs)
        return self.copy(config=bound)  # type: ignore[attr-defined]

    def _bound(self, config: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """A run's config over the bound one (the run's as it is when nothing is bound)."""
        if self.config is None:
            return config
        return merge_configs(self.config, config)
