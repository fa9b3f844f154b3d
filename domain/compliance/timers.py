"""Timed rules on compliance documents: a warning 30 days before expiry, and the expiry itself."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from domain.clock.rules import timer_rule
from domain.compliance.model import ProductCertification, Registration
from domain.db.uow import UnitOfWork

EXPIRING = "compliance.expiring"
EXPIRED = "compliance.expired"


async def _document(uow: UnitOfWork, subject: uuid.UUID) -> Registration | ProductCertification:
    registration = await uow.session.scalar(
        sa.select(Registration).where(
            Registration.workspace_id == uow.workspace_id, Registration.id == subject
        )
    )
    if registration is not None:
        return registration
    return (
        await uow.session.scalars(
            sa.select(ProductCertification).where(
                ProductCertification.workspace_id == uow.workspace_id, ProductCertification.id == subject
            )
        )
    ).one()


@timer_rule(EXPIRING)
async def warn_of_expiry(uow: UnitOfWork, subject: uuid.UUID) -> None:
    document = await _document(uow, subject)
    document.record("EXPIRING_SOON", uow.now, number=document.number, valid_to=str(document.valid_to))


@timer_rule(EXPIRED)
async def mark_expired(uow: UnitOfWork, subject: uuid.UUID) -> None:
    document = await _document(uow, subject)
    document.record("EXPIRED", uow.now, number=document.number, valid_to=str(document.valid_to))
