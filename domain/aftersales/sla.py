"""Service levels: how soon the seller answers and resolves a service ticket or a complaint, and the timers
that hold it to them.

A policy line names a subject (a kind of ticket, or a complaint's severity) and two durations in hours.
A channel's own line wins over the workspace's line (no channel), which wins over the built-in default.
The built-in defaults are Tradelane's own choice, not a law or a platform's rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.aftersales.locking import lock_with_order
from domain.aftersales.model import (
    Complaint,
    ComplaintStatus,
    ServiceTicket,
    Severity,
    SlaPolicy,
    SlaSubject,
    TicketKind,
)
from domain.catalog.model import Channel
from domain.clock.rules import timer_rule
from domain.db.uow import UnitOfWork, get_owned
from domain.orders.model import Order
from domain.shared.errors import DomainError

SLA_POLICIES = cast(sa.Table, SlaPolicy.__table__)
MAX_HOURS = 24 * 365  # a year: a longer promise is no promise

# Tradelane's defaults (first response, resolution) in hours, used where the seller set no line.
BUILT_IN: dict[SlaSubject, tuple[int, int]] = {
    SlaSubject.WARRANTY: (24, 7 * 24),
    SlaSubject.REPAIR: (24, 72),
    SlaSubject.CONSULTATION: (24, 72),
    SlaSubject.COMPLAINT_CRITICAL: (4, 24),
    SlaSubject.COMPLAINT_HIGH: (12, 48),
    SlaSubject.COMPLAINT_MEDIUM: (24, 72),
    SlaSubject.COMPLAINT_LOW: (48, 7 * 24),
}

TICKET_FIRST_RESPONSE = "aftersales.ticket_first_response"
TICKET_RESOLUTION = "aftersales.ticket_resolution"
COMPLAINT_FIRST_RESPONSE = "aftersales.complaint_first_response"
COMPLAINT_RESOLUTION = "aftersales.complaint_resolution"


class PolicySource(StrEnum):
    CHANNEL = "CHANNEL"  # the channel's own line
    WORKSPACE = "WORKSPACE"  # the workspace's line for every channel without its own
    BUILT_IN = "BUILT_IN"  # Tradelane's default


@dataclass(frozen=True, slots=True)
class Sla:
    subject: SlaSubject
    first_response_hours: int
    resolution_hours: int
    source: PolicySource

    def deadlines(self, opened_at: datetime) -> tuple[datetime, datetime]:
        """(first response due, resolution due), counted from the opening in whole hours."""
        return (
            opened_at + timedelta(hours=self.first_response_hours),
            opened_at + timedelta(hours=self.resolution_hours),
        )


def ticket_subject(kind: TicketKind) -> SlaSubject:
    return SlaSubject(kind.value)


def complaint_subject(severity: Severity) -> SlaSubject:
    return SlaSubject(f"COMPLAINT_{severity.value}")


def choose(
    subject: SlaSubject, channel_line: tuple[int, int] | None, workspace_line: tuple[int, int] | None
) -> Sla:
    """The line that applies: the channel's, else the workspace's, else the built-in default."""
    if channel_line is not None:
        return Sla(subject, *channel_line, PolicySource.CHANNEL)
    if workspace_line is not None:
        return Sla(subject, *workspace_line, PolicySource.WORKSPACE)
    return Sla(subject, *BUILT_IN[subject], PolicySource.BUILT_IN)


def validate_hours(first_response_hours: int, resolution_hours: int) -> None:
    if not 1 <= first_response_hours <= MAX_HOURS:
        raise DomainError(
            "INVALID_HOURS",
            f"firstResponseHours must be a whole number from 1 to {MAX_HOURS}.",
            ["input", "firstResponseHours"],
        )
    if not first_response_hours <= resolution_hours <= MAX_HOURS:
        raise DomainError(
            "INVALID_HOURS",
            f"resolutionHours must be at least firstResponseHours ({first_response_hours}) and at most "
            f"{MAX_HOURS}.",
            ["input", "resolutionHours"],
        )


# -- reading and setting policies ---------------------------------------------------------------------


async def policies_for(
    session_or_conn: AsyncSession | AsyncConnection,
    workspace_id: uuid.UUID,
    channel_id: uuid.UUID | None,
) -> list[Sla]:
    """The line that applies to each subject on the channel (or, without one, to channels with no lines
    of their own), in the subjects' order."""
    t = SLA_POLICIES
    scope: sa.ColumnElement[bool] = t.c.channel_id.is_(None)
    if channel_id is not None:
        scope = sa.or_(scope, t.c.channel_id == channel_id)
    rows = await session_or_conn.execute(
        sa.select(t.c.channel_id, t.c.subject, t.c.first_response_hours, t.c.resolution_hours).where(
            t.c.workspace_id == workspace_id, scope
        )
    )
    own: dict[SlaSubject, tuple[int, int]] = {}
    general: dict[SlaSubject, tuple[int, int]] = {}
    for row in rows:
        line = (row.first_response_hours, row.resolution_hours)
        (general if row.channel_id is None else own)[SlaSubject(row.subject)] = line
    return [choose(subject, own.get(subject), general.get(subject)) for subject in SlaSubject]


async def sla_for(uow: UnitOfWork, channel_id: uuid.UUID, subject: SlaSubject) -> Sla:
    found = await policies_for(uow.session, uow.workspace_id, channel_id)
    return next(sla for sla in found if sla.subject is subject)


@dataclass(frozen=True)
class SetSlaPolicy:
    subject: SlaSubject
    first_response_hours: int
    resolution_hours: int
    channel_id: uuid.UUID | None = None  # None: the workspace's line, for channels without their own


async def set_sla_policy(uow: UnitOfWork, cmd: SetSlaPolicy) -> Sla:
    """Write the line (replacing the one for the same channel and subject). Tickets and complaints
    opened from now on take it; those already open keep the deadlines they were given."""
    validate_hours(cmd.first_response_hours, cmd.resolution_hours)
    if cmd.channel_id is not None:
        await get_owned(uow, Channel, cmd.channel_id, "channel", ["input", "channelId"])
    t = SLA_POLICIES
    scope = sa.func.coalesce(t.c.channel_id, sa.text("'00000000-0000-0000-0000-000000000000'::uuid"))
    statement = insert(t).values(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        channel_id=cmd.channel_id,
        subject=cmd.subject.value,
        first_response_hours=cmd.first_response_hours,
        resolution_hours=cmd.resolution_hours,
        updated_at=uow.now,
    )
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[t.c.workspace_id, scope, t.c.subject],
            set_={
                "first_response_hours": statement.excluded.first_response_hours,
                "resolution_hours": statement.excluded.resolution_hours,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )
    source = PolicySource.WORKSPACE if cmd.channel_id is None else PolicySource.CHANNEL
    return Sla(cmd.subject, cmd.first_response_hours, cmd.resolution_hours, source)


# -- timers -------------------------------------------------------------------------------------------


Subject = TypeVar("Subject", ServiceTicket, Complaint)


async def _locked(uow: UnitOfWork, model: type[Subject], subject: uuid.UUID) -> tuple[Order, Subject]:
    """The order, then the ticket or complaint, each locked: the order first, as every command does."""
    order, found = await lock_with_order(uow, model, subject, model.__name__, ["subjectId"])
    return order, found


def _met(due: datetime, *done_at: datetime | None) -> bool:
    """Whether any of the times is by the deadline. A timer may run late, after the ticket or complaint
    moved on: what counts is when things happened, not the status they left."""
    return any(at is not None and at <= due for at in done_at)


def ticket_deadlines_met(ticket: ServiceTicket) -> tuple[bool, bool]:
    """(first response met, resolution met). The first response is met by an answer by the deadline (a
    reply, a resolution, or a note when closing): closing a ticket without a word answers nobody. The
    resolution is met by the ticket being resolved or closed by its deadline."""
    return (
        _met(ticket.first_response_due, ticket.first_responded_at, ticket.resolved_at),
        _met(ticket.resolution_due, ticket.resolved_at, ticket.closed_at),
    )


@timer_rule(TICKET_FIRST_RESPONSE)
async def ticket_first_response_due(uow: UnitOfWork, ticket_id: uuid.UUID) -> None:
    """No seller answer by the deadline, and the ticket neither resolved nor closed by then: breached."""
    order, ticket = await _locked(uow, ServiceTicket, ticket_id)
    if ticket.first_response_breached or ticket_deadlines_met(ticket)[0]:
        return
    ticket.first_response_breached = True
    ticket.version += 1
    data = {"deadline": ticket.first_response_due.isoformat(), "kind": ticket.kind.value}
    ticket.record("TICKET_FIRST_RESPONSE_BREACHED", uow.now, **data)
    order.record("TICKET_FIRST_RESPONSE_BREACHED", uow.now, ticketId=str(ticket.id), **data)


@timer_rule(TICKET_RESOLUTION)
async def ticket_resolution_due(uow: UnitOfWork, ticket_id: uuid.UUID) -> None:
    """Not resolved (or closed) by the deadline: the ticket is breached. The SLA measures the first
    resolution; a ticket the consumer reopens keeps it."""
    order, ticket = await _locked(uow, ServiceTicket, ticket_id)
    if ticket.resolution_breached or ticket_deadlines_met(ticket)[1]:
        return
    ticket.resolution_breached = True
    ticket.version += 1
    data = {"deadline": ticket.resolution_due.isoformat(), "kind": ticket.kind.value}
    ticket.record("TICKET_RESOLUTION_BREACHED", uow.now, **data)
    order.record("TICKET_RESOLUTION_BREACHED", uow.now, ticketId=str(ticket.id), **data)


@timer_rule(COMPLAINT_FIRST_RESPONSE)
async def complaint_first_response_due(uow: UnitOfWork, complaint_id: uuid.UUID) -> None:
    order, complaint = await _locked(uow, Complaint, complaint_id)
    if not _met(complaint.first_response_due, complaint.first_responded_at, complaint.resolved_at):
        _escalate(order, complaint, "FIRST_RESPONSE", complaint.first_response_due, uow.now)


@timer_rule(COMPLAINT_RESOLUTION)
async def complaint_resolution_due(uow: UnitOfWork, complaint_id: uuid.UUID) -> None:
    order, complaint = await _locked(uow, Complaint, complaint_id)
    if not _met(complaint.resolution_due, complaint.resolved_at):
        _escalate(order, complaint, "RESOLUTION", complaint.resolution_due, uow.now)


def _escalate(order: Order, complaint: Complaint, deadline: str, due: datetime, at: datetime) -> None:
    """A deadline passed unmet: the complaint is breached and raised (once ESCALATED, a later miss is
    written down again, but it stays ESCALATED and keeps when it was first raised)."""
    from domain.aftersales.complaints import move  # complaints import this module for the deadlines

    data = {"deadline": deadline, "due": due.isoformat(), "severity": complaint.severity.value}
    complaint.breached = True
    if complaint.status is ComplaintStatus.RESOLVED:  # resolved late (a live timer ran after it): noted
        complaint.version += 1
        complaint.record("COMPLAINT_BREACHED", at, **data)
        order.record("COMPLAINT_BREACHED", at, complaintId=str(complaint.id), **data)
        return
    if complaint.escalated_at is None:
        complaint.escalated_at = at
    if complaint.status is ComplaintStatus.OPEN:
        move(complaint, ComplaintStatus.ESCALATED, at, "COMPLAINT_ESCALATED", **data)
    else:
        complaint.version += 1
        complaint.record("COMPLAINT_ESCALATED", at, **data)
    order.record("COMPLAINT_ESCALATED", at, complaintId=str(complaint.id), **data)
