"""Service tickets: the types, the mutations (the seller's, and in a sandbox the consumer's) and the list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import strawberry

from api.aftersales.service_errors import TicketErrorCode, TicketUserError
from api.commands import INPUT, Outcome, run_command
from api.context import Info
from api.errors import to_user_error
from api.loaders import now_or_later
from api.orders.types import TimelineEvent
from api.paging import After, First, connection, query_id
from api.prefetch import Relation
from api.relay import Connection, Node, decode_id, to_global_id
from domain.aftersales import model, service
from domain.aftersales.queries import SERVICE_TICKETS
from domain.db.reads import Row

if TYPE_CHECKING:
    from api.orders.types import Order, OrderLine

TicketKind = strawberry.enum(
    model.TicketKind,
    description="WARRANTY (a fault the warranty covers), REPAIR (the consumer wants it repaired) or "
    "CONSULTATION (a question, before or after delivery).",
)
TicketStatus = strawberry.enum(
    model.TicketStatus,
    description="OPEN (waiting for the seller's first answer), WAITING_CONSUMER (the seller answered), "
    "WAITING_SELLER (the consumer wrote again), RESOLVED (a consumer's message reopens it), CLOSED (final).",
)
TicketAuthor = strawberry.enum(model.TicketAuthor, description="Who wrote a message.")
NEXT_STATES = {status: sorted(following) for status, following in service.TICKET_TRANSITIONS.items()}
EXPECTED_VERSION = "If given, the command is refused with CONFLICT unless the ticket is at this version."
RELATIONS = {
    "order": Relation("order", "order_id"),
    "messages": Relation("ticket_messages", "id", many=True),
    "timeline": Relation("timeline", "id", many=True),
}


@strawberry.type(description="One message of a ticket's conversation.")
class TicketMessage:
    author: TicketAuthor = strawberry.field(description="The consumer or the seller.")  # type: ignore[valid-type]
    body: str = strawberry.field(description="What they wrote.")
    sent_at: datetime = strawberry.field(description="When (workspace clock).")

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[TicketMessage]:
        return [cls(author=row.author, body=row.body, sent_at=row.sent_at) for row in rows]


@strawberry.type(
    description="A consumer's warranty claim, repair request or question about an order: the conversation, "
    "and the SLA deadlines it was given when it opened."
)
class ServiceTicket(Node):
    kind: TicketKind = strawberry.field(description="What it is about.")  # type: ignore[valid-type]
    status: TicketStatus = strawberry.field(description="Whose turn it is, or whether it is over.")  # type: ignore[valid-type]
    next_states: list[TicketStatus] = strawberry.field(  # type: ignore[valid-type]
        description="The statuses it can move to from here."
    )
    subject: str = strawberry.field(description="The consumer's subject line.")
    first_response_due: datetime = strawberry.field(description="The seller's first answer is due by then.")
    resolution_due: datetime = strawberry.field(description="It is to be resolved (or closed) by then.")
    first_responded_at: datetime | None = strawberry.field(
        description="When the seller first answered (or resolved it)."
    )
    resolved_at: datetime | None = strawberry.field(description="When it was first resolved.")
    closed_at: datetime | None = strawberry.field(description="When it was closed.")
    first_response_breached: bool = strawberry.field(
        description="True once the first-response deadline passed without an answer."
    )
    resolution_breached: bool = strawberry.field(
        description="True once the resolution deadline passed with the ticket neither resolved nor closed."
    )
    breached: bool = strawberry.field(description="Either deadline was missed.")
    opened_at: datetime = strawberry.field(description="When the consumer opened it (workspace clock).")
    version: int = strawberry.field(
        description="Goes up with every change; pass as expectedVersion to guard one."
    )
    _id: strawberry.Private[uuid.UUID]
    _order_id: strawberry.Private[uuid.UUID]
    _order_line_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The order it is about.")
    def order(self, info: Info) -> Annotated[Order, strawberry.lazy("api.orders.types")]:
        from api.orders.types import Order

        return info.context.loaders.order.node(self._order_id, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The order line it is about, if the consumer named one.")
    async def order_line(
        self, info: Info
    ) -> Annotated[OrderLine, strawberry.lazy("api.orders.types")] | None:
        from api.orders.types import OrderLine

        if self._order_line_id is None:
            return None
        return OrderLine.from_row(await info.context.loaders.order_line.get(self._order_line_id))

    @strawberry.field(description="The conversation, oldest message first.")
    def messages(self, info: Info) -> list[TicketMessage]:
        return now_or_later(info.context.loaders.ticket_messages, self._id, TicketMessage.from_rows)  # type: ignore[return-value]

    @strawberry.field(description="Every state change, oldest first: opening, replies, breaches, resolution.")
    def timeline(self, info: Info) -> list[TimelineEvent]:
        return now_or_later(info.context.loaders.timeline, self._id, TimelineEvent.from_views)  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[ServiceTicket]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Row) -> ServiceTicket:
        return cls(
            id=to_global_id("ServiceTicket", row.id),
            kind=row.kind,
            status=row.status,
            next_states=NEXT_STATES[row.status],
            subject=row.subject,
            first_response_due=row.first_response_due,
            resolution_due=row.resolution_due,
            first_responded_at=row.first_responded_at,
            resolved_at=row.resolved_at,
            closed_at=row.closed_at,
            first_response_breached=row.first_response_breached,
            resolution_breached=row.resolution_breached,
            breached=row.first_response_breached or row.resolution_breached,
            opened_at=row.opened_at,
            version=row.version,
            _id=row.id,
            _order_id=row.order_id,
            _order_line_id=row.order_line_id,
        )


# -- mutations ----------------------------------------------------------------------------------------


@strawberry.input(description="The consumer opens a ticket on an order (sandbox only: it stands for them).")
class ServiceTicketOpenInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    kind: TicketKind = strawberry.field(  # type: ignore[valid-type]
        description="WARRANTY and REPAIR need the order delivered; CONSULTATION does not."
    )
    subject: str = strawberry.field(description="A subject line, up to 200 characters.")
    message: str = strawberry.field(description="The consumer's first message, up to 5000 characters.")
    order_line_id: strawberry.ID | None = strawberry.field(
        default=None, description="The line it is about (Order.lines.id), if one."
    )


@strawberry.input(description="A message on a ticket.")
class ServiceTicketMessageInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket.")
    message: str = strawberry.field(description="The text, up to 5000 characters.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Resolve or close a ticket, with an optional last word to the consumer.")
class ServiceTicketMoveInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket.")
    note: str | None = strawberry.field(
        default=None, description="Sent to the consumer as the seller's message, if given."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.type(description="A ticket after a ticket command.")
class TicketPayload:
    ticket: ServiceTicket | None = strawberry.field(description="The ticket as it is now, unless refused.")
    user_errors: list[TicketUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(description="Result of serviceTicketOpen.")
class ServiceTicketOpenPayload(TicketPayload):
    pass


@strawberry.type(description="Result of serviceTicketReply.")
class ServiceTicketReplyPayload(TicketPayload):
    pass


@strawberry.type(description="Result of serviceTicketConsumerMessage.")
class ServiceTicketConsumerMessagePayload(TicketPayload):
    pass


@strawberry.type(description="Result of serviceTicketResolve.")
class ServiceTicketResolvePayload(TicketPayload):
    pass


@strawberry.type(description="Result of serviceTicketClose.")
class ServiceTicketClosePayload(TicketPayload):
    pass


async def _payload(info: Info, outcome: Outcome[uuid.UUID]) -> dict[str, object]:
    ticket = None
    if outcome.result is not None:
        ticket = ServiceTicket.from_row(await info.context.loaders.service_ticket.get(outcome.result))
    errors = [to_user_error(TicketUserError, TicketErrorCode, e) for e in outcome.errors]
    return {"ticket": ticket, "user_errors": errors}


def _ticket(id_: strawberry.ID) -> uuid.UUID:
    return decode_id(id_, "ServiceTicket", ["input", "ticketId"])


def _open(input: ServiceTicketOpenInput) -> service.OpenTicket:
    line = input.order_line_id
    return service.OpenTicket(
        decode_id(input.order_id, "Order", ["input", "orderId"]),
        input.kind,
        input.subject,
        input.message,
        None if line is None else decode_id(line, "OrderLine", ["input", "orderLineId"]),
    )


@strawberry.type
class ServiceTicketMutation:
    @strawberry.mutation(
        description="The consumer opens a service ticket (sandbox only). Its deadlines come from the SLA "
        "policy for its kind on the order's channel (see slaPolicies)."
    )
    async def service_ticket_open(
        self, info: Info, input: Annotated[ServiceTicketOpenInput, INPUT]
    ) -> ServiceTicketOpenPayload:
        outcome = await run_command(
            info.context, "serviceTicketOpen", lambda: _open(input), service.open_ticket, uuid.UUID
        )
        return ServiceTicketOpenPayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="The seller answers. The first answer meets the first-response deadline; the ticket "
        "becomes WAITING_CONSUMER. Refused with TICKET_CLOSED on a closed ticket."
    )
    async def service_ticket_reply(
        self, info: Info, input: Annotated[ServiceTicketMessageInput, INPUT]
    ) -> ServiceTicketReplyPayload:
        outcome = await run_command(
            info.context,
            "serviceTicketReply",
            lambda: service.TicketMessageInput(
                _ticket(input.ticket_id), input.message, input.expected_version
            ),
            service.reply,
            uuid.UUID,
        )
        return ServiceTicketReplyPayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="The consumer writes again (sandbox only): WAITING_SELLER, and a RESOLVED ticket reopens."
    )
    async def service_ticket_consumer_message(
        self, info: Info, input: Annotated[ServiceTicketMessageInput, INPUT]
    ) -> ServiceTicketConsumerMessagePayload:
        outcome = await run_command(
            info.context,
            "serviceTicketConsumerMessage",
            lambda: service.TicketMessageInput(
                _ticket(input.ticket_id), input.message, input.expected_version
            ),
            service.consumer_message,
            uuid.UUID,
        )
        return ServiceTicketConsumerMessagePayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="The seller resolved it: meets the resolution deadline (and the first-response one, "
        "if still open)."
    )
    async def service_ticket_resolve(
        self, info: Info, input: Annotated[ServiceTicketMoveInput, INPUT]
    ) -> ServiceTicketResolvePayload:
        outcome = await run_command(
            info.context,
            "serviceTicketResolve",
            lambda: service.TicketMove(_ticket(input.ticket_id), input.note, input.expected_version),
            service.resolve,
            uuid.UUID,
        )
        return ServiceTicketResolvePayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Close for good: no more messages. Meets the resolution deadline, not the first-response "
        "one (closing an unanswered ticket is no answer)."
    )
    async def service_ticket_close(
        self, info: Info, input: Annotated[ServiceTicketMoveInput, INPUT]
    ) -> ServiceTicketClosePayload:
        outcome = await run_command(
            info.context,
            "serviceTicketClose",
            lambda: service.TicketMove(_ticket(input.ticket_id), input.note, input.expected_version),
            service.close,
            uuid.UUID,
        )
        return ServiceTicketClosePayload(**await _payload(info, outcome))  # type: ignore[arg-type]


# -- the list -----------------------------------------------------------------------------------------


@strawberry.input(description="Narrow the ticket list; all given conditions must hold.")
class ServiceTicketFilter:
    status: list[TicketStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only tickets in one of these statuses."
    )
    breached: bool | None = strawberry.field(
        default=None, description="True: only tickets that missed a deadline; false: only those that did not."
    )
    kind: TicketKind | None = strawberry.field(default=None, description="Only this kind.")  # type: ignore[valid-type]
    order_id: strawberry.ID | None = strawberry.field(default=None, description="Only this order's.")


@strawberry.type
class ServiceTicketQuery:
    @strawberry.field(description="The workspace's service tickets, newest first.")
    async def service_tickets(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ServiceTicketFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[ServiceTicket]:
        t = SERVICE_TICKETS
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.status:
                where.append(t.c.status.in_(filter.status))
            if filter.breached is not None:
                missed = sa.or_(t.c.first_response_breached, t.c.resolution_breached)
                where.append(missed if filter.breached else sa.not_(missed))
            if filter.kind is not None:
                where.append(t.c.kind == filter.kind)
            if filter.order_id is not None:
                where.append(t.c.order_id == query_id(filter.order_id, "Order", "filter.orderId"))
        return await connection(
            info.context,
            t,
            ServiceTicket.from_row,
            first,
            after,
            where,
            newest_first=True,
            prefetch=(info, RELATIONS),
        )
