from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, enum_column, new_id


class WorkspaceKind(StrEnum):
    LIVE = "LIVE"
    SANDBOX = "SANDBOX"


class Seller(Base):
    __tablename__ = "sellers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]


class Workspace(Base):
    """A seller's separate world of data. A sandbox one keeps its own clock in `sandbox_now`.

    `home_currency` is the currency the seller books in (CNY for a Chinese exporter): settlements are paid
    out in it, and foreign-exchange gains, losses and exposure are measured in it.
    """

    __tablename__ = "workspaces"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    seller_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("sellers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[WorkspaceKind] = enum_column(WorkspaceKind)
    sandbox_now: Mapped[datetime | None]
    home_currency: Mapped[str] = mapped_column(sa.String(3))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("(kind = 'SANDBOX') = (sandbox_now IS NOT NULL)", name="sandbox_has_clock"),
    )


class ApiKey(Base):
    """Only a SHA-256 digest of the key is kept; the key itself is shown once, when it is made. A
    `read_only` key runs queries and subscriptions, never a mutation."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    read_only: Mapped[bool] = mapped_column(server_default=sa.false())
