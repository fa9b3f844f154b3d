"""Free text from clients: trimmed, bounded, and free of what PostgreSQL cannot store."""

from __future__ import annotations

from domain.shared.errors import DomainError


def clean_text(value: str | None, name: str, limit: int, *, required: bool = True) -> str | None:
    """The trimmed text, or None when optional and empty; INVALID_TEXT when it is too long, missing or
    holds a NUL character. `name` is the input field's name in the API."""
    text = (value or "").strip()
    if not text:
        if required:
            raise DomainError("INVALID_TEXT", f"{name} must not be empty.", ["input", name])
        return None
    if len(text) > limit:
        raise DomainError(
            "INVALID_TEXT", f"{name} has at most {limit} characters; this has {len(text)}.", ["input", name]
        )
    if "\x00" in text:
        raise DomainError("INVALID_TEXT", f"{name} must not contain NUL characters.", ["input", name])
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise DomainError(
            "INVALID_TEXT", f"{name} holds a character that is not valid Unicode text.", ["input", name]
        ) from None
    return text


def required_text(value: str, name: str, limit: int) -> str:
    text = clean_text(value, name, limit)
    assert text is not None
    return text
