"""How a shipment moves, and how its stock and its order follow: shared by carriers' scans and by
customs decisions."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from domain.db.uow import UnitOfWork, already_locked
from domain.logistics import tracking
from domain.logistics.model import (
    EventSource,
    Shipment,
    ShipmentKind,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
    TrackingEventType,
)
from domain.orders.loading import load_order
from domain.orders.model import OrderLine, OrderStatus
from domain.stock.model import StockLevel, StockReservation
from domain.taxes.ledger import reverse_sale_taxes

# Orders none of whose goods reached the consumer: the sale did not happen, and owes no tax.
UNDELIVERED = frozenset({OrderStatus.RETURNED_TO_SENDER, OrderStatus.LOST, OrderStatus.SEIZED})


async def lock_shipment(
    uow: UnitOfWork, shipment_id: uuid.UUID, order_id: uuid.UUID | None = None
) -> Shipment | None:
    """The shipment locked until commit, after its order (`order_id`, when the caller read it already).
    Every command that moves an order, its shipments or their declarations locks them in that order
    (order, shipment, declaration), so two of them on the same order queue rather than deadlock."""
    held = already_locked(uow, Shipment, shipment_id)
    if held is not None:
        return held
    if order_id is None:
        order_id = await uow.session.scalar(
            sa.select(Shipment.order_id).where(
                Shipment.workspace_id == uow.workspace_id, Shipment.id == shipment_id
            )
        )
        if order_id is None:
            return None
    await load_order(uow, order_id, lock=True)
    shipment = (
        await uow.session.scalars(
            sa.select(Shipment)
            .where(Shipment.workspace_id == uow.workspace_id, Shipment.id == shipment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    uow.locked[Shipment, shipment_id] = shipment
    return shipment


async def apply_event(
    uow: UnitOfWork,
    shipment: Shipment,
    type_: TrackingEventType,
    at: datetime,
    event_id: str,
    source: EventSource,
    location: str | None = None,
    detail: str | None = None,
    held_back: str | None = None,
) -> TrackingEvent:
    """Store the event; move the shipment, its stock and its order when it ranks forward (and nothing
    `held_back` says why not)."""
    applied = held_back is None and tracking.moves(shipment.status, shipment.status_at, type_, at)
    event = TrackingEvent(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        shipment_id=shipment.id,
        event_id=event_id,
        type=type_,
        occurred_at=at,
        recorded_at=uow.now,
        location=location,
        detail=detail,
        source=source,
        applied=applied,
    )
    uow.session.add(event)
    if not applied:
        shipment.record(
            "SCAN_IGNORED",
            uow.now,
            type=type_.value,
            occurredAt=at.isoformat(),
            status=shipment.status.value,
            reason=held_back or "it does not move the shipment forward (late, repeated or out of order)",
        )
        return event
    before = shipment.status
    shipment.status = ShipmentStatus(type_.value)
    shipment.status_at = at
    shipment.version += 1
    if shipment.status is ShipmentStatus.DELIVERED:
        shipment.delivered_at = at
    shipment.record(
        "SHIPMENT_" + type_.value, at, **{"from": before.value, "to": type_.value, "source": source.value}
    )
    if shipment.kind is ShipmentKind.RETURN:
        from domain.aftersales.returns import return_parcel_moved  # after-sales builds on shipping

        await return_parcel_moved(uow, shipment)
        return event
    if tracking.RANK[type_] >= tracking.LEFT_SELLER and not shipment.stock_shipped:
        await _ship_stock(uow, shipment)
    await follow_shipments(uow, shipment)
    return event


async def _ship_stock(uow: UnitOfWork, shipment: Shipment) -> None:
    """The goods left: the units it carries leave the stock they were reserved from."""
    shipment.stock_shipped = True
    rows = await uow.session.execute(
        sa.select(ShipmentLine.order_line_id, ShipmentLine.quantity).where(
            ShipmentLine.workspace_id == uow.workspace_id, ShipmentLine.shipment_id == shipment.id
        )
    )
    carried = {line_id: quantity for line_id, quantity in rows}
    held = list(
        await uow.session.scalars(
            sa.select(StockReservation)
            .where(
                StockReservation.workspace_id == uow.workspace_id,
                StockReservation.order_line_id.in_(carried),
                StockReservation.released_at.is_(None),
            )
            .order_by(StockReservation.seq)
            .with_for_update()
        )
    )
    if not held:
        return
    levels = {
        (level.warehouse_id, level.product_id): level
        for level in await uow.session.scalars(
            sa.select(StockLevel)
            .where(
                StockLevel.workspace_id == uow.workspace_id,
                StockLevel.warehouse_id.in_({r.warehouse_id for r in held}),
                StockLevel.product_id.in_({r.product_id for r in held}),
            )
            .order_by(StockLevel.warehouse_id, StockLevel.product_id)
            .with_for_update()
        )
    }
    for reservation in held:
        units = min(carried[reservation.order_line_id], reservation.quantity - reservation.shipped)
        if units > 0:
            levels[reservation.warehouse_id, reservation.product_id].ship(units, uow.now)
            reservation.shipped += units


async def follow_shipments(uow: UnitOfWork, shipment: Shipment) -> None:
    """Bring the order in line with its shipments."""
    order = await load_order(uow, shipment.order_id, lock=True)
    if (
        order.status is OrderStatus.PACKED
        and tracking.RANK.get(shipment.status.value, 0) >= tracking.LEFT_SELLER
        and shipment.status is not ShipmentStatus.CANCELLED
    ):
        order.ship(uow.now, shipment.tracking_number)
    if order.status is not OrderStatus.SHIPPED or shipment.status not in tracking.FINAL:
        return
    await uow.flush()  # the shipment's new status, for the query below
    lines = await uow.session.execute(
        sa.select(OrderLine.id, OrderLine.quantity).where(
            OrderLine.workspace_id == uow.workspace_id, OrderLine.order_id == order.id
        )
    )
    ordered = {line_id: quantity for line_id, quantity in lines}
    rows = await uow.session.execute(
        sa.select(Shipment.status, ShipmentLine.order_line_id, ShipmentLine.quantity)
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .where(
            Shipment.workspace_id == uow.workspace_id,
            Shipment.order_id == order.id,
            Shipment.kind == ShipmentKind.OUTBOUND,
        )
    )
    carried: dict[uuid.UUID, list[tuple[ShipmentStatus, int]]] = defaultdict(list)
    for status, line_id, quantity in rows:
        carried[line_id].append((status, quantity))
    outcome = tracking.order_outcome(ordered, carried)
    if outcome is not None:
        order.conclude(outcome, uow.now)
        if outcome in UNDELIVERED:
            await reverse_sale_taxes(uow, order)
        else:
            from domain.aftersales.window import open_window  # after-sales builds on shipping

            await open_window(uow, order)
