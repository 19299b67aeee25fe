"""Long-term memory: a key-value store shared across threads, with optional semantic search.

``langgraph_lite.store.base`` holds the interface (``BaseStore``, ``Item``, the op types),
``langgraph_lite.store.memory`` the in-process ``InMemoryStore`` and
``langgraph_lite.store.sqlite`` the ``SqliteStore`` / ``AsyncSqliteStore`` on one SQLite file.
"""
