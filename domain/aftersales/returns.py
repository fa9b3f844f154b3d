"""Returns and exchanges: the RMA from request to resolution."""

from __future__ import annotations

import sqlalchemy as sa

from domain.aftersales.model import ReturnRequest, ReturnStatus
from domain.db.uow import UnitOfWork
from domain.logistics.model import Shipment


async def return_arrived(uow: UnitOfWork, shipment: Shipment) -> None:
    """A return's parcel was delivered back to the seller: the return is RECEIVED, waiting for inspection."""
    if shipment.return_id is None:
        return
    rma = (
        await uow.session.scalars(
            sa.select(ReturnRequest)
            .where(ReturnRequest.workspace_id == uow.workspace_id, ReturnRequest.id == shipment.return_id)
            .with_for_update()
        )
    ).one()
    if rma.status is ReturnStatus.IN_TRANSIT:
        rma.received_at = uow.now
        rma.move(ReturnStatus.RECEIVED, uow.now, "RETURN_RECEIVED", trackingNumber=shipment.tracking_number)
