"""LangGraph's ``langgraph.pregel._loop`` names, for code that imports them.

Here one loop, ``PregelLoop`` (``pregel/loop.py``), holds every run's order; the sync and the
async driver (``pregel/drivers.py``) carry out what it asks, so LangGraph's two loop classes,
``SyncPregelLoop`` and ``AsyncPregelLoop``, are that one class.
"""

from langgraph_lite.pregel.loop import PregelLoop

__all__ = ["AsyncPregelLoop", "PregelLoop", "SyncPregelLoop"]

SyncPregelLoop = PregelLoop
AsyncPregelLoop = PregelLoop
