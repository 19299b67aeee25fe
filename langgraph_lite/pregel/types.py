"""Deprecated (LangGraph 1.0): the old home of some of ``langgraph_lite.types``' names.

Importing this module warns; import the names from ``langgraph_lite.types`` instead.
"""

import warnings

from langgraph_lite.types import (
    All,
    CachePolicy,
    PregelTask,
    RetryPolicy,
    StateSnapshot,
    StateUpdate,
    StreamMode,
    StreamWriter,
    default_retry_on,
)
from langgraph_lite.warnings import LangGraphDeprecatedSinceV10

__all__ = [
    "All",
    "CachePolicy",
    "PregelTask",
    "RetryPolicy",
    "StateSnapshot",
    "StateUpdate",
    "StreamMode",
    "StreamWriter",
    "default_retry_on",
]

warnings.warn(
    "Importing from langgraph_lite.pregel.types is deprecated. "
    "Please use 'from langgraph_lite.types import ...' instead.",
    LangGraphDeprecatedSinceV10,
    stacklevel=2,
)
