"""LangGraph's ``Durability`` and ``All`` type aliases, usable in annotations and checks."""

import typing

from langgraph_lite.types import All, Durability


def test_durability_lists_the_modes_runs_take():
    assert typing.get_args(Durability) == ("sync", "async", "exit")


def test_all_is_the_every_node_breakpoint():
    assert typing.get_args(All) == ("*",)
