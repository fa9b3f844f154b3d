"""Shipments, their packages, lines and tracking; quotes for shipping an order."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.customs.types import CustomsDeclaration
from api.loaders import now_or_later
from api.money import Money
from api.orders.types import TimelineEvent
from api.relay import Node, to_global_id
from api.stock.types import Warehouse
from api.taxes.types import Incoterm
from domain.db.reads import Row
from domain.logistics import lanes, model

if TYPE_CHECKING:
    from api.orders.types import Order

LogisticsMethod = strawberry.enum(
    lanes.LogisticsMethod,
    description="How goods travel: POSTAL, EXPRESS (courier), AIR_FREIGHT (consolidated air, cleared per "
    "parcel), SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE and PLATFORM_FULFILLED (delivered from stock imported in "
    "bulk before, inside the destination).",
)
CustomsMode = strawberry.enum(
    lanes.CustomsMode,
    description="PER_PARCEL: the parcel crosses a border and is declared on its own; IN_BULK: it is "
    "delivered from stock imported in bulk before, so no declaration is made for it.",
)
ShipmentStatus = strawberry.enum(
    model.ShipmentStatus,
    description="Where a shipment is: the latest tracking event that moved it (they only move it forward), "
    "or CANCELLED when its label was voided.",
)
TrackingEventType = strawberry.enum(model.TrackingEventType, description="A normalised tracking event.")
ShipmentKind = strawberry.enum(
    model.ShipmentKind,
    description="OUTBOUND: the seller's parcel to the consumer; RETURN: the consumer's parcel back, for a "
    "return.",
)
EventSource = strawberry.enum(
    model.EventSource,
    description="Where an event came from: the sandbox's stand-in for a carrier, a carrier's signed "
    "webhook, a customs decision, or the seller.",
)


@strawberry.type(description="A carrier Tradelane knows.")
class Carrier:
    code: str = strawberry.field(description="Its code, e.g. CHINA_POST, DHL_EXPRESS.")
    name: str = strawberry.field(description="Its name.")


@strawberry.type(
    description="What shipping an order one way would cost and take, from the lanes' rate cards."
)
class ShipmentQuote:
    method: LogisticsMethod = strawberry.field(description="How it travels.")  # type: ignore[valid-type]
    carrier: Carrier = strawberry.field(description="Who carries it.")
    service: str = strawberry.field(description="The carrier's service, e.g. ePacket.")
    lane_id: str = strawberry.field(description="The lane (rate card entry) quoted.")
    cost: Money = strawberry.field(
        description="Base plus per-kg on the chargeable weight, over all packages."
    )
    chargeable_kg: Decimal = strawberry.field(
        description="The greater of actual and volumetric weight, summed."
    )
    transit_days_p10: int = strawberry.field(
        description="Nine in ten parcels take at least this many calendar days."
    )
    transit_days_p50: int = strawberry.field(description="The median transit, in calendar days.")
    transit_days_p90: int = strawberry.field(
        description="Nine in ten parcels arrive within this many calendar days."
    )
    estimated_delivery: date = strawberry.field(description="Today plus the median transit.")
    customs_mode: CustomsMode = strawberry.field(  # type: ignore[valid-type]
        description="Declared per parcel, or delivered from bulk stock."
    )
    confidence: str = strawberry.field(description="How sure the rate card's figures are: H, M or L.")
    note: str | None = strawberry.field(description="Where the figures come from.")
    available: bool = strawberry.field(description="Whether a shipment of this order could use it now.")
    unavailable_reason: str | None = strawberry.field(description="Why not, when it could not.")


@strawberry.type(description="One box or pallet of a shipment.")
class Package:
    weight_grams: int = strawberry.field(description="Actual weight, grams.")
    length_mm: int = strawberry.field(description="Length, millimetres.")
    width_mm: int = strawberry.field(description="Width, millimetres.")
    height_mm: int = strawberry.field(description="Height, millimetres.")
    reference: str | None = strawberry.field(description="The seller's reference for it.")

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[Package]:
        return [
            cls(
                weight_grams=row.weight_grams,
                length_mm=row.length_mm,
                width_mm=row.width_mm,
                height_mm=row.height_mm,
                reference=row.reference,
            )
            for row in rows
        ]


@strawberry.type(description="Units of one order line carried by a shipment.")
class ShipmentLine:
    order_line_id: strawberry.ID = strawberry.field(description="The order line (see Order.lines.id).")
    quantity: int = strawberry.field(description="Units carried.")

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[ShipmentLine]:
        return [
            cls(order_line_id=to_global_id("OrderLine", row.order_line_id), quantity=row.quantity)
            for row in rows
        ]


@strawberry.type(description="A tracking event as received; `applied` says whether it moved the shipment.")
class TrackingEvent:
    type: TrackingEventType = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    occurred_at: datetime = strawberry.field(description="When it happened, as the carrier or customs says.")
    recorded_at: datetime = strawberry.field(description="When Tradelane received it (workspace clock).")
    event_id: str = strawberry.field(description="The sender's event ID; a repeat of it is refused.")
    location: str | None = strawberry.field(description="Where, as the carrier put it.")
    detail: str | None = strawberry.field(description="The carrier's or customs' words.")
    source: EventSource = strawberry.field(description="Who sent it.")  # type: ignore[valid-type]
    applied: bool = strawberry.field(
        description="Whether it moved the shipment; a late, repeated or out-of-order scan is kept but "
        "not applied."
    )

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[TrackingEvent]:
        ordered = sorted(rows, key=lambda r: (r.occurred_at, r.seq))
        return [
            cls(
                type=row.type,
                occurred_at=row.occurred_at,
                recorded_at=row.recorded_at,
                event_id=row.event_id,
                location=row.location,
                detail=row.detail,
                source=row.source,
                applied=row.applied,
            )
            for row in ordered
        ]


@strawberry.type(description="A consignment of an order's units with one carrier and one tracking number.")
class Shipment(Node):
    status: ShipmentStatus = strawberry.field(description="Where it is.")  # type: ignore[valid-type]
    kind: ShipmentKind = strawberry.field(description="Outbound to the consumer, or a return's parcel back.")  # type: ignore[valid-type]
    status_at: datetime = strawberry.field(description="When the event that set the status happened.")
    version: int = strawberry.field(
        description="Goes up with every change; pass as expectedVersion to guard one."
    )
    method: LogisticsMethod = strawberry.field(description="How it travels.")  # type: ignore[valid-type]
    customs_mode: CustomsMode = strawberry.field(  # type: ignore[valid-type]
        description="Declared per parcel, or delivered from bulk stock."
    )
    carrier: Carrier = strawberry.field(description="Who carries it.")
    service: str = strawberry.field(description="The carrier's service.")
    lane_id: str = strawberry.field(description="The rate card entry it was priced on.")
    tracking_number: str = strawberry.field(description="The carrier's tracking number.")
    label_reference: str = strawberry.field(description="The label's reference.")
    origin_country: str = strawberry.field(description="Where it leaves from.")
    destination_country: str = strawberry.field(description="Where it goes.")
    incoterm: Incoterm = strawberry.field(description="Who pays import duty and tax.")  # type: ignore[valid-type]
    cost: Money = strawberry.field(description="What the lane's rate card says it costs the seller.")
    estimated_delivery: date = strawberry.field(description="Expected delivery day (median transit).")
    created_at: datetime = strawberry.field(description="When the label was made (workspace clock).")
    delivered_at: datetime | None = strawberry.field(description="When it was delivered.")
    _id: strawberry.Private[uuid.UUID]
    _order_id: strawberry.Private[uuid.UUID]
    _warehouse_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The order it ships.")
    def order(self, info: Info) -> Annotated[Order, strawberry.lazy("api.orders.types")]:
        from api.orders.types import Order

        return info.context.loaders.order.node(self._order_id, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The warehouse it leaves from, when the order's stock is tracked.")
    def warehouse(self, info: Info) -> Warehouse | None:
        if self._warehouse_id is None:
            return None
        return info.context.loaders.warehouse.node(self._warehouse_id, Warehouse.from_row)  # type: ignore[return-value]

    @strawberry.field(description="Its boxes.")
    def packages(self, info: Info) -> list[Package]:
        return now_or_later(info.context.loaders.shipment_packages, self._id, Package.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="The order lines it carries, and how many units of each.")
    def lines(self, info: Info) -> list[ShipmentLine]:
        return now_or_later(info.context.loaders.shipment_lines, self._id, ShipmentLine.from_rows)  # type: ignore[return-value]

    @strawberry.field(
        description="Its tracking events in the order they happened, applied or not (a late, repeated or "
        "out-of-order scan is kept, marked applied: false)."
    )
    def timeline(self, info: Info) -> list[TrackingEvent]:
        return now_or_later(info.context.loaders.tracking_events, self._id, TrackingEvent.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="Its state changes as Tradelane recorded them, oldest first.")
    def history(self, info: Info) -> list[TimelineEvent]:
        return now_or_later(info.context.loaders.timeline, self._id, TimelineEvent.from_views)  # type: ignore[return-value]

    @strawberry.field(description="Its export and import declarations (none for deliveries from bulk stock).")
    def declarations(self, info: Info) -> list[CustomsDeclaration]:
        return now_or_later(
            info.context.loaders.shipment_declarations, self._id, CustomsDeclaration.from_rows
        )  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[Shipment]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Row) -> Shipment:
        carrier = lanes.lane_book().carriers.get(row.carrier)
        return cls(
            id=to_global_id("Shipment", row.id),
            status=row.status,
            kind=row.kind,
            status_at=row.status_at,
            version=row.version,
            method=row.method,
            customs_mode=row.customs_mode,
            carrier=Carrier(code=row.carrier, name=carrier.name if carrier else row.carrier),
            service=row.service,
            lane_id=row.lane_id,
            tracking_number=row.tracking_number,
            label_reference=row.label_reference,
            origin_country=row.origin_country,
            destination_country=row.destination_country,
            incoterm=row.incoterm,
            cost=Money.of(row.cost, row.cost_currency),
            estimated_delivery=row.estimated_delivery,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            _id=row.id,
            _order_id=row.order_id,
            _warehouse_id=row.warehouse_id,
        )
