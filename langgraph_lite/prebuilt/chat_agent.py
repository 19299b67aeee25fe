"""``create_react_agent``: a chat model that calls tools in a loop until it can answer.

The graph's nodes are named as in LangGraph so that streamed chunks look the same:

    START ─▶ [pre_model_hook] ─▶ agent ─▶ [post_model_hook] ─(tool calls?)─▶ tools ─▶ back
                                                           └─(none)─▶ [generate_structured_response] ─▶ END

``"agent"`` calls the model on the conversation (after the prompt) and adds its reply;
``"tools"`` runs the reply's tool calls — one task per call, sent with ``Send``, so each call
shows up as its own ``{"tools": ...}`` update — and adds their ``ToolMessage``s. A tool made
with ``return_direct=True`` ends the run after it answers. The bracketed nodes exist only when
asked for: ``pre_model_hook`` / ``post_model_hook`` (nodes of your own around the model call)
and ``response_format`` (a last call for an answer in that schema, in ``structured_response``).

The model: see ``langgraph_lite.prebuilt.agent_model`` (ours, LangChain's, a name, or a
function picking one per call). ``ScriptedChatModel`` from ``langgraph_lite.testing`` is one,
for tests and examples.
"""

from __future__ import annotations

import sys
import typing
import warnings
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

import pydantic
from typing_extensions import NotRequired, TypedDict

from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.graph.message import add_messages, langchain_first
from langgraph_lite.interop import family
from langgraph_lite.managed import RemainingSteps
from langgraph_lite.messages import AnyMessage, SystemMessage
from langgraph_lite.prebuilt.agent_model import (
    NEED_MORE_STEPS,
    ModelNode,
    StructuredResponseNode,
    is_dynamic,
    resolve_model,
)
from langgraph_lite.prebuilt.agent_model import state_messages as _messages
from langgraph_lite.prebuilt.tool_node import ToolNode
from langgraph_lite.prebuilt.tool_routing import tool_messages_after_last_ai
from langgraph_lite.tools import Tool
from langgraph_lite.types import Send
from langgraph_lite.warnings import LangGraphDeprecatedSinceV10

if typing.TYPE_CHECKING:
    from langgraph_lite.graph.state import CompiledStateGraph

__all__ = [
    "NEED_MORE_STEPS",
    "AgentState",
    "AgentStatePydantic",
    "AgentStateWithStructuredResponse",
    "AgentStateWithStructuredResponsePydantic",
    "create_react_agent",
]


class AgentState(TypedDict):
    """The agent's state: the conversation, and (filled in by the engine) the steps left."""

    messages: Annotated[list[AnyMessage], add_messages]
    remaining_steps: RemainingSteps


class AgentStateWithStructuredResponse(AgentState):
    """``AgentState`` with the answer ``response_format`` asked for."""

    structured_response: NotRequired[Any]


class AgentStatePydantic(pydantic.BaseModel):
    """``AgentState`` as a pydantic model, for ``state_schema=`` classes that extend it."""

    messages: Annotated[Sequence[AnyMessage], add_messages]
    remaining_steps: RemainingSteps = 25  # type: ignore[assignment]  # the engine fills it


class AgentStateWithStructuredResponsePydantic(AgentStatePydantic):
    """``AgentStatePydantic`` with the answer ``response_format`` asked for."""

    structured_response: dict[str, Any] | pydantic.BaseModel


def create_react_agent(
    model: Any,
    tools: Sequence[Tool | Callable[..., Any] | dict[str, Any]] | ToolNode,
    *,
    prompt: str | SystemMessage | Callable[[Any], Any] | None = None,
    response_format: Any = None,
    pre_model_hook: Any = None,
    post_model_hook: Any = None,
    state_schema: Any = None,
    context_schema: Any = None,
    checkpointer: Any = None,
    store: Any = None,
    interrupt_before: list[str] | None = None,
    interrupt_after: list[str] | None = None,
    debug: bool = False,
    version: Literal["v1", "v2"] = "v2",
    name: str | None = None,
    **unexpected: Any,
) -> CompiledStateGraph:
    """A compiled graph that loops model → tools → model until the model stops calling tools.

    ``model``: a chat model (ours, or a LangChain one as it is), a ``"provider:model"`` name
    (``"openai:gpt-4o-mini"``), or a function ``(state, runtime) -> model`` (sync or async)
    choosing the model for each call — it returns the model with its tools bound.
    ``tools``: ``Tool`` objects, plain functions, LangChain tools, a ``ToolNode`` (to choose
    its error handling), or dicts in a provider's format (bound to the model, not run here).
    ``prompt``: a string (sent first as a ``SystemMessage``), a ``SystemMessage``, or a
    function of the state (sync or async, or a LangChain runnable) returning the messages to
    send to the model; it is also given ``config``, ``store``, ``runtime`` or ``writer`` when
    it names them (``def prompt(state, config, *, store)``).
    ``response_format``: a schema (pydantic model, TypedDict, JSON schema) or a
    ``(system prompt, schema)`` pair; when the loop ends, the model is asked once more for an
    answer in that shape, which goes to the state's ``structured_response``.
    ``pre_model_hook`` / ``post_model_hook``: nodes run before / after each model call; the
    pre hook may return ``llm_input_messages``, sent to the model instead of the state's
    messages (e.g. trimmed) without changing them.
    ``state_schema`` (extend ``AgentState``), ``context_schema``, ``checkpointer``, ``store``,
    ``interrupt_before`` / ``interrupt_after`` (e.g. ``["tools"]`` to approve tool calls) and
    ``name`` go to the graph. ``version="v2"`` (default) runs each tool call as its own task;
    ``"v1"`` runs all calls of a reply in one ``"tools"`` task.

    >>> from langgraph_lite.prebuilt import create_react_agent
    >>> from langgraph_lite.testing import ScriptedChatModel
    >>> agent = create_react_agent(ScriptedChatModel(["Hello!"]), tools=[])
    >>> agent.invoke({"messages": [("user", "hi")]})["messages"][-1].content
    'Hello!'
    """
    if "config_schema" in unexpected:  # LangGraph's old name still works, with a warning
        warnings.warn(
            "`config_schema` is deprecated and will be removed. Please use `context_schema` "
            "instead.",
            LangGraphDeprecatedSinceV10,
            stacklevel=2,
        )
        config_schema = unexpected.pop("config_schema")
        context_schema = config_schema if context_schema is None else context_schema
    if unexpected:  # LangGraph's words first
        raise TypeError(
            f"create_react_agent() got unexpected keyword arguments: {unexpected}. It takes "
            "prompt, response_format, pre_model_hook, post_model_hook, state_schema, "
            "context_schema, checkpointer, store, interrupt_before, interrupt_after, debug, "
            "version and name."
        )
    if version not in ("v1", "v2"):
        raise ValueError(f"version={version!r}: use 'v1' or 'v2'.")
    if state_schema is not None:
        schema = state_schema
    else:
        schema = AgentStateWithStructuredResponse if response_format is not None else AgentState
    _check_schema(schema)

    if isinstance(tools, ToolNode):
        tool_node: ToolNode | None = tools
        bindable: list[Any] = tools.tools
    else:
        runnable = [t for t in tools if not isinstance(t, dict)]
        tool_node = ToolNode(runnable) if runnable else None
        bindable = [
            *(tool_node.tools if tool_node else []),
            *(t for t in tools if isinstance(t, dict)),
        ]
    return_direct = {t.name for t in tool_node.tools if t.return_direct} if tool_node else set()
    raw_model = model if is_dynamic(model) else resolve_model(model, [], bind=False)
    if not is_dynamic(model):
        model = resolve_model(model, bindable)

    entry = "pre_model_hook" if pre_model_hook is not None else "agent"
    builder = StateGraph(schema, context_schema)
    builder.add_node(
        "agent",
        ModelNode(model, prompt, name, reads_hook_messages=pre_model_hook is not None),
        input_schema=_with_hook_messages(schema) if pre_model_hook is not None else None,
    )
    builder.add_edge(START, entry)
    if pre_model_hook is not None:
        builder.add_node("pre_model_hook", pre_model_hook)
        builder.add_edge("pre_model_hook", "agent")
    after_model = "agent"
    if post_model_hook is not None:
        builder.add_node("post_model_hook", post_model_hook)
        builder.add_edge("agent", "post_model_hook")
        after_model = "post_model_hook"
    finish: str = END
    if response_format is not None:
        builder.add_node(
            "generate_structured_response", StructuredResponseNode(raw_model, response_format)
        )
        builder.add_edge("generate_structured_response", END)
        finish = "generate_structured_response"

    if tool_node is None:
        builder.add_edge(after_model, finish)
    else:
        builder.add_node("tools", tool_node)
        if post_model_hook is None:
            builder.add_conditional_edges("agent", _tool_router(version, finish), ["tools", finish])
        else:
            builder.add_conditional_edges(
                "post_model_hook", _after_post_hook(entry, finish), ["tools", entry, finish]
            )
        if return_direct:
            builder.add_conditional_edges("tools", _after_tools(return_direct, entry), [entry, END])
        else:
            builder.add_edge("tools", entry)
    graph = builder.compile(
        checkpointer,
        store=store,
        interrupt_before=interrupt_before,
        interrupt_after=interrupt_after,
        debug=debug,
        name=name,
    )
    if _is_langchain_model(raw_model):
        _langchain_history(graph)
    return graph


def _is_langchain_model(model: Any) -> bool:
    if "langchain_core" not in sys.modules:
        return False
    from langgraph_lite.models.langchain import LangChainChatModel

    return isinstance(model, LangChainChatModel)


def _langchain_history(graph: Any) -> None:
    """With a LangChain model, the conversation is LangChain's from its first message: the
    input's dicts and tuples become LangChain messages, as the model's replies are (see
    ``langgraph_lite.interop.family``)."""
    channel = graph.channels.get("messages")
    reducer = langchain_first(getattr(channel, "operator", None))
    if reducer is not None:
        channel.operator = reducer


def _with_hook_messages(schema: Any) -> Any:
    """The agent node reads ``llm_input_messages`` too (what a pre-model hook gave)."""

    class CallModelInputSchema(schema):
        llm_input_messages: NotRequired[list[AnyMessage]]  # type: ignore[valid-type]

    return CallModelInputSchema


def _check_schema(schema: Any) -> None:
    try:
        keys = typing.get_type_hints(schema)
    except Exception:
        keys = getattr(schema, "__annotations__", {})
    if "messages" not in keys:
        raise ValueError(
            f"state_schema {getattr(schema, '__name__', schema)!r} has no 'messages' key; the "
            "agent keeps the conversation there. Extend AgentState: class State(AgentState): ..."
        )


# -- routing -------------------------------------------------------------------------------------


def _is_ai(message: Any) -> bool:
    return family.is_message(message) and message.type == "ai"


def _sends(calls: list[Any], state: Any) -> list[Send]:
    return [
        Send("tools", {"__type": "tool_call_with_context", "tool_call": call, "state": state})
        for call in calls
    ]


def _tool_router(version: str, finish: str) -> Callable[[Any], Any]:
    def should_continue(state: Any) -> Any:
        messages = _messages(state)
        last: Any = messages[-1] if messages else None
        if not _is_ai(last) or not last.tool_calls:
            return finish
        if version == "v1":
            return "tools"
        return _sends(last.tool_calls, state)

    return should_continue


def _after_post_hook(entry: str, finish: str) -> Callable[[Any], Any]:
    """After the post-model hook: the calls still unanswered, else back to the model or out."""

    def post_model_hook_router(state: Any) -> Any:
        messages = _messages(state)
        answered = {m.tool_call_id for m in messages if family.is_tool_message(m)}
        last_ai = next((m for m in reversed(messages) if _is_ai(m)), None)
        pending = [
            c for c in (last_ai.tool_calls if last_ai else []) if c.get("id") not in answered
        ]
        if pending:
            return _sends(pending, state)
        if messages and family.is_tool_message(messages[-1]):
            return entry
        return finish

    return post_model_hook_router


def _after_tools(return_direct: set[str], entry: str) -> Callable[[Any], str]:
    def route_tool_answers(state: Any) -> str:
        ai, answers = tool_messages_after_last_ai(_messages(state))
        if any(m.name in return_direct for m in answers):
            return END
        # with parallel calls, the return_direct one may have run in a sibling task
        if ai is not None and any(c["name"] in return_direct for c in ai.tool_calls):
            return END
        return entry

    return route_tool_answers
