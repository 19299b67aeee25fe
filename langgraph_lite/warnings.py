"""The warnings langgraph_lite emits for deprecated names and keywords, as LangGraph's.

Each class says when the name was deprecated and when it is expected to go; the message shows
both, e.g. "`retry` is deprecated ... Deprecated in LangGraph V0.5 to be removed in V2.0.".
They are ``DeprecationWarning`` subclasses, so ``pytest.warns(DeprecationWarning)`` and
``-W error::DeprecationWarning`` catch them; filter on one class to silence a single vintage:

    >>> import warnings
    >>> from langgraph_lite.warnings import LangGraphDeprecatedSinceV05
    >>> warnings.filterwarnings("ignore", category=LangGraphDeprecatedSinceV05)
"""

from __future__ import annotations

__all__ = (
    "LangGraphDeprecatedSinceV05",
    "LangGraphDeprecatedSinceV10",
    "LangGraphDeprecatedSinceV11",
    "LangGraphDeprecationWarning",
)


class LangGraphDeprecationWarning(DeprecationWarning):
    """A deprecation, with the version it started in (``since``) and the one expected to drop
    the name (``expected_removal``; by default the next major version)."""

    message: str
    since: tuple[int, int]
    expected_removal: tuple[int, int]

    def __init__(
        self,
        message: str,
        *args: object,
        since: tuple[int, int],
        expected_removal: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(message, *args)
        self.message = message.rstrip(".")  # str() adds the versions after a full stop
        self.since = since
        self.expected_removal = (since[0] + 1, 0) if expected_removal is None else expected_removal

    def __str__(self) -> str:
        since, until = self.since, self.expected_removal
        return (
            f"{self.message}. Deprecated in LangGraph V{since[0]}.{since[1]} "
            f"to be removed in V{until[0]}.{until[1]}."
        )


class LangGraphDeprecatedSinceV05(LangGraphDeprecationWarning):
    """Deprecated since LangGraph 0.5 (old keywords such as ``retry=``, ``input=``); removal
    expected in 2.0."""

    def __init__(self, message: str, *args: object) -> None:
        super().__init__(message, *args, since=(0, 5), expected_removal=(2, 0))


class LangGraphDeprecatedSinceV10(LangGraphDeprecationWarning):
    """Deprecated since LangGraph 1.0 (``config_schema=``, ``MessageGraph``, ``NodeInterrupt``,
    importing ``Send`` from ``constants``...); removal expected in 2.0."""

    def __init__(self, message: str, *args: object) -> None:
        super().__init__(message, *args, since=(1, 0), expected_removal=(2, 0))


class LangGraphDeprecatedSinceV11(LangGraphDeprecationWarning):
    """Deprecated since LangGraph 1.1 (reading a ``GraphOutput`` like a dict); removal expected
    in 3.0."""

    def __init__(self, message: str, *args: object) -> None:
        super().__init__(message, *args, since=(1, 1), expected_removal=(3, 0))
