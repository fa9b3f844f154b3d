"""The workspaceEvents subscription: the workspace's state changes (orders, shipments, customs, after-sales
and the rest) as they commit, for frontends that show them live."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from api.context import Info
from api.relay import decode_cursor, encode_cursor, to_global_id
from domain.live import PAGE, FeedEvent, FeedPosition, events_channel, feed_head, listening, read_feed

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # read even without a notification this often: a lost one costs a few seconds at most


@strawberry.enum(description="The kind of object an event happened to.")
class AggregateType(StrEnum):
    ORDER = "ORDER"
    SHIPMENT = "SHIPMENT"
    CUSTOMS_DECLARATION = "CUSTOMS_DECLARATION"
    RETURN_REQUEST = "RETURN_REQUEST"
    SERVICE_TICKET = "SERVICE_TICKET"
    COMPLAINT = "COMPLAINT"
    REGISTRATION = "REGISTRATION"
    PRODUCT_CERTIFICATION = "PRODUCT_CERTIFICATION"
    RATE_LOCK = "RATE_LOCK"
    LOT = "LOT"


# What the events table calls each kind, and the GraphQL type its global ID names.
KINDS: dict[str, tuple[AggregateType, str]] = {
    "Order": (AggregateType.ORDER, "Order"),
    "Shipment": (AggregateType.SHIPMENT, "Shipment"),
    "CustomsDeclaration": (AggregateType.CUSTOMS_DECLARATION, "CustomsDeclaration"),
    "ReturnRequest": (AggregateType.RETURN_REQUEST, "ReturnRequest"),
    "ServiceTicket": (AggregateType.SERVICE_TICKET, "ServiceTicket"),
    "Complaint": (AggregateType.COMPLAINT, "Complaint"),
    "Registration": (AggregateType.REGISTRATION, "Registration"),
    "ProductCertification": (AggregateType.PRODUCT_CERTIFICATION, "ProductCertification"),
    "RateLock": (AggregateType.RATE_LOCK, "RateLock"),
    "InboundLot": (AggregateType.LOT, "Lot"),
}


@strawberry.type(description="A state change of an object of the workspace, as it committed.")
class WorkspaceEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume the subscription after this event.")
    aggregate_type: AggregateType = strawberry.field(description="The kind of object.")
    aggregate_id: strawberry.ID = strawberry.field(
        description="The object's global ID: fetch it with node(id:) over HTTP."
    )
    type: str = strawberry.field(description="What happened, e.g. ORDER_PLACED or SHIPMENT_DELIVERED.")
    occurred_at: datetime = strawberry.field(description="When, by the workspace clock.")
    data: JSON = strawberry.field(description="Details, as the object's timeline holds them.")

    @classmethod
    def from_feed(cls, event: FeedEvent) -> WorkspaceEvent | None:
        kind = KINDS.get(event.aggregate_type)
        if kind is None:
            log.warning(
                "event %s of an aggregate type the API does not name: %s", event.seq, event.aggregate_type
            )
            return None
        aggregate_type, node_type = kind
        return cls(
            cursor=encode_cursor(event.seq),
            aggregate_type=aggregate_type,
            aggregate_id=to_global_id(node_type, event.aggregate_id),
            type=event.type,
            occurred_at=event.occurred_at,
            data=cast(JSON, event.data),
        )


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="The workspace's events as they commit, one message each (a command's events in the "
        "order it made them). Without `after`, from now on; with it, every event after that cursor first."
    )
    async def workspace_events(
        self,
        info: Info,
        types: Annotated[
            list[AggregateType] | None,
            strawberry.argument(
                description="Only events of these kinds of object; all kinds when left out or empty."
            ),
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="Resume after this event's `cursor`.")
        ] = None,
    ) -> AsyncGenerator[WorkspaceEvent, None]:
        ctx = info.context
        workspace_id, engine = ctx.workspace_id, ctx.services.engine
        wanted = set(types or ())
        start = decode_cursor(after)
        # Where to start is read before listening, and the first read of events after: an event that
        # commits in between is above the start, so that first read finds it.
        position = FeedPosition(low=start) if start is not None else await feed_head(engine, workspace_id)
        async with listening(engine, events_channel(workspace_id)) as listener:
            while True:
                found = await read_feed(engine, workspace_id, position)
                for feed_event in found:
                    event = WorkspaceEvent.from_feed(feed_event)
                    if event is not None and (not wanted or event.aggregate_type in wanted):
                        yield event
                if len(found) < PAGE:
                    await listener.wait(POLL_SECONDS)
