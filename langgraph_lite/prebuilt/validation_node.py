"""``ValidationNode``: check the model's tool calls against their schemas without running them.

For extraction: the model fills in a schema by "calling" it, and this node answers each call
with a ``ToolMessage`` holding the validated arguments as JSON, or, when they do not fit, the
validation error with ``additional_kwargs={"is_error": True}`` so that a conditional edge can
send the model back to fix its answer. The call ids stay, so the conversation goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pydantic

from langgraph_lite.interop import family
from langgraph_lite.messages import ToolMessage, convert_to_messages
from langgraph_lite.tools import Tool, make_tool

__all__ = ["ValidationNode"]

FormatError = Callable[[BaseException, dict[str, Any], type[Any]], str]


def _default_format_error(error: BaseException, call: dict[str, Any], schema: type[Any]) -> str:
    # LangGraph's text, word for word: prompts written against it read it back to the model
    return f"{error!r}\n\nRespond after fixing all validation errors."


def _is_v1_model(schema: Any) -> bool:
    if not isinstance(schema, type) or "pydantic" not in type(schema).__module__:
        return False
    from pydantic import v1

    return issubclass(schema, v1.BaseModel)


def _schema_of(schema: Any) -> tuple[str, type[Any]]:
    """The name a call uses and the model its arguments are checked against."""
    if isinstance(schema, type) and issubclass(schema, pydantic.BaseModel):
        return schema.__name__, schema
    if _is_v1_model(schema):
        return schema.__name__, schema
    if isinstance(schema, Tool) or not callable(schema) or hasattr(schema, "args_schema"):
        try:
            made = make_tool(schema)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Unsupported input to ValidationNode. Expected BaseModel, tool or function. "
                f"Got: {type(schema)}. Pass a pydantic model class, a tool, or a function "
                "with type hints."
            ) from exc
        return made.name, made.args_schema
    name = getattr(schema, "__name__", None)
    if not name or name == "<lambda>":
        raise ValueError(
            f"ValidationNode cannot name the schema of {schema!r}: pass a named function, a "
            "pydantic model class or a tool."
        )
    # a function's schema: its parameters (no docstring needed: nothing is shown to a model)
    return name, Tool(name, "", func=schema).args_schema


class ValidationNode:
    """Answer each tool call of the last ``AIMessage`` with its validated arguments or errors.

    ``schemas`` are pydantic model classes (v2 or v1, called by their class name), tools (their
    ``args_schema``) or functions (a schema from their parameters). A call that fits is
    answered with ``ToolMessage(content=<the arguments as JSON>)``; one that does not with the
    text ``format_error(error, call, schema)`` gives (by default the error and "Respond after
    fixing all validation errors.") and ``additional_kwargs={"is_error": True}``. Nothing is
    run. Takes the state (a dict with ``"messages"``) or a list of messages, and answers in
    the same shape.

    >>> import pydantic
    >>> from langgraph_lite.messages import AIMessage
    >>> class Pick(pydantic.BaseModel):
    ...     n: int
    >>> calls = [{"name": "Pick", "args": {"n": "x"}, "id": "c1"}]
    >>> [m] = ValidationNode([Pick]).invoke([AIMessage("", tool_calls=calls)])
    >>> m.additional_kwargs
    {'is_error': True}
    """

    __name__: str

    def __init__(
        self,
        schemas: Sequence[Any],
        *,
        format_error: FormatError | None = None,
        name: str = "validation",
        tags: list[str] | None = None,
    ) -> None:
        self.name = name
        self.__name__ = name
        self.tags = list(tags or [])
        self._format_error = format_error or _default_format_error
        self.schemas_by_name: dict[str, type[Any]] = dict(_schema_of(s) for s in schemas)

    def __repr__(self) -> str:
        return f"ValidationNode(name={self.name!r}, schemas={list(self.schemas_by_name)!r})"

    def _last_ai(self, input: Any) -> tuple[str, Any]:
        if isinstance(input, list):
            shape, messages = "list", input
        elif isinstance(input, dict) and input.get("messages"):
            shape, messages = "dict", input["messages"]
        else:
            raise ValueError(
                "No message found in input: ValidationNode takes a list of messages or a "
                f"state with 'messages'; got {type(input).__name__}."
            )
        last = messages[-1]
        if not family.is_message(last):
            last = convert_to_messages([last])[0]  # a dict
        if last.type not in ("ai", "AIMessageChunk"):
            raise ValueError(
                "Last message is not an AIMessage: ValidationNode checks the tool calls of "
                f"the model's answer, and got a {type(last).__name__} last."
            )
        return shape, last

    def _check(self, call: Any) -> ToolMessage:
        name = call["name"]
        if name not in self.schemas_by_name:
            raise KeyError(  # LangGraph raises KeyError too
                f"{name!r}: ValidationNode {self.name!r} has no schema by that name (it has "
                f"{sorted(self.schemas_by_name)}); pass that schema in its list."
            )
        schema = self.schemas_by_name[name]
        call_id = str(call.get("id") or "")
        try:
            if issubclass(schema, pydantic.BaseModel):
                content = schema.model_validate(call["args"]).model_dump_json()
            else:
                content = schema.validate(call["args"]).json()  # pydantic v1
        except Exception as exc:
            if not _is_validation_error(exc):
                raise
            return ToolMessage(
                content=self._format_error(exc, call, schema),
                name=name,
                tool_call_id=call_id,
                additional_kwargs={"is_error": True},
            )
        return ToolMessage(content=content, name=name, tool_call_id=call_id)

    def invoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Check every call of the last ``AIMessage``; answer in the input's shape."""
        shape, message = self._last_ai(input)
        calls = list(message.tool_calls)
        if len(calls) <= 1:
            outputs = [self._check(c) for c in calls]
        else:
            with ThreadPoolExecutor(max_workers=len(calls)) as pool:
                outputs = list(pool.map(self._check, calls))
        # answers in the family of the AIMessage they answer (LangChain's for a LangChain one)
        langchain = family.langchain_in(message)
        outputs = [family.as_family(o, langchain=langchain) for o in outputs]
        return outputs if shape == "list" else {"messages": outputs}

    async def ainvoke(self, input: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """``invoke`` for async runs (checking is quick and does no I/O)."""
        return self.invoke(input, config)

    __call__ = invoke


def _is_validation_error(exc: BaseException) -> bool:
    if isinstance(exc, pydantic.ValidationError):
        return True
    from pydantic import v1

    return isinstance(exc, v1.ValidationError)
