"""The nodes of ``create_react_agent`` that call the model: ``"agent"`` and the structured answer.

The model is anything with ``invoke(messages) -> AIMessage`` (and ``bind_tools(tools)`` when
the agent has tools): ours (``ScriptedChatModel``, ``OpenAIChatModel``), a LangChain chat model
(adapted: it gets LangChain messages and the node's config), a ``"provider:model"`` name, or a
function ``(state, runtime) -> model`` that picks one per call (sync or async).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Sequence
from typing import Any

from langgraph_lite.interop import family
from langgraph_lite.messages import (
    AIMessage,
    BaseMessage,
    SystemMessage,
    convert_to_messages,
)

__all__ = ["ModelNode", "StructuredResponseNode", "resolve_model"]

NEED_MORE_STEPS = "Sorry, need more steps to process this request."
"""What the agent answers (LangGraph's words) when the model asks for tools with too few steps
left to run them."""

_ASYNC_MODEL = (
    "Async model callable provided but agent invoked synchronously: the function choosing "
    "the agent's model is async, so run the agent with ainvoke()/astream(), or give a sync "
    "function."
)


# -- which model ----------------------------------------------------------------------------------


def is_dynamic(model: Any) -> bool:
    """A function picking the model per call (not a name, not a model)."""
    return not isinstance(model, str) and not hasattr(model, "invoke") and callable(model)


def resolve_model(model: Any, bindable: list[Any], *, bind: bool = True) -> Any:
    """The model the agent node calls: a name resolved, tools bound, LangChain's adapted.

    A model that comes with tools already bound (``model.bind_tools(tools)``) is used as it
    is, after checking, as LangGraph does, that it was bound the agent's tools."""
    if isinstance(model, str):
        from langgraph_lite.models import init_chat_model

        model = init_chat_model(model)
    if bind:
        bind = _should_bind(model, bindable) and bool(bindable)
    if "langchain_core" in sys.modules:
        from langgraph_lite.interop.langchain import is_langchain_runnable

        if is_langchain_runnable(model):
            from langgraph_lite.models.langchain import LangChainChatModel

            if bind:
                model = _bind_tools(model, [_for_langchain(t) for t in bindable])
            return LangChainChatModel(model)
    return _bind_tools(model, bindable) if bind else model


def _bind_tools(model: Any, tools: list[Any]) -> Any:
    bind = getattr(model, "bind_tools", None)
    if bind is None:
        raise TypeError(
            f"the agent's model {model!r} has no bind_tools(), so it cannot be told about the "
            f"tools ({', '.join(getattr(t, 'name', None) or str(t) for t in tools)}). Give a "
            "chat model with bind_tools(tools), or bind them yourself and pass the result."
        )
    return bind(tools)


def _should_bind(model: Any, bindable: list[Any]) -> bool:
    """Whether the agent binds its tools to ``model``: not if it has some bound already, which
    must then be the agent's tools (by count and name; built-in tools given as dicts count
    only by number), else a ``ValueError`` in LangGraph's words."""
    bound = _bound_tools(model)
    if bound is None:
        return True
    tools = [t for t in bindable if not isinstance(t, dict)]
    expected = len(bound) - (len(bindable) - len(tools))
    if len(tools) != expected:
        raise ValueError(
            "Number of tools in the model.bind_tools() and tools passed to create_react_agent "
            f"must match. Got {len(tools)} tools, expected {expected}: bind the same tools to "
            "the model, or pass the model unbound and let the agent bind them."
        )
    names = {n for n in map(_bound_name, bound) if n is not None}
    if missing := {t.name for t in tools} - names:
        raise ValueError(
            f"Missing tools '{missing}' in the model.bind_tools(): the model was bound other "
            "tools than the agent's; bind the same ones, or pass the model unbound."
        )
    return False


def _bound_tools(model: Any) -> list[Any] | None:
    """The tools already bound to ``model``, or None if it has none bound."""
    lc = sys.modules.get("langchain_core.runnables.base")
    if lc is not None and isinstance(model, lc.RunnableSequence):
        # model.bind_tools(...) | something: the first step that is a model or a binding
        chat = sys.modules.get("langchain_core.language_models.chat_models")
        kinds = (lc.RunnableBinding, *((chat.BaseChatModel,) if chat else ()))
        model = next((s for s in model.steps if isinstance(s, kinds)), model)
    kwargs = getattr(model, "kwargs", None)  # a LangChain RunnableBinding from bind_tools
    if isinstance(kwargs, dict) and "tools" in kwargs:
        return list(kwargs["tools"])
    tools = getattr(model, "tools", None)  # ours keep what bind_tools was given here
    return list(tools) if isinstance(tools, list) and tools else None


def _bound_name(tool: Any) -> str | None:
    if isinstance(tool, dict):
        if tool.get("type") == "function":  # OpenAI's format
            return str(tool["function"]["name"])
        return tool.get("name")  # Anthropic's; other built-in tools have no name
    name = getattr(tool, "name", None)  # a tool object handed to our models' bind_tools
    if isinstance(name, str):
        return name
    from langgraph_lite.tools import convert_to_openai_tool

    try:  # a plain function, or a schema, as bind_tools takes them
        return _bound_name(convert_to_openai_tool(tool))
    except Exception:
        return None


def _for_langchain(tool: Any) -> Any:
    """A tool as LangChain's bind_tools takes it: LangChain's own, or the OpenAI format."""
    from langgraph_lite.tools import convert_to_openai_tool

    original = getattr(tool, "langchain_tool", None)
    if original is not None and not getattr(tool, "_injected", None):
        return original
    return tool if isinstance(tool, dict) else convert_to_openai_tool(tool)


def _takes_config(model: Any) -> bool:
    try:
        params = list(inspect.signature(model.invoke).parameters.values())
    except (TypeError, ValueError, AttributeError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)


async def _ainvoke(model: Any, messages: Any, config: Any) -> Any:
    args = (config,) if _takes_config(model) else ()
    ainvoke = getattr(model, "ainvoke", None)
    if ainvoke is not None:
        return await ainvoke(messages, *args)
    import anyio.to_thread

    return await anyio.to_thread.run_sync(model.invoke, messages, *args)


def _invoke(model: Any, messages: Any, config: Any) -> Any:
    return model.invoke(messages, *((config,) if _takes_config(model) else ()))


def _injected_names(fn: Any) -> tuple[str, ...]:
    """The run's values a prompt function takes by name: config, store, runtime, writer."""
    if not callable(fn) or hasattr(fn, "invoke"):
        return ()
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return ()
    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(
        name
        for name in ("config", "store", "runtime", "writer")
        if name in params and params[name].kind in kinds
    )


def _on_asyncio() -> bool:
    from langgraph_lite._async_library import current_async_library

    return current_async_library() == "asyncio"


def _runtime() -> Any:
    from langgraph_lite.config import current_task

    task = current_task.get()
    return getattr(task, "runtime", None) if task is not None else None


# -- the state ------------------------------------------------------------------------------------


def state_messages(state: Any, key: str = "messages") -> list[Any]:
    """The conversation in the agent's state (a dict or an object)."""
    if isinstance(state, dict):
        if key not in state:
            raise ValueError(
                f"the agent's state has no {key!r} (keys: {', '.join(map(repr, state))}). "
                "Start it with {'messages': [{'role': 'user', 'content': '...'}]}."
            )
        return list(state[key])
    return list(getattr(state, key))


def _get(state: Any, key: str) -> Any:
    return state.get(key) if isinstance(state, dict) else getattr(state, key, None)


def _as_messages(values: list[Any]) -> list[Any]:
    """Message objects for the model, each of the family the conversation uses."""
    return family.coerce(list(values), langchain=family.langchain_in(values))


def check_chat_history(messages: Sequence[Any]) -> None:
    """Every tool call the model made must have been answered before it is called again."""
    answered = {m.tool_call_id for m in messages if family.is_tool_message(m)}
    missing = [
        call
        for m in messages
        if m.type == "ai"
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


# -- the "agent" node -----------------------------------------------------------------------------


class ModelNode:
    """The ``"agent"`` node: one object with ``invoke`` (sync runs) and ``ainvoke`` (async runs).

    ``reads_hook_messages``: a ``pre_model_hook`` runs first, and its ``llm_input_messages``
    (when it gave some) are what the model sees instead of the state's messages.
    """

    def __init__(
        self,
        model: Any,
        prompt: Any,
        name: str | None,
        *,
        return_direct: set[str] | frozenset[str] = frozenset(),
        reads_hook_messages: bool = False,
    ) -> None:
        self.dynamic = is_dynamic(model)
        self.model = model
        self.prompt = prompt  # a SystemMessage (ours or LangChain's) is put first as it is
        self.name = name
        self.return_direct = set(return_direct)
        self.reads_hook_messages = reads_hook_messages
        self._async_prompt = inspect.iscoroutinefunction(prompt)
        self._prompt_wants = _injected_names(prompt)
        self._async_model = self.dynamic and inspect.iscoroutinefunction(model)

    def __repr__(self) -> str:
        return f"agent(model={self.model!r})"

    def invoke(self, state: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if self._async_model:
            raise RuntimeError(_ASYNC_MODEL)
        if self._async_prompt:
            raise RuntimeError(
                "the agent's prompt is an async function, so the agent must run with "
                "ainvoke()/astream(); or give a sync prompt function."
            )
        messages = self._model_input(state, self._prompt(state, config))
        model = self._pick(self.model(state, _runtime())) if self.dynamic else self.model
        return self._update(state, _invoke(model, messages, config), model)

    async def ainvoke(self, state: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if self._async_prompt:
            shown = await self.prompt(state, **self._prompt_kwargs(config))
        elif hasattr(self.prompt, "ainvoke") and _on_asyncio():  # (LangChain's need asyncio)
            shown = await self.prompt.ainvoke(self._prompt_state(state))
        else:
            shown = self._prompt(state, config)
        messages = self._model_input(state, shown)
        model = self.model
        if self.dynamic:
            picked = self.model(state, _runtime())
            model = self._pick(await picked if self._async_model else picked)
        return self._update(state, await _ainvoke(model, messages, config), model)

    @staticmethod
    def _pick(model: Any) -> Any:
        return resolve_model(model, [], bind=False)  # as LangGraph: it comes with its tools

    def _prompt(self, state: Any, config: Any) -> Any:
        prompt = self.prompt
        if prompt is None or isinstance(prompt, str) or family.is_message(prompt):
            return None  # applied in _model_input
        if hasattr(prompt, "invoke"):
            return prompt.invoke(self._prompt_state(state))
        return prompt(self._prompt_state(state), **self._prompt_kwargs(config))

    def _prompt_kwargs(self, config: Any) -> dict[str, Any]:
        """What a prompt function asks for by name, as LangGraph hands it (store may be None)."""
        if not self._prompt_wants:
            return {}
        runtime = _runtime()
        given = {
            "config": config,
            "runtime": runtime,
            "store": getattr(runtime, "store", None),
            "writer": getattr(runtime, "stream_writer", None),
        }
        return {name: given[name] for name in self._prompt_wants}

    def _prompt_state(self, state: Any) -> Any:
        hook = _get(state, "llm_input_messages") if self.reads_hook_messages else None
        if hook and isinstance(state, dict):
            return {**state, "messages": hook}
        return state

    def _model_input(self, state: Any, shown: Any) -> list[BaseMessage]:
        hook = _get(state, "llm_input_messages") if self.reads_hook_messages else None
        history = _as_messages(hook or state_messages(state))
        check_chat_history(history)
        prompt = self.prompt
        if prompt is None:
            return history
        if isinstance(prompt, str):
            system = family.as_family(
                SystemMessage(content=prompt), langchain=family.langchain_in(history)
            )
            return [system, *history]
        if family.is_message(prompt):
            return [prompt, *history]
        if hasattr(shown, "invoke"):  # a prompt function gave a prompt (LangChain's): run it
            shown = shown.invoke(self._prompt_state(state))
        if hasattr(shown, "to_messages"):  # a LangChain prompt value
            shown = shown.to_messages()
        return _as_messages(shown) if isinstance(shown, list) else convert_to_messages(shown)

    def _update(self, state: Any, response: Any, model: Any) -> dict[str, Any]:
        if isinstance(response, str):
            response = AIMessage(content=response)
        if not family.is_message(response):
            raise TypeError(
                f"the agent's model {model!r} returned {type(response).__name__} "
                f"{response!r}; a chat model returns an AIMessage."
            )
        if response.name != self.name:
            response = response.model_copy(update={"name": self.name})
        if self._out_of_steps(state, response):
            # in the family of the model's own reply, as everything the agent adds
            response = family.as_family(
                AIMessage(id=response.id, content=NEED_MORE_STEPS),
                langchain=family.langchain_in(response),
            )
        return {"messages": [response]}

    def _out_of_steps(self, state: Any, response: BaseMessage) -> bool:
        """Whether the tools the reply asks for could not run (and be answered) in time."""
        calls = getattr(response, "tool_calls", None) or []
        if not calls:
            return False
        remaining = _get(state, "remaining_steps")
        if remaining is None:
            return False
        # the tools take a step, and the model another one to read their answers (LangGraph
        # asks for both even when every tool returns directly)
        return bool(remaining < 2)


# -- the structured answer ------------------------------------------------------------------------


class StructuredResponseNode:
    """``"generate_structured_response"``: after the loop, the answer in ``response_format``.

    The model (without its tools) is asked once more, with ``with_structured_output(schema)``,
    over the whole conversation (after the system prompt when ``response_format`` is a
    ``(prompt, schema)`` pair); the result goes to the state's ``structured_response``.
    """

    def __init__(self, model: Any, response_format: Any) -> None:
        self.model = model
        if isinstance(response_format, tuple):
            self.system, self.schema = response_format
        else:
            self.system, self.schema = None, response_format
        self.dynamic = is_dynamic(model)

    def __repr__(self) -> str:
        return f"generate_structured_response(schema={self.schema!r})"

    def _structured(self, model: Any) -> Any:
        target = model
        make = getattr(target, "with_structured_output", None)
        if make is None:
            raise TypeError(
                f"response_format needs a model with with_structured_output(schema); "
                f"{target!r} has none. Use a chat model that supports structured output "
                "(OpenAIChatModel, a LangChain chat model), or drop response_format."
            )
        return make(self.schema)

    def _messages(self, state: Any) -> list[Any]:
        messages = _as_messages(state_messages(state))
        if not self.system:
            return messages
        system = SystemMessage(content=self.system)
        return [family.as_family(system, langchain=family.langchain_in(messages)), *messages]

    def _model(self, picked: Any) -> Any:
        return resolve_model(picked, [], bind=False)

    def invoke(self, state: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if self.dynamic and inspect.iscoroutinefunction(self.model):
            raise RuntimeError(_ASYNC_MODEL)
        model = self._model(self.model(state, _runtime()) if self.dynamic else self.model)
        structured, messages, config = self._call(model, state, config)
        return {"structured_response": _invoke(structured, messages, config)}

    async def ainvoke(self, state: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        picked = self.model
        if self.dynamic:
            picked = self.model(state, _runtime())
            if inspect.isawaitable(picked):
                picked = await picked
        model = self._model(picked)
        structured, messages, config = self._call(model, state, config)
        return {"structured_response": await _ainvoke(structured, messages, config)}

    def _call(self, model: Any, state: Any, config: Any) -> tuple[Any, list[Any], Any]:
        """What to call, on which messages, with which config."""
        messages = self._messages(state)
        if "langchain_core" in sys.modules:
            from langgraph_lite.models.langchain import LangChainChatModel, langchain_call

            if isinstance(model, LangChainChatModel):
                lc_messages, lc_config = langchain_call(messages, config)
                return self._structured(model.model), lc_messages, lc_config
        return self._structured(model), messages, config
