"""Customs declarations and their items."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.loaders import now_or_later
from api.money import Money
from api.orders.types import TimelineEvent
from api.relay import Node, to_global_id
from api.taxes.types import Incoterm, TaxAssessment
from domain.customs import model
from domain.customs.handlers import Decision
from domain.db.reads import Row

if TYPE_CHECKING:
    from api.logistics.types import Shipment
    from api.orders.types import Order

Direction = strawberry.enum(model.Direction, description="EXPORT at origin, or IMPORT at destination.")
DeclarationStatus = strawberry.enum(
    model.DeclarationStatus,
    description="Where a declaration is: DRAFT, LODGED, HELD (see holdReason), RESUBMITTED (the seller "
    "answered), INSPECTED, ASSESSED (duty and tax worked out), PAID, RELEASED; or ended SEIZED, RETURNED "
    "(to the sender) or WITHDRAWN (its label was voided).",
)
HoldReason = strawberry.enum(model.HoldReason, description="Why customs held a declaration.")
SchemeCollector = strawberry.enum(
    model.SchemeCollector,
    description="Who collected the tax at sale: the SELLER (its number goes on the declaration) or the "
    "MARKETPLACE (which passes its own number to the carrier).",
)
CustomsDecision = strawberry.enum(
    Decision,
    description="What customs decided: HOLD (with a reason), INSPECT, ASSESS (work out duty and tax; under "
    "DDP the seller pays at once), RELEASE, SEIZE or RETURN (to the sender).",
)
NEXT_STATES = {
    (direction, status): sorted(following)
    for direction, table in model.TRANSITIONS.items()
    for status, following in table.items()
}


@strawberry.type(description="One line of a declaration: the goods, their code, quantity, value and origin.")
class DeclarationItem:
    id: strawberry.ID = strawberry.field(description="Names the item in corrections.")
    hs_code: str = strawberry.field(description="The HS code declared (6 to 10 digits).")
    description: str = strawberry.field(description="The goods, in plain words.")
    quantity: int = strawberry.field(description="Units.")
    value: Money = strawberry.field(
        description="Customs value of the line, without any tax collected at sale."
    )
    origin_country: str = strawberry.field(description="Where the goods were made (ISO 3166-1).")

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[DeclarationItem]:
        return [
            cls(
                id=to_global_id("DeclarationItem", row.id),
                hs_code=row.hs_code,
                description=row.description,
                quantity=row.quantity,
                value=Money.of(row.value, row.currency),
                origin_country=row.origin_country,
            )
            for row in rows
        ]


@strawberry.type(description="An export or import declaration, its customs decisions, and what it costs.")
class CustomsDeclaration(Node):
    direction: Direction = strawberry.field(description="Export at origin or import at destination.")  # type: ignore[valid-type]
    country: str = strawberry.field(description="Where it is declared.")
    status: DeclarationStatus = strawberry.field(description="Where it is.")  # type: ignore[valid-type]
    next_states: list[DeclarationStatus] = strawberry.field(  # type: ignore[valid-type]
        description="The statuses it can move to from here."
    )
    hold_reason: HoldReason | None = strawberry.field(description="Why it is held, while HELD.")  # type: ignore[valid-type]
    reference: str | None = strawberry.field(description="The authority's number, once lodged.")
    incoterm: Incoterm = strawberry.field(description="Who pays duty and tax on import.")  # type: ignore[valid-type]
    scheme: str | None = strawberry.field(
        description="The collect-at-sale scheme the tax was paid under (IOSS, say)."
    )
    scheme_collector: SchemeCollector | None = strawberry.field(description="Who collected it.")  # type: ignore[valid-type]
    scheme_number: str | None = strawberry.field(
        description="The seller's scheme number, when the seller collected."
    )
    freight: Money = strawberry.field(
        description="Transport cost declared (part of the customs value where the market uses CIF)."
    )
    documents: list[str] = strawberry.field(description="Documents given in answer to holds.")
    assessment: TaxAssessment | None = strawberry.field(
        description="Duty and tax as assessed, kept as they were."
    )
    duty_total: Money | None = strawberry.field(
        description="Duty charged at the border; null until assessed."
    )
    tax_total: Money | None = strawberry.field(
        description="Consumption tax charged at the border; null until assessed."
    )
    due_from_consumer: Money | None = strawberry.field(
        description="What the consumer must pay on delivery (DAP)."
    )
    version: int = strawberry.field(
        description="Goes up with every change; pass as expectedVersion to guard one."
    )
    created_at: datetime = strawberry.field(description="When it was drafted (workspace clock).")
    lodged_at: datetime | None = strawberry.field(description="When it was lodged.")
    assessed_at: datetime | None = strawberry.field(description="When duty and tax were assessed.")
    closed_at: datetime | None = strawberry.field(
        description="When it ended (released, seized, returned, withdrawn)."
    )
    _id: strawberry.Private[uuid.UUID]
    _shipment_id: strawberry.Private[uuid.UUID]
    _order_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The goods declared.")
    def items(self, info: Info) -> list[DeclarationItem]:
        return now_or_later(info.context.loaders.declaration_items, self._id, DeclarationItem.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="The shipment it declares.")
    def shipment(self, info: Info) -> Annotated[Shipment, strawberry.lazy("api.logistics.types")]:
        from api.logistics.types import Shipment

        return info.context.loaders.shipment.node(self._shipment_id, Shipment.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The order whose goods it declares.")
    def order(self, info: Info) -> Annotated[Order, strawberry.lazy("api.orders.types")]:
        from api.orders.types import Order

        return info.context.loaders.order.node(self._order_id, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(
        description="Every state change, oldest first: lodging, decisions, responses, payments."
    )
    def timeline(self, info: Info) -> list[TimelineEvent]:
        return now_or_later(info.context.loaders.timeline, self._id, TimelineEvent.from_views)  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[CustomsDeclaration]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Row) -> CustomsDeclaration:
        currency = row.currency

        def money(value: object) -> Money | None:
            return None if value is None else Money.of(value, currency)  # type: ignore[arg-type]

        return cls(
            id=to_global_id("CustomsDeclaration", row.id),
            direction=row.direction,
            country=row.country,
            status=row.status,
            next_states=NEXT_STATES[row.direction, row.status],
            hold_reason=row.hold_reason,
            reference=row.reference,
            incoterm=row.incoterm,
            scheme=row.scheme,
            scheme_collector=row.scheme_collector,
            scheme_number=row.scheme_number,
            freight=Money.of(row.freight, currency),
            documents=list(row.documents),
            assessment=TaxAssessment.from_snapshot(row.assessment),
            duty_total=money(row.duty_total),
            tax_total=money(row.tax_total),
            due_from_consumer=money(row.due_from_consumer),
            version=row.version,
            created_at=row.created_at,
            lodged_at=row.lodged_at,
            assessed_at=row.assessed_at,
            closed_at=row.closed_at,
            _id=row.id,
            _shipment_id=row.shipment_id,
            _order_id=row.order_id,
        )
