"""Timed rules on orders."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from domain.clock.rules import timer_rule
from domain.db.uow import UnitOfWork
from domain.orders.model import CancelReason, Order, OrderStatus

CONFIRMATION_DEADLINE = "order.confirmation_deadline"


@timer_rule(CONFIRMATION_DEADLINE)
async def cancel_unconfirmed(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    """An order the seller did not confirm in the channel's window is cancelled and refunded (it holds no
    stock: stock is reserved on confirmation, but `cancel` releases whatever an order holds)."""
    from domain.orders.handlers import cancel  # the handlers import the clock, which imports this module

    # Locked as orderConfirm and orderCancel lock it, so that the rule and a late confirmation serialise.
    order = (
        await uow.session.scalars(
            sa.select(Order)
            .where(Order.workspace_id == uow.workspace_id, Order.id == order_id)
            .with_for_update()
        )
    ).one()
    if order.status in (OrderStatus.PLACED, OrderStatus.PAID):
        await cancel(uow, order, CancelReason.CONFIRMATION_WINDOW_EXPIRED)
