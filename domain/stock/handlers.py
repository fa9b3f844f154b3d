"""Commands on warehouses and inbound lots."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from domain.catalog.model import Channel, Product
from domain.db.uow import UnitOfWork, get_owned
from domain.shared.countries import validate_country
from domain.shared.errors import DomainError, NotFound
from domain.shared.text import required_text
from domain.stock import rules
from domain.stock.model import InboundLot, LotStatus, StockLevel, Warehouse
from domain.stock.rules import InspectionResult, WarehouseKind


@dataclass(frozen=True)
class CreateWarehouse:
    name: str
    kind: WarehouseKind
    country: str
    channel_id: uuid.UUID | None = None


async def create_warehouse(uow: UnitOfWork, cmd: CreateWarehouse) -> uuid.UUID:
    name = required_text(cmd.name, "name", 200)
    country = validate_country(cmd.country, ["input", "country"])
    if cmd.channel_id is not None:
        if cmd.kind is not WarehouseKind.PLATFORM_FULFILLED:
            raise DomainError(
                "CHANNEL_NOT_ALLOWED",
                f"Only a PLATFORM_FULFILLED warehouse fills orders of one channel; a {cmd.kind} one serves "
                "every channel. Leave channelId out, or make the warehouse PLATFORM_FULFILLED.",
                ["input", "channelId"],
            )
        await get_owned(uow, Channel, cmd.channel_id, "channel", ["input", "channelId"])
    warehouse = Warehouse(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        name=name,
        kind=cmd.kind,
        country=country,
        channel_id=cmd.channel_id,
        served_countries=rules.default_served_countries(cmd.kind, country),
        created_at=uow.now,
    )
    uow.session.add(warehouse)
    return warehouse.id


@dataclass(frozen=True)
class LotResult:
    lot_id: uuid.UUID
    stock_level_id: uuid.UUID


@dataclass(frozen=True)
class ReceiveLot:
    product_id: uuid.UUID
    warehouse_id: uuid.UUID
    quantity: int


async def receive_lot(uow: UnitOfWork, cmd: ReceiveLot) -> LotResult:
    """Goods arrive at a warehouse; they wait for inspection before any of them can be sold."""
    quantity = rules.check_lot_quantity(cmd.quantity)
    product = await get_owned(uow, Product, cmd.product_id, "product", ["input", "productId"])
    warehouse = await get_owned(uow, Warehouse, cmd.warehouse_id, "warehouse", ["input", "warehouseId"])
    lot = InboundLot(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        product_id=product.id,
        warehouse_id=warehouse.id,
        quantity=quantity,
        status=LotStatus.RECEIVED,
        received_at=uow.now,
    )
    uow.session.add(lot)
    lot.record("LOT_RECEIVED", uow.now, quantity=quantity, sku=product.sku, warehouse=warehouse.name)
    level = await _locked_level(uow, warehouse.id, product.id, create=True)
    level.receive(quantity, uow.now)
    return LotResult(lot.id, level.id)


@dataclass(frozen=True)
class InspectLot:
    lot_id: uuid.UUID
    sample_size: int
    defects_found: int
    result: InspectionResult
    passed_quantity: int | None = None


async def inspect_lot(uow: UnitOfWork, cmd: InspectLot) -> LotResult:
    """Record a lot's quality inspection: the units that passed become available, the rest are rejected."""
    # Locked, so that two inspections of one lot cannot both count its units.
    lot = (
        await uow.session.scalars(
            sa.select(InboundLot)
            .where(InboundLot.workspace_id == uow.workspace_id, InboundLot.id == cmd.lot_id)
            .with_for_update()
        )
    ).one_or_none()
    if lot is None:
        raise NotFound("lot", ["input", "lotId"])
    lot.check_inspectable()  # a lot inspected before says so ahead of any complaint about the input
    inspection = rules.inspect(
        lot.quantity, cmd.sample_size, cmd.defects_found, cmd.result, cmd.passed_quantity
    )
    lot.inspect(inspection, uow.now)
    level = await _locked_level(uow, lot.warehouse_id, lot.product_id)
    level.accept(lot.quantity, inspection.passed_quantity, uow.now)
    return LotResult(lot.id, level.id)


async def _locked_level(
    uow: UnitOfWork, warehouse_id: uuid.UUID, product_id: uuid.UUID, *, create: bool = False
) -> StockLevel:
    """The stock level of a product in a warehouse, locked until commit (made first if asked)."""
    if create:
        await uow.session.execute(
            insert(StockLevel)
            .values(empty_level(uow.workspace_id, warehouse_id, product_id, uow.now))
            .on_conflict_do_nothing(index_elements=["workspace_id", "warehouse_id", "product_id"])
        )
    return (
        await uow.session.scalars(
            sa.select(StockLevel)
            .where(
                StockLevel.workspace_id == uow.workspace_id,
                StockLevel.warehouse_id == warehouse_id,
                StockLevel.product_id == product_id,
            )
            .with_for_update()
        )
    ).one()


def empty_level(
    workspace_id: uuid.UUID, warehouse_id: uuid.UUID, product_id: uuid.UUID, at: datetime
) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "workspace_id": workspace_id,
        "warehouse_id": warehouse_id,
        "product_id": product_id,
        "on_hand": 0,
        "reserved": 0,
        "awaiting_inspection": 0,
        "rejected": 0,
        "shipped": 0,
        "returned": 0,
        "disposed": 0,
        "updated_at": at,
    }
