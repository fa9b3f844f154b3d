"""Errors a command can end with. Each carries a code clients can switch on, a message that says what to
do, and the input field it concerns."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A command was refused because of its input or the state it met; nothing was written."""

    def __init__(self, code: str, message: str, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field: list[str] | None = list(field) if field is not None else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, field={self.field!r})"


class NotFound(DomainError):
    def __init__(self, what: str, field: Sequence[str] | None = None) -> None:
        super().__init__(
            "NOT_FOUND",
            f"No {what} with that ID in this workspace. Use an `id` returned by this workspace's queries.",
            field,
        )


class ConcurrentChange(DomainError):
    def __init__(self, what: str) -> None:
        super().__init__(
            "CONFLICT",
            f"The {what} was changed by another request while this one ran. Reload it and try again.",
        )


class SandboxOnly(DomainError):
    def __init__(self, what: str) -> None:
        super().__init__(
            "SANDBOX_ONLY",
            f"{what} only works in a sandbox workspace; this API key opens a live one. "
            "Use a sandbox workspace's key.",
        )
