"""``@entrypoint``: a function as a whole graph, with one node that runs it.

The graph has three channels: ``__start__`` (the input), ``__end__`` (what ``invoke``
returns) and ``__previous__`` (what the next run on the same thread gets as ``previous``). The
function returns a value for both, or ``entrypoint.final(value=..., save=...)`` to return one
and save another. Tasks it calls run as tasks of its step (``langgraph_lite.func.task``); when
the step runs again after an ``interrupt()`` or a failure, the function runs again from its top
and each call that had finished returns its saved result.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar, get_args, get_origin, get_type_hints

from langgraph_lite.channels.ephemeral_value import EphemeralValue
from langgraph_lite.channels.last_value import LastValue
from langgraph_lite.config import current_task
from langgraph_lite.constants import END, START
from langgraph_lite.func.futures import arun_in_scope, run_in_scope
from langgraph_lite.pregel.main import Pregel
from langgraph_lite.pregel.node import ChannelWriteEntry, PregelNode
from langgraph_lite.timeout_policy import coerce_timeout
from langgraph_lite.types import CachePolicy, RetryPolicy
from langgraph_lite.warnings import LangGraphDeprecatedSinceV05, LangGraphDeprecatedSinceV10

__all__ = ["PREVIOUS", "entrypoint"]

PREVIOUS = "__previous__"
"""The channel holding what the last run on the thread saved (its ``previous``)."""

R = TypeVar("R")
S = TypeVar("S")
V = TypeVar("V")  # (final's own: R is bound by entrypoint)

_INJECTED = ("previous", "config", "runtime", "store", "writer")


def _pluck_value(output: Any) -> Any:
    return output.value if isinstance(output, entrypoint.final) else output


def _pluck_save(output: Any) -> Any:
    return output.save if isinstance(output, entrypoint.final) else output


def _wanted(func: Callable[..., Any]) -> tuple[str, ...]:
    """The injected parameters ``func`` declares, after checking it takes an input."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):  # a builtin without a signature: give it the input only
        return ()
    if not params:
        raise ValueError(
            f"Entrypoint function must have at least one parameter: {_name_of(func)}() takes "
            "none. Its first parameter receives the run's input, e.g. def main(inputs): ..."
        )
    first = next(iter(params.values()))
    if first.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD):
        raise ValueError(
            f"Entrypoint function must have at least one parameter that takes the input "
            f"positionally: the first parameter of {_name_of(func)}, {first.name!r}, is "
            "keyword-only. Write def main(inputs, *, previous=None): ..."
        )
    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    rest = list(params.values())[1:]
    return tuple(p.name for p in rest if p.name in _INJECTED and p.kind in kinds)


def _name_of(func: Any) -> str:
    return getattr(func, "__name__", None) or type(func).__name__


def _kwargs(wanted: tuple[str, ...]) -> dict[str, Any]:
    """What the entrypoint function asked to be given, from the task running it."""
    task = current_task.get()
    kw: dict[str, Any] = {}
    if not wanted:
        return kw
    previous = None
    if "previous" in wanted or "runtime" in wanted:
        channel = task.run.channels.get(PREVIOUS)
        if channel is not None and channel.is_available():
            previous = channel.get()
    for name in wanted:
        if name == "previous":
            kw[name] = previous
        elif name == "config":
            kw[name] = task.config
        elif name == "runtime":
            kw[name] = replace(task.runtime, previous=previous)
        elif name == "store":
            kw[name] = getattr(task.run, "store", None)
        else:
            kw[name] = task.writer
    return kw


def _body(func: Callable[..., Any]) -> Callable[..., Any]:
    """The entrypoint node's body: the function, given what it asks for, inside a call scope."""
    wanted = _wanted(func)
    body: Any
    if inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004 - async callable objects
    ):

        async def body(value: Any) -> Any:
            return await arun_in_scope(func, value, **_kwargs(wanted))

    else:

        def body(value: Any) -> Any:
            return run_in_scope(func, value, **_kwargs(wanted))

    body.__name__ = _name_of(func)
    body.__qualname__ = getattr(func, "__qualname__", body.__name__)
    body.__module__ = getattr(func, "__module__", body.__module__)
    body.calls_tasks = True  # read by GraphSpec: this node's calls stream while it runs
    return body


def _types(func: Callable[..., Any]) -> tuple[Any, Any, Any]:
    """The input, output and saved types the function's annotations give (Any if none)."""
    try:
        hints = get_type_hints(func)
    except Exception:  # unresolvable annotations: the schemas say Any
        hints = {}
    try:
        first = next(iter(inspect.signature(func).parameters))
    except (StopIteration, TypeError, ValueError):
        first = None
    input_type = hints.get(first, Any) if first else Any
    output_type = save_type = hints.get("return", Any)
    if output_type is entrypoint.final:
        output_type = save_type = Any
    elif get_origin(output_type) is entrypoint.final:
        args = get_args(output_type)
        if len(args) != 2:
            raise TypeError(
                f"entrypoint.final takes two types, the returned and the saved value's: "
                f"entrypoint.final[{', '.join(map(str, args))}] has {len(args)}. Write e.g. "
                "entrypoint.final[str, int]."
            )
        output_type, save_type = args
    return input_type, output_type, save_type


def _allow_types(checkpointer: Any, annotations: tuple[Any, ...]) -> None:
    """Let the checkpointer's serializer rebuild the classes the function's annotations name
    (a pydantic model as input, a dataclass as saved value), as a graph's state types are."""
    from langgraph_lite.checkpoint.serde import types_in_annotation

    serde = getattr(checkpointer, "serde", None)
    if serde is None or not hasattr(serde, "allow"):
        return
    found: set[type] = set()
    for annotation in annotations:
        found |= types_in_annotation(annotation)
    serde.allow(*found)


class entrypoint(Generic[R]):
    """Make a function a graph: ``@entrypoint(checkpointer=, store=, cache=, context_schema=)``.

    The decorated function becomes a ``Pregel`` graph (``invoke``, ``stream``, ``get_state``…)
    named after it. Its first parameter gets the run's input; it may also declare, by name,
    ``previous`` (what the last run on this thread returned or saved), ``config``, ``runtime``,
    ``store`` and ``writer``. Tasks it calls (``@task``) run in parallel, and a resumed run
    does not run again those that finished.

    >>> from langgraph_lite.checkpoint.memory import InMemorySaver
    >>> from langgraph_lite.func import entrypoint
    >>> @entrypoint(checkpointer=InMemorySaver())
    ... def counter(step: int, *, previous: int | None = None) -> int:
    ...     return (previous or 0) + step
    >>> config = {"configurable": {"thread_id": "1"}}
    >>> counter.invoke(2, config), counter.invoke(3, config)
    (2, 5)
    """

    def __init__(
        self,
        checkpointer: Any = None,
        store: Any = None,
        cache: Any = None,
        context_schema: Any = None,
        cache_policy: CachePolicy | None = None,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> None:
        if "config_schema" in kwargs:  # LangGraph's old names still work, with a warning
            warnings.warn(
                "`config_schema` is deprecated and will be removed. Please use "
                "`context_schema` instead.",
                LangGraphDeprecatedSinceV10,
                stacklevel=2,
            )
            config_schema = kwargs.pop("config_schema")
            context_schema = config_schema if context_schema is None else context_schema
        if "retry" in kwargs:
            warnings.warn(
                "`retry` is deprecated and will be removed. Please use `retry_policy` instead.",
                LangGraphDeprecatedSinceV05,
                stacklevel=2,
            )
            retry = kwargs.pop("retry")
            retry_policy = retry if retry_policy is None else retry_policy
        if kwargs:
            raise TypeError(
                f"entrypoint() got unexpected keyword arguments {sorted(kwargs)}: it takes "
                "checkpointer, store, cache, context_schema, cache_policy, retry_policy and timeout."
            )
        self.timeout = coerce_timeout(timeout, "entrypoint()")
        if callable(checkpointer) and not hasattr(checkpointer, "get_tuple"):
            raise TypeError(
                "entrypoint takes its options, then the function: write @entrypoint() (with "
                f"the parentheses) above def {_name_of(checkpointer)}(...)."
            )
        if cache_policy is not None and not isinstance(cache_policy, CachePolicy):
            raise TypeError(
                f"entrypoint(cache_policy=...) must be a CachePolicy, got "
                f"{type(cache_policy).__name__}."
            )
        self.checkpointer = checkpointer
        self.store = store
        self.cache = cache
        self.context_schema = context_schema
        self.cache_policy = cache_policy
        self.retry_policy = (
            (retry_policy,) if isinstance(retry_policy, RetryPolicy) else retry_policy
        )

    @dataclass
    class final(Generic[V, S]):
        """Return ``value`` from the run, and save ``save`` as the next run's ``previous``.

        >>> from langgraph_lite.func import entrypoint
        >>> entrypoint.final(value="said", save={"count": 1})
        entrypoint.final(value='said', save={'count': 1})
        """

        value: V
        """What this run returns (and streams)."""
        save: S
        """What the next run on the thread gets as ``previous``."""

    def __call__(self, func: Callable[..., Any]) -> Pregel:
        """Build the graph that runs ``func``."""
        if not callable(func):
            raise TypeError(
                f"@entrypoint() decorates a function, got {func!r} ({type(func).__name__})."
            )
        if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
            raise NotImplementedError(
                f"Generators are not supported in the Functional API: entrypoint "
                f"{_name_of(func)!r} is one. Return the result, and stream values as you go "
                "with a `writer` parameter (stream_mode='custom')."
            )
        name = _name_of(func)
        input_type, output_type, save_type = _types(func)
        node = PregelNode(
            channels=START,
            triggers=[START],
            bound=[_body(func)],
            writers=[
                ChannelWriteEntry(END, mapper=_pluck_value),
                ChannelWriteEntry(PREVIOUS, mapper=_pluck_save),
            ],
            retry_policy=self.retry_policy,
            cache_policy=self.cache_policy,
            name=name,
            timeout=self.timeout,
        )
        _allow_types(self.checkpointer, (input_type, output_type, save_type))
        return Pregel(
            nodes={name: node},
            channels={
                START: EphemeralValue(input_type),
                END: LastValue(output_type),
                PREVIOUS: LastValue(save_type),
            },
            input_channels=START,
            output_channels=END,
            stream_channels=END,
            stream_mode="updates",
            checkpointer=self.checkpointer,
            store=self.store,
            cache=self.cache,
            context_schema=self.context_schema,
        )
