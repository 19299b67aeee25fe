"""Which classes checkpoint decoding may rebuild, and the names they are saved under.

Our own types (messages, ``Send``, ``Interrupt``, ``Command``, ``Overwrite``), the classes a
graph's schemas name (``types_in_annotation``), and LangChain's message classes when
``langchain_core`` is already loaded. ``serde.py`` holds the encoder and decoder that use it.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
import typing
from typing import Any

from pydantic import BaseModel

__all__ = [
    "LANGCHAIN_TYPES",
    "loaded_langchain_type",
    "own_types",
    "rebuildable",
    "type_name",
    "types_in_annotation",
]


def type_name(cls: type) -> str:
    """The name a class is saved under: ``module:qualname``."""
    return f"{cls.__module__}:{cls.__qualname__}"


def types_in_annotation(annotation: Any) -> set[type]:
    """Classes a type annotation names that the serializer would need to rebuild."""
    found: set[type] = set()
    stack = [annotation]
    seen: set[int] = set()
    while stack:
        ann = stack.pop()
        if id(ann) in seen:
            continue
        seen.add(id(ann))
        stack.extend(typing.get_args(ann))
        if isinstance(ann, type) and rebuildable(ann):
            found.add(ann)
            if issubclass(ann, BaseModel):
                stack.extend(f.annotation for f in ann.model_fields.values())
            elif dataclasses.is_dataclass(ann):
                try:
                    stack.extend(typing.get_type_hints(ann).values())
                except Exception:
                    stack.extend(f.type for f in dataclasses.fields(ann))
    return found


def rebuildable(cls: type) -> bool:
    return (
        issubclass(cls, (BaseModel, enum.Enum))
        or dataclasses.is_dataclass(cls)
        or (issubclass(cls, tuple) and hasattr(cls, "_fields"))
    )


def own_types() -> list[type]:
    from langgraph_lite import messages
    from langgraph_lite.types import Command, Interrupt, Overwrite, Send, TimeoutPolicy

    return [
        messages.HumanMessage,
        messages.AIMessage,
        messages.AIMessageChunk,
        messages.SystemMessage,
        messages.ToolMessage,
        messages.RemoveMessage,
        messages.BaseMessage,
        Send,
        TimeoutPolicy,  # (a Send's)
        Interrupt,
        Command,
        Overwrite,
    ]


# LangChain's message classes (and its Document), which graphs keep in state: rebuilt as
# themselves, but only when langchain_core is already loaded. Decoding looks the class up among
# the modules imported so far and never imports one, so a checkpoint cannot make it load code.
LANGCHAIN_TYPES = frozenset(
    f"langchain_core.{module}:{cls}"
    for module, classes in (
        ("messages.base", ("BaseMessage", "BaseMessageChunk")),
        ("messages.human", ("HumanMessage", "HumanMessageChunk")),
        ("messages.ai", ("AIMessage", "AIMessageChunk")),
        ("messages.system", ("SystemMessage", "SystemMessageChunk")),
        ("messages.chat", ("ChatMessage", "ChatMessageChunk")),
        ("messages.tool", ("ToolMessage", "ToolMessageChunk")),
        ("messages.function", ("FunctionMessage", "FunctionMessageChunk")),
        ("messages.modifier", ("RemoveMessage",)),
        ("documents.base", ("Document",)),
    )
    for cls in classes
)


def loaded_langchain_type(name: str) -> type | None:
    """The LangChain class saved as ``name``, if its module is loaded (never imported here)."""
    module, _, qualname = name.partition(":")
    cls = getattr(sys.modules.get(module), qualname, None)
    if isinstance(cls, type) and issubclass(cls, BaseModel) and type_name(cls) == name:
        return cls
    return None
