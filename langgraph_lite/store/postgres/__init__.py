"""The store in PostgreSQL: ``PostgresStore`` (sync and async methods) and
``AsyncPostgresStore``; needs psycopg 3 (``pip install "langgraph-lite[postgres]"``)."""

from langgraph_lite.store.postgres.aio import AsyncPostgresStore
from langgraph_lite.store.postgres.base import PostgresStore

__all__ = ["AsyncPostgresStore", "PostgresStore"]
