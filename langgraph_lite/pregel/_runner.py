"""LangGraph's ``langgraph.pregel._runner.PregelRunner`` name, for code that imports it.

LangGraph's runner runs a step's tasks. Here the drivers do (``pregel/drivers.py``): the
sync one from a generator, with no object of its own, the async one as ``AsyncRun``, which
is what ``PregelRunner`` names.
"""

from langgraph_lite.pregel.drivers import AsyncRun

__all__ = ["PregelRunner"]

PregelRunner = AsyncRun
