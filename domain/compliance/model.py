from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, RecordsEvents, WorkspaceOwned, enum_column
from domain.markets.reference import RegistrationKind

GLOBAL = "GLOBAL"  # the scope of a registration that holds everywhere (an export licence, say)


class CertificationCode(StrEnum):
    CE = "CE"
    UKCA = "UKCA"
    FCC = "FCC"
    CPC = "CPC"
    PSE = "PSE"
    RCM = "RCM"
    KC = "KC"
    CCC = "CCC"
    INMETRO = "INMETRO"
    NOM = "NOM"
    BIS = "BIS"


class ValidityMixin:
    """A document valid from one day to another (valid_to exclusive; none: open-ended)."""

    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    number: Mapped[str] = mapped_column(sa.String(100))
    issuer: Mapped[str] = mapped_column(sa.String(200))
    documents: Mapped[list[str]] = mapped_column(ARRAY(sa.String(500)))
    created_at: Mapped[datetime]


class Registration(ValidityMixin, RecordsEvents, WorkspaceOwned, Base):
    """A registration the seller holds in a market (its ISO code), a union (EU) or GLOBAL."""

    __tablename__ = "registrations"
    __aggregate_type__ = "Registration"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    kind: Mapped[RegistrationKind] = enum_column(RegistrationKind)
    scope: Mapped[str] = mapped_column(sa.String(8))

    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_to_after_from"),
    )


class ProductCertification(ValidityMixin, RecordsEvents, WorkspaceOwned, Base):
    """A certification of one product (CE, FCC, ...)."""

    __tablename__ = "product_certifications"
    __aggregate_type__ = "ProductCertification"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    product_id: Mapped[uuid.UUID]
    code: Mapped[CertificationCode] = enum_column(CertificationCode)

    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.ForeignKeyConstraint(["workspace_id", "product_id"], ["products.workspace_id", "products.id"]),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_to_after_from"),
        sa.Index("ix_product_certifications_product", "product_id"),
    )
