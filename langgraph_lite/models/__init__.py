"""Chat models: an OpenAI-compatible one of our own, and LangChain's adapted.

- ``OpenAIChatModel`` (``langgraph_lite.models.openai``, extra ``openai``): any server that
  speaks OpenAI's chat-completions API — OpenAI, vLLM, Ollama, llama.cpp, LM Studio.
- LangChain chat models are used as they are (extra ``langchain``); see
  ``langgraph_lite.models.langchain``.
- ``init_chat_model("provider:model")`` turns a name into a model, as
  ``create_react_agent(model="openai:gpt-4o-mini")`` does.

Importing this package imports neither ``openai`` nor ``langchain_core``.
"""

from __future__ import annotations

import importlib.util
from typing import Any

__all__ = ["OpenAIChatModel", "init_chat_model"]


def __getattr__(name: str) -> Any:
    if name == "OpenAIChatModel":
        from langgraph_lite.models.openai import OpenAIChatModel

        return OpenAIChatModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def init_chat_model(model: str, **kwargs: Any) -> Any:
    """A chat model from a ``"provider:model"`` name.

    With LangChain's ``langchain`` package installed, its ``init_chat_model`` resolves the
    name (every provider it knows, as in LangGraph). Without it, ``"openai:<model>"`` gives our
    ``OpenAIChatModel`` (extra ``openai``; ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` as the
    ``openai`` package reads them); other providers need LangChain, and the error says so.
    """
    if not isinstance(model, str) or not model:
        raise TypeError(f"init_chat_model() takes a 'provider:model' name, got {model!r}.")
    if importlib.util.find_spec("langchain") is not None:
        from langchain.chat_models import (  # type: ignore[import-not-found]
            init_chat_model as langchain_init,
        )

        return langchain_init(model, **kwargs)
    provider, sep, name = model.partition(":")
    if sep and provider == "openai":
        if importlib.util.find_spec("openai") is None:
            raise ImportError(
                f"model {model!r} needs the 'openai' package: "
                'pip install "langgraph-lite[openai]" (our OpenAIChatModel), or '
                "pip install langchain langchain-openai (LangChain's)."
            )
        from langgraph_lite.models.openai import OpenAIChatModel

        return OpenAIChatModel(model=name, **kwargs)
    hint = f"langchain-{provider}" if sep else "langchain-<provider>"
    raise ImportError(
        f"cannot make a chat model from {model!r}: names other than 'openai:<model>' are "
        f"resolved by LangChain's init_chat_model. pip install langchain {hint}, or pass a "
        "chat model object (e.g. OpenAIChatModel(model=..., base_url=...) from "
        "langgraph_lite.models.openai for any OpenAI-compatible server)."
    )
