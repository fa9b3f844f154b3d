"""Carriers' tracking webhooks: endpoints with a signing secret, and checking what is posted to them.

A carrier posts one event per request to `/webhooks/tracking/{endpoint id}` with the header
`Tradelane-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the secret>` (the
scheme Stripe uses). A signature older or newer than five minutes is refused, so a captured request
cannot be replayed later; a repeated event ID is refused as a duplicate.

A revoked endpoint is gone for good: it answers as an unknown one. Secrets are not rotated in place (an
endpoint has one secret, and no column for a previous one); to change a carrier's secret, make a new
endpoint, move the carrier to it, then revoke the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accounts.handlers import Principal
from domain.accounts.model import Workspace
from domain.db.uow import UnitOfWork
from domain.logistics.handlers import RecordScan
from domain.logistics.lanes import lane_book
from domain.logistics.model import EventSource, TrackingEventType, TrackingWebhook
from domain.shared.errors import DomainError, NotFound

TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 64 * 1024
SIGNATURE_HEADER = "Tradelane-Signature"


@dataclass(frozen=True)
class CreatedWebhook:
    id: uuid.UUID
    carrier: str
    secret: str
    created_at: datetime


async def create_webhook(uow: UnitOfWork, carrier: str) -> CreatedWebhook:
    code = carrier.strip().upper()
    carriers = lane_book().carriers
    if code not in carriers:
        raise DomainError(
            "UNKNOWN_CARRIER",
            f"'{carrier}' is not a carrier Tradelane knows. Carriers: {', '.join(sorted(carriers))}.",
            ["input", "carrier"],
        )
    webhook = TrackingWebhook(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        carrier=code,
        secret=f"whsec_{secrets.token_urlsafe(32)}",
        created_at=uow.now,
        revoked_at=None,
    )
    uow.session.add(webhook)
    return CreatedWebhook(webhook.id, code, webhook.secret, webhook.created_at)


WEBHOOK_ID = ("input", "webhookId")
UNKNOWN_ENDPOINT = "No webhook endpoint has that ID (or it was revoked)."


@dataclass(frozen=True)
class RevokeWebhook:
    webhook_id: uuid.UUID


async def revoke_webhook(uow: UnitOfWork, command: RevokeWebhook) -> uuid.UUID:
    """Close the endpoint for good: once this commits, whatever is posted to it is refused as to an unknown
    endpoint. The row is locked, so of two revocations at once the second sees the first and is refused."""
    webhook = (
        await uow.session.scalars(
            sa.select(TrackingWebhook)
            .where(TrackingWebhook.workspace_id == uow.workspace_id, TrackingWebhook.id == command.webhook_id)
            .with_for_update()
        )
    ).one_or_none()
    if webhook is None:
        raise NotFound("webhook endpoint", WEBHOOK_ID)
    if webhook.revoked_at is not None:
        raise DomainError(
            "ALREADY_REVOKED",
            f"That endpoint was revoked at {webhook.revoked_at.isoformat()} and stays revoked. "
            "To give the carrier a new secret, make a new endpoint with trackingWebhookCreate.",
            WEBHOOK_ID,
        )
    webhook.revoked_at = uow.now
    await uow.flush()
    return webhook.id


async def hold_endpoint(uow: UnitOfWork, endpoint_id: uuid.UUID) -> None:
    """Inside a posted scan's transaction: check that the endpoint is still open, and keep it open until the
    scan commits. find_endpoint read it before the transaction began, so a revocation may have committed
    since; and the row is held FOR SHARE, so a revocation that starts now waits for this scan. Either way,
    no scan posted to an endpoint is written after its revocation has committed."""
    found = await uow.session.scalar(
        sa.select(TrackingWebhook.id)
        .where(TrackingWebhook.id == endpoint_id, TrackingWebhook.revoked_at.is_(None))
        .with_for_update(read=True)
    )
    if found is None:
        raise DomainError("UNKNOWN_ENDPOINT", UNKNOWN_ENDPOINT)


@dataclass(frozen=True)
class Endpoint:
    principal: Principal
    carrier: str
    secret: str


async def find_endpoint(conn: AsyncConnection, endpoint_id: uuid.UUID) -> Endpoint | None:
    """Look an endpoint up before any workspace is entered (as the API-key lookup does)."""
    row = (
        await conn.execute(
            sa.select(
                TrackingWebhook.secret,
                TrackingWebhook.carrier,
                Workspace.id,
                Workspace.seller_id,
                Workspace.kind,
            )
            .join(Workspace, Workspace.id == TrackingWebhook.workspace_id)
            .where(TrackingWebhook.id == endpoint_id, TrackingWebhook.revoked_at.is_(None))
        )
    ).one_or_none()
    if row is None:
        return None
    return Endpoint(Principal(row.id, row.seller_id, row.kind), row.carrier, row.secret)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class WebhookRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def verify(secret: str, header: str | None, body: bytes, now: float) -> None:
    if not header:
        raise WebhookRefused(
            401, "MISSING_SIGNATURE", f"Sign the request: send the {SIGNATURE_HEADER} header."
        )
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise WebhookRefused(
            401, "INVALID_SIGNATURE", "The signature header has no t=<unix seconds>."
        ) from None
    # Compared, not subtracted: int and float compare exactly, while a huge t would overflow a float.
    if not now - TOLERANCE_SECONDS <= timestamp <= now + TOLERANCE_SECONDS:
        raise WebhookRefused(
            401,
            "STALE_SIGNATURE",
            f"The signature's time is more than {TOLERANCE_SECONDS} s from now; sign afresh.",
        )
    expected = sign(secret, timestamp, body).split("v1=")[1]
    # compare_digest raises on non-ASCII text; such a signature is simply wrong.
    if not any(given.isascii() and hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise WebhookRefused(
            401, "INVALID_SIGNATURE", "The signature does not match the body and the endpoint's secret."
        )


FIELDS = {"eventId", "trackingNumber", "type", "occurredAt", "location", "detail"}


def parse_scan(body: bytes) -> RecordScan:
    """The documented JSON: {"eventId", "trackingNumber", "type", "occurredAt" (ISO 8601 with zone),
    "location"?, "detail"?}."""
    try:
        data: Any = json.loads(body)
    # ValueError covers JSONDecodeError and an integer of more than 4,300 digits; RecursionError, arrays
    # nested thousands deep. Both fit in 64 KiB.
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WebhookRefused(400, "INVALID_JSON", f"The body is not JSON: {error}.") from None
    if not isinstance(data, dict):
        raise WebhookRefused(400, "INVALID_PAYLOAD", "The body must be one JSON object (one event).")
    unknown = set(data) - FIELDS
    if unknown:
        raise WebhookRefused(400, "INVALID_PAYLOAD", f"Unknown fields: {', '.join(sorted(unknown))}.")
    for name in ("eventId", "trackingNumber", "type", "occurredAt"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise WebhookRefused(400, "INVALID_PAYLOAD", f"'{name}' is required, as a string.")
    for name in ("location", "detail"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise WebhookRefused(400, "INVALID_PAYLOAD", f"'{name}' must be a string.")
    try:
        kind = TrackingEventType(data["type"])
    except ValueError:
        raise WebhookRefused(
            400,
            "INVALID_EVENT_TYPE",
            f"'{data['type']}' is not an event type: {', '.join(TrackingEventType)}.",
        ) from None
    try:
        occurred = datetime.fromisoformat(data["occurredAt"])
    except ValueError:
        raise WebhookRefused(
            400, "INVALID_TIME", "'occurredAt' must be ISO 8601, e.g. 2026-11-23T10:00:00Z."
        ) from None
    if occurred.tzinfo is None:
        raise WebhookRefused(400, "INVALID_TIME", "'occurredAt' needs a time zone, e.g. ...Z.")
    return RecordScan(
        tracking_number=data["trackingNumber"],
        type=kind,
        occurred_at=occurred,
        event_id=data["eventId"],
        location=data.get("location"),
        detail=data.get("detail"),
        source=EventSource.WEBHOOK,
    )


# Domain refusals of a posted scan, as HTTP statuses.
STATUS_FOR = {
    "UNKNOWN_ENDPOINT": 404,
    "DUPLICATE_EVENT": 409,
    "CONFLICT": 409,
    "UNKNOWN_TRACKING_NUMBER": 404,
    "WRONG_CARRIER": 403,
}
DUPLICATE_CONSTRAINT = "uq_tracking_events_workspace_id_shipment_id_event_id"
