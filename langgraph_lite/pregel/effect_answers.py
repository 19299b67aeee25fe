"""Answering the effects of what runs no node: ``update_state``, ``bulk_update_state`` and
``get_state`` are generators of ``Load`` / ``Save`` / ``Writes`` effects, like a run's loop, and
these two functions answer them, blocking or awaiting."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from langgraph_lite.pregel.checkpointing import aload, asave, load, save
from langgraph_lite.pregel.effects import Load, Save, Writes

__all__ = ["aanswer_effects", "answer_effects"]


def answer_effects(effects: Generator[Any, Any, Any], saver: Any) -> Any:
    """Answer a generator that only loads and saves (``update_state``, ``get_state``)."""
    reply = None
    while True:
        try:
            effect = effects.send(reply)
        except StopIteration as stop:
            return stop.value
        match effect:
            case Load():
                reply = load(saver, effect)
            case Save(actions):
                save(saver, actions)
                reply = None
            case Writes(tasks):
                for task in tasks:
                    task.writes = task.node.writes_for(task.input, task)
                reply = None
            case _:
                raise TypeError(f"cannot answer {effect!r} here")


async def aanswer_effects(effects: Generator[Any, Any, Any], saver: Any) -> Any:
    """``answer_effects`` with the saver's async methods."""
    reply = None
    while True:
        try:
            effect = effects.send(reply)
        except StopIteration as stop:
            return stop.value
        match effect:
            case Load():
                reply = await aload(saver, effect)
            case Save(actions):
                await asave(saver, actions)
                reply = None
            case Writes(tasks):
                for task in tasks:
                    task.writes = await task.node.awrites_for(task.input, task)
                reply = None
            case _:
                raise TypeError(f"cannot answer {effect!r} here")
