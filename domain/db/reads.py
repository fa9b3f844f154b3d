"""Reads that skip the aggregates: pages, counts and batched look-ups by ID, always inside one workspace.

Rows come back as SQLAlchemy `Row`s (immutable, attribute access); the API maps them to its own types.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

MAX_PAGE = 100

Row = sa.Row[Any]


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    has_next: bool


async def page(
    conn: AsyncConnection,
    table: sa.Table,
    workspace_id: uuid.UUID,
    *,
    first: int,
    after: int | None,
    where: Iterable[sa.ColumnElement[bool]] = (),
    newest_first: bool = False,
) -> Page:
    """Keyset pagination on the table's `seq` column: a cursor is the last row's seq."""
    seq = table.c.seq
    query = sa.select(table).where(table.c.workspace_id == workspace_id, *where)
    if after is not None:
        query = query.where(seq < after if newest_first else seq > after)
    query = query.order_by(seq.desc() if newest_first else seq).limit(first + 1)
    rows = list((await conn.execute(query)).all())
    return Page(rows[:first], len(rows) > first)


async def count(
    conn: AsyncConnection,
    table: sa.Table,
    workspace_id: uuid.UUID,
    where: Iterable[sa.ColumnElement[bool]] = (),
) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(table.c.workspace_id == workspace_id, *where)
    return int((await conn.execute(query)).scalar_one())


async def by_ids(
    conn: AsyncConnection, table: sa.Table, workspace_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Row]:
    rows = await conn.execute(
        sa.select(table).where(table.c.workspace_id == workspace_id, table.c.id.in_(ids))
    )
    return {row.id: row for row in rows}


async def grouped(
    conn: AsyncConnection,
    table: sa.Table,
    workspace_id: uuid.UUID,
    key: str,
    keys: Sequence[uuid.UUID],
    order_by: str = "seq",
) -> dict[uuid.UUID, list[Row]]:
    column = table.c[key]
    rows = await conn.execute(
        sa.select(table)
        .where(table.c.workspace_id == workspace_id, column.in_(keys))
        .order_by(table.c[order_by])
    )
    found: dict[uuid.UUID, list[Row]] = defaultdict(list)
    for row in rows:
        found[getattr(row, key)].append(row)
    return found
