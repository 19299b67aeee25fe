"""State schemas (TypedDict, dataclass, pydantic) turned into channels, and values back.

A key annotated with a reducer — ``Annotated[list, operator.add]`` or any ``(old, new) ->
merged`` function — becomes a ``BinaryOperatorAggregate``; a key annotated with a channel
(``Annotated[list, Topic(str)]``) gets that channel; a managed value (``RemainingSteps``) is
filled in per task; any other key is a ``LastValue``.

A schema that is not a class of keys — ``int``, ``list[str]``, ``Annotated[list, operator.add]``
— is a *root* schema: the whole state is one channel, ``__root__``, and nodes take and return
the value itself.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import typing_extensions
from pydantic import BaseModel

from langgraph_lite.channels.base import BaseChannel
from langgraph_lite.channels.binop import BinaryOperatorAggregate
from langgraph_lite.channels.delta import DeltaChannel
from langgraph_lite.channels.last_value import LastValue
from langgraph_lite.managed import is_managed
from langgraph_lite.pregel.node_body import is_runnable, plain_code

__all__ = ["ROOT", "SchemaInfo", "schema_info"]

ROOT = "__root__"
"""The one channel of a root schema (``StateGraph(int)``): the whole state."""


class SchemaInfo:
    """What the engine needs to know of one schema."""

    __slots__ = ("channels", "keys", "kind", "managed", "schema")

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.kind = _kind(schema)
        self.channels: dict[str, BaseChannel] = {}
        self.managed: dict[str, Any] = {}
        if self.kind == "root":
            base, extras = _split(schema)
            self.channels[ROOT] = _channel_for(ROOT, base, extras)
            self.keys = [ROOT]
            return
        for key, annotation in _annotations(schema, self.kind).items():
            base, extras = _split(annotation)
            if is_managed(base):
                self.managed[key] = base
                continue
            self.channels[key] = _channel_for(key, base, extras)
        self.keys = [*self.channels, *self.managed]

    @property
    def is_root(self) -> bool:
        """Whether the whole state is the one ``__root__`` channel."""
        return self.kind == "root"

    def coerce(self, values: dict[str, Any]) -> Any:
        """Values read from channels, as the object a node of this schema expects."""
        if self.kind == "root":
            return values.get(ROOT)
        if self.kind == "pydantic":
            return self.schema.model_validate(values)
        if self.kind == "dataclass":
            names = {f.name for f in dataclasses.fields(self.schema)}
            return self.schema(**{k: v for k, v in values.items() if k in names})
        return values

    def as_dict(self, value: Any) -> dict[str, Any] | None:
        """An instance of a schema class as a dict of the keys it sets; None if not one."""
        if isinstance(value, BaseModel):
            # every field, except a None the model was not explicitly given (as LangGraph)
            given = value.model_fields_set
            return {
                k: v
                for k in type(value).model_fields
                if (v := getattr(value, k)) is not None or k in given
            }
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return None


_CACHE: dict[Any, SchemaInfo] = {}


def schema_info(schema: Any) -> SchemaInfo:
    """The (cached) channels and managed values of ``schema``."""
    try:
        info = _CACHE.get(schema)
    except TypeError:  # an unhashable annotation (a channel instance that is not hashable)
        return SchemaInfo(schema)
    if info is None:
        info = _CACHE[schema] = SchemaInfo(schema)
    return info


def _kind(schema: Any) -> str:
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return "pydantic"
    if dataclasses.is_dataclass(schema):
        return "dataclass"
    if typing.is_typeddict(schema) or (
        isinstance(schema, type) and schema is not dict and hasattr(schema, "__annotations__")
    ):
        # A TypedDict, or any other class with annotations: its values are dicts, as in
        # LangGraph (a plain class's own instances are never built).
        return "typeddict"
    if not isinstance(schema, type) and not typing.get_args(schema):
        raise TypeError(
            f"Invalid state_schema: {schema!r}. Expected a type or Annotated[type, reducer]: "
            "a TypedDict class, a dataclass, a pydantic model, or a plain type such as int. "
            "For example: class State(TypedDict): messages: list"
        )
    return "root"  # int, list[str], Annotated[list, operator.add], dict: the state is one value


def _annotations(schema: Any, kind: str) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(schema, include_extras=True)
    except Exception:
        hints = dict(getattr(schema, "__annotations__", {}))
    if kind == "pydantic":
        return {k: hints.get(k, f.annotation) for k, f in schema.model_fields.items()}
    if kind == "dataclass":
        return {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(schema)}
    return {k: v for k, v in hints.items() if typing.get_origin(v) is not typing.ClassVar}


def _split(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(annotation) in _WRAPPERS:  # NotRequired[...] / Required[...]
        return _split(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        inner, more = _split(base)
        return inner, (*more, *extras)
    return annotation, ()


_WRAPPERS = {typing_extensions.NotRequired, typing_extensions.Required}
for _name in ("NotRequired", "Required"):
    if hasattr(typing, _name):
        _WRAPPERS.add(getattr(typing, _name))


def _channel_for(key: str, base: Any, extras: tuple[Any, ...]) -> BaseChannel:
    # As LangGraph reads an annotation: the first channel among the extras wins; otherwise a
    # callable last extra must be a reducer; any other extra is documentation.
    for extra in extras:
        if isinstance(extra, DeltaChannel):  # its value type is the key's declared type
            channel: BaseChannel = extra.with_type(base)
            channel.key = key
            return channel
        if isinstance(extra, BaseChannel):
            channel = extra.copy()
            channel.key = key
            return channel
        if isinstance(extra, type) and issubclass(extra, BaseChannel):
            return extra(base, key=key)
    if extras and callable(extras[-1]):
        reducer = extras[-1]
        if not _is_reducer(reducer):
            raise ValueError(
                f"Invalid reducer signature. Expected (a, b) -> c. Got {_signature(reducer)}: "
                f"the reducer of key {key!r} must take the current value and an update, e.g. "
                f"def merge(current, update): return current + update."
            )
        if _holds_langchain_messages(base):
            # Annotated[list[langchain_core BaseMessage], add_messages]: dicts and tuples become
            # LangChain's messages, as the key's declared type says (interop/family.py)
            from langgraph_lite.graph.message import langchain_first

            reducer = langchain_first(reducer) or reducer
        return BinaryOperatorAggregate(base, reducer, key=key)
    return LastValue(base, key=key)


def _holds_langchain_messages(base: Any) -> bool:
    """Whether ``base`` is a list or sequence of LangChain messages (``list[BaseMessage]``,
    ``Sequence[AnyMessage]``, a union of LangChain message classes…)."""
    args = typing.get_args(base)
    if typing.get_origin(base) not in (list, Sequence) or len(args) != 1:
        return False
    return _names_langchain(args[0])


def _names_langchain(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return annotation.__module__.startswith("langchain_core.")
    return any(_names_langchain(a) for a in typing.get_args(annotation))


def _signature(fn: Callable[..., Any]) -> str:
    try:
        return str(inspect.signature(fn))
    except (TypeError, ValueError):
        return "(?)"


def _is_reducer(fn: Callable[..., Any]) -> bool:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True  # builtins such as operator.add
    # LangGraph counts positional parameters with defaults too: add_messages(left=None, right=None)
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 2 or any(p.kind is p.VAR_POSITIONAL for p in params)


def _reducers_agree(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    # Every lambda is called "<lambda>", so two lambdas cannot be told apart by name; like
    # LangGraph, take a pairing with a lambda on trust.
    # A reducer standing in for a declared one names it as ``__wrapped__`` (create_react_agent's
    # messages reducer for a LangChain model is add_messages).
    if a is b or inspect.unwrap(a) is inspect.unwrap(b):
        return True
    return "<lambda>" in (getattr(a, "__name__", ""), getattr(b, "__name__", ""))


def same_channel(a: BaseChannel, b: BaseChannel) -> bool:
    """Whether a later schema's declaration of a key agrees with the channel it already has.

    A later plain declaration (``log: list`` in an output schema) always agrees: it reads the
    key, whatever reducer writes it.
    """
    if type(b) is LastValue:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, BinaryOperatorAggregate) and isinstance(b, BinaryOperatorAggregate):
        return _reducers_agree(a.operator, b.operator)
    if isinstance(a, DeltaChannel) and isinstance(b, DeltaChannel):
        return _reducers_agree(a.reducer, b.reducer)
    return True


def _how(ch: BaseChannel) -> str:
    if isinstance(ch, BinaryOperatorAggregate):
        return f"with reducer {getattr(ch.operator, '__name__', repr(ch.operator))}"
    if isinstance(ch, DeltaChannel):
        return f"as DeltaChannel with reducer {getattr(ch.reducer, '__name__', repr(ch.reducer))}"
    if type(ch) is LastValue:
        return "plainly (no reducer)"
    return f"as {type(ch).__name__}"


def merge_channels(infos: list[SchemaInfo], where: Mapping[int, str]) -> dict[str, BaseChannel]:
    """All channels of several schemas, the first declaration of each key winning.

    A later schema may redeclare a key plainly; with another reducer or channel, it is an error.
    """
    out: dict[str, BaseChannel] = {}
    origin: dict[str, int] = {}
    for i, info in enumerate(infos):
        for key, ch in info.channels.items():
            if key not in out:
                out[key] = ch
                origin[key] = i
            elif not same_channel(out[key], ch):
                raise ValueError(
                    f"Channel {key!r} already exists with a different type: "
                    f"{where[origin[key]]} declares it {_how(out[key])}, {where[i]} "
                    f"{_how(ch)}. Declare it the same way in both, or without a reducer in "
                    f"{where[i]}."
                )
    return out


def first_param_schema(fn: Any) -> Any:
    """The state schema a function's first parameter is annotated with, if it names one.

    Only a class of keys counts (a TypedDict, dataclass or pydantic model): ``state: dict`` or
    no annotation means "the graph's state".
    """
    code = plain_code(fn)
    if code is not None and code.co_argcount:
        first = code.co_varnames[0]
        if first not in fn.__annotations__:
            return None
    else:
        try:
            params = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            return None
        if not params:
            return None
        first = params[0]
    call = getattr(fn, "__call__", None)  # noqa: B004 - a callable object's hints are on it
    hinted = fn if inspect.isfunction(fn) or inspect.ismethod(fn) else call
    try:
        hints = typing.get_type_hints(hinted)
    except Exception:
        return None
    ann = hints.get(first)
    if ann is None or not isinstance(ann, type):
        return None
    try:
        info = schema_info(ann)
    except TypeError:
        return None
    return None if info.is_root or not info.keys else ann


# How a ``config`` parameter may be annotated without a warning: as LangGraph, RunnableConfig
# (langchain_core's) or its optional form, the type or its text under ``from __future__ import
# annotations``.
_CONFIG_ANNOTATIONS = frozenset(
    ("RunnableConfig", "Optional[RunnableConfig]", "RunnableConfig | None")
)


def _parameter_count(code: Any) -> int:
    """How many of ``code.co_varnames`` are parameters (``*args`` and ``**kwargs`` too)."""
    star = bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    return code.co_argcount + code.co_kwonlyargcount + star


def warn_config_annotation(fn: Any, stacklevel: int) -> None:
    """Warn, with LangGraph's words, when ``fn``'s ``config`` parameter is annotated with
    something other than ``RunnableConfig`` (LangGraph then leaves it out; we still pass it).
    Runnables (compiled graphs, ``ToolNode``, LangChain's) are invoked, not inspected."""
    if is_runnable(fn):
        return
    code = plain_code(fn)
    if code is not None:
        if "config" not in code.co_varnames[: _parameter_count(code)]:
            return
        ann = fn.__annotations__.get("config", inspect.Parameter.empty)
    else:
        try:
            param = inspect.signature(fn).parameters.get("config")
        except (TypeError, ValueError):
            return
        ann = inspect.Parameter.empty if param is None else param.annotation
    if ann is inspect.Parameter.empty:
        return
    if isinstance(ann, str):
        ok = ann.replace("typing.", "") in _CONFIG_ANNOTATIONS
    else:
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        named = args[0] if len(args) == 1 and type(None) in typing.get_args(ann) else ann
        ok = getattr(named, "__name__", None) == "RunnableConfig"
    if not ok:
        warnings.warn(
            "The 'config' parameter should be typed as 'RunnableConfig' or "
            f"'RunnableConfig | None', not '{ann}'. langgraph_lite passes the run's config "
            "to it anyway (LangGraph would not).",
            UserWarning,
            stacklevel=stacklevel + 1,
        )
