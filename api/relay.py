"""Relay conventions: global IDs, the Node interface and cursor connections."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLError

from domain.db.reads import MAX_PAGE
from domain.shared.errors import DomainError

T = TypeVar("T")

DEFAULT_PAGE = 20


def to_global_id(type_name: str, id_: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{id_}".encode()).decode().rstrip("="))


def parse_global_id(global_id: str) -> tuple[str, uuid.UUID]:
    """Split a global ID into its type name and UUID; raise INVALID_ID when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, value = raw.partition(":")
        return type_name, uuid.UUID(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise DomainError(
            "INVALID_ID",
            f"'{global_id[:80]}' is not a Tradelane ID. Use the `id` field of an object this API returned.",
        ) from None


def decode_id(global_id: str, type_name: str, field: list[str]) -> uuid.UUID:
    """Decode a global ID that must name a `type_name`."""
    try:
        found, id_ = parse_global_id(global_id)
    except DomainError as error:
        raise DomainError(error.code, error.message, field) from None
    if found != type_name:
        raise DomainError(
            "INVALID_ID",
            f"That ID is a {found or 'something else'}'s, not a {type_name}'s. Give a {type_name} ID.",
            field,
        )
    return id_


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global ID: opaque, stable, unique across types.")


@strawberry.type(description="Where a page stands in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow `endCursor`.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` to fetch the next page.")


@strawberry.type(description="One item of a connection with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items with cursors (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Whether there is a next page, and its cursor.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match the filter, across all pages.")
    async def total_count(self) -> int:
        return await self._count()


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE if first is None else first
    if not 1 <= size <= MAX_PAGE:
        raise GraphQLError(
            f"`first` must be from 1 to {MAX_PAGE}; got {size}. Page through larger lists with `after`.",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return size


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        seq = int(value)
        if prefix != "seq" or not 0 <= seq < 2**63:
            raise ValueError(prefix)
        return seq
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise GraphQLError(
            "`after` is not a cursor of this list. Use a `cursor` or `pageInfo.endCursor` it returned.",
            extensions={"code": "BAD_USER_INPUT"},
        ) from None
