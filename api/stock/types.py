from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from api.catalog.types import Channel, Product
from api.context import Info
from api.relay import Node, to_global_id
from domain.db.reads import Row
from domain.stock import model

WarehouseKind = strawberry.enum(
    model.WarehouseKind,
    description="DOMESTIC: in the origin country, ships cross-border to any destination; OVERSEAS: in a "
    "destination country, delivers inside it; PLATFORM_FULFILLED: a platform's fulfilment network "
    "(such as FBA), inside its country.",
)
LotStatus = strawberry.enum(
    model.LotStatus, description="RECEIVED: waiting for inspection; INSPECTED: its passed units are on hand."
)
InspectionResult = strawberry.enum(
    model.InspectionResult,
    description="PASS: every unit may be sold; FAIL: none; PARTIAL: only the passed quantity.",
)


@strawberry.type(description="A place where stock is kept, and the destinations it can deliver to.")
class Warehouse(Node):
    name: str = strawberry.field(description="The seller's name for it.")
    kind: WarehouseKind = strawberry.field(description="Domestic, overseas or platform-fulfilled.")  # type: ignore[valid-type]
    country: str = strawberry.field(description="Where it is, ISO 3166-1 alpha-2.")
    served_countries: list[str] | None = strawberry.field(
        description="Destinations it delivers to (ISO 3166-1 alpha-2); null: every destination."
    )
    created_at: datetime = strawberry.field(description="When it was added (workspace clock).")
    _channel_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="For a platform's warehouse: the one channel whose orders it fills.")
    def channel(self, info: Info) -> Channel | None:
        if self._channel_id is None:
            return None
        return info.context.loaders.channel.node(self._channel_id, Channel.from_row)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Row) -> Warehouse:
        return cls(
            id=to_global_id("Warehouse", row.id),
            name=row.name,
            kind=row.kind,
            country=row.country,
            served_countries=row.served_countries,
            created_at=row.created_at,
            _channel_id=row.channel_id,
        )


@strawberry.type(description="What a lot's quality inspection found and concluded.")
class Inspection:
    sample_size: int = strawberry.field(description="Units examined.")
    defects_found: int = strawberry.field(description="Defective units among those examined.")
    result: InspectionResult = strawberry.field(description="PASS, FAIL or PARTIAL.")  # type: ignore[valid-type]
    passed_quantity: int = strawberry.field(description="Units of the lot that may be sold.")
    inspected_at: datetime = strawberry.field(description="When it was recorded (workspace clock).")


@strawberry.type(description="One delivery of one product into a warehouse; sellable once inspected.")
class Lot(Node):
    quantity: int = strawberry.field(description="Units received.")
    passed_quantity: int | None = strawberry.field(
        description="Units that passed inspection and went on hand; null until inspected."
    )
    status: LotStatus = strawberry.field(description="Whether it has been inspected.")  # type: ignore[valid-type]
    received_at: datetime = strawberry.field(description="When it arrived (workspace clock).")
    inspection: Inspection | None = strawberry.field(description="The inspection, once recorded.")
    _product_id: strawberry.Private[uuid.UUID]
    _warehouse_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product received.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The warehouse it arrived at.")
    def warehouse(self, info: Info) -> Warehouse:
        return info.context.loaders.warehouse.node(self._warehouse_id, Warehouse.from_row)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Row) -> Lot:
        inspection = None
        if row.inspected_at is not None:
            inspection = Inspection(
                sample_size=row.sample_size,
                defects_found=row.defects_found,
                result=row.result,
                passed_quantity=row.passed_quantity,
                inspected_at=row.inspected_at,
            )
        return cls(
            id=to_global_id("Lot", row.id),
            quantity=row.quantity,
            passed_quantity=row.passed_quantity,
            status=row.status,
            received_at=row.received_at,
            inspection=inspection,
            _product_id=row.product_id,
            _warehouse_id=row.warehouse_id,
        )


@strawberry.type(
    description="Units of one product in one warehouse. Only units that passed inspection can be sold."
)
class StockLevel(Node):
    on_hand: int = strawberry.field(description="Units that passed inspection and are in the warehouse.")
    reserved: int = strawberry.field(description="Units of those held for confirmed orders.")
    available: int = strawberry.field(description="onHand - reserved: what new orders can have.")
    awaiting_inspection: int = strawberry.field(description="Units received but not yet inspected.")
    rejected: int = strawberry.field(description="Units that failed inspection; never sold.")
    shipped: int = strawberry.field(description="Units that have left in outbound shipments, in all.")
    returned: int = strawberry.field(
        description="Shipped units that came back in returns and were restocked: they are on hand again."
    )
    disposed: int = strawberry.field(
        description="Units that came back in returns and were written off at inspection: not on hand. "
        "Stock is conserved when units passed at inspection + returned = onHand + shipped."
    )
    updated_at: datetime = strawberry.field(description="When it last changed (workspace clock).")
    _product_id: strawberry.Private[uuid.UUID]
    _warehouse_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The warehouse.")
    def warehouse(self, info: Info) -> Warehouse:
        return info.context.loaders.warehouse.node(self._warehouse_id, Warehouse.from_row)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Row) -> StockLevel:
        return cls(
            id=to_global_id("StockLevel", row.id),
            on_hand=row.on_hand,
            reserved=row.reserved,
            available=row.on_hand - row.reserved,
            awaiting_inspection=row.awaiting_inspection,
            rejected=row.rejected,
            shipped=row.shipped,
            returned=row.returned,
            disposed=row.disposed,
            updated_at=row.updated_at,
            _product_id=row.product_id,
            _warehouse_id=row.warehouse_id,
        )


@strawberry.type(description="Units of an order line held in a warehouse from confirmation to cancellation.")
class Reservation:
    quantity: int = strawberry.field(description="Units held.")
    reserved_at: datetime = strawberry.field(description="When the order was confirmed (workspace clock).")
    released_at: datetime | None = strawberry.field(
        description="When they were given back (the order was cancelled); null while held."
    )
    _product_id: strawberry.Private[uuid.UUID]
    _warehouse_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product held.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The warehouse it is held in.")
    def warehouse(self, info: Info) -> Warehouse:
        return info.context.loaders.warehouse.node(self._warehouse_id, Warehouse.from_row)  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[Reservation]:
        return [
            cls(
                quantity=row.quantity,
                reserved_at=row.reserved_at,
                released_at=row.released_at,
                _product_id=row.product_id,
                _warehouse_id=row.warehouse_id,
            )
            for row in rows
        ]
