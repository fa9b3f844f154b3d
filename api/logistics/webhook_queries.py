"""Carriers' webhook endpoints as a client reads them: a connection, and each one a Relay node. The secret
is never read back: trackingWebhookCreate shows it once, and here only its last characters show."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
import strawberry

from api.context import Info
from api.paging import After, First, connection
from api.relay import Connection, Node, to_global_id
from domain.db.reads import Row
from domain.logistics.queries import WEBHOOKS

HINT_LENGTH = 4  # tells secrets apart; leaves 39 of the 43 random characters (234 bits) unknown


@strawberry.type(
    description="An endpoint a carrier posts tracking events to. Its secret is shown once, by "
    "trackingWebhookCreate; here only its last characters."
)
class TrackingWebhook(Node):
    carrier: str = strawberry.field(description="The carrier that posts to it.")
    url_path: str = strawberry.field(
        description="Where the carrier posts, relative to this server: /webhooks/tracking/<endpoint UUID>."
    )
    created_at: datetime = strawberry.field(description="When it was made (workspace clock).")
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked (workspace clock); from then on every post to it is refused with "
        "404 UNKNOWN_ENDPOINT. Null while it is open."
    )
    secret_hint: str = strawberry.field(
        description=f"The last {HINT_LENGTH} characters of its signing secret, to tell which secret a "
        "carrier holds."
    )

    @classmethod
    def of(
        cls, id_: uuid.UUID, carrier: str, secret: str, created_at: datetime, revoked_at: datetime | None
    ) -> TrackingWebhook:
        return cls(
            id=to_global_id("TrackingWebhook", id_),
            carrier=carrier,
            url_path=f"/webhooks/tracking/{id_}",
            created_at=created_at,
            revoked_at=revoked_at,
            secret_hint=secret[-HINT_LENGTH:],
        )

    @classmethod
    def from_row(cls, row: Row) -> TrackingWebhook:
        return cls.of(row.id, row.carrier, row.secret, row.created_at, row.revoked_at)


@strawberry.input(description="Narrow the webhook endpoint list; all given conditions must hold.")
class TrackingWebhookFilter:
    carrier: str | None = strawberry.field(default=None, description="Only this carrier's (code).")
    revoked: bool | None = strawberry.field(
        default=None, description="True: only revoked endpoints; false: only open ones."
    )


@strawberry.type
class TrackingWebhookQuery:
    @strawberry.field(description="The workspace's carrier webhook endpoints, revoked too, newest first.")
    async def tracking_webhooks(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            TrackingWebhookFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[TrackingWebhook]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.carrier is not None:
                where.append(WEBHOOKS.c.carrier == filter.carrier.strip().upper())
            if filter.revoked is not None:
                revoked_at = WEBHOOKS.c.revoked_at
                where.append(revoked_at.is_not(None) if filter.revoked else revoked_at.is_(None))
        return await connection(
            info.context, WEBHOOKS, TrackingWebhook.from_row, first, after, where, newest_first=True
        )
