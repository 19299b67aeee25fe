"""The rules a namespace follows: a non-empty tuple of labels, each a non-empty string with no
period and no NUL byte, not rooted at the reserved label ``"langgraph"``."""

from __future__ import annotations

__all__ = ["InvalidNamespaceError"]


class InvalidNamespaceError(ValueError):
    """A namespace is empty where one is needed, or one of its labels is not allowed."""


def _validate_namespace(namespace: tuple[str, ...]) -> None:
    if not isinstance(namespace, tuple):
        raise InvalidNamespaceError(
            f"A namespace is a tuple of strings, got {type(namespace).__name__} "
            f"{namespace!r}. Write it as e.g. ('users', 'u1')."
        )
    if not namespace:
        raise InvalidNamespaceError(
            "Namespace cannot be empty. Put items under at least one label, e.g. ('memories',)."
        )
    _validate_namespace_labels(namespace)
    if namespace[0] == "langgraph":
        raise InvalidNamespaceError(
            f'Root label for namespace cannot be "langgraph". Got: {namespace}. That root is '
            "reserved; start the namespace with a label of your own."
        )


def _validate_namespace_labels(namespace: tuple[str, ...]) -> None:
    if not isinstance(namespace, tuple):
        raise InvalidNamespaceError(
            f"A namespace is a tuple of strings, got {type(namespace).__name__} "
            f"{namespace!r}. Write it as e.g. ('users', 'u1')."
        )
    for label in namespace:
        if not isinstance(label, str):
            raise InvalidNamespaceError(
                f"Invalid namespace label '{label}' found in {namespace}. Namespace labels"
                f" must be strings, but got {type(label).__name__}."
            )
        if not label:
            raise InvalidNamespaceError(
                f"Namespace labels cannot be empty strings. Got {label!r} in {namespace}."
            )
        if "." in label:
            raise InvalidNamespaceError(
                f"Invalid namespace label '{label}' found in {namespace}. Namespace labels "
                f"cannot contain periods ('.'). Split it into labels: "
                f"{tuple(p for p in label.split('.') if p)!r}."
            )
        if "\x00" in label:
            raise InvalidNamespaceError(
                f"Invalid namespace label {label!r} found in {namespace}. Namespace labels "
                "cannot contain NUL bytes ('\\x00')."
            )
