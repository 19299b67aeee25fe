"""What ``ToolNode`` makes of what its tools return, and how it puts the answers together.

A tool answers its call with a ``ToolMessage``, a ``Command`` whose update holds that
``ToolMessage``, or a list of both that holds it exactly once. ``ToolNode`` checks that every
call is answered, names each answer after its call, and returns the answers in the shape of
its input: ``{"messages": [...]}`` (or a list of messages), with the commands beside them.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from langgraph_lite.interop import family
from langgraph_lite.messages import REMOVE_ALL_MESSAGES, ToolMessage, convert_to_messages
from langgraph_lite.tools import tool_output_content
from langgraph_lite.types import Command, Send

__all__ = ["checked_command", "checked_list", "combine"]


def checked_command(
    command: Command,
    call: dict[str, Any],
    messages_key: str,
    shape: str,
    *,
    answers_call: bool = True,
) -> Command:
    """``command`` with its answer to ``call`` named after the call, in a copy of its update.

    A command for this graph must answer the call in its update (``answers_call``); one for the
    parent graph need not. Raises ``ValueError`` when it does not, or when the update's form
    (dict or list of messages) does not fit the node's input.
    """
    update = command.update
    name, call_id = call["name"], call.get("id")
    if isinstance(update, dict):
        if shape == "list":
            raise ValueError(
                f"Tools can provide a dict in Command.update only when using dict with "
                f"'{messages_key}' key as ToolNode input, got: {update} for tool '{name}'. "
                "The node was given a list of messages: return Command(update=[ToolMessage(...)])."
            )
    elif isinstance(update, list):
        if shape != "list":
            raise ValueError(
                "Tools can provide a list of messages in Command.update only when using list "
                f"of messages as ToolNode input, got: {update} for tool '{name}'. The node was "
                f"given the state: return Command(update={{'{messages_key}': [ToolMessage(...)]}})."
            )
    else:
        return command
    # the answer is named after the call in a copy (as LangGraph does): the tool's own Command
    # and messages stay as it made them
    copied: Any = copy.deepcopy(update)
    raw = copied.get(messages_key, []) if isinstance(copied, dict) else copied
    raw = raw if isinstance(raw, list) else [raw]
    messages = convert_to_messages(raw)
    if [(m.type, m.id) for m in messages] == [("remove", REMOVE_ALL_MESSAGES)]:
        return dataclasses.replace(command, update=copied)  # clears the history: no answer due
    answered = False
    m: Any
    for m in raw:
        if getattr(m, "type", None) == "tool" and getattr(m, "tool_call_id", None) == call_id:
            m.name = name
            answered = True
    if not answered:
        answered = any(isinstance(m, ToolMessage) and m.tool_call_id == call_id for m in messages)
    if answers_call and command.graph is None and not answered:
        example = (
            f"Command(update={{{messages_key!r}: [ToolMessage('done', tool_call_id=tool_call_id)]"
            ", ...})"
            if shape != "list"
            else "Command(update=[ToolMessage('done', tool_call_id=tool_call_id)], ...)"
        )
        raise ValueError(
            f"tool {name!r} returned a Command whose update has no ToolMessage answering its "
            f"call {call_id!r}. Every tool call needs an answer: return {example}, taking "
            "tool_call_id as an Annotated[str, InjectedToolCallId] parameter."
        )
    return dataclasses.replace(command, update=copied)


def checked_list(
    items: list[Any], call: dict[str, Any], messages_key: str, shape: str
) -> list[Any]:
    """A tool's list of ``Command`` / ``ToolMessage``: it must answer ``call`` exactly once.

    The answer may be one of the items or sit in a command's update; the commands need not
    answer the call one by one. Raises ``ValueError`` otherwise.
    """
    call_id = call.get("id")
    answers = 0
    for item in items:
        if family.is_tool_message(item):
            answers += item.tool_call_id == call_id
        elif isinstance(item.update, dict):
            answers += sum(
                isinstance(m, ToolMessage) and m.tool_call_id == call_id
                for m in convert_to_messages(item.update.get(messages_key) or [])
            )
    if answers != 1:
        raise ValueError(
            f"Tool {call['name']} returned a list with {answers} messages bound to tool_call_id "
            f"{call_id!r}; expected exactly one terminating ToolMessage."
        )
    out: list[Any] = []
    for item in items:
        if isinstance(item, Command):
            out.append(checked_command(item, call, messages_key, shape, answers_call=False))
        else:
            item.content = tool_output_content(item.content)
            out.append(item)
    return out


def combine(outputs: list[Any], shape: str, messages_key: str) -> Any:
    """The node's update from its calls' answers, in call order.

    With no commands: the messages, as ``{messages_key: [...]}`` or (list input) a list. With
    commands, a list: each message on its own (so the commands stay in order between them),
    the commands, and every command that sends ``Send`` packets to the parent graph merged into
    one, last.
    """
    flat: list[Any] = []
    for output in outputs:
        if isinstance(output, list):
            flat.extend(output)
        else:
            flat.append(output)
    if not any(isinstance(o, Command) for o in flat):
        return flat if shape == "list" else {messages_key: flat}
    combined: list[Any] = []
    sends: list[Send] | None = None
    for output in flat:
        if not isinstance(output, Command):
            combined.append([output] if shape == "list" else {messages_key: [output]})
        elif (
            output.graph == Command.PARENT
            and isinstance(output.goto, list)
            and all(isinstance(s, Send) for s in output.goto)
        ):
            sends = [*(sends or ()), *output.goto]
        else:
            combined.append(output)
    if sends is not None:
        combined.append(Command(graph=Command.PARENT, goto=sends))
    return combined
