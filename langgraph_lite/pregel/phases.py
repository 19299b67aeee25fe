"""Where a run is: sentinels with readable reprs, compared by identity."""

__all__ = ["DONE", "EXECUTE", "PLAN", "START", "Phase"]


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
