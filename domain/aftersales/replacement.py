"""Replacement orders: goods sent again, free of charge, for an exchange or a complaint.

A replacement is an order of its own, linked to the one it replaces (`replacement_for_order_id`), so that
it is shipped, tracked and cleared like any other while the original order, its shipments and tracking
stay as they were. It is CONFIRMED at once (the seller decided to send it) and holds stock like any
confirmed order. The consumer pays nothing: its subtotal, shipping and total are 0. Its lines keep the
original unit prices, because a free replacement still crosses borders at the goods' value.

What a complaint may send again is what still has no remedy: units delivered, less those in returns that
are neither DECLINED nor CANCELLED (refunded, exchanged or on their way to one), less those already sent
again by a complaint. An exchange's replacement order is not counted again: it answers units its return
already took off. A replacement line names the listing, not the line it replaces, so units sent again
are set against the original lines of that listing in the order they were placed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal

import sqlalchemy as sa

from domain.aftersales.model import ReturnLine, ReturnRequest, ReturnStatus
from domain.db.uow import UnitOfWork
from domain.orders.model import Order, OrderLine, OrderStatus
from domain.shared.errors import DomainError
from domain.shared.money import Money
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


# Returns whose units no longer count as the consumer's to complain about: refused or withdrawn ones do.
RETURNS_THAT_KEEP_UNITS = (ReturnStatus.DECLINED, ReturnStatus.CANCELLED)


def without_remedy(
    lines: Sequence[OrderLine],
    delivered: Mapping[uuid.UUID, int],
    in_returns: Mapping[uuid.UUID, int],
    sent_again: Mapping[uuid.UUID, int],
) -> dict[uuid.UUID, int]:
    """Units of each line (in the order given) that a complaint may still send again: delivered less in
    returns, by line; then less the units already sent again, by listing, taken from that listing's lines
    in turn. Never below 0."""
    left = {line.id: max(delivered.get(line.id, 0) - in_returns.get(line.id, 0), 0) for line in lines}
    taken = dict(sent_again)
    for line in lines:
        take = min(left[line.id], taken.get(line.listing_id, 0))
        left[line.id] -= take
        if take:
            taken[line.listing_id] -= take
    return left


async def units_in_returns(uow: UnitOfWork, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Units of each of the order's lines in returns that are neither DECLINED nor CANCELLED."""
    rows = await uow.session.execute(
        sa.select(ReturnLine.order_line_id, sa.func.sum(ReturnLine.quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .where(
            ReturnRequest.workspace_id == uow.workspace_id,
            ReturnRequest.order_id == order_id,
            ReturnRequest.status.not_in(RETURNS_THAT_KEEP_UNITS),
        )
        .group_by(ReturnLine.order_line_id)
    )
    return {line_id: int(units) for line_id, units in rows}


async def units_sent_again(uow: UnitOfWork, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Units of each listing on the order's replacement orders that were not cancelled, leaving out the
    replacement orders of exchanges (their units are counted as returned)."""
    exchanges = sa.select(ReturnRequest.replacement_order_id).where(
        ReturnRequest.workspace_id == uow.workspace_id,
        ReturnRequest.order_id == order_id,
        ReturnRequest.replacement_order_id.is_not(None),
    )
    rows = await uow.session.execute(
        sa.select(OrderLine.listing_id, sa.func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.workspace_id == uow.workspace_id,
            Order.replacement_for_order_id == order_id,
            Order.status != OrderStatus.CANCELLED,
            Order.id.not_in(exchanges),
        )
        .group_by(OrderLine.listing_id)
    )
    return {listing_id: int(units) for listing_id, units in rows}


def check_paid_for(value: Money, order: Order, where: list[str]) -> None:
    """Goods are sent again (an exchange, a complaint's replacement) only for goods still paid for: not
    once the money has gone back (a refund, a chargeback), which would give them away."""
    if value.amount > order.refundable:
        raise DomainError(
            "ALREADY_REFUNDED",
            f"The order holds {Money.of(order.refundable, order.currency)} of the {value} these units were "
            "paid: the money has gone back to the consumer (a refund or a chargeback), so no replacement "
            "is sent. Refund or decline instead.",
            where,
        )
