"""Returns and exchanges: the RMA from request to resolution.

REQUESTED (the consumer asks, for delivered units, within the channel's return window) -> APPROVED or
DECLINED by the seller. A returnless refund is refunded and RESOLVED at approval; any other resolution
gets a return label, and the return is IN_TRANSIT once the carrier picks the parcel up and RECEIVED when
it is delivered back. Inspection restocks or disposes of what came back and carries the resolution out:
a refund through the order's payment ledger, or a replacement order for an exchange. The consumer may
withdraw (CANCELLED) until the parcel has left.

Locks: the order first, then the return's shipment (if any), then the return, then stock levels.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.aftersales.model import (
    BUILTIN_REASONS,
    RETURN_TRANSITIONS,
    IllegalMove,
    Resolution,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
)
from domain.aftersales.replacement import (
    check_paid_for,
    create_replacement_order,
    units_sent_again,
    without_remedy,
)
from domain.catalog.model import Channel
from domain.db.uow import UnitOfWork, constraint_name, get_owned
from domain.logistics import tracking
from domain.logistics.handlers import cancel_label
from domain.logistics.model import Shipment, ShipmentKind, ShipmentLine, ShipmentStatus
from domain.logistics.progress import lock_shipment
from domain.logistics.return_labels import create_return_label
from domain.orders.handlers import payment_method as refund_method
from domain.orders.loading import load_order, order_lines
from domain.orders.model import Order, OrderLine, OrderStatus
from domain.shared.errors import DomainError, NotFound, SandboxOnly
from domain.shared.money import Money
from domain.shared.text import clean_text, required_text
from domain.stock.handlers import empty_level
from domain.stock.model import StockLevel, Warehouse

MAX_LINES = 100
BUILTIN_LABELS = {
    "DEFECTIVE": "Defective: it does not work",
    "NOT_AS_DESCRIBED": "Not as described in the listing",
    "WRONG_ITEM": "Wrong item sent",
    "DAMAGED_IN_TRANSIT": "Damaged in transit",
    "SIZE_FIT": "Wrong size or fit",
    "NO_LONGER_NEEDED": "No longer needed",
    "LATE_DELIVERY": "Arrived too late",
}
assert set(BUILTIN_LABELS) == set(BUILTIN_REASONS)
REASON_CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
REASON_TAKEN = "uq_return_reasons_workspace_id_code"
RETURNABLE = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.PARTIALLY_DELIVERED, OrderStatus.PARTIALLY_RETURNED}
)
# Returns whose units are spoken for: open ones and resolved ones (declined and cancelled ones free them).
HOLDING = frozenset(ReturnStatus) - {ReturnStatus.DECLINED, ReturnStatus.CANCELLED}
REFUNDS = frozenset({Resolution.REFUND, Resolution.PARTIAL_REFUND, Resolution.RETURNLESS_REFUND})
S = ReturnStatus


# -- pure rules ---------------------------------------------------------------------------------------


def returnable_units(delivered: int, held: int) -> int:
    """Units of a line the consumer may still ask to return: delivered, less those in open or resolved
    returns."""
    return max(delivered - held, 0)


def status_after_returns(
    delivered: Mapping[uuid.UUID, int], resolved: Mapping[uuid.UUID, int]
) -> OrderStatus | None:
    """The order's after-sales status: RETURNED when every delivered unit was returned (or refunded
    returnless), PARTIALLY_RETURNED when some were, None when none were."""
    back = sum(min(resolved.get(line_id, 0), units) for line_id, units in delivered.items())
    if back == 0:
        return None
    return OrderStatus.RETURNED if back >= sum(delivered.values()) else OrderStatus.PARTIALLY_RETURNED


def refund_due(resolution: Resolution, value: Money, asked: Decimal | None) -> Money | None:
    """What a resolution refunds: the lines' value, or the amount agreed for a partial refund; None for
    an exchange."""
    if resolution is Resolution.EXCHANGE:
        return None
    if resolution is Resolution.PARTIAL_REFUND:
        assert asked is not None
        return Money.of(asked, value.currency)
    return value


def check_partial_amount(resolution: Resolution, asked: Decimal | None, value: Money) -> Decimal | None:
    """The amount agreed for a PARTIAL_REFUND: above zero and at most the lines' value. Refused for any
    other resolution, which needs none."""
    where = ["input", "refundAmount"]
    if resolution is not Resolution.PARTIAL_REFUND:
        if asked is not None:
            raise DomainError(
                "INVALID_AMOUNT",
                f"refundAmount is for PARTIAL_REFUND only; {resolution} refunds "
                + ("nothing." if resolution is Resolution.EXCHANGE else f"the lines' value, {value}."),
                where,
            )
        return None
    if asked is None:
        raise DomainError(
            "INVALID_AMOUNT", f"A PARTIAL_REFUND needs refundAmount: above 0, at most {value}.", where
        )
    amount = Money.of(asked, value.currency, where)
    if amount.amount <= 0:
        raise DomainError("INVALID_AMOUNT", "refundAmount must be above zero.", where)
    if amount.amount > value.amount:
        raise DomainError(
            "AMOUNT_TOO_LARGE",
            f"refundAmount {amount} is more than the returned lines are worth ({value}). "
            f"Give at most {value.amount}, or choose REFUND.",
            where,
        )
    return amount.amount


# -- the seller's own reasons -------------------------------------------------------------------------


@dataclass(frozen=True)
class AddReturnReason:
    code: str
    label: str


async def add_return_reason(uow: UnitOfWork, cmd: AddReturnReason) -> uuid.UUID:
    code = required_text(cmd.code, "code", 40)
    if not REASON_CODE.match(code):
        raise DomainError(
            "INVALID_REASON_CODE",
            f"'{code}' is not an UPPER_SNAKE code: capital letters and digits, words joined by one "
            "underscore, starting with a letter (e.g. ARRIVED_LATE).",
            ["input", "code"],
        )
    label = required_text(cmd.label, "label", 200)
    if code in BUILTIN_REASONS or await _own_reason(uow, code):
        raise _reason_taken(code)
    reason = ReturnReason(
        id=uuid.uuid4(), workspace_id=uow.workspace_id, code=code, label=label, created_at=uow.now
    )
    uow.session.add(reason)
    try:
        await uow.flush()
    except IntegrityError as error:  # the same code added at the same moment
        if constraint_name(error) != REASON_TAKEN:
            raise
        raise _reason_taken(code) from None
    return reason.id


def _reason_taken(code: str) -> DomainError:
    where = "a built-in reason" if code in BUILTIN_REASONS else "one of your reasons already"
    return DomainError("DUPLICATE_REASON", f"{code} is {where}; codes are unique.", ["input", "code"])


@dataclass(frozen=True)
class ReasonView:
    code: str
    label: str
    built_in: bool


async def return_reasons(conn: AsyncConnection, workspace_id: uuid.UUID) -> list[ReasonView]:
    """The reasons a consumer can give: the built-in ones, then the workspace's own, oldest first."""
    rows = await conn.execute(
        sa.select(ReturnReason.code, ReturnReason.label)
        .where(ReturnReason.workspace_id == workspace_id)
        .order_by(ReturnReason.seq)
    )
    built_in = [ReasonView(code, label, True) for code, label in BUILTIN_LABELS.items()]
    return built_in + [ReasonView(code, label, False) for code, label in rows]


async def _own_reason(uow: UnitOfWork, code: str) -> bool:
    found = await uow.session.scalar(
        sa.select(ReturnReason.id).where(
            ReturnReason.workspace_id == uow.workspace_id, ReturnReason.code == code
        )
    )
    return found is not None


# -- the consumer asks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnLineInput:
    order_line_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class RequestReturn:
    """The consumer asks to return delivered units (sandbox: it stands for the consumer)."""

    order_id: uuid.UUID
    lines: tuple[ReturnLineInput, ...]
    reason: str
    comment: str | None = None


async def request_return(uow: UnitOfWork, cmd: RequestReturn) -> uuid.UUID:
    if not uow.is_sandbox:
        raise SandboxOnly("Asking for a return on the consumer's behalf")
    order = await load_order(uow, cmd.order_id, lock=True)
    await _check_returnable(uow, order)
    reason = required_text(cmd.reason, "reason", 40).upper()
    if reason not in BUILTIN_REASONS and not await _own_reason(uow, reason):
        raise DomainError(
            "UNKNOWN_REASON",
            f"'{cmd.reason[:40]}' is not a return reason here. Use one of {', '.join(BUILTIN_REASONS)}, or "
            "one added with returnReasonAdd (see returnReasons).",
            ["input", "reason"],
        )
    comment = clean_text(cmd.comment, "comment", 1000, required=False)
    lines = await order_lines(uow, order.id)
    units = _asked_units(cmd.lines, lines)
    delivered = await delivered_units(uow, order.id)
    held = await _units_in_returns(uow, order.id, HOLDING)
    # Units a complaint already sent again stand for delivered ones: they are not returned for money too.
    still_out = without_remedy(list(lines.values()), delivered, held, await units_sent_again(uow, order.id))
    for i, (line_id, quantity) in enumerate(units.items()):
        where = ["input", "lines", str(i)]
        sku = lines[line_id].sku
        if delivered.get(line_id, 0) == 0:
            raise DomainError(
                "NOT_DELIVERED",
                f"Line {i + 1} ({sku}): none of its units has been delivered; only delivered units can "
                "be returned.",
                [*where, "orderLineId"],
            )
        left = min(returnable_units(delivered[line_id], held.get(line_id, 0)), still_out.get(line_id, 0))
        if left == 0:
            raise DomainError(
                "ALREADY_RETURNED",
                f"Line {i + 1} ({sku}): every delivered unit is already in a return.",
                [*where, "orderLineId"],
            )
        if quantity > left:
            raise DomainError(
                "QUANTITY_ABOVE_DELIVERED",
                f"Line {i + 1} ({sku}): {left} delivered unit(s) can still be returned; ask for 1 to {left}.",
                [*where, "quantity"],
            )
    rma = ReturnRequest(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        order_id=order.id,
        status=ReturnStatus.REQUESTED,
        reason=reason,
        comment=comment,
        currency=order.currency,
        requested_at=uow.now,
        version=1,
    )
    uow.session.add(rma)
    await uow.flush()  # the return row first: its lines refer to it
    uow.session.add_all(
        ReturnLine(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            return_id=rma.id,
            order_line_id=line_id,
            product_id=lines[line_id].product_id,
            quantity=quantity,
            restocked=0,
            disposed=0,
        )
        for line_id, quantity in units.items()
    )
    described = [{"sku": lines[line_id].sku, "quantity": n} for line_id, n in units.items()]
    rma.record("RETURN_REQUESTED", uow.now, reason=reason, lines=described)
    order.record("RETURN_REQUESTED", uow.now, returnId=str(rma.id), reason=reason, lines=described)
    return rma.id


async def _check_returnable(uow: UnitOfWork, order: Order) -> None:
    where = ["input", "orderId"]
    if order.status is OrderStatus.RETURNED:
        raise DomainError("ALREADY_RETURNED", "Every delivered unit of this order has been returned.", where)
    if order.status is OrderStatus.COMPLETED:
        raise DomainError("RETURN_WINDOW_CLOSED", "The order is COMPLETED: its return window closed.", where)
    if order.status not in RETURNABLE or order.completed_at is None:
        raise DomainError(
            "NOT_DELIVERED",
            f"The order is {order.status}; returns are asked for once it is delivered "
            "(DELIVERED, PARTIALLY_DELIVERED or PARTIALLY_RETURNED).",
            where,
        )
    channel = await get_owned(uow, Channel, order.channel_id, "channel", where)
    closes = order.completed_at + timedelta(days=channel.return_window_days)
    if uow.now > closes:
        raise DomainError(
            "RETURN_WINDOW_CLOSED",
            f"The return window of channel '{channel.name}' is {channel.return_window_days} days from "
            f"delivery; it closed at {closes.isoformat()}.",
            where,
        )


def _asked_units(
    asked: tuple[ReturnLineInput, ...], lines: Mapping[uuid.UUID, OrderLine]
) -> dict[uuid.UUID, int]:
    if not asked:
        raise DomainError("EMPTY_RETURN", "A return needs at least one line.", ["input", "lines"])
    if len(asked) > MAX_LINES:
        raise DomainError("TOO_MANY_LINES", f"A return has at most {MAX_LINES} lines.", ["input", "lines"])
    units: dict[uuid.UUID, int] = {}
    for i, item in enumerate(asked):
        where = ["input", "lines", str(i)]
        if item.order_line_id not in lines:
            raise DomainError(
                "NOT_FOUND", f"Line {i + 1}: the order has no line with that ID.", [*where, "orderLineId"]
            )
        if item.order_line_id in units:
            raise DomainError(
                "DUPLICATE_LINE", f"Line {i + 1}: that line is named twice.", [*where, "orderLineId"]
            )
        if item.quantity < 1:
            raise DomainError(
                "INVALID_QUANTITY", f"Line {i + 1}: quantity must be 1 or more.", [*where, "quantity"]
            )
        units[item.order_line_id] = item.quantity
    return units


async def delivered_units(uow: UnitOfWork, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Units of each of the order's lines in the seller's parcels that reached the consumer."""
    rows = await uow.session.execute(
        sa.select(ShipmentLine.order_line_id, sa.func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(
            ShipmentLine.workspace_id == uow.workspace_id,
            ShipmentLine.order_id == order_id,
            Shipment.kind == ShipmentKind.OUTBOUND,
            Shipment.status == ShipmentStatus.DELIVERED,
        )
        .group_by(ShipmentLine.order_line_id)
    )
    return {line_id: int(units) for line_id, units in rows}


async def _units_in_returns(
    uow: UnitOfWork, order_id: uuid.UUID, statuses: frozenset[ReturnStatus]
) -> dict[uuid.UUID, int]:
    rows = await uow.session.execute(
        sa.select(ReturnLine.order_line_id, sa.func.sum(ReturnLine.quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .where(
            ReturnRequest.workspace_id == uow.workspace_id,
            ReturnRequest.order_id == order_id,
            ReturnRequest.status.in_(statuses),
        )
        .group_by(ReturnLine.order_line_id)
    )
    return {line_id: int(units) for line_id, units in rows}


async def _units_settled(uow: UnitOfWork, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Units of each line that resolved returns took back: those that came back to inspection, or all
    of a return settled without one (a returnless refund, a parcel the carrier lost on the way back)."""
    units = sa.case(
        (ReturnRequest.received_at.is_(None), ReturnLine.quantity),
        else_=ReturnLine.restocked + ReturnLine.disposed,
    )
    rows = await uow.session.execute(
        sa.select(ReturnLine.order_line_id, sa.func.sum(units))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .where(
            ReturnRequest.workspace_id == uow.workspace_id,
            ReturnRequest.order_id == order_id,
            ReturnRequest.status == S.RESOLVED,
        )
        .group_by(ReturnLine.order_line_id)
    )
    return {line_id: int(n) for line_id, n in rows}


# -- loading a return for a command -------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    order: Order
    rma: ReturnRequest
    lines: list[ReturnLine]


async def load_return(
    uow: UnitOfWork, return_id: uuid.UUID, expected_version: int | None = None, *, with_shipment: bool = False
) -> Loaded:
    """The return, its order and its lines, locked in the house order: order, (shipment,) return."""
    found = (
        await uow.session.execute(
            sa.select(ReturnRequest.order_id, ReturnRequest.return_shipment_id).where(
                ReturnRequest.workspace_id == uow.workspace_id, ReturnRequest.id == return_id
            )
        )
    ).one_or_none()
    if found is None:
        raise NotFound("return", ["input", "returnId"])
    order = await load_order(uow, found.order_id, lock=True)
    if with_shipment and found.return_shipment_id is not None:
        await lock_shipment(uow, found.return_shipment_id)
    rma = (
        await uow.session.scalars(
            sa.select(ReturnRequest)
            .where(ReturnRequest.workspace_id == uow.workspace_id, ReturnRequest.id == return_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    if expected_version is not None and rma.version != expected_version:
        raise DomainError(
            "CONFLICT",
            f"The return is at version {rma.version}, not {expected_version}: it changed since you read it. "
            "Reload it and decide again.",
            ["input", "expectedVersion"],
        )
    lines = list(
        await uow.session.scalars(
            sa.select(ReturnLine)
            .where(ReturnLine.workspace_id == uow.workspace_id, ReturnLine.return_id == rma.id)
            .order_by(ReturnLine.seq)
        )
    )
    return Loaded(order, rma, lines)


def _can(rma: ReturnRequest, to: ReturnStatus) -> None:
    """Refuse a move the transition table does not allow, before any other check."""
    if to not in RETURN_TRANSITIONS[rma.status]:
        raise IllegalMove(
            "return", rma.status, to, sorted(RETURN_TRANSITIONS[rma.status]), ["input", "returnId"]
        )


async def _value(
    uow: UnitOfWork, lines: list[ReturnLine], currency: str, units: Mapping[uuid.UUID, int] | None = None
) -> Money:
    """What the returned units were sold for (shipping is not part of it); with `units`, only that many
    of each line (those that came back, say)."""
    rows = await uow.session.execute(
        sa.select(OrderLine.id, OrderLine.unit_price).where(
            OrderLine.workspace_id == uow.workspace_id,
            OrderLine.id.in_([line.order_line_id for line in lines]),
        )
    )
    prices: dict[uuid.UUID, Decimal] = {line_id: price for line_id, price in rows}
    total = Money.zero(currency)
    for line in lines:
        count = line.quantity if units is None else units.get(line.order_line_id, 0)
        total += Money.of(prices[line.order_line_id], currency) * count
    return total


# -- the seller decides -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApproveReturn:
    return_id: uuid.UUID
    resolution: Resolution
    refund_amount: Decimal | None = None  # PARTIAL_REFUND only
    return_shipping_cost: Decimal | None = None  # what the seller paid for the return label; None: 0
    expected_version: int | None = None


async def approve_return(uow: UnitOfWork, cmd: ApproveReturn) -> uuid.UUID:
    loaded = await load_return(uow, cmd.return_id, cmd.expected_version)
    order, rma = loaded.order, loaded.rma
    _can(rma, S.APPROVED)
    value = await _value(uow, loaded.lines, rma.currency)
    asked = check_partial_amount(cmd.resolution, cmd.refund_amount, value)
    refund = refund_due(cmd.resolution, value, asked)
    if refund is not None and refund.amount > order.refundable:
        raise _above_held(refund, order, ["input", "resolution" if asked is None else "refundAmount"])
    if cmd.resolution is Resolution.EXCHANGE:
        check_paid_for(value, order, ["input", "resolution"])
    if cmd.resolution is Resolution.RETURNLESS_REFUND and cmd.return_shipping_cost is not None:
        raise DomainError(
            "INVALID_AMOUNT",
            "A RETURNLESS_REFUND has no return parcel, so no returnShippingCost.",
            ["input", "returnShippingCost"],
        )
    rma.resolution = cmd.resolution
    rma.refund_amount = asked
    rma.decided_at = uow.now
    data: dict[str, object] = {"resolution": cmd.resolution.value}
    if refund is not None:
        data["refund"] = str(refund.amount)
    rma.move(S.APPROVED, uow.now, "RETURN_APPROVED", **data)
    order.record("RETURN_APPROVED", uow.now, returnId=str(rma.id), returnStatus=S.APPROVED.value, **data)
    if cmd.resolution is Resolution.RETURNLESS_REFUND:
        assert refund is not None
        await _resolve(uow, loaded, refund)
        return rma.id
    outbound = await _outbound_for(uow, loaded.lines)
    label = await create_return_label(
        uow,
        outbound,
        rma.id,
        {line.order_line_id: line.quantity for line in loaded.lines},
        cmd.return_shipping_cost,
    )
    rma.return_shipment_id = label.id
    order.record(
        "RETURN_LABEL_CREATED",
        uow.now,
        returnId=str(rma.id),
        trackingNumber=label.tracking_number,
        carrier=label.carrier,
    )
    return rma.id


def _above_held(refund: Money, order: Order, where: list[str]) -> DomainError:
    held = Money.of(order.refundable, order.currency)
    return DomainError(
        "AMOUNT_TOO_LARGE",
        f"Refunding {refund} is more than the {held} held for this order (captured, less what was refunded "
        "or charged back already). A refund never exceeds what was captured.",
        where,
    )


async def _outbound_for(uow: UnitOfWork, lines: list[ReturnLine]) -> Shipment:
    """The delivered parcel that brought the returned units (the first, if several did)."""
    found = (
        await uow.session.scalars(
            sa.select(Shipment)
            .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
            .where(
                Shipment.workspace_id == uow.workspace_id,
                Shipment.kind == ShipmentKind.OUTBOUND,
                Shipment.status == ShipmentStatus.DELIVERED,
                ShipmentLine.order_line_id.in_([line.order_line_id for line in lines]),
            )
            .order_by(Shipment.seq)
            .limit(1)
        )
    ).one()
    return found


@dataclass(frozen=True)
class DeclineReturn:
    return_id: uuid.UUID
    reason: str
    expected_version: int | None = None


async def decline_return(uow: UnitOfWork, cmd: DeclineReturn) -> uuid.UUID:
    loaded = await load_return(uow, cmd.return_id, cmd.expected_version)
    _can(loaded.rma, S.DECLINED)
    reason = required_text(cmd.reason, "reason", 500)
    loaded.rma.decline_reason = reason
    loaded.rma.decided_at = uow.now
    loaded.rma.move(S.DECLINED, uow.now, "RETURN_DECLINED", reason=reason)
    loaded.order.record(
        "RETURN_DECLINED", uow.now, returnId=str(loaded.rma.id), returnStatus=S.DECLINED.value, reason=reason
    )
    return loaded.rma.id


@dataclass(frozen=True)
class CancelReturn:
    """The consumer withdraws the return (sandbox: it stands for the consumer)."""

    return_id: uuid.UUID
    expected_version: int | None = None


async def cancel_return(uow: UnitOfWork, cmd: CancelReturn) -> uuid.UUID:
    """Withdraw a return before its parcel has left: an unused return label is voided."""
    if not uow.is_sandbox:
        raise SandboxOnly("Withdrawing a return on the consumer's behalf")
    loaded = await load_return(uow, cmd.return_id, cmd.expected_version, with_shipment=True)
    rma = loaded.rma
    _can(rma, S.CANCELLED)
    if rma.return_shipment_id is not None:
        label = await uow.session.get_one(Shipment, rma.return_shipment_id)
        if label.status is ShipmentStatus.LABEL_CREATED:
            await cancel_label(uow, label)
    rma.move(S.CANCELLED, uow.now, "RETURN_CANCELLED")
    loaded.order.record("RETURN_CANCELLED", uow.now, returnId=str(rma.id), returnStatus=S.CANCELLED.value)
    return rma.id


# -- the parcel comes back ----------------------------------------------------------------------------


async def return_parcel_moved(uow: UnitOfWork, shipment: Shipment) -> None:
    """A return's parcel moved: once the carrier has it the return is IN_TRANSIT; once it is delivered
    back to the seller it is RECEIVED, waiting for inspection. (The order and shipment are locked by the
    scan already.)"""
    if shipment.return_id is None:
        return
    order = await load_order(uow, shipment.order_id, lock=True)
    rma = (
        await uow.session.scalars(
            sa.select(ReturnRequest)
            .where(ReturnRequest.workspace_id == uow.workspace_id, ReturnRequest.id == shipment.return_id)
            .with_for_update()
        )
    ).one()
    number = shipment.tracking_number
    left = tracking.RANK[shipment.status.value] >= tracking.LEFT_SELLER
    if rma.status is S.APPROVED and left and shipment.status is not ShipmentStatus.CANCELLED:
        rma.move(S.IN_TRANSIT, uow.now, "RETURN_IN_TRANSIT", trackingNumber=number)
        order.record("RETURN_IN_TRANSIT", uow.now, returnId=str(rma.id), returnStatus=S.IN_TRANSIT.value)
    if rma.status is S.IN_TRANSIT and shipment.status is ShipmentStatus.DELIVERED:
        rma.received_at = uow.now
        rma.move(S.RECEIVED, uow.now, "RETURN_RECEIVED", trackingNumber=number)
        order.record("RETURN_RECEIVED", uow.now, returnId=str(rma.id), returnStatus=S.RECEIVED.value)


# -- inspection and resolution ------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionLine:
    order_line_id: uuid.UUID
    restock: int
    dispose: int


@dataclass(frozen=True)
class InspectReturn:
    return_id: uuid.UUID
    lines: tuple[InspectionLine, ...]
    warehouse_id: uuid.UUID | None = None  # where restocked units go; None: the warehouse they left from
    # The seller may settle differently from what was approved, once it sees what came back (an exchange
    # whose replacement is out of stock is refunded instead, say).
    resolution: Resolution | None = None
    refund_amount: Decimal | None = None
    expected_version: int | None = None


async def inspect_return(uow: UnitOfWork, cmd: InspectReturn) -> uuid.UUID:
    """What came back is restocked (on hand again) or disposed of (counted, not on hand); units not named
    are counted as missing. Then the resolution is carried out: the refund, or the replacement order."""
    loaded = await load_return(uow, cmd.return_id, cmd.expected_version)
    rma = loaded.rma
    parcel_gone = rma.status is S.IN_TRANSIT and await _parcel_ended(uow, rma)
    if rma.status is not S.RECEIVED and not parcel_gone:  # returnless refunds are never inspected
        raise DomainError(
            "NOT_RECEIVED",
            f"The return is {rma.status}; it is inspected once its parcel is back (RECEIVED), or once the "
            "carrier has lost it or sent it back.",
            ["input", "returnId"],
        )
    if parcel_gone and any(item.restock or item.dispose for item in cmd.lines):
        raise DomainError(
            "INVALID_QUANTITY",
            "The return's parcel never came back: nothing can be restocked or disposed of.",
            ["input", "lines"],
        )
    by_line = {line.order_line_id: line for line in loaded.lines}
    seen: set[uuid.UUID] = set()
    for i, item in enumerate(cmd.lines):
        where = ["input", "lines", str(i)]
        line = by_line.get(item.order_line_id)
        if line is None:
            raise DomainError(
                "NOT_IN_RETURN",
                f"Line {i + 1}: that order line is not in this return.",
                [*where, "orderLineId"],
            )
        if item.order_line_id in seen:
            raise DomainError(
                "DUPLICATE_LINE", f"Line {i + 1}: that line is named twice.", [*where, "orderLineId"]
            )
        seen.add(item.order_line_id)
        if item.restock < 0 or item.dispose < 0 or item.restock + item.dispose > line.quantity:
            raise DomainError(
                "INVALID_QUANTITY",
                f"Line {i + 1}: restock and dispose are 0 or more, together at most the {line.quantity} "
                "unit(s) returned.",
                [*where, "restock"],
            )
    warehouse_id = await _restock_warehouse(uow, rma, cmd.warehouse_id)
    inspected = {item.order_line_id: item for item in cmd.lines}
    await _put_away(uow, loaded.lines, inspected, warehouse_id)
    report = []
    for line in loaded.lines:
        done = inspected.get(line.order_line_id)
        line.restocked = done.restock if done else 0
        line.disposed = done.dispose if done else 0
        report.append(
            {
                "orderLineId": str(line.order_line_id),
                "returned": line.quantity,
                "restocked": line.restocked,
                "disposed": line.disposed,
                "missing": line.quantity - line.restocked - line.disposed,
            }
        )
    rma.record("RETURN_INSPECTED", uow.now, lines=report)
    loaded.order.record("RETURN_INSPECTED", uow.now, returnId=str(rma.id), lines=report)
    if cmd.resolution is not None:
        if cmd.resolution is Resolution.RETURNLESS_REFUND:
            raise DomainError(
                "INVALID_RESOLUTION",
                "The goods were sent back: settle with REFUND, PARTIAL_REFUND or EXCHANGE.",
                ["input", "resolution"],
            )
        value = await _value(uow, loaded.lines, rma.currency)
        rma.refund_amount = check_partial_amount(cmd.resolution, cmd.refund_amount, value)
        rma.resolution = cmd.resolution
    elif cmd.refund_amount is not None:
        raise DomainError(
            "INVALID_AMOUNT",
            "refundAmount goes with a resolution (PARTIAL_REFUND).",
            ["input", "refundAmount"],
        )
    assert rma.resolution is not None
    # A full refund pays for what came back; units the carrier lost on the way back count as back (the
    # consumer sent them), units missing from a parcel that arrived do not.
    back = {
        line.order_line_id: line.quantity if parcel_gone else line.restocked + line.disposed
        for line in loaded.lines
    }
    worth = await _value(uow, loaded.lines, rma.currency, back)
    if rma.resolution is Resolution.EXCHANGE:
        check_paid_for(worth, loaded.order, ["input", "resolution"])
    refund = refund_due(rma.resolution, worth, rma.refund_amount)
    await _resolve(uow, loaded, refund, back)
    return rma.id


async def _parcel_ended(uow: UnitOfWork, rma: ReturnRequest) -> bool:
    """Whether the return's parcel ended without reaching the seller (lost, sent back, seized)."""
    if rma.return_shipment_id is None:
        return False
    status = await uow.session.scalar(
        sa.select(Shipment.status).where(
            Shipment.workspace_id == uow.workspace_id, Shipment.id == rma.return_shipment_id
        )
    )
    return status in (ShipmentStatus.LOST, ShipmentStatus.RETURNED_TO_SENDER, ShipmentStatus.SEIZED)


async def _restock_warehouse(
    uow: UnitOfWork, rma: ReturnRequest, given: uuid.UUID | None
) -> uuid.UUID | None:
    if given is not None:
        return (await get_owned(uow, Warehouse, given, "warehouse", ["input", "warehouseId"])).id
    if rma.return_shipment_id is None:
        return None
    found: uuid.UUID | None = await uow.session.scalar(
        sa.select(Shipment.warehouse_id).where(
            Shipment.workspace_id == uow.workspace_id, Shipment.id == rma.return_shipment_id
        )
    )
    return found


async def _put_away(
    uow: UnitOfWork,
    lines: list[ReturnLine],
    inspected: Mapping[uuid.UUID, InspectionLine],
    warehouse_id: uuid.UUID | None,
) -> None:
    """Restocked units go on hand (and count as returned) in the warehouse; disposed ones are counted
    there, not on hand. Products whose stock is not tracked only have their counts kept on the return."""
    moved: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        item = inspected.get(line.order_line_id)
        if item is not None and item.restock + item.dispose > 0:
            moved[line.product_id][0] += item.restock
            moved[line.product_id][1] += item.dispose
    if not moved:
        return
    tracked = set(
        await uow.session.scalars(
            sa.select(StockLevel.product_id)
            .where(StockLevel.workspace_id == uow.workspace_id, StockLevel.product_id.in_(moved))
            .distinct()
        )
    )
    if not tracked:
        return
    if warehouse_id is None:
        raise DomainError(
            "WAREHOUSE_REQUIRED",
            "Those products' stock is tracked, but the goods did not leave from a warehouse: name the "
            "warehouse they go back to (warehouseId).",
            ["input", "warehouseId"],
        )
    # Every stock row of these products, in every warehouse, locked in the one fixed order (warehouse,
    # product) before any is touched: an exchange's replacement then reserves among rows already held,
    # so this command and a confirmation elsewhere queue instead of deadlocking. A missing row is made
    # first (a concurrent inspection making the same one waits on it, then finds it).
    await uow.session.execute(
        insert(StockLevel)
        .values(
            [
                empty_level(uow.workspace_id, warehouse_id, product_id, uow.now)
                for product_id in sorted(tracked)
            ]
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "warehouse_id", "product_id"])
    )
    locked = await uow.session.scalars(
        sa.select(StockLevel)
        .where(StockLevel.workspace_id == uow.workspace_id, StockLevel.product_id.in_(tracked))
        .order_by(StockLevel.warehouse_id, StockLevel.product_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    levels = {level.product_id: level for level in locked if level.warehouse_id == warehouse_id}
    for product_id in sorted(tracked):
        restock, dispose = moved[product_id]
        level = levels[product_id]
        level.on_hand += restock
        level.returned += restock
        level.disposed += dispose
        level.updated_at = uow.now


async def _resolve(
    uow: UnitOfWork, loaded: Loaded, refund: Money | None, back: Mapping[uuid.UUID, int] | None = None
) -> None:
    """Carry the resolution out, resolve the return and bring the order's status in line."""
    order, rma = loaded.order, loaded.rma
    data: dict[str, object] = {"resolution": rma.resolution.value if rma.resolution else None}
    if refund is not None:
        # Money that left the order since approval (a chargeback, a complaint's refund) is not paid twice:
        # the refund is what is still held, at most, and the shortfall is recorded.
        paid = Money.of(min(refund.amount, order.refundable), refund.currency).amount
        if paid < refund.amount:
            data["shortfall"] = str(Money.of(refund.amount - paid, refund.currency).amount)
        if paid > 0:
            method = await refund_method(uow, order.id)
            units = sum(line.quantity for line in loaded.lines)
            entry = order.refund(paid, uow.now, method, f"Return of {units} unit(s): {rma.reason}")
            uow.session.add(entry)
        rma.refund_amount = paid
        data["refunded"] = str(paid)
    else:
        # The replacement is for what came back (an exchange of an empty parcel sends nothing).
        originals = await order_lines(uow, order.id)
        counts = back if back is not None else {line.order_line_id: line.quantity for line in loaded.lines}
        sent = [(originals[line_id], n) for line_id, n in counts.items() if n > 0]
        if sent:
            replacement = await create_replacement_order(uow, order, sent)
            rma.replacement_order_id = replacement.id
            data["replacementOrderId"] = str(replacement.id)
        else:
            data["replacement"] = "none: nothing came back"
    rma.resolved_at = uow.now
    rma.move(S.RESOLVED, uow.now, "RETURN_RESOLVED", **data)
    order.record("RETURN_RESOLVED", uow.now, returnId=str(rma.id), returnStatus=S.RESOLVED.value, **data)
    await uow.flush()  # the return is RESOLVED, for the count below
    status = status_after_returns(await delivered_units(uow, order.id), await _units_settled(uow, order.id))
    if status is not None and status is not order.status:
        # The order model has no public after-sales move yet; this is its guarded, table-checked one.
        order.after_returns(status, uow.now, returnId=str(rma.id))
