"""The built-in stream transformers, one module per group; import them from here.

- ``basic``: ``ValuesTransformer``, ``UpdatesTransformer``, ``CustomTransformer``
- the others (messages, lifecycle/subgraphs, checkpoints/debug/tasks) in their own modules
"""

from langgraph_lite.stream.transformers.basic import (
    CustomTransformer,
    UpdatesTransformer,
    ValuesTransformer,
)

# ---- other transformer modules: one plain import line each, below (no try/except) ----
from langgraph_lite.stream.transformers.data import (
    CheckpointsTransformer,
    DebugTransformer,
    TasksTransformer,
)
from langgraph_lite.stream.transformers.lifecycle import (
    LifecyclePayload,
    LifecycleTransformer,
    SubgraphStatus,
    _TasksLifecycleBase,
)
from langgraph_lite.stream.transformers.messages import MessagesTransformer
from langgraph_lite.stream.transformers.subgraphs import SubgraphTransformer

# ---- end of other transformer modules ----

__all__ = [  # noqa: RUF022 (marked blocks below are filled by another module owner)
    "CustomTransformer",
    "UpdatesTransformer",
    "ValuesTransformer",
    # ---- other transformer names, below ----
    "CheckpointsTransformer",
    "DebugTransformer",
    "LifecyclePayload",
    "LifecycleTransformer",
    "MessagesTransformer",
    "SubgraphStatus",
    "SubgraphTransformer",
    "TasksTransformer",
    "_TasksLifecycleBase",
    # ---- end of other transformer names ----
]
