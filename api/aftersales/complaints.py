"""Complaints: the types, the mutations (the seller's, and in a sandbox the consumer's, platform's or
bank's) and the list."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import strawberry

from api.aftersales.service_errors import ComplaintErrorCode, ComplaintUserError
from api.commands import INPUT, Outcome, run_command
from api.context import Info
from api.errors import to_user_error
from api.loaders import now_or_later
from api.money import Money
from api.orders.types import TimelineEvent
from api.paging import After, First, connection, query_id
from api.prefetch import Relation
from api.relay import Connection, Node, decode_id, to_global_id
from domain.aftersales import complaints, model
from domain.aftersales.queries import COMPLAINTS
from domain.db.reads import Row

if TYPE_CHECKING:
    from api.orders.types import Order

ComplaintSource = strawberry.enum(
    model.ComplaintSource,
    description="Where it came from: DIRECT (the consumer, to the seller), PLATFORM_CLAIM (a marketplace "
    "claim, such as Amazon's A-to-z Guarantee) or CHARGEBACK (the consumer's bank took the money back).",
)
ComplaintSeverity = strawberry.enum(
    model.Severity,
    name="ComplaintSeverity",
    description="How serious: LOW, MEDIUM, HIGH, CRITICAL. It picks the SLA line (see slaPolicies).",
)
ComplaintStatus = strawberry.enum(
    model.ComplaintStatus,
    description="OPEN; ESCALATED (a deadline passed unmet: breached and raised); RESOLVED (final).",
)
ComplaintOutcome = strawberry.enum(
    model.Outcome,
    name="ComplaintOutcome",
    description="How it was resolved: REFUND, PARTIAL_REFUND (both through the payment ledger), "
    "REPLACEMENT (goods sent again on a new order, total 0) or DENIED.",
)
NEXT_STATES = {status: sorted(following) for status, following in complaints.COMPLAINT_TRANSITIONS.items()}
EXPECTED_VERSION = "If given, the command is refused with CONFLICT unless the complaint is at this version."
RELATIONS = {"order": Relation("order", "order_id"), "timeline": Relation("timeline", "id", many=True)}


@strawberry.type(
    description="A complaint about an order: direct, a platform claim or a chargeback; its SLA deadlines "
    "by severity, escalation when one passes, and its resolution."
)
class Complaint(Node):
    source: ComplaintSource = strawberry.field(description="Where it came from.")  # type: ignore[valid-type]
    severity: ComplaintSeverity = strawberry.field(description="How serious it is.")  # type: ignore[valid-type]
    status: ComplaintStatus = strawberry.field(description="Where it is.")  # type: ignore[valid-type]
    next_states: list[ComplaintStatus] = strawberry.field(  # type: ignore[valid-type]
        description="The statuses it can move to from here."
    )
    description: str = strawberry.field(description="What the consumer, platform or bank said.")
    claim_reference: str | None = strawberry.field(description="The platform's claim or bank's case number.")
    amount: Money | None = strawberry.field(
        description="What the claim is for; for a chargeback, what the bank took back when it arrived."
    )
    first_response_due: datetime = strawberry.field(description="The seller's first answer is due by then.")
    resolution_due: datetime = strawberry.field(description="It is to be resolved by then.")
    first_responded_at: datetime | None = strawberry.field(
        description="When the seller first answered (or resolved it)."
    )
    breached: bool = strawberry.field(description="True once a deadline passed unmet.")
    escalated_at: datetime | None = strawberry.field(description="When it was first escalated.")
    outcome: ComplaintOutcome | None = strawberry.field(description="How it was resolved, once RESOLVED.")  # type: ignore[valid-type]
    refunded: Money | None = strawberry.field(
        description="What its resolution refunded through the payment ledger (0 for an accepted chargeback: "
        "the bank had taken the money already)."
    )
    opened_at: datetime = strawberry.field(description="When it arrived (workspace clock).")
    resolved_at: datetime | None = strawberry.field(description="When it was resolved.")
    version: int = strawberry.field(
        description="Goes up with every change; pass as expectedVersion to guard one."
    )
    _id: strawberry.Private[uuid.UUID]
    _order_id: strawberry.Private[uuid.UUID]
    _replacement_order_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The order it is about.")
    def order(self, info: Info) -> Annotated[Order, strawberry.lazy("api.orders.types")]:
        from api.orders.types import Order

        return info.context.loaders.order.node(self._order_id, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The replacement order a REPLACEMENT resolution created.")
    def replacement_order(self, info: Info) -> Annotated[Order, strawberry.lazy("api.orders.types")] | None:
        from api.orders.types import Order

        if self._replacement_order_id is None:
            return None
        return info.context.loaders.order.node(self._replacement_order_id, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(
        description="Every state change, oldest first: opening, answers, escalations, resolution."
    )
    def timeline(self, info: Info) -> list[TimelineEvent]:
        return now_or_later(info.context.loaders.timeline, self._id, TimelineEvent.from_views)  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[Complaint]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Row) -> Complaint:
        currency = row.currency
        return cls(
            id=to_global_id("Complaint", row.id),
            source=row.source,
            severity=row.severity,
            status=row.status,
            next_states=NEXT_STATES[row.status],
            description=row.description,
            claim_reference=row.claim_reference,
            amount=None if row.amount is None else Money.of(row.amount, currency),
            first_response_due=row.first_response_due,
            resolution_due=row.resolution_due,
            first_responded_at=row.first_responded_at,
            breached=row.breached,
            escalated_at=row.escalated_at,
            outcome=row.outcome,
            refunded=None if row.refunded is None else Money.of(row.refunded, currency),
            opened_at=row.opened_at,
            resolved_at=row.resolved_at,
            version=row.version,
            _id=row.id,
            _order_id=row.order_id,
            _replacement_order_id=row.replacement_order_id,
        )


# -- mutations ----------------------------------------------------------------------------------------


@strawberry.input(
    description="A complaint arrives (sandbox only: it stands for the consumer, the platform or the bank)."
)
class ComplaintOpenInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    source: ComplaintSource = strawberry.field(description="Where it comes from.")  # type: ignore[valid-type]
    severity: ComplaintSeverity = strawberry.field(description="How serious it is.")  # type: ignore[valid-type]
    description: str = strawberry.field(description="What they say, up to 2000 characters.")
    claim_reference: str | None = strawberry.field(
        default=None, description="The platform's claim or bank's case number."
    )
    amount: Decimal | None = strawberry.field(
        default=None,
        description="What it is for, in the order's currency. Required for a CHARGEBACK, which takes it back "
        "through the payment ledger at once (refused above what the seller holds).",
    )


@strawberry.input(description="The seller's answer to a complaint.")
class ComplaintRespondInput:
    complaint_id: strawberry.ID = strawberry.field(description="The complaint.")
    message: str = strawberry.field(description="The answer, up to 2000 characters.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Units of one order line to send again.")
class ReplacementLineInput:
    order_line_id: strawberry.ID = strawberry.field(description="The line (Order.lines.id).")
    quantity: int = strawberry.field(
        description="Units, 1 to those of the line delivered, not in a return and not sent again already."
    )


@strawberry.input(description="Resolve a complaint with an outcome.")
class ComplaintResolveInput:
    complaint_id: strawberry.ID = strawberry.field(description="The complaint.")
    outcome: ComplaintOutcome = strawberry.field(description="How it is resolved.")  # type: ignore[valid-type]
    amount: Decimal | None = strawberry.field(
        default=None,
        description="REFUND: what to give back (default: the complaint's amount, else everything held); "
        "PARTIAL_REFUND: required. Never above what the seller holds. Not for a chargeback: the bank already "
        "took its money back (REFUND accepts it, DENIED contests it; nothing more moves).",
    )
    lines: list[ReplacementLineInput] | None = strawberry.field(
        default=None,
        description="REPLACEMENT: what to send again; left out, every unit delivered, not in a return and "
        "not sent again already (refused with NOTHING_TO_REPLACE if there is none).",
    )
    note: str | None = strawberry.field(default=None, description="Why, kept on the timeline.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.type(description="A complaint after a complaint command.")
class ComplaintPayload:
    complaint: Complaint | None = strawberry.field(description="The complaint as it is now, unless refused.")
    user_errors: list[ComplaintUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(description="Result of complaintOpen.")
class ComplaintOpenPayload(ComplaintPayload):
    pass


@strawberry.type(description="Result of complaintRespond.")
class ComplaintRespondPayload(ComplaintPayload):
    pass


@strawberry.type(description="Result of complaintResolve.")
class ComplaintResolvePayload(ComplaintPayload):
    pass


async def _payload(info: Info, outcome: Outcome[uuid.UUID]) -> dict[str, object]:
    complaint = None
    if outcome.result is not None:
        complaint = Complaint.from_row(await info.context.loaders.complaint.get(outcome.result))
    errors = [to_user_error(ComplaintUserError, ComplaintErrorCode, e) for e in outcome.errors]
    return {"complaint": complaint, "user_errors": errors}


def _complaint(id_: strawberry.ID) -> uuid.UUID:
    return decode_id(id_, "Complaint", ["input", "complaintId"])


def _resolve(input: ComplaintResolveInput) -> complaints.ResolveComplaint:
    lines = None
    if input.lines is not None:
        lines = tuple(
            complaints.ReplacementLine(
                decode_id(line.order_line_id, "OrderLine", ["input", "lines", str(i), "orderLineId"]),
                line.quantity,
            )
            for i, line in enumerate(input.lines)
        )
    return complaints.ResolveComplaint(
        _complaint(input.complaint_id), input.outcome, input.amount, lines, input.note, input.expected_version
    )


@strawberry.type
class ComplaintMutation:
    @strawberry.mutation(
        description="A complaint arrives (sandbox only). Its deadlines come from the SLA policy for its "
        "severity; a CHARGEBACK takes its amount back through the payment ledger at once."
    )
    async def complaint_open(
        self, info: Info, input: Annotated[ComplaintOpenInput, INPUT]
    ) -> ComplaintOpenPayload:
        outcome = await run_command(
            info.context,
            "complaintOpen",
            lambda: complaints.OpenComplaint(
                decode_id(input.order_id, "Order", ["input", "orderId"]),
                input.source,
                input.severity,
                input.description,
                input.claim_reference,
                input.amount,
            ),
            complaints.open_complaint,
            uuid.UUID,
        )
        return ComplaintOpenPayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="The seller answers; the first answer meets the first-response deadline."
    )
    async def complaint_respond(
        self, info: Info, input: Annotated[ComplaintRespondInput, INPUT]
    ) -> ComplaintRespondPayload:
        outcome = await run_command(
            info.context,
            "complaintRespond",
            lambda: complaints.RespondToComplaint(
                _complaint(input.complaint_id), input.message, input.expected_version
            ),
            complaints.respond,
            uuid.UUID,
        )
        return ComplaintRespondPayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Resolve a complaint: REFUND or PARTIAL_REFUND through the payment ledger, REPLACEMENT "
        "(a new CONFIRMED order, total 0, linked to this one; only on a delivered order, for units with no "
        "remedy yet) or DENIED."
    )
    async def complaint_resolve(
        self, info: Info, input: Annotated[ComplaintResolveInput, INPUT]
    ) -> ComplaintResolvePayload:
        outcome = await run_command(
            info.context, "complaintResolve", lambda: _resolve(input), complaints.resolve, uuid.UUID
        )
        return ComplaintResolvePayload(**await _payload(info, outcome))  # type: ignore[arg-type]


# -- the list -----------------------------------------------------------------------------------------


@strawberry.input(description="Narrow the complaint list; all given conditions must hold.")
class ComplaintFilter:
    status: list[ComplaintStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only complaints in one of these statuses."
    )
    breached: bool | None = strawberry.field(
        default=None, description="True: only complaints that missed a deadline; false: only the others."
    )
    source: ComplaintSource | None = strawberry.field(default=None, description="Only from this source.")  # type: ignore[valid-type]
    severity: ComplaintSeverity | None = strawberry.field(default=None, description="Only this severity.")  # type: ignore[valid-type]
    order_id: strawberry.ID | None = strawberry.field(default=None, description="Only this order's.")


@strawberry.type
class ComplaintQuery:
    @strawberry.field(description="The workspace's complaints, newest first.")
    async def complaints(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ComplaintFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[Complaint]:
        t = COMPLAINTS
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.status:
                where.append(t.c.status.in_(filter.status))
            if filter.breached is not None:
                where.append(t.c.breached.is_(filter.breached))
            if filter.source is not None:
                where.append(t.c.source == filter.source)
            if filter.severity is not None:
                where.append(t.c.severity == filter.severity)
            if filter.order_id is not None:
                where.append(t.c.order_id == query_id(filter.order_id, "Order", "filter.orderId"))
        return await connection(
            info.context,
            t,
            Complaint.from_row,
            first,
            after,
            where,
            newest_first=True,
            prefetch=(info, RELATIONS),
        )
