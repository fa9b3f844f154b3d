"""Queries on orders."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import strawberry

from api.context import Info
from api.orders.types import Order, OrderStatus
from api.paging import After, First, connection, query_id
from api.prefetch import Relation
from api.relay import Connection
from domain.orders.queries import ORDERS

# What an order's fields load, so that a page of orders can load it for all of them at once.
LISTED = {"product": Relation("product", "product_id"), "channel": Relation("channel", "channel_id")}
LINE = {
    "product": Relation("product", "product_id"),
    "listing": Relation("listing", "listing_id", below=LISTED),
}
DECLARATION = {"items": Relation("declaration_items", "id", many=True)}
SHIPMENT = {
    "packages": Relation("shipment_packages", "id", many=True),
    "lines": Relation("shipment_lines", "id", many=True),
    "timeline": Relation("tracking_events", "id", many=True),
    "history": Relation("timeline", "id", many=True),
    "declarations": Relation("shipment_declarations", "id", many=True, below=DECLARATION),
}
RELATIONS = {
    "channel": Relation("channel", "channel_id"),
    "shipments": Relation("order_shipments", "id", many=True, below=SHIPMENT),
    "declarations": Relation("order_declarations", "id", many=True, below=DECLARATION),
    "taxEntries": Relation("order_tax_entries", "id", many=True),
    "lines": Relation("order_lines", "id", many=True, below=LINE),
    "payments": Relation("order_payments", "id", many=True),
    "timeline": Relation("timeline", "id", many=True),
}


@strawberry.input(description="Narrow the order list; all given conditions must hold.")
class OrderFilter:
    status: list[OrderStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only orders in one of these statuses."
    )
    channel_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only orders on this channel."
    )


@strawberry.type
class OrderQuery:
    @strawberry.field(description="The workspace's orders, newest first.")
    async def orders(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            OrderFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[Order]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.status:
                where.append(ORDERS.c.status.in_(filter.status))
            if filter.channel_id is not None:
                where.append(
                    ORDERS.c.channel_id == query_id(filter.channel_id, "Channel", "filter.channelId")
                )
        return await connection(
            info.context,
            ORDERS,
            Order.from_row,
            first,
            after,
            where,
            newest_first=True,
            prefetch=(info, RELATIONS),
        )
