"""``create_react_agent``: a chat model that calls tools in a loop until it can answer.

The graph has two nodes, named as in LangGraph so that streamed chunks look the same:

    START ──▶ agent ──(tool calls?)──▶ tools ──▶ agent ──(no tool calls)──▶ END

``"agent"`` calls the model on the conversation (after the prompt) and adds its reply;
``"tools"`` runs the reply's tool calls — one task per call, sent with ``Send``, so each call
shows up as its own ``{"tools": ...}`` update — and adds their ``ToolMessage``s. A tool made
with ``return_direct=True`` ends the run after it answers.

The model is anything with ``invoke(messages) -> AIMessage`` and ``bind_tools(tools)``; an
``ainvoke`` is used in async runs when it has one (else ``invoke`` runs in a worker thread).
``ScriptedChatModel`` from ``langgraph_lite.testing`` is one, for tests and examples.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from typing_extensions import TypedDict, is_typeddict

from langgraph_lite.graph import END, START, StateGraph
from langgraph_lite.graph.message import add_messages
from langgraph_lite.managed import RemainingSteps
from langgraph_lite.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    SystemMessage,
    ToolMessage,
    convert_to_messages,
)
from langgraph_lite.prebuilt.tool_node import ToolNode, tool_messages_after_last_ai
from langgraph_lite.tools import Tool
from langgraph_lite.types import Send

if typing.TYPE_CHECKING:
    from langgraph_lite.graph.state import CompiledStateGraph

__all__ = ["AgentState", "create_react_agent"]

NEED_MORE_STEPS = "Sorry, I need more steps than this run allows to finish this request."
"""What the agent answers when the model asks for tools with too few steps left to run them."""


class AgentState(TypedDict):
    """The agent's state: the conversation, and (filled in by the engine) the steps left."""

    messages: Annotated[list[AnyMessage], add_messages]
    remaining_steps: RemainingSteps


def create_react_agent(
    model: Any,
    tools: Sequence[Tool | Callable[..., Any] | dict[str, Any]] | ToolNode,
    *,
    prompt: str | SystemMessage | Callable[[Any], Any] | None = None,
    state_schema: Any = None,
    context_schema: Any = None,
    checkpointer: Any = None,
    store: Any = None,
    interrupt_before: list[str] | None = None,
    interrupt_after: list[str] | None = None,
    debug: bool = False,
    version: Literal["v1", "v2"] = "v2",
    name: str | None = None,
) -> CompiledStateGraph:
    """A compiled graph that loops model → tools → model until the model stops calling tools.

    ``tools``: ``Tool`` objects, plain functions, a ``ToolNode`` (to choose its error
    handling), or dicts in a provider's format (bound to the model, not run here).
    ``prompt``: a string (sent first as a ``SystemMessage``), a ``SystemMessage``, or a
    function of the state returning the messages to send to the model. ``checkpointer``,
    ``interrupt_before`` / ``interrupt_after`` (e.g. ``["tools"]`` to approve tool calls) and
    ``name`` go to ``compile``. ``version="v2"`` (default) runs each tool call as its own task;
    ``"v1"`` runs all calls of a reply in one ``"tools"`` task.

    >>> from langgraph_lite.prebuilt import create_react_agent
    >>> from langgraph_lite.testing import ScriptedChatModel
    >>> agent = create_react_agent(ScriptedChatModel(["Hello!"]), tools=[])
    >>> agent.invoke({"messages": [("user", "hi")]})["messages"][-1].content
    'Hello!'
    """
    if version not in ("v1", "v2"):
        raise ValueError(f"version={version!r}: use 'v1' or 'v2'.")
    schema = state_schema if state_schema is not None else AgentState
    _check_schema(schema, version)

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
    model = _resolve_model(model, bindable)

    builder = StateGraph(schema, context_schema)
    builder.add_node("agent", _ModelNode(model, prompt, name))
    builder.add_edge(START, "agent")
    if tool_node is None:
        builder.add_edge("agent", END)
    else:
        builder.add_node("tools", tool_node)
        builder.add_conditional_edges("agent", _tool_router(version), ["tools", END])
        if return_direct:
            builder.add_conditional_edges("tools", _after_tools(return_direct), ["agent", END])
        else:
            builder.add_edge("tools", "agent")
    return builder.compile(
        checkpointer,
        store=store,
        interrupt_before=interrupt_before,
        interrupt_after=interrupt_after,
        debug=debug,
        name=name,
    )


# -- the model node ------------------------------------------------------------------------------


class _ModelNode:
    """The ``"agent"`` node: one object with ``invoke`` (sync runs) and ``ainvoke`` (async runs)."""

    def __init__(self, model: Any, prompt: Any, name: str | None) -> None:
        self.model = model
        self.prompt = prompt
        self.name = name
        self._async_prompt = inspect.iscoroutinefunction(prompt)
        self._takes_config = _takes_config(model)

    def _config(self, config: Any) -> tuple[Any, ...]:
        """The node's config, for models whose invoke takes one (LangChain's, ours)."""
        return (config,) if self._takes_config else ()

    def __repr__(self) -> str:
        return f"agent(model={self.model!r})"

    def invoke(self, state: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if self._async_prompt:
            raise RuntimeError(
                "the agent's prompt is an async function, so the agent must run with "
                "ainvoke()/astream(); or give a sync prompt function."
            )
        messages = self._model_input(state, self._prompt(state))
        return self._update(state, self.model.invoke(messages, *self._config(config)))

    async def ainvoke(self, state: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        shown = await self.prompt(state) if self._async_prompt else self._prompt(state)
        messages = self._model_input(state, shown)
        ainvoke = getattr(self.model, "ainvoke", None)
        if ainvoke is not None:
            response = await ainvoke(messages, *self._config(config))
        else:
            import anyio.to_thread

            response = await anyio.to_thread.run_sync(
                self.model.invoke, messages, *self._config(config)
            )
        return self._update(state, response)

    def _prompt(self, state: Any) -> Any:
        prompt = self.prompt
        if prompt is None or isinstance(prompt, (str, SystemMessage)):
            return None  # applied in _model_input
        if hasattr(prompt, "invoke"):
            return prompt.invoke(state)
        return prompt(state)

    def _model_input(self, state: Any, shown: Any) -> list[BaseMessage]:
        history = convert_to_messages(_messages(state))
        _check_chat_history(history)
        prompt = self.prompt
        if prompt is None:
            return history
        if isinstance(prompt, str):
            return [SystemMessage(content=prompt), *history]
        if isinstance(prompt, SystemMessage):
            return [prompt, *history]
        return convert_to_messages(shown)

    def _update(self, state: Any, response: Any) -> dict[str, Any]:
        if isinstance(response, str):
            response = AIMessage(content=response)
        if not isinstance(response, BaseMessage):
            raise TypeError(
                f"the agent's model {self.model!r} returned {type(response).__name__} "
                f"{response!r}; a chat model returns an AIMessage."
            )
        if response.name != self.name:
            response = response.model_copy(update={"name": self.name})
        if self._out_of_steps(state, response):
            response = AIMessage(id=response.id, content=NEED_MORE_STEPS)
        return {"messages": [response]}

    def _out_of_steps(self, state: Any, response: BaseMessage) -> bool:
        """Whether the tools the reply asks for could not run (and be answered) in time."""
        calls = response.tool_calls if isinstance(response, AIMessage) else []
        if not calls:
            return False
        remaining = (
            state.get("remaining_steps")
            if isinstance(state, dict)
            else getattr(state, "remaining_steps", None)
        )
        if remaining is None:
            return False
        # the tools take a step, and the model another one to read their answers (LangGraph
        # asks for both even when every tool returns directly)
        return bool(remaining < 2)


def _resolve_model(model: Any, bindable: list[Any]) -> Any:
    """The model the agent node calls: a name resolved, tools bound, LangChain's adapted."""
    if isinstance(model, str):
        from langgraph_lite.models import init_chat_model

        model = init_chat_model(model)
    if "langchain_core" in sys.modules:
        from langgraph_lite.interop.langchain import is_langchain_runnable

        if is_langchain_runnable(model):
            from langgraph_lite.models.langchain import LangChainChatModel

            if bindable and not _has_bound_tools(model):
                model = _bind_tools(model, [_for_langchain(t) for t in bindable])
            return LangChainChatModel(model)
    return _bind_tools(model, bindable) if bindable else model


def _takes_config(model: Any) -> bool:
    try:
        params = list(inspect.signature(model.invoke).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)


def _has_bound_tools(model: Any) -> bool:
    kwargs = getattr(model, "kwargs", None)  # a RunnableBinding from model.bind_tools(...)
    return isinstance(kwargs, dict) and "tools" in kwargs


def _for_langchain(tool: Any) -> Any:
    """A tool as LangChain's bind_tools takes it: LangChain's own, or the OpenAI format."""
    from langgraph_lite.tools import convert_to_openai_tool

    original = getattr(tool, "langchain_tool", None)
    if original is not None:
        return original
    return tool if isinstance(tool, dict) else convert_to_openai_tool(tool)


def _bind_tools(model: Any, tools: list[Any]) -> Any:
    if getattr(model, "tools", None):  # already bound (a ScriptedChatModel's bind_tools copy)
        return model
    bind = getattr(model, "bind_tools", None)
    if bind is None:
        raise TypeError(
            f"the agent's model {model!r} has no bind_tools(), so it cannot be told about the "
            f"tools ({', '.join(getattr(t, 'name', None) or str(t) for t in tools)}). Give a "
            "chat model with bind_tools(tools), or bind them yourself and pass the result."
        )
    return bind(tools)


def _messages(state: Any) -> list[Any]:
    if isinstance(state, dict):
        if "messages" not in state:
            raise ValueError(
                f"the agent's state has no 'messages' (keys: {', '.join(map(repr, state))}). "
                "Start it with {'messages': [{'role': 'user', 'content': '...'}]}."
            )
        return list(state["messages"])
    return list(state.messages)


def _check_chat_history(messages: Sequence[BaseMessage]) -> None:
    """Every tool call the model made must have been answered before it is called again."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    missing = [
        call
        for m in messages
        if isinstance(m, AIMessage)
        for call in m.tool_calls
        if call.get("id") not in answered
    ]
    if missing:
        raise ValueError(
            f"the conversation has {len(missing)} tool call(s) with no ToolMessage answering "
            f"them, e.g. {missing[:3]!r}. Chat models refuse such histories. If the run was "
            "interrupted before 'tools', resume it with invoke(None, config) instead of sending "
            "a new message; or add a ToolMessage(tool_call_id=...) for each call. "
            "[INVALID_CHAT_HISTORY]"
        )


def _check_schema(schema: Any, version: str) -> None:
    try:
        keys = typing.get_type_hints(schema)
    except Exception:
        keys = getattr(schema, "__annotations__", {})
    if "messages" not in keys:
        raise ValueError(
            f"state_schema {getattr(schema, '__name__', schema)!r} has no 'messages' key; the "
            "agent keeps the conversation there. Extend AgentState: class State(AgentState): ..."
        )
    if version == "v2" and not is_typeddict(schema):
        raise TypeError(
            f"state_schema {getattr(schema, '__name__', schema)!r} is not a TypedDict. With "
            "version='v2' each tool call is sent to the tools node with the state as a dict, "
            "so the state must be one: extend AgentState, or pass version='v1'."
        )


# -- routing -------------------------------------------------------------------------------------


def _tool_router(version: str) -> Callable[[Any], Any]:
    def should_continue(state: Any) -> Any:
        messages = _messages(state)
        last = messages[-1] if messages else None
        if not isinstance(last, AIMessage) or not last.tool_calls:
            return END
        if version == "v1":
            return "tools"
        return [
            Send("tools", {"__type": "tool_call_with_context", "tool_call": call, "state": state})
            for call in last.tool_calls
        ]

    return should_continue


def _after_tools(return_direct: set[str]) -> Callable[[Any], str]:
    def route_tool_answers(state: Any) -> str:
        ai, answers = tool_messages_after_last_ai(_messages(state))
        if any(m.name in return_direct for m in answers):
            return END
        # with parallel calls, the return_direct one may have run in a sibling task
        if ai is not None and any(c["name"] in return_direct for c in ai.tool_calls):
            return END
        return "agent"

    return route_tool_answers
