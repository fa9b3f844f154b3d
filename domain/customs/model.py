"""Customs declarations, export and import, each its own state machine.

An import declaration walks DRAFT -> LODGED -> (HELD -> RESUBMITTED | INSPECTED)* -> ASSESSED -> PAID ->
RELEASED, or ends SEIZED or RETURNED. An export declaration has no assessment: it is released (the goods
may leave) or held, inspected, seized or returned. The tables below are the only moves there are.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, RecordsEvents, WorkspaceOwned, enum_column
from domain.research.landed import Incoterm
from domain.shared.errors import DomainError


class Direction(StrEnum):
    EXPORT = "EXPORT"
    IMPORT = "IMPORT"


class DeclarationStatus(StrEnum):
    DRAFT = "DRAFT"
    LODGED = "LODGED"
    HELD = "HELD"
    RESUBMITTED = "RESUBMITTED"
    INSPECTED = "INSPECTED"
    ASSESSED = "ASSESSED"
    PAID = "PAID"
    RELEASED = "RELEASED"
    SEIZED = "SEIZED"
    RETURNED = "RETURNED"
    WITHDRAWN = "WITHDRAWN"  # the seller voided the shipment's label before customs decided anything


class HoldReason(StrEnum):
    MISSING_DOCUMENTS = "MISSING_DOCUMENTS"
    VALUATION_QUERY = "VALUATION_QUERY"
    CLASSIFICATION_QUERY = "CLASSIFICATION_QUERY"
    INSPECTION = "INSPECTION"
    RESTRICTED_GOODS = "RESTRICTED_GOODS"


class SchemeCollector(StrEnum):
    SELLER = "SELLER"  # the seller's own registration (its IOSS number, say)
    MARKETPLACE = "MARKETPLACE"  # the marketplace as deemed supplier, which passes its number to the carrier


S = DeclarationStatus
_UNDER_REVIEW = frozenset({S.HELD, S.INSPECTED, S.SEIZED, S.RETURNED})
TRANSITIONS: dict[Direction, dict[DeclarationStatus, frozenset[DeclarationStatus]]] = {
    Direction.IMPORT: {
        S.DRAFT: frozenset({S.LODGED, S.WITHDRAWN}),
        S.LODGED: _UNDER_REVIEW | {S.ASSESSED, S.WITHDRAWN},
        S.RESUBMITTED: _UNDER_REVIEW | {S.ASSESSED},
        S.HELD: frozenset({S.RESUBMITTED, S.INSPECTED, S.SEIZED, S.RETURNED}),
        S.INSPECTED: frozenset({S.HELD, S.ASSESSED, S.SEIZED, S.RETURNED}),
        S.ASSESSED: frozenset({S.PAID, S.RELEASED, S.RETURNED}),
        S.PAID: frozenset({S.RELEASED}),
        S.RELEASED: frozenset(),
        S.SEIZED: frozenset(),
        S.RETURNED: frozenset(),
        S.WITHDRAWN: frozenset(),
    },
    Direction.EXPORT: {
        S.DRAFT: frozenset({S.LODGED, S.WITHDRAWN}),
        S.LODGED: _UNDER_REVIEW | {S.RELEASED, S.WITHDRAWN},
        S.RESUBMITTED: _UNDER_REVIEW | {S.RELEASED},
        S.HELD: frozenset({S.RESUBMITTED, S.INSPECTED, S.SEIZED, S.RETURNED}),
        S.INSPECTED: frozenset({S.HELD, S.RELEASED, S.SEIZED, S.RETURNED}),
        S.RELEASED: frozenset(),
        S.SEIZED: frozenset(),
        S.RETURNED: frozenset(),
        S.WITHDRAWN: frozenset(),
    },
}
FINAL = frozenset({S.RELEASED, S.SEIZED, S.RETURNED, S.WITHDRAWN})


class IllegalDeclarationMove(DomainError):
    def __init__(self, direction: Direction, current: DeclarationStatus, wanted: DeclarationStatus) -> None:
        allowed = sorted(TRANSITIONS[direction][current])
        listed = ", ".join(allowed) if allowed else "none (it is final)"
        hint = " Lodge it first." if current is S.DRAFT else ""
        super().__init__(
            "ILLEGAL_TRANSITION",
            f"The {direction.lower()} declaration is {current}; it cannot become {wanted}. "
            f"From {current} it can become: {listed}.{hint}",
            ["input", "declarationId"],
        )


class CustomsDeclaration(RecordsEvents, WorkspaceOwned, Base):
    __tablename__ = "customs_declarations"
    __aggregate_type__ = "CustomsDeclaration"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    shipment_id: Mapped[uuid.UUID]
    order_id: Mapped[uuid.UUID]
    direction: Mapped[Direction] = enum_column(Direction)
    country: Mapped[str] = mapped_column(sa.String(2))  # where it is declared
    status: Mapped[DeclarationStatus] = enum_column(DeclarationStatus)
    hold_reason: Mapped[HoldReason | None] = enum_column(HoldReason, nullable=True)
    reference: Mapped[str | None] = mapped_column(sa.String(40))  # the authority's number, once lodged
    incoterm: Mapped[Incoterm] = enum_column(Incoterm)
    scheme: Mapped[str | None] = mapped_column(sa.String(40))  # a collect-at-sale scheme (IOSS, say)
    scheme_collector: Mapped[SchemeCollector | None] = enum_column(SchemeCollector, nullable=True)
    scheme_number: Mapped[str | None] = mapped_column(sa.String(40))
    currency: Mapped[str] = mapped_column(sa.String(3))
    freight: Mapped[Decimal]
    documents: Mapped[list[str]] = mapped_column(ARRAY(sa.String(500)))
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    duty_total: Mapped[Decimal | None]
    tax_total: Mapped[Decimal | None]
    due_from_consumer: Mapped[Decimal | None]
    created_at: Mapped[datetime]
    lodged_at: Mapped[datetime | None]
    assessed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.UniqueConstraint("shipment_id", "direction"),
        sa.ForeignKeyConstraint(["workspace_id", "shipment_id"], ["shipments.workspace_id", "shipments.id"]),
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.CheckConstraint("freight >= 0", name="freight_not_negative"),
        sa.CheckConstraint("(status = 'HELD') = (hold_reason IS NOT NULL)", name="held_with_reason"),
        sa.Index("ix_customs_declarations_workspace_status", "workspace_id", "status", "seq"),
        sa.Index("ix_customs_declarations_order", "order_id"),
    )

    def move(self, to: DeclarationStatus, at: datetime, event: str, **data: Any) -> None:
        if to not in TRANSITIONS[self.direction][self.status]:
            raise IllegalDeclarationMove(self.direction, self.status, to)
        data.update({"from": self.status.value, "to": to.value})
        self.status = to
        if to is not S.HELD:
            self.hold_reason = None
        if to in FINAL:
            self.closed_at = at
        self.version += 1
        self.record(event, at, **data)


class DeclarationItem(WorkspaceOwned, Base):
    __tablename__ = "customs_declaration_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    declaration_id: Mapped[uuid.UUID]
    order_line_id: Mapped[uuid.UUID | None]
    hs_code: Mapped[str] = mapped_column(sa.String(10))
    description: Mapped[str] = mapped_column(sa.String(300))
    quantity: Mapped[int]
    value: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    origin_country: Mapped[str] = mapped_column(sa.String(2))

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["workspace_id", "declaration_id"],
            ["customs_declarations.workspace_id", "customs_declarations.id"],
        ),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("value > 0", name="value_positive"),
        sa.Index("ix_customs_declaration_items_declaration", "declaration_id", "seq"),
    )
