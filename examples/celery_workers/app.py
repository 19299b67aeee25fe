"""The worker side: a Celery app with one graph registered on it.

Start workers with ``celery -A app worker --pool=solo`` from this folder (any number, on any
machine that reaches the broker, Redis and PostgreSQL). Settings come from the environment:
LANGGRAPH_LITE_CELERY_BROKER, LANGGRAPH_LITE_CELERY_BACKEND, LANGGRAPH_LITE_POSTGRES_DSN.
"""

import operator
import os
from typing import Annotated

from typing_extensions import TypedDict

from langgraph_lite.contrib.celery import make_celery_app, register_graph
from langgraph_lite.graph import END, START, StateGraph

app = make_celery_app(
    "celery_workers_example",
    broker=os.environ.get("LANGGRAPH_LITE_CELERY_BROKER", "amqp://guest:guest@127.0.0.1:5672//"),
    backend=os.environ.get("LANGGRAPH_LITE_CELERY_BACKEND", "redis://127.0.0.1:6379/0"),
    postgres_dsn=os.environ.get(
        "LANGGRAPH_LITE_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
    ),
    lease_ttl=10,
    task_default_queue=os.environ.get("EXAMPLE_QUEUE", "celery_workers_example"),
)


class State(TypedDict):
    topic: str
    steps: Annotated[list[str], operator.add]


def outline(state: State) -> dict:
    return {"steps": [f"outline {state['topic']}"]}


def draft(state: State) -> dict:
    return {"steps": [f"draft {state['topic']}"]}


def review(state: State) -> dict:
    return {"steps": [f"review {state['topic']}"]}


def build(saver):
    """Called once per worker process with its PostgresSaver."""
    builder = StateGraph(State)
    builder.add_node("outline", outline)
    builder.add_node("draft", draft)
    builder.add_node("review", review)
    builder.add_edge(START, "outline")
    builder.add_edge("outline", "draft")
    builder.add_edge("draft", "review")
    builder.add_edge("review", END)
    return builder.compile(checkpointer=saver)


writer = register_graph(app, "writer", build)
