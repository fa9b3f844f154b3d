"""Shipments: packages, the order lines they carry, and the carrier's tracking events.

A shipment's status only moves forward by the rank of the event that moves it (`domain.logistics.tracking`):
every scan is stored, but a late, repeated or out-of-order one never takes a shipment back.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, RecordsEvents, WorkspaceOwned, enum_column
from domain.logistics.lanes import CustomsMode, LogisticsMethod
from domain.research.landed import Incoterm


class ShipmentStatus(StrEnum):
    LABEL_CREATED = "LABEL_CREATED"
    PICKED_UP = "PICKED_UP"
    EXPORT_CLEARED = "EXPORT_CLEARED"
    DEPARTED_ORIGIN = "DEPARTED_ORIGIN"
    ARRIVED_DESTINATION = "ARRIVED_DESTINATION"
    IMPORT_CUSTOMS_HOLD = "IMPORT_CUSTOMS_HOLD"
    IMPORT_CLEARED = "IMPORT_CLEARED"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERY_FAILED = "DELIVERY_FAILED"
    DELIVERED = "DELIVERED"
    LOST = "LOST"
    RETURNED_TO_SENDER = "RETURNED_TO_SENDER"
    SEIZED = "SEIZED"
    CANCELLED = "CANCELLED"


class TrackingEventType(StrEnum):
    """What a carrier (or customs) says happened to a parcel, normalised."""

    LABEL_CREATED = "LABEL_CREATED"
    PICKED_UP = "PICKED_UP"
    EXPORT_CLEARED = "EXPORT_CLEARED"
    DEPARTED_ORIGIN = "DEPARTED_ORIGIN"
    ARRIVED_DESTINATION = "ARRIVED_DESTINATION"
    IMPORT_CUSTOMS_HOLD = "IMPORT_CUSTOMS_HOLD"
    IMPORT_CLEARED = "IMPORT_CLEARED"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERY_FAILED = "DELIVERY_FAILED"
    DELIVERED = "DELIVERED"
    LOST = "LOST"
    RETURNED_TO_SENDER = "RETURNED_TO_SENDER"
    SEIZED = "SEIZED"  # from a customs seizure, not a carrier scan


class EventSource(StrEnum):
    SANDBOX = "SANDBOX"  # the sandbox mutation that stands for a carrier
    WEBHOOK = "WEBHOOK"  # a carrier's signed webhook
    CUSTOMS = "CUSTOMS"  # a customs decision on the shipment's declaration
    SELLER = "SELLER"  # the seller's own action (creating the label, cancelling)


class ShipmentKind(StrEnum):
    OUTBOUND = "OUTBOUND"  # the seller's parcel to the consumer
    RETURN = "RETURN"  # the consumer's parcel back to the seller, for a return (RMA)


class Shipment(RecordsEvents, WorkspaceOwned, Base):
    """One consignment of (some of) an order's units, with one carrier and one tracking number."""

    __tablename__ = "shipments"
    __aggregate_type__ = "Shipment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    order_id: Mapped[uuid.UUID]
    kind: Mapped[ShipmentKind] = enum_column(ShipmentKind, server_default="OUTBOUND")
    return_id: Mapped[uuid.UUID | None]  # the return a RETURN shipment carries
    method: Mapped[LogisticsMethod] = enum_column(LogisticsMethod)
    customs_mode: Mapped[CustomsMode] = enum_column(CustomsMode)
    carrier: Mapped[str] = mapped_column(sa.String(40))
    service: Mapped[str] = mapped_column(sa.String(100))
    lane_id: Mapped[str] = mapped_column(sa.String(200))
    tracking_number: Mapped[str] = mapped_column(sa.String(40))
    label_reference: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[ShipmentStatus] = enum_column(ShipmentStatus)
    status_at: Mapped[datetime]
    origin_country: Mapped[str] = mapped_column(sa.String(2))
    destination_country: Mapped[str] = mapped_column(sa.String(2))
    warehouse_id: Mapped[uuid.UUID | None]
    incoterm: Mapped[Incoterm] = enum_column(Incoterm)
    cost: Mapped[Decimal]
    cost_currency: Mapped[str] = mapped_column(sa.String(3))
    estimated_delivery: Mapped[date]
    stock_shipped: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.UniqueConstraint("workspace_id", "tracking_number"),
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.ForeignKeyConstraint(
            ["workspace_id", "warehouse_id"], ["warehouses.workspace_id", "warehouses.id"]
        ),
        sa.CheckConstraint("cost >= 0", name="cost_not_negative"),
        sa.Index("ix_shipments_order", "order_id", "seq"),
        sa.Index("ix_shipments_workspace_status", "workspace_id", "status", "seq"),
    )


class ShipmentPackage(WorkspaceOwned, Base):
    __tablename__ = "shipment_packages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    shipment_id: Mapped[uuid.UUID]
    weight_grams: Mapped[int]
    length_mm: Mapped[int]
    width_mm: Mapped[int]
    height_mm: Mapped[int]
    reference: Mapped[str | None] = mapped_column(sa.String(100))

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "shipment_id"], ["shipments.workspace_id", "shipments.id"]),
        sa.CheckConstraint(
            "weight_grams > 0 AND length_mm > 0 AND width_mm > 0 AND height_mm > 0", name="measured"
        ),
        sa.Index("ix_shipment_packages_shipment", "shipment_id", "seq"),
    )


class ShipmentLine(WorkspaceOwned, Base):
    """Units of one order line that travel in a shipment."""

    __tablename__ = "shipment_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    shipment_id: Mapped[uuid.UUID]
    order_id: Mapped[uuid.UUID]
    order_line_id: Mapped[uuid.UUID]
    quantity: Mapped[int]

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "shipment_id"], ["shipments.workspace_id", "shipments.id"]),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_line_id"], ["order_lines.workspace_id", "order_lines.id"]
        ),
        sa.UniqueConstraint("shipment_id", "order_line_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index("ix_shipment_lines_shipment", "shipment_id", "seq"),
        sa.Index("ix_shipment_lines_order", "order_id"),
        sa.Index("ix_shipment_lines_order_line", "order_line_id"),
    )


class TrackingEvent(WorkspaceOwned, Base):
    """A scan as received. `applied` says whether it moved the shipment; those that did not (late,
    repeated, out of order) are kept all the same."""

    __tablename__ = "tracking_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    shipment_id: Mapped[uuid.UUID]
    event_id: Mapped[str] = mapped_column(sa.String(100))
    type: Mapped[TrackingEventType] = enum_column(TrackingEventType)
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    location: Mapped[str | None] = mapped_column(sa.String(200))
    detail: Mapped[str | None] = mapped_column(sa.String(500))
    source: Mapped[EventSource] = enum_column(EventSource)
    applied: Mapped[bool]

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "shipment_id"], ["shipments.workspace_id", "shipments.id"]),
        sa.UniqueConstraint("workspace_id", "shipment_id", "event_id"),
        sa.Index("ix_tracking_events_shipment", "shipment_id", "seq"),
    )


class TrackingWebhook(WorkspaceOwned, Base):
    """An endpoint a carrier posts scans to: its URL names it, its secret signs every request."""

    __tablename__ = "tracking_webhooks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    carrier: Mapped[str] = mapped_column(sa.String(40))
    secret: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
