"""The node cache: results of nodes kept by ``(namespace, key)``, each for a time to live.

``langgraph_lite.cache.base`` holds ``BaseCache``, ``langgraph_lite.cache.memory`` the
in-process ``InMemoryCache`` and ``langgraph_lite.cache.sqlite`` the file-backed
``SqliteCache``. Values go through the checkpoint serializer, which never pickles and rebuilds
only the types it was told about.
"""
