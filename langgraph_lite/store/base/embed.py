"""Embedding functions for semantic search, and the paths that pick the text to embed.

A store's ``index={"embed": ..., "dims": ..., "fields": [...]}`` takes either a function from a
list of texts to a list of vectors (sync or async), or an object with LangChain's
``Embeddings`` methods (``embed_documents`` / ``embed_query``, optionally their ``a…`` twins).
``ensure_embeddings`` turns either into an ``Embeddings``.

Paths name the text inside a value: ``"text"``, ``"meta.title"``, ``"chunks[*].body"``,
``"authors[0]"``, ``"revisions[-1]"``, ``"{title,summary}"``, ``"*"``; ``"$"`` is the whole
value as JSON.

>>> get_text_at_path({"chunks": [{"body": "a"}, {"body": "b"}]}, "chunks[*].body")
['a', 'b']
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import anyio.to_thread

__all__ = [
    "AEmbeddingsFunc",
    "Embeddings",
    "EmbeddingsFunc",
    "EmbeddingsLambda",
    "ensure_embeddings",
    "get_text_at_path",
    "tokenize_path",
]

EmbeddingsFunc = Callable[[Sequence[str]], list[list[float]]]
"""A function from texts to one vector per text."""

AEmbeddingsFunc = Callable[[Sequence[str]], Awaitable[list[list[float]]]]
"""An async function from texts to one vector per text."""


class Embeddings:
    """LangChain's embeddings interface, without depending on LangChain.

    Subclasses implement ``embed_documents`` and ``embed_query``; the async twins run those in
    a worker thread unless overridden. LangChain ``Embeddings`` objects are used as they are.
    """

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per stored text."""
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        """The vector of a search query."""
        raise NotImplementedError

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """``embed_documents`` without blocking the event loop."""
        return await anyio.to_thread.run_sync(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        """``embed_query`` without blocking the event loop."""
        return await anyio.to_thread.run_sync(self.embed_query, text)


class EmbeddingsLambda(Embeddings):
    """An ``Embeddings`` around one function; an async function serves the async methods only."""

    def __init__(self, func: EmbeddingsFunc | AEmbeddingsFunc) -> None:
        if not callable(func):
            raise TypeError(f"an embedding function must be callable, got {func!r}")
        self.func = func
        self.is_async = _is_async_callable(func)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.is_async:
            raise ValueError(
                f"the store's embed function {_name(self.func)} is async, so it serves the "
                "async methods only (aput, asearch, abatch). Call those, or pass a sync "
                "function as index={'embed': ...}."
            )
        return list(self.func(texts))  # type: ignore[arg-type]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.is_async:
            return list(await self.func(texts))  # type: ignore[misc]
        return await super().aembed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.aembed_documents([text]))[0]


def ensure_embeddings(embed: Any) -> Any:
    """An object with ``embed_documents``/``embed_query`` (and async twins) for ``embed``.

    ``embed`` is an ``Embeddings``-like object (returned as it is), a sync or async function
    from texts to vectors, or a LangChain provider string such as
    ``"openai:text-embedding-3-small"`` (needs ``langchain`` installed).
    """
    if embed is None:
        raise ValueError(
            "embed must be provided: pass index={'embed': fn, 'dims': n} with fn taking a list "
            "of texts and returning one vector (list of floats) per text."
        )
    if isinstance(embed, str):
        try:
            from langchain.embeddings import init_embeddings  # type: ignore[import-not-found]
        except ImportError:
            raise ValueError(
                f"Could not load embeddings from string {embed!r}: that needs langchain "
                "installed (pip install langchain and the provider's package). Or pass a "
                "function or an Embeddings object as index={'embed': ...}."
            ) from None
        return init_embeddings(embed)
    if hasattr(embed, "embed_documents") and hasattr(embed, "embed_query"):
        return embed
    if callable(embed):
        return EmbeddingsLambda(embed)
    raise TypeError(
        f"index['embed'] must be a function from texts to vectors or an object with "
        f"embed_documents/embed_query, got {type(embed).__name__}"
    )


def _is_async_callable(func: Any) -> bool:
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004 - a callable object's own __call__
    )


def _name(func: Any) -> str:
    return getattr(func, "__qualname__", None) or type(func).__name__


# -- paths ---------------------------------------------------------------------------------


def tokenize_path(path: str) -> list[str]:
    """Split ``"a.b[0].{c,d}"`` into ``["a", "b", "[0]", "{c,d}"]``."""
    tokens: list[str] = []
    word: list[str] = []
    i = 0
    while i < len(path):
        char = path[i]
        if char in "[{":
            if word:
                tokens.append("".join(word))
                word = []
            close = "]" if char == "[" else "}"
            depth, j = 0, i
            while j < len(path):
                if path[j] == char:
                    depth += 1
                elif path[j] == close:
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            tokens.append(path[i : j + 1])
            i = j + 1
            continue
        if char == ".":
            if word:
                tokens.append("".join(word))
                word = []
        else:
            word.append(char)
        i += 1
    if word:
        tokens.append("".join(word))
    return tokens


def get_text_at_path(obj: Any, path: str | list[str]) -> list[str]:
    """The texts ``path`` selects in ``obj``; missing parts select nothing."""
    if isinstance(obj, Mapping) and not isinstance(obj, dict):
        obj = dict(obj)
    if not path or path == "$":
        return [_as_json(obj)]
    tokens = tokenize_path(path) if isinstance(path, str) else path
    found: list[str] = []
    _collect(obj, tokens, 0, found)
    return found


def _as_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False)


def _leaf_text(obj: Any) -> list[str]:
    if obj is None:
        return []
    if isinstance(obj, (str, int, float, bool)):
        return [str(obj)]
    if isinstance(obj, (list, dict)):
        return [_as_json(obj)]
    return []


def _collect(obj: Any, tokens: Sequence[str], pos: int, found: list[str]) -> None:
    if pos == len(tokens):
        found.extend(_leaf_text(obj))
        return
    token = tokens[pos]
    if token.startswith("[") and token.endswith("]"):
        if not isinstance(obj, list):
            return
        inner = token[1:-1]
        if inner == "*":
            for element in obj:
                _collect(element, tokens, pos + 1, found)
            return
        try:
            index = int(inner)
        except ValueError:
            return
        if -len(obj) <= index < len(obj):
            _collect(obj[index], tokens, pos + 1, found)
    elif token.startswith("{") and token.endswith("}"):
        if not isinstance(obj, dict):
            return
        for field in (f.strip() for f in token[1:-1].split(",")):
            current: Any = obj
            for part in tokenize_path(field):
                if not isinstance(current, dict) or part not in current:
                    current = None
                    break
                current = current[part]
            if isinstance(current, (str, int, float, bool, list, dict)):
                found.extend(_leaf_text(current))
    elif token == "*":
        children = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else ()
        for child in children:
            _collect(child, tokens, pos + 1, found)
    elif isinstance(obj, dict) and token in obj:
        _collect(obj[token], tokens, pos + 1, found)
