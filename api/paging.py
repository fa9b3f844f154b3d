"""Building connections from keyset pages, and resolving global IDs in queries."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, TypeVar

import sqlalchemy as sa
import strawberry
from graphql import GraphQLError

from api.context import Info, RequestContext
from api.prefetch import Relation, path
from api.prefetch import prefetch as prefetch_relations
from api.relay import Connection, Edge, PageInfo, decode_cursor, encode_cursor, page_size, parse_global_id
from domain.db import reads
from domain.db.reads import Row
from domain.shared.errors import DomainError

T = TypeVar("T")

First = Annotated[int | None, strawberry.argument(description="How many to return, 1 to 100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="A cursor from a page before: continue after it.")
]


async def connection(
    ctx: RequestContext,
    table: sa.Table,
    to_node: Callable[[Row], T],
    first: int | None,
    after: str | None,
    where: Iterable[sa.ColumnElement[bool]] = (),
    *,
    newest_first: bool = False,
    prefetch: tuple[Info, Mapping[str, Relation]] | None = None,
) -> Connection[T]:
    """A page of `table`; with `prefetch`, the relations the query selects under `edges.node` are loaded
    for the whole page before any node resolves."""
    size, after_seq, ws, filters = page_size(first), decode_cursor(after), ctx.workspace_id, list(where)
    found = await ctx.read(
        lambda conn: reads.page(
            conn, table, ws, first=size, after=after_seq, where=filters, newest_first=newest_first
        )
    )
    if prefetch is not None:
        info, relations = prefetch
        nodes = path(info.selected_fields[0].selections, "edges", "node")
        if nodes is not None:
            await prefetch_relations(ctx.loaders, found.rows, relations, nodes)
    edges = [Edge(cursor=encode_cursor(row.seq), node=to_node(row)) for row in found.rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=found.has_next, end_cursor=edges[-1].cursor if edges else None),
        _count=lambda: ctx.read(lambda conn: reads.count(conn, table, ws, filters)),
    )


def query_id(global_id: str, type_name: str, argument: str) -> uuid.UUID:
    """A global ID given to a query: a malformed one or one of another type is a BAD_USER_INPUT error."""
    try:
        found, id_ = parse_global_id(global_id)
    except DomainError as error:
        raise GraphQLError(error.message, extensions={"code": "INVALID_ID", "argument": argument}) from None
    if found != type_name:
        raise GraphQLError(
            f"`{argument}` takes a {type_name} ID; that one is a {found}'s.",
            extensions={"code": "INVALID_ID", "argument": argument},
        )
    return id_


MAX_QUERY_TEXT = 100


def query_text(value: str, argument: str) -> str:
    """Text a query matches on (a code, a number), trimmed: over 100 characters or holding a NUL (which
    PostgreSQL cannot take) is an INVALID_TEXT error."""
    if len(value) > MAX_QUERY_TEXT or "\x00" in value:
        raise GraphQLError(
            f"`{argument}` takes at most {MAX_QUERY_TEXT} characters and no NUL character.",
            extensions={"code": "INVALID_TEXT", "argument": argument},
        )
    return value.strip()
