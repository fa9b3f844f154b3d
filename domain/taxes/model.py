"""The tax ledger. Lines are only ever added: a liability that goes away (an order cancelled before it
shipped) is answered by a REVERSAL, so that a period's return can be rebuilt as it was filed."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from domain.customs.engine import Collection, Payer
from domain.db.base import Base, WorkspaceOwned, enum_column


class EntryKind(StrEnum):
    LIABILITY = "LIABILITY"  # owed to the authority (collected at sale, or assessed at the border)
    PAYMENT = "PAYMENT"  # paid to the authority (at the border, by the seller or the consumer)
    REVERSAL = "REVERSAL"  # a liability that no longer holds (its sale was cancelled or refused)


class TaxType(StrEnum):
    DUTY = "DUTY"
    VAT = "VAT"
    GST = "GST"
    CONSUMPTION_TAX = "CONSUMPTION_TAX"
    SALES_TAX = "SALES_TAX"
    ICMS = "ICMS"
    FLAT_RATE = "FLAT_RATE"  # one global rate that covers duty and tax (Mexico's courier rate, say)


class TaxEntry(WorkspaceOwned, Base):
    __tablename__ = "tax_entries"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    kind: Mapped[EntryKind] = enum_column(EntryKind)
    tax_type: Mapped[TaxType] = enum_column(TaxType)
    jurisdiction: Mapped[str] = mapped_column(sa.String(8))
    scheme: Mapped[str | None] = mapped_column(sa.String(40))
    collection: Mapped[Collection] = enum_column(Collection)
    payer: Mapped[Payer] = enum_column(Payer)
    base: Mapped[Decimal]
    rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 6))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    rule_id: Mapped[str] = mapped_column(sa.String(200))
    order_id: Mapped[uuid.UUID]
    declaration_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[datetime]

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.ForeignKeyConstraint(
            ["workspace_id", "declaration_id"],
            ["customs_declarations.workspace_id", "customs_declarations.id"],
        ),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.Index("ix_tax_entries_period", "workspace_id", "occurred_at"),
        sa.Index("ix_tax_entries_order", "order_id", "seq"),
        sa.Index(
            "ix_tax_entries_declaration",
            "declaration_id",
            postgresql_where=sa.text("declaration_id IS NOT NULL"),
        ),
    )
