"""Where a run is: sentinels with readable reprs, compared by identity."""

from langgraph_lite.errors import InternalError

__all__ = ["DONE", "EXECUTE", "PLAN", "START", "Phase", "wrong_phase"]


class Phase:
    """Where a run is. Sentinels with readable reprs, compared by identity."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Phase.{self.name}"


START = Phase("START")
PLAN = Phase("PLAN")
EXECUTE = Phase("EXECUTE")
DONE = Phase("DONE")


def wrong_phase(current: Phase, expected: Phase, what: str) -> InternalError:
    """The error for a run asked to ``what`` outside the one phase that allows it."""
    return InternalError(
        f"PregelLoop tried to {what} in {current!r}, which only {expected!r} allows; "
        "this is a bug in langgraph_lite: please report it."
    )
