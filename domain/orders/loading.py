"""Loading an order for a command: shared by every stage that moves one."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from domain.db.uow import UnitOfWork, already_locked
from domain.orders.model import Order, OrderLine
from domain.shared.errors import DomainError, NotFound


async def load_order(
    uow: UnitOfWork, order_id: uuid.UUID, expected_version: int | None = None, *, lock: bool = False
) -> Order:
    """The order, optionally locked until commit: commands that move stock lock it first, so that a
    concurrent move of the same order waits and then sees what this one did."""
    order = already_locked(uow, Order, order_id) if lock else None
    if order is None:
        query = sa.select(Order).where(Order.workspace_id == uow.workspace_id, Order.id == order_id)
        order = (await uow.session.scalars(query.with_for_update() if lock else query)).one_or_none()
        if order is None:
            raise NotFound("order", ["input", "orderId"])
        if lock:
            uow.locked[Order, order_id] = order
    if expected_version is not None and order.version != expected_version:
        raise DomainError(
            "CONFLICT",
            f"The order is at version {order.version}, not {expected_version}: it changed since you read it. "
            "Reload it and decide again.",
            ["input", "expectedVersion"],
        )
    return order


async def order_lines(uow: UnitOfWork, order_id: uuid.UUID) -> dict[uuid.UUID, OrderLine]:
    """The order's lines by ID, in the order they were placed."""
    rows = await uow.session.scalars(
        sa.select(OrderLine)
        .where(OrderLine.workspace_id == uow.workspace_id, OrderLine.order_id == order_id)
        .order_by(OrderLine.seq)
    )
    return {line.id: line for line in rows}
