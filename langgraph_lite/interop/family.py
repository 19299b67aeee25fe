"""Which message classes a history uses, ours or LangChain's: the one rule for both.

A LangGraph program built on LangChain checks ``isinstance(m, langchain_core.messages.ToolMessage)``
and compares its state with LangChain messages; a program that never loads LangChain uses
ours (``langgraph_lite.messages``). So nothing the caller gave is converted to the other
family: a message object stays what it is (ours stays ours, LangChain's stays LangChain's,
with its id given in place). Only values that are not message objects yet need a class:

    dicts, ``(role, content)`` tuples, strings   ours when our messages (and no LangChain
                                                 ones) are among the messages they are merged
                                                 with (either side of ``add_messages``, the
                                                 state a node reads); else LangChain's when
                                                 LangChain is loaded, ours when it is not
    finished chunks (``AIMessageChunk``)         the whole message of the chunk's own family
    messages the library makes (``ToolNode``'s   the family of the message they answer (the
    and ``ValidationNode``'s answers, the        ``AIMessage`` whose tool calls they answer,
    agent's "need more steps" reply)             the model's reply)

``create_react_agent`` with a LangChain model goes one step further: its conversation is
LangChain's from the first message (``graph.message.langchain_first``), as the model's is; so
is a key declared as a list of LangChain messages (``graph.schema``).

So a program built on LangChain (which has imported it) gets LangChain's messages from a
plain ``[("user", "hi")]`` input, as LangGraph gives them, and its ``isinstance`` checks hold;
a program that never loads LangChain gets ours. Mixed lists (ours and LangChain's side by
side) are kept as given; ids, merging and removal work across both.

Nothing here imports ``langchain_core``: LangChain is recognised through ``sys.modules``, and
its conversions are imported only once it is loaded.
"""

from __future__ import annotations

import sys
from typing import Any

from langgraph_lite.messages import (
    BaseMessage,
    BaseMessageChunk,
    convert_to_messages,
    message_chunk_to_message,
    use_langchain_if_loaded,
)

__all__ = ["as_family", "coerce", "is_message", "is_tool_message", "langchain_in", "plain_ours"]


def _lc_base() -> Any:
    mod = sys.modules.get("langchain_core.messages.base")
    return getattr(mod, "BaseMessage", None) if mod is not None else None


def is_message(value: Any) -> bool:
    """Whether ``value`` is a message object, ours or LangChain's."""
    if isinstance(value, BaseMessage):
        return True
    base = _lc_base()
    return base is not None and isinstance(value, base)


def is_tool_message(value: Any) -> bool:
    """Whether ``value`` is a ``ToolMessage``, ours or LangChain's."""
    return is_message(value) and value.type == "tool"


def plain_ours(kinds: set[type]) -> bool:
    """Whether every class in ``kinds`` is one of our whole (not chunk) messages: nothing to do."""
    return all(issubclass(k, BaseMessage) and not issubclass(k, BaseMessageChunk) for k in kinds)


def _all_whole_messages(kinds: set[type]) -> bool:
    lc_base = _lc_base()
    if lc_base is None:
        return plain_ours(kinds)
    lc_chunk = sys.modules["langchain_core.messages.base"].BaseMessageChunk
    return all(
        (issubclass(k, BaseMessage) and not issubclass(k, BaseMessageChunk))
        or (issubclass(k, lc_base) and not issubclass(k, lc_chunk))
        for k in kinds
    )


def langchain_in(*groups: Any) -> bool:
    """Whether values merged with ``groups`` (a message, or a list of values) become
    LangChain's: LangChain is loaded, and the groups hold a LangChain message or none of ours."""
    base = _lc_base()
    if base is None:
        return False
    ours = False
    for group in groups:
        values = group if isinstance(group, list | tuple) else (group,)
        # a tuple may be one (role, content) message: its items are not messages, no harm
        kinds = set(map(type, values))
        if any(issubclass(k, base) for k in kinds):
            return True
        ours = ours or any(issubclass(k, BaseMessage) for k in kinds)
    return not ours


def coerce(values: list[Any], *, langchain: bool) -> list[Any]:
    """``values`` as message objects: messages kept (chunks made whole in their own family),
    dicts, tuples and strings made LangChain's when ``langchain``, else ours."""
    use_langchain_if_loaded()  # a LangChain prompt or model in a node then takes ours
    if _all_whole_messages(set(map(type, values))):
        return values
    if langchain:
        from langgraph_lite.interop.langchain import langchain_whole, to_langchain_values

        return [langchain_whole(m) for m in to_langchain_values(values)]
    out: list[Any] = []
    base = _lc_base()
    for m in values:
        if base is not None and isinstance(m, base):
            from langgraph_lite.interop.langchain import langchain_whole

            out.append(langchain_whole(m))
        else:
            out.append(message_chunk_to_message(convert_to_messages([m])[0]))
    return out


def as_family(message: Any, *, langchain: bool) -> Any:
    """``message`` (an answer the library hands back) as LangChain's when ``langchain``, else
    as ours; anything that is not a message is returned as it is."""
    if langchain:
        if isinstance(message, BaseMessage):
            from langgraph_lite.interop.langchain import to_langchain

            return to_langchain(message)
        return message
    base = _lc_base()
    if base is not None and isinstance(message, base):
        from langgraph_lite.interop.langchain import from_langchain

        return from_langchain(message)
    return message
