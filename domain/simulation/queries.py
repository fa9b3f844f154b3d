"""Reads of simulation runs."""

from __future__ import annotations

import uuid
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.db.reads import Row
from domain.simulation.model import SimulationRun

RUNS = cast(sa.Table, SimulationRun.__table__)


async def run_row(conn: AsyncConnection, workspace_id: uuid.UUID, run_id: uuid.UUID) -> Row | None:
    """The run, if this workspace started it."""
    query = sa.select(RUNS).where(RUNS.c.workspace_id == workspace_id, RUNS.c.id == run_id)
    return (await conn.execute(query)).one_or_none()
