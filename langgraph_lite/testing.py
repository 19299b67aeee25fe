"""Helpers for testing graphs: a scripted chat model that streams like a real one.

>>> from langgraph_lite.testing import ScriptedChatModel
>>> model = ScriptedChatModel(["Hello!", ["Stream", "ed"]])
>>> model.invoke([("user", "hi")]).content
'Hello!'
>>> [c.content for c in model.stream([("user", "again")])]
['Stream', 'ed']
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langgraph_lite.messages import AIMessage, AIMessageChunk, report_chunk

__all__ = ["ScriptedChatModel"]


class _Script:
    """The replies a model and its ``bind_tools`` copies share, used in order."""

    def __init__(self, replies: Sequence[Any]) -> None:
        for i, reply in enumerate(replies):
            ok = isinstance(reply, str | AIMessage) or (
                isinstance(reply, list) and all(isinstance(p, str) for p in reply)
            )
            if not ok:
                raise TypeError(
                    f"ScriptedChatModel reply {i} is {reply!r}; each reply is a str, a list of "
                    "str (streamed one piece per item) or an AIMessage."
                )
        self.replies = list(replies)
        self.used = 0
        self.lock = threading.Lock()

    def next(self) -> Any:
        with self.lock:
            if self.used >= len(self.replies):
                raise RuntimeError(
                    f"ScriptedChatModel ran out of replies: it was scripted with "
                    f"{len(self.replies)} and asked for reply number {self.used + 1}. Add "
                    "replies to the script, or check why the graph called the model again."
                )
            reply = self.replies[self.used]
            self.used += 1
            return reply


class ScriptedChatModel:
    """A chat model that answers from a script, for tests and examples.

    Each reply, used in order, is a ``str`` (one message, streamed as one chunk), a
    ``list[str]`` (one message, streamed one chunk per item) or an ``AIMessage`` (returned as
    is, tool calls included, streamed as one chunk). Whether called with ``invoke`` or
    ``stream``, it reports its chunks to the graph it runs in, so ``stream_mode="messages"``
    shows them token by token.
    """

    def __init__(self, replies: Sequence[Any], *, name: str = "scripted") -> None:
        self._script = _Script(replies)
        self.name = name
        self.tools: list[Any] = []
        self.calls: list[list[Any]] = []  # the messages of each call, for assertions

    @property
    def replies_left(self) -> int:
        """How many scripted replies have not been used yet."""
        return len(self._script.replies) - self._script.used

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        """A model with ``tools`` bound that shares this one's script."""
        bound = ScriptedChatModel.__new__(ScriptedChatModel)
        bound._script = self._script
        bound.name = self.name
        bound.tools = list(tools)
        bound.calls = self.calls
        return bound

    # -- one reply as chunks -----------------------------------------------------------------

    def _chunks(self, messages: Any) -> tuple[list[AIMessageChunk], AIMessage]:
        from langgraph_lite.messages import convert_to_messages

        self.calls.append(convert_to_messages(messages))
        reply = self._script.next()
        if isinstance(reply, AIMessage):
            message = reply if reply.id else reply.model_copy(update={"id": _run_id()})
            data = message.model_dump(exclude={"type"})
            return [AIMessageChunk(**data)], message
        pieces = [reply] if isinstance(reply, str) else list(reply)
        run_id = _run_id()
        chunks = [AIMessageChunk(content=p, id=run_id) for p in pieces]
        return chunks, AIMessage(content="".join(pieces), id=run_id)

    _META = {"ls_provider": "scripted", "ls_model_type": "chat"}

    # -- the chat-model protocol -------------------------------------------------------------

    def invoke(self, messages: Any, config: Any = None, **kwargs: Any) -> AIMessage:
        """The next reply, as one ``AIMessage`` (its chunks are reported as they "arrive")."""
        chunks, message = self._chunks(messages)
        for chunk in chunks:
            report_chunk(chunk, self._META)
        return message

    async def ainvoke(self, messages: Any, config: Any = None, **kwargs: Any) -> AIMessage:
        """``invoke``, waiting while the graph's stream buffer is full."""
        chunks, message = self._chunks(messages)
        for chunk in chunks:
            await report_chunk(chunk, self._META)
        return message

    def stream(self, messages: Any, config: Any = None, **kwargs: Any) -> Iterator[AIMessageChunk]:
        """The next reply, chunk by chunk."""
        chunks, _ = self._chunks(messages)
        for chunk in chunks:
            report_chunk(chunk, self._META)
            yield chunk

    async def astream(
        self, messages: Any, config: Any = None, **kwargs: Any
    ) -> AsyncIterator[AIMessageChunk]:
        """``stream`` for async code."""
        chunks, _ = self._chunks(messages)
        for chunk in chunks:
            await report_chunk(chunk, self._META)
            yield chunk


def _run_id() -> str:
    return f"run-{uuid.uuid4()}"


# -- running one node of a graph ------------------------------------------------------------------
#
# ``run_node(graph, "name", state)`` runs one node by itself, as ``graph.nodes[name].invoke``
# does (its input handling and retry policy, no edges, no checkpoint), and also collects what
# a test wants to look at: the custom events it sent and the interrupts it raised.


class NodeRun:
    """What one node did when run alone: its ``update``, ``custom`` events and ``interrupts``.

    ``update`` is what the node returned (None if it was interrupted); ``custom`` lists the
    values it sent through its stream writer, in order; ``interrupts`` the ``Interrupt`` it
    stopped at, if it called ``interrupt()`` with no answer left.
    """

    __slots__ = ("custom", "interrupts", "update")

    def __init__(self, update: Any, custom: list[Any], interrupts: tuple[Any, ...]) -> None:
        self.update = update
        self.custom = custom
        self.interrupts = interrupts

    @property
    def interrupted(self) -> bool:
        """Whether the node stopped at an ``interrupt()``."""
        return bool(self.interrupts)

    def __repr__(self) -> str:
        return f"NodeRun(update={self.update!r}, custom={self.custom!r}, interrupts={self.interrupts!r})"


class _RunAlone:
    """Stands in for a graph run around one node: config, writer, interrupt answers."""

    def __init__(
        self, config: Any, custom: list[Any], answers: Sequence[Any], context: Any
    ) -> None:
        from langgraph_lite.types import READY

        self.config = dict(config or {})
        self.config.setdefault("recursion_limit", 25)
        self.recursion_limit = self.config["recursion_limit"]
        self.stop = self.recursion_limit  # RemainingSteps counts down from here (step 0)
        self.context = context
        self.run_id = "alone"
        self.channels: dict[str, Any] = {}
        self._answers = list(answers)
        self._ready = READY
        self._custom = custom

    def writer(self, value: Any) -> Any:
        self._custom.append(value)
        return self._ready

    def interrupt(self, task: Any, value: Any, schema: Any = None) -> Any:
        from langgraph_lite.errors import GraphInterrupt
        from langgraph_lite.types import Interrupt

        index = task.interrupt_index
        task.interrupt_index = index + 1
        if index < len(self._answers):
            answer = self._answers[index]
            return answer if schema is None else schema.check(answer)
        shown = None if schema is None else schema.shown()
        interrupt_id = f"{task.name}:{index}"
        raise GraphInterrupt((Interrupt(value=value, id=interrupt_id, response_schema=shown),))


def _alone(
    graph: Any, name: str, state: Any, config: Any, resume: Sequence[Any], context: Any
) -> tuple[Any, NodeRun]:
    from langgraph_lite.pregel.algo import Task

    nodes = graph.nodes
    if name not in nodes:
        known = ", ".join(repr(n) for n in nodes if not n.startswith("__"))
        raise KeyError(f"the graph has no node {name!r} (nodes: {known}).")
    node = nodes[name]
    result = NodeRun(None, [], ())
    run = _RunAlone(config, result.custom, resume, context)
    return Task(name, node, state, node.triggers, 0, run), result


def run_node(
    graph: Any,
    name: str,
    state: Any,
    config: dict[str, Any] | None = None,
    *,
    resume: Sequence[Any] = (),
    context: Any = None,
) -> NodeRun:
    """Run node ``name`` of ``graph`` alone on ``state``, without running the graph.

    ``resume`` lists the answers ``interrupt()`` returns inside the node, in order; once they
    run out, an ``interrupt()`` stops the node and the result lists it. ``context`` is what
    ``runtime.context`` holds (as ``invoke(..., context=...)`` gives it). A node that raises
    raises here.

    >>> from langgraph_lite.graph import START, StateGraph
    >>> from langgraph_lite.config import get_stream_writer
    >>> from langgraph_lite.testing import run_node
    >>> from typing_extensions import TypedDict
    >>> class State(TypedDict):
    ...     n: int
    >>> def double(state: State) -> dict:
    ...     get_stream_writer()("doubling")
    ...     return {"n": state["n"] * 2}
    >>> graph = StateGraph(State).add_node("double", double).add_edge(START, "double").compile()
    >>> result = run_node(graph, "double", {"n": 21})
    >>> result.update, result.custom
    ({'n': 42}, ['doubling'])
    """
    from langgraph_lite.errors import GraphInterrupt
    from langgraph_lite.pregel.attempt import run_attempt

    task, result = _alone(graph, name, state, config, resume, context)
    try:
        result.update = run_attempt(task, alone=True)
    except GraphInterrupt as exc:
        result.interrupts = tuple(exc.interrupts)
    return result


async def arun_node(
    graph: Any,
    name: str,
    state: Any,
    config: dict[str, Any] | None = None,
    *,
    resume: Sequence[Any] = (),
    context: Any = None,
) -> NodeRun:
    """``run_node`` for async code: async nodes run on the event loop, sync ones in a thread."""
    from langgraph_lite.errors import GraphInterrupt
    from langgraph_lite.pregel.attempt import arun_attempt

    task, result = _alone(graph, name, state, config, resume, context)
    try:
        result.update = await arun_attempt(task, alone=True)
    except GraphInterrupt as exc:
        result.interrupts = tuple(exc.interrupts)
    return result


__all__ += ["NodeRun", "arun_node", "run_node"]
