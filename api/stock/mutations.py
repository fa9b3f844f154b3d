"""Mutations on warehouses and inbound lots."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from api.commands import IDEMPOTENCY, INPUT, Outcome, run_command
from api.context import Info
from api.errors import to_user_error
from api.relay import decode_id
from api.stock.errors import StockErrorCode, StockUserError
from api.stock.types import InspectionResult, Lot, StockLevel, Warehouse, WarehouseKind
from domain.stock import handlers
from domain.stock.handlers import LotResult


def _errors(outcome: Outcome[uuid.UUID] | Outcome[LotResult]) -> list[StockUserError]:  # type: ignore[valid-type]
    return [to_user_error(StockUserError, StockErrorCode, e) for e in outcome.errors]


@strawberry.input(description="A new warehouse.")
class WarehouseCreateInput:
    name: str = strawberry.field(description="Your name for it, e.g. 'Shenzhen DC' or 'FBA Leipzig'.")
    kind: WarehouseKind = strawberry.field(  # type: ignore[valid-type]
        description="DOMESTIC serves every destination; OVERSEAS and PLATFORM_FULFILLED serve their country."
    )
    country: str = strawberry.field(description="Where it is, ISO 3166-1 (e.g. CN, DE).")
    channel_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="PLATFORM_FULFILLED only: the channel whose orders it fills; leave out for any channel.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of warehouseCreate.")
class WarehouseCreatePayload:
    warehouse: Warehouse | None = strawberry.field(description="The new warehouse, unless refused.")
    user_errors: list[StockUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.input(description="Goods of one product that arrived at a warehouse.")
class LotReceiveInput:
    product_id: strawberry.ID = strawberry.field(description="The product received.")
    warehouse_id: strawberry.ID = strawberry.field(description="The warehouse it arrived at.")
    quantity: int = strawberry.field(description="Units received, 1 to 1,000,000.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="The quality inspection of a received lot.")
class LotInspectInput:
    lot_id: strawberry.ID = strawberry.field(description="The lot, not inspected before.")
    sample_size: int = strawberry.field(description="Units examined: 1 to the lot's quantity.")
    defects_found: int = strawberry.field(description="Defective units found: 0 to the sample size.")
    result: InspectionResult = strawberry.field(  # type: ignore[valid-type]
        description="PASS (every unit sellable), FAIL (none) or PARTIAL (passedQuantity of them)."
    )
    passed_quantity: int | None = strawberry.field(
        default=None,
        description="Units that may be sold: required for PARTIAL (more than 0, fewer than all); "
        "for PASS and FAIL it may be left out.",
    )


@strawberry.type(description="A lot and the stock level it counts in.")
class LotPayload:
    lot: Lot | None = strawberry.field(description="The lot as it is now, unless refused.")
    stock_level: StockLevel | None = strawberry.field(
        description="The product's stock in the lot's warehouse, as it is now, unless refused."
    )
    user_errors: list[StockUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(name="LotReceivePayload", description="Result of lotReceive.")
class LotReceivePayload(LotPayload):
    pass


@strawberry.type(name="LotInspectPayload", description="Result of lotInspect.")
class LotInspectPayload(LotPayload):
    pass


async def _lot(info: Info, outcome: Outcome[LotResult]) -> dict[str, object]:
    lot = level = None
    if outcome.result is not None:
        loaders = info.context.loaders
        lot = Lot.from_row(await loaders.lot.get(outcome.result.lot_id))
        level = StockLevel.from_row(await loaders.stock_level.get(outcome.result.stock_level_id))
    return {"lot": lot, "stock_level": level, "user_errors": _errors(outcome)}


@strawberry.type
class StockMutation:
    @strawberry.mutation(description="Add a warehouse: domestic, overseas or platform-fulfilled.")
    async def warehouse_create(
        self, info: Info, input: Annotated[WarehouseCreateInput, INPUT]
    ) -> WarehouseCreatePayload:
        outcome = await run_command(
            info.context,
            "warehouseCreate",
            lambda: handlers.CreateWarehouse(
                name=input.name,
                kind=input.kind,
                country=input.country,
                channel_id=None
                if input.channel_id is None
                else decode_id(input.channel_id, "Channel", ["input", "channelId"]),
            ),
            handlers.create_warehouse,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        warehouse = None
        if outcome.result is not None:
            warehouse = Warehouse.from_row(await info.context.loaders.warehouse.get(outcome.result))
        return WarehouseCreatePayload(warehouse=warehouse, user_errors=_errors(outcome))

    @strawberry.mutation(
        description="Record goods received at a warehouse; they wait for inspection before they can be sold."
    )
    async def lot_receive(self, info: Info, input: Annotated[LotReceiveInput, INPUT]) -> LotReceivePayload:
        outcome = await run_command(
            info.context,
            "lotReceive",
            lambda: handlers.ReceiveLot(
                product_id=decode_id(input.product_id, "Product", ["input", "productId"]),
                warehouse_id=decode_id(input.warehouse_id, "Warehouse", ["input", "warehouseId"]),
                quantity=input.quantity,
            ),
            handlers.receive_lot,
            LotResult,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return LotReceivePayload(**await _lot(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Record a lot's quality inspection: its passed units become available, the rest are "
        "rejected. A lot is inspected once."
    )
    async def lot_inspect(self, info: Info, input: Annotated[LotInspectInput, INPUT]) -> LotInspectPayload:
        outcome = await run_command(
            info.context,
            "lotInspect",
            lambda: handlers.InspectLot(
                lot_id=decode_id(input.lot_id, "Lot", ["input", "lotId"]),
                sample_size=input.sample_size,
                defects_found=input.defects_found,
                result=input.result,
                passed_quantity=input.passed_quantity,
            ),
            handlers.inspect_lot,
            LotResult,
        )
        return LotInspectPayload(**await _lot(info, outcome))  # type: ignore[arg-type]
