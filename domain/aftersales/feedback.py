"""Feedback: the consumer's rating of one order line, once its units were delivered.

One rating per line, for good: feedback is append-only (the service's role may not update it), so what a
consumer said stays what they said. Each rating is also an event on the order's timeline.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from domain.aftersales.model import Feedback
from domain.db.uow import UnitOfWork, constraint_name
from domain.logistics.model import Shipment, ShipmentKind, ShipmentLine, ShipmentStatus
from domain.orders.loading import load_order
from domain.orders.model import OrderLine, OrderStatus
from domain.shared.errors import DomainError, NotFound, SandboxOnly
from domain.shared.text import clean_text

MIN_RATING = 1
MAX_RATING = 5
MAX_TEXT = 2000
ONE_PER_LINE = "uq_feedback_workspace_id_order_line_id"

# The order reached the consumer (some or all of it); what happened after does not take the right to rate.
RATEABLE = frozenset(
    {
        OrderStatus.DELIVERED,
        OrderStatus.PARTIALLY_DELIVERED,
        OrderStatus.PARTIALLY_RETURNED,
        OrderStatus.RETURNED,
        OrderStatus.COMPLETED,
    }
)


@dataclass(frozen=True)
class GiveFeedback:
    order_line_id: uuid.UUID
    rating: int
    text: str | None = None


def check_rating(rating: int) -> int:
    """A rating is a whole number of stars, 1 to 5."""
    if not MIN_RATING <= rating <= MAX_RATING:
        raise DomainError(
            "INVALID_RATING",
            f"A rating is {MIN_RATING} to {MAX_RATING} stars; {rating} is not.",
            ["input", "rating"],
        )
    return rating


async def give_feedback(uow: UnitOfWork, cmd: GiveFeedback) -> uuid.UUID:
    """The consumer rates a delivered order line (sandbox only: in live use ratings come from the
    platforms). The order is locked first, so two ratings of one line cannot both pass the check."""
    if not uow.is_sandbox:
        raise SandboxOnly("Giving feedback, which stands for the consumer,")
    rating = check_rating(cmd.rating)
    text = clean_text(cmd.text, "text", MAX_TEXT, required=False)
    line = await uow.session.scalar(
        sa.select(OrderLine).where(
            OrderLine.workspace_id == uow.workspace_id, OrderLine.id == cmd.order_line_id
        )
    )
    if line is None:
        raise NotFound("order line", ["input", "orderLineId"])
    order = await load_order(uow, line.order_id, lock=True)
    if order.status not in RATEABLE:
        raise DomainError(
            "NOT_DELIVERED",
            f"The order is {order.status}; a line is rated once its units were delivered "
            f"(the order is then {', '.join(sorted(RATEABLE))}).",
            ["input", "orderLineId"],
        )
    if await delivered_units(uow, line.id) == 0:
        raise DomainError(
            "NOT_DELIVERED",
            "None of this line's units was delivered (its parcel did not arrive); rate a line that did.",
            ["input", "orderLineId"],
        )
    if await _rated(uow, line.id):
        raise _already_rated()
    feedback = Feedback(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        order_id=order.id,
        order_line_id=line.id,
        product_id=line.product_id,
        market=order.ship_to_country,
        rating=rating,
        text=text,
        given_at=uow.now,
    )
    uow.session.add(feedback)
    order.record(
        "FEEDBACK_GIVEN",
        uow.now,
        feedbackId=str(feedback.id),
        orderLineId=str(line.id),
        sku=line.sku,
        rating=rating,
    )
    try:
        await uow.flush()
    except IntegrityError as error:
        if constraint_name(error) != ONE_PER_LINE:
            raise
        raise _already_rated() from None
    return feedback.id


async def delivered_units(uow: UnitOfWork, order_line_id: uuid.UUID) -> int:
    """Units of the line in the seller's parcels that reached the consumer."""
    found = await uow.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ShipmentLine.quantity), 0))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(
            ShipmentLine.workspace_id == uow.workspace_id,
            ShipmentLine.order_line_id == order_line_id,
            Shipment.kind == ShipmentKind.OUTBOUND,
            Shipment.status == ShipmentStatus.DELIVERED,
        )
    )
    return int(found or 0)


async def _rated(uow: UnitOfWork, order_line_id: uuid.UUID) -> bool:
    found = await uow.session.scalar(
        sa.select(Feedback.id).where(
            Feedback.workspace_id == uow.workspace_id, Feedback.order_line_id == order_line_id
        )
    )
    return found is not None


def _already_rated() -> DomainError:
    return DomainError(
        "ALREADY_RATED",
        "This line was rated already; a consumer rates each line once, and a rating is not changed.",
        ["input", "orderLineId"],
    )
