"""The store in SQLite: ``SqliteStore`` (sync and async methods) and ``AsyncSqliteStore``."""

from langgraph_lite.store.sqlite.aio import AsyncSqliteStore
from langgraph_lite.store.sqlite.base import SqliteStore

__all__ = ["AsyncSqliteStore", "SqliteStore"]
