from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from api.catalog.types import Channel, Listing, Product
from api.context import Info
from api.loaders import now_or_later
from api.money import Money
from api.relay import Node, to_global_id
from api.stock.types import Reservation
from api.taxes.types import TaxAssessment, TaxEntry
from domain.currency.fx import plain_rate
from domain.db.reads import Row
from domain.orders import model
from domain.timeline import EventView

if TYPE_CHECKING:
    from api.aftersales.complaints import Complaint
    from api.aftersales.feedback import Feedback
    from api.aftersales.returns import ReturnRequest
    from api.aftersales.service import ServiceTicket
    from api.customs.types import CustomsDeclaration
    from api.logistics.types import Shipment

OrderStatus = strawberry.enum(model.OrderStatus, description="Where an order is in its life.")
PaymentMethod = strawberry.enum(model.PaymentMethod, description="How the consumer pays.")
PaymentKind = strawberry.enum(
    model.PaymentKind,
    description="A ledger line: AUTHORIZATION holds money, CAPTURE takes it, VOID releases a hold, "
    "REFUND and CHARGEBACK give it back; DECLINE records a refused attempt.",
)
NEXT_STATES = {status: sorted(following) for status, following in model.ORDER_TRANSITIONS.items()}
CancelReason = strawberry.enum(model.CancelReason, description="Why an order was cancelled.")


@strawberry.type(description="A state change of an object, at the workspace clock's time.")
class TimelineEvent:
    type: str = strawberry.field(description="What happened, e.g. ORDER_CONFIRMED.")
    occurred_at: datetime = strawberry.field(description="When, by the workspace clock.")
    data: JSON = strawberry.field(description="Details, e.g. amounts and reasons.")

    @classmethod
    def from_view(cls, event: EventView) -> TimelineEvent:
        return cls(type=event.type, occurred_at=event.occurred_at, data=cast(JSON, event.data))

    @classmethod
    def from_views(cls, events: list[EventView]) -> list[TimelineEvent]:
        return [cls.from_view(event) for event in events]


@strawberry.type(description="One line of an order's payment ledger; lines are only ever added.")
class Payment(Node):
    kind: PaymentKind = strawberry.field(description="What the line records.")  # type: ignore[valid-type]
    method: PaymentMethod = strawberry.field(description="The payment method.")  # type: ignore[valid-type]
    amount: Money = strawberry.field(description="How much, in the order's currency.")
    reason: str | None = strawberry.field(description="Why (declines, refunds, chargebacks, voids).")
    occurred_at: datetime = strawberry.field(description="When, by the workspace clock.")
    _order_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The order the line belongs to.")
    def order(self, info: Info) -> Order:
        return info.context.loaders.order.node(self._order_id, Order.from_row)  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[Payment]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Row) -> Payment:
        return cls(
            id=to_global_id("Payment", row.id),
            kind=row.kind,
            method=row.method,
            amount=Money.of(row.amount, row.currency),
            reason=row.reason,
            occurred_at=row.occurred_at,
            _order_id=row.order_id,
        )


@strawberry.type(description="What the consumer bought: SKU, title and price as they were at placement.")
class OrderLine:
    id: strawberry.ID = strawberry.field(description="Names the line in shipment allocations.")
    sku: str = strawberry.field(description="The product's SKU when ordered.")
    title: str = strawberry.field(description="The product's title when ordered.")
    quantity: int = strawberry.field(description="How many units.")
    unit_price: Money = strawberry.field(description="Price of one unit.")
    line_total: Money = strawberry.field(description="unitPrice times quantity.")
    _product_id: strawberry.Private[uuid.UUID]
    _listing_id: strawberry.Private[uuid.UUID]
    _id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product, as it is now.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The consumer's rating of the line; null until given.")
    def feedback(self, info: Info) -> Annotated[Feedback, strawberry.lazy("api.aftersales.feedback")] | None:
        from api.aftersales.feedback import Feedback

        return now_or_later(info.context.loaders.line_feedback, self._id, Feedback.of_line)  # type: ignore[return-value]

    @strawberry.field(description="The listing it was ordered from, as it is now.")
    def listing(self, info: Info) -> Listing:
        return info.context.loaders.listing.node(self._listing_id, Listing.from_row)  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[OrderLine]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Row) -> OrderLine:
        return cls(
            id=to_global_id("OrderLine", row.id),
            sku=row.sku,
            title=row.title,
            quantity=row.quantity,
            unit_price=Money.of(row.unit_price, row.currency),
            line_total=Money.of(row.unit_price * row.quantity, row.currency),
            _product_id=row.product_id,
            _listing_id=row.listing_id,
            _id=row.id,
        )


@strawberry.type(
    description="An order's foreign exchange, in the workspace's home currency: the rate when it was placed, "
    "the rate the platform paid it out at, and the gain or loss between the two. Unknown parts are null."
)
class OrderFx:
    order_rate: Decimal | None = strawberry.field(
        description="Home-currency units per unit of the order's currency as of placement; null if no rate "
        "was known then."
    )
    order_rate_as_of: datetime | None = strawberry.field(
        description="From when the order-time rate held; null without one, or for an order in the home "
        "currency."
    )
    settlement_rate: Decimal | None = strawberry.field(
        description="The rate the platform paid out at; null until settled."
    )
    settlement_rate_as_of: datetime | None = strawberry.field(
        description="From when the settlement rate held; null until settled or in the home currency."
    )
    settled_amount: Money | None = strawberry.field(
        description="What the platform paid out, in the home currency: net captured times the settlement "
        "rate. Null until settled."
    )
    realised_gain_loss: Money | None = strawberry.field(
        description="Net captured times (settlement rate - order rate), in the home currency; negative is a "
        "loss. Null until settled, or when the order-time rate is unknown."
    )
    settled_at: datetime | None = strawberry.field(description="When it was settled (workspace clock).")

    @classmethod
    def from_row(cls, row: Row) -> OrderFx:
        home = row.settled_currency
        return cls(
            order_rate=None if row.order_rate is None else plain_rate(row.order_rate),
            order_rate_as_of=row.order_rate_as_of,
            settlement_rate=None if row.settlement_rate is None else plain_rate(row.settlement_rate),
            settlement_rate_as_of=row.settlement_rate_as_of,
            settled_amount=None if row.settled_amount is None else Money.of(row.settled_amount, home),
            realised_gain_loss=None
            if row.realised_gain_loss is None
            else Money.of(row.realised_gain_loss, home),
            settled_at=row.settled_at,
        )


@strawberry.type(description="A consumer's order on a channel, with its payments and its timeline.")
class Order(Node):
    status: OrderStatus = strawberry.field(description="Where the order is.")  # type: ignore[valid-type]
    next_states: list[OrderStatus] = strawberry.field(  # type: ignore[valid-type]
        description="The statuses it can move to from here."
    )
    version: int = strawberry.field(
        description="Goes up with every change; pass as expectedVersion to guard one."
    )
    channel_order_id: str | None = strawberry.field(description="The platform's own order number.")
    currency: str = strawberry.field(description="The channel's currency, which every amount is in.")
    subtotal: Money = strawberry.field(description="Sum of the lines.")
    shipping: Money = strawberry.field(description="Shipping charged to the consumer.")
    total: Money = strawberry.field(description="subtotal + shipping: what the consumer pays.")
    amount_authorized: Money = strawberry.field(
        description="Held on the consumer's payment method, not taken."
    )
    amount_captured: Money = strawberry.field(description="Taken from the consumer.")
    amount_refunded: Money = strawberry.field(description="Given back by the seller.")
    amount_charged_back: Money = strawberry.field(description="Taken back through the consumer's bank.")
    buyer_name: str = strawberry.field(description="The consumer's name.")
    buyer_email: str | None = strawberry.field(description="The consumer's e-mail, if the channel shares it.")
    ship_to_country: str = strawberry.field(description="Destination country, ISO 3166-1 alpha-2.")
    placed_at: datetime = strawberry.field(description="When the consumer placed it (workspace clock).")
    confirm_by: datetime = strawberry.field(description="Unconfirmed by then, it is cancelled and refunded.")
    confirmed_at: datetime | None = strawberry.field(description="When the seller confirmed it.")
    packed_at: datetime | None = strawberry.field(description="When it was packed (its first shipment made).")
    shipped_at: datetime | None = strawberry.field(description="When its goods first left the seller.")
    completed_at: datetime | None = strawberry.field(
        description="When its shipments all ended (delivered, returned, lost or seized)."
    )
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")
    cancel_reason: CancelReason | None = strawberry.field(description="Why it was cancelled.")  # type: ignore[valid-type]
    fx: OrderFx = strawberry.field(
        description="Its rate at placement and at settlement, and the FX gain or loss realised."
    )
    sale_taxes: TaxAssessment | None = strawberry.field(
        description="Tax collected in the checkout price (IOSS, UK, AU, SG schemes), as assessed when it was "
        "placed and kept so; no lines when the tax is due at the border instead."
    )
    _id: strawberry.Private[uuid.UUID]
    _channel_id: strawberry.Private[uuid.UUID]
    _replacement_for: strawberry.Private[uuid.UUID | None]

    @strawberry.field(
        description="For a replacement sent for an exchange or a complaint: the order it replaces; null "
        "for an ordinary order."
    )
    def replacement_for(self, info: Info) -> Order | None:
        if self._replacement_for is None:
            return None
        return info.context.loaders.order.node(self._replacement_for, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The channel it was placed on.")
    def channel(self, info: Info) -> Channel:
        return info.context.loaders.channel.node(self._channel_id, Channel.from_row)  # type: ignore[return-value]

    @strawberry.field(description="What was bought.")
    def lines(self, info: Info) -> list[OrderLine]:
        loader = info.context.loaders.order_lines
        return now_or_later(loader, self._id, OrderLine.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="The payment ledger, oldest line first.")
    def payments(self, info: Info) -> list[Payment]:
        loader = info.context.loaders.order_payments
        return now_or_later(loader, self._id, Payment.from_rows)  # type: ignore[return-value]

    @strawberry.field(
        description="Stock held for its lines, oldest first, released ones included. Held on "
        "confirmation, in one warehouse that ships to its destination, for products whose stock is tracked."
    )
    def reservations(self, info: Info) -> list[Reservation]:
        loader = info.context.loaders.order_reservations
        return now_or_later(loader, self._id, Reservation.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="Its shipments, oldest first, voided ones included.")
    def shipments(self, info: Info) -> list[Annotated[Shipment, strawberry.lazy("api.logistics.types")]]:
        from api.logistics.types import Shipment

        return now_or_later(info.context.loaders.order_shipments, self._id, Shipment.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="Its export and import declarations, oldest first.")
    def declarations(
        self, info: Info
    ) -> list[Annotated[CustomsDeclaration, strawberry.lazy("api.customs.types")]]:
        from api.customs.types import CustomsDeclaration

        return now_or_later(  # type: ignore[return-value]
            info.context.loaders.order_declarations, self._id, CustomsDeclaration.from_rows
        )

    @strawberry.field(
        description="Its lines in the tax ledger: at-sale and border liabilities, payments, reversals."
    )
    def tax_entries(self, info: Info) -> list[TaxEntry]:
        return now_or_later(info.context.loaders.order_tax_entries, self._id, TaxEntry.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="Its service tickets (warranty, repair, consultation), oldest first.")
    def service_tickets(
        self, info: Info
    ) -> list[Annotated[ServiceTicket, strawberry.lazy("api.aftersales.service")]]:
        from api.aftersales.service import ServiceTicket

        return now_or_later(  # type: ignore[return-value]
            info.context.loaders.order_service_tickets, self._id, ServiceTicket.from_rows
        )

    @strawberry.field(description="Its complaints (direct, platform claims, chargebacks), oldest first.")
    def complaints(
        self, info: Info
    ) -> list[Annotated[Complaint, strawberry.lazy("api.aftersales.complaints")]]:
        from api.aftersales.complaints import Complaint

        return now_or_later(info.context.loaders.order_complaints, self._id, Complaint.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="Its returns (RMAs), oldest first, declined and cancelled ones included.")
    def returns(
        self, info: Info
    ) -> list[Annotated[ReturnRequest, strawberry.lazy("api.aftersales.returns")]]:
        from api.aftersales.returns import ReturnRequest

        return now_or_later(info.context.loaders.order_returns, self._id, ReturnRequest.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="Every state change, oldest first.")
    def timeline(self, info: Info) -> list[TimelineEvent]:
        loader = info.context.loaders.timeline
        return now_or_later(loader, self._id, TimelineEvent.from_views)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Row) -> Order:
        currency = row.currency
        return cls(
            id=to_global_id("Order", row.id),
            status=row.status,
            next_states=NEXT_STATES[row.status],
            version=row.version,
            channel_order_id=row.channel_order_id,
            currency=currency,
            subtotal=Money.of(row.subtotal, currency),
            shipping=Money.of(row.shipping, currency),
            total=Money.of(row.total, currency),
            amount_authorized=Money.of(row.authorized, currency),
            amount_captured=Money.of(row.captured, currency),
            amount_refunded=Money.of(row.refunded, currency),
            amount_charged_back=Money.of(row.charged_back, currency),
            buyer_name=row.buyer_name,
            buyer_email=row.buyer_email,
            ship_to_country=row.ship_to_country,
            placed_at=row.placed_at,
            confirm_by=row.confirm_by,
            confirmed_at=row.confirmed_at,
            packed_at=row.packed_at,
            shipped_at=row.shipped_at,
            completed_at=row.completed_at,
            sale_taxes=TaxAssessment.from_snapshot(row.sale_taxes),
            cancelled_at=row.cancelled_at,
            cancel_reason=row.cancel_reason,
            fx=OrderFx.from_row(row),
            _id=row.id,
            _channel_id=row.channel_id,
            _replacement_for=row.replacement_for_order_id,
        )
