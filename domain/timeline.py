"""Events: every state change of an aggregate, with the workspace clock's time. A timeline is a query."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, WorkspaceOwned


class Event(WorkspaceOwned, Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    aggregate_type: Mapped[str] = mapped_column(sa.String(40))
    aggregate_id: Mapped[uuid.UUID]
    type: Mapped[str] = mapped_column(sa.String(60))
    occurred_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)

    __table_args__ = (sa.Index("ix_events_aggregate", "aggregate_id", "seq"),)


@dataclass(frozen=True, slots=True)
class EventView:
    id: uuid.UUID
    aggregate_id: uuid.UUID
    type: str
    occurred_at: datetime
    data: dict[str, Any]


async def timelines(
    conn: AsyncConnection, workspace_id: uuid.UUID, aggregate_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[EventView]]:
    t = Event.__table__
    rows = await conn.execute(
        sa.select(t.c.id, t.c.aggregate_id, t.c.type, t.c.occurred_at, t.c.data)
        .where(t.c.workspace_id == workspace_id, t.c.aggregate_id.in_(aggregate_ids))
        .order_by(t.c.seq)
    )
    found: dict[uuid.UUID, list[EventView]] = defaultdict(list)
    for row in rows:
        found[row.aggregate_id].append(EventView(*row))
    return found
