"""create_react_agent given a model that already has tools bound: used as it is when they are the
agent's tools, refused (``ValueError``, LangGraph's words) when they differ in number or name.
Cases and outcomes observed on LangGraph 1.2.22 with the same LangChain model."""

import pytest

from langgraph_lite.prebuilt import create_react_agent
from langgraph_lite.testing import ScriptedChatModel
from langgraph_lite.tools import convert_to_openai_tool, tool

lc_models = pytest.importorskip("langchain_core.language_models.chat_models")
from langchain_core.messages import AIMessage as LCAIMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatResult  # noqa: E402
from langchain_core.runnables import RunnableLambda  # noqa: E402


class BindingModel(lc_models.BaseChatModel):
    """A LangChain model whose bind_tools returns a RunnableBinding, as real ones do."""

    @property
    def _llm_type(self) -> str:
        return "binding"

    def bind_tools(self, tools, **kwargs):
        specs = [t if isinstance(t, dict) else convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=specs)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=LCAIMessage("done"))])


@tool
def add(x: int) -> int:
    """Add one."""
    return x + 1


@tool
def double(x: int) -> int:
    """Double."""
    return x * 2


MCP = {"type": "mcp", "server_label": "docs", "server_url": "https://mcp.example/sse"}
HI = {"messages": [("user", "hi")]}


def last_reply(agent):
    return agent.invoke(HI)["messages"][-1].content


@pytest.mark.parametrize(
    ("model", "tools"),
    [
        pytest.param(BindingModel().bind_tools([add]), [add], id="same tools"),
        pytest.param(BindingModel().bind_tools([add, MCP]), [add, MCP], id="with a built-in"),
        pytest.param(
            BindingModel().bind_tools([add]) | RunnableLambda(lambda m: m), [add], id="sequence"
        ),
        pytest.param(
            BindingModel().bind(tools=[{"name": "add", "input_schema": {}}]),
            [add],
            id="anthropic format",
        ),
        pytest.param(BindingModel(), [add], id="unbound"),
    ],
)
def test_a_model_bound_with_the_agents_tools_is_used(model, tools):
    assert last_reply(create_react_agent(model, tools)) == "done"


@pytest.mark.parametrize(
    ("model", "tools", "got", "expected"),
    [
        pytest.param(BindingModel().bind_tools([add]), [add, double], 2, 1, id="more given"),
        pytest.param(BindingModel().bind_tools([add]), [], 0, 1, id="none given"),
        pytest.param(BindingModel().bind_tools([add]), [add, MCP], 1, 0, id="built-in unbound"),
    ],
)
def test_a_different_number_of_tools_is_refused(model, tools, got, expected):
    with pytest.raises(
        ValueError,
        match=r"^Number of tools in the model.bind_tools\(\) and tools passed to "
        rf"create_react_agent must match. Got {got} tools, expected {expected}",
    ):
        create_react_agent(model, tools)


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(BindingModel().bind_tools([add]), id="binding"),
        pytest.param(BindingModel().bind_tools([add]) | RunnableLambda(lambda m: m), id="seq"),
        pytest.param(ScriptedChatModel(["x"]).bind_tools([add]), id="ours"),
    ],
)
def test_other_tools_than_the_bound_ones_are_refused(model):
    with pytest.raises(ValueError, match=r"^Missing tools '\{'double'\}' in the model.bind_tools"):
        create_react_agent(model, [double])


def test_our_model_bound_with_plain_functions_counts_them_by_name():
    def lookup(city: str) -> str:
        """Look a city up."""
        return city

    model = ScriptedChatModel(["fine"]).bind_tools([lookup])
    assert last_reply(create_react_agent(model, [lookup])) == "fine"
    with pytest.raises(ValueError, match=r"must match\. Got 2 tools, expected 1"):
        create_react_agent(model, [lookup, add])
