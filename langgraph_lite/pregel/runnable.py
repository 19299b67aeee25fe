"""The parts of LangChain's ``Runnable`` interface that LangGraph's ``Pregel`` offers:
``with_config`` (a copy of the graph with a config bound to every run), running on many
inputs at once (``batch``, ``abatch``, ``batch_as_completed``) and composing with LangChain
runnables (``graph | other``, ``pipe``: ``interop/langchain_runnable.py``).

A bound config is merged under each call's: ``configurable`` and ``metadata`` key by key,
``tags`` and ``callbacks`` joined, any other key (``recursion_limit``, ``max_concurrency``) the
call's when it gives one.

Each input is one ``invoke`` (``ainvoke``) with its own config: ``config`` is one config for
every input or a list with one per input. ``max_concurrency`` in the (first) config caps how
many run at once. ``return_exceptions=True`` puts a failed run's exception in its place
instead of raising it. Sync runs go to a thread pool, each in a copy of the caller's context;
async runs are tasks of one anyio task group, so they run on asyncio and trio alike and none
is left running when the batch fails.
"""

from __future__ import annotations

import contextvars
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

import anyio

__all__ = ["GraphEach", "RunnableMethods", "bind_config", "config_list"]


_MERGED = ("configurable", "metadata")
_JOINED = ("tags", "callbacks")


def bind_config(
    bound: Mapping[str, Any] | None, config: Mapping[str, Any] | None
) -> Mapping[str, Any] | None:
    """``config`` over the ``bound`` one (see the module docstring); either may be None."""
    if not bound:
        return config
    if config is None:
        return bound
    if not isinstance(config, Mapping):
        return config  # (the run refuses it, naming what it got)
    merged = dict(bound)
    for key, value in config.items():
        if value is None:
            continue
        before = merged.get(key)
        if key in _MERGED and isinstance(before, Mapping) and isinstance(value, Mapping):
            merged[key] = {**before, **value}
        elif key in _JOINED and isinstance(before, list) and isinstance(value, list):
            merged[key] = [*before, *value]
        else:
            merged[key] = value
    return merged


def config_list(config: Any, count: int) -> list[Mapping[str, Any] | None]:
    """One config per input: ``config`` repeated, or the list given (one per input).

    A ``run_id`` names one run, so only the first input's run keeps it (with LangChain's
    warning).
    """
    wrong = config is not None and not isinstance(config, (Mapping, Sequence))
    if wrong or isinstance(config, str):
        raise TypeError(
            f"batch: config must be a dict (for every input) or a list of dicts (one per "
            f"input); got {type(config).__name__}."
        )
    if isinstance(config, Sequence):
        if len(config) != count:
            raise ValueError(
                "config must be a list of the same length as inputs, but got "
                f"{len(config)} configs for {count} inputs"
            )
        return list(config)
    if count > 1 and config is not None and config.get("run_id") is not None:
        warnings.warn(
            "Provided run_id be used only for the first element of the batch.",
            category=RuntimeWarning,
            stacklevel=3,
        )
        rest = {k: v for k, v in config.items() if k != "run_id"}
        return [config, *([rest] * (count - 1))]
    return [config] * count


def _inputs(inputs: Any) -> list[Any]:
    if not isinstance(inputs, Sequence) or isinstance(inputs, (str, bytes, Mapping)):
        raise TypeError(
            f"batch: inputs must be a list (one item per run); got {type(inputs).__name__}. "
            "For one run, call invoke(input)."
        )
    return list(inputs)


def _limit(configs: list[Mapping[str, Any] | None]) -> int | None:
    first = configs[0] if configs else None
    limit = (first or {}).get("max_concurrency")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"batch: max_concurrency must be a positive int; got {limit!r}.")
    return limit


class GraphEach:
    """``graph.map()``: given a list, runs the graph on each item (``batch`` / ``abatch``) and
    returns the outputs in order; usable wherever a node takes an object with ``invoke``."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    def __repr__(self) -> str:
        return f"GraphEach({self.graph!r})"

    def invoke(self, inputs: Sequence[Any], config: Any = None, **kwargs: Any) -> list[Any]:
        """The graph's output for each of ``inputs``."""
        return list(self.graph.batch(inputs, config, **kwargs))

    async def ainvoke(self, inputs: Sequence[Any], config: Any = None, **kwargs: Any) -> list[Any]:
        """``invoke`` on the event loop."""
        return list(await self.graph.abatch(inputs, config, **kwargs))


class RunnableMethods:
    """``with_config``, ``batch``, ``abatch``, ``batch_as_completed`` and ``|`` for ``Pregel``."""

    config: Mapping[str, Any] | None = None
    """The config bound by ``with_config``, merged under every run's (None: none)."""

    # (Pregel's own: invoke / ainvoke run each input; copy makes with_config's graph)
    invoke: Any
    ainvoke: Any
    copy: Any

    def pipe(self, *others: Any, name: str | None = None) -> Any:
        """A LangChain chain that runs this graph, then ``others`` on its output (needs
        ``langchain-core``), as ``graph | other`` builds, e.g. ``graph | RunnablePassthrough()``."""
        from langgraph_lite.interop.langchain_runnable import as_runnable

        return as_runnable(self).pipe(*others, name=name)

    def __or__(self, other: Any) -> Any:
        from langgraph_lite.interop.langchain_runnable import as_runnable

        return as_runnable(self) | other

    def map(self) -> GraphEach:
        """A step that runs this graph once per item of a list it is given (``batch``), e.g.
        ``NodeBuilder().subscribe_only("items").do(inner.map()).write_to("results")``."""
        return GraphEach(self)

    def with_config(self, config: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """A copy of the graph whose runs all get ``config`` (and ``kwargs``, config keys such
        as ``recursion_limit=50`` or ``tags=[...]``), merged under each call's config.

        Bound configs add up: ``g.with_config(tags=["a"]).with_config(recursion_limit=9)``
        keeps both.
        """
        if config is not None and not isinstance(config, Mapping):
            raise TypeError(
                f"with_config: config must be a dict such as {{'recursion_limit': 50}}; got "
                f"{type(config).__name__}."
            )
        merged = bind_config(bind_config(self.config, config), kwargs or None)
        return self.copy(config=dict(merged) if merged is not None else None)

    def _one(self, input: Any, config: Any, return_exceptions: bool, kwargs: Any) -> Any:
        if not return_exceptions:
            return self.invoke(input, config, **kwargs)
        try:
            return self.invoke(input, config, **kwargs)
        except Exception as exc:
            return exc

    async def _aone(self, input: Any, config: Any, return_exceptions: bool, kwargs: Any) -> Any:
        if not return_exceptions:
            return await self.ainvoke(input, config, **kwargs)
        try:
            return await self.ainvoke(input, config, **kwargs)
        except Exception as exc:
            return exc

    def batch(
        self,
        inputs: Sequence[Any],
        config: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """Run the graph on each input (in threads); the outputs, in the inputs' order.

        ``kwargs`` go to every ``invoke`` (``stream_mode``, ``durability``, ...).
        """
        items = _inputs(inputs)
        if not items:
            return []
        configs = config_list(config, len(items))
        if len(items) == 1:
            return [self._one(items[0], configs[0], return_exceptions, kwargs)]
        with ThreadPoolExecutor(max_workers=_limit(configs)) as pool:
            futures = [
                pool.submit(
                    contextvars.copy_context().run, self._one, i, c, return_exceptions, kwargs
                )
                for i, c in zip(items, configs, strict=True)
            ]
            return [f.result() for f in futures]

    def batch_as_completed(
        self,
        inputs: Sequence[Any],
        config: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> Iterator[tuple[int, Any]]:
        """Like ``batch``, yielding ``(index of the input, output)`` as each run finishes."""
        items = _inputs(inputs)
        if not items:
            return
        configs = config_list(config, len(items))
        if len(items) == 1:
            yield 0, self._one(items[0], configs[0], return_exceptions, kwargs)
            return
        with ThreadPoolExecutor(max_workers=_limit(configs)) as pool:
            running = {
                pool.submit(
                    contextvars.copy_context().run, self._one, i, c, return_exceptions, kwargs
                ): n
                for n, (i, c) in enumerate(zip(items, configs, strict=True))
            }
            try:
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield running.pop(future), future.result()
            finally:
                for future in running:
                    future.cancel()

    async def abatch(
        self,
        inputs: Sequence[Any],
        config: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """Run the graph on each input concurrently; the outputs, in the inputs' order.

        Without ``return_exceptions`` the first failure cancels the other runs and is raised.
        """
        items = _inputs(inputs)
        if not items:
            return []
        configs = config_list(config, len(items))
        limit = _limit(configs)
        limiter = anyio.CapacityLimiter(limit) if limit is not None else None
        results: list[Any] = [None] * len(items)

        failed: list[Exception] = []

        async def one(n: int, scope: anyio.CancelScope) -> None:
            try:
                if limiter is None:
                    results[n] = await self._aone(items[n], configs[n], return_exceptions, kwargs)
                    return
                async with limiter:
                    results[n] = await self._aone(items[n], configs[n], return_exceptions, kwargs)
            except Exception as exc:
                # Raised after the group (once the other runs are cancelled): raised inside
                # it, the caller would get it wrapped in an ExceptionGroup.
                failed.append(exc)
                scope.cancel()

        async with anyio.create_task_group() as group:
            for n in range(len(items)):
                group.start_soon(one, n, group.cancel_scope)
        if failed:
            raise failed[0]
        return results
