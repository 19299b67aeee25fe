"""Managed values: state keys the engine fills in for each node, never written by nodes.

>>> from typing_extensions import TypedDict
>>> from langgraph_lite.managed import RemainingSteps
>>> class State(TypedDict):
...     answer: str
...     remaining_steps: RemainingSteps

They live in ``langgraph_lite.managed.is_last_step``, the module LangGraph keeps them in.
"""

from langgraph_lite.managed.is_last_step import IsLastStep, ManagedValue, RemainingSteps, is_managed

__all__ = ["IsLastStep", "ManagedValue", "RemainingSteps", "is_managed"]
