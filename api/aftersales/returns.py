"""GraphQL for returns and exchanges (RMAs): the return, its lines, reasons, and the list of returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import strawberry

from api.catalog.types import Product
from api.context import Info
from api.loaders import now_or_later
from api.money import Money
from api.orders.types import TimelineEvent
from api.paging import After, First, connection, query_id
from api.prefetch import Relation
from api.relay import Connection, Node, to_global_id
from domain.aftersales import model
from domain.aftersales.queries import RETURNS
from domain.aftersales.returns import return_reasons
from domain.db.reads import Row

if TYPE_CHECKING:
    from api.logistics.types import Shipment
    from api.orders.types import Order

ReturnStatus = strawberry.enum(
    model.ReturnStatus,
    description="Where a return is: REQUESTED by the consumer; APPROVED or DECLINED by the seller; "
    "IN_TRANSIT once the carrier has the return parcel; RECEIVED when it is back; RESOLVED (refunded or "
    "exchanged); CANCELLED when the consumer withdrew it before the parcel left.",
)
Resolution = strawberry.enum(
    model.Resolution,
    description="How a return is settled: REFUND (the returned lines' value), PARTIAL_REFUND (an agreed "
    "amount), EXCHANGE (a replacement order at no charge), RETURNLESS_REFUND (refunded at once; the "
    "consumer keeps the goods, as cross-border return postage often costs more than they are worth).",
)
NEXT_STATES = {status: sorted(following) for status, following in model.RETURN_TRANSITIONS.items()}


@strawberry.type(description="A reason a consumer can give for a return: built in, or the seller's own.")
class ReturnReason:
    code: str = strawberry.field(description="UPPER_SNAKE code, e.g. SIZE_FIT; give it in returnRequest.")
    label: str = strawberry.field(description="What it means, in plain words.")
    built_in: bool = strawberry.field(description="True for the reasons every workspace has.")


@strawberry.type(
    description="Units of one delivered order line in a return, and what inspection made of them."
)
class ReturnLine:
    order_line_id: strawberry.ID = strawberry.field(description="The order line (Order.lines.id).")
    quantity: int = strawberry.field(description="Units the consumer returns.")
    restocked: int = strawberry.field(description="Units inspection put back on hand.")
    disposed: int = strawberry.field(description="Units inspection wrote off.")
    _product_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product returned, as it is now.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[ReturnLine]:
        return [
            cls(
                order_line_id=to_global_id("OrderLine", row.order_line_id),
                quantity=row.quantity,
                restocked=row.restocked,
                disposed=row.disposed,
                _product_id=row.product_id,
            )
            for row in rows
        ]


@strawberry.type(
    description="A return (RMA): delivered units the consumer sends back or is refunded for, the seller's "
    "decision, the return parcel, the inspection and the resolution."
)
class ReturnRequest(Node):
    status: ReturnStatus = strawberry.field(description="Where the return is.")  # type: ignore[valid-type]
    next_states: list[ReturnStatus] = strawberry.field(  # type: ignore[valid-type]
        description="The statuses it can move to from here."
    )
    version: int = strawberry.field(
        description="Goes up with every change; pass as expectedVersion to guard one."
    )
    reason: str = strawberry.field(description="The reason code the consumer gave (see returnReasons).")
    comment: str | None = strawberry.field(description="What the consumer wrote.")
    resolution: Resolution | None = strawberry.field(  # type: ignore[valid-type]
        description="How it is settled; null until approved."
    )
    refund_amount: Money | None = strawberry.field(
        description="The amount agreed for a PARTIAL_REFUND; once resolved, what was refunded. Null for an "
        "exchange."
    )
    decline_reason: str | None = strawberry.field(description="Why the seller declined it.")
    requested_at: datetime = strawberry.field(description="When the consumer asked (workspace clock).")
    decided_at: datetime | None = strawberry.field(description="When the seller approved or declined it.")
    received_at: datetime | None = strawberry.field(description="When the return parcel was delivered back.")
    resolved_at: datetime | None = strawberry.field(description="When it was refunded or exchanged.")
    _id: strawberry.Private[uuid.UUID]
    _order_id: strawberry.Private[uuid.UUID]
    _shipment_id: strawberry.Private[uuid.UUID | None]
    _replacement_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The units returned, line by line.")
    def lines(self, info: Info) -> list[ReturnLine]:
        return now_or_later(info.context.loaders.return_lines, self._id, ReturnLine.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="The order the units were bought on.")
    def order(self, info: Info) -> Annotated[Order, strawberry.lazy("api.orders.types")]:
        from api.orders.types import Order

        return info.context.loaders.order.node(self._order_id, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(
        description="The consumer's parcel back (a RETURN shipment, tracked like any other); null for a "
        "returnless refund or before approval."
    )
    def return_shipment(
        self, info: Info
    ) -> Annotated[Shipment, strawberry.lazy("api.logistics.types")] | None:
        from api.logistics.types import Shipment

        if self._shipment_id is None:
            return None
        return info.context.loaders.shipment.node(self._shipment_id, Shipment.from_row)  # type: ignore[return-value]

    @strawberry.field(description="For an exchange, the replacement order sent at no charge; else null.")
    def replacement_order(self, info: Info) -> Annotated[Order, strawberry.lazy("api.orders.types")] | None:
        from api.orders.types import Order

        if self._replacement_id is None:
            return None
        return info.context.loaders.order.node(self._replacement_id, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(description="Every state change, oldest first.")
    def timeline(self, info: Info) -> list[TimelineEvent]:
        return now_or_later(info.context.loaders.timeline, self._id, TimelineEvent.from_views)  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[ReturnRequest]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Row) -> ReturnRequest:
        return cls(
            id=to_global_id("ReturnRequest", row.id),
            status=row.status,
            next_states=NEXT_STATES[row.status],
            version=row.version,
            reason=row.reason,
            comment=row.comment,
            resolution=row.resolution,
            refund_amount=None if row.refund_amount is None else Money.of(row.refund_amount, row.currency),
            decline_reason=row.decline_reason,
            requested_at=row.requested_at,
            decided_at=row.decided_at,
            received_at=row.received_at,
            resolved_at=row.resolved_at,
            _id=row.id,
            _order_id=row.order_id,
            _shipment_id=row.return_shipment_id,
            _replacement_id=row.replacement_order_id,
        )


def reason_of(row: Row) -> ReturnReason:
    return ReturnReason(code=row.code, label=row.label, built_in=False)


# Nullable links (returnShipment, replacementOrder) are left to their loaders, which batch them per page.
RELATIONS = {
    "lines": Relation("return_lines", "id", many=True),
    "order": Relation("order", "order_id"),
    "timeline": Relation("timeline", "id", many=True),
}


@strawberry.input(description="Narrow the return list; all given conditions must hold.")
class ReturnFilter:
    status: list[ReturnStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only returns in one of these statuses."
    )
    order_id: strawberry.ID | None = strawberry.field(default=None, description="Only this order's.")
    resolution: Resolution | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only returns settled this way."
    )


@strawberry.type
class ReturnQuery:
    @strawberry.field(description="The workspace's returns, newest first.")
    async def returns(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ReturnFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[ReturnRequest]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.status:
                where.append(RETURNS.c.status.in_(filter.status))
            if filter.order_id is not None:
                where.append(RETURNS.c.order_id == query_id(filter.order_id, "Order", "filter.orderId"))
            if filter.resolution is not None:
                where.append(RETURNS.c.resolution == filter.resolution)
        return await connection(
            info.context,
            RETURNS,
            ReturnRequest.from_row,
            first,
            after,
            where,
            newest_first=True,
            prefetch=(info, RELATIONS),
        )

    @strawberry.field(
        description="The reasons a consumer can give for a return: the built-in ones, then yours."
    )
    async def return_reasons(self, info: Info) -> list[ReturnReason]:
        ctx = info.context
        found = await ctx.read(lambda conn: return_reasons(conn, ctx.workspace_id))
        return [ReturnReason(code=r.code, label=r.label, built_in=r.built_in) for r in found]
