"""Queries on warehouses, lots and stock levels."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import strawberry

from api.context import Info
from api.paging import After, First, connection, query_id, query_text
from api.prefetch import Relation
from api.relay import Connection
from api.stock.types import Lot, LotStatus, StockLevel, Warehouse, WarehouseKind
from domain.stock.queries import LOTS, STOCK_LEVELS, WAREHOUSES

# What the items' fields load, so that a page loads each relation for all its items at once. (The
# `warehouse` loader is the request's.)
PLACED = {"product": Relation("product", "product_id"), "warehouse": Relation("warehouse", "warehouse_id")}

FILTER = "Conditions the items must meet."


@strawberry.input(description="Narrow the warehouse list; all given conditions must hold.")
class WarehouseFilter:
    kind: WarehouseKind | None = strawberry.field(default=None, description="Only of this kind.")  # type: ignore[valid-type]
    country: str | None = strawberry.field(default=None, description="Only in this country (ISO 3166-1).")


@strawberry.input(description="Narrow the lot list; all given conditions must hold.")
class LotFilter:
    product_id: strawberry.ID | None = strawberry.field(default=None, description="Only of this product.")
    warehouse_id: strawberry.ID | None = strawberry.field(default=None, description="Only in this warehouse.")
    status: LotStatus | None = strawberry.field(default=None, description="Only in this status.")  # type: ignore[valid-type]


@strawberry.input(description="Narrow the stock levels; all given conditions must hold.")
class StockFilter:
    product_id: strawberry.ID | None = strawberry.field(default=None, description="Only of this product.")
    warehouse_id: strawberry.ID | None = strawberry.field(default=None, description="Only in this warehouse.")


def _placed(
    table: sa.Table, product_id: strawberry.ID | None, warehouse_id: strawberry.ID | None
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if product_id is not None:
        where.append(table.c.product_id == query_id(product_id, "Product", "filter.productId"))
    if warehouse_id is not None:
        where.append(table.c.warehouse_id == query_id(warehouse_id, "Warehouse", "filter.warehouseId"))
    return where


@strawberry.type
class StockQuery:
    @strawberry.field(description="The workspace's warehouses, oldest first.")
    async def warehouses(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[WarehouseFilter | None, strawberry.argument(description=FILTER)] = None,
    ) -> Connection[Warehouse]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None and filter.kind is not None:
            where.append(WAREHOUSES.c.kind == filter.kind)
        if filter is not None and filter.country is not None:
            where.append(WAREHOUSES.c.country == query_text(filter.country, "filter.country").upper())
        return await connection(info.context, WAREHOUSES, Warehouse.from_row, first, after, where)

    @strawberry.field(description="Inbound lots, newest first.")
    async def lots(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[LotFilter | None, strawberry.argument(description=FILTER)] = None,
    ) -> Connection[Lot]:
        where = []
        if filter is not None:
            where = _placed(LOTS, filter.product_id, filter.warehouse_id)
            if filter.status is not None:
                where.append(LOTS.c.status == filter.status)
        return await connection(
            info.context, LOTS, Lot.from_row, first, after, where, newest_first=True, prefetch=(info, PLACED)
        )

    @strawberry.field(
        description="Stock levels per warehouse and product, oldest first. A product has them once a lot "
        "of it has been received."
    )
    async def stock(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[StockFilter | None, strawberry.argument(description=FILTER)] = None,
    ) -> Connection[StockLevel]:
        where = [] if filter is None else _placed(STOCK_LEVELS, filter.product_id, filter.warehouse_id)
        return await connection(
            info.context, STOCK_LEVELS, StockLevel.from_row, first, after, where, prefetch=(info, PLACED)
        )
