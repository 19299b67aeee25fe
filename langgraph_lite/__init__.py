"""langgraph_lite: a Pregel-style graph execution engine for agents, with LangGraph's API.

Import from the submodules, as with LangGraph: ``langgraph_lite.pregel`` (``Pregel``,
``NodeBuilder``), ``langgraph_lite.channels``, ``langgraph_lite.config``,
``langgraph_lite.errors``, ``langgraph_lite.types``.
"""

__version__ = "0.1.0"
