"""The functional API: ``@entrypoint`` makes a function a graph, ``@task`` a unit of its work.

>>> from langgraph_lite.func import entrypoint, task
>>> @task
... def shout(word: str) -> str:
...     return word.upper()
>>> @entrypoint()
... def main(words: list[str]) -> str:
...     return " ".join(f.result() for f in [shout(w) for w in words])
>>> main.invoke(["hi", "there"])
'HI THERE'
"""

from langgraph_lite.func.entrypoint import entrypoint
from langgraph_lite.func.futures import TaskFuture
from langgraph_lite.func.task import TaskFunction, task

__all__ = ["TaskFunction", "TaskFuture", "entrypoint", "task"]
