"""Reads of workspaces."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accounts.model import Workspace
from domain.db.reads import Row


async def workspace_row(conn: AsyncConnection, workspace_id: uuid.UUID) -> Row:
    t = Workspace.__table__
    return (await conn.execute(sa.select(t).where(t.c.id == workspace_id))).one()
