"""Loading an after-sales record for a command: its order locked first, then the record, as every command
on an order locks (order, shipment, then the record)."""

from __future__ import annotations

import uuid
from typing import Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from domain.db.uow import UnitOfWork
from domain.orders.loading import load_order
from domain.orders.model import Order
from domain.shared.errors import DomainError, NotFound


class OrderOwned(Protocol):
    id: InstrumentedAttribute[uuid.UUID]
    workspace_id: InstrumentedAttribute[uuid.UUID]
    order_id: InstrumentedAttribute[uuid.UUID]
    version: InstrumentedAttribute[int]


M = TypeVar("M")


async def lock_with_order(
    uow: UnitOfWork,
    model: type[M],
    record_id: uuid.UUID,
    what: str,
    field: list[str],
    expected_version: int | None = None,
) -> tuple[Order, M]:
    """The record's order, then the record, both locked until commit; NOT_FOUND if the workspace has no
    such record, CONFLICT if it is not at `expected_version`."""
    table: OrderOwned = model  # type: ignore[assignment]
    order_id = await uow.session.scalar(
        sa.select(table.order_id).where(table.workspace_id == uow.workspace_id, table.id == record_id)
    )
    if order_id is None:
        raise NotFound(what, field)
    order = await load_order(uow, order_id, lock=True)
    found = (
        await uow.session.scalars(
            sa.select(model)
            .where(table.workspace_id == uow.workspace_id, table.id == record_id)
            .with_for_update()
        )
    ).one()
    version: int = found.version  # type: ignore[attr-defined]
    if expected_version is not None and version != expected_version:
        raise DomainError(
            "CONFLICT",
            f"The {what} is at version {version}, not {expected_version}: it changed since you read it. "
            "Reload it and decide again.",
            ["input", "expectedVersion"],
        )
    return order, found
