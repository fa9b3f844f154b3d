"""Complaints: a consumer's direct complaint, a marketplace claim (such as Amazon's A-to-z Guarantee) or a
chargeback through the consumer's bank, with deadlines by severity and escalation when one passes.

Money moves only through the order's payment ledger. A chargeback takes its amount back at once, when it
arrives: the bank does not wait for the seller. Resolving a chargeback therefore moves no more money:
REFUND accepts it as the refund it already is, DENIED contests it (the dispute itself is the bank's), and
PARTIAL_REFUND or REPLACEMENT are refused (ALREADY_CHARGED_BACK), since they would give the consumer a
second remedy on top of the money the bank already took back.

A REPLACEMENT sends goods the consumer has and has had no remedy for: only on a delivered order
(ORDER_NOT_DELIVERED otherwise), and only units delivered, not in a return that stands (one neither
DECLINED nor CANCELLED) and not already sent again by a complaint (NOTHING_TO_REPLACE otherwise; see
domain.aftersales.replacement).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.aftersales.locking import lock_with_order
from domain.aftersales.model import (
    Complaint,
    ComplaintSource,
    ComplaintStatus,
    IllegalMove,
    Outcome,
    Severity,
)
from domain.aftersales.replacement import (
    check_paid_for,
    create_replacement_order,
    units_in_returns,
    units_sent_again,
    without_remedy,
)
from domain.aftersales.returns import delivered_units
from domain.aftersales.service import DELIVERED
from domain.aftersales.sla import COMPLAINT_FIRST_RESPONSE, COMPLAINT_RESOLUTION, complaint_subject, sla_for
from domain.clock.rules import schedule
from domain.db.uow import UnitOfWork
from domain.orders.handlers import payment_method
from domain.orders.loading import load_order, order_lines
from domain.orders.model import Order, OrderLine
from domain.shared.errors import DomainError, NotFound, SandboxOnly
from domain.shared.money import Money
from domain.shared.text import clean_text, required_text

C = ComplaintStatus
COMPLAINT_TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    C.OPEN: frozenset({C.ESCALATED, C.RESOLVED}),
    C.ESCALATED: frozenset({C.RESOLVED}),
    C.RESOLVED: frozenset(),
}
MAX_DESCRIPTION = 2000
MAX_MESSAGE = 2000


def move(complaint: Complaint, to: ComplaintStatus, at: datetime, event: str, **data: Any) -> None:
    if to not in COMPLAINT_TRANSITIONS[complaint.status]:
        allowed = sorted(s.value for s in COMPLAINT_TRANSITIONS[complaint.status])
        raise IllegalMove("complaint", complaint.status, to, allowed, ["input", "complaintId"])
    data.update({"from": complaint.status.value, "to": to.value})
    complaint.status = to
    complaint.version += 1
    complaint.record(event, at, **data)


def _amount(value: Decimal | None, currency: str) -> Decimal | None:
    if value is None:
        return None
    amount = Money.of(value, currency, ["input", "amount"]).amount
    if amount <= 0:
        raise DomainError("INVALID_AMOUNT", "amount must be above zero.", ["input", "amount"])
    return amount


@dataclass(frozen=True)
class OpenComplaint:
    """A complaint arrives (sandbox: the mutation stands for the consumer, the platform or the bank)."""

    order_id: uuid.UUID
    source: ComplaintSource
    severity: Severity
    description: str
    claim_reference: str | None = None
    amount: Decimal | None = None  # what the claim is for; required for a chargeback


async def open_complaint(uow: UnitOfWork, cmd: OpenComplaint) -> uuid.UUID:
    if not uow.is_sandbox:
        raise SandboxOnly("Opening a complaint as the consumer, platform or bank")
    order = await load_order(uow, cmd.order_id, lock=True)
    description = required_text(cmd.description, "description", MAX_DESCRIPTION)
    reference = clean_text(cmd.claim_reference, "claimReference", 100, required=False)
    amount = _amount(cmd.amount, order.currency)
    if cmd.source is ComplaintSource.CHARGEBACK and amount is None:
        raise DomainError(
            "AMOUNT_REQUIRED",
            "A chargeback takes an amount back: give the amount the bank took.",
            ["input", "amount"],
        )
    sla = await sla_for(uow, order.channel_id, complaint_subject(cmd.severity))
    first_due, resolution_due = sla.deadlines(uow.now)
    complaint = Complaint(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        order_id=order.id,
        source=cmd.source,
        severity=cmd.severity,
        status=C.OPEN,
        description=description,
        claim_reference=reference,
        amount=amount,
        currency=order.currency,
        first_response_due=first_due,
        resolution_due=resolution_due,
        first_responded_at=None,
        breached=False,
        escalated_at=None,
        outcome=None,
        refunded=None,
        replacement_order_id=None,
        opened_at=uow.now,
        resolved_at=None,
        version=1,
    )
    if cmd.source is ComplaintSource.CHARGEBACK:
        assert amount is not None
        method = await payment_method(uow, order.id)
        reason = f"Chargeback {reference}" if reference else "Chargeback"
        # Refused above what the seller holds (AMOUNT_TOO_LARGE), before anything is written.
        uow.session.add(order.chargeback(amount, uow.now, method, reason))
    data = {
        "source": cmd.source.value,
        "severity": cmd.severity.value,
        "amount": None if amount is None else str(amount),
        "claimReference": reference,
        "firstResponseDue": first_due.isoformat(),
        "resolutionDue": resolution_due.isoformat(),
        "slaSource": sla.source.value,
    }
    complaint.record("COMPLAINT_OPENED", uow.now, **data)
    order.record("COMPLAINT_OPENED", uow.now, complaintId=str(complaint.id), **data)
    uow.session.add(complaint)
    schedule(uow, COMPLAINT_FIRST_RESPONSE, complaint.id, first_due)
    schedule(uow, COMPLAINT_RESOLUTION, complaint.id, resolution_due)
    return complaint.id


async def _load(
    uow: UnitOfWork, complaint_id: uuid.UUID, expected_version: int | None
) -> tuple[Order, Complaint]:
    """The complaint's order, then the complaint, both locked (the order first, as every command locks);
    a RESOLVED complaint takes no more changes."""
    order, complaint = await lock_with_order(
        uow, Complaint, complaint_id, "complaint", ["input", "complaintId"], expected_version
    )
    if complaint.status is C.RESOLVED:
        raise DomainError(
            "COMPLAINT_RESOLVED",
            f"The complaint was resolved ({complaint.outcome}); a resolved complaint takes no more changes.",
            ["input", "complaintId"],
        )
    return order, complaint


@dataclass(frozen=True)
class RespondToComplaint:
    complaint_id: uuid.UUID
    message: str
    expected_version: int | None = None


async def respond(uow: UnitOfWork, cmd: RespondToComplaint) -> uuid.UUID:
    """The seller answers; the first answer meets the first-response deadline. Later answers are written
    down too, but do not move it."""
    order, complaint = await _load(uow, cmd.complaint_id, cmd.expected_version)
    message = required_text(cmd.message, "message", MAX_MESSAGE)
    first = complaint.first_responded_at is None
    if first:
        complaint.first_responded_at = uow.now
    complaint.version += 1
    complaint.record("COMPLAINT_RESPONDED", uow.now, message=message, first=first)
    order.record("COMPLAINT_RESPONDED", uow.now, complaintId=str(complaint.id), first=first)
    return complaint.id


@dataclass(frozen=True)
class ReplacementLine:
    order_line_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class ResolveComplaint:
    complaint_id: uuid.UUID
    outcome: Outcome
    amount: Decimal | None = None
    lines: tuple[ReplacementLine, ...] | None = None  # REPLACEMENT: None sends every unit without remedy
    note: str | None = None
    expected_version: int | None = None


async def resolve(uow: UnitOfWork, cmd: ResolveComplaint) -> uuid.UUID:
    """Close the complaint with an outcome.

    REFUND gives back `amount` (default: the complaint's amount if it named one, else everything the
    seller holds for the order); PARTIAL_REFUND needs an amount; both go through the payment ledger and are
    refused above what the seller holds. REPLACEMENT sends goods again on a new order, total 0, only on a
    delivered order and only for units with no remedy yet. DENIED moves nothing. A chargeback's money
    already went back: see the module's docstring."""
    order, complaint = await _load(uow, cmd.complaint_id, cmd.expected_version)
    note = clean_text(cmd.note, "note", MAX_MESSAGE, required=False)
    amount = _amount(cmd.amount, order.currency)
    outcome = cmd.outcome
    if outcome is not Outcome.REPLACEMENT and cmd.lines is not None:
        raise DomainError("UNEXPECTED_LINES", "Lines are named only for a REPLACEMENT.", ["input", "lines"])
    chargeback = complaint.source is ComplaintSource.CHARGEBACK
    if chargeback and (outcome in (Outcome.PARTIAL_REFUND, Outcome.REPLACEMENT) or amount is not None):
        raise DomainError(
            "ALREADY_CHARGED_BACK",
            f"The bank already took {complaint.amount} {complaint.currency} back for this chargeback. "
            "Resolve it as REFUND (accept it; no more money moves) or DENIED (contest it), with no amount.",
            ["input", "amount" if amount is not None else "outcome"],
        )
    if outcome in (Outcome.REPLACEMENT, Outcome.DENIED) and amount is not None:
        raise DomainError(
            "UNEXPECTED_AMOUNT", f"A {outcome} moves no money: leave the amount out.", ["input", "amount"]
        )
    data: dict[str, Any] = {"outcome": outcome.value}
    if outcome in (Outcome.REFUND, Outcome.PARTIAL_REFUND) and not chargeback:
        if amount is None and outcome is Outcome.PARTIAL_REFUND:
            raise DomainError(
                "AMOUNT_REQUIRED", "A PARTIAL_REFUND needs the amount to give back.", ["input", "amount"]
            )
        give = amount if amount is not None else complaint.amount
        if give is None:
            give = order.refundable
            if give <= 0:
                raise DomainError(
                    "NOTHING_TO_REFUND",
                    "Everything paid for this order has been given back already. Resolve it as DENIED or "
                    "REPLACEMENT.",
                    ["input", "outcome"],
                )
        method = await payment_method(uow, order.id)
        # Refused above what the seller holds (AMOUNT_TOO_LARGE), before anything is written.
        entry = order.refund(give, uow.now, method, f"Complaint {outcome.value}")
        uow.session.add(entry)
        complaint.refunded = entry.amount
        data["refunded"] = str(entry.amount)
    elif outcome is Outcome.REFUND:  # an accepted chargeback: the bank's money movement is the refund
        complaint.refunded = Decimal(0)
        data["chargedBack"] = str(complaint.amount)
    elif outcome is Outcome.REPLACEMENT:
        sent = await _replacement_lines(uow, order, cmd)
        worth = Money.of(sum((line.unit_price * n for line, n in sent), Decimal(0)), order.currency)
        check_paid_for(worth, order, ["input", "outcome"])
        replacement = await create_replacement_order(uow, order, sent)
        complaint.replacement_order_id = replacement.id
        data["replacementOrderId"] = str(replacement.id)
    if note is not None:
        data["note"] = note
    complaint.outcome = outcome
    complaint.resolved_at = uow.now
    if complaint.first_responded_at is None:  # a resolution answers the consumer
        complaint.first_responded_at = uow.now
    move(complaint, C.RESOLVED, uow.now, "COMPLAINT_RESOLVED", **data)
    order.record("COMPLAINT_RESOLVED", uow.now, complaintId=str(complaint.id), **data)
    return complaint.id


async def _replacement_lines(
    uow: UnitOfWork, order: Order, cmd: ResolveComplaint
) -> list[tuple[OrderLine, int]]:
    """What to send again: the lines named, or every unit without remedy; refused (nothing written) on an
    order not delivered, or for more units than have no remedy yet."""
    if order.status not in DELIVERED:
        raise DomainError(
            "ORDER_NOT_DELIVERED",
            f"The order is {order.status}: a replacement sends again goods the consumer received. Resolve "
            "it as REFUND, PARTIAL_REFUND or DENIED.",
            ["input", "outcome"],
        )
    lines = await order_lines(uow, order.id)
    left = without_remedy(
        list(lines.values()),
        await delivered_units(uow, order.id),
        await units_in_returns(uow, order.id),
        await units_sent_again(uow, order.id),
    )
    if cmd.lines is None:
        everything = [(line, left[line.id]) for line in lines.values() if left[line.id] > 0]
        if not everything:
            raise DomainError(
                "NOTHING_TO_REPLACE",
                "Every delivered unit of this order is in a return or was sent again already. Resolve it "
                "as REFUND, PARTIAL_REFUND or DENIED.",
                ["input", "outcome"],
            )
        return everything
    chosen: list[tuple[OrderLine, int]] = []
    seen: set[uuid.UUID] = set()
    for i, wanted in enumerate(cmd.lines):
        where = ["input", "lines", str(i)]
        line = lines.get(wanted.order_line_id)
        if line is None:
            raise NotFound("line on this order", [*where, "orderLineId"])
        if line.id in seen:
            raise DomainError("DUPLICATE_LINE", "Name each line once.", [*where, "orderLineId"])
        seen.add(line.id)
        if not 1 <= wanted.quantity <= line.quantity:
            raise DomainError(
                "INVALID_QUANTITY",
                f"Send again from 1 to {line.quantity} units of this line.",
                [*where, "quantity"],
            )
        if wanted.quantity > left[line.id]:
            raise DomainError(
                "NOTHING_TO_REPLACE",
                f"{left[line.id]} unit(s) of this line are delivered, not in a return and not sent again "
                "already; send again at most that many.",
                [*where, "quantity"],
            )
        chosen.append((line, wanted.quantity))
    return chosen
