"""The v3 event stream: ``graph.stream_events(input, version="v3")`` and its async twin.

A v3 run turns the graph's stream parts into ``ProtocolEvent``s and passes them through a
pipeline of ``StreamTransformer``s (built-ins plus those given to ``compile(transformers=...)``
or to the call), which fill typed projections such as ``run.values`` and ``run.messages``.
Reading any projection drives the graph; nothing runs in the background.
See docs/stream-events.md.
"""

from langgraph_lite.stream._convert import convert_to_protocol_event
from langgraph_lite.stream._types import ProtocolEvent, StreamTransformer
from langgraph_lite.stream.run_stream import (
    AsyncGraphRunStream,
    AsyncSubgraphRunStream,
    GraphRunStream,
    SubgraphRunStream,
)
from langgraph_lite.stream.stream_channel import StreamChannel
from langgraph_lite.stream.transformers import (
    CustomTransformer,
    UpdatesTransformer,
    ValuesTransformer,
)

# ---- names of the other transformer modules, re-exported from .transformers, below ----
from langgraph_lite.stream.transformers.data import (
    CheckpointsTransformer,
    DebugTransformer,
    TasksTransformer,
)
from langgraph_lite.stream.transformers.lifecycle import (
    LifecyclePayload,
    LifecycleTransformer,
    SubgraphStatus,
)
from langgraph_lite.stream.transformers.messages import MessagesTransformer
from langgraph_lite.stream.transformers.subgraphs import SubgraphTransformer

# ---- end ----

__all__ = [  # noqa: RUF022 (marked blocks below are filled by another module owner)
    "AsyncGraphRunStream",
    "AsyncSubgraphRunStream",
    "CustomTransformer",
    "GraphRunStream",
    "ProtocolEvent",
    "StreamChannel",
    "StreamTransformer",
    "SubgraphRunStream",
    "UpdatesTransformer",
    "ValuesTransformer",
    "convert_to_protocol_event",
    # ---- other transformer names, below ----
    "CheckpointsTransformer",
    "DebugTransformer",
    "LifecyclePayload",
    "LifecycleTransformer",
    "MessagesTransformer",
    "SubgraphStatus",
    "SubgraphTransformer",
    "TasksTransformer",
    # ---- end ----
]
