from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, RecordsEvents, WorkspaceOwned, enum_column

RATE = sa.Numeric(24, 10)


class RateSource(StrEnum):
    MANUAL = "MANUAL"
    IMPORT = "IMPORT"
    SANDBOX = "SANDBOX"


class ExchangeRate(WorkspaceOwned, Base):
    """One unit of `base` costs `rate` units of `quote`, from `as_of` until the pair's next rate."""

    __tablename__ = "exchange_rates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    base: Mapped[str] = mapped_column(sa.String(3))
    quote: Mapped[str] = mapped_column(sa.String(3))
    rate: Mapped[Decimal] = mapped_column(RATE)
    as_of: Mapped[datetime]
    source: Mapped[RateSource] = enum_column(RateSource)
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "base", "quote", "as_of"),
        sa.CheckConstraint("rate > 0", name="rate_positive"),
        sa.CheckConstraint("base <> quote", name="two_currencies"),
        sa.Index("ix_exchange_rates_pair", "workspace_id", "base", "quote", "as_of"),
    )


class RateLock(RecordsEvents, WorkspaceOwned, Base):
    """A forward contract: `amount` of `base` will be exchanged into `quote` at `rate` on `maturity`."""

    __tablename__ = "rate_locks"
    __aggregate_type__ = "RateLock"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    base: Mapped[str] = mapped_column(sa.String(3))
    quote: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[Decimal]
    rate: Mapped[Decimal] = mapped_column(RATE)
    maturity: Mapped[date]
    counterparty: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("rate > 0 AND amount > 0", name="positive"),
        sa.CheckConstraint("base <> quote", name="two_currencies"),
    )
