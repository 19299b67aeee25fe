"""``RemainingSteps`` and ``IsLastStep``: how close the run is to its ``recursion_limit``.

>>> from typing_extensions import TypedDict
>>> from langgraph_lite.managed.is_last_step import IsLastStep
>>> class State(TypedDict):
...     answer: str
...     is_last_step: IsLastStep
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph_lite.pregel.algo import Task

__all__ = ["IsLastStep", "ManagedValue", "RemainingSteps"]


class ManagedValue:
    """A value computed for the running task; subclasses define ``get``."""

    @staticmethod
    def get(task: Task) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # in a pydantic state the field holds the value the engine computed (an int or bool)
        from pydantic_core import core_schema

        return core_schema.any_schema()


class RemainingSteps(ManagedValue):
    """How many more supersteps the run may take before it hits ``recursion_limit``."""

    @staticmethod
    def get(task: Task) -> int:
        return int(task.run.stop - task.step)


class IsLastStep(ManagedValue):
    """True in the last superstep ``recursion_limit`` allows (when one step remains)."""

    @staticmethod
    def get(task: Task) -> bool:
        return bool(RemainingSteps.get(task) == 1)


def is_managed(annotation: Any) -> bool:
    """Whether a state annotation names a managed value."""
    return isinstance(annotation, type) and issubclass(annotation, ManagedValue)
