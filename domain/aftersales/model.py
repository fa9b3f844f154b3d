"""After-sales: returns and exchanges (RMAs), service tickets, complaints with SLA deadlines, feedback.

Each is its own aggregate with a transition table; each state change is an event on its own timeline and
on its order's. Money moves only through the order's payment ledger, so a refund can never exceed what
was captured, whatever asks for it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, RecordsEvents, WorkspaceOwned, enum_column
from domain.shared.errors import DomainError

# Reasons every workspace has; a seller adds its own (ReturnReason rows) next to them.
BUILTIN_REASONS = (
    "DEFECTIVE",
    "NOT_AS_DESCRIBED",
    "WRONG_ITEM",
    "DAMAGED_IN_TRANSIT",
    "SIZE_FIT",
    "NO_LONGER_NEEDED",
    "LATE_DELIVERY",
)


class ReturnStatus(StrEnum):
    REQUESTED = "REQUESTED"  # the consumer asked
    APPROVED = "APPROVED"  # the seller agreed; a return label is made unless the refund is returnless
    DECLINED = "DECLINED"  # the seller refused (final)
    IN_TRANSIT = "IN_TRANSIT"  # the return parcel is on its way back
    RECEIVED = "RECEIVED"  # the return parcel arrived; waiting for inspection
    RESOLVED = "RESOLVED"  # refunded, partly refunded or exchanged (final)
    CANCELLED = "CANCELLED"  # the consumer withdrew it before the parcel left (final)


class Resolution(StrEnum):
    REFUND = "REFUND"
    PARTIAL_REFUND = "PARTIAL_REFUND"
    EXCHANGE = "EXCHANGE"
    RETURNLESS_REFUND = "RETURNLESS_REFUND"  # refund, and the consumer keeps the goods


class Disposition(StrEnum):
    RESTOCK = "RESTOCK"  # back to available stock
    DISPOSE = "DISPOSE"  # written off


R = ReturnStatus
RETURN_TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    R.REQUESTED: frozenset({R.APPROVED, R.DECLINED, R.CANCELLED}),
    R.APPROVED: frozenset({R.IN_TRANSIT, R.RESOLVED, R.CANCELLED}),
    R.IN_TRANSIT: frozenset({R.RECEIVED, R.RESOLVED}),  # RESOLVED: its parcel never came back
    R.RECEIVED: frozenset({R.RESOLVED}),
    R.DECLINED: frozenset(),
    R.RESOLVED: frozenset(),
    R.CANCELLED: frozenset(),
}
RETURN_FINAL = frozenset({R.DECLINED, R.RESOLVED, R.CANCELLED})


class TicketKind(StrEnum):
    WARRANTY = "WARRANTY"
    REPAIR = "REPAIR"
    CONSULTATION = "CONSULTATION"


class TicketStatus(StrEnum):
    OPEN = "OPEN"  # waiting for the seller's first answer
    WAITING_CONSUMER = "WAITING_CONSUMER"  # the seller answered; the consumer's turn
    WAITING_SELLER = "WAITING_SELLER"  # the consumer wrote again; the seller's turn
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"  # final: no more messages


class ComplaintSource(StrEnum):
    DIRECT = "DIRECT"  # the consumer complained to the seller
    PLATFORM_CLAIM = "PLATFORM_CLAIM"  # a marketplace claim, such as Amazon's A-to-z Guarantee
    CHARGEBACK = "CHARGEBACK"  # the consumer's bank took the money back


class Severity(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class ComplaintStatus(StrEnum):
    OPEN = "OPEN"
    ESCALATED = "ESCALATED"  # a deadline passed: breached and raised
    RESOLVED = "RESOLVED"  # final


class Outcome(StrEnum):
    REFUND = "REFUND"
    PARTIAL_REFUND = "PARTIAL_REFUND"
    REPLACEMENT = "REPLACEMENT"
    DENIED = "DENIED"


class SlaSubject(StrEnum):
    """What an SLA policy line is for: a kind of ticket, or a complaint's severity."""

    WARRANTY = "WARRANTY"
    REPAIR = "REPAIR"
    CONSULTATION = "CONSULTATION"
    COMPLAINT_LOW = "COMPLAINT_LOW"
    COMPLAINT_MEDIUM = "COMPLAINT_MEDIUM"
    COMPLAINT_HIGH = "COMPLAINT_HIGH"
    COMPLAINT_CRITICAL = "COMPLAINT_CRITICAL"


class IllegalMove(DomainError):
    def __init__(self, what: str, current: str, wanted: str, allowed: list[str], field: list[str]) -> None:
        listed = ", ".join(allowed) if allowed else "none (it is final)"
        super().__init__(
            "ILLEGAL_TRANSITION",
            f"The {what} is {current}; it cannot become {wanted}. From {current} it can become: {listed}.",
            field,
        )


class ReturnReason(WorkspaceOwned, Base):
    """A reason of the seller's own, next to the built-in ones."""

    __tablename__ = "return_reasons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]

    __table_args__ = (sa.UniqueConstraint("workspace_id", "code"),)


class ReturnRequest(RecordsEvents, WorkspaceOwned, Base):
    """A return merchandise authorisation: delivered lines the consumer wants to send back or be refunded
    for, the seller's decision, the return parcel, the inspection and the resolution."""

    __tablename__ = "return_requests"
    __aggregate_type__ = "ReturnRequest"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    order_id: Mapped[uuid.UUID]
    status: Mapped[ReturnStatus] = enum_column(ReturnStatus)
    reason: Mapped[str] = mapped_column(sa.String(40))
    comment: Mapped[str | None] = mapped_column(sa.String(1000))
    resolution: Mapped[Resolution | None] = enum_column(Resolution, nullable=True)
    refund_amount: Mapped[Decimal | None]  # asked for PARTIAL_REFUND; what was refunded once resolved
    currency: Mapped[str] = mapped_column(sa.String(3))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))
    return_shipment_id: Mapped[uuid.UUID | None]
    replacement_order_id: Mapped[uuid.UUID | None]
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.CheckConstraint("refund_amount IS NULL OR refund_amount >= 0", name="refund_not_negative"),
        sa.Index("ix_return_requests_order", "order_id", "seq"),
        sa.Index("ix_return_requests_workspace_status", "workspace_id", "status", "seq"),
    )

    def move(self, to: ReturnStatus, at: datetime, event: str, **data: Any) -> None:
        if to not in RETURN_TRANSITIONS[self.status]:
            raise IllegalMove(
                "return", self.status, to, sorted(RETURN_TRANSITIONS[self.status]), ["input", "returnId"]
            )
        data.update({"from": self.status.value, "to": to.value})
        self.status = to
        self.version += 1
        self.record(event, at, **data)


class ReturnLine(WorkspaceOwned, Base):
    """Units of one delivered order line in a return, and what inspection made of them."""

    __tablename__ = "return_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    return_id: Mapped[uuid.UUID]
    order_line_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    quantity: Mapped[int]
    restocked: Mapped[int] = mapped_column(server_default="0")
    disposed: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["workspace_id", "return_id"], ["return_requests.workspace_id", "return_requests.id"]
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_line_id"], ["order_lines.workspace_id", "order_lines.id"]
        ),
        sa.UniqueConstraint("return_id", "order_line_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "restocked >= 0 AND disposed >= 0 AND restocked + disposed <= quantity", name="inspected_within"
        ),
        sa.Index("ix_return_lines_return", "return_id", "seq"),
        sa.Index("ix_return_lines_product", "product_id"),
        sa.Index("ix_return_lines_order_line", "order_line_id"),
    )


class SlaPolicy(WorkspaceOwned, Base):
    """How soon the seller answers and resolves, per subject, for one channel (or, with no channel, for
    every channel without its own line)."""

    __tablename__ = "sla_policies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    channel_id: Mapped[uuid.UUID | None]
    subject: Mapped[SlaSubject] = enum_column(SlaSubject)
    first_response_hours: Mapped[int]
    resolution_hours: Mapped[int]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "channel_id"], ["channels.workspace_id", "channels.id"]),
        sa.CheckConstraint(
            "first_response_hours > 0 AND resolution_hours >= first_response_hours", name="hours_ordered"
        ),
        sa.Index(
            "uq_sla_policies_scope",
            "workspace_id",
            sa.text("coalesce(channel_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            "subject",
            unique=True,
        ),
    )


class ServiceTicket(RecordsEvents, WorkspaceOwned, Base):
    __tablename__ = "service_tickets"
    __aggregate_type__ = "ServiceTicket"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    order_id: Mapped[uuid.UUID]
    order_line_id: Mapped[uuid.UUID | None]
    kind: Mapped[TicketKind] = enum_column(TicketKind)
    status: Mapped[TicketStatus] = enum_column(TicketStatus)
    subject: Mapped[str] = mapped_column(sa.String(200))
    first_response_due: Mapped[datetime]
    resolution_due: Mapped[datetime]
    first_responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    first_response_breached: Mapped[bool]
    resolution_breached: Mapped[bool]
    opened_at: Mapped[datetime]
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.Index("ix_service_tickets_order", "order_id", "seq"),
        sa.Index("ix_service_tickets_workspace_status", "workspace_id", "status", "seq"),
    )


class TicketAuthor(StrEnum):
    CONSUMER = "CONSUMER"
    SELLER = "SELLER"


class TicketMessage(WorkspaceOwned, Base):
    __tablename__ = "ticket_messages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    ticket_id: Mapped[uuid.UUID]
    author: Mapped[TicketAuthor] = enum_column(TicketAuthor)
    body: Mapped[str] = mapped_column(sa.String(5000))
    sent_at: Mapped[datetime]

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["workspace_id", "ticket_id"], ["service_tickets.workspace_id", "service_tickets.id"]
        ),
        sa.Index("ix_ticket_messages_ticket", "ticket_id", "seq"),
    )


class Complaint(RecordsEvents, WorkspaceOwned, Base):
    __tablename__ = "complaints"
    __aggregate_type__ = "Complaint"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    order_id: Mapped[uuid.UUID]
    source: Mapped[ComplaintSource] = enum_column(ComplaintSource)
    severity: Mapped[Severity] = enum_column(Severity)
    status: Mapped[ComplaintStatus] = enum_column(ComplaintStatus)
    description: Mapped[str] = mapped_column(sa.String(2000))
    claim_reference: Mapped[str | None] = mapped_column(sa.String(100))
    amount: Mapped[Decimal | None]  # what the claim or chargeback is for
    currency: Mapped[str] = mapped_column(sa.String(3))
    first_response_due: Mapped[datetime]
    resolution_due: Mapped[datetime]
    first_responded_at: Mapped[datetime | None]
    breached: Mapped[bool]
    escalated_at: Mapped[datetime | None]
    outcome: Mapped[Outcome | None] = enum_column(Outcome, nullable=True)
    refunded: Mapped[Decimal | None]
    replacement_order_id: Mapped[uuid.UUID | None]
    opened_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("(status = 'RESOLVED') = (outcome IS NOT NULL)", name="resolved_with_outcome"),
        sa.Index("ix_complaints_order", "order_id", "seq"),
        sa.Index("ix_complaints_workspace_status", "workspace_id", "status", "seq"),
    )


class Feedback(WorkspaceOwned, Base):
    """A consumer's rating of one order line, after delivery: one per line."""

    __tablename__ = "feedback"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    order_id: Mapped[uuid.UUID]
    order_line_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    market: Mapped[str] = mapped_column(sa.String(2))  # the order's destination
    rating: Mapped[int]
    text: Mapped[str | None] = mapped_column(sa.String(2000))
    given_at: Mapped[datetime]

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_line_id"], ["order_lines.workspace_id", "order_lines.id"]
        ),
        sa.ForeignKeyConstraint(["workspace_id", "product_id"], ["products.workspace_id", "products.id"]),
        sa.UniqueConstraint("workspace_id", "order_line_id"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        sa.Index("ix_feedback_product", "workspace_id", "product_id", "market"),
        sa.Index("ix_feedback_order", "order_id"),
    )
