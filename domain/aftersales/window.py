"""The return window: once it closes after delivery with no return open, the order is COMPLETED.

The window is the channel's `return_window_days`, counted from when the order's shipments ended (its
`completed_at`). A return still open when it closes keeps the order open; the rule looks again a day
later, until none is.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from domain.aftersales.model import RETURN_FINAL, ReturnRequest
from domain.catalog.model import Channel
from domain.clock.rules import schedule, timer_rule
from domain.db.uow import UnitOfWork
from domain.orders.loading import load_order
from domain.orders.model import Order, OrderStatus

RETURN_WINDOW = "aftersales.return_window"
OPEN_TO_RETURNS = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.PARTIALLY_DELIVERED, OrderStatus.PARTIALLY_RETURNED}
)
LOOK_AGAIN = timedelta(days=1)


async def open_window(uow: UnitOfWork, order: Order) -> None:
    """Called when an order's goods reached the consumer: schedule the window's close."""
    days = await uow.session.scalar(
        sa.select(Channel.return_window_days).where(
            Channel.workspace_id == uow.workspace_id, Channel.id == order.channel_id
        )
    )
    # The window includes its last instant (a return asked at exactly N days is in time): it is closed
    # from the next second.
    closes = (order.completed_at or uow.now) + timedelta(days=days or 0, seconds=1)
    schedule(uow, RETURN_WINDOW, order.id, closes)


@timer_rule(RETURN_WINDOW)
async def close_window(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    order = await load_order(uow, order_id, lock=True)
    if order.status not in OPEN_TO_RETURNS:
        return
    still_open = await uow.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReturnRequest)
        .where(
            ReturnRequest.workspace_id == uow.workspace_id,
            ReturnRequest.order_id == order.id,
            ReturnRequest.status.not_in(RETURN_FINAL),
        )
    )
    if still_open:
        schedule(uow, RETURN_WINDOW, order.id, uow.now + LOOK_AGAIN)
        return
    order.complete(uow.now)
