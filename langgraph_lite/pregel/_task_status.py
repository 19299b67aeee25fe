"""LangGraph's ``langgraph.pregel._task_status`` path: ``read_task_statuses`` and
``TaskStatus`` (``pregel.checkpointing``), what the writes saved for a step say of each task."""

from langgraph_lite.pregel.checkpointing import TaskStatus, read_task_statuses

__all__ = ["TaskStatus", "read_task_statuses"]
