"""Queries on shipments, and quotes for shipping an order."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import strawberry

from api.accounts.queries import load_workspace
from api.context import Info
from api.errors import refusals_as_errors
from api.logistics.mutations import PackageInput
from api.logistics.types import Carrier, LogisticsMethod, Shipment, ShipmentQuote, ShipmentStatus
from api.money import Money
from api.orders.queries import SHIPMENT
from api.paging import After, First, connection, query_id, query_text
from api.prefetch import Relation
from api.relay import Connection, decode_id
from domain.logistics.queries import SHIPMENTS
from domain.logistics.quoting import order_quotes

RELATIONS = {"order": Relation("order", "order_id"), **SHIPMENT}


@strawberry.input(description="Narrow the shipment list; all given conditions must hold.")
class ShipmentFilter:
    status: list[ShipmentStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only shipments in one of these statuses."
    )
    order_id: strawberry.ID | None = strawberry.field(default=None, description="Only this order's.")
    method: LogisticsMethod | None = strawberry.field(default=None, description="Only this method.")  # type: ignore[valid-type]
    carrier: str | None = strawberry.field(default=None, description="Only this carrier's (code).")
    tracking_number: str | None = strawberry.field(default=None, description="Only the one with this number.")


@strawberry.type
class ShippingQuery:
    @strawberry.field(description="The workspace's shipments, newest first.")
    async def shipments(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ShipmentFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[Shipment]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.status:
                where.append(SHIPMENTS.c.status.in_(filter.status))
            if filter.order_id is not None:
                where.append(SHIPMENTS.c.order_id == query_id(filter.order_id, "Order", "filter.orderId"))
            if filter.method is not None:
                where.append(SHIPMENTS.c.method == filter.method)
            if filter.carrier is not None:
                where.append(SHIPMENTS.c.carrier == query_text(filter.carrier, "filter.carrier").upper())
            if filter.tracking_number is not None:
                where.append(
                    SHIPMENTS.c.tracking_number
                    == query_text(filter.tracking_number, "filter.trackingNumber").upper()
                )
        return await connection(
            info.context,
            SHIPMENTS,
            Shipment.from_row,
            first,
            after,
            where,
            newest_first=True,
            prefetch=(info, RELATIONS),
        )

    @strawberry.field(
        description="Every way the order could travel, from the lanes' rate cards: cost, transit "
        "(p10, median, "
        "p90) and whether a shipment of this order could use it now. Cheapest usable first."
    )
    async def shipment_quotes(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, strawberry.argument(description="The order.")],
        packages: Annotated[
            list[PackageInput] | None,
            strawberry.argument(
                description="Its boxes; left out, one box from the products' weights and sizes."
            ),
        ] = None,
    ) -> list[ShipmentQuote]:
        ctx = info.context
        with refusals_as_errors():
            order = decode_id(order_id, "Order", ["orderId"])
            now = (await load_workspace(ctx)).now
            boxes = [p.to_domain() for p in packages or ()]
            found = await ctx.read(lambda conn: order_quotes(conn, ctx.workspace_id, order, boxes, now))
        return [
            ShipmentQuote(
                method=q.quote.method,
                carrier=Carrier(code=q.quote.carrier.code, name=q.quote.carrier.name),
                service=q.quote.service,
                lane_id=q.quote.lane.id,
                cost=Money.of(q.quote.cost.amount, q.quote.cost.currency),
                chargeable_kg=q.quote.chargeable_kg,
                transit_days_p10=q.quote.transit_p10_days,
                transit_days_p50=q.quote.transit_p50_days,
                transit_days_p90=q.quote.transit_p90_days,
                estimated_delivery=q.quote.estimated_delivery,
                customs_mode=q.quote.customs,
                confidence=q.quote.lane.validity.confidence.value,
                note=q.quote.lane.validity.note,
                available=q.available,
                unavailable_reason=q.reason,
            )
            for q in found
        ]
