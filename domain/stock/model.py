from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, RecordsEvents, WorkspaceOwned, enum_column
from domain.shared.errors import DomainError
from domain.stock.rules import Inspection, InspectionResult, WarehouseKind, serves

__all__ = [
    "LOT_TRANSITIONS",
    "InboundLot",
    "InspectionResult",
    "LotStatus",
    "StockLevel",
    "StockReservation",
    "Warehouse",
    "WarehouseKind",
]


class LotStatus(StrEnum):
    RECEIVED = "RECEIVED"
    INSPECTED = "INSPECTED"


LOT_TRANSITIONS: dict[LotStatus, frozenset[LotStatus]] = {
    LotStatus.RECEIVED: frozenset({LotStatus.INSPECTED}),
    LotStatus.INSPECTED: frozenset(),
}


class Warehouse(WorkspaceOwned, Base):
    """Where stock is kept: at home (DOMESTIC, shipped cross-border), abroad (OVERSEAS), or in a platform's
    fulfilment network (PLATFORM_FULFILLED), which may be tied to the one channel it fills orders for."""

    __tablename__ = "warehouses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[WarehouseKind] = enum_column(WarehouseKind)
    country: Mapped[str] = mapped_column(sa.String(2))
    channel_id: Mapped[uuid.UUID | None]
    # The destinations it delivers to, ISO 3166-1 alpha-2; NULL: every destination.
    served_countries: Mapped[list[str] | None] = mapped_column(ARRAY(sa.String(2)))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.ForeignKeyConstraint(["workspace_id", "channel_id"], ["channels.workspace_id", "channels.id"]),
        sa.CheckConstraint(
            "channel_id IS NULL OR kind = 'PLATFORM_FULFILLED'", name="channel_only_if_platform_fulfilled"
        ),
    )

    def serves(self, destination: str, channel_id: uuid.UUID) -> bool:
        return serves(
            self.served_countries,
            destination,
            warehouse_channel_id=self.channel_id,
            order_channel_id=channel_id,
        )


class InboundLot(RecordsEvents, WorkspaceOwned, Base):
    """One delivery of one product into a warehouse. Its units become sellable only through inspection,
    and then only those that passed."""

    __tablename__ = "inbound_lots"
    __aggregate_type__ = "InboundLot"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    product_id: Mapped[uuid.UUID]
    warehouse_id: Mapped[uuid.UUID]
    quantity: Mapped[int]
    status: Mapped[LotStatus] = enum_column(LotStatus)
    received_at: Mapped[datetime]
    sample_size: Mapped[int | None]
    defects_found: Mapped[int | None]
    result: Mapped[InspectionResult | None] = enum_column(InspectionResult, nullable=True)
    passed_quantity: Mapped[int | None]
    inspected_at: Mapped[datetime | None]

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "product_id"], ["products.workspace_id", "products.id"]),
        sa.ForeignKeyConstraint(
            ["workspace_id", "warehouse_id"], ["warehouses.workspace_id", "warehouses.id"]
        ),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "(status = 'INSPECTED') = (inspected_at IS NOT NULL AND result IS NOT NULL"
            " AND sample_size IS NOT NULL AND defects_found IS NOT NULL AND passed_quantity IS NOT NULL)",
            name="inspected_has_inspection",
        ),
        sa.CheckConstraint(
            "sample_size BETWEEN 1 AND quantity AND defects_found BETWEEN 0 AND sample_size",
            name="sample_within_lot",
        ),
        sa.CheckConstraint(
            "(result = 'PASS' AND passed_quantity = quantity) OR (result = 'FAIL' AND passed_quantity = 0)"
            " OR (result = 'PARTIAL' AND passed_quantity > 0 AND passed_quantity < quantity)",
            name="passed_matches_result",
        ),
        sa.Index("ix_inbound_lots_product", "product_id"),
        sa.Index("ix_inbound_lots_warehouse", "warehouse_id"),
    )

    def check_inspectable(self) -> None:
        if LotStatus.INSPECTED not in LOT_TRANSITIONS[self.status]:
            raise DomainError(
                "LOT_ALREADY_INSPECTED",
                f"This lot was inspected at {self.inspected_at:%Y-%m-%d %H:%M} UTC ({self.result}); "
                "a lot is inspected once. Receive a new lot for new goods.",
                ["input", "lotId"],
            )

    def inspect(self, inspection: Inspection, at: datetime) -> None:
        self.check_inspectable()
        self.status = LotStatus.INSPECTED
        self.sample_size = inspection.sample_size
        self.defects_found = inspection.defects_found
        self.result = inspection.result
        self.passed_quantity = inspection.passed_quantity
        self.inspected_at = at
        self.record(
            "LOT_INSPECTED",
            at,
            sampleSize=inspection.sample_size,
            defectsFound=inspection.defects_found,
            result=inspection.result.value,
            passedQuantity=inspection.passed_quantity,
        )


class StockLevel(WorkspaceOwned, Base):
    """Units of one product in one warehouse. `on_hand` passed inspection; `reserved` of them are held for
    confirmed orders; the rest are available. A product has stock levels (is tracked) once a lot of it
    has been received anywhere."""

    __tablename__ = "stock_levels"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    warehouse_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    on_hand: Mapped[int] = mapped_column(sa.BigInteger)
    reserved: Mapped[int] = mapped_column(sa.BigInteger)
    awaiting_inspection: Mapped[int] = mapped_column(sa.BigInteger)
    rejected: Mapped[int] = mapped_column(sa.BigInteger)
    shipped: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    returned: Mapped[int] = mapped_column(
        sa.BigInteger, server_default="0"
    )  # shipped units restocked from returns
    disposed: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")  # returned units written off
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "warehouse_id", "product_id"),
        sa.ForeignKeyConstraint(["workspace_id", "product_id"], ["products.workspace_id", "products.id"]),
        sa.ForeignKeyConstraint(
            ["workspace_id", "warehouse_id"], ["warehouses.workspace_id", "warehouses.id"]
        ),
        sa.CheckConstraint(
            "on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand", name="available_not_negative"
        ),
        sa.CheckConstraint(
            "awaiting_inspection >= 0 AND rejected >= 0 AND shipped >= 0 AND returned >= 0 AND disposed >= 0",
            name="counts_not_negative",
        ),
        sa.Index("ix_stock_levels_product", "product_id"),
    )

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def receive(self, quantity: int, at: datetime) -> None:
        self.awaiting_inspection += quantity
        self.updated_at = at

    def accept(self, lot_quantity: int, passed: int, at: datetime) -> None:
        """A lot's inspection: what passed goes on hand, the rest is rejected."""
        self.awaiting_inspection -= lot_quantity
        self.on_hand += passed
        self.rejected += lot_quantity - passed
        self.updated_at = at

    def reserve(self, quantity: int, at: datetime) -> None:
        if quantity > self.available:
            raise DomainError(
                "OUT_OF_STOCK",
                f"Only {self.available} units are available here; {quantity} were asked for.",
                ["input", "orderId"],
            )
        self.reserved += quantity
        self.updated_at = at

    def release(self, quantity: int, at: datetime) -> None:
        if quantity > self.reserved:  # releases are of reservation rows, so this is a bug, not input
            raise ValueError(f"releasing {quantity} units of the {self.reserved} reserved")
        self.reserved -= quantity
        self.updated_at = at

    def ship(self, quantity: int, at: datetime) -> None:
        """Reserved units left the warehouse in a shipment."""
        if quantity > self.reserved:  # shipped units are reserved ones, so this is a bug, not input
            raise ValueError(f"shipping {quantity} units of the {self.reserved} reserved")
        self.reserved -= quantity
        self.on_hand -= quantity
        self.shipped += quantity
        self.updated_at = at


class StockReservation(WorkspaceOwned, Base):
    """Units of an order line held in one warehouse from confirmation until the order is cancelled.
    Releasing marks the row, so that what goes back is exactly what was taken."""

    __tablename__ = "stock_reservations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    order_id: Mapped[uuid.UUID]
    order_line_id: Mapped[uuid.UUID]
    warehouse_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    quantity: Mapped[int]
    shipped: Mapped[int] = mapped_column(server_default="0")  # of the quantity, units that left in a shipment
    reserved_at: Mapped[datetime]
    released_at: Mapped[datetime | None]

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_line_id"], ["order_lines.workspace_id", "order_lines.id"]
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "warehouse_id"], ["warehouses.workspace_id", "warehouses.id"]
        ),
        sa.ForeignKeyConstraint(["workspace_id", "product_id"], ["products.workspace_id", "products.id"]),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("shipped >= 0 AND shipped <= quantity", name="shipped_within_quantity"),
        sa.CheckConstraint("released_at IS NULL OR released_at >= reserved_at", name="released_after"),
        sa.Index("ix_stock_reservations_order", "order_id", "seq"),
        sa.Index("ix_stock_reservations_order_line", "order_line_id"),  # what a parcel's lines hold
    )
