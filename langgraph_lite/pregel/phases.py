"""Where a run is: sentinels with readable reprs, compared by identity."""

from langgraph_lite.errors import InternalError

__all__ = ["DONE", "EXECUTE", "PLAN", "START", "Phase", "expect"]


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


def expect(now: Phase, phase: Phase, what: str) -> None:
    """The loop, in ``now``, is about to ``what``, which only ``phase`` allows: raise if not."""
    if now is not phase:
        raise InternalError(
            f"PregelLoop tried to {what} in {now!r}, which only {phase!r} allows; "
            "this is a bug in langgraph_lite: please report it."
        )
