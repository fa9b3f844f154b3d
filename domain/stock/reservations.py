"""Holding stock for confirmed orders, and giving it back when they are cancelled.

A product is tracked once a lot of it has been received in any warehouse (it then has stock levels);
until then it is sold without reservation, as it was before warehouses existed. An order's tracked lines
are all reserved in one warehouse that serves its destination.

Concurrency: confirmation and cancellation lock the order row first, then the stock levels they touch
`FOR UPDATE` in one fixed order (warehouse ID, then product ID). Concurrent confirmations therefore queue
on the rows they compete for, each sees what the one before it left, and none can deadlock another. The
CHECK constraints on `stock_levels` are the last wall: a bug that oversold would fail the transaction
rather than commit.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa

from domain.db.uow import UnitOfWork
from domain.orders.model import Order, OrderLine
from domain.shared.errors import DomainError
from domain.stock import rules
from domain.stock.model import StockLevel, StockReservation, Warehouse


async def reserve_order_stock(uow: UnitOfWork, order: Order) -> None:
    lines = list(
        await uow.session.scalars(
            sa.select(OrderLine)
            .where(OrderLine.workspace_id == uow.workspace_id, OrderLine.order_id == order.id)
            .order_by(OrderLine.seq)
        )
    )
    tracked = await _tracked(uow, {line.product_id for line in lines})
    lines = [line for line in lines if line.product_id in tracked]
    if not lines:
        return
    needed: dict[uuid.UUID, int] = defaultdict(int)
    for line in lines:
        needed[line.product_id] += line.quantity
    warehouses = [
        w
        for w in await uow.session.scalars(
            sa.select(Warehouse).where(Warehouse.workspace_id == uow.workspace_id).order_by(Warehouse.seq)
        )
        if w.serves(order.ship_to_country, order.channel_id)
    ]
    levels = await _locked_levels(uow, [w.id for w in warehouses], list(needed))
    available = {key: level.available for key, level in levels.items()}
    chosen = rules.choose_warehouse([w.id for w in warehouses], needed, available)
    if chosen is None:
        raise _out_of_stock(order, lines, needed, [w.id for w in warehouses], available)
    warehouse = next(w for w in warehouses if w.id == chosen)
    for line in lines:
        levels[chosen, line.product_id].reserve(line.quantity, uow.now)
        uow.session.add(
            StockReservation(
                id=uuid.uuid4(),
                workspace_id=uow.workspace_id,
                order_id=order.id,
                order_line_id=line.id,
                warehouse_id=chosen,
                product_id=line.product_id,
                quantity=line.quantity,
                shipped=0,
                reserved_at=uow.now,
            )
        )
    order.record(
        "ORDER_STOCK_RESERVED",
        uow.now,
        warehouseId=str(warehouse.id),
        warehouse=warehouse.name,
        lines=[{"sku": line.sku, "quantity": line.quantity} for line in lines],
    )


async def release_order_stock(uow: UnitOfWork, order: Order) -> None:
    """Give back exactly what the order holds; an order that holds nothing changes nothing."""
    held = list(
        await uow.session.scalars(
            sa.select(StockReservation)
            .where(
                StockReservation.workspace_id == uow.workspace_id,
                StockReservation.order_id == order.id,
                StockReservation.released_at.is_(None),
            )
            .order_by(StockReservation.seq)
            .with_for_update()
        )
    )
    if not held:
        return
    levels = await _locked_levels(
        uow, list({r.warehouse_id for r in held}), list({r.product_id for r in held})
    )
    for reservation in held:
        unshipped = reservation.quantity - reservation.shipped
        if unshipped:
            levels[reservation.warehouse_id, reservation.product_id].release(unshipped, uow.now)
        reservation.released_at = uow.now
    order.record(
        "ORDER_STOCK_RELEASED",
        uow.now,
        warehouseIds=sorted({str(r.warehouse_id) for r in held}),
        units=sum(r.quantity - r.shipped for r in held),
    )


async def _tracked(uow: UnitOfWork, products: set[uuid.UUID]) -> set[uuid.UUID]:
    found = await uow.session.scalars(
        sa.select(StockLevel.product_id)
        .where(StockLevel.workspace_id == uow.workspace_id, StockLevel.product_id.in_(products))
        .distinct()
    )
    return set(found)


async def _locked_levels(
    uow: UnitOfWork, warehouses: Sequence[uuid.UUID], products: Sequence[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], StockLevel]:
    if not warehouses or not products:
        return {}
    rows = await uow.session.scalars(
        sa.select(StockLevel)
        .where(
            StockLevel.workspace_id == uow.workspace_id,
            StockLevel.warehouse_id.in_(warehouses),
            StockLevel.product_id.in_(products),
        )
        .order_by(StockLevel.warehouse_id, StockLevel.product_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {(level.warehouse_id, level.product_id): level for level in rows}


def _out_of_stock(
    order: Order,
    lines: list[OrderLine],
    needed: dict[uuid.UUID, int],
    warehouses: list[uuid.UUID],
    available: rules.Available,
) -> DomainError:
    """OUT_OF_STOCK, saying per SKU what the order needs and the most any one serving warehouse has."""
    skus = {line.product_id: line.sku for line in reversed(lines)}
    best = {product: rules.most_available(warehouses, product, available) for product in needed}
    counts = "; ".join(
        f"{skus[product]}: {want} needed, {best[product]} available"
        + (" (short)" if best[product] < want else "")
        for product, want in needed.items()
    )
    to = order.ship_to_country
    if not warehouses:
        lead = f"No warehouse ships to {to} for this order's channel."
    elif all(best[product] >= want for product, want in needed.items()):
        lead = f"Each SKU is available, but no single warehouse that ships to {to} holds the whole order."
    else:
        lead = f"Not enough stock is available in any warehouse that ships to {to}."
    return DomainError(
        "OUT_OF_STOCK",
        f"{lead} {counts}. Receive and inspect more stock there, or cancel the order.",
        ["input", "orderId"],
    )
