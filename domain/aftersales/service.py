"""Service tickets: warranty claims, repairs and questions, as a conversation with deadlines.

The consumer opens a ticket on an order (in a sandbox, a mutation stands for the consumer) and writes; the
seller replies, resolves and closes. The deadlines come from the SLA policy when the ticket opens; a timer
marks the ticket breached when one passes unmet (see domain.aftersales.sla). The first response is the
seller's first reply, or a resolution, or closing with a note, whichever comes first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from domain.aftersales.locking import lock_with_order
from domain.aftersales.model import (
    IllegalMove,
    ServiceTicket,
    TicketAuthor,
    TicketKind,
    TicketMessage,
    TicketStatus,
)
from domain.aftersales.sla import TICKET_FIRST_RESPONSE, TICKET_RESOLUTION, sla_for, ticket_subject
from domain.clock.rules import schedule
from domain.db.uow import UnitOfWork
from domain.orders.loading import load_order
from domain.orders.model import Order, OrderLine, OrderStatus
from domain.shared.errors import DomainError, NotFound, SandboxOnly
from domain.shared.text import required_text

T = TicketStatus
# A consumer's message reopens a RESOLVED ticket; a CLOSED one takes nothing more.
TICKET_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    T.OPEN: frozenset({T.WAITING_CONSUMER, T.RESOLVED, T.CLOSED}),
    T.WAITING_CONSUMER: frozenset({T.WAITING_SELLER, T.RESOLVED, T.CLOSED}),
    T.WAITING_SELLER: frozenset({T.WAITING_CONSUMER, T.RESOLVED, T.CLOSED}),
    T.RESOLVED: frozenset({T.WAITING_SELLER, T.CLOSED}),
    T.CLOSED: frozenset(),
}
# Warranty and repair are about goods the consumer has: the order must have been delivered.
DELIVERED = frozenset(
    {
        OrderStatus.DELIVERED,
        OrderStatus.PARTIALLY_DELIVERED,
        OrderStatus.PARTIALLY_RETURNED,
        OrderStatus.RETURNED,
        OrderStatus.COMPLETED,
    }
)
MAX_SUBJECT = 200
MAX_BODY = 5000


def move(ticket: ServiceTicket, to: TicketStatus, at: datetime, event: str, **data: Any) -> None:
    if to not in TICKET_TRANSITIONS[ticket.status]:
        allowed = sorted(s.value for s in TICKET_TRANSITIONS[ticket.status])
        raise IllegalMove("ticket", ticket.status, to, allowed, ["input", "ticketId"])
    data.update({"from": ticket.status.value, "to": to.value})
    ticket.status = to
    ticket.version += 1
    ticket.record(event, at, **data)


def _closed(ticket: ServiceTicket) -> DomainError:
    return DomainError(
        "TICKET_CLOSED",
        f"The ticket was closed at {ticket.closed_at.isoformat() if ticket.closed_at else 'some point'}; "
        "a closed ticket takes no more messages or changes. Open a new ticket.",
        ["input", "ticketId"],
    )


@dataclass(frozen=True)
class OpenTicket:
    """The consumer asks for help with an order (sandbox: the mutation stands for the consumer)."""

    order_id: uuid.UUID
    kind: TicketKind
    subject: str
    message: str
    order_line_id: uuid.UUID | None = None


async def open_ticket(uow: UnitOfWork, cmd: OpenTicket) -> uuid.UUID:
    if not uow.is_sandbox:
        raise SandboxOnly("Opening a ticket as the consumer")
    order = await load_order(uow, cmd.order_id, lock=True)
    if cmd.kind is not TicketKind.CONSULTATION and order.status not in DELIVERED:
        raise DomainError(
            "ORDER_NOT_DELIVERED",
            f"The order is {order.status}; a {cmd.kind} ticket is about delivered goods. "
            "Open a CONSULTATION ticket for questions before delivery.",
            ["input", "orderId"],
        )
    if cmd.order_line_id is not None:
        line = await uow.session.scalar(
            sa.select(OrderLine.id).where(
                OrderLine.workspace_id == uow.workspace_id,
                OrderLine.id == cmd.order_line_id,
                OrderLine.order_id == order.id,
            )
        )
        if line is None:
            raise NotFound("line on this order", ["input", "orderLineId"])
    subject = required_text(cmd.subject, "subject", MAX_SUBJECT)
    body = required_text(cmd.message, "message", MAX_BODY)
    sla = await sla_for(uow, order.channel_id, ticket_subject(cmd.kind))
    first_due, resolution_due = sla.deadlines(uow.now)
    ticket = ServiceTicket(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        order_id=order.id,
        order_line_id=cmd.order_line_id,
        kind=cmd.kind,
        status=T.OPEN,
        subject=subject,
        first_response_due=first_due,
        resolution_due=resolution_due,
        first_responded_at=None,
        resolved_at=None,
        closed_at=None,
        first_response_breached=False,
        resolution_breached=False,
        opened_at=uow.now,
        version=1,
    )
    data = {
        "kind": cmd.kind.value,
        "subject": subject,
        "firstResponseDue": first_due.isoformat(),
        "resolutionDue": resolution_due.isoformat(),
        "slaSource": sla.source.value,
    }
    ticket.record("TICKET_OPENED", uow.now, **data)
    order.record("TICKET_OPENED", uow.now, ticketId=str(ticket.id), **data)
    uow.session.add(ticket)
    await uow.flush()  # the ticket row first: its messages refer to it
    _message(uow, ticket, TicketAuthor.CONSUMER, body)
    schedule(uow, TICKET_FIRST_RESPONSE, ticket.id, first_due)
    schedule(uow, TICKET_RESOLUTION, ticket.id, resolution_due)
    return ticket.id


def _message(uow: UnitOfWork, ticket: ServiceTicket, author: TicketAuthor, body: str) -> None:
    uow.session.add(
        TicketMessage(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            ticket_id=ticket.id,
            author=author,
            body=body,
            sent_at=uow.now,
        )
    )


async def _load(
    uow: UnitOfWork, ticket_id: uuid.UUID, expected_version: int | None
) -> tuple[Order, ServiceTicket]:
    """The ticket's order, then the ticket, both locked (the order first, as every command locks)."""
    order, ticket = await lock_with_order(
        uow, ServiceTicket, ticket_id, "ticket", ["input", "ticketId"], expected_version
    )
    if ticket.status is T.CLOSED:
        raise _closed(ticket)
    return order, ticket


@dataclass(frozen=True)
class TicketMessageInput:
    ticket_id: uuid.UUID
    message: str
    expected_version: int | None = None


async def reply(uow: UnitOfWork, cmd: TicketMessageInput) -> uuid.UUID:
    """The seller answers: the first answer meets the first-response deadline; the consumer's turn."""
    order, ticket = await _load(uow, cmd.ticket_id, cmd.expected_version)
    body = required_text(cmd.message, "message", MAX_BODY)
    first = ticket.first_responded_at is None
    if first:
        ticket.first_responded_at = uow.now
    data: dict[str, Any] = {"first": first}
    if ticket.status is T.WAITING_CONSUMER:  # a second answer before the consumer wrote back
        ticket.version += 1
        ticket.record("TICKET_REPLIED", uow.now, **data)
    else:
        move(ticket, T.WAITING_CONSUMER, uow.now, "TICKET_REPLIED", **data)
    order.record("TICKET_REPLIED", uow.now, ticketId=str(ticket.id), **data)
    _message(uow, ticket, TicketAuthor.SELLER, body)
    return ticket.id


async def consumer_message(uow: UnitOfWork, cmd: TicketMessageInput) -> uuid.UUID:
    """The consumer writes again (sandbox): the seller's turn; a RESOLVED ticket reopens. Before the
    seller's first answer the ticket stays OPEN."""
    if not uow.is_sandbox:
        raise SandboxOnly("Writing as the consumer")
    order, ticket = await _load(uow, cmd.ticket_id, cmd.expected_version)
    body = required_text(cmd.message, "message", MAX_BODY)
    if ticket.status in (T.OPEN, T.WAITING_SELLER):
        ticket.version += 1
        ticket.record("TICKET_CONSUMER_WROTE", uow.now)
    else:
        move(ticket, T.WAITING_SELLER, uow.now, "TICKET_CONSUMER_WROTE")
    order.record("TICKET_CONSUMER_WROTE", uow.now, ticketId=str(ticket.id), status=ticket.status.value)
    _message(uow, ticket, TicketAuthor.CONSUMER, body)
    return ticket.id


@dataclass(frozen=True)
class TicketMove:
    ticket_id: uuid.UUID
    note: str | None = None
    expected_version: int | None = None


async def resolve(uow: UnitOfWork, cmd: TicketMove) -> uuid.UUID:
    """The seller resolved the matter: the resolution deadline is met, and so is the first-response one if
    it was still open (resolving answers the consumer). A note goes to the consumer as a message."""
    order, ticket = await _load(uow, cmd.ticket_id, cmd.expected_version)
    note = _note(cmd.note)
    move(ticket, T.RESOLVED, uow.now, "TICKET_RESOLVED")
    if ticket.first_responded_at is None:
        ticket.first_responded_at = uow.now
    if ticket.resolved_at is None:  # the SLA measures the first resolution
        ticket.resolved_at = uow.now
    order.record("TICKET_RESOLVED", uow.now, ticketId=str(ticket.id))
    if note is not None:
        _message(uow, ticket, TicketAuthor.SELLER, note)
    return ticket.id


async def close(uow: UnitOfWork, cmd: TicketMove) -> uuid.UUID:
    """Close for good. A note goes to the consumer as a message, so it is the first response if none was
    given yet (as resolving is); closed without one, the ticket keeps no answer on record. Either way a
    ticket closed by a deadline is not breached by it (see domain.aftersales.sla)."""
    order, ticket = await _load(uow, cmd.ticket_id, cmd.expected_version)
    note = _note(cmd.note)
    move(ticket, T.CLOSED, uow.now, "TICKET_CLOSED")
    ticket.closed_at = uow.now
    if note is not None and ticket.first_responded_at is None:
        ticket.first_responded_at = uow.now
    order.record("TICKET_CLOSED", uow.now, ticketId=str(ticket.id))
    if note is not None:
        _message(uow, ticket, TicketAuthor.SELLER, note)
    return ticket.id


def _note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    return required_text(note, "note", MAX_BODY)
