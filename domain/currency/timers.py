"""Timed rules on currency: a rate lock matures."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from domain.clock.rules import timer_rule
from domain.currency.model import RateLock
from domain.db.uow import UnitOfWork

LOCK_MATURED = "currency.lock_matured"


@timer_rule(LOCK_MATURED)
async def lock_matured(uow: UnitOfWork, lock_id: uuid.UUID) -> None:
    lock = (
        await uow.session.scalars(
            sa.select(RateLock).where(RateLock.workspace_id == uow.workspace_id, RateLock.id == lock_id)
        )
    ).one()
    lock.record("RATE_LOCK_MATURED", uow.now, amount=str(lock.amount), rate=str(lock.rate))
