"""Replacement orders: goods sent again, free of charge, for an exchange or a complaint.

A replacement is an order of its own, linked to the one it replaces (`replacement_for_order_id`), so that
it is shipped, tracked and cleared like any other while the original order, its shipments and tracking
stay as they were. It is CONFIRMED at once (the seller decided to send it) and holds stock like any
confirmed order. The consumer pays nothing: its subtotal, shipping and total are 0. Its lines keep the
original unit prices, because a free replacement still crosses borders at the goods' value.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from domain.db.uow import UnitOfWork
from domain.orders.model import Order, OrderLine, OrderStatus
from domain.shared.errors import DomainError
from domain.stock.reservations import reserve_order_stock


async def create_replacement_order(
    uow: UnitOfWork, order: Order, lines: Sequence[tuple[OrderLine, int]]
) -> Order:
    """A CONFIRMED order for `quantity` units of each of the original order's `lines`, to the same
    consumer and destination, total 0, stock reserved (OUT_OF_STOCK if no warehouse can serve it).
    The caller holds the original order's lock; both orders record REPLACEMENT_ORDER_CREATED."""
    if not lines:
        raise DomainError("NOTHING_TO_REPLACE", "Name at least one line to send again.", ["input", "lines"])
    for line, quantity in lines:
        if line.order_id != order.id or not 1 <= quantity <= line.quantity:
            raise DomainError(
                "INVALID_QUANTITY",
                f"Line {line.sku}: send again from 1 to {line.quantity} units of a line of this order.",
                ["input", "lines"],
            )
    zero = Decimal(0)
    replacement = Order(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        channel_id=order.channel_id,
        channel_order_id=None,
        status=OrderStatus.CONFIRMED,
        currency=order.currency,
        subtotal=zero,
        shipping=zero,
        total=zero,
        authorized=zero,
        captured=zero,
        refunded=zero,
        charged_back=zero,
        buyer_name=order.buyer_name,
        buyer_email=order.buyer_email,
        ship_to_country=order.ship_to_country,
        placed_at=uow.now,
        confirm_by=uow.now,
        confirmed_at=uow.now,
        order_rate=order.order_rate,
        order_rate_as_of=order.order_rate_as_of,
        replacement_for_order_id=order.id,
        version=1,
    )
    replacement.record(
        "REPLACEMENT_ORDER_CREATED",
        uow.now,
        replacesOrderId=str(order.id),
        lines=sum(quantity for _, quantity in lines),
    )
    order.record("REPLACEMENT_ORDER_CREATED", uow.now, replacementOrderId=str(replacement.id))
    uow.session.add(replacement)
    await uow.flush()  # the order row first: its lines refer to it
    uow.session.add_all(
        OrderLine(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            order_id=replacement.id,
            listing_id=line.listing_id,
            product_id=line.product_id,
            sku=line.sku,
            title=line.title,
            quantity=quantity,
            unit_price=line.unit_price,
            currency=line.currency,
        )
        for line, quantity in lines
    )
    await uow.flush()
    await reserve_order_stock(uow, replacement)
    return replacement
