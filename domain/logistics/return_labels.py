"""Return labels: the consumer's parcel back to the seller, for a return (RMA).

A return travels with the carrier that brought the goods, the other way, on a label the seller pays for
(cost 0 unless the seller says what it paid). It is tracked like any shipment, but no customs
declarations are made for it and it never moves its order: the return follows it instead.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa

from domain.catalog.model import Product
from domain.db.uow import UnitOfWork
from domain.logistics.handlers import TRACKING_SERIAL, add_contents, packages_for
from domain.logistics.lanes import lane_book, make_tracking_number
from domain.logistics.model import (
    Shipment,
    ShipmentKind,
    ShipmentStatus,
)
from domain.orders.model import OrderLine
from domain.shared.errors import DomainError
from domain.shared.money import Money


async def create_return_label(
    uow: UnitOfWork,
    outbound: Shipment,
    return_id: uuid.UUID,
    units: dict[uuid.UUID, int],
    cost: Decimal | None = None,
) -> Shipment:
    """A RETURN shipment of `units` (order line ID -> units) from the consumer back to where `outbound`
    left from, with `outbound`'s carrier and service. `outbound` itself is left as it is."""
    price = Money.of(cost or 0, outbound.cost_currency, ["input", "returnShippingCost"])
    if price.amount < 0:
        raise DomainError(
            "INVALID_AMOUNT", "returnShippingCost cannot be negative.", ["input", "returnShippingCost"]
        )
    lines = {
        line.id: line
        for line in await uow.session.scalars(
            sa.select(OrderLine).where(OrderLine.workspace_id == uow.workspace_id, OrderLine.id.in_(units))
        )
    }
    products = {
        product.id: product
        for product in await uow.session.scalars(
            sa.select(Product).where(
                Product.workspace_id == uow.workspace_id,
                Product.id.in_({line.product_id for line in lines.values()}),
            )
        )
    }
    packages = packages_for((), units, lines, products)
    carrier = lane_book().carriers[outbound.carrier]
    serial = await uow.session.scalar(TRACKING_SERIAL.next_value())
    number = make_tracking_number(carrier, int(serial or 0) % 100_000_000)
    # The way back takes as long as the way out did by the rate card.
    transit = outbound.estimated_delivery - outbound.created_at.date()
    shipment = Shipment(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        order_id=outbound.order_id,
        kind=ShipmentKind.RETURN,
        return_id=return_id,
        method=outbound.method,
        customs_mode=outbound.customs_mode,
        carrier=outbound.carrier,
        service=outbound.service,
        lane_id=outbound.lane_id,
        tracking_number=number,
        label_reference=f"RET-{number}",
        status=ShipmentStatus.LABEL_CREATED,
        status_at=uow.now,
        origin_country=outbound.destination_country,
        destination_country=outbound.origin_country,
        warehouse_id=outbound.warehouse_id,
        incoterm=outbound.incoterm,
        cost=price.amount,
        cost_currency=price.currency,
        estimated_delivery=uow.now.date() + transit,
        stock_shipped=False,
        created_at=uow.now,
        delivered_at=None,
        version=1,
    )
    shipment.record(
        "SHIPMENT_CREATED",
        uow.now,
        orderId=str(outbound.order_id),
        kind=ShipmentKind.RETURN.value,
        returnId=str(return_id),
        outboundTrackingNumber=outbound.tracking_number,
        method=outbound.method.value,
        carrier=outbound.carrier,
        trackingNumber=number,
        cost=str(price.amount),
        currency=price.currency,
        packages=len(packages),
        units=sum(units.values()),
    )
    uow.session.add(shipment)
    await uow.flush()  # the shipment row first: its packages, lines and events refer to it
    add_contents(
        uow,
        shipment,
        packages,
        units,
        shipment.origin_country,
        f"{carrier.name} {outbound.service} (return)",
    )
    return shipment
