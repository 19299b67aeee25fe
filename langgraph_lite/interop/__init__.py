"""Bridges to other libraries' objects, loaded only when a program hands us one of them.

``langgraph_lite.interop.langchain``: LangChain messages and tools, accepted as they are when
``langchain-core`` is installed (``pip install "langgraph-lite[langchain]"``). Nothing here is
imported by ``import langgraph_lite``.
"""
