"""Moving a workspace's clock, and firing the timers it passes: in time order, each exactly once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

# Each stage registers its timed rules when imported.
import domain.aftersales.sla
import domain.aftersales.window
import domain.compliance.timers
import domain.currency.timers
import domain.orders.timers  # noqa: F401
from domain.accounts.handlers import Principal
from domain.accounts.model import Workspace, WorkspaceKind
from domain.clock.model import Timer
from domain.clock.rules import RULES
from domain.db.uow import UnitOfWork
from domain.shared.clock import Clock
from domain.shared.errors import DomainError, SandboxOnly

BATCH = 200
MAX_ADVANCE = timedelta(days=3660)
LAST_YEAR = 9000  # deadlines computed from the clock must still fit a datetime


async def fire_due(uow: UnitOfWork, until: datetime) -> int:
    """Fire every timer due at or before `until`, oldest first; a sandbox clock steps to each one."""
    fired = 0
    while True:
        await uow.flush()
        timers = (
            await uow.session.scalars(
                sa.select(Timer)
                .where(
                    Timer.workspace_id == uow.workspace_id, Timer.fired_at.is_(None), Timer.due_at <= until
                )
                .order_by(Timer.due_at, Timer.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not timers:
            return fired
        for timer in timers:
            if uow.is_sandbox:
                uow.now = max(uow.now, timer.due_at)
            timer.fired_at = uow.now
            await RULES[timer.kind](uow, timer.subject_id)
            fired += 1
            # A rule may register a timer that falls before the rest of this batch: fetch again.
            if any(isinstance(obj, Timer) for obj in uow.session.new):
                break


@dataclass(frozen=True, slots=True)
class ClockMoved:
    workspace_id: uuid.UUID
    now: datetime
    timers_fired: int


async def advance_sandbox_clock(uow: UnitOfWork, to: datetime) -> ClockMoved:
    if not uow.is_sandbox:
        raise SandboxOnly("Moving the clock")
    if not uow.moves_clock:
        raise RuntimeError("advance_sandbox_clock needs a unit of work made with moves_clock=True")
    # The unit of work read the clock as it took the workspace row FOR UPDATE (moves_clock): `uow.now` is
    # what the clock reads, and no other command can move it or run in this workspace until this commits.
    current = uow.now
    if to - current > MAX_ADVANCE or to.year > LAST_YEAR:
        raise DomainError(
            "INVALID_DURATION",
            f"Move the clock at most {MAX_ADVANCE.days} days at a time, and not past the year {LAST_YEAR}.",
            ["input"],
        )
    if to <= current:
        raise DomainError(
            "CLOCK_BACKWARDS",
            f"The sandbox clock only moves forward; it reads {current.isoformat()}. "
            "Give a positive duration or a later time.",
            ["input"],
        )
    fired = await fire_due(uow, to)
    await uow.session.execute(
        sa.update(Workspace).where(Workspace.id == uow.workspace_id).values(sandbox_now=to)
    )
    uow.now = to
    return ClockMoved(uow.workspace_id, to, fired)


async def fire_live_timers(engine: AsyncEngine, clock: Clock) -> int:
    """One pass of the live timer loop: fire what is due in every live workspace."""
    now = clock.now()
    async with engine.connect() as conn:
        due = (
            await conn.execute(
                sa.select(Workspace.id, Workspace.seller_id).where(
                    Workspace.kind == WorkspaceKind.LIVE,
                    sa.exists().where(
                        Timer.workspace_id == Workspace.id, Timer.fired_at.is_(None), Timer.due_at <= now
                    ),
                )
            )
        ).all()
        await conn.commit()
        fired = 0
        for workspace_id, seller_id in due:
            async with UnitOfWork(conn, Principal(workspace_id, seller_id, WorkspaceKind.LIVE), clock) as uow:
                fired += await fire_due(uow, now)
                await uow.commit()
        return fired
