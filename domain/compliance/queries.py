"""Reads: the compliance report of a product in a market, from what the workspace holds."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.catalog.model import Product
from domain.compliance.check import ComplianceReport, Held, check
from domain.compliance.model import GLOBAL, ProductCertification, Registration
from domain.markets.reference import validate_market
from domain.markets.rules import rules_as_of

REGISTRATIONS = cast(sa.Table, Registration.__table__)
CERTIFICATIONS = cast(sa.Table, ProductCertification.__table__)
PRODUCTS = cast(sa.Table, Product.__table__)


async def assess(
    conn: AsyncConnection | AsyncSession,
    workspace_id: uuid.UUID,
    product_id: uuid.UUID,
    market_code: str,
    day: date,
) -> ComplianceReport | None:
    """None when the workspace has no such product."""
    market = validate_market(market_code, ["market"])
    category = (
        await conn.execute(
            sa.select(PRODUCTS.c.category).where(
                PRODUCTS.c.workspace_id == workspace_id, PRODUCTS.c.id == product_id
            )
        )
    ).scalar_one_or_none()
    if category is None:
        return None
    certifications: dict[str, list[Held]] = defaultdict(list)
    rows = await conn.execute(
        sa.select(CERTIFICATIONS).where(
            CERTIFICATIONS.c.workspace_id == workspace_id, CERTIFICATIONS.c.product_id == product_id
        )
    )
    for row in rows:
        certifications[row.code.value].append(row)
    registrations: dict[str, list[Held]] = defaultdict(list)
    rows = await conn.execute(
        sa.select(REGISTRATIONS).where(
            REGISTRATIONS.c.workspace_id == workspace_id, REGISTRATIONS.c.scope.in_([*market.scopes, GLOBAL])
        )
    )
    for row in rows:
        registrations[row.kind.value].append(row)
    return check(rules_as_of(market, day), category, certifications, registrations)


async def registrations_held(
    session: AsyncSession, workspace_id: uuid.UUID, scopes: Sequence[str], day: date
) -> dict[str, Registration]:
    """The workspace's registrations valid on `day` whose scope is one of `scopes` or GLOBAL, by kind
    (the latest registered of a kind, where there are several)."""
    rows = await session.scalars(
        sa.select(Registration)
        .where(
            Registration.workspace_id == workspace_id,
            Registration.scope.in_([*scopes, GLOBAL]),
            Registration.valid_from <= day,
            sa.or_(Registration.valid_to.is_(None), Registration.valid_to > day),
        )
        .order_by(Registration.seq)
    )
    return {row.kind.value: row for row in rows}
