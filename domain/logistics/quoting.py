"""Quotes for shipping an order: every method and carrier from the lanes' rate cards, cheapest first, with
whether a shipment of this order could use it now."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog.queries import PRODUCTS
from domain.logistics.handlers import PackageInput, origin_for, packages_for
from domain.logistics.lanes import LogisticsMethod, Parcel, Quote, lane_book, quotes
from domain.orders.queries import ORDER_LINES, ORDERS
from domain.shared.errors import DomainError, NotFound
from domain.stock.queries import RESERVATIONS, WAREHOUSES


@dataclass(frozen=True)
class OrderQuote:
    quote: Quote
    available: bool
    reason: str | None


async def order_quotes(
    conn: AsyncConnection,
    ws: uuid.UUID,
    order_id: uuid.UUID,
    packages: Sequence[PackageInput],
    at: datetime,
) -> list[OrderQuote]:
    order: Any = (
        await conn.execute(sa.select(ORDERS).where(ORDERS.c.workspace_id == ws, ORDERS.c.id == order_id))
    ).one_or_none()
    if order is None:
        raise NotFound("order", ["orderId"])
    lines: dict[uuid.UUID, Any] = {
        row.id: row
        for row in await conn.execute(
            sa.select(ORDER_LINES).where(ORDER_LINES.c.workspace_id == ws, ORDER_LINES.c.order_id == order_id)
        )
    }
    products: dict[uuid.UUID, Any] = {
        row.id: row
        for row in await conn.execute(
            sa.select(PRODUCTS).where(
                PRODUCTS.c.workspace_id == ws, PRODUCTS.c.id.in_({line.product_id for line in lines.values()})
            )
        )
    }
    warehouse: Any = (
        await conn.execute(
            sa.select(WAREHOUSES)
            .join(RESERVATIONS, RESERVATIONS.c.warehouse_id == WAREHOUSES.c.id)
            .where(
                RESERVATIONS.c.workspace_id == ws,
                RESERVATIONS.c.order_id == order_id,
                RESERVATIONS.c.released_at.is_(None),
            )
            .limit(1)
        )
    ).one_or_none()
    allocation = {line_id: line.quantity for line_id, line in lines.items()}
    parcels = [
        Parcel(p.weight_grams, p.length_mm, p.width_mm, p.height_mm)
        for p in packages_for(tuple(packages), allocation, lines, products)
    ]
    found: list[OrderQuote] = []
    reason: str | None
    for method in LogisticsMethod:
        try:
            origin, _ = origin_for(method, warehouse, order, products, lines, allocation)
        except DomainError as refusal:
            # Not possible for this order now; still quoted from where such goods would leave.
            origin, reason = _hypothetical_origin(method, order, products, lines), refusal.message
        else:
            reason = None
        for quote in quotes(lane_book(), origin, order.ship_to_country, parcels, at.date(), {method}):
            found.append(OrderQuote(quote, reason is None, reason))
    return sorted(found, key=lambda q: (not q.available, q.quote.cost.amount, q.quote.transit_p50_days))


def _hypothetical_origin(
    method: LogisticsMethod,
    order: Any,
    products: dict[uuid.UUID, Any],
    lines: dict[uuid.UUID, Any],
) -> str:
    if method in (LogisticsMethod.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE, LogisticsMethod.PLATFORM_FULFILLED):
        return str(order.ship_to_country)
    first = min(lines.values(), key=lambda line: line.seq)
    return str(products[first.product_id].origin_country)
