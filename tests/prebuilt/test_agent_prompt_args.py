"""A prompt function gets what it names: ``config``, ``store``, ``runtime``, ``writer``.

As LangGraph 1.2.22 calls ``create_react_agent(prompt=f)`` (observed with these programs):
``f(state, config, *, store)`` gets the run's config and the agent's store (None without
one), ``f(state, runtime)`` the node's ``Runtime``; sync and async alike. A LangChain runnable
is a prompt too.
"""

from __future__ import annotations

import pytest

from langgraph_lite.messages import AIMessage, SystemMessage
from langgraph_lite.prebuilt import create_react_agent
from langgraph_lite.store.memory import InMemoryStore

HI = {"messages": [("user", "hi")]}


class Echo:
    """A chat model answering with the text of every message it was shown, joined by '-'."""

    def bind_tools(self, tools, **kwargs):
        return self

    def invoke(self, messages, config=None, **kwargs):
        return AIMessage("-".join(str(m.content) for m in messages), id="0")

    async def ainvoke(self, messages, config=None, **kwargs):
        return self.invoke(messages, config)


def names_store():
    store = InMemoryStore()
    store.put(("memories", "1"), "user_name", {"data": "User name is Alice"})
    return store


def test_config_and_store_by_name():
    def prompt(state, config, *, store):
        user = config["configurable"]["user_id"]
        return [SystemMessage(store.get(("memories", user), "user_name").value["data"])] + state[
            "messages"
        ]

    agent = create_react_agent(Echo(), [], prompt=prompt, store=names_store())
    out = agent.invoke(HI, {"configurable": {"user_id": "1"}})
    assert out["messages"][-1].content == "User name is Alice-hi"


def test_config_alone_and_a_store_the_agent_lacks():
    def with_config(state, config):
        return [SystemMessage(f"user {config['configurable']['user_id']}"), *state["messages"]]

    def with_store(state, *, store):
        return [SystemMessage(f"store {store}"), *state["messages"]]

    agent = create_react_agent(Echo(), [], prompt=with_config)
    assert agent.invoke(HI, {"configurable": {"user_id": "7"}})["messages"][-1].content == (
        "user 7-hi"
    )
    agent = create_react_agent(Echo(), [], prompt=with_store)
    assert agent.invoke(HI)["messages"][-1].content == "store None-hi"


def test_the_runtime_by_name():
    def prompt(state, runtime):
        return [
            SystemMessage(f"{type(runtime).__name__} {runtime.store is not None}"),
            *state["messages"],
        ]

    agent = create_react_agent(Echo(), [], prompt=prompt, store=names_store())
    assert agent.invoke(HI)["messages"][-1].content == "Runtime True-hi"


@pytest.mark.anyio
async def test_an_async_prompt_gets_them_too():
    async def prompt(state, config, *, store):
        item = await store.aget(("memories", config["configurable"]["user_id"]), "user_name")
        return [SystemMessage(item.value["data"]), *state["messages"]]

    agent = create_react_agent(Echo(), [], prompt=prompt, store=names_store())
    out = await agent.ainvoke(HI, {"configurable": {"user_id": "1"}})
    assert out["messages"][-1].content == "User name is Alice-hi"


@pytest.mark.anyio
async def test_a_langchain_runnable_is_a_prompt():
    runnables = pytest.importorskip("langchain_core.runnables")
    prompt = runnables.RunnableLambda(
        lambda state: [SystemMessage(f"Baz {state['messages'][-1].content}")]
    )
    agent = create_react_agent(Echo(), [], prompt=prompt)
    assert agent.invoke(HI)["messages"][-1].content == "Baz hi"
    assert (await agent.ainvoke(HI))["messages"][-1].content == "Baz hi"
