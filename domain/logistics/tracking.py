"""Which scans move a shipment: pure rules, no I/O.

Events are ranked in the order a parcel lives through them. A scan moves the shipment when it ranks above
the current status, or ranks the same as a different status of the same step and happened later (a failed
delivery, then another attempt). Anything else (a late scan, a repeat, one that arrived out of order, or
anything after the shipment ended) is stored but changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from domain.logistics.model import ShipmentStatus, TrackingEventType
from domain.orders.model import OrderStatus

T = TrackingEventType
RANK: dict[str, int] = {
    T.LABEL_CREATED: 0,
    T.PICKED_UP: 1,
    T.EXPORT_CLEARED: 2,
    T.DEPARTED_ORIGIN: 3,
    T.ARRIVED_DESTINATION: 4,
    T.IMPORT_CUSTOMS_HOLD: 5,
    T.IMPORT_CLEARED: 6,
    T.OUT_FOR_DELIVERY: 7,
    T.DELIVERY_FAILED: 7,  # the same step as going out: another attempt may follow
    T.DELIVERED: 10,
    T.LOST: 10,
    T.RETURNED_TO_SENDER: 10,
    T.SEIZED: 10,
}
FINAL = frozenset(
    {
        ShipmentStatus.DELIVERED,
        ShipmentStatus.LOST,
        ShipmentStatus.RETURNED_TO_SENDER,
        ShipmentStatus.SEIZED,
        ShipmentStatus.CANCELLED,
    }
)
LEFT_SELLER = RANK[T.PICKED_UP]  # from this rank on, the goods have left the seller's hands


def moves(
    current: ShipmentStatus, current_at: datetime, event: TrackingEventType, occurred_at: datetime
) -> bool:
    """Whether a scan of `event` at `occurred_at` moves a shipment that is `current` since `current_at`."""
    if current in FINAL:
        return False
    here, there = RANK[current], RANK[event]
    if there > here:
        return True
    return there == here and event.value != current.value and occurred_at > current_at


FAILURES = (ShipmentStatus.SEIZED, ShipmentStatus.LOST, ShipmentStatus.RETURNED_TO_SENDER)  # gravest first


def order_outcome(
    ordered: Mapping[uuid.UUID, int], carried: Mapping[uuid.UUID, list[tuple[ShipmentStatus, int]]]
) -> OrderStatus | None:
    """How an order ended, once every unit is in a shipment and every such shipment has ended: DELIVERED
    when all units were; PARTIALLY_DELIVERED when some were; else the gravest way the rest ended. None
    while anything is still under way (or not shipped at all)."""
    delivered = 0
    failed: set[ShipmentStatus] = set()
    for line_id, quantity in ordered.items():
        live = [(s, q) for s, q in carried.get(line_id, []) if s is not ShipmentStatus.CANCELLED]
        if sum(q for _, q in live) < quantity:
            return None
        for status, units in live:
            if status not in FINAL:
                return None
            if status is ShipmentStatus.DELIVERED:
                delivered += units
            else:
                failed.add(status)
    if not failed:
        return OrderStatus.DELIVERED
    if delivered:
        return OrderStatus.PARTIALLY_DELIVERED
    return next(OrderStatus(s.value) for s in FAILURES if s in failed)


CUSTOMS_EVENTS = frozenset({T.EXPORT_CLEARED, T.IMPORT_CUSTOMS_HOLD, T.IMPORT_CLEARED})
ANYWHERE = frozenset({T.LOST, T.RETURNED_TO_SENDER})  # a parcel can be lost or sent back from any point
RELEASED = "RELEASED"


def customs_gate(
    event: TrackingEventType, export_status: str | None, import_status: str | None
) -> str | None:
    """Why a carrier's scan of a parcel that is declared on its own may not move it, or None if it may.
    Customs say where a parcel stands with customs, through its declarations: a carrier's word on it is
    kept, not applied. And a parcel does not leave its origin before export is released, nor go on to
    delivery before import is."""
    if event in CUSTOMS_EVENTS:
        return "customs clearance comes from the declarations, not from the carrier"
    if event in ANYWHERE:
        return None
    if RANK[event] >= RANK[T.DEPARTED_ORIGIN] and export_status != RELEASED:
        return f"export is not released (the export declaration is {export_status or 'missing'})"
    if RANK[event] > RANK[T.IMPORT_CUSTOMS_HOLD] and import_status != RELEASED:
        return f"import is not released (the import declaration is {import_status or 'missing'})"
    return None
