"""How errors reach a client: typed `userErrors` for refused commands, GraphQL errors with a `code` for
bad queries, and an incident ID (never a trace) for anything unexpected."""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from domain.shared.errors import DomainError

log = logging.getLogger("tradelane.incidents")

COMMON_CODES = frozenset(
    {
        "NOT_FOUND",
        "INVALID_ID",
        "CONFLICT",
        "SANDBOX_ONLY",
        "IDEMPOTENCY_KEY_REUSED",
        "INVALID_IDEMPOTENCY_KEY",
        "INVALID_TEXT",
    }
)


def error_code_enum(name: str, codes: set[str], description: str) -> type[StrEnum]:
    """A code enum for one area: its own codes plus the ones every command can end with."""
    enum = StrEnum(name, {code: code for code in sorted(COMMON_CODES | codes)})  # type: ignore[misc]
    return strawberry.enum(enum, description=description)


def user_error_type(name: str, codes: type[StrEnum], area: str) -> type:
    """The `userErrors` item type of one area: what went wrong, where in the input, and a code."""

    @strawberry.type(name=name, description=f"Why a {area} command was refused. Nothing was written.")
    class UserError:
        field: list[str] | None = strawberry.field(
            description="Path to the input field at fault, e.g. ['input', 'lines', '0', 'quantity']."
        )
        code: codes = strawberry.field(description="A stable code to switch on.")  # type: ignore[valid-type]
        message: str = strawberry.field(description="What is wrong and what to do, in plain words.")

    return UserError


@contextmanager
def refusals_as_errors() -> Iterator[None]:
    """Queries have no userErrors: a domain refusal inside one (an unknown market, no rate) becomes a
    GraphQL error carrying its code and message."""
    try:
        yield
    except DomainError as error:
        raise GraphQLError(error.message, extensions={"code": error.code}) from None


def to_user_error(error_type: type, codes: type[StrEnum], error: DomainError) -> Any:
    if error.code not in codes.__members__:
        raise RuntimeError(f"{codes.__name__} lacks {error.code}") from error
    return error_type(field=error.field, code=codes[error.code], message=error.message)


class MaskUnexpectedErrors(MaskErrors):
    """Errors the API raised on purpose (validation, limits, authentication, bad input) pass through;
    anything else is logged with its trace under an incident ID, and the client gets only the ID."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._unexpected)

    @staticmethod
    def _unexpected(error: GraphQLError) -> bool:
        return error.original_error is not None and not isinstance(error.original_error, GraphQLError)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        incident = uuid.uuid4().hex[:16]
        original = error.original_error
        log.error(
            "incident %s at %s: %r",
            incident,
            error.path,
            original,
            exc_info=(type(original), original, original.__traceback__) if original else None,
        )
        return GraphQLError(
            f"Internal error. It has been logged as incident {incident}; quote that ID when you report it.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_ERROR", "incidentId": incident},
        )
