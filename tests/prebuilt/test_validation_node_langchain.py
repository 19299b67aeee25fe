"""ValidationNode takes LangChain's messages as they are, as the rest of the library does."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from langgraph_lite.prebuilt import ValidationNode

lc_messages = pytest.importorskip("langchain_core.messages")


class Lookup(BaseModel):
    query: str


def _answer():
    calls = [
        {"name": "Lookup", "args": {"query": "q"}, "id": "ok"},
        {"name": "Lookup", "args": {"query": 5}, "id": "bad"},
    ]
    return lc_messages.AIMessage("", tool_calls=calls)


@pytest.mark.parametrize("as_state", [False, True])
def test_a_langchain_ai_message_is_validated(as_state):
    node = ValidationNode([Lookup])
    inputs = {"messages": [_answer()]} if as_state else [_answer()]
    out = node.invoke(inputs)
    messages = out["messages"] if as_state else out
    assert [m.tool_call_id for m in messages] == ["ok", "bad"]
    assert not messages[0].additional_kwargs.get("is_error")
    assert messages[1].additional_kwargs.get("is_error")


def test_a_langchain_human_message_last_is_still_refused():
    with pytest.raises(ValueError, match="got a HumanMessage last"):
        ValidationNode([Lookup]).invoke([lc_messages.HumanMessage("hi")])
